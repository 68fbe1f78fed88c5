package scenario

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden compares a readable account of each loaded example with
// testdata/golden/NAME.txt; run with -update after a deliberate change.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			s, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			got := dump(s)
			golden := filepath.Join("testdata", "golden", name+".txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s; run go test -run TestGolden -update and review the diff\n%s", f, golden, got)
			}
		})
	}
}

// dump writes everything Load decided, numbers rounded so that the golden
// files do not depend on the last bit of a float.
func dump(s *Scenario) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("scenario %q", s.Name)
	for _, src := range s.Sources {
		p("source %q", src)
	}
	p("domain %q", s.Domain.Name)
	for _, is := range s.Domain.Issues {
		switch is.Kind.String() {
		case "discrete":
			p("  issue %q discrete %q", is.Name, is.Values)
		case "integer":
			p("  issue %q integer %d..%d", is.Name, is.Min, is.Max)
		default:
			p("  issue %q real %g..%g in %d steps", is.Name, is.Lo, is.Hi, is.Steps)
		}
	}
	for i, pa := range s.Parties {
		pr := pa.Profile
		p("party %d %q strategy %s %v confide %s", i, pa.Name, pa.Strategy, pa.Params, pa.Confide)
		p("  channel proxy %q delay %v outages %v", pa.Channel.Proxy, pa.Channel.Delay, pa.Channel.Outages)
		p("  reservation %.4g discount %.4g", pr.Reservation, pr.Discount)
		if a := pr.Additive(); a != nil {
			for k, is := range s.Domain.Issues {
				p("  %q weight %.4f evals %s", is.Name, a.Weights[k], rounded(a.Evals[k]))
			}
		}
		for _, c := range pr.Constraints {
			p("  must %s", c.Text)
		}
		// The readers' notes are their wording, not this package's.
		p("  notes %d", len(pr.Notes))
	}
	m := s.Mediator
	p("mediator %q strategy %s target %s %v", m.Name, m.Strategy, m.Target, m.Params)
	pc := s.Protocol
	p("protocol %s rounds %d deadline %v round %v post-settlement %v", pc.Name, pc.Rounds, pc.Deadline, pc.RoundTime, pc.PostSettlement)
	pl := s.Plan
	if pl == nil {
		return b.String()
	}
	ex := func(x *Expr) string {
		if x == nil {
			return "-"
		}
		return fmt.Sprintf("%q@%d", x.Source, x.Line)
	}
	party := func(i int) string { return s.Parties[i].Name }
	p("plan")
	for _, v := range pl.Verifiers {
		p("  verifier %q: %s", v.Name, v.Description)
	}
	p("  phases %s of %v from %v", ex(&pl.Phases.Count), pl.Phases.Duration, pl.Phases.Start)
	for _, o := range pl.Obligations {
		p("  obligation %q: %s -> %s %q %s when %s due %v verified %+v", o.Name, party(o.Party), party(o.To), o.Kind, ex(&o.Quantity), ex(o.When), o.Due, o.Verify)
	}
	for _, l := range pl.Lists {
		p("  list by %s to %s of %q %v before", party(l.Party), party(l.To), pl.Obligations[l.Of].Name, l.Before)
	}
	for _, r := range pl.Rules {
		p("  rule %q forbids %q binds %v when %s window %v", r.Name, r.Forbids, r.Binds, ex(r.When), r.Window)
	}
	if x := pl.Extension; x != nil {
		p("  extension %s phases of %q: %s more, at most %s", ex(&x.Phases), pl.Obligations[x.Of].Name, ex(&x.More), ex(&x.Max))
	}
	p("  breach %+v", pl.Breach)
	for i, bh := range pl.Behaviour {
		p("  behaviour %s %+v", party(i), bh)
	}
	return b.String()
}

func rounded(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.4g", x)
	}
	return "[" + strings.Join(parts, " ") + "]"
}
