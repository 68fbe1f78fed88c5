package geniusweb

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle"
)

// addSeeds adds every JSON file of testdata and a few broken texts.
func addSeeds(f *testing.F) {
	f.Helper()
	err := filepath.WalkDir("testdata", func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		f.Add(data)
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"", "{", "[]", "null", `{"name": "d", "issuesValues": {"x": {"range": {"low": 0.1, "high": 0.5, "step": 0.2}}}}`,
		`{"name": "d", "issuesValues": {"x": {"range": {"low": -3, "high": 3, "step": 1.5}}, "y": {"values": ["a"]}}}`,
	} {
		f.Add([]byte(s))
	}
}

// checkFuzzError requires a one-line *shuttle.Error naming the file.
func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	var e *shuttle.Error
	if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "fuzz.json") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("bad error %#v: %q", err, err)
	}
}

// FuzzReadDomain: any input is refused with a one-line error or gives a
// valid domain that writes and reads back as itself.
func FuzzReadDomain(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := parseDoc("fuzz.json", data)
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		d, err := doc.domain(doc.root)
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("domain read is invalid: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteDomain(&buf, d); err != nil {
			t.Fatalf("write: %v", err)
		}
		doc, err = parseDoc("written.json", buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		d2, err := doc.domain(doc.root)
		if err != nil {
			t.Fatalf("read written: %v\n%s", err, buf.String())
		}
		if d2.Name != d.Name || len(d2.Issues) != len(d.Issues) {
			t.Fatalf("domain %q of %d issues read back as %q of %d", d.Name, len(d.Issues), d2.Name, len(d2.Issues))
		}
		for i := range d.Issues {
			if d2.Issues[i].Name != d.Issues[i].Name || !sameIssue(&d.Issues[i], &d2.Issues[i]) {
				t.Fatalf("issue %+v read back as %+v", d.Issues[i], d2.Issues[i])
			}
		}
	})
}

// FuzzReadProfile: any input is refused with a one-line error or gives a
// valid profile that writes and reads back with the same utilities.
func FuzzReadProfile(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := parseDoc("fuzz.json", data)
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		p, bid, err := doc.profile(nil, "")
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("profile read is invalid: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteProfile(&buf, p, bid); err != nil {
			t.Fatalf("write: %v", err)
		}
		doc, err = parseDoc("written.json", buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		q, _, err := doc.profile(p.Domain, "")
		if err != nil {
			t.Fatalf("read written: %v\n%s", err, buf.String())
		}
		if q.Reservation != p.Reservation {
			t.Fatalf("reservation %v read back as %v", p.Reservation, q.Reservation)
		}
		r := rand.New(rand.NewPCG(1, 2))
		o := p.Domain.NewOutcome()
		for range 100 {
			p.Domain.Random(r, o)
			if u, v := p.Utility(o), q.Utility(o); math.Abs(u-v) > 1e-12 {
				t.Fatalf("utility of %s is %v, read back %v", p.Domain.Format(o), u, v)
			}
		}
	})
}
