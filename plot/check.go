package plot

import (
	"fmt"
	"math"
)

// checkUnit reports a value that is not a utility.
func checkUnit(field string, v float64) error {
	if !isUnit(v) {
		return fmt.Errorf("plot: %s is %v, not a utility in [0, 1]", field, v)
	}
	return nil
}

func isUnit(v float64) bool { return v >= -unitSlack && v <= 1+unitSlack }

// unitSlack tolerates the rounding error of utilities computed as weighted
// sums.
const unitSlack = 1e-9

// checkPoints reports the first coordinate of pts that is not a utility;
// the field name is only formatted then, as pts may be long.
func checkPoints(field string, pts []Point) error {
	for i, q := range pts {
		if !isUnit(q.X) {
			return checkUnit(fmt.Sprintf("%s[%d].X", field, i), q.X)
		}
		if !isUnit(q.Y) {
			return checkUnit(fmt.Sprintf("%s[%d].Y", field, i), q.Y)
		}
	}
	return nil
}

// checkVector reports a vector that is not one utility per party.
func checkVector(field string, v []float64, n int) error {
	if len(v) != n {
		return fmt.Errorf("plot: %s has %d values, want one per party (%d)", field, len(v), n)
	}
	for i, u := range v {
		if !isUnit(u) {
			return checkUnit(fmt.Sprintf("%s[%d]", field, i), u)
		}
	}
	return nil
}

// maxMagnitude bounds the values of Bars and Lines: far beyond any count
// or score, and small enough that axis arithmetic stays exact enough for
// round tick labels.
const maxMagnitude = 1e15

// checkFinite reports a value that cannot be charted.
func checkFinite(field string, v float64) error {
	if !finite(v) {
		return fmt.Errorf("plot: %s is %v, want a finite number of magnitude at most %g", field, v, maxMagnitude)
	}
	return nil
}

func finite(v float64) bool { return math.Abs(v) <= maxMagnitude }
