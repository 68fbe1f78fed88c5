package geniusweb

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
)

func TestReadFolder(t *testing.T) {
	tests := []struct {
		dir      string
		domain   string
		issues   int
		outcomes uint64
		profiles []string
		note     string // a note every profile carries, if any
	}{
		{"anl2023/domain09", "domain09", 7, 432, []string{"profileA", "profileB"}, "no reservationBid: reservation value 0"},
		{"anl2023/domain12", "domain12", 6, 1344, []string{"profileA", "profileB"}, "no reservationBid: reservation value 0"},
		{"anl2023/domain15", "domain15", 5, 512, []string{"profileA", "profileB"}, "no reservationBid: reservation value 0"},
		{"cse3210-2022/jobs", "jobs", 6, 540, []string{"jobs1", "jobs2"}, ""},
		{"geniusweb-python-tests/japantrip", "japantrip", 4, 192, []string{"japantrip1"}, ""},
		{"geniusweb-python-tests/7issues", "7issues", 7, 10_000_000, []string{"7issues1", "7issues2"}, "no reservationBid: reservation value 0"},
		{"geniusweb/Party", "party", 6, 3072, []string{"party1", "party2"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			d, ps, err := ReadFolder(filepath.Join("testdata", tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			n, _ := d.Count64()
			if d.Name != tt.domain || len(d.Issues) != tt.issues || n != tt.outcomes {
				t.Errorf("domain %s, %d issues, %d outcomes; want %s, %d, %d", d.Name, len(d.Issues), n, tt.domain, tt.issues, tt.outcomes)
			}
			var names []string
			for _, p := range ps {
				names = append(names, p.Name)
				if err := p.Validate(); err != nil {
					t.Error(err)
				}
				if p.Discount != 1 {
					t.Errorf("%s: discount %v", p.Name, p.Discount)
				}
				if tt.note != "" && !slices.Contains(p.Notes, tt.note) {
					t.Errorf("%s: notes %q lack %q", p.Name, p.Notes, tt.note)
				}
			}
			if !slices.Equal(names, tt.profiles) {
				t.Errorf("profiles %v, want %v", names, tt.profiles)
			}
		})
	}
}

// TestReservationByHand checks reservation values worked out by hand from
// the files.
func TestReservationByHand(t *testing.T) {
	tests := []struct {
		file string
		want float64
		bid  map[string]string
	}{
		// place Osaka 0.2 × 0.57 + budget 1800 (0.15 at the top of the
		// 900..1800 line) × 0.09 + days 6 0.1 × 0.17 + purpose Shopping 0.3 × 0.17.
		{"geniusweb-python-tests/japantrip/japantrip1.json", 0.2*0.57 + 0.15*0.09 + 0.1*0.17 + 0.3*0.17,
			map[string]string{"place": "Osaka", "budget": "1800", "days": "6", "purpose": "Shopping"}},
		// salary 3500 0.75 × 0.24 + fte 0.8 0.5 × 0.32 + work from home 1 0.5 × 0.18 +
		// lease car no 0 + permanent contract yes 1 × 0.16 + career medium 0.5 × 0.04.
		{"geniusweb-python-tests/jobs/jobs1.json", 0.75*0.24 + 0.5*0.32 + 0.5*0.18 + 0.16 + 0.5*0.04,
			map[string]string{"salary": "3500", "fte": "0.8", "work from home": "1", "lease car": "no", "permanent contract": "yes", "career development opportunities": "medium"}},
	}
	for _, tt := range tests {
		p, bid, err := ReadProfileBid(filepath.Join("testdata", tt.file), nil)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(p.Reservation-tt.want) > 1e-12 {
			t.Errorf("%s: reservation %v, want %v", tt.file, p.Reservation, tt.want)
		}
		got := p.Domain.Labels(space.Outcome(bid))
		if diff := cmp.Diff(tt.bid, got); diff != "" {
			t.Errorf("%s: reservation bid (-want +got):\n%s", tt.file, diff)
		}
	}
}

func TestRangeIssue(t *testing.T) {
	tests := []struct {
		name    string
		rng     string
		kind    space.Kind
		points  []float64
		utility string // NumberValueSetUtilities over the range
		evals   []float64
		bid     string // a bid value and its index
		index   int
	}{
		{"integers", `{"low": 0, "high": 9, "step": 1}`, space.Integer, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
			`{"lowValue": 2, "lowUtility": 0, "highValue": 6, "highUtility": 1}`,
			[]float64{0, 0, 0, 0.25, 0.5, 0.75, 1, 0, 0, 0}, "4", 4},
		{"integral step 300", `{"low": 900, "high": 1800, "step": 300}`, space.Real, []float64{900, 1200, 1500, 1800},
			`{"lowValue": 900, "lowUtility": 1, "highValue": 1800, "highUtility": 0}`,
			[]float64{1, 2.0 / 3, 1.0 / 3, 0}, "1500.0", 2},
		{"high off the lattice", `{"low": 1, "high": 2.5, "step": 1}`, space.Integer, []float64{1, 2},
			`{"lowValue": 1, "lowUtility": 0.5, "highValue": 2, "highUtility": 1}`,
			[]float64{0.5, 1}, "2", 1},
		// 0.1 + 0.2 is not 0.3 in float64: the points are the decimals.
		{"decimal step", `{"low": 0.1, "high": 0.5, "step": 0.2}`, space.Real, []float64{0.1, 0.3, 0.5},
			`{"lowValue": 0.3, "lowUtility": 0.2, "highValue": 0.5, "highUtility": 0.6}`,
			[]float64{0, 0.2, 0.6}, "0.3", 1},
		{"exponents", `{"low": -1e1, "high": 1E1, "step": 5e0}`, space.Real, []float64{-10, -5, 0, 5, 10},
			`{"lowValue": -10, "lowUtility": 0, "highValue": 10, "highUtility": 1}`,
			[]float64{0, 0.25, 0.5, 0.75, 1}, "5", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dom := `{"name": "d", "issuesValues": {"x": {"range": ` + tt.rng + `}}}`
			prof := `{"LinearAdditiveUtilitySpace": {"name": "p",
				"issueUtilities": {"x": {"NumberValueSetUtilities": ` + tt.utility + `}},
				"issueWeights": {"x": 1}, "domain": ` + dom + `,
				"reservationBid": {"issuevalues": {"x": ` + tt.bid + `}}}}`
			p, bid, err := ReadProfileBid(writeTemp(t, "p.json", prof), nil)
			if err != nil {
				t.Fatal(err)
			}
			is := &p.Domain.Issues[0]
			if is.Kind != tt.kind || is.Size() != len(tt.points) {
				t.Fatalf("%s issue of %d values, want %s of %d", is.Kind, is.Size(), tt.kind, len(tt.points))
			}
			g, ok := gridOf(is)
			if !ok {
				t.Fatal("no grid")
			}
			a := p.Additive()
			for k, x := range tt.points {
				if g.float(k) != x {
					t.Errorf("point %d is %v, want %v", k, g.float(k), x)
				}
				if math.Abs(is.Number(k)-x) > 1e-12*math.Max(1, math.Abs(x)) {
					t.Errorf("Number(%d) = %v, want %v", k, is.Number(k), x)
				}
				if v, err := is.Nearest(x); err != nil || v != k {
					t.Errorf("Nearest(%v) = %d, %v; want %d", x, v, err, k)
				}
				if math.Abs(a.Evals[0][k]-tt.evals[k]) > 1e-15 {
					t.Errorf("utility of %v is %v, want %v", x, a.Evals[0][k], tt.evals[k])
				}
			}
			if bid[0] != tt.index || p.Reservation != a.Evals[0][tt.index] {
				t.Errorf("bid %s read as index %d worth %v, want %d", tt.bid, bid[0], p.Reservation, tt.index)
			}
			roundTrip(t, p, bid)
		})
	}
}

// TestSpecialsAgainstBruteForce checks, on every outcome, that the
// organisers' front is the Pareto front of the profiles read, and that their
// Nash, Kalai and social-welfare points are what their names say.
func TestSpecialsAgainstBruteForce(t *testing.T) {
	const eps = 1e-9
	for _, dir := range []string{"anl2023/domain09", "anl2023/domain12", "anl2023/domain15"} {
		t.Run(dir, func(t *testing.T) {
			d, ps, err := ReadFolder(filepath.Join("testdata", dir))
			if err != nil {
				t.Fatal(err)
			}
			s, err := ReadSpecials(filepath.Join("testdata", dir, "specials.json"), d)
			if err != nil {
				t.Fatal(err)
			}
			if !s.HasStats || uint64(s.Size) != must64(t, d) || s.SocialWelfare == nil {
				t.Errorf("stats %v size %d, social welfare %v", s.HasStats, s.Size, s.SocialWelfare)
			}
			var all [][2]float64
			forOutcomes(d, func(o space.Outcome) { all = append(all, [2]float64{ps[0].Utility(o), ps[1].Utility(o)}) })
			dominates := func(a, b [2]float64) bool {
				return a[0] >= b[0]-eps && a[1] >= b[1]-eps && (a[0] > b[0]+eps || a[1] > b[1]+eps)
			}
			var bestNash, bestWelfare, bestGap float64 = -1, -1, 2
			for _, sp := range s.ParetoFront {
				u := [2]float64{ps[0].Utility(sp.Outcome), ps[1].Utility(sp.Outcome)}
				for _, v := range all {
					if dominates(v, u) {
						t.Fatalf("front point %s %v is dominated by %v", d.Format(sp.Outcome), u, v)
					}
				}
				bestNash = max(bestNash, u[0]*u[1])
				bestWelfare = max(bestWelfare, u[0]+u[1])
				bestGap = min(bestGap, math.Abs(u[0]-u[1]))
			}
			for _, v := range all {
				covered := false
				for _, sp := range s.ParetoFront {
					if sp.Utilities[0] >= v[0]-eps && sp.Utilities[1] >= v[1]-eps {
						covered = true
						break
					}
				}
				if !covered {
					t.Fatalf("outcome worth %v is above the front", v)
				}
			}
			if got := s.Nash.Utilities[0] * s.Nash.Utilities[1]; math.Abs(got-bestNash) > eps {
				t.Errorf("Nash product %v, best on the front %v", got, bestNash)
			}
			if got := s.SocialWelfare.Utilities[0] + s.SocialWelfare.Utilities[1]; math.Abs(got-bestWelfare) > eps {
				t.Errorf("welfare %v, best on the front %v", got, bestWelfare)
			}
			if got := math.Abs(s.Kalai.Utilities[0] - s.Kalai.Utilities[1]); math.Abs(got-bestGap) > eps {
				t.Errorf("Kalai gap %v, least on the front %v", got, bestGap)
			}
		})
	}
}

func TestPartialOrderingRefused(t *testing.T) {
	dir := filepath.Join("testdata", "geniusweb-python-tests", "jobs")
	_, _, err := ReadFolder(dir)
	checkOneLine(t, err, shuttle.EUnsupported)
	if want := "jobs1partial.json:2: DefaultPartialOrdering: this kind of profile is not supported"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
}

// TestMalformed feeds broken files to the readers: each must give one line
// naming the file and the line and field at fault.
func TestMalformed(t *testing.T) {
	const dom = `{"name": "d", "issuesValues": {"Food": {"values": ["Pizza", "Chips"]}, "n": {"range": {"low": 0, "high": 4, "step": 1}}}}`
	profile := func(utils, weights, extra string) string {
		return `{"LinearAdditiveUtilitySpace": {"name": "p",
"issueUtilities": ` + utils + `,
"issueWeights": ` + weights + `,
"domain": ` + dom + extra + `}}`
	}
	const (
		goodUtils   = `{"Food": {"DiscreteValueSetUtilities": {"valueUtilities": {"Pizza": 1, "Chips": 0}}}, "n": {"NumberValueSetUtilities": {"lowValue": 0, "lowUtility": 0, "highValue": 4, "highUtility": 1}}}`
		goodWeights = `{"Food": 0.5, "n": 0.5}`
	)
	tests := []struct {
		name    string
		profile bool // read with ReadProfile, else ReadDomain
		text    string
		code    string
		want    string // expected in the error, after the file name
	}{
		{"syntax", false, "{\"name\": \"d\",\n \"issuesValues\": {\"Food\" [1]}}", shuttle.EInvalid, ":2: column 26: invalid character '[' after object key"},
		{"syntax glued", false, "{\"name\": \"d\",\n\"issuesValues\": {\"Food\"[1]}}", shuttle.EInvalid, ":2: column 24: invalid character '['"},
		{"syntax scanner", false, "{\"name\": \"d\",\n  \"issuesValues\": tru}", shuttle.EInvalid, ":2: column 22: invalid character '}' in literal true"},
		{"truncated", false, `{"name": "d", "issuesValues": {`, shuttle.EInvalid, ":1: unexpected end of JSON"},
		{"trailing data", false, dom + "\n{}", shuttle.EInvalid, ":2: unexpected {"},
		{"empty file", false, "", shuttle.EInvalid, ":1: unexpected end of JSON"},
		{"duplicate key", false, `{"name": "d", "name": "e", "issuesValues": {}}`, shuttle.EInvalid, ":1: name: key appears twice"},
		{"no issues", false, `{"name": "d", "issuesValues": {}}`, shuttle.EInvalid, ":1: issuesValues: want an object with at least one issue"},
		{"number as value", false, `{"name": "d", "issuesValues": {"x": {"values": ["a", 2]}}}`, shuttle.EInvalid, ":1: issuesValues.x.values[1]: is a number, want a string"},
		{"value twice", false, `{"name": "d", "issuesValues": {"x": {"values": ["a", "a"]}}}`, shuttle.EInvalid, `issuesValues.x.values[1]: value "a" appears twice`},
		{"values and range", false, `{"name": "d", "issuesValues": {"x": {"values": ["a"], "range": {}}}}`, shuttle.EInvalid, "issuesValues.x: want exactly one of values and range"},
		{"unknown field", false, `{"name": "d", "issuesValues": {"x": {"value": ["a"]}}}`, shuttle.EInvalid, "issuesValues.x.value: unknown field"},
		{"zero step", false, `{"name": "d", "issuesValues": {"x": {"range": {"low": 0, "high": 1, "step": 0}}}}`, shuttle.EInvalid, "issuesValues.x.range.step: step 0 is not positive"},
		{"high below low", false, `{"name": "d", "issuesValues": {"x": {"range": {"low": 2, "high": 1, "step": 1}}}}`, shuttle.EInvalid, "issuesValues.x.range.high: high 1 is below low 2"},
		{"range too large", false, `{"name": "d", "issuesValues": {"x": {"range": {"low": 0, "high": 1e9, "step": 1}}}}`, shuttle.ETooLarge, "issuesValues.x.range: range has more than"},
		{"huge exponent", false, `{"name": "d", "issuesValues": {"x": {"range": {"low": 0, "high": 1, "step": 1e-999999}}}}`, shuttle.EInvalid, "issuesValues.x.range.step: number 1e-999999 is out of range"},
		{"overflow", false, `{"name": "d", "issuesValues": {"x": {"range": {"low": 0, "high": 1e999, "step": 1}}}}`, shuttle.EInvalid, "issuesValues.x.range.high: number 1e999 is out of range"},
		{"indistinct points", false, `{"name": "d", "issuesValues": {"x": {"range": {"low": 1e17, "high": 100000000000000000.5, "step": 0.25}}}}`, shuttle.EUnsupported, "issuesValues.x.range: range 1e17..100000000000000000.5 step 0.25"},
		{"profile as domain", false, profile(goodUtils, goodWeights, ""), shuttle.EInvalid, ":1: not a GeniusWeb domain"},

		{"domain as profile", true, dom, shuttle.EInvalid, ":1: a GeniusWeb domain, not a profile"},
		{"partial ordering", true, `{"DefaultPartialOrdering": {"name": "p"}}`, shuttle.EUnsupported, ":1: DefaultPartialOrdering: this kind of profile is not supported"},
		{"unknown issue", true, profile(`{"Drink": {"DiscreteValueSetUtilities": {"valueUtilities": {}}}}`, goodWeights, ""), shuttle.EInvalid,
			`:2: LinearAdditiveUtilitySpace.issueUtilities.Drink: no issue "Drink" in domain "d"`},
		{"unknown value", true, profile(`{"Food": {"DiscreteValueSetUtilities": {"valueUtilities": {"Pizza": 1, "Sushi": 0.5}}}}`, goodWeights, ""), shuttle.EInvalid,
			`:2: LinearAdditiveUtilitySpace.issueUtilities.Food.DiscreteValueSetUtilities.valueUtilities.Sushi: issue "Food" has no value "Sushi"`},
		{"utility above 1", true, profile(`{"Food": {"discreteutils": {"valueUtilities": {"Pizza": 1.5}}}}`, goodWeights, ""), shuttle.EInvalid,
			"issueUtilities.Food.discreteutils.valueUtilities.Pizza: utility 1.5 is outside [0,1]"},
		{"negative number utility", true, profile(`{"n": {"numberutils": {"lowValue": 0, "lowUtility": -0.1, "highValue": 4, "highUtility": 1}}}`, goodWeights, ""), shuttle.EInvalid,
			"issueUtilities.n.numberutils.lowUtility: utility -0.1 is outside [0,1]"},
		{"reversed number utility", true, profile(`{"n": {"numberutils": {"lowValue": 4, "lowUtility": 0, "highValue": 0, "highUtility": 1}}}`, goodWeights, ""), shuttle.EInvalid,
			"issueUtilities.n.numberutils.highValue: highValue 0 is below lowValue 4"},
		{"number utilities on discrete", true, profile(`{"Food": {"NumberValueSetUtilities": {"lowValue": 0, "lowUtility": 0, "highValue": 4, "highUtility": 1}}}`, goodWeights, ""), shuttle.EInvalid,
			`issueUtilities.Food.NumberValueSetUtilities: number utilities for the discrete issue "Food"`},
		{"discrete utilities on range", true, profile(`{"n": {"DiscreteValueSetUtilities": {"valueUtilities": {"1": 1}}}}`, goodWeights, ""), shuttle.EInvalid,
			`issueUtilities.n.DiscreteValueSetUtilities: discrete utilities for the integer issue "n"`},
		{"missing utilities", true, profile(`{"Food": {"DiscreteValueSetUtilities": {"valueUtilities": {"Pizza": 1}}}}`, goodWeights, ""), shuttle.EInvalid,
			`:2: LinearAdditiveUtilitySpace.issueUtilities: no utilities for issue "n"`},
		{"negative weight", true, profile(goodUtils, `{"Food": -0.5, "n": 1.5}`, ""), shuttle.EInvalid,
			":3: LinearAdditiveUtilitySpace.issueWeights.Food: weight -0.5 is negative"},
		{"missing weight", true, profile(goodUtils, `{"Food": 1}`, ""), shuttle.EInvalid,
			`:3: LinearAdditiveUtilitySpace.issueWeights: no weight for issue "n"`},
		{"zero weights", true, profile(goodUtils, `{"Food": 0, "n": 0}`, ""), shuttle.EInvalid,
			":3: LinearAdditiveUtilitySpace.issueWeights: all weights are 0"},
		{"string weight", true, profile(goodUtils, `{"Food": "0.5", "n": 0.5}`, ""), shuttle.EInvalid,
			"issueWeights.Food: is a string, want a number"},
		{"bid with unknown value", true, profile(goodUtils, goodWeights, `, "reservationBid": {"issuevalues": {"Food": "Sushi"}}`), shuttle.EInvalid,
			`reservationBid.issuevalues.Food: issue "Food" has no value "Sushi"`},
		{"bid off the range", true, profile(goodUtils, goodWeights, `, "reservationBid": {"issuevalues": {"n": 2.5}}`), shuttle.EInvalid,
			`reservationBid.issuevalues.n: 2.5 is not a value of issue "n"`},
		{"bid with string number", true, profile(goodUtils, goodWeights, `, "reservationBid": {"issuevalues": {"n": "2"}}`), shuttle.EInvalid,
			`reservationBid.issuevalues.n: is a string, want a number in the range of issue "n"`},
		{"no embedded domain", true, `{"LinearAdditiveUtilitySpace": {"name": "p", "issueUtilities": {}, "issueWeights": {}}}`, shuttle.EInvalid,
			`:1: LinearAdditiveUtilitySpace: missing field "domain"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, "bad.json", tt.text)
			var err error
			if tt.profile {
				_, err = ReadProfile(path, nil)
			} else {
				_, err = ReadDomain(path)
			}
			checkOneLine(t, err, tt.code)
			if !strings.HasPrefix(err.Error(), path+":") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant %s%s", err, path, tt.want)
			}
		})
	}
}

// TestProfileForAnotherDomain reads profiles whose embedded domain is not
// the one they are read against.
func TestProfileForAnotherDomain(t *testing.T) {
	d, err := ReadDomain(filepath.Join("testdata", "cse3210-2022", "jobs", "jobs.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ file, want string }{
		{"geniusweb/Party/party1.json", `party1.json:74: LinearAdditiveUtilitySpace.domain.name: profile is for domain "party", not "jobs"`},
		{"anl2023/domain09/profileA.json", `profileA.json:74: LinearAdditiveUtilitySpace.domain.name: profile is for domain "domain09", not "jobs"`},
	}
	for _, tt := range tests {
		_, err := ReadProfile(filepath.Join("testdata", tt.file), d)
		checkOneLine(t, err, shuttle.EInvalid)
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %q lacks %q", err, tt.want)
		}
	}
}

// TestFolderErrors builds folders that break the pairing rules.
func TestFolderErrors(t *testing.T) {
	jobs := filepath.Join("testdata", "cse3210-2022", "jobs")
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(jobs, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	domain, profile := read("jobs.json"), read("jobsprofileA.json")
	tests := []struct {
		name  string
		files map[string]string
		code  string
		want  string
	}{
		{"embedded issue differs", map[string]string{"jobs.json": strings.Replace(domain, `"low"`, `"lowest"`, 1), "p.json": profile}, shuttle.EInvalid,
			`p.json:105: LinearAdditiveUtilitySpace.domain.issuesValues.career development opportunities: differs from issue "career development opportunities" of domain "jobs" of `},
		{"embedded issue missing", map[string]string{"jobs.json": strings.Replace(domain, `"lease car"`, `"car"`, 1), "p.json": profile}, shuttle.EInvalid,
			`p.json:93: LinearAdditiveUtilitySpace.domain.issuesValues.lease car: issue not in domain "jobs" of `},
		{"profiles disagree", map[string]string{"a.json": profile, "b.json": strings.Replace(profile, `"high"`, `"top"`, -1)}, shuttle.EInvalid,
			`b.json:105: LinearAdditiveUtilitySpace.domain.issuesValues.career development opportunities: differs from issue`},
		{"two domains", map[string]string{"a.json": domain, "b.json": domain}, shuttle.EInvalid, "b.json:1: second domain file in the folder (the first is"},
		{"stray json", map[string]string{"jobs.json": domain, "x.json": `{"SAOPSettings": {}}`}, shuttle.EUnsupported, "x.json:1: neither a GeniusWeb domain, a profile nor specials.json"},
		{"not json", map[string]string{"jobs.json": domain, "x.json": "<xml/>"}, shuttle.EInvalid, "x.json:1: column 1: invalid character '<'"},
		{"empty", map[string]string{"notes.txt": "hello"}, shuttle.EInvalid, "no GeniusWeb domain or profile in the folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := ReadFolder(dir)
			checkOneLine(t, err, tt.code)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
		})
	}
	_, _, err := ReadFolder(filepath.Join(t.TempDir(), "missing"))
	checkOneLine(t, err, shuttle.ENotFound)
}

// TestValueOrderIrrelevant reads a profile whose embedded domain lists the
// values in another order than the domain file: utilities follow the names.
func TestValueOrderIrrelevant(t *testing.T) {
	dir := filepath.Join("testdata", "cse3210-2022", "jobs")
	d, err := ReadDomain(filepath.Join(dir, "jobs.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReadProfile(filepath.Join(dir, "jobsprofileA.json"), d)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "jobsprofileA.json"))
	if err != nil {
		t.Fatal(err)
	}
	swapped := regexp.MustCompile(`"yes",(\s*)"no"`).ReplaceAllString(string(data), `"no",${1}"yes"`)
	if swapped == string(data) {
		t.Fatal("test file changed: no value list to swap")
	}
	got, err := ReadProfile(writeTemp(t, "p.json", swapped), d)
	if err != nil {
		t.Fatal(err)
	}
	forOutcomes(d, func(o space.Outcome) {
		if got.Utility(o) != want.Utility(o) {
			t.Fatalf("utility of %s: %v, want %v", d.Format(o), got.Utility(o), want.Utility(o))
		}
	})
}

func TestNotes(t *testing.T) {
	text := `{"LinearAdditiveUtilitySpace": {"name": "p",
		"issueUtilities": {"x": {"DiscreteValueSetUtilities": {"valueUtilities": {"a": 1}}}, "y": {"DiscreteValueSetUtilities": {"valueUtilities": {"a": 1}}}},
		"issueWeights": {"x": 0.5, "y": 0.4},
		"domain": {"name": "d", "issuesValues": {"x": {"values": ["a", "b", "c"]}, "y": {"values": ["a"]}}},
		"reservationBid": {"issuevalues": {"x": "a"}}}}`
	p, bid, err := ReadProfileBid(writeTemp(t, "p.json", text), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`issue "x": no utility for "b", "c": worth 0`,
		"weights sum to 0.9, not 1: used as written",
		`reservationBid leaves out "y": worth 0 there`,
	}
	if diff := cmp.Diff(want, p.Notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	if p.Reservation != 0.5 || !slices.Equal(bid, Bid{0, Absent}) {
		t.Errorf("reservation %v from bid %v, want 0.5 from [0 %d]", p.Reservation, bid, Absent)
	}
	roundTrip(t, p, bid)
}

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
