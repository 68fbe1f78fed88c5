package scenario

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

func loadExample(t *testing.T, name string) *Scenario {
	t.Helper()
	s, err := Load(filepath.Join("..", "examples", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExamplesLoad(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("found %d examples, want the truce, supply, labour and two GENIUS ones", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			if s.Description == "" || len(s.Sources) == 0 {
				t.Error("an example must say what it is (description) and where its facts come from (sources)")
			}
			for _, p := range s.Profiles() {
				if err := p.Validate(); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// nash finds by brute force the outcome maximising the product of the
// parties' gains over their reservation values among the outcomes every
// party can accept.
func nash(ps []*utility.Profile) space.Outcome {
	d := ps[0].Domain
	o, best := d.NewOutcome(), space.Outcome(nil)
	top := -1.0
	for {
		prod := 1.0
		for _, p := range ps {
			if !p.Acceptable(o) {
				prod = -1
				break
			}
			prod *= p.Utility(o) - p.Reservation
		}
		if prod > top {
			top, best = prod, o.Clone()
		}
		if !d.Next(o) {
			return best
		}
	}
}

// truceNash is the Nash point of the truce by package analysis.
func truceNash(t *testing.T, s *Scenario) space.Outcome {
	t.Helper()
	r, err := analysis.Analyze(s.Profiles(), analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Nash == nil || !r.Exact {
		t.Fatalf("no exact Nash point: %v", r.Notes)
	}
	return r.Nash.Outcome
}

// The truce's preferences are illustrative, but chosen so that the Nash
// point is the deal the reports describe. Package analysis finds it; a
// brute force over the 1.7 million outcomes confirms it.
func TestTruceNash(t *testing.T) {
	s := loadExample(t, "truce")
	point := truceNash(t, s)
	if brute := nash(s.Profiles()); !brute.Equal(point) {
		t.Errorf("analysis finds the Nash point at %s, brute force at %s", s.Domain.Format(point), s.Domain.Format(brute))
	}
	got := s.Domain.Labels(point)
	want := map[string]string{
		"hostages":      "50",
		"ratio":         "3",
		"days":          "4",
		"per_extra_day": "10",
		"drones":        "halted in the south, paused 6 h a day in the north",
		"troops":        "hold positions",
		"aid_trucks":    "200",
	}
	for issue, v := range want {
		if got[issue] != v {
			t.Errorf("Nash point has %s = %s, want %s (whole point: %v)", issue, got[issue], v, got)
		}
	}
}

func TestTruce(t *testing.T) {
	s := loadExample(t, "truce")
	if len(s.Parties) != 2 || s.Parties[0].Name != "Israel" || s.Parties[1].Name != "Hamas" {
		t.Fatalf("parties %v", s.Parties)
	}
	ch := s.Parties[1].Channel
	if ch.Proxy == "" || ch.Delay != 6*time.Hour || len(ch.Outages) != 2 || ch.Outages[0] != (Outage{7 * 24 * time.Hour, 12 * 24 * time.Hour}) {
		t.Errorf("Hamas's channel %+v: want a proxy with 6h delay and two outages", ch)
	}
	if s.Mediator.Strategy != "confided" || s.Mediator.Target != "nash" || s.Protocol.Name != "shuttle" {
		t.Errorf("mediator %+v, protocol %+v", s.Mediator, s.Protocol)
	}
	if got := s.Line("parties[1].channel.proxy"); got == 0 {
		t.Error("no line for parties[1].channel.proxy")
	}
	for _, src := range []string{"000_993855c7dd249c60.txt", "001_afc34968af3465ac.txt", "FACTS.md"} {
		if !strings.Contains(strings.Join(s.Sources, "\n"), src) {
			t.Errorf("sources do not cite %s", src)
		}
	}
}

// The truce plan at its Nash point releases 13, 13, 13 and 11 hostages over
// four days, three prisoners for each, 30 prisoners for each extra day's 10.
func TestTrucePlan(t *testing.T) {
	s := loadExample(t, "truce")
	p := s.Plan
	if p == nil {
		t.Fatal("no plan")
	}
	vars := Values(s.Domain, truceNash(t, s))
	n, err := p.Phases.Count.Number(vars)
	if err != nil || n != 4 {
		t.Fatalf("phases %v, %v; want 4", n, err)
	}
	vars[VarPhases] = int(n)
	var hostages, prisoners float64
	for phase := 1; phase <= int(n); phase++ {
		vars[VarPhase], vars[VarExtension] = phase, 0
		q := obligationQuantities(t, p, vars)
		want := map[int]float64{1: 13, 2: 13, 3: 13, 4: 11}[phase]
		if q["released"] != want || q["prisoners"] != 3*want {
			t.Errorf("phase %d: released %v, prisoners %v; want %v and %v", phase, q["released"], q["prisoners"], want, 3*want)
		}
		hostages += q["released"]
		prisoners += q["prisoners"]
	}
	if hostages != 50 || prisoners != 150 {
		t.Errorf("over the agreed days %v released for %v; want 50 for 150", hostages, prisoners)
	}
	x := p.Extension
	more, err := x.More.Number(vars)
	if err != nil || more != 10 || p.Obligations[x.Of].Name != "released" {
		t.Errorf("extension gives %v more of %q (%v); want 10 released", more, p.Obligations[x.Of].Name, err)
	}
	vars[VarPhase], vars[VarExtension], vars["released"] = 5, 1, more
	if got, _ := p.Obligations[1].Quantity.Number(vars); got != 30 {
		t.Errorf("an extra day releases %v prisoners, want 30", got)
	}
	// Which standing rules bind at the agreed point.
	in := map[string]bool{}
	for _, r := range p.Rules {
		ok := true
		if r.When != nil {
			if ok, err = r.When.Bool(vars); err != nil {
				t.Fatal(err)
			}
		}
		in[r.Name] = ok
	}
	want := map[string]bool{"ceasefire": true, "tanks stay put": true, "no drones over the south": true, "drone pause in the north": true, "no drones at all": false}
	for name, w := range want {
		if in[name] != w {
			t.Errorf("rule %q in force: %v, want %v", name, in[name], w)
		}
	}
	if v := p.Obligations[0].Verify; !v.Receiver || len(v.Verifiers) != 1 || p.Verifiers[v.Verifiers[0]].Name != "Red Cross" {
		t.Errorf("releases verified by %+v, want the receiver and the Red Cross", v)
	}
	if l := p.Lists[0]; s.Parties[l.Party].Name != "Hamas" || s.Parties[l.To].Name != "Israel" || l.Before != 12*time.Hour {
		t.Errorf("first list %+v", l)
	}
}

// obligationQuantities evaluates a phase's obligations in order, making
// named quantities available to later ones, as package deal does.
func obligationQuantities(t *testing.T, p *Plan, vars map[string]any) map[string]float64 {
	t.Helper()
	q := map[string]float64{}
	for _, o := range p.Obligations {
		if o.When != nil {
			ok, err := o.When.Bool(vars)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				continue
			}
		}
		n, err := o.Quantity.Number(vars)
		if err != nil {
			t.Fatal(err)
		}
		if o.Name != "" {
			q[o.Name], vars[o.Name] = n, n
		}
	}
	return q
}

// The supply contract delivers and pays a batch in the months its agreed
// schedule says.
func TestSupplyPlan(t *testing.T) {
	s := loadExample(t, "supply")
	o, err := s.Domain.Parse(map[string]string{"price": "10", "volume": "30000", "batches": "4", "penalty": "2", "warranty": "12", "exclusivity": "none"})
	if err != nil {
		t.Fatal(err)
	}
	vars := Values(s.Domain, o)
	vars[VarPhases], vars[VarExtension] = 12, 0
	var kits, paid float64
	for phase := 1; phase <= 12; phase++ {
		vars[VarPhase] = phase
		for _, ob := range s.Plan.Obligations {
			if ok, err := ob.When.Bool(vars); err != nil || !ok {
				continue
			}
			n, err := ob.Quantity.Number(vars)
			if err != nil {
				t.Fatal(err)
			}
			switch ob.Kind {
			case "surgical kits":
				kits += n
			case "euro":
				paid += n
			}
		}
	}
	// Batches in months 3, 6, 9, 12; payments in months 4, 7, 10.
	if kits != 30000 || paid != 3*7500*10 {
		t.Errorf("delivered %v kits and paid %v; want 30000 and %v", kits, paid, 3*7500*10)
	}
}

func TestLabourThreeParties(t *testing.T) {
	s := loadExample(t, "labour")
	if len(s.Parties) != 3 {
		t.Fatalf("%d parties, want 3", len(s.Parties))
	}
	if d := s.Parties[0].Profile.Discount; d != 0.9 {
		t.Errorf("union's discount %v, want 0.9", d)
	}
	u := nash(s.Profiles())
	for i, p := range s.Profiles() {
		if got := p.Utility(u); got <= p.Reservation {
			t.Errorf("Nash point gives %s %v, not above its reservation %v", s.Parties[i].Name, got, p.Reservation)
		}
	}
}

func TestGeniusExamples(t *testing.T) {
	lap := loadExample(t, "laptop")
	buyer := lap.Parties[0].Profile
	if buyer.Reservation != 0.3 || len(buyer.Constraints) != 1 || lap.Domain.Issues[1].Name != "Harddisk" {
		t.Errorf("laptop buyer: reservation %v, constraints %v", buyer.Reservation, buyer.Constraints)
	}
	// laptop_buyer_utility.xml rates HP 30 of 30 and weighs Laptop 0.4452…
	if got := buyer.Additive().Term(0, 2); math.Abs(got-0.4452125771655631) > 1e-12 {
		t.Errorf("buyer's HP term %v", got)
	}
	gro := loadExample(t, "grocery")
	if gro.Parties[1].Profile.Reservation != 0.2 || gro.Parties[0].Profile.Name != "Mary" {
		t.Errorf("grocery parties %+v", gro.Parties)
	}
}
