package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/store"
)

// SeqUnique bypasses a store's size check with an event written directly:
// the store's key on (case, seq) must still refuse a second event at that
// seq, as a conflict, and the append must leave nothing behind. intrude
// writes, behind the store's back, the event of case "c" at seq 2.
func SeqUnique(t *testing.T, s store.Store, intrude func(t *testing.T)) {
	ctx := context.Background()
	if err := s.CreateCase(ctx, store.Case{ID: "c", Created: time.Unix(1, 0)}); err != nil {
		t.Fatal(err)
	}
	ev := store.Event{Kind: "k", Body: []byte(`{}`)}
	if err := s.AppendEvents(ctx, "c", 1, "", []store.Event{ev}); err != nil {
		t.Fatal(err)
	}
	intrude(t)
	err := s.AppendEvents(ctx, "c", 2, "key", []store.Event{ev})
	var e *shuttle.Error
	if !errors.As(err, &e) || e.Code != shuttle.EConflict || e.Field != "seq" {
		t.Fatalf("AppendEvents over an existing seq = %v, want a seq conflict", err)
	}
	c, err := s.GetCase(ctx, "c")
	if err != nil || c.Size != 1 {
		t.Errorf("size after the refused append = %d, %v; want 1", c.Size, err)
	}
	if _, err := s.EventsByKey(ctx, "c", "key"); shuttle.ErrorCode(err) != shuttle.ENotFound {
		t.Errorf("the refused append's key was kept: %v", err)
	}
}
