package genius

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// maxFileSize bounds what is read into memory; the largest GENIUS file
// published (a tournament log) is about 2 MB.
const maxFileSize = 64 << 20

// kind is what a file holds, told from its content.
type kind int

const (
	kindOther      kind = iota // not a domain or a party: skipped by ReadFolder
	kindDomain                 // issues and values only
	kindAdditive               // item evaluations, evaluators and weights
	kindNonlinear              // ANAC 2014 hyperrectangles
	kindConstraint             // rank-based rules, not supported
)

// document is one parsed file.
type document struct {
	path string
	root *element
	kind kind
	why  string // for kindOther: why the file is not a party
}

// load reads and classifies one file.
func load(path string) (*document, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.ENotFound, File: path, Message: "cannot read", Err: err}
	}
	if fi.Size() > maxFileSize {
		return nil, &shuttle.Error{Code: shuttle.ETooLarge, File: path, Message: fmt.Sprintf("%d bytes is more than %d", fi.Size(), maxFileSize)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.ENotFound, File: path, Message: "cannot read", Err: err}
	}
	return classify(path, data)
}

// classify decides what a file holds. A file whose issues carry no
// evaluation, evaluator or weight is a domain, whatever its root is called:
// older domain files have a bare <utility_space> root.
func classify(path string, data []byte) (*document, error) {
	root, text, err := parseXML(path, data)
	if err != nil {
		return nil, err
	}
	doc := &document{path: path, root: root}
	if root == nil {
		if !text {
			doc.why = "holds no XML element"
			return doc, nil
		}
		if _, err := parsePareto(path, data); err != nil {
			return nil, shuttle.InFile(path, 1, "", "not XML, nor a frontier listing of \"u1, u2\" lines")
		}
		doc.why = "a Pareto frontier listing"
		return doc, nil
	}
	us := utilitySpace(root)
	if us == nil {
		doc.why = fmt.Sprintf("root <%s> holds no <utility_space>", root.name)
		return doc, nil
	}
	switch t, _ := us.attr("type"); strings.ToLower(strings.TrimSpace(t)) {
	case "nonlinear":
		doc.kind = kindNonlinear
		return doc, nil
	case "constraint":
		doc.kind = kindConstraint
		return doc, nil
	}
	doc.kind = kindDomain
	if holdsUtilities(us) {
		doc.kind = kindAdditive
	} else if obj := us.first("objective"); obj != nil && holdsUtilities(obj) {
		doc.kind = kindAdditive
	}
	return doc, nil
}

func holdsUtilities(obj *element) bool {
	if obj.first("weight") != nil {
		return true
	}
	for _, sub := range obj.all("objective") {
		if holdsUtilities(sub) {
			return true
		}
	}
	for _, is := range obj.all("issue") {
		if is.first("evaluator") != nil {
			return true
		}
		for _, it := range is.all("item") {
			if _, ok := it.attr("evaluation"); ok {
				return true
			}
		}
	}
	return false
}

// ReadDomain reads the domain a file declares. Profiles repeat their
// domain's issues, so a profile file also gives its domain; the nonlinear
// profiles of ANAC 2014 are often the only trustworthy declaration.
func ReadDomain(path string) (*space.Domain, error) {
	doc, err := load(path)
	if err != nil {
		return nil, err
	}
	if doc.root == nil || doc.kind == kindOther {
		return nil, shuttle.InFile(path, 0, "", "not a GENIUS domain: %s", doc.why)
	}
	return where{path}.domainOf(doc.root)
}

// ReadProfile reads one party's profile over domain d. With d nil the
// domain is the one the profile itself declares.
func ReadProfile(path string, d *space.Domain) (*utility.Profile, error) {
	doc, err := load(path)
	if err != nil {
		return nil, err
	}
	return doc.profile(d)
}

func (doc *document) profile(d *space.Domain) (*utility.Profile, error) {
	w := where{doc.path}
	switch doc.kind {
	case kindOther:
		return nil, shuttle.InFile(doc.path, 0, "", "not a GENIUS profile: %s", doc.why)
	case kindDomain:
		return nil, shuttle.InFile(doc.path, doc.root.line, "<"+doc.root.name+">", "a domain (no evaluations or weights), not a profile")
	case kindConstraint:
		return nil, &shuttle.Error{Code: shuttle.EUnsupported, File: doc.path, Line: doc.root.line, Field: "<utility_space>",
			Message: `type="constraint" profiles (ranks and rules, no utilities) are not supported`}
	}
	if d == nil {
		var err error
		if d, err = w.domainOf(doc.root); err != nil {
			return nil, err
		}
	}
	us := utilitySpace(doc.root)
	if doc.kind == kindNonlinear {
		return w.nonlinear(us, d)
	}
	return w.additive(us, d)
}

// ReadFolder reads a folder the way GENIUS pairs files: exactly one domain
// and one profile file per party, told apart by content. Files that are not
// parties are skipped: frontier listings (pareto.xml), tournament logs,
// empty files and the opponent models a GeniusBI profile names in its
// <opponent> element. A folder of nonlinear profiles needs no domain file,
// since those profiles declare their issues in full; two domain files are
// accepted when they declare the same issues. Profiles come in file-name
// order, and each must fit the domain.
func ReadFolder(dir string) (*space.Domain, []*utility.Profile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, &shuttle.Error{Code: shuttle.ENotFound, File: dir, Message: "cannot read folder", Err: err}
	}
	var domains, parties []*document
	opponents := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".xml") {
			continue
		}
		doc, err := load(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, nil, err
		}
		switch doc.kind {
		case kindDomain:
			domains = append(domains, doc)
		case kindAdditive, kindNonlinear, kindConstraint:
			parties = append(parties, doc)
			if ref := opponentModel(doc.root); ref != "" {
				opponents[ref] = true
			}
		}
	}
	kept := parties[:0]
	for _, doc := range parties {
		if !opponents[filepath.Base(doc.path)] {
			kept = append(kept, doc)
		}
	}
	parties = kept
	if len(parties) == 0 {
		return nil, nil, &shuttle.Error{Code: shuttle.ENotFound, File: dir, Message: "no GENIUS profile in the folder"}
	}
	d, err := folderDomain(dir, domains, parties)
	if err != nil {
		return nil, nil, err
	}
	profiles := make([]*utility.Profile, 0, len(parties))
	for _, doc := range parties {
		p, err := doc.profile(d)
		if err != nil {
			return nil, nil, err
		}
		profiles = append(profiles, p)
	}
	return d, profiles, nil
}

// opponentModel is the file name a GeniusBI profile gives for its model of
// the other side, or "".
func opponentModel(root *element) string {
	us := utilitySpace(root)
	if us == nil {
		return ""
	}
	opp := us.first("opponent")
	if opp == nil {
		return ""
	}
	us = opp.first("utilityspace")
	if us == nil {
		return ""
	}
	f, _ := us.attr("file")
	f = strings.TrimPrefix(strings.TrimSpace(f), "file:")
	if f == "" {
		return ""
	}
	return filepath.Base(filepath.FromSlash(f))
}

func folderDomain(dir string, domains, parties []*document) (*space.Domain, error) {
	if len(domains) == 0 {
		for _, p := range parties {
			if p.kind != kindNonlinear {
				return nil, &shuttle.Error{Code: shuttle.ENotFound, File: dir, Message: "no domain file (one whose issues carry no evaluations or weights)"}
			}
		}
		return where{parties[0].path}.domainOf(parties[0].root)
	}
	d, err := where{domains[0].path}.domainOf(domains[0].root)
	if err != nil {
		return nil, err
	}
	for _, doc := range domains[1:] {
		other, err := where{doc.path}.domainOf(doc.root)
		if err != nil {
			return nil, err
		}
		if !reflect.DeepEqual(d.Issues, other.Issues) {
			return nil, shuttle.InFile(dir, 0, "", "two different domain files: %s and %s", filepath.Base(domains[0].path), filepath.Base(doc.path))
		}
	}
	return d, nil
}
