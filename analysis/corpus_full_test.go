//go:build !race

package analysis

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpus runs the corpus checks on every folder of shared/domains the
// readers accept: brute force on the additive ones of at most 10^6
// outcomes (two parties: the first two profiles; the multilateral ANAC
// 2015 domains: all), the organisers' answers where a specials.json
// exists, and GENIUS's frontier on every ANAC 2014 nonlinear domain. It
// takes some seconds, so it is left out of -race runs; TestTestdata runs
// the same checks on a few folders always.
func TestCorpus(t *testing.T) {
	root := sharedDomains(t)
	if root == "" {
		t.Skip("no shared/domains beside the module")
	}
	folders := 0
	err := filepath.WalkDir(root, func(dir string, de fs.DirEntry, err error) error {
		if err != nil || !de.IsDir() || !holdsProfiles(dir) {
			return err
		}
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			_, profiles, err := readFolder(dir)
			if err != nil {
				t.Logf("not analysed: the reader refuses the folder: %v", err)
				return
			}
			folders++
			if !strings.Contains(rel, "y2015") && len(profiles) > 2 {
				profiles = profiles[:2]
			}
			checkFolder(t, dir, profiles)
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if folders < 100 {
		t.Errorf("analysed %d folders; shared/domains has well over 100", folders)
	}
}

// holdsProfiles reports whether a folder has domain or profile files of
// its own.
func holdsProfiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".xml" || ext == ".json") {
			return true
		}
	}
	return false
}
