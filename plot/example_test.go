package plot_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/shuttle-mediation/shuttle/plot"
)

// A caller copies its analysis into a Plane: utilities per outcome, the
// frontier, the bargaining solutions and what happened in a negotiation.
func ExamplePlane() {
	p := &plot.Plane{
		Parties:     [2]string{"Buyer", "Seller"},
		Reservation: [2]float64{0.3, 0.25},
		Outcomes:    []plot.Point{{0.2, 0.9}, {0.5, 0.5}, {0.6, 0.7}, {0.9, 0.3}, {0.4, 0.4}},
		Frontier:    []plot.Point{{0.2, 0.9}, {0.6, 0.7}, {0.9, 0.3}},
		Nash:        &plot.Point{0.6, 0.7},
		Paths: []plot.Path{
			{Label: "mediator texts", Points: []plot.Point{{0.4, 0.4}, {0.5, 0.5}, {0.6, 0.7}}},
		},
		Agreement: &plot.Point{0.6, 0.7},
	}
	var svg strings.Builder
	if err := p.WriteSVG(&svg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println(strings.Contains(svg.String(), "<title>Utility space of Buyer and Seller</title>"))
	// Output: true
}

// Three or more parties: pass utility vectors, and the Grid draws one
// plane per pair.
func ExampleGrid() {
	g := &plot.Grid{
		Parties:  []string{"North", "South", "Capital"},
		Outcomes: [][]float64{{0.2, 0.9, 0.5}, {0.6, 0.7, 0.4}, {0.9, 0.3, 0.8}},
		Frontier: [][]float64{{0.2, 0.9, 0.5}, {0.6, 0.7, 0.4}, {0.9, 0.3, 0.8}},
		Pairs:    [][2]int{{0, 1}, {0, 2}},
	}
	if err := g.WriteSVG(os.Stdout); err != nil {
		fmt.Println(err)
	}
}

// Values the chart cannot draw are refused with the field at fault.
func ExampleBars_error() {
	b := &plot.Bars{
		Categories: []string{"shuttle", "single-text"},
		Series: []plot.BarSeries{{Label: "agreement rate", Values: []plot.Estimate{
			{Mean: 0.9, Low: 0.8, High: 0.95},
			{Mean: 0.7, Low: 0.75, High: 0.8},
		}}},
	}
	fmt.Println(b.WriteSVG(os.Stdout))
	// Output: plot: Bars.Series[0].Values[1] is mean 0.7 in [0.75, 0.8], want Low ≤ Mean ≤ High
}
