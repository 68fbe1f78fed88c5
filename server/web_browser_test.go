package server

import (
	"context"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shuttle-mediation/shuttle/deal"
)

// browser starts a headless Chromium for the test, or skips the test if
// there is none.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium on PATH: the browser test needs Debian's chromium package (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	b, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(b); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

// artefacts is where the test saves its screenshots: $SHUTTLE_ARTIFACTS if
// set, else a temporary directory named in the log.
func artefacts(t *testing.T) string {
	dir := os.Getenv("SHUTTLE_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	dir = filepath.Join(dir, t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// TestWebBrowser has a mediator and two parties, each in its own browser
// context, take a case from invitation to a signed agreement and through
// its one implementation phase, with the pages updating live; it saves a
// screenshot of each page.
func TestWebBrowser(t *testing.T) {
	b := browser(t)
	shots := artefacts(t)
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	var created struct{ ID string }
	ts.must(201, ts.admin, "POST", "/v1/cases?humans=alice,bob", readTestdata(t, "three.yaml"), &created)
	c := &liveCaseT{ts: ts, id: created.ID, tokens: map[string]string{"mediator": ts.admin}}
	casePage := ts.url + "/ui/cases/" + c.id

	tab := func() context.Context {
		ctx, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		// The first action opens the tab, tied to the context it is given:
		// not a step's, which ends with the step.
		if err := chromedp.Do(ctx); err != nil {
			t.Fatalf("open a tab: %v", err)
		}
		return ctx
	}
	run := func(ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		step, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		err := chromedp.Do(step, actions...)
		// A live update may replace the page between finding a node and
		// clicking it, which a person never notices: find it again.
		for tries := 0; err != nil && strings.Contains(err.Error(), "node with given id") && tries < 3; tries++ {
			err = chromedp.Do(step, actions...)
		}
		if err != nil {
			// The page as it was helps more than the timeout.
			late, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if html, err := chromedp.Run(late, chromedp.OuterHTML(chromedp.CSS("body"))); err == nil {
				t.Logf("the page when %q failed:\n%s", what, html)
			}
			t.Fatalf("%s: %v", what, err)
		}
	}
	shot := func(ctx context.Context, name string) {
		t.Helper()
		png := get(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	has := func(ctx context.Context, sel string) bool {
		t.Helper()
		return get(t, ctx, "look for "+sel, chromedp.Evaluate[bool](`document.querySelector(`+jsString(sel)+`) !== null`))
	}

	med := tab()
	run(med, "mediator signs in", chromedp.Navigate(ts.url+"/ui/join?token="+url.QueryEscape(ts.admin)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/ui/cases/`+c.id+`"]`)))
	run(med, "open the case", chromedp.Click(chromedp.CSS(`a[href="/ui/cases/`+c.id+`"]`)), chromedp.WaitVisible(chromedp.CSS("#invite")))
	links := map[string]string{}
	linkRe := regexp.MustCompile(`https?://\S+/ui/join\?token=\S+`)
	for _, inv := range [][2]string{{"alice", "party"}, {"bob", "party"}, {"auditor", "verifier"}} {
		run(med, "invite "+inv[0], chromedp.SetValue(chromedp.CSS("#inv-name"), inv[0]), chromedp.SetValue(chromedp.CSS("#inv-role"), inv[1]),
			chromedp.Click(chromedp.CSS("#invite")), chromedp.WaitVisible(chromedp.CSS(".notice")))
		notice := get(t, med, "read the link", chromedp.Text(chromedp.CSS(".notice")))
		run(med, "back to the case", chromedp.Navigate(casePage), chromedp.WaitVisible(chromedp.CSS("#invite")))
		links[inv[0]] = linkRe.FindString(notice)
		if links[inv[0]] == "" {
			t.Fatalf("no invitation link in %q", notice)
		}
	}
	parties := map[string]context.Context{"alice": tab(), "bob": tab()}
	for p, ctx := range parties {
		run(ctx, p+" joins", chromedp.Navigate(links[p]), chromedp.WaitVisible(chromedp.CSS("#live")))
	}
	auditor := newWebClient(t, ts.url)
	auditor.page(strings.TrimPrefix(links["auditor"], ts.url))
	shot(parties["alice"], "party-before-start")

	// The parties' pages are open before the case starts: the first
	// question reaches them live.
	run(med, "start", chromedp.Click(chromedp.CSS("#start")), chromedp.WaitVisible(chromedp.CSS(".state-negotiating")))
	for p, ctx := range parties {
		run(ctx, p+" sees the question", chromedp.WaitVisible(chromedp.CSS("#confide")))
	}
	shot(parties["alice"], "party-confide")
	run(parties["alice"], "alice confides", chromedp.Click(chromedp.CSS("#confide")), chromedp.WaitVisible(chromedp.CSS("#live")))
	// Bob edits his profile on a phone-sized screen, which it must fit,
	// and confides that.
	bob := parties["bob"]
	run(bob, "phone width", chromedp.EmulateViewport(390, 844))
	if !get(t, bob, "measure the page", chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`)) {
		t.Error("the confide form is wider than a phone's screen")
	}
	shot(bob, "party-confide-phone")
	run(bob, "bob edits his profile", chromedp.SetValue(chromedp.CSS("#cw-1"), "0.9"), chromedp.Click(chromedp.CSS(`input[name="allow:price"][value="high"]`)),
		chromedp.Click(chromedp.CSS("#confide-profile")), chromedp.WaitNotPresent(chromedp.CSS("#confide-form")), chromedp.EmulateViewport(1280, 900))
	var bobConfided string
	for _, e := range c.events("mediator") {
		if e.Kind == "negotiate.confide" && e.From == "bob" {
			bobConfided = string(e.Body)
		}
	}
	if !strings.Contains(bobConfided, `"allowed":["low","mid"]`) {
		t.Errorf("bob's edited profile was not confided: %s", bobConfided)
	}

	// The mediator drafts the next text for alice and bob: values picked
	// in the form (marked as changed, as a person's picks are, so that a
	// live update keeps them), carol left out.
	run(med, "the console offers a draft", chromedp.WaitVisible(chromedp.CSS("#send-draft")))
	get(t, med, "the mediator picks values", chromedp.Evaluate[bool](`Object.entries({price: 'low', count: '1', terms: 'net30'}).every(([k, v]) => {
		const s = document.getElementById('draft-' + k);
		s.value = v;
		return s.dispatchEvent(new Event('change', {bubbles: true}));
	})`))
	run(med, "the mediator sends the draft", chromedp.Click(chromedp.CSS("#draft-to-carol")), chromedp.Click(chromedp.CSS("#send-draft")),
		chromedp.WaitVisible(chromedp.CSS("#queued-draft")))
	shot(med, "mediator-draft")

	objected := false
	deadline := time.Now().Add(40 * time.Second)
	for !has(med, ".state-signing") {
		if time.Now().After(deadline) {
			t.Fatal("the negotiation did not reach signing")
		}
		for p, ctx := range parties {
			if !has(ctx, "#accept") {
				continue
			}
			if p == "bob" && !objected {
				shot(ctx, "party-text")
				want := get(t, ctx, "bob picks a value", chromedp.Evaluate[string](`document.querySelector('#object-form').closest('details').open = true, document.querySelector('#want-price option:nth-child(2)').value`))
				run(ctx, "bob objects",
					chromedp.SetValue(chromedp.CSS("#want-price"), want), chromedp.SetValue(chromedp.CSS("#strength-price"), "0.37"),
					chromedp.Click(chromedp.CSS("#object")), chromedp.WaitVisible(chromedp.CSS("#live")))
				objected = true
				continue
			}
			run(ctx, p+" accepts", chromedp.Click(chromedp.CSS("#accept")), chromedp.WaitVisible(chromedp.CSS("#live")))
		}
		time.Sleep(50 * time.Millisecond)
	}
	shot(med, "mediator-signing")
	drafted := false
	for r := 1; r <= 30 && !drafted; r++ {
		texts := c.textsOf(r)
		drafted = maps.Equal(texts["alice"], dominatedA) && maps.Equal(texts["bob"], dominatedA) && !maps.Equal(texts["carol"], dominatedA)
	}
	if !drafted {
		t.Errorf("no round put the mediator's draft %v to alice and bob and the strategy's text to carol: rounds 1-3 %v; %v; %v",
			dominatedA, c.textsOf(1), c.textsOf(2), c.textsOf(3))
	}

	// Each party makes a key in its browser and signs there.
	for p, ctx := range parties {
		run(ctx, p+" signs", chromedp.WaitVisible(chromedp.CSS("#keygen")), chromedp.Click(chromedp.CSS("#keygen")))
	}
	c.waitState(stateImplementing, 10*time.Second)
	run(parties["alice"], "alice sees the implementation", chromedp.WaitVisible(chromedp.CSS("#deliver-1-0")))
	shot(parties["alice"], "party-implementation")
	// A click can miss when a live update moves the button between
	// chromedp measuring it and pressing it, as a person's can when a page
	// shifts under the pointer: the step is clicked again until the log
	// has it, and a retry is reported.
	press := func(ctx context.Context, what, sel, kind, from string) {
		t.Helper()
		for try := 1; ; try++ {
			run(ctx, what, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if slices.ContainsFunc(c.events("mediator"), func(e eventJSON) bool { return e.Kind == kind && e.From == from }) {
					return
				}
			}
			if try == 3 {
				t.Fatalf("%s: no %s from %s in the log after %d clicks", what, kind, from, try)
			}
			t.Logf("%s: the click did not reach the server; clicking again", what)
		}
	}
	press(parties["alice"], "alice delivers", "#deliver-1-0", deal.KindDelivered, "alice")
	press(parties["bob"], "bob confirms", "#confirm-1", deal.KindConfirmed, "bob")
	auditor.post("/ui/cases/"+c.id, "/ui/cases/"+c.id+"/act", url.Values{"type": {"confirm"}, "delivery": {"1"}})
	press(parties["bob"], "bob pays", "#deliver-1-1", deal.KindDelivered, "bob")
	press(parties["alice"], "alice confirms", "#confirm-2", deal.KindConfirmed, "alice")
	run(med, "the console shows the phase completed", chromedp.WaitVisible(chromedp.CSS(".state-completed")))
	shot(med, "mediator-completed")
	shot(parties["bob"], "party-completed")
	run(parties["bob"], "phone width", chromedp.EmulateViewport(390, 844))
	shot(parties["bob"], "party-phone")
	run(med, "phone width", chromedp.EmulateViewport(390, 844))
	shot(med, "mediator-phone")

	alice := get(t, parties["alice"], "alice's page", chromedp.OuterHTML(chromedp.CSS("html")))
	medHTML := get(t, med, "mediator's page", chromedp.OuterHTML(chromedp.CSS("html")))
	if !strings.Contains(medHTML, "&#34;strength&#34;:0.37") && !strings.Contains(medHTML, `"strength":0.37`) {
		t.Error("the mediator's page does not show bob's objection")
	}
	if strings.Contains(alice, `"strength":0.37`) || strings.Contains(alice, "&#34;strength&#34;:0.37") {
		t.Error("alice's page shows bob's objection")
	}
	for _, line := range strings.Split(alice, "\n") {
		if strings.Contains(line, "negotiate.") && strings.Contains(line, "from <strong>bob</strong>") {
			t.Errorf("alice's page shows bob's negotiation message: %s", line)
		}
	}
}

// get runs one action that yields a value, within 20 seconds.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(step, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
