package geniusweb

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// maxEnumerate is the largest space compared outcome by outcome; larger
// spaces are compared on a fixed sample of this many outcomes.
const maxEnumerate = 1_000_000

// forOutcomes calls f on every outcome of d, or on a reproducible sample
// when there are more than maxEnumerate.
func forOutcomes(d *space.Domain, f func(space.Outcome)) {
	o := d.NewOutcome()
	if n, ok := d.Count64(); ok && n <= maxEnumerate {
		for {
			f(o)
			if !d.Next(o) {
				return
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range maxEnumerate / 10 {
		d.Random(r, o)
		f(o)
	}
}

// tb is what roundTrip needs of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// roundTrip writes p (with its reservation bid) and reads it back, alone
// and against its own domain, checking the utility of every outcome.
func roundTrip(t tb, p *utility.Profile, bid Bid) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteProfile(&buf, p, bid); err != nil {
		t.Fatalf("write %s: %v", p.Name, err)
	}
	doc, err := parseDoc("written.json", buf.Bytes())
	if err != nil {
		t.Fatalf("parse written %s: %v\n%s", p.Name, err, buf.String())
	}
	q, qbid, err := doc.profile(nil, "")
	if err != nil {
		t.Fatalf("read back %s: %v\n%s", p.Name, err, buf.String())
	}
	// A real issue written as a value list makes the file's domain another
	// one; otherwise the file must fit the profile's own domain.
	if _, _, err := doc.profile(p.Domain, ""); (err == nil) == realAsLabels(p.Domain) {
		t.Fatalf("read back %s against its own domain: error %v, real issues written as labels: %v", p.Name, err, realAsLabels(p.Domain))
	}
	if q.Name != p.Name {
		t.Errorf("name %q, want %q", q.Name, p.Name)
	}
	if len(q.Domain.Issues) != len(p.Domain.Issues) || q.Domain.Name != p.Domain.Name {
		t.Fatalf("domain %s with %d issues, want %s with %d", q.Domain.Name, len(q.Domain.Issues), p.Domain.Name, len(p.Domain.Issues))
	}
	if !bidsEqual(qbid, bid) {
		t.Errorf("reservation bid %v, want %v", qbid, bid)
	}
	wantRes := p.Reservation
	if bid == nil {
		wantRes = 0
	}
	if math.Abs(q.Reservation-wantRes) > 1e-12 {
		t.Errorf("reservation %v, want %v", q.Reservation, wantRes)
	}
	bad := 0
	forOutcomes(p.Domain, func(o space.Outcome) {
		if u, v := p.Utility(o), q.Utility(o); math.Abs(u-v) > 1e-12 && bad < 5 {
			bad++
			t.Errorf("%s: utility of %s is %v, read back %v", p.Name, p.Domain.Format(o), u, v)
		}
	})
}

// realAsLabels reports whether WriteDomain turns one of d's real issues
// into a value list, so that the written profile is over another domain.
func realAsLabels(d *space.Domain) bool {
	for i := range d.Issues {
		if _, ok := gridOf(&d.Issues[i]); d.Issues[i].Kind == space.Real && !ok {
			return true
		}
	}
	return false
}

func bidsEqual(a, b Bid) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkOneLine fails unless err is a one-line *shuttle.Error with code.
func checkOneLine(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var e *shuttle.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *shuttle.Error", err)
	}
	if e.Code != code {
		t.Errorf("code %s, want %s (%v)", e.Code, code, err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err.Error())
	}
}
