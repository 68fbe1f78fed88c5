package cli

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/formats"
	"github.com/shuttle-mediation/shuttle/formats/geniusweb"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// input is what analyze and simulate read: a domain with its profiles, and
// the scenario when the path was one.
type input struct {
	domain   *space.Domain
	profiles []*utility.Profile
	scenario *scenario.Scenario
}

// load reads PATH in whichever form it comes: a scenario file, a GENIUS
// folder of XML files, a GeniusWeb folder of JSON files, or a single
// GeniusWeb profile that embeds its domain.
func load(path string) (*input, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.ENotFound, File: path, Message: "cannot read", Err: unwrapPath(err)}
	}
	if fi.IsDir() {
		return loadFolder(path)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		sc, err := scenario.Load(path)
		if err != nil {
			return nil, err
		}
		ps := make([]*utility.Profile, len(sc.Parties))
		for i := range sc.Parties {
			ps[i] = sc.Parties[i].Profile
		}
		return &input{domain: sc.Domain, profiles: ps, scenario: sc}, nil
	case ".json":
		p, err := geniusweb.ReadProfile(path, nil)
		if err != nil {
			return nil, err
		}
		return &input{domain: p.Domain, profiles: []*utility.Profile{p}}, nil
	}
	return nil, shuttle.InFile(path, 0, "", "not a scenario (.yaml), a GeniusWeb profile (.json) or a folder of GENIUS or GeniusWeb files")
}

func loadFolder(dir string) (*input, error) {
	d, ps, _, err := formats.ReadFolder(dir)
	if err != nil {
		return nil, err
	}
	return &input{domain: d, profiles: ps}, nil
}

// unwrapPath drops the *PathError wrapper whose path the message repeats.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
