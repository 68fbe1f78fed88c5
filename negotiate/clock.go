package negotiate

import (
	"context"
	"errors"
	"math"
	"time"
)

// Never is a time that does not come.
const Never = time.Duration(math.MaxInt64)

// ErrStalled is returned when a virtual clock is asked to wait for an answer
// that nothing can bring: no delivery is scheduled and there is no deadline.
var ErrStalled = errors.New("negotiation stalled: waiting with no deadline for an answer that cannot arrive in virtual time")

// Clock is a session's source of time, measured from the negotiation's
// start. A simulation uses a VirtualClock; WallClock is plain real time,
// and the server uses a clock of its own that runs on wall time but can
// replay recorded instants after a restart. The protocols cannot tell them
// apart.
type Clock interface {
	Now() time.Duration
	// Wait returns when Now has reached t, or earlier as soon as wake
	// receives (an answer arrived), or with ctx's error.
	Wait(ctx context.Context, t time.Duration, wake <-chan struct{}) error
}

// VirtualClock jumps straight to the time waited for, so that simulated days
// pass in no time and runs are deterministic. The zero value starts at 0.
type VirtualClock struct {
	now time.Duration
}

// Now is the current virtual time.
func (c *VirtualClock) Now() time.Duration { return c.now }

// Wait advances the clock to t unless an answer is already waiting on wake.
func (c *VirtualClock) Wait(ctx context.Context, t time.Duration, wake <-chan struct{}) error {
	select {
	case <-wake:
		return nil
	default:
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if t == Never {
		return ErrStalled
	}
	c.now = max(c.now, t)
	return nil
}

// WallClock is real time since Start.
type WallClock struct {
	Start time.Time
}

// NewWallClock starts a wall clock now.
func NewWallClock() *WallClock { return &WallClock{Start: time.Now()} }

// Now is the time elapsed since Start.
func (c *WallClock) Now() time.Duration { return time.Since(c.Start) }

// Wait sleeps until t, wake or the end of ctx.
func (c *WallClock) Wait(ctx context.Context, t time.Duration, wake <-chan struct{}) error {
	var timeout <-chan time.Time
	if t != Never {
		d := t - c.Now()
		if d <= 0 {
			return ctx.Err()
		}
		timer := time.NewTimer(d)
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-wake:
	case <-timeout:
	}
	return nil
}
