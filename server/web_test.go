package server

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// webClient is a browser without JavaScript: a cookie jar and forms.
type webClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newWebClient(t *testing.T, base string) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// signIn signs each of who in to the case's pages with its invite token,
// each in a browser of its own.
func signIn(t *testing.T, c *liveCaseT, who ...string) map[string]*webClient {
	t.Helper()
	web := map[string]*webClient{}
	for _, w := range who {
		web[w] = newWebClient(t, c.ts.url)
		if body := web[w].page("/ui/join?token=" + url.QueryEscape(c.tokens[w])); !strings.Contains(body, "Signed in as") {
			t.Fatalf("%s is not signed in:\n%s", w, body)
		}
	}
	return web
}

// get fetches path, following redirects, and returns the status and body.
func (w *webClient) get(path string) (int, string) {
	w.t.Helper()
	resp, err := w.c.Get(w.base + path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// page fetches path and fails the test unless it is 200.
func (w *webClient) page(path string) string {
	w.t.Helper()
	code, body := w.get(path)
	if code != http.StatusOK {
		w.t.Fatalf("GET %s: %d\n%s", path, code, body)
	}
	return body
}

var (
	csrfRe     = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
	questionRe = regexp.MustCompile(`name="question" value="(\d+)"`)
	stmtRe     = regexp.MustCompile(`data-statement="([^"]+)"`)
	stateRe    = regexp.MustCompile(`<span class="state state-([a-z]+)">`)
)

func match(re *regexp.Regexp, s string) string {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// post submits a form from the page at from, with the page's CSRF token,
// and returns the page it leads to.
func (w *webClient) post(from, action string, form url.Values) string {
	w.t.Helper()
	form.Set("csrf", match(csrfRe, w.page(from)))
	resp, err := w.c.PostForm(w.base+action, form)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		w.t.Fatalf("POST %s %v: %d\n%s", action, form, resp.StatusCode, b)
	}
	return string(b)
}

// signForm signs the statement a party's page shows, as the party's own
// signing tool would.
func signFormValues(t *testing.T, page string) url.Values {
	t.Helper()
	stmt, err := base64.StdEncoding.DecodeString(match(stmtRe, page))
	if err != nil || len(stmt) == 0 {
		t.Fatalf("no statement to sign on the page: %v", err)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	return url.Values{"public_key": {base64.StdEncoding.EncodeToString(pub)},
		"signature": {base64.StdEncoding.EncodeToString(ed25519.Sign(priv, stmt))}}
}

// TestWebWithoutScript takes a case from start to a completed phase through
// the pages' plain forms, as a browser without JavaScript would, and checks
// that each page states the case and that no party's page shows anything
// of the other's channel.
func TestWebWithoutScript(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	c := newTestCase(ts)
	casePage := "/ui/cases/" + c.id
	web := signIn(t, c, "mediator", "alice", "bob", "auditor", "press")
	for who := range web {
		home := web[who].page("/ui/")
		if who == "mediator" {
			if !strings.Contains(home, c.id) {
				t.Fatalf("the mediator's home does not list the case:\n%s", home)
			}
		} else if !strings.Contains(home, "state-open") {
			t.Fatalf("%s's page does not show the open case:\n%s", who, home)
		}
	}
	if code, _ := newWebClient(t, ts.url).get(casePage); code != http.StatusUnauthorized {
		t.Errorf("a case page without sign-in: %d, want 401", code)
	}
	if code, _ := newWebClient(t, ts.url).get("/ui/join?token=nonsense"); code != http.StatusUnauthorized {
		t.Errorf("sign-in with a bad token: %d, want 401", code)
	}
	// A form without the session's CSRF token is refused.
	resp, err := web["mediator"].c.PostForm(ts.url+casePage+"/start", url.Values{"csrf": {"00"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("start without the CSRF token: %d, want 403", resp.StatusCode)
	}

	web["mediator"].post(casePage, casePage+"/start", url.Values{})
	if !strings.Contains(web["mediator"].page(casePage), `id="h-sug"`) {
		t.Error("the console has no suggestions")
	}
	// The analysis rests on what the parties confide: nothing yet.
	if code, _ := web["mediator"].get(casePage + "/plane.svg"); code != http.StatusNotFound {
		t.Errorf("the utility plane before anyone confided: %d, want 404", code)
	}
	objected := false
	deadline := time.Now().Add(30 * time.Second)
	suggested := false
	for state := ""; state != stateSigning; {
		med := web["mediator"].page(casePage)
		state = match(stateRe, med)
		suggested = suggested || strings.Contains(med, "Suggested text by party")
		if state == stateSigning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the negotiation did not reach signing; it is %s", state)
		}
		for _, p := range []string{"alice", "bob"} {
			body := web[p].page(casePage)
			q := match(questionRe, body)
			if q == "" {
				continue
			}
			form := url.Values{"question": {q}, "kind": {"accept"}}
			switch {
			case strings.Contains(body, `value="confide"`):
				form.Set("kind", "confide")
				form.Set("level", "full")
			case p == "bob" && !objected:
				form.Set("kind", "object")
				form.Set("want:price", "low|-1")
				form.Set("strength:price", "0.37")
				objected = true
			}
			web[p].post(casePage, casePage+"/answer", form)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !objected {
		t.Fatal("bob never had a text to object to")
	}
	if !suggested {
		t.Error("the console never suggested a text during the negotiation")
	}
	for _, p := range []string{"alice", "bob"} {
		web[p].post(casePage, casePage+"/sign", signFormValues(t, web[p].page(casePage)))
	}
	c.waitState(stateImplementing, 5*time.Second)

	// Phase 1: alice delivers, bob and the auditor confirm; bob pays, alice
	// confirms.
	alice := web["alice"].page(casePage)
	if !strings.Contains(alice, `id="deliver-1-0"`) {
		t.Fatalf("alice's page has no delivery form:\n%s", alice)
	}
	web["alice"].post(casePage, casePage+"/act", url.Values{"type": {"deliver"}, "phase": {"1"}, "obligation": {"0"}, "quantity": {match(regexp.MustCompile(`id="qty-1-0" name="quantity" type="number" min="0" value="(\d+)"`), alice)}})
	// A breach report and its ruling, through the forms.
	if !strings.Contains(web["bob"].page(casePage), `id="breach-form"`) {
		t.Fatal("bob's page has no breach report form")
	}
	web["bob"].post(casePage, casePage+"/act", url.Values{"type": {"report_breach"}, "accused": {"alice"}, "phase": {"1"}, "obligation": {"0"}, "evidence": {"the crates came unlabelled"}})
	if med := web["mediator"].page(casePage); !strings.Contains(med, `id="rule-1"`) || !strings.Contains(med, "the crates came unlabelled") {
		t.Fatal("the mediator is not asked to rule on the breach")
	}
	web["mediator"].post(casePage, casePage+"/act", url.Values{"type": {"rule"}, "breach": {"1"}, "verdict": {"unfounded"}, "reason": {"labels are not in the plan"}})
	if strings.Contains(web["mediator"].page(casePage), `id="rule-1"`) {
		t.Error("the breach still awaits a ruling after the ruling")
	}
	for p, button := range map[string]string{"bob": `id="confirm-1"`, "auditor": `id="confirm-1"`} {
		if !strings.Contains(web[p].page(casePage), button) {
			t.Fatalf("%s is not asked to confirm delivery 1", p)
		}
		web[p].post(casePage, casePage+"/act", url.Values{"type": {"confirm"}, "delivery": {"1"}})
	}
	bob := web["bob"].page(casePage)
	web["bob"].post(casePage, casePage+"/act", url.Values{"type": {"deliver"}, "phase": {"1"}, "obligation": {"1"}, "quantity": {match(regexp.MustCompile(`id="qty-1-1" name="quantity" type="number" min="0" value="(\d+)"`), bob)}})
	web["alice"].post(casePage, casePage+"/act", url.Values{"type": {"confirm"}, "delivery": {"2"}})
	c.waitState("completed", 15*time.Second)

	med := web["mediator"].page(casePage)
	if n := strings.Count(med, `id="h-an"`); n != 1 {
		t.Errorf("the mediator's page has %d analysis sections", n)
	}
	for _, want := range []string{"state-completed", "Implementation dashboard", "Signed tree head", `/export"`, `&#34;strength&#34;:0.37`} {
		if !strings.Contains(med, want) {
			t.Errorf("the mediator's page lacks %q", want)
		}
	}
	for _, path := range []string{"/plane.svg", "/exposure.svg"} {
		if body := web["mediator"].page(casePage + path); !strings.HasPrefix(body, "<svg") && !strings.HasPrefix(body, "<?xml") {
			t.Errorf("%s is not SVG: %.80s", path, body)
		}
	}
	if body := web["mediator"].page(casePage + "/export"); !strings.Contains(body, c.id) {
		t.Errorf("the export does not name the case: %.200s", body)
	}
	for _, p := range []string{"alice", "bob", "press"} {
		for _, path := range []string{"/plane.svg", "/exposure.svg", "/export"} {
			if code, _ := web[p].get(casePage + path); code != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", p, path, code)
			}
		}
	}
	assertPagesConfidential(t, c, web, casePage)
}

// assertPagesConfidential checks each participant's page against the API's
// own view: no event another participant may see but this one may not
// shows on its page, in any form, and a party's profile shows only on its
// own page.
func assertPagesConfidential(t *testing.T, c *liveCaseT, web map[string]*webClient, casePage string) {
	t.Helper()
	all := c.events("mediator")
	pages := map[string]string{}
	for who, w := range web {
		pages[who] = w.page(casePage)
	}
	for _, who := range []string{"alice", "bob", "auditor", "press"} {
		seen := map[int64]bool{}
		for _, e := range c.events(who) {
			seen[e.Seq] = true
		}
		hidden := 0
		for _, e := range all {
			if seen[e.Seq] || len(e.Body) < 8 {
				continue
			}
			hidden++
			if strings.Contains(pages[who], html.EscapeString(string(e.Body))) {
				t.Errorf("%s's page shows event %v, which is not for it", who, e)
			}
		}
		if hidden == 0 {
			t.Errorf("%s may see every event: the check proves nothing", who)
		}
		if !strings.Contains(pages[who], "state-completed") {
			t.Errorf("%s's page does not show the case completed", who)
		}
	}
	profile := regexp.MustCompile(`(?s)<section aria-labelledby="h-profile".*?</section>`)
	for _, p := range []string{"alice", "bob"} {
		own := profile.FindString(pages[p])
		if own == "" {
			t.Fatalf("%s's page has no profile", p)
		}
		for _, other := range []string{"alice", "bob", "auditor", "press"} {
			if other != p && strings.Contains(pages[other], own) {
				t.Errorf("%s's page shows %s's profile", other, p)
			}
		}
	}
	if strings.Contains(pages["alice"], "&#34;strength&#34;:0.37") {
		t.Error("alice's page shows bob's objection strength")
	}
}

func formRequest(body string) *http.Request {
	r, _ := http.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// TestForms checks that each form becomes the API request it stands for,
// and that a malformed one is refused with a message naming the field.
func TestForms(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		parse      func(*http.Request) (any, error)
		want       string // the request as JSON, or the error
	}{
		{"accept", "question=4&kind=accept", answerForm, `{"question":4,"kind":"accept"}`},
		{"confide", "question=1&kind=confide&level=weights", answerForm, `{"question":1,"kind":"confide","level":"weights"}`},
		{"object", "question=2&kind=object&want%3Aprice=low%7C-1&strength%3Aprice=0.4&want%3Aterms=", answerForm,
			`{"question":2,"kind":"object","objections":[{"direction":-1,"issue":"price","strength":0.4,"want":"low"}]}`},
		{"counter", "question=3&kind=counter&issue%3Aprice=mid", answerForm, `{"question":3,"kind":"counter","outcome":{"price":"mid"}}`},
		{"no question", "kind=accept", answerForm, "question: not a number"},
		{"empty objection", "question=2&kind=object", answerForm, "an objection names at least one issue and the value wanted instead"},
		{"bad strength", "question=2&kind=object&want%3Aprice=low%7C-1&strength%3Aprice=much", answerForm, "strength:price: not a number"},
		{"bad want", "question=2&kind=object&want%3Aprice=low", answerForm, "want:price: want a value and a direction"},
		{"deliver", "type=deliver&phase=1&obligation=0&quantity=3", actionForm, `{"type":"deliver","phase":1,"quantity":3}`},
		{"list", "type=submit_list&phase=2&list=1&items=a%0A%0A+b+%0A", actionForm, `{"type":"submit_list","phase":2,"list":1,"items":["a","b"]}`},
		{"breach", "type=report_breach&accused=bob&phase=1&obligation=1&evidence=late", actionForm,
			`{"type":"report_breach","accused":"bob","subject":{"phase":1,"obligation":1},"evidence":{"text":"late","at":"0s"}}`},
		{"rule breach", "type=report_breach&accused=bob&phase=0&obligation=2&evidence=x", actionForm,
			`{"type":"report_breach","accused":"bob","subject":{"rule":2},"evidence":{"text":"x","at":"0s"}}`},
		{"ruling", "type=rule&breach=1&verdict=minor&cure_by=2h&reason=r", actionForm,
			`{"type":"rule","reason":"r","breach":1,"verdict":"minor","cure_by":"2h0m0s"}`},
		{"bad cure", "type=rule&breach=1&verdict=minor&cure_by=soon", actionForm, `cure_by: want a duration such as 2h, got "soon"`},
		{"bad number", "type=confirm&delivery=first", actionForm, "delivery: not a number"},
		{"sign", "public_key=AAE%3D&signature=AgM%3D", signForm, `{"public_key":"AAE=","signature":"AgM="}`},
		{"bad key", "public_key=%25%25&signature=AgM%3D", signForm, "public_key: not base64"},
		{"draft to all", "issue%3Aprice=low&issue%3Acount=1&csrf=x", draftForm, `{"outcome":{"count":"1","price":"low"},"parties":null}`},
		{"draft to some", "issue%3Aprice=low&parties=chosen&party=alice&party=carol", draftForm, `{"outcome":{"price":"low"},"parties":["alice","carol"]}`},
		{"draft to none ticked", "issue%3Aprice=low&parties=chosen", draftForm, `{"outcome":{"price":"low"},"parties":[]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := tc.parse(formRequest(tc.body))
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// FuzzForms feeds arbitrary bodies to the form parsers: each returns a
// request or an error, never a panic.
func FuzzForms(f *testing.F) {
	for _, s := range []string{"question=1&kind=object&want%3Aa=b%7C1&strength%3Aa=1", "type=rule&cure_by=1h", "type=report_breach&phase=0", "public_key=&signature="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, parse := range []func(*http.Request) (any, error){answerForm, actionForm, signForm, draftForm} {
			if v, err := parse(formRequest(body)); err == nil && v == nil {
				t.Fatal("no request and no error")
			}
		}
	})
}
