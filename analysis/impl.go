package analysis

import (
	"errors"

	"github.com/shuttle-mediation/shuttle/utility"
)

// analyze is replaced by the real implementation.
func analyze(profiles []*utility.Profile, opt Options) (*Result, error) {
	return nil, errors.New("analysis: not implemented yet")
}
