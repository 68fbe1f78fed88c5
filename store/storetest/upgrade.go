package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/store"
)

// Upgrade checks that a database a server of schema version 1 left opens
// and works, its timers table (which no server ever read) gone. atV1
// makes t's database at version 1 and no further, as that server's
// migrations did, and returns a connection to it behind the store's back,
// which Upgrade closes; open then opens that database as Run's tests do.
func Upgrade(t *testing.T, atV1 func(t *testing.T) *sql.DB, open Opener) {
	ctx := context.Background()
	db := atV1(t)
	t.Cleanup(func() { db.Close() })
	// Literals only, so that the statements read the same in every SQL
	// dialect.
	for _, q := range []string{
		fmt.Sprintf(`INSERT INTO cases (id, name, created, state, closed, size) VALUES ('old', 'made at schema 1', %d, 'negotiating', false, 0)`, epoch.UnixNano()),
		fmt.Sprintf(`INSERT INTO timers (case_id, name, at) VALUES ('old', 'round', %d)`, epoch.Add(time.Minute).UnixNano()),
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("at schema 1: %s: %v", q, err)
		}
	}

	s := open(t)
	if _, err := db.ExecContext(ctx, `SELECT 1 FROM timers`); err == nil || !strings.Contains(err.Error(), "timers") {
		t.Errorf("the timers table after migrating: %v, want it gone", err)
	}
	old := store.Case{ID: "old", Name: "made at schema 1", Created: epoch, State: "negotiating"}
	got, err := s.OpenCases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "OpenCases after migrating", got, []store.Case{old})
	mustAppend(t, s, "old", 1, "k", events("old", 1, 2))
	// Closing a case is what touched its timers when there were any.
	if err := s.SetCaseState(ctx, "old", "agreed", true); err != nil {
		t.Fatalf("SetCaseState after migrating: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// A second opening finds the schema current and migrates nothing.
	s = openStore(t, open)
	c, err := s.GetCase(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	old.Size, old.State, old.Closed = 2, "agreed", true
	diff(t, "case after reopening", c, old)
	diff(t, "events after reopening", mustEvents(t, s, "old", 0, 0), stored("old", 1, events("old", 1, 2)))
}
