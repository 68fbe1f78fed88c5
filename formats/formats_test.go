package formats

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle/internal/testenv"
)

func TestReadFolder(t *testing.T) {
	root := testenv.RepoRoot(t)
	mixed := t.TempDir()
	// A GeniusWeb folder with one stray XML file is still read as GeniusWeb.
	src := filepath.Join(root, "internal", "cli", "testdata", "anl2023-domain09")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(mixed, e.Name()), b, 0o644)
	}
	os.WriteFile(filepath.Join(mixed, "notes.xml"), []byte("<notes/>"), 0o644)

	tests := []struct {
		dir      string
		domain   string
		profiles int
		files    string // extension of the files read
		err      string
	}{
		{filepath.Join(root, "examples", "genius", "Laptop"), "laptop_domain", 2, ".xml", ""},
		{src, "domain09", 2, ".json", ""},
		{mixed, "domain09", 2, ".json", ""},
		{t.TempDir(), "", 0, "", "holds no GENIUS (.xml) or GeniusWeb (.json) files"},
	}
	for _, tt := range tests {
		d, ps, files, err := ReadFolder(tt.dir)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.dir, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.dir, err)
		}
		if d.Name != tt.domain || len(ps) != tt.profiles {
			t.Errorf("%s: domain %q with %d profiles, want %q with %d", tt.dir, d.Name, len(ps), tt.domain, tt.profiles)
		}
		if len(files) == 0 {
			t.Errorf("%s: no files listed", tt.dir)
		}
		for _, f := range files {
			if filepath.Ext(f) != tt.files {
				t.Errorf("%s: lists %s, want only %s files", tt.dir, f, tt.files)
			}
		}
	}
}
