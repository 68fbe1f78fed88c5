package server

import (
	"context"
	"sync"
	"time"

	"github.com/shuttle-mediation/shuttle/negotiate"
)

// caseClock is a negotiation's clock on a server. Its time moves only when
// the session waits: to the instant an answer arrived or a deadline passed.
// That makes the session a function of those instants, which the log
// records, so a restarted server replays it exactly: while a replay script
// remains, the clock jumps from one recorded instant to the next and hands
// each recorded answer back to the session; once the script is used up it
// runs on wall time from the negotiation's start.
type caseClock struct {
	start time.Time // wall time of the negotiation's time 0

	mu     sync.Mutex
	now    time.Duration
	script []scripted // human answers still to replay, in log order
	// pending counts the logged negotiation events not yet reproduced;
	// the clock is live when it is 0.
	pending int
	// answer hands an answer to the session. It is called only from the
	// session's goroutine, inside Wait: negotiate.Session reads its
	// questions' states unlocked while it runs, so the server never calls
	// Session.Answer concurrently with it.
	answer func(party string, id uint64, a negotiate.Answer) error
	inbox  chan delivery
	// flush makes the events the session recorded since it last waited
	// durable, acknowledging the answers among them.
	flush func()
}

// delivery is a person's answer on its way to the session.
type delivery struct {
	party string
	id    uint64
	a     negotiate.Answer
	res   chan error
}

// scripted is a human answer recorded in the log.
type scripted struct {
	party string
	id    uint64
	at    time.Duration
	a     negotiate.Answer
}

func (c *caseClock) Now() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *caseClock) live() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending == 0 && len(c.script) == 0
}

// reproduced counts one logged event as reproduced by the session.
func (c *caseClock) reproduced() {
	c.mu.Lock()
	c.pending--
	c.mu.Unlock()
}

func (c *caseClock) Wait(ctx context.Context, t time.Duration, wake <-chan struct{}) error {
	if !c.live() {
		return c.replay(ctx, t, wake)
	}
	select {
	case <-wake:
		c.advance(time.Since(c.start))
		return nil
	default:
	}
	if t != negotiate.Never && t <= time.Since(c.start) {
		c.advance(t)
		return ctx.Err()
	}
	// The session has done what it can until an answer or a deadline: its
	// step is complete.
	c.flush()
	var timeout <-chan time.Time
	if t != negotiate.Never {
		timer := time.NewTimer(max(t-time.Since(c.start), 0))
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-wake:
		c.advance(time.Since(c.start))
	case d := <-c.inbox:
		c.advance(time.Since(c.start))
		d.res <- c.answer(d.party, d.id, d.a)
		select {
		case <-wake:
		default:
		}
	case <-timeout:
		c.advance(t)
	}
	return nil
}

func (c *caseClock) advance(t time.Duration) {
	c.mu.Lock()
	c.now = max(c.now, t)
	c.mu.Unlock()
}

// replay is Wait while the log is being replayed: the next recorded answer
// arrives at its recorded time unless t comes first.
func (c *caseClock) replay(ctx context.Context, t time.Duration, wake <-chan struct{}) error {
	select {
	case <-wake:
		return nil
	default:
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	if len(c.script) > 0 && c.script[0].at <= t {
		next := c.script[0]
		c.script = c.script[1:]
		c.now = max(c.now, next.at)
		c.mu.Unlock()
		if err := c.answer(next.party, next.id, next.a); err != nil {
			return err
		}
		// The answer is in; the session notices it without another wake.
		select {
		case <-wake:
		default:
		}
		return nil
	}
	if t != negotiate.Never {
		c.now = max(c.now, t)
	}
	c.mu.Unlock()
	if t == negotiate.Never {
		return errDiverged
	}
	return nil
}
