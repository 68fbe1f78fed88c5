package analysis

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/shuttle-mediation/shuttle/formats/genius"
	"github.com/shuttle-mediation/shuttle/formats/geniusweb"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// This file checks the analysis against real domains: against brute
// force, against the organisers' answers of ANL 2023 and CSE3210 2022
// (specials.json), and against the frontiers GENIUS computed for ANAC 2014
// (pareto.xml). TestTestdata runs the checks on the copies in testdata/;
// corpus_full_test.go runs them on all of shared/domains.

// geniusPrecision is how far GENIUS's pareto.xml may differ from exact
// utilities: it wrote them as float32, 7 significant digits.
const geniusPrecision = 1e-7

// organisersPrecision is how far the utilities in specials.json may differ
// from exact ones: they are rounded to 5 decimals.
const organisersPrecision = 1e-5

// readFolder reads a GeniusWeb folder when it holds JSON files, a GENIUS
// folder otherwise.
func readFolder(dir string) (*space.Domain, []*utility.Profile, error) {
	if m, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(m) > 0 {
		return geniusweb.ReadFolder(dir)
	}
	return genius.ReadFolder(dir)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// checkFolder runs on one folder every check its files allow.
func checkFolder(t *testing.T, dir string, profiles []*utility.Profile) {
	t.Helper()
	if exists(filepath.Join(dir, "pareto.xml")) {
		checkGeniusPareto(t, dir, profiles)
	}
	if exists(filepath.Join(dir, "specials.json")) {
		checkSpecials(t, dir, profiles)
	}
	if additiveAll(profiles) && smallSpace(profiles, 1_000_000) {
		checkEnumerate(t, profiles)
	}
}

func additiveAll(profiles []*utility.Profile) bool {
	for _, p := range profiles {
		if p.Additive() == nil {
			return false
		}
	}
	return true
}

func smallSpace(profiles []*utility.Profile, limit uint64) bool {
	n, ok := profiles[0].Domain.Count64()
	return ok && n <= limit
}

// checkEnumerate compares the issue-by-issue analysis with Enumerate.
func checkEnumerate(t *testing.T, profiles []*utility.Profile) {
	t.Helper()
	got, err := Analyze(profiles, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := Enumerate(profiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Frontier) != len(want.Frontier) {
		t.Fatalf("frontier of %d points, enumeration %d", len(got.Frontier), len(want.Frontier))
	}
	for x := range got.Frontier {
		g, w := &got.Frontier[x], &want.Frontier[x]
		if !nearVec(g.Utilities, w.Utilities) || g.Ties != w.Ties {
			t.Fatalf("point %d: %v×%d, enumeration %v×%d", x, g.Utilities, g.Ties, w.Utilities, w.Ties)
		}
	}
	for _, c := range []struct {
		name      string
		got, want *Point
	}{{"Nash", got.Nash, want.Nash}, {"Kalai", got.Kalai, want.Kalai}, {"egalitarian", got.Egalitarian, want.Egalitarian}, {"max welfare", got.MaxWelfare, want.MaxWelfare}} {
		if (c.got == nil) != (c.want == nil) || c.got != nil && !nearVec(c.got.Utilities, c.want.Utilities) {
			t.Errorf("%s point %+v, enumeration %+v", c.name, c.got, c.want)
		}
	}
}

// checkSpecials compares the analysis with the organisers' answers. Their
// disagreement point is (0,0) whatever the reservation bids, so the
// profiles are analysed with reservation 0; their Kalai point is the
// frontier point with the least |uA−uB|, which is compared with that point
// of shuttle's frontier rather than with shuttle's own Kalai point (see
// the package documentation).
func checkSpecials(t *testing.T, dir string, profiles []*utility.Profile) {
	t.Helper()
	sp, err := geniusweb.ReadSpecials(filepath.Join(dir, "specials.json"), profiles[0].Domain)
	if err != nil {
		t.Fatal(err)
	}
	zero := make([]*utility.Profile, len(profiles))
	for j, p := range profiles {
		c := *p
		c.Reservation = 0
		zero[j] = &c
	}
	res, err := Analyze(zero, Options{})
	if err != nil {
		t.Fatal(err)
	}
	close := func(a, b []float64) bool {
		for j := range a {
			if math.Abs(a[j]-b[j]) > organisersPrecision {
				return false
			}
		}
		return true
	}
	for _, s := range sp.ParetoFront {
		if !pointsContain(res.Frontier, s.Utilities, close) {
			t.Errorf("organisers' frontier point %v is not on shuttle's", s.Utilities)
		}
	}
	for _, p := range res.Frontier {
		found := false
		for _, s := range sp.ParetoFront {
			found = found || close(p.Utilities, s.Utilities)
		}
		if !found {
			t.Errorf("frontier point %v is not on the organisers' frontier", p.Utilities)
		}
	}
	product := func(u []float64) float64 { return u[0] * u[1] }
	if d := math.Abs(product(res.Nash.Utilities) - product(sp.Nash.Utilities)); d > 2*organisersPrecision {
		t.Errorf("Nash %v, organisers %v", res.Nash.Utilities, sp.Nash.Utilities)
	}
	gap := func(u []float64) float64 { return math.Abs(u[0] - u[1]) }
	least := res.Frontier[0].Utilities
	for _, p := range res.Frontier {
		if gap(p.Utilities) < gap(least) {
			least = p.Utilities
		}
	}
	if math.Abs(gap(least)-gap(sp.Kalai.Utilities)) > 2*organisersPrecision {
		t.Errorf("frontier point with the least |uA−uB| %v, organisers' Kalai %v", least, sp.Kalai.Utilities)
	}
	if sp.SocialWelfare != nil {
		sum := func(u []float64) float64 { return u[0] + u[1] }
		if math.Abs(sum(res.MaxWelfare.Utilities)-sum(sp.SocialWelfare.Utilities)) > 2*organisersPrecision {
			t.Errorf("max welfare %v, organisers %v", res.MaxWelfare.Utilities, sp.SocialWelfare.Utilities)
		}
	}
}

func pointsContain(front []Point, u []float64, eq func(a, b []float64) bool) bool {
	for _, p := range front {
		if eq(p.Utilities, u) {
			return true
		}
	}
	return false
}

// checkGeniusPareto checks that the frontier weakly dominates every point
// of the one GENIUS computed, and says by how much it falls short if not.
func checkGeniusPareto(t *testing.T, dir string, profiles []*utility.Profile) {
	t.Helper()
	ref, err := genius.ReadPareto(filepath.Join(dir, "pareto.xml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Analyze(profiles, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Shortfall(ref); s > geniusPrecision {
		res.Notes = append(res.Notes, fmt.Sprintf("GENIUS's frontier lies beyond this one by up to %.3g", s))
		t.Errorf("frontier (exact %v, %d points) falls short of GENIUS's by %g; notes %q", res.Exact, len(res.Frontier), s, res.Notes)
	}
	for _, p := range res.Frontier {
		for j, pr := range profiles {
			if u := pr.Utility(p.Outcome); u != p.Utilities[j] {
				t.Fatalf("point %v: representative is worth %v to %q", p.Utilities, u, pr.Name)
			}
		}
	}
}

// TestTestdata runs the corpus checks on the folders copied into testdata
// (see testdata/SOURCE.md): two- and three-party additive domains, one
// where GENIUS's cap at 1 binds, an ANL 2023 domain with its specials and
// an ANAC 2014 nonlinear domain with GENIUS's frontier.
func TestTestdata(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, dir := range dirs {
		if !isDir(dir) || filepath.Base(dir) == "rapid" {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			_, profiles, err := readFolder(dir)
			if err != nil {
				t.Fatal(err)
			}
			checkFolder(t, dir, profiles)
		})
	}
	if n < 5 {
		t.Fatalf("%d folders in testdata, want the 5 SOURCE.md lists", n)
	}
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// sharedDomains is shared/domains beside the module root, or "" when the
// checkout has no shared data beside it.
func sharedDomains(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for !exists(filepath.Join(dir, "go.mod")) {
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package")
		}
		dir = parent
	}
	root := filepath.Join(dir, "..", "shared", "domains")
	if !isDir(root) {
		return ""
	}
	return root
}
