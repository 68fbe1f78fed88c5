package scenario

import (
	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

func (r *reader) readDomain(e entry) (*space.Domain, error) {
	return nil, &shuttle.Error{Code: shuttle.EUnsupported, File: r.file, Line: r.lines[e.path], Field: e.path, Message: "file references are not read yet"}
}

func (r *reader) readProfile(e entry) (*utility.Profile, error) {
	return nil, &shuttle.Error{Code: shuttle.EUnsupported, File: r.file, Line: r.lines[e.path], Field: e.path, Message: "file references are not read yet"}
}
