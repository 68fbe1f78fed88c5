// Package formats reads a folder of negotiation files whatever its format:
// GENIUS XML (package formats/genius) or GeniusWeb JSON (package
// formats/geniusweb). The subpackages read and write each format.
package formats

import (
	"path/filepath"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/formats/genius"
	"github.com/shuttle-mediation/shuttle/formats/geniusweb"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Files lists the GENIUS (.xml) and GeniusWeb (.json) files of dir, sorted.
func Files(dir string) (xmls, jsons []string) {
	xmls, _ = filepath.Glob(filepath.Join(dir, "*.xml"))
	jsons, _ = filepath.Glob(filepath.Join(dir, "*.json"))
	return xmls, jsons
}

// ReadFolder reads the domain and profiles of dir in the format most of its
// files are in (GENIUS on a tie: its folders hold stray JSON less often than
// GeniusWeb folders hold XML), and lists the files of that format so that
// callers can tell what was read.
func ReadFolder(dir string) (*space.Domain, []*utility.Profile, []string, error) {
	xmls, jsons := Files(dir)
	read, files := genius.ReadFolder, xmls
	switch {
	case len(xmls) == 0 && len(jsons) == 0:
		return nil, nil, nil, shuttle.InFile(dir, 0, "", "folder holds no GENIUS (.xml) or GeniusWeb (.json) files")
	case len(xmls) < len(jsons):
		read, files = geniusweb.ReadFolder, jsons
	}
	d, ps, err := read(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	return d, ps, files, nil
}
