package scenario

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/formats/genius"
	"github.com/shuttle-mediation/shuttle/formats/geniusweb"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Keys that reference files instead of inline content.
var (
	domainRefs  = []string{"genius", "geniusweb", "genius_folder", "geniusweb_folder"}
	profileRefs = []string{"genius", "geniusweb"}
)

// folder is a GENIUS or GeniusWeb folder the domain was read from; parties
// pick their profiles in it by file name.
type folder struct {
	format string // "genius" or "geniusweb"
	path   string
}

// refPath reads a file reference, relative to the scenario file's folder.
func (r *reader) refPath(e entry) (string, error) {
	p, err := r.name(e)
	if err != nil {
		return "", err
	}
	if !r.refs {
		return "", &shuttle.Error{Code: shuttle.EUnsupported, File: r.file, Line: r.lines[e.path], Field: e.path, Message: "file references are not followed here"}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.dir, p)
	}
	return p, nil
}

// refError places the error of a referenced file at the reference.
func (r *reader) refError(e entry, err error) error {
	return &shuttle.Error{Code: shuttle.ErrorCode(err), File: r.file, Line: r.lines[e.path], Field: e.path, Err: err}
}

func (r *reader) readDomain(e entry) (*space.Domain, error) {
	p, err := r.refPath(e)
	if err != nil {
		return nil, err
	}
	var d *space.Domain
	switch e.key {
	case "genius":
		d, err = genius.ReadDomain(p)
	case "geniusweb":
		d, err = geniusweb.ReadDomain(p)
	case "genius_folder":
		// The folder's profiles are read again as parties pick them; reading
		// them all here checks that the folder is consistent.
		d, _, err = genius.ReadFolder(p)
	case "geniusweb_folder":
		d, _, err = geniusweb.ReadFolder(p)
	}
	if err != nil {
		return nil, r.refError(e, err)
	}
	if strings.HasSuffix(e.key, "_folder") {
		r.folder = &folder{format: strings.TrimSuffix(e.key, "_folder"), path: p}
	}
	return d, nil
}

// readProfile reads a referenced profile over the scenario's domain. When
// the domain came from a folder, the reference is a file name in it.
func (r *reader) readProfile(e entry) (*utility.Profile, error) {
	var path string
	if f := r.folder; f != nil {
		name, err := r.name(e)
		if err != nil {
			return nil, err
		}
		if e.key != f.format {
			return nil, r.fail(e.path, e.val, "the domain is a %s folder: pick a profile with %s: FILE", f.format, f.format)
		}
		path = filepath.Join(f.path, name)
		if filepath.Base(name) != name || !isFile(path) {
			return nil, r.fail(e.path, e.val, "folder %s has no file %q (it has %s)", f.path, name, strings.Join(filesIn(f.path, f.format), ", "))
		}
	} else {
		var err error
		if path, err = r.refPath(e); err != nil {
			return nil, err
		}
	}
	var (
		p   *utility.Profile
		err error
	)
	switch e.key {
	case "genius":
		p, err = genius.ReadProfile(path, r.s.Domain)
	case "geniusweb":
		p, err = geniusweb.ReadProfile(path, r.s.Domain)
	}
	if err != nil {
		return nil, r.refError(e, err)
	}
	return p, nil
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// filesIn lists the files of a format in a folder, for messages.
func filesIn(dir, format string) []string {
	ext := map[string]string{"genius": ".xml", "geniusweb": ".json"}[format]
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, de := range entries {
		if !de.IsDir() && strings.EqualFold(filepath.Ext(de.Name()), ext) {
			names = append(names, de.Name())
		}
	}
	return names
}
