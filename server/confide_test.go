package server

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/strategy"
)

// aliceEdited is a profile alice writes for the three-way case, unlike her
// own: she claims to want a high price and few units, and never a low
// price.
func aliceEdited() map[string]any {
	return map[string]any{
		"level":   "full",
		"weights": map[string]any{"price": 0.6, "count": 0.1, "terms": 0.3},
		"evaluations": map[string]any{
			"price": map[string]any{"low": 0, "mid": 0.5, "high": 1},
			"count": map[string]any{"1": 1, "2": 0.5, "3": 0},
			"terms": map[string]any{"net30": 1, "net60": 0},
		},
		"reservation": 0.37,
		"constraints": []any{map[string]any{"issue": "price", "allowed": []any{"mid", "high"}}},
	}
}

// aliceUtility is aliceEdited's utility of an outcome.
func aliceUtility(o map[string]string) float64 {
	p := aliceEdited()
	var u float64
	for issue, w := range p["weights"].(map[string]any) {
		u += w.(float64) * toFloat(p["evaluations"].(map[string]any)[issue].(map[string]any)[o[issue]])
	}
	return u
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	panic("not a number")
}

// confidedBody is the confided field of a confide event.
func confidedBody(t *testing.T, e eventJSON) map[string]any {
	t.Helper()
	var b struct{ Confided map[string]any }
	if err := json.Unmarshal(e.Body, &b); err != nil || b.Confided == nil {
		t.Fatalf("event %v has no confidence: %s", e, e.Body)
	}
	return b.Confided
}

// sameJSON reports whether a and b are the same JSON value.
func sameJSON(t *testing.T, a, b any) bool {
	t.Helper()
	norm := func(v any) string {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var x any
		json.Unmarshal(j, &x)
		j, _ = json.Marshal(x)
		return string(j)
	}
	return norm(a) == norm(b)
}

// waitConfided waits for the built-in party's confidence, so that the log
// stands still while requests are refused.
func waitConfided(t *testing.T, c *liveCaseT, party string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if slices.ContainsFunc(c.events("mediator"), func(e eventJSON) bool { return e.Kind == "negotiate.confide" && e.From == party }) {
			return
		}
	}
	t.Fatalf("%s never confided", party)
}

// TestConfideEdited has a person confide a profile of their own: every
// fault is refused, naming the field, with nothing recorded; the profile
// given is what the mediator is told and what its analysis rests on, and
// the other party never sees it.
func TestConfideEdited(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	c := newTestCase(ts)
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	q := waitQuestion(t, c, "alice")
	waitConfided(t, c, "carol")

	edit := func(change func(p map[string]any)) map[string]any {
		p := aliceEdited()
		change(p)
		return p
	}
	evals := func(p map[string]any) map[string]any { return p["evaluations"].(map[string]any) }
	tests := []struct {
		name string
		req  map[string]any // besides question and kind
		want string         // in the message
	}{
		{"unknown issue", map[string]any{"confided": edit(func(p map[string]any) { p["weights"].(map[string]any)["colour"] = 1 })}, `confided: weights: domain "three-way" has no issue "colour"`},
		{"weight missing", map[string]any{"confided": edit(func(p map[string]any) { delete(p["weights"].(map[string]any), "terms") })}, `confided: weights: issue "terms" missing`},
		{"negative weight", map[string]any{"confided": edit(func(p map[string]any) { p["weights"].(map[string]any)["count"] = -0.1 })}, `confided: weights: issue "count": weight -0.1 is not a non-negative number`},
		{"rating above 1", map[string]any{"confided": edit(func(p map[string]any) { evals(p)["price"].(map[string]any)["high"] = 10 })}, `confided: evaluations: issue "price": evaluation 10 of "high" is outside [0,1]`},
		{"unknown value", map[string]any{"confided": edit(func(p map[string]any) { evals(p)["price"].(map[string]any)["free"] = 1 })}, `confided: evaluations: issue "price" has no value "free"`},
		{"value not rated", map[string]any{"confided": edit(func(p map[string]any) { delete(evals(p)["count"].(map[string]any), "2") })}, `confided: evaluations: issue "count": value "2" not rated`},
		{"reservation above 1", map[string]any{"confided": edit(func(p map[string]any) { p["reservation"] = 1.2 })}, "confided: reservation 1.2 outside [0,1]"},
		{"no reservation", map[string]any{"confided": edit(func(p map[string]any) { delete(p, "reservation") })}, `confided: reservation: level "full" needs one`},
		{"constraint on no issue", map[string]any{"confided": edit(func(p map[string]any) {
			p["constraints"] = []any{map[string]any{"issue": "colour", "allowed": []any{"red"}}}
		})}, `confided: constraints[0]: domain "three-way" has no issue "colour"`},
		{"constraint allowing nothing", map[string]any{"confided": edit(func(p map[string]any) {
			p["constraints"] = []any{map[string]any{"issue": "terms", "allowed": []any{}}}
		})}, `confided: constraints[0]: issue "terms" allows no value`},
		{"more than the level", map[string]any{"confided": edit(func(p map[string]any) { p["level"] = "weights" })}, `confided: evaluations: not part of level "weights"`},
		{"unknown field", map[string]any{"confided": edit(func(p map[string]any) { p["colour"] = "red" })}, `confided: json: unknown field "colour"`},
		{"levels differ", map[string]any{"level": "weights", "confided": aliceEdited()}, `level: "weights" differs from confided.level "full"`},
	}
	before := c.events("mediator")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := map[string]any{"question": q.ID, "kind": "confide"}
			for k, v := range tt.req {
				req[k] = v
			}
			var e apiError
			if got := ts.call(c.tokens["alice"], "POST", c.path("/answers"), req, &e); got != 400 || e.Error.Code != "invalid" || e.Error.Message != tt.want {
				t.Errorf("status %d %s %q, want 400 invalid %q", got, e.Error.Code, e.Error.Message, tt.want)
			}
		})
	}
	if after := c.events("mediator"); len(after) != len(before) {
		t.Fatalf("refused confidences changed the log: %v", after[len(before):])
	}

	var ack struct{ Seq int64 }
	ts.must(200, c.tokens["alice"], "POST", c.path("/answers"), map[string]any{"question": q.ID, "kind": "confide", "level": "full", "confided": aliceEdited()}, &ack)
	ts.must(200, c.tokens["bob"], "POST", c.path("/answers"), map[string]any{"question": waitQuestion(t, c, "bob").ID, "kind": "confide", "level": "full"}, nil)
	all := c.events("mediator")
	got := all[ack.Seq-1]
	if got.Kind != "negotiate.confide" || got.From != "alice" || !sameJSON(t, confidedBody(t, got), aliceEdited()) {
		t.Fatalf("alice's confidence is logged as %v %s, want %v", got, got.Body, aliceEdited())
	}
	for _, e := range c.events("bob") {
		if e.Seq == ack.Seq || strings.Contains(string(e.Body), "0.37") {
			t.Errorf("bob is shown alice's confidence: %v %s", e, e.Body)
		}
	}
	if s := ts.call(c.tokens["bob"], "GET", c.path(fmt.Sprintf("/proofs/inclusion?seq=%d", ack.Seq)), nil, nil); s != 404 {
		t.Errorf("bob's proof of alice's confidence: status %d, want 404", s)
	}

	// The mediator's analysis rests on what alice said, not on her profile.
	waitQuestion(t, c, "alice")
	var an struct {
		Parties []gapJSON
		Nash    *pointJSON
	}
	ts.must(200, ts.admin, "GET", c.path("/analysis"), nil, &an)
	a := an.Parties[0]
	if a.Party != "alice" || a.Reservation == nil || *a.Reservation != 0.37 || a.Utility == nil || math.Abs(*a.Utility-aliceUtility(a.Text)) > 1e-12 {
		t.Errorf("alice's gap is %+v (utility %v), want reservation 0.37 and utility %g of %v", a, a.Utility, aliceUtility(a.Text), a.Text)
	}
	if an.Nash == nil || math.Abs(an.Nash.Utilities[0]-aliceUtility(an.Nash.Outcome)) > 1e-12 || an.Nash.Outcome["price"] == "low" {
		t.Fatalf("the Nash point %+v is not of alice's confided profile", an.Nash)
	}
	// Every party confided in full, so the mediator's first text is the
	// Nash point of what they confided.
	if !maps.Equal(a.Text, an.Nash.Outcome) {
		t.Errorf("the first text is %v, not the Nash point %v of the confided profiles", a.Text, an.Nash.Outcome)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyDB copies a closed SQLite database with its journal files.
func copyDB(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(from + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// editedPlayer confides hand-edited profiles (alice in full, bob his
// weights), objects to the first texts and then accepts: the same answers
// to the same questions every time.
func editedPlayer() func(string, *question) map[string]any {
	answered := map[string]int{}
	return func(party string, q *question) map[string]any {
		if q.Kind == "ask-confide" {
			if party == "alice" {
				return map[string]any{"kind": "confide", "confided": aliceEdited()}
			}
			return map[string]any{"kind": "confide", "confided": map[string]any{"level": "weights", "weights": map[string]any{"price": 1, "count": 3, "terms": 0}}}
		}
		answered[party]++
		if answered[party] > 3 {
			return map[string]any{"kind": "accept"}
		}
		want := map[string]string{"alice": "high", "bob": "low"}[party]
		if q.Text["price"] == want {
			want = "mid"
		}
		return map[string]any{"kind": "object", "objections": []map[string]any{{"issue": "price", "want": want, "direction": 1, "strength": 0.4}}}
	}
}

// textsTo lists, in order, the texts the mediator put to each party.
func textsTo(t *testing.T, evs []eventJSON) []string {
	t.Helper()
	var out []string
	for _, e := range evs {
		if e.Kind != "negotiate.text" && e.Kind != "negotiate.agreement" {
			continue
		}
		var b struct{ Outcome map[string]string }
		if err := json.Unmarshal(e.Body, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join(e.To, ",")+" "+string(mustJSON(t, b.Outcome)))
	}
	return out
}

// TestConfideEditedRestart plays one case twice from the same database:
// once straight through, once with the server restarted in the middle.
// The restarted server must replay what the parties confided as they wrote
// it, so the mediator puts the same texts in both.
func TestConfideEditedRestart(t *testing.T) {
	dir := t.TempDir()
	straight, broken := filepath.Join(dir, "straight.db"), filepath.Join(dir, "broken.db")
	ts := startServer(t, straight, "", Config{})
	c := newTestCase(ts)
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	waitQuestion(t, c, "alice")
	waitConfided(t, c, "carol")
	ts.stop()
	copyDB(t, straight, broken)

	c.ts = startServer(t, straight, ts.admin, Config{})
	end := c.answerAll(0, editedPlayer())
	want := textsTo(t, c.events("mediator"))
	c.ts.stop()
	if len(want) < 5 {
		t.Fatalf("the straight run put only %v", want)
	}

	c.ts = startServer(t, broken, ts.admin, Config{})
	play := editedPlayer()
	c.answerAll(6, play)
	before := c.events("mediator")
	c.ts.stop()
	c.ts = startServer(t, broken, ts.admin, Config{})
	for i, e := range c.events("mediator")[:len(before)] {
		if e.Seq != before[i].Seq || string(e.Body) != string(before[i].Body) {
			t.Fatalf("event %v changed over the restart", e)
		}
	}
	if got := c.answerAll(0, play); got != end {
		t.Errorf("the restarted case ended %s, the straight one %s", got, end)
	}
	if got := textsTo(t, c.events("mediator")); !slices.Equal(got, want) {
		t.Errorf("after a restart the mediator put\n%s\nwithout one\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	c.exportAndVerify(c.ts.srv.InstallationKey())
}

// TestToldTruth checks when the mediator may be given the analysis of the
// true profiles: when every party confided its own profile in full, read
// back from the log or sent back unchanged from the page's form, and never
// when one wrote its own.
func TestToldTruth(t *testing.T) {
	sc, err := parseScenario("three", readTestdata(t, "three.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c := &liveCase{sc: sc}
	d := sc.Domain
	truth := func() []*negotiate.Confided {
		var out []*negotiate.Confided
		for _, p := range sc.Profiles() {
			out = append(out, strategy.Confide(p, negotiate.Full))
		}
		return out
	}
	readBack := truth()
	for i, k := range readBack {
		b, err := negotiate.MarshalConfided(d, k)
		if err != nil {
			t.Fatal(err)
		}
		if readBack[i], err = negotiate.ParseConfided(d, b); err != nil {
			t.Fatal(err)
		}
	}
	fromForm := truth()
	for i, p := range sc.Profiles() {
		form := url.Values{"question": {"1"}, "level": {"full"}}
		e := confideEditOf(p)
		form.Set("reservation", e.Reservation)
		for _, is := range e.Issues {
			form.Set("weight:"+is.Name, is.Weight)
			for _, v := range is.Values {
				form.Set("rating:"+is.Name+":"+v.Label, v.Rating)
				if v.Allowed {
					form.Add("allow:"+is.Name, v.Label)
				}
			}
		}
		req, err := confideForm(d, formRequest(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		if fromForm[i], err = negotiate.ParseConfided(d, req.(*answerRequest).Confided); err != nil {
			t.Fatal(err)
		}
	}
	edited := truth()
	if edited[0], err = negotiate.ParseConfided(d, mustJSON(t, aliceEdited())); err != nil {
		t.Fatal(err)
	}
	weights := truth()
	weights[1] = strategy.Confide(sc.Profiles()[1], negotiate.Weights)
	for _, tt := range []struct {
		name     string
		confided []*negotiate.Confided
		want     bool
	}{
		{"the truth", truth(), true},
		{"the truth read back", readBack, true},
		{"the truth from the form", fromForm, true},
		{"one written", edited, false},
		{"one in part", weights, false},
		{"one silent", append(truth()[:2], nil), false},
		{"not yet known", nil, false},
	} {
		if got := c.toldTruth(tt.confided); got != tt.want {
			t.Errorf("%s: toldTruth = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestConfideForm checks that the form of an edited profile becomes the
// API request it stands for, with only what the chosen level carries.
func TestConfideForm(t *testing.T) {
	sc, err := parseScenario("three", readTestdata(t, "three.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	full := "question=7&weight%3Aprice=2&weight%3Acount=1&weight%3Aterms=1&reservation=0.25" +
		"&rating%3Aprice%3Alow=1&rating%3Aprice%3Amid=0.5&rating%3Aprice%3Ahigh=0" +
		"&rating%3Acount%3A1=0&rating%3Acount%3A2=0.5&rating%3Acount%3A3=1&rating%3Aterms%3Anet30=0.2&rating%3Aterms%3Anet60=1" +
		"&allow%3Aprice=low&allow%3Aprice=mid&allow%3Acount=1&allow%3Acount=2&allow%3Acount=3&allow%3Aterms=net60"
	for _, tc := range []struct {
		name, body, want string
	}{
		{"full", full + "&level=full", `{"constraints":[{"allowed":["low","mid"],"issue":"price"},{"allowed":["net60"],"issue":"terms"}],` +
			`"evaluations":{"count":{"1":0,"2":0.5,"3":1},"price":{"high":0,"low":1,"mid":0.5},"terms":{"net30":0.2,"net60":1}},` +
			`"level":"full","reservation":0.25,"weights":{"count":1,"price":2,"terms":1}}`},
		{"weights", full + "&level=weights", `{"level":"weights","weights":{"count":1,"price":2,"terms":1}}`},
		{"musthaves", full + "&level=musthaves", `{"constraints":[{"allowed":["low","mid"],"issue":"price"},{"allowed":["net60"],"issue":"terms"}],"level":"musthaves","reservation":0.25}`},
		{"no must-haves", strings.ReplaceAll(full, "&allow%3Aterms=net60", "&allow%3Aterms=net30&allow%3Aterms=net60&allow%3Aprice=high") + "&level=musthaves",
			`{"level":"musthaves","reservation":0.25}`},
		{"no level", full, `level: want full, weights or musthaves, got ""`},
		{"level none", full + "&level=none", `level: want full, weights or musthaves, got "none"`},
		{"bad rating", strings.Replace(full, "rating%3Aprice%3Amid=0.5", "rating%3Aprice%3Amid=half", 1) + "&level=full", "rating:price:mid: not a number"},
		{"no weight", strings.Replace(full, "weight%3Aterms=1", "", 1) + "&level=weights", "weight:terms: not a number"},
		{"no reservation", strings.Replace(full, "reservation=0.25", "", 1) + "&level=musthaves", "reservation: not a number"},
		{"no question", strings.Replace(full, "question=7", "", 1) + "&level=full", "question: not a number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := confideForm(sc.Domain, formRequest(tc.body))
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				req := v.(*answerRequest)
				if req.Question != 7 || req.Kind != "confide" || req.Level != "" {
					t.Errorf("request %+v", req)
				}
				got = string(req.Confided)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestWebConfideForm has alice confide an edited profile through her page
// without JavaScript: the form shows her own profile, a bad number is
// refused on a page that names the field, and what she sends is what the
// mediator is told.
func TestWebConfideForm(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	c := newTestCase(ts)
	casePage := "/ui/cases/" + c.id
	web := signIn(t, c, "alice", "bob")
	if strings.Contains(web["alice"].page(casePage), `id="confide-form"`) {
		t.Error("the form shows before the mediator asks")
	}
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	waitQuestion(t, c, "alice")
	page := web["alice"].page(casePage)
	// Her profile, written exactly: weights 2:1:1, prices rated 10, 6, 1.
	for _, want := range []string{`id="confide-form"`, `id="confide"`,
		`<label for="cw-0">Weight of price</label>`, `name="weight:price" type="number" min="0" step="any" required value="0.5"`,
		`<label for="cr-0-1">Rating of mid</label>`, `name="rating:price:mid" type="number" min="0" max="1" step="any" required value="0.6"`,
		`name="allow:terms" value="net30" checked> net30 is acceptable</label>`, `name="reservation" type="number" min="0" max="1" step="any" required value="0.1"`,
		"from 0 (worst for you) to 1 (best)"} {
		if !strings.Contains(page, want) {
			t.Errorf("alice's page lacks %s", want)
		}
	}
	q := match(questionRe, page)
	form := url.Values{"question": {q}, "level": {"full"}, "reservation": {"0.25"},
		"weight:price": {"1"}, "weight:count": {"1"}, "weight:terms": {"2"},
		"rating:price:low": {"0"}, "rating:price:mid": {"0.5"}, "rating:price:high": {"1"},
		"rating:count:1": {"1"}, "rating:count:2": {"0.5"}, "rating:count:3": {"0"},
		"rating:terms:net30": {"0.9"}, "rating:terms:net60": {"0.1"},
		"allow:price": {"mid", "high"}, "allow:count": {"1", "2", "3"}, "allow:terms": {"net30", "net60"}}

	// A rating above 1 is refused, and the page says which.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("rating:price:high", "2")
	bad.Set("csrf", match(csrfRe, page))
	resp, err := web["alice"].c.PostForm(ts.url+casePage+"/confide", bad)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if msg := html.EscapeString(`evaluations: issue "price": evaluation 2 of "high" is outside [0,1]`); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), msg) {
		t.Errorf("a rating of 2: status %d, want 400 with %s:\n%s", resp.StatusCode, msg, body)
	}
	for _, e := range c.events("mediator") {
		if e.Kind == "negotiate.confide" && e.From == "alice" {
			t.Fatal("the refused form was recorded")
		}
	}

	after := web["alice"].post(casePage, casePage+"/confide", form)
	if strings.Contains(after, `id="confide-form"`) {
		t.Error("the form is still shown after alice confided")
	}
	var got map[string]any
	for _, e := range c.events("mediator") {
		if e.Kind == "negotiate.confide" && e.From == "alice" {
			got = confidedBody(t, e)
		}
	}
	want := map[string]any{"level": "full", "reservation": 0.25,
		"weights": map[string]any{"price": 0.25, "count": 0.25, "terms": 0.5},
		"evaluations": map[string]any{"price": map[string]any{"low": 0, "mid": 0.5, "high": 1},
			"count": map[string]any{"1": 1, "2": 0.5, "3": 0}, "terms": map[string]any{"net30": 0.9, "net60": 0.1}},
		"constraints": []any{map[string]any{"issue": "price", "allowed": []any{"mid", "high"}}}}
	if !sameJSON(t, got, want) {
		t.Errorf("alice confided %v, want %v", got, want)
	}
	// The event's body, as the mediator's page shows it and bob's must not.
	body0 := `&#34;net30&#34;:0.9`
	if med := newWebClient(t, ts.url); !strings.Contains(med.page("/ui/join?token="+url.QueryEscape(ts.admin))+med.page(casePage), body0) {
		t.Errorf("the mediator's page does not show alice's confidence")
	}
	if bob := web["bob"].page(casePage); strings.Contains(bob, body0) || !strings.Contains(bob, `id="confide-form"`) {
		t.Error("bob's page shows alice's confidence, or not his own form")
	}
}
