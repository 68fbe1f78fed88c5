package server

import (
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestVerifierDeliveries checks that a delivery reaches those who must
// check it, and only them: the receiver and the obligation's verifiers see
// it in their events and on their pages with a button to confirm or
// dispute it; a verifier not named on an obligation does not.
func TestVerifierDeliveries(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{Rate: 1e6, Burst: 1e6})
	c := newTestCase(ts)
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	if st := c.answerAll(0, cooperative); st != stateSigning {
		t.Fatalf("negotiation ended in %s", st)
	}
	c.sign("alice", "bob")
	c.waitState(stateImplementing, 5*time.Second)
	casePage := "/ui/cases/" + c.id
	web := signIn(t, c, "alice", "bob", "auditor")
	qty := func(page, id string) string {
		m := strings.SplitN(page, `id="`+id+`" name="quantity" type="number" min="0" value="`, 2)
		if len(m) != 2 {
			t.Fatalf("no %s on the page", id)
		}
		return m[1][:strings.Index(m[1], `"`)]
	}
	// alice's goods are verified by bob and the auditor; bob's payment by
	// alice alone.
	web["alice"].post(casePage, casePage+"/act", url.Values{"type": {"deliver"}, "phase": {"1"}, "obligation": {"0"}, "quantity": {qty(web["alice"].page(casePage), "qty-1-0")}})
	web["bob"].post(casePage, casePage+"/act", url.Values{"type": {"deliver"}, "phase": {"1"}, "obligation": {"1"}, "quantity": {qty(web["bob"].page(casePage), "qty-1-1")}})

	for _, tt := range []struct {
		who       string
		delivery  string
		sees, act bool
	}{
		{"auditor", "1", true, true},
		{"bob", "1", true, true},
		{"alice", "1", true, false}, // she made it
		{"auditor", "2", false, false},
		{"alice", "2", true, true},
	} {
		sees := slices.ContainsFunc(c.events(tt.who), func(e eventJSON) bool {
			return e.Kind == "deal.delivered" && strings.Contains(string(e.Body), `"delivery":`+tt.delivery+`,`)
		})
		page := web[tt.who].page(casePage)
		act := strings.Contains(page, `id="confirm-`+tt.delivery+`"`) && strings.Contains(page, `id="dispute-`+tt.delivery+`"`)
		if sees != tt.sees || act != tt.act {
			t.Errorf("%s and delivery %s: sees the event %v, may confirm or dispute it %v; want %v, %v", tt.who, tt.delivery, sees, act, tt.sees, tt.act)
		}
	}

	// The auditor disputes through the page's form; the delivery then
	// leaves its list and the dispute is in the log.
	page := web["auditor"].post(casePage, casePage+"/act", url.Values{"type": {"dispute"}, "delivery": {"1"}, "counted": {"0"}, "reason": {"the crates were empty"}})
	if strings.Contains(page, `id="confirm-1"`) {
		t.Error("the auditor is still asked to check delivery 1 after disputing it")
	}
	if !slices.ContainsFunc(c.events("mediator"), func(e eventJSON) bool { return e.Kind == "deal.disputed" && e.From == "auditor" }) {
		t.Error("the auditor's dispute is not in the log")
	}
}
