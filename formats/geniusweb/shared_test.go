package geniusweb

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/internal/testenv"
)

// The GeniusWeb folders of shared/domains, and the ones that are refused.
var (
	sharedTops = []string{"geniusweb", "anl2023", "cse3210-2022", "geniusweb-python-tests"}
	refused    = map[string]struct{ code, file string }{
		// An ordering of bids, not utilities.
		"geniusweb-python-tests/jobs": {shuttle.EUnsupported, "jobs1partial.json"},
		// GeniusWeb runner settings, not a domain.
		"geniusweb-python-tests/protocol-settings": {shuttle.EUnsupported, "mopac.json"},
	}
)

// TestSharedFolders loads every GeniusWeb folder of shared/domains, checks
// the organisers' specials against the profiles read, and writes every
// profile back, comparing the utility of every outcome.
func TestSharedFolders(t *testing.T) {
	root := testenv.SharedDomains(t)
	loaded := 0
	for _, top := range sharedTops {
		entries, err := os.ReadDir(filepath.Join(root, top))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			rel := top + "/" + e.Name()
			dir := filepath.Join(root, top, e.Name())
			t.Run(rel, func(t *testing.T) {
				d, ps, err := ReadFolder(dir)
				if want, ok := refused[rel]; ok {
					checkOneLine(t, err, want.code)
					if !strings.Contains(err.Error(), want.file) {
						t.Errorf("error %q does not name %s", err, want.file)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				loaded++
				files := profileFiles(t, dir)
				if len(ps) != len(files) || len(ps) == 0 {
					t.Fatalf("%d profiles, want %d", len(ps), len(files))
				}
				for k, p := range ps {
					if p.Domain != d {
						t.Errorf("%s: not over the folder's domain", p.Name)
					}
					p2, bid, err := ReadProfileBid(files[k], d)
					if err != nil {
						t.Fatal(err)
					}
					if p2.Name != p.Name || p2.Reservation != p.Reservation {
						t.Errorf("%s: ReadProfileBid gives %s, reservation %v; ReadFolder %v", files[k], p2.Name, p2.Reservation, p.Reservation)
					}
					roundTrip(t, p, bid)
				}
				specials := filepath.Join(dir, "specials.json")
				if _, err := os.Stat(specials); err != nil {
					return
				}
				s, err := ReadSpecials(specials, d)
				if err != nil {
					t.Fatal(err)
				}
				if s.HasStats && uint64(s.Size) != must64(t, d) {
					t.Errorf("specials size %d, domain has %d outcomes", s.Size, must64(t, d))
				}
				for _, sp := range s.all() {
					for k, p := range ps {
						if u := p.Utility(sp.Outcome); math.Abs(u-sp.Utilities[k]) > 1e-9 {
							t.Errorf("%s: utility of %s is %v, specials.json says %v", p.Name, d.Format(sp.Outcome), u, sp.Utilities[k])
						}
					}
				}
			})
		}
	}
	if want := 54; loaded != want {
		t.Errorf("%d folders loaded, want %d", loaded, want)
	}
}

// TestSharedRefusedJobs reads the additive profiles of the folder refused
// for its partial ordering one by one.
func TestSharedRefusedJobs(t *testing.T) {
	dir := filepath.Join(testenv.SharedDomains(t), "geniusweb-python-tests", "jobs")
	d, err := ReadDomain(filepath.Join(dir, "jobs.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"jobs1.json", "jobs2.json"} {
		if _, err := ReadProfile(filepath.Join(dir, f), d); err != nil {
			t.Error(err)
		}
	}
	_, err = ReadProfile(filepath.Join(dir, "jobs1partial.json"), d)
	checkOneLine(t, err, shuttle.EUnsupported)
}

// profileFiles lists the LinearAdditiveUtilitySpace files of dir in name
// order, found by a plain text search independent of the reader.
func profileFiles(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), `"LinearAdditiveUtilitySpace"`) {
			out = append(out, p)
		}
	}
	return out
}

func must64(t *testing.T, d interface{ Count64() (uint64, bool) }) uint64 {
	t.Helper()
	n, ok := d.Count64()
	if !ok {
		t.Fatal("outcome count beyond uint64")
	}
	return n
}

// all lists every point of s.
func (s *Specials) all() []Special {
	pts := append([]Special(nil), s.ParetoFront...)
	for _, p := range []*Special{s.Nash, s.Kalai, s.SocialWelfare} {
		if p != nil {
			pts = append(pts, *p)
		}
	}
	return pts
}
