package tournament

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestOneVsRest compares the seatings with a brute-force filter of every
// combination: those in which all roles but at most one hold the same
// strategy.
func TestOneVsRest(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.IntRange(1, 5).Draw(t, "strategies")
		n := rapid.IntRange(2, 5).Draw(t, "roles")
		var want [][]int
		tuple := make([]int, n)
		for {
			counts := map[int]int{}
			for _, x := range tuple {
				counts[x]++
			}
			for _, c := range counts {
				if c >= n-1 {
					want = append(want, slices.Clone(tuple))
					break
				}
			}
			i := n - 1
			for ; i >= 0 && tuple[i] == s-1; i-- {
				tuple[i] = 0
			}
			if i < 0 {
				break
			}
			tuple[i]++
		}
		got := oneVsRest(s, n)
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("oneVsRest(%d, %d) = %v, want %v", s, n, got, want)
		}
		if len(got) != seatings(s, n) {
			t.Fatalf("%d seatings, want %d", len(got), seatings(s, n))
		}
	})
}

// seatings counts the seatings of OneVsRest: each strategy alone, and each
// pair of strategies with the odd one in any role, except that with two
// roles "a against b in role 1" and "b against a in role 2" are one seating.
func seatings(s, n int) int {
	if n == 2 {
		return s * s
	}
	return s + s*(s-1)*n
}

// TestJobs checks the layout: every (scenario, protocol, mediator,
// seating, repetition) once, in order, with seeds that depend on the index.
func TestJobs(t *testing.T) {
	for _, pairing := range Pairings {
		c := small()
		c.Pairing = pairing
		c.Reps = 2
		tr := newTournament(t, c)
		seen := map[string]bool{}
		seeds := map[uint64]bool{}
		last := -1
		for j := range tr.Jobs() {
			job := tr.Job(j)
			s := slices.Index(tr.Scenarios(), job.Scenario)
			if s < last {
				t.Fatalf("job %d: scenario %d after %d", j, s, last)
			}
			last = s
			names := make([]string, len(job.Strategies))
			for i, st := range job.Strategies {
				names[i] = st.name()
			}
			med := noMediator
			if job.Mediator != nil {
				med = job.Mediator.name()
			}
			key := strings.Join([]string{job.Scenario.Name, job.Protocol.String(), med, strings.Join(names, ","), string(rune('0' + job.Rep))}, "|")
			if seen[key] {
				t.Fatalf("job %d repeats %s", j, key)
			}
			seen[key] = true
			if job.Seed != jobSeed(c.Seed, j) || seeds[job.Seed] {
				t.Fatalf("job %d: seed %d", j, job.Seed)
			}
			seeds[job.Seed] = true
		}
		// Per scenario: shuttle, single-text and blind bidding under two
		// mediators, alternating offers under none, times seatings and reps.
		want := 0
		for _, sc := range tr.Scenarios() {
			n, s := len(sc.Profiles), len(c.Strategies)
			k := seatings(s, n)
			if pairing == AllCombinations {
				k = 1
				for range n {
					k *= s
				}
			}
			want += 7 * k * c.Reps
		}
		if tr.Jobs() != want || len(seen) != want {
			t.Errorf("%s: %d jobs, %d distinct, want %d", pairing, tr.Jobs(), len(seen), want)
		}
	}
}

// TestRowsFollowJobs plays jobs and checks their rows against the jobs and
// the scenarios' settings.
func TestRowsFollowJobs(t *testing.T) {
	tr := newTournament(t, small())
	for j := 0; j < tr.Jobs(); j += 13 {
		job := tr.Job(j)
		r, err := tr.Play(context.Background(), j, true)
		if err != nil {
			t.Fatal(err)
		}
		limit := 40 // the tournament's rounds, on domain folders
		if job.Scenario.Name == "office" {
			limit = 30 // the scenario's own deadline
		}
		switch {
		case r.Job != j || r.Jobs != tr.Jobs() || r.Tournament != tr.ID() || r.Seed != job.Seed || r.Rep != job.Rep:
			t.Errorf("job %d: row %+v", j, r)
		case r.Scenario != job.Scenario.Name || r.Protocol != job.Protocol.String() || len(r.Strategies) != len(job.Scenario.Profiles):
			t.Errorf("job %d: row %+v for %+v", j, r, job)
		case r.Rounds > limit:
			t.Errorf("job %d on %s: %d rounds, deadline %d", j, r.Scenario, r.Rounds, limit)
		case r.Agreement != (r.Reason == "agreement"):
			t.Errorf("job %d: agreement %v, reason %s", j, r.Agreement, r.Reason)
		case !(r.Time >= 0):
			t.Errorf("job %d: time %g", j, r.Time)
		}
		var welfare float64
		for _, u := range r.Utilities {
			welfare += u
		}
		if !sameFloat(welfare, r.Welfare) {
			t.Errorf("job %d: welfare %g, utilities %v", j, r.Welfare, r.Utilities)
		}
	}
}

func TestScenarios(t *testing.T) {
	tr := newTournament(t, &Config{Domains: []string{"testdata/domains"}})
	var names []string
	for _, sc := range tr.Scenarios() {
		names = append(names, sc.Name)
	}
	if want := []string{"FlightBooking", "Laptop", "NiceOrDie", "office", "sporthal"}; !slices.Equal(names, want) {
		t.Errorf("scenarios %v, want %v", names, want)
	}
	if len(tr.Skipped()) != 1 || !strings.Contains(tr.Skipped()[0].Error(), "japantrip: 1 party") {
		t.Errorf("skipped %v, want japantrip", tr.Skipped())
	}
	// Folders of one name are told apart by their parents.
	dir := t.TempDir()
	for _, y := range []string{"y2011", "y2013"} {
		os.MkdirAll(filepath.Join(dir, y), 0o755)
		if err := os.CopyFS(filepath.Join(dir, y, "Laptop"), os.DirFS("testdata/domains/Laptop")); err != nil {
			t.Fatal(err)
		}
	}
	tr = newTournament(t, &Config{Domains: []string{filepath.Join(dir, "y2013", "Laptop"), filepath.Join(dir, "y2011"), "testdata/domains/NiceOrDie"}})
	names = names[:0]
	for _, sc := range tr.Scenarios() {
		names = append(names, sc.Name)
	}
	if want := []string{"y2013/Laptop", "y2011/Laptop", "NiceOrDie"}; !slices.Equal(names, want) {
		t.Errorf("scenarios %v, want %v", names, want)
	}
}

// TestID checks that the ID follows what the rows depend on and nothing
// else.
func TestID(t *testing.T) {
	base := newTournament(t, small()).ID()
	same := small()
	same.Rounds = 40
	same.Protocols = protocolNames // the default, spelt out
	if id := newTournament(t, same).ID(); id != base {
		t.Errorf("defaults spelt out change the ID: %s, %s", id, base)
	}
	for _, change := range []func(*Config){
		func(c *Config) { c.Seed++ },
		func(c *Config) { c.Rounds++ },
		func(c *Config) { c.Strategies[0].Params = map[string]float64{"e": 2} },
		func(c *Config) { c.Mediators[1].Target = "kalai" },
		func(c *Config) { c.Domains = []string{"testdata/domains/Laptop"} },
	} {
		c := small()
		change(c)
		if id := newTournament(t, c).ID(); id == base {
			t.Errorf("a change left the ID %s", id)
		}
	}
}
