package genius

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/shuttle-mediation/shuttle/space"
)

// seeds adds every file of testdata to a fuzz corpus.
func seeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.xml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(tinyDomain))
	f.Add([]byte(profile(colour, count, w12)))
	f.Add([]byte(nonlinearProfile(`<hyperRectangle utility="3"><EXCLUDES index="2" min="1" max="2"/></hyperRectangle>`)))
}

func FuzzReadDomain(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := classify("fuzz.xml", data)
		if err != nil || doc.root == nil {
			return
		}
		d, err := where{"fuzz.xml"}.domainOf(doc.root)
		if err != nil {
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("accepted an invalid domain: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteDomain(&buf, d); err != nil {
			return // names XML cannot carry
		}
		back, err := classify("back.xml", buf.Bytes())
		if err != nil {
			t.Fatalf("reading the written domain: %v\n%s", err, buf.String())
		}
		if _, err := (where{"back.xml"}).domainOf(back.root); err != nil {
			t.Fatalf("reading the written domain: %v\n%s", err, buf.String())
		}
	})
}

func FuzzReadProfile(f *testing.F) {
	seeds(f)
	fixed := &space.Domain{Name: "tiny", Issues: []space.Issue{
		{Name: "Colour", Kind: space.Discrete, Values: []string{"red", "blue"}},
		{Name: "Count", Kind: space.Integer, Min: 0, Max: 4},
	}}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := classify("fuzz.xml", data)
		if err != nil {
			return
		}
		for _, d := range []*space.Domain{nil, fixed} {
			p, err := doc.profile(d)
			if err != nil {
				continue
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("accepted an invalid profile: %v", err)
			}
			var buf bytes.Buffer
			if err := WriteProfile(&buf, p); err != nil {
				continue // e.g. a profile whose weights underflow when written
			}
			back, err := classify("back.xml", buf.Bytes())
			if err != nil {
				t.Fatalf("reading the written profile: %v\n%s", err, buf.String())
			}
			q, err := back.profile(p.Domain)
			if err != nil {
				t.Fatalf("reading the written profile: %v\n%s", err, buf.String())
			}
			outcomes := sample(p.Domain, p, 1)
			for _, o := range outcomes[:min(64, len(outcomes))] {
				if u, v := p.Utility(o), q.Utility(o); u-v > 1e-12 || v-u > 1e-12 {
					t.Fatalf("%s: utility %.17g read back as %.17g", p.Domain.Format(o), u, v)
				}
			}
		}
	})
}
