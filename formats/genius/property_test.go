package genius

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
	"pgregory.net/rapid"
)

// label draws names and values with the characters GENIUS files hold and
// those XML must escape.
var label = rapid.StringOfN(rapid.SampledFrom([]rune("ab Z0,'\"&<>=+%é€\t\n\r-")), 1, 8, -1)

func drawDomain(t *rapid.T, integersOnly bool) *space.Domain {
	n := rapid.IntRange(1, 4).Draw(t, "issues")
	names := rapid.SliceOfNDistinct(label, n, n, rapid.ID[string]).Draw(t, "names")
	d := &space.Domain{Name: label.Draw(t, "domain")}
	for _, name := range names {
		is := space.Issue{Name: name}
		kind := space.Integer
		if !integersOnly {
			kind = rapid.SampledFrom([]space.Kind{space.Discrete, space.Integer, space.Real}).Draw(t, "kind")
		}
		is.Kind = kind
		switch kind {
		case space.Discrete:
			k := rapid.IntRange(1, 5).Draw(t, "values")
			is.Values = rapid.SliceOfNDistinct(rapid.StringOfN(rapid.SampledFrom([]rune("xy '\"&<é")), 0, 4, -1), k, k, rapid.ID[string]).Draw(t, "labels")
		case space.Integer:
			is.Min = rapid.Int64Range(-50, 50).Draw(t, "min")
			is.Max = is.Min + rapid.Int64Range(0, 12).Draw(t, "span")
		case space.Real:
			is.Lo = rapid.Float64Range(-100, 100).Draw(t, "lo")
			// Tables over a narrow range are steep lines that GENIUS's
			// a + b*x cannot reproduce to 1e-12; WriteProfile refuses them.
			is.Hi = is.Lo + rapid.SampledFrom([]float64{0, 1}).Draw(t, "zero width")*rapid.Float64Range(1, 100).Draw(t, "width")
			is.Steps = rapid.SampledFrom([]int{2, 5, 17, space.DefaultRealSteps}).Draw(t, "steps")
		}
		d.Issues = append(d.Issues, is)
	}
	return d
}

func drawAdditive(t *rapid.T, d *space.Domain) *utility.Profile {
	unit := rapid.Float64Range(0, 1)
	a := &utility.Additive{
		Weights: make([]float64, len(d.Issues)),
		Evals:   make([][]float64, len(d.Issues)),
		Shapes:  make([]*utility.Shape, len(d.Issues)),
	}
	for i := range d.Issues {
		is := &d.Issues[i]
		a.Weights[i] = rapid.SampledFrom([]float64{0, 1}).Draw(t, "weight") * rapid.Float64Range(1e-3, 1).Draw(t, "w")
		switch {
		case is.Kind == space.Discrete:
			scale := rapid.SampledFrom([]float64{0, 1e-7, 0.5, 1}).Draw(t, "scale")
			a.Evals[i] = rapid.SliceOfN(unit, is.Size(), is.Size()).Draw(t, "evals")
			for v := range a.Evals[i] {
				a.Evals[i][v] *= scale
			}
		case rapid.Bool().Draw(t, "tabulated"):
			// A linear table with no shape, as other formats give.
			lo, hi := unit.Draw(t, "at lowest"), unit.Draw(t, "at highest")
			ev := make([]float64, is.Size())
			for v := range ev {
				f := 0.0
				if is.Size() > 1 {
					f = float64(v) / float64(is.Size()-1)
				}
				ev[v] = lo + (hi-lo)*f
			}
			if is.Kind == space.Real && is.Hi == is.Lo {
				for v := range ev {
					ev[v] = lo
				}
			}
			a.Evals[i] = ev
		case is.Kind == space.Real && rapid.Bool().Draw(t, "triangle"):
			low := is.Lo + rapid.Float64Range(-10, 10).Draw(t, "low")
			high := low + rapid.Float64Range(1e-3, 150).Draw(t, "base")
			a.Shapes[i] = &utility.Shape{Kind: "triangular", Low: low, High: high, Peak: low + (high-low)*rapid.Float64Range(0, 0.99).Draw(t, "peak")}
		default:
			a.Shapes[i] = &utility.Shape{Kind: "linear", Offset: rapid.Float64Range(-1, 2).Draw(t, "offset"),
				Slope: rapid.Float64Range(-0.2, 0.2).Draw(t, "slope"), Lower: rapid.Float64Range(-60, 60).Draw(t, "lower"), Clamp: true}
		}
	}
	if a.Weights[0] == 0 {
		a.Weights[0] = 0.5
	}
	a.FromShapes(d)
	return &utility.Profile{Name: "p", Domain: d, Func: a,
		Reservation: unit.Draw(t, "reservation"), Discount: rapid.Float64Range(1e-3, 1).Draw(t, "discount")}
}

func drawHyper(t *rapid.T, d *space.Domain) *utility.Profile {
	h := &utility.Hyper{Max: rapid.Float64Range(1, 100).Draw(t, "max")}
	for range rapid.IntRange(0, 6).Draw(t, "rects") {
		r := utility.Rect{Utility: rapid.Float64Range(0, 60).Draw(t, "utility")}
		for i := range d.Issues {
			if rapid.Bool().Draw(t, "bound") {
				lo := rapid.IntRange(0, d.Issues[i].Size()-1).Draw(t, "lo")
				r.Issues = append(r.Issues, i)
				r.Lo = append(r.Lo, lo)
				r.Hi = append(r.Hi, rapid.IntRange(lo, d.Issues[i].Size()-1).Draw(t, "hi"))
			}
		}
		h.Rects = append(h.Rects, r)
	}
	return &utility.Profile{Name: "p", Domain: d, Func: h, Reservation: 0.5, Discount: 1}
}

// TestRoundTripProperty writes random domains and profiles and reads them
// back: same issues, and the same utility for every outcome.
func TestRoundTripProperty(t *testing.T) {
	dir := t.TempDir()
	rapid.Check(t, func(t *rapid.T) {
		nonlinear := rapid.Bool().Draw(t, "nonlinear")
		d := drawDomain(t, nonlinear)
		p := drawAdditive(t, d)
		if nonlinear {
			p = drawHyper(t, d)
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("generated an invalid profile: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteDomain(&buf, d); err != nil {
			t.Fatal(err)
		}
		back, err := ReadDomain(writeFile(t, dir, "domain.xml", buf.String()))
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.String())
		}
		if !reflect.DeepEqual(back.Issues, d.Issues) {
			t.Fatalf("issues %+v read back as %+v", d.Issues, back.Issues)
		}
		buf.Reset()
		if err := WriteProfile(&buf, p); err != nil {
			t.Fatal(err)
		}
		q, err := ReadProfile(writeFile(t, dir, "p.xml", buf.String()), back)
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.String())
		}
		if q.Reservation != p.Reservation || q.Discount != p.Discount {
			t.Fatalf("reservation %g, discount %g read back as %g, %g", p.Reservation, p.Discount, q.Reservation, q.Discount)
		}
		o := d.NewOutcome()
		for {
			if u, v := p.Utility(o), q.Utility(o); u-v > 1e-12 || v-u > 1e-12 {
				t.Fatalf("%s: utility %.17g read back as %.17g\n%s", d.Format(o), u, v, buf.String())
			}
			if !d.Next(o) {
				break
			}
		}
	})
}
