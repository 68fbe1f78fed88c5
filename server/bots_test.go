package server

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// newPairCase creates the case of pair.yaml, ana answered by a person and
// dan built in, invites ana, negotiates it cooperatively and signs it.
func newPairCase(ts *testServer) *liveCaseT {
	ts.t.Helper()
	var created struct{ ID string }
	ts.must(201, ts.admin, "POST", "/v1/cases?humans=ana", readTestdata(ts.t, "pair.yaml"), &created)
	c := &liveCaseT{ts: ts, id: created.ID, tokens: map[string]string{"mediator": ts.admin}, humans: []string{"ana"}}
	var inv struct{ Token string }
	ts.must(201, ts.admin, "POST", c.path("/invites"), map[string]string{"name": "ana", "role": "party"}, &inv)
	c.tokens["ana"] = inv.Token
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	if st := c.answerAll(0, cooperative); st != stateSigning {
		ts.t.Fatalf("negotiation ended in %s, want %s", st, stateSigning)
	}
	c.sign("ana")
	c.waitState(stateImplementing, 5*time.Second)
	return c
}

// act is an action of who's in the implementation; it returns the events
// the response shows.
func (c *liveCaseT) act(who string, a map[string]any) []eventJSON {
	c.ts.t.Helper()
	var out struct{ Events []eventJSON }
	c.ts.must(200, c.tokens[who], "POST", c.path("/actions"), a, &out)
	return out.Events
}

// waitEvent polls what who may see until an event of kind from from
// appears, and returns it.
func (c *liveCaseT) waitEvent(who, kind, from string, within time.Duration) eventJSON {
	c.ts.t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, e := range c.events(who) {
			if e.Kind == kind && e.From == from {
				return e
			}
		}
	}
	c.ts.t.Fatalf("no %s from %q within %v", kind, from, within)
	return eventJSON{}
}

// botActions lists the types of the actions a party took, in log order.
func botActions(t *testing.T, evs []eventJSON, party string) []string {
	t.Helper()
	var types []string
	for _, e := range evs {
		if e.Kind == kindAction && e.From == party {
			var a action
			if err := json.Unmarshal(e.Body, &a); err != nil {
				t.Fatal(err)
			}
			types = append(types, a.Type)
		}
	}
	return types
}

// payment is what ana owes in phase 1.
func (c *liveCaseT) payment() int {
	c.ts.t.Helper()
	var impl struct {
		Schedule struct {
			Phases []struct {
				Obligations []struct{ Obligation, Quantity int }
			}
		}
	}
	c.ts.must(200, c.ts.admin, "GET", c.path("/implementation"), nil, &impl)
	for _, o := range impl.Schedule.Phases[0].Obligations {
		if o.Obligation == 1 {
			return o.Quantity
		}
	}
	c.ts.t.Fatal("phase 1 has no payment")
	return 0
}

// deliveryID is the delivery a deal.delivered event announces.
func deliveryID(t *testing.T, e eventJSON) int {
	t.Helper()
	var d struct{ Body struct{ Delivery int } }
	if err := json.Unmarshal(e.Body, &d); err != nil {
		t.Fatal(err)
	}
	return d.Body.Delivery
}

// TestBotParty implements a signed agreement between a person and a
// built-in party: the bot submits its list and delivers on its own,
// confirms what it receives, accepts an extension offer, and reports the
// person's overdue payment, which the person then cures; every step of
// the bot is logged as a party's action.
func TestBotParty(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	c := newPairCase(ts)

	// The list is due before the phase; dan's is in at once.
	c.waitEvent("ana", "deal.list_submitted", "dan", 2*time.Second)
	c.act("ana", map[string]any{"type": "submit_list", "phase": 1, "list": 1, "items": []string{"transfer 1"}})
	offered := c.act("mediator", map[string]any{"type": "offer_extension"})
	if !slices.ContainsFunc(offered, func(e eventJSON) bool { return e.Kind == "deal.extension_accepted" && e.From == "dan" }) {
		t.Errorf("dan did not accept the extension offer at once: %v", offered)
	}
	c.act("ana", map[string]any{"type": "answer_extension", "accept": false})

	parts := c.waitEvent("ana", "deal.delivered", "dan", 3*time.Second)
	c.act("ana", map[string]any{"type": "confirm", "delivery": deliveryID(t, parts)})
	// ana lets her payment fall due: dan reports it.
	report := c.waitEvent("ana", "deal.breach_reported", "dan", 3*time.Second)
	var rb struct{ Body struct{ Breach int } }
	if err := json.Unmarshal(report.Body, &rb); err != nil {
		t.Fatal(err)
	}
	c.act("mediator", map[string]any{"type": "rule", "breach": rb.Body.Breach, "verdict": "minor", "reason": "late payment"})
	paid := c.act("ana", map[string]any{"type": "deliver", "phase": 1, "obligation": 1, "quantity": c.payment()})
	if !slices.ContainsFunc(paid, func(e eventJSON) bool { return e.Kind == "deal.confirmed" && e.From == "dan" }) {
		t.Errorf("dan did not confirm the payment at once: %v", paid)
	}
	c.act("ana", map[string]any{"type": "cure", "breach": rb.Body.Breach, "note": "paid in full"})
	c.waitState("completed", 5*time.Second)

	all := c.events("mediator")
	want := []string{"submit_list", "answer_extension", "deliver", "report_breach", "confirm"}
	if got := botActions(t, all, "dan"); !slices.Equal(got, want) {
		t.Errorf("dan's actions %v, want %v", got, want)
	}
	c.exportAndVerify(ts.srv.InstallationKey())
}

// TestBotRestart stops the server in the middle of an implementation with
// a built-in party and starts another on the same database after the bot's
// delivery time has passed: the replay takes the bot's logged actions
// again without diverging, the bot delivers as soon as the server is live,
// and the implementation completes.
func TestBotRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shuttle.db")
	ts := startServer(t, db, "", Config{})
	c := newPairCase(ts)

	c.act("ana", map[string]any{"type": "submit_list", "phase": 1, "list": 1, "items": []string{"transfer 1"}})
	c.act("mediator", map[string]any{"type": "offer_extension"})
	c.act("ana", map[string]any{"type": "answer_extension", "accept": false})
	start := c.waitEvent("ana", "deal.phase_started", "", 3*time.Second)
	c.act("ana", map[string]any{"type": "deliver", "phase": 1, "obligation": 1, "quantity": c.payment()})
	before := c.events("mediator")
	if got, want := botActions(t, before, "dan"), []string{"submit_list", "answer_extension", "confirm"}; !slices.Equal(got, want) {
		t.Fatalf("before the restart dan took %v, want %v", got, want)
	}
	ts.stop()

	// dan delivers halfway to the due time, 500ms into the phase.
	time.Sleep(time.Until(start.Wall.Add(700 * time.Millisecond)))
	ts2 := startServer(t, db, ts.admin, Config{})
	c.ts = ts2
	after := c.events("mediator")
	if len(after) <= len(before) {
		t.Fatalf("after the restart the log has %d events, before %d", len(after), len(before))
	}
	for i := range before {
		if a, b := before[i], after[i]; a.Seq != b.Seq || a.Kind != b.Kind || string(a.Body) != string(b.Body) {
			t.Fatalf("event %d changed over the restart: %v / %v", i+1, a, b)
		}
	}
	// Resuming, before any timer: the delivery is late, not lost.
	if got := botActions(t, after[len(before):], "dan"); !slices.Equal(got, []string{"deliver"}) {
		t.Fatalf("on resuming dan took %v, want a delivery", got)
	}
	parts := c.waitEvent("ana", "deal.delivered", "dan", time.Second)
	c.act("ana", map[string]any{"type": "confirm", "delivery": deliveryID(t, parts)})
	c.waitState("completed", 5*time.Second)
	c.exportAndVerify(ts2.srv.InstallationKey())
}
