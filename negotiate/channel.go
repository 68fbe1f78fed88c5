package negotiate

import (
	"fmt"
	"time"
)

// Channel is a party's link to the mediator (or, in direct negotiation, to
// the table). It may run through a proxy that adds delay, and it may be cut
// for stretches of time.
type Channel struct {
	Proxy   string        // the intermediary's name; "" for a direct link
	Delay   time.Duration // added to every message, each way
	Outages []Outage      // stretches when the party cannot be reached
}

// Outage is a stretch [From, To) of time since the start during which a
// channel carries nothing.
type Outage struct{ From, To time.Duration }

// Arrival is when a message sent at t arrives. A message that would arrive
// during an outage is held, as a proxy would hold it, and arrives when the
// outage ends.
func (c *Channel) Arrival(t time.Duration) time.Duration {
	a := t + c.Delay
	for moved := true; moved; {
		moved = false
		for _, o := range c.Outages {
			if a >= o.From && a < o.To {
				a, moved = o.To, true
			}
		}
	}
	return a
}

// Validate reports the first inconsistency of a channel.
func (c *Channel) Validate() error {
	if c.Delay < 0 {
		return fmt.Errorf("channel delay %v is negative", c.Delay)
	}
	for _, o := range c.Outages {
		if o.From < 0 || o.To <= o.From {
			return fmt.Errorf("outage [%v, %v) is empty or negative", o.From, o.To)
		}
	}
	return nil
}
