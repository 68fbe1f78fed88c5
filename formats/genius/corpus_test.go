package genius

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/internal/testenv"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// refusals lists the folders of shared/domains that must not load, with the
// error code and the message part that says why.
var refusals = map[string]struct{ code, message string }{
	"genius-templates/2nd_hand_car":                           {shuttle.EUnsupported, `car_dealer.xml:88: <issue>: issue type "price" is not supported`},
	"genius-templates/ANAC2015/group10-building_construction": {shuttle.EInvalid, "building_construction_util1.xml:2: <objective>: every issue weight is zero"},
	"genius-templates/Railway":                                {shuttle.EUnsupported, `Copy of MinisterProfile.xml:2: <utility_space>: type="constraint" profiles`},
}

// parties pins how many profiles folders whose files need telling apart
// hold.
var parties = map[string]int{
	"other/journal_learning/four_issues": 65, // + 3 tournament logs and the domain
	"other/journal_learning/six_issues":  70,
	"other/laptopdomain":                 3,
	"genius-escheck/nonlinear-simple":    4, // two identical domain files
	"geniusbi/neighbours":                3, // + 2 opponent models
	"geniusbi/neighbours_tr":             3,
	"geniusbi/EngZim":                    6,
	"anac/y2014/10issues":                2, // + pareto.xml
	"other/ItexvsCypressDomain":          20,
	"genius-templates/SON":               26,
	"genius-escheck/partydomain-AI2009":  24,
	"genius-templates/partydomain":       17, // 8 of type="UNCERTAIN"
}

// geniusFolders lists the folders of shared/domains that hold GENIUS XML.
func geniusFolders(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	for _, top := range []string{"anac", "other", "genius-templates", "genius-escheck", "geniusbi"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, de os.DirEntry, err error) error {
			if err != nil || !de.IsDir() {
				return err
			}
			if m, _ := filepath.Glob(filepath.Join(path, "*.xml")); len(m) > 0 {
				dirs = append(dirs, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dirs
}

// TestCorpus loads every GENIUS folder of shared/domains, or sees it refused
// for its documented reason, and round-trips every profile loaded.
func TestCorpus(t *testing.T) {
	root := testenv.SharedDomains(t)
	dirs := geniusFolders(t, root)
	if len(dirs) < 95 {
		t.Fatalf("found %d GENIUS folders under %s, expected about 100", len(dirs), root)
	}
	seen := map[string]bool{}
	for _, dir := range dirs {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		t.Run(rel, func(t *testing.T) {
			d, ps, err := ReadFolder(dir)
			if want, refused := refusals[rel]; refused {
				if err == nil {
					t.Fatalf("loaded; want refusal %q", want.message)
				}
				if code := shuttle.ErrorCode(err); code != want.code || !strings.Contains(err.Error(), want.message) {
					t.Fatalf("error %q (%s), want %s containing %q", err, code, want.code, want.message)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n, ok := parties[rel]; ok && len(ps) != n {
				t.Errorf("%d profiles, want %d", len(ps), n)
			}
			roundTripFolder(t, d, ps)
		})
	}
	for rel := range refusals {
		if !seen[rel] {
			t.Errorf("refusal listed for %s, which is not a folder", rel)
		}
	}
}

// roundTripFolder writes a folder's domain and profiles and reads them back:
// the domain must be the same and every profile must give the same utility
// to every outcome (to a sample where there are too many).
func roundTripFolder(t *testing.T, d *space.Domain, ps []*utility.Profile) {
	t.Helper()
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := WriteDomain(&buf, d); err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, dir, "domain.xml", buf.String())
	back, err := ReadDomain(path)
	if err != nil {
		t.Fatalf("reading the written domain: %v", err)
	}
	if !reflect.DeepEqual(back.Issues, d.Issues) {
		t.Fatalf("domain changed in the round trip:\n%+v\n%+v", d.Issues, back.Issues)
	}
	for k, p := range ps {
		buf.Reset()
		if err := WriteProfile(&buf, p); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		path := writeFile(t, dir, p.Name+".xml", buf.String())
		q, err := ReadProfile(path, back)
		if err != nil {
			t.Fatalf("%s: reading the written profile: %v", p.Name, err)
		}
		if q.Reservation != p.Reservation || q.Discount != p.Discount {
			t.Errorf("%s: reservation %g, discount %g became %g, %g", p.Name, p.Reservation, p.Discount, q.Reservation, q.Discount)
		}
		sameUtilities(t, p, q, sample(d, p, uint64(k)))
	}
}

func sameUtilities(t *testing.T, p, q *utility.Profile, outcomes []space.Outcome) {
	t.Helper()
	for _, o := range outcomes {
		if u, v := p.Utility(o), q.Utility(o); u-v > 1e-12 || v-u > 1e-12 {
			t.Fatalf("%s: %s is worth %.17g, %.17g after the round trip", p.Name, p.Domain.Format(o), u, v)
		}
	}
}

// sample is every outcome of a small domain, or a random sample of a large
// one together with, for a nonlinear profile, an outcome inside each of its
// rectangles.
func sample(d *space.Domain, p *utility.Profile, seed uint64) []space.Outcome {
	const all, some = 2048, 256
	var out []space.Outcome
	if n, ok := d.Count64(); ok && n <= all {
		o := d.NewOutcome()
		for {
			out = append(out, o.Clone())
			if !d.Next(o) {
				return out
			}
		}
	}
	r := rand.New(rand.NewPCG(seed, 7))
	for range some {
		o := d.NewOutcome()
		d.Random(r, o)
		out = append(out, o)
	}
	if h, ok := p.Func.(*utility.Hyper); ok {
		for _, rect := range h.Rects {
			o := d.NewOutcome()
			d.Random(r, o)
			for j, i := range rect.Issues {
				o[i] = rect.Lo[j] + r.IntN(rect.Hi[j]-rect.Lo[j]+1)
			}
			out = append(out, o)
		}
	}
	return out
}
