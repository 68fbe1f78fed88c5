package negotiate_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// confideDomain is a small domain with a discrete and an integer issue.
var confideDomain = &space.Domain{Name: "deal", Issues: []space.Issue{
	{Name: "price", Kind: space.Discrete, Values: []string{"low", "high"}},
	{Name: "count", Kind: space.Integer, Min: 1, Max: 3},
}}

const (
	goodWeights = `"weights":{"price":3,"count":1}`
	goodEvals   = `"evaluations":{"price":{"low":1,"high":0},"count":{"1":0,"2":0.5,"3":1}}`
)

// TestParseConfided reads confidences people write: each level with what it
// carries, and each fault refused with the field named.
func TestParseConfided(t *testing.T) {
	tests := []struct {
		name, data string
		want       string // "" when it must read
	}{
		{"full", `{"level":"full",` + goodWeights + `,` + goodEvals + `,"reservation":0.3,"constraints":[{"issue":"price","allowed":["low"]}]}`, ""},
		{"weights", `{"level":"weights",` + goodWeights + `}`, ""},
		{"musthaves", `{"level":"musthaves","reservation":0.5,"constraints":[{"issue":"count","allowed":["2","3"]}]}`, ""},
		{"musthaves without constraints", `{"level":"musthaves","reservation":0}`, ""},
		{"none", `{"level":"none"}`, ""},
		{"hyper", `{"level":"full","hyper":{"max":2,"rects":[{"utility":2,"box":{"price":["low","low"]}}]},"reservation":0.1}`, ""},

		{"not json", `{"level":`, "unexpected EOF"},
		{"unknown field", `{"level":"none","colour":1}`, `unknown field "colour"`},
		{"trailing data", `{"level":"none"} {}`, "data after the confidence"},
		{"no level", `{` + goodWeights + `}`, `level: unknown confide level ""`},
		{"unknown level", `{"level":"most"}`, `level: unknown confide level "most"`},
		{"full without evaluations", `{"level":"full",` + goodWeights + `,"reservation":0.3}`, `evaluations: level "full" needs`},
		{"full without weights", `{"level":"full",` + goodEvals + `,"reservation":0.3}`, "evaluations without weights"},
		{"full without reservation", `{"level":"full",` + goodWeights + `,` + goodEvals + `}`, `reservation: level "full" needs one`},
		{"weights without weights", `{"level":"weights"}`, `weights: level "weights" needs them`},
		{"weights with evaluations", `{"level":"weights",` + goodWeights + `,` + goodEvals + `}`, `evaluations: not part of level "weights"`},
		{"weights with reservation", `{"level":"weights",` + goodWeights + `,"reservation":0.2}`, `reservation: not part of level "weights"`},
		{"musthaves with weights", `{"level":"musthaves",` + goodWeights + `,"reservation":0.2}`, `weights: not part of level "musthaves"`},
		{"musthaves without reservation", `{"level":"musthaves","constraints":[]}`, `reservation: level "musthaves" needs one`},
		{"none with constraints", `{"level":"none","constraints":[]}`, `constraints: not part of level "none"`},
		{"unknown issue weight", `{"level":"weights","weights":{"price":1,"count":1,"colour":1}}`, `weights: domain "deal" has no issue "colour"`},
		{"weight missing", `{"level":"weights","weights":{"price":1}}`, `weights: issue "count" missing`},
		{"negative weight", `{"level":"weights","weights":{"price":-1,"count":1}}`, `weights: issue "price": weight -1 is not a non-negative number`},
		{"zero weights", `{"level":"weights","weights":{"price":0,"count":0}}`, "weights: all issue weights are zero"},
		{"rating above 1", `{"level":"full",` + goodWeights + `,"evaluations":{"price":{"low":1.5,"high":0},"count":{"1":0,"2":0.5,"3":1}},"reservation":0.3}`, `evaluations: issue "price": evaluation 1.5 of "low" is outside [0,1]`},
		{"negative rating", `{"level":"full",` + goodWeights + `,"evaluations":{"price":{"low":1,"high":-0.5},"count":{"1":0,"2":0.5,"3":1}},"reservation":0.3}`, `evaluations: issue "price": evaluation -0.5 of "high"`},
		{"unknown value", `{"level":"full",` + goodWeights + `,"evaluations":{"price":{"low":1,"high":0,"free":1},"count":{"1":0,"2":0.5,"3":1}},"reservation":0.3}`, `evaluations: issue "price" has no value "free"`},
		{"value not rated", `{"level":"full",` + goodWeights + `,"evaluations":{"price":{"low":1,"high":0},"count":{"1":0,"3":1}},"reservation":0.3}`, `evaluations: issue "count": value "2" not rated`},
		{"value rated twice", `{"level":"full",` + goodWeights + `,"evaluations":{"price":{"low":1,"high":0},"count":{"1":0,"01":0,"2":0.5,"3":1}},"reservation":0.3}`, `evaluations: issue "count": value "1" rated twice`},
		{"issue not rated", `{"level":"full",` + goodWeights + `,"evaluations":{"price":{"low":1,"high":0}},"reservation":0.3}`, `evaluations: issue "count" missing`},
		{"reservation above 1", `{"level":"musthaves","reservation":1.5}`, "reservation 1.5 outside [0,1]"},
		{"negative reservation", `{"level":"musthaves","reservation":-0.1}`, "reservation -0.1 outside [0,1]"},
		{"constraint on no issue", `{"level":"musthaves","reservation":0.5,"constraints":[{"issue":"colour","allowed":["red"]}]}`, `constraints[0]: domain "deal" has no issue "colour"`},
		{"constraint on no value", `{"level":"musthaves","reservation":0.5,"constraints":[{"issue":"price","allowed":["free"]}]}`, `constraints[0]: issue "price" has no value "free"`},
		{"constraint allowing nothing", `{"level":"musthaves","reservation":0.5,"constraints":[{"issue":"price","allowed":[]}]}`, `constraints[0]: issue "price" allows no value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := negotiate.ParseConfided(confideDomain, []byte(tt.data))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one with %q", err, tt.want)
			case err != nil:
				return
			}
			// What is read writes as an event and reads back the same.
			e := negotiate.Event{Seq: 1, From: "A", To: negotiate.MediatorName, Kind: negotiate.KindConfide, Confided: c}
			b, err := negotiate.MarshalEvent(confideDomain, &e)
			if err != nil {
				t.Fatal(err)
			}
			back, err := negotiate.UnmarshalEvent(confideDomain, b)
			if err != nil {
				t.Fatalf("written %s does not read: %v", b, err)
			}
			again, err := negotiate.MarshalEvent(confideDomain, &back)
			if err != nil || !bytes.Equal(b, again) {
				t.Fatalf("round trip changed %s into %s (%v)", b, again, err)
			}
		})
	}
}

// TestParseConfidedNumbers checks what a full confidence means: weights
// divided by their sum, ratings and reservation as written, must-haves as
// constraints.
func TestParseConfidedNumbers(t *testing.T) {
	c, err := negotiate.ParseConfided(confideDomain, []byte(`{"level":"full",`+goodWeights+`,`+goodEvals+`,"reservation":0.3,"constraints":[{"issue":"price","allowed":["low"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	a, ok := c.Func.(*utility.Additive)
	if !ok {
		t.Fatalf("function %T, want additive", c.Func)
	}
	if !slices.Equal(c.Weights, []float64{0.75, 0.25}) || !slices.Equal(a.Weights, c.Weights) {
		t.Errorf("weights %v (function's %v), want [0.75 0.25]", c.Weights, a.Weights)
	}
	if !slices.Equal(a.Evals[1], []float64{0, 0.5, 1}) || c.Reservation != 0.3 {
		t.Errorf("count rated %v, reservation %g", a.Evals[1], c.Reservation)
	}
	if len(c.Constraints) != 1 || c.Constraints[0].Issue != 0 || !slices.Equal(c.Constraints[0].Allowed, []bool{true, false}) {
		t.Errorf("constraints %+v", c.Constraints)
	}
	if u := a.Utility(space.Outcome{0, 1}); u != 0.875 {
		t.Errorf("utility of (low, 2) = %g, want 0.875", u)
	}
	// Weights that already sum to 1 are kept to the last bit.
	third := 1.0 / 3
	c, err = negotiate.ParseConfided(confideDomain, []byte(`{"level":"weights","weights":{"price":0.6666666666666666,"count":0.3333333333333333}}`))
	if err != nil || c.Weights[1] != third {
		t.Errorf("weights %v (%v), want the second to stay %v", c.Weights, err, third)
	}
}
