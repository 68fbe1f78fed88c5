package geniusweb

import (
	"bytes"
	"math/big"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
	"pgregory.net/rapid"
)

// genIssue draws an issue of any kind, including real issues whose points
// are a decimal lattice (written as ranges) and ones whose are not (written
// as value lists).
func genIssue(t *rapid.T, name string) space.Issue {
	is := space.Issue{Name: name}
	switch rapid.IntRange(0, 3).Draw(t, "kind") {
	case 0:
		is.Values = rapid.SliceOfNDistinct(rapid.String(), 1, 5, rapid.ID[string]).Draw(t, "values")
	case 1:
		is.Kind = space.Integer
		is.Min = rapid.Int64Range(-1000, 1000).Draw(t, "min")
		is.Max = is.Min + rapid.Int64Range(0, 5).Draw(t, "span")
	case 2:
		scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(rapid.Int64Range(0, 3).Draw(t, "digits")), nil))
		lo := new(big.Rat).Quo(big.NewRat(rapid.Int64Range(-1000, 1000).Draw(t, "low"), 1), scale)
		step := new(big.Rat).Quo(big.NewRat(rapid.Int64Range(1, 500).Draw(t, "step"), 1), scale)
		is.Kind, is.Steps = space.Real, rapid.IntRange(2, 6).Draw(t, "steps")
		hi := new(big.Rat).Mul(step, big.NewRat(int64(is.Steps-1), 1))
		is.Lo, _ = lo.Float64()
		is.Hi, _ = hi.Add(hi, lo).Float64()
	default:
		is.Kind, is.Steps = space.Real, rapid.IntRange(2, 6).Draw(t, "steps")
		is.Lo = rapid.Float64Range(-10, 10).Draw(t, "lo")
		is.Hi = is.Lo + rapid.Float64Range(1e-3, 10).Draw(t, "width")
	}
	return is
}

// genEvals draws an issue's evaluations in a form WriteProfile can write:
// any table for value lists; for ranges a GeniusWeb line (evaluated at the
// exact points, as the reader does) or a linear table.
func genEvals(t *rapid.T, is *space.Issue) ([]float64, *utility.Shape) {
	unit := rapid.Float64Range(0, 1)
	g, ok := gridOf(is)
	if !ok {
		return rapid.SliceOfN(unit, is.Size(), is.Size()).Draw(t, "evals"), nil
	}
	lo, hi := g.float(0), g.float(g.n-1)
	s := &utility.Shape{Kind: "interpolate", Low: lo, High: hi, LowUtility: unit.Draw(t, "lowUtility"), HighUtility: unit.Draw(t, "highUtility")}
	keep := rapid.Bool().Draw(t, "keepShape")
	if keep {
		// A line over part of the range (0 outside it), or beyond it.
		a := rapid.Float64Range(lo-1, hi+1).Draw(t, "a")
		b := rapid.Float64Range(lo-1, hi+1).Draw(t, "b")
		s.Low, s.High = min(a, b), max(a, b)
	}
	evals := make([]float64, g.n)
	for k := range evals {
		evals[k] = s.Eval(g.float(k))
	}
	if !keep {
		s = nil
	}
	return evals, s
}

func genProfile(t *rapid.T) (*utility.Profile, Bid) {
	names := rapid.SliceOfNDistinct(rapid.StringN(1, 8, -1), 1, 5, rapid.ID[string]).Draw(t, "issues")
	d := &space.Domain{Name: rapid.String().Draw(t, "domain")}
	for _, name := range names {
		d.Issues = append(d.Issues, genIssue(t, name))
	}
	a := &utility.Additive{Shapes: make([]*utility.Shape, len(d.Issues))}
	for i := range d.Issues {
		evals, s := genEvals(t, &d.Issues[i])
		a.Evals = append(a.Evals, evals)
		a.Shapes[i] = s
		a.Weights = append(a.Weights, rapid.Float64Range(0, 1).Draw(t, "weight"))
	}
	a.Weights[0] += 1e-3 // not all zero
	p := &utility.Profile{Name: rapid.String().Draw(t, "name"), Domain: d, Func: a, Discount: 1}
	if rapid.Bool().Draw(t, "noBid") {
		return p, nil
	}
	bid := make(Bid, len(d.Issues))
	for i := range bid {
		bid[i] = rapid.IntRange(Absent, d.Issues[i].Size()-1).Draw(t, "bid")
	}
	p.Reservation = bidUtility(a, bid)
	return p, bid
}

// TestWriteReadProperty writes random profiles and reads them back: every
// outcome keeps its utility, and the domain written alone reads back as the
// domain embedded in the profile.
func TestWriteReadProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p, bid := genProfile(t)
		if err := p.Validate(); err != nil {
			t.Fatalf("generator made an invalid profile: %v", err)
		}
		roundTrip(t, p, bid)

		var buf bytes.Buffer
		if err := WriteDomain(&buf, p.Domain); err != nil {
			t.Fatal(err)
		}
		doc, err := parseDoc("domain.json", buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		d, err := doc.domain(doc.root)
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.String())
		}
		if d.Name != p.Domain.Name || len(d.Issues) != len(p.Domain.Issues) {
			t.Fatalf("domain %q of %d issues read back as %q of %d", p.Domain.Name, len(p.Domain.Issues), d.Name, len(d.Issues))
		}
		for i := range d.Issues {
			want, got := &p.Domain.Issues[i], &d.Issues[i]
			if _, ok := gridOf(want); want.Kind == space.Real && !ok {
				// Written as the list of its labels.
				labels := make([]string, want.Size())
				for v := range labels {
					labels[v] = want.Label(v)
				}
				want = &space.Issue{Name: want.Name, Values: labels}
			}
			if got.Name != want.Name || !sameIssue(want, got) {
				t.Fatalf("issue %+v read back as %+v", *want, *got)
			}
		}
	})
}

// TestWriteRefused checks what has no GeniusWeb form.
func TestWriteRefused(t *testing.T) {
	d := &space.Domain{Name: "d", Issues: []space.Issue{{Name: "n", Kind: space.Integer, Min: 0, Max: 2}}}
	additive := func(evals ...float64) *utility.Additive {
		return &utility.Additive{Weights: []float64{1}, Evals: [][]float64{evals}, Shapes: []*utility.Shape{nil}}
	}
	tests := []struct {
		name string
		p    *utility.Profile
		bid  Bid
		code string
		want string
	}{
		{"not linear", &utility.Profile{Name: "p", Domain: d, Func: additive(0, 1, 0), Discount: 1}, nil, shuttle.EUnsupported,
			`issue "n": utilities that are not linear in the value have no GeniusWeb form`},
		{"nonlinear profile", &utility.Profile{Name: "p", Domain: d, Func: &utility.Hyper{Max: 1}, Discount: 1}, nil, shuttle.EUnsupported,
			"only additive profiles have a GeniusWeb form"},
		{"constraint", &utility.Profile{Name: "p", Domain: d, Func: additive(0, 0.5, 1), Discount: 1,
			Constraints: []utility.Constraint{{Issue: 0, Allowed: []bool{true, true, false}, Text: "n < 2"}}}, nil, shuttle.EUnsupported,
			"GeniusWeb profiles have no hard constraints"},
		{"bid worth another value", &utility.Profile{Name: "p", Domain: d, Func: additive(0, 0.5, 1), Discount: 1, Reservation: 0.4}, Bid{1}, "",
			"reservation bid is worth 0.5, the reservation value is 0.4"},
		{"bid out of range", &utility.Profile{Name: "p", Domain: d, Func: additive(0, 0.5, 1), Discount: 1}, Bid{3}, "",
			`issue "n": value index 3 out of range`},
		{"bid too short", &utility.Profile{Name: "p", Domain: d, Func: additive(0, 0.5, 1), Discount: 1}, Bid{}, "",
			"bid has 0 values for 1 issues"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteProfile(&bytes.Buffer{}, tt.p, tt.bid)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if tt.code != "" && shuttle.ErrorCode(err) != tt.code {
				t.Errorf("code %s, want %s", shuttle.ErrorCode(err), tt.code)
			}
		})
	}
}

// TestWriteForeignShapes writes profiles whose numeric issues come from
// elsewhere (GENIUS linear evaluators, tables) when they are straight lines.
func TestWriteForeignShapes(t *testing.T) {
	d := &space.Domain{Name: "d", Issues: []space.Issue{
		{Name: "price", Kind: space.Integer, Min: 500, Max: 700},
		{Name: "share", Kind: space.Real, Lo: 0, Hi: 1, Steps: space.DefaultRealSteps},
		{Name: "third", Kind: space.Real, Lo: 0, Hi: 1, Steps: 4}, // steps of 1/3: written as labels
	}}
	a := &utility.Additive{
		Weights: []float64{0.5, 0.3, 0.2},
		Evals:   make([][]float64, 3),
		Shapes: []*utility.Shape{
			{Kind: "linear", Offset: 1, Slope: -0.004, Lower: 500},
			{Kind: "linear", Offset: 0.2, Slope: 0.5, Clamp: true},
			{Kind: "triangular", Low: 0, High: 1, Peak: 0.5, Clamp: true},
		},
	}
	a.FromShapes(d)
	p := &utility.Profile{Name: "genius", Domain: d, Func: a, Discount: 0.8, Reservation: 0.3}
	roundTrip(t, p, nil)

	var buf bytes.Buffer
	if err := WriteDomain(&buf, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"low": 500`, `"high": 700`, `"step": 0.01`, `"0.3333333333333333"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("domain lacks %s:\n%s", want, buf.String())
		}
	}
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		r    *big.Rat
		want string
		ok   bool
	}{
		{big.NewRat(3, 10), "0.3", true},
		{big.NewRat(-1, 8), "-0.125", true},
		{big.NewRat(1800, 1), "1800", true},
		{big.NewRat(1, 3), "", false},
		{big.NewRat(7, 40), "0.175", true},
		{new(big.Rat), "0", true},
	}
	for _, tt := range tests {
		got, ok := decimal(tt.r)
		if got != tt.want || ok != tt.ok {
			t.Errorf("decimal(%v) = %q, %v; want %q, %v", tt.r, got, ok, tt.want, tt.ok)
		}
	}
}

// TestGridExact checks the point where float64 and decimals part: the
// points of 0.1..0.5 step 0.2 are the decimals, not sums of floats.
func TestGridExact(t *testing.T) {
	g := grid{low: big.NewRat(1, 10), step: big.NewRat(2, 10), n: 3}
	a, b := 0.1, 0.2
	if g.float(1) != 0.3 || a+b == 0.3 {
		t.Errorf("point 1 is %v", g.float(1))
	}
	if k, ok := g.index(big.NewRat(5, 10)); !ok || k != 2 {
		t.Errorf("index(0.5) = %d, %v", k, ok)
	}
	for _, x := range []*big.Rat{big.NewRat(2, 10), big.NewRat(7, 10), big.NewRat(-1, 10)} {
		if k, ok := g.index(x); ok {
			t.Errorf("index(%v) = %d, want none", x, k)
		}
	}
	if string(g.literal(2)) != "0.5" {
		t.Errorf("literal(2) = %s", g.literal(2))
	}
	if _, ok := exact("1e401"); ok {
		t.Error("exact accepted exponent 401")
	}
	if r, ok := exact("-2.50E+1"); !ok || r.Cmp(big.NewRat(-25, 1)) != 0 {
		t.Errorf("exact(-2.50E+1) = %v, %v", r, ok)
	}
}

// TestGridFastPath compares the integer shortcut of grid.float with exact
// rational arithmetic.
func TestGridFastPath(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pow := func(label string) *big.Rat {
			return new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(rapid.Int64Range(0, 20).Draw(t, label)), nil))
		}
		low := new(big.Rat).Quo(big.NewRat(rapid.Int64().Draw(t, "low"), 1), pow("lowDigits"))
		step := new(big.Rat).Quo(big.NewRat(rapid.Int64Range(1, 1<<40).Draw(t, "step"), 1), pow("stepDigits"))
		n := rapid.IntRange(1, 50).Draw(t, "n")
		g := newGrid(low, step, n)
		for k := range n {
			want, _ := g.point(k).Float64()
			if got := g.float(k); got != want {
				t.Fatalf("point %d of %v + k*%v: %v, want %v (fast %v)", k, low, step, got, want, g.fast)
			}
		}
	})
}
