package strategy

import (
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"

	"github.com/shuttle-mediation/shuttle/negotiate/negotest"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// bruteMax is the best utility of a feasible outcome, by enumeration.
func bruteMax(p *utility.Profile) (float64, bool) {
	d := p.Domain
	n, _ := d.Count64()
	o := d.NewOutcome()
	best, found := 0.0, false
	for idx := range n {
		d.Decode(idx, o)
		if p.Feasible(o) && (!found || p.Utility(o) > best) {
			best, found = p.Utility(o), true
		}
	}
	return best, found
}

// hyper draws a random hyperrectangle profile over d.
func hyper(r *rand.Rand, d *space.Domain) *utility.Profile {
	h := &utility.Hyper{Max: 1}
	for range 1 + r.IntN(6) {
		var rect utility.Rect
		rect.Utility = r.Float64()
		for i := range d.Issues {
			if r.IntN(2) == 0 {
				continue
			}
			lo := r.IntN(d.Issues[i].Size())
			hi := lo + r.IntN(d.Issues[i].Size()-lo)
			rect.Issues, rect.Lo, rect.Hi = append(rect.Issues, i), append(rect.Lo, lo), append(rect.Hi, hi)
		}
		h.Rects = append(h.Rects, rect)
	}
	return &utility.Profile{Name: "hyper", Domain: d, Func: h, Discount: 1}
}

// The search near a target finds the best utility exactly, and for any
// target it can reach an outcome worth at least that, feasible, starting
// from any reference; it never enumerates an additive profile.
func TestNearTarget(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 0))
		d := negotest.Domain(r, 4, 5)
		p := negotest.Profile(r, d, "p", 0, rapid.Bool().Draw(t, "constrained"))
		if rapid.Bool().Draw(t, "nonlinear") {
			p = hyper(r, d)
		}
		tab := newTable(p)
		if p.Additive() != nil && tab.sorted != nil {
			t.Fatal("an additive profile was enumerated")
		}
		want, ok := bruteMax(p)
		if !ok {
			t.Skip("no feasible outcome")
		}
		if tab.max < want-eps || tab.max > want+eps || !p.Feasible(tab.best) {
			t.Fatalf("best %v worth %g, feasible %v; enumeration finds %g", tab.best, tab.max, p.Feasible(tab.best), want)
		}
		target := rapid.Float64Range(0, want).Draw(t, "target")
		ref := d.NewOutcome()
		d.Random(r, ref)
		x := d.NewOutcome()
		tab.near(x, target, ref)
		if u := p.Utility(x); u < target-eps || !p.Feasible(x) {
			t.Fatalf("near(%g, %v) = %v worth %g, feasible %v", target, ref, x, u, p.Feasible(x))
		}
	})
}

// Objections name the issues whose change would lift a text to the aim,
// with the utility each change would gain.
func TestObjectionsReachAim(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 0))
		d := negotest.Domain(r, 4, 5)
		prof := negotest.Profile(r, d, "p", 0, rapid.Bool().Draw(t, "constrained"))
		p, err := NewParty(PartyConfig{Profile: prof})
		if err != nil {
			t.Fatal(err)
		}
		x := d.NewOutcome()
		d.Random(r, x)
		aim := rapid.Float64Range(0, p.tab.max).Draw(t, "aim")
		obj := p.Objections(x, aim)
		y := x.Clone()
		for _, o := range obj {
			if o.Strength < 1 {
				// Strength 1 is for hard constraints: gains are capped below.
				if g := min(p.tab.gain(y, 0, o.Issue, o.Want), 1-1e-6); g < o.Strength-eps || g > o.Strength+eps {
					t.Fatalf("objection %+v: the change gains %g", o, g)
				}
			}
			if o.Direction != sign(o.Want-x[o.Issue]) {
				t.Fatalf("objection %+v points the wrong way from %d", o, x[o.Issue])
			}
			y[o.Issue] = o.Want
		}
		if u := prof.Utility(y); prof.Feasible(x) && prof.Utility(x) < aim-eps && u < aim-eps && u < p.tab.max-eps {
			t.Fatalf("objections %+v lift %v only to %g, aim %g", obj, x, u, aim)
		}
	})
}
