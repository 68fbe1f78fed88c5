package server

import (
	"regexp"

	"github.com/shuttle-mediation/shuttle"
)

// fileRef matches a key that makes package scenario read a file, and the
// escapes through which a double-quoted key could spell one.
var fileRef = regexp.MustCompile(`genius(web)?(_folder)?["']?\s*:|\\[xuU]`)

// refuseFileRefs refuses an uploaded scenario that could make the server read
// a file of its own: package scenario follows file references relative to
// the scenario, or absolute. The check is on the text, before any parsing,
// and errs on the side of refusing.
func refuseFileRefs(name string, data []byte) error {
	if loc := fileRef.FindIndex(data); loc != nil {
		line := 1
		for _, b := range data[:loc[0]] {
			if b == '\n' {
				line++
			}
		}
		return &shuttle.Error{Code: shuttle.EUnsupported, File: name + ".yaml", Line: line,
			Message: "uploaded scenarios must be inline: file references (genius, geniusweb) and escaped keys are refused"}
	}
	return nil
}
