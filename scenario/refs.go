package scenario

import (
	"os"
	"path/filepath"
	"slices"
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

// folder is a GENIUS or GeniusWeb folder the domain was read from; its
// profiles are picked by file name.
type folder struct {
	format   string // "genius" or "geniusweb"
	path     string
	profiles map[string]*utility.Profile // by file name
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
	var (
		d  *space.Domain
		ps []*utility.Profile
	)
	switch e.key {
	case "genius":
		d, err = genius.ReadDomain(p)
	case "geniusweb":
		d, err = geniusweb.ReadDomain(p)
	case "genius_folder":
		d, ps, err = genius.ReadFolder(p)
	case "geniusweb_folder":
		d, ps, err = geniusweb.ReadFolder(p)
	}
	if err != nil {
		return nil, r.refError(e, err)
	}
	if ps != nil {
		f := &folder{format: strings.TrimSuffix(e.key, "_folder"), path: p, profiles: map[string]*utility.Profile{}}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, r.refError(e, err)
		}
		// The readers give profiles in file-name order, named after their
		// files; match them to the files to index them by file name.
		for _, de := range entries {
			stem := strings.TrimSuffix(de.Name(), filepath.Ext(de.Name()))
			if i := slices.IndexFunc(ps, func(q *utility.Profile) bool { return q.Name == stem }); i >= 0 {
				f.profiles[de.Name()] = ps[i]
			}
		}
		r.folder = f
	}
	return d, nil
}

// readProfile reads a referenced profile over the scenario's domain. When
// the domain came from a folder, the reference is a file name in it.
func (r *reader) readProfile(e entry) (*utility.Profile, error) {
	if f := r.folder; f != nil {
		name, err := r.name(e)
		if err != nil {
			return nil, err
		}
		if e.key != f.format {
			return nil, r.fail(e.path, e.val, "the domain is a %s folder: pick a profile with %s: FILE", f.format, f.format)
		}
		p, ok := f.profiles[filepath.Base(name)]
		if !ok || filepath.Base(name) != name {
			names := make([]string, 0, len(f.profiles))
			for n := range f.profiles {
				names = append(names, n)
			}
			slices.Sort(names)
			return nil, r.fail(e.path, e.val, "folder %s has no profile %q (it has %s)", f.path, name, strings.Join(names, ", "))
		}
		c := *p
		c.Constraints = slices.Clone(p.Constraints)
		return &c, nil
	}
	path, err := r.refPath(e)
	if err != nil {
		return nil, err
	}
	var p *utility.Profile
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
