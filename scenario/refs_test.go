package scenario

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/formats/genius"
	"github.com/shuttle-mediation/shuttle/formats/geniusweb"
	"github.com/shuttle-mediation/shuttle/internal/testenv"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Every ANAC 2011 GENIUS folder and every GeniusWeb folder of shared/domains
// loads as a scenario naming its folder, with each party picking its
// profile by file name, and gives the utilities of the format's reader.
func TestSharedFolders(t *testing.T) {
	shared := testenv.SharedDomains(t)
	formats := []struct {
		format string
		root   string
		ext    string
		read   func(string) (*space.Domain, []*utility.Profile, error)
	}{
		{"genius", filepath.Join(shared, "anac", "y2011"), ".xml", genius.ReadFolder},
		{"geniusweb", filepath.Join(shared, "geniusweb"), ".json", geniusweb.ReadFolder},
	}
	for _, f := range formats {
		dirs, err := os.ReadDir(f.root)
		if err != nil {
			t.Fatal(err)
		}
		for _, de := range dirs {
			dir := filepath.Join(f.root, de.Name())
			t.Run(f.format+"/"+de.Name(), func(t *testing.T) {
				d, ps, err := f.read(dir)
				if err != nil {
					t.Fatalf("the %s reader refuses the folder: %v", f.format, err)
				}
				var b strings.Builder
				fmt.Fprintf(&b, "domain: {%s_folder: %q}\nparties:\n", f.format, dir)
				files, _ := filepath.Glob(filepath.Join(dir, "*"+f.ext))
				for _, file := range files {
					// A profile file names its domain; the domain file does not
					// read as a profile.
					if _, err := readProfileFile(f.format, file, d); err == nil {
						fmt.Fprintf(&b, "  - {name: %q, profile: {%s: %q}}\n", filepath.Base(file), f.format, filepath.Base(file))
					}
				}
				s, err := Parse(filepath.Join(t.TempDir(), "s.yaml"), []byte(b.String()))
				if err != nil {
					t.Fatal(err)
				}
				if len(s.Domain.Issues) != len(d.Issues) || len(s.Parties) != len(ps) {
					t.Fatalf("%d issues, %d parties; want %d, %d", len(s.Domain.Issues), len(s.Parties), len(d.Issues), len(ps))
				}
				o := s.Domain.NewOutcome()
				for k := 0; k < 500; k++ {
					for i := range ps {
						if got, want := s.Parties[i].Profile.Utility(o), ps[i].Utility(o); got != want {
							t.Fatalf("party %d at %s: %v, want %v", i, s.Domain.Format(o), got, want)
						}
					}
					if !s.Domain.Next(o) {
						break
					}
				}
			})
		}
	}
}

func readProfileFile(format, path string, d *space.Domain) (*utility.Profile, error) {
	if format == "genius" {
		return genius.ReadProfile(path, d)
	}
	return geniusweb.ReadProfile(path, d)
}

func TestReferenceErrors(t *testing.T) {
	dir := t.TempDir()
	lap, err := filepath.Abs("../examples/genius/Laptop")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, yaml, want string
		code             string
	}{
		{"missing domain file", "domain: {genius: nowhere.xml}\nparties: []\n",
			"s.yaml:1: domain.genius: ", shuttle.ENotFound},
		{"profile not in folder", "domain: {genius_folder: " + lap + "}\nparties:\n  - {name: a, profile: {genius: buyer.xml}}\n  - {name: b, profile: {genius: laptop_seller_utility.xml}}\n",
			`s.yaml:3: parties[0].profile.genius: folder ` + lap + ` has no file "buyer.xml" (it has laptop_buyer_utility.xml, laptop_domain.xml, laptop_seller_utility.xml)`, shuttle.EInvalid},
		{"wrong format for folder", "domain: {genius_folder: " + lap + "}\nparties:\n  - {name: a, profile: {geniusweb: x.json}}\n  - {name: b, profile: {genius: laptop_seller_utility.xml}}\n",
			"s.yaml:3: parties[0].profile.geniusweb: the domain is a genius folder: pick a profile with genius: FILE", shuttle.EInvalid},
		{"two references", "domain: {genius: a.xml, geniusweb: b.json}\nparties: []\n",
			"s.yaml:1: domain.geniusweb: only one of genius, geniusweb, genius_folder, geniusweb_folder may be given", shuttle.EInvalid},
		{"reference and issues", "domain: {genius: " + lap + "/laptop_domain.xml, issues: {a: [x]}}\nparties: []\n",
			"s.yaml:1: domain: a genius reference takes no other keys", shuttle.EInvalid},
		{"file and inline ratings", "domain: {genius: " + lap + "/laptop_domain.xml}\nparties:\n  - name: a\n    profile: {genius: " + lap + "/laptop_buyer_utility.xml, weights: {Laptop: 1}}\n  - {name: b, profile: {values: {Laptop: {Dell: 1}}}}\n",
			"s.yaml:4: parties[0].profile.weights: cannot be combined with a genius profile file", shuttle.EInvalid},
	}
	for _, tt := range tests {
		_, err := Parse(filepath.Join(dir, "s.yaml"), []byte(tt.yaml))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		got := strings.TrimPrefix(err.Error(), dir+string(filepath.Separator))
		if !strings.HasPrefix(got, tt.want) || strings.Contains(got, "\n") {
			t.Errorf("%s:\n got %s\nwant %s…", tt.name, got, tt.want)
		}
		if c := shuttle.ErrorCode(err); c != tt.code {
			t.Errorf("%s: code %q, want %q", tt.name, c, tt.code)
		}
	}
	// Fuzzing parses with references refused.
	if _, err := ParseInline("f.yaml", []byte("domain: {genius: /etc/passwd}\n")); shuttle.ErrorCode(err) != shuttle.EUnsupported {
		t.Errorf("a reference was followed with references off: %v", err)
	}
}
