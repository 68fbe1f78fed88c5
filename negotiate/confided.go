package negotiate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/shuttle-mediation/shuttle/space"
)

// MarshalConfided is the JSON form of c, as the "confided" field of its
// event.
func MarshalConfided(d *space.Domain, c *Confided) ([]byte, error) {
	j, err := confidedToJSON(d, c)
	if err != nil {
		return nil, err
	}
	return json.Marshal(j)
}

// ParseConfided reads a confidence a person wrote, in the form of the
// "confided" field of an event, for domain d. It is stricter than the event
// reader, which takes back what the engine wrote: the level must carry what
// it stands for and nothing else —
//
//	full       reservation, and weights with evaluations (or hyper); constraints optional
//	weights    weights
//	musthaves  reservation; constraints optional
//	none       nothing
//
// — weights must name every issue and evaluations rate every value, in
// [0,1], and a constraint must allow some value. Weights are relative: they
// are divided by their sum, as a scenario file's are. Errors name the field.
func ParseConfided(d *space.Domain, data []byte) (*Confided, error) {
	var j confidedJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the confidence")
	}
	l, err := ParseLevel(j.Level)
	if err != nil {
		return nil, fmt.Errorf("level: %w", err)
	}
	if err := checkLevelFields(l, &j); err != nil {
		return nil, err
	}
	c, err := confidedFromJSON(d, &j)
	if err != nil {
		return nil, err
	}
	if err := checkComplete(d, &j); err != nil {
		return nil, err
	}
	var total float64
	for _, w := range c.Weights {
		total += w
	}
	// Weights that sum to 1 but for rounding are kept as they are, so that
	// a profile sent back unchanged stays the same to the last bit.
	if c.Weights != nil && math.Abs(total-1) > 1e-9 {
		for i := range c.Weights {
			c.Weights[i] /= total
		}
	}
	return c, nil
}

// checkLevelFields checks that a confidence at level l carries what l
// stands for and nothing more.
func checkLevelFields(l Level, j *confidedJSON) error {
	given := []struct {
		name string
		set  bool
	}{
		{"weights", j.Weights != nil}, {"evaluations", j.Evaluations != nil}, {"hyper", j.Hyper != nil},
		{"reservation", j.Reservation != nil}, {"constraints", j.Constraints != nil},
	}
	allowed := map[Level]map[string]bool{
		Full:      {"weights": true, "evaluations": true, "hyper": true, "reservation": true, "constraints": true},
		Weights:   {"weights": true},
		MustHaves: {"reservation": true, "constraints": true},
	}
	for _, f := range given {
		if f.set && !allowed[l][f.name] {
			return fmt.Errorf("%s: not part of level %q", f.name, l)
		}
	}
	switch {
	case l == Full && j.Evaluations == nil && j.Hyper == nil:
		return errors.New(`evaluations: level "full" needs weights and evaluations (or hyper)`)
	case (l == Full || l == MustHaves) && j.Reservation == nil:
		return fmt.Errorf("reservation: level %q needs one", l)
	case l == Weights && j.Weights == nil:
		return errors.New(`weights: level "weights" needs them`)
	}
	return nil
}

// checkComplete checks, once the names are known to be the domain's, that
// weights name every issue, evaluations rate every value once and every
// constraint allows some value.
func checkComplete(d *space.Domain, j *confidedJSON) error {
	for i := range d.Issues {
		is := &d.Issues[i]
		if _, ok := j.Weights[is.Name]; j.Weights != nil && !ok {
			return fmt.Errorf("weights: issue %q missing", is.Name)
		}
		m, ok := j.Evaluations[is.Name]
		if !ok {
			continue
		}
		rated := make([]bool, is.Size())
		for _, label := range sortedKeys(m) {
			v, _ := is.Lookup(label)
			if rated[v] {
				return fmt.Errorf("evaluations: issue %q: value %q rated twice", is.Name, label)
			}
			rated[v] = true
		}
		for v, ok := range rated {
			if !ok {
				return fmt.Errorf("evaluations: issue %q: value %q not rated", is.Name, is.Label(v))
			}
		}
	}
	for k, cj := range j.Constraints {
		if len(cj.Allowed) == 0 {
			return fmt.Errorf("constraints[%d]: issue %q allows no value", k, cj.Issue)
		}
	}
	return nil
}
