package plot

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// chart is what every chart type implements.
type chart interface {
	WriteSVG(io.Writer) error
}

// space is a utility space read from testdata: party names and one utility
// vector per outcome.
type space struct {
	parties []string
	rows    [][]float64
}

func readSpace(t testing.TB, name string) space {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	s := space{parties: recs[0]}
	for i, rec := range recs[1:] {
		row := make([]float64, len(rec))
		for j, field := range rec {
			if row[j], err = strconv.ParseFloat(field, 64); err != nil {
				t.Fatalf("%s:%d: %v", name, i+2, err)
			}
		}
		s.rows = append(s.rows, row)
	}
	return s
}

// dominates reports whether a is at least as good as b for every party and
// better for one.
func dominates(a, b []float64) bool {
	better := false
	for i := range a {
		if a[i] < b[i] {
			return false
		}
		better = better || a[i] > b[i]
	}
	return better
}

// frontierOf is the brute-force Pareto frontier of rows, each distinct
// vector once, in input order.
func frontierOf(rows [][]float64) [][]float64 {
	var out [][]float64
next:
	for i, a := range rows {
		for j, b := range rows {
			if dominates(b, a) || j < i && equal(a, b) {
				continue next
			}
		}
		out = append(out, a)
	}
	return out
}

func equal(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// best is the first row with the highest score among those at or above
// every reservation value.
func best(rows [][]float64, res []float64, score func(u []float64) float64) []float64 {
	var arg []float64
	top := math.Inf(-1)
rows:
	for _, u := range rows {
		for i := range u {
			if u[i] < res[i] {
				continue rows
			}
		}
		if s := score(u); s > top {
			arg, top = u, s
		}
	}
	return arg
}

// solutions are the bargaining solutions of a space, for the pictures; the
// analysis package computes them for real.
func solutions(rows [][]float64, res []float64) (nash, kalai, egal, welfare []float64) {
	ideal := make([]float64, len(res))
	for _, u := range rows {
		for i := range u {
			ideal[i] = max(ideal[i], u[i])
		}
	}
	minOver := func(f func(i int, u []float64) float64) func(u []float64) float64 {
		return func(u []float64) float64 {
			m := math.Inf(1)
			for i := range u {
				m = min(m, f(i, u))
			}
			return m
		}
	}
	nash = best(rows, res, func(u []float64) float64 {
		p := 1.0
		for i := range u {
			p *= u[i] - res[i]
		}
		return p
	})
	kalai = best(rows, res, minOver(func(i int, u []float64) float64 { return (u[i] - res[i]) / (ideal[i] - res[i]) }))
	egal = best(rows, res, minOver(func(i int, u []float64) float64 { return u[i] - res[i] }))
	welfare = best(rows, res, func(u []float64) float64 {
		s := 0.0
		for _, v := range u {
			s += v
		}
		return s
	})
	return nash, kalai, egal, welfare
}

// climb is a made-up mediator: from start, it moves to the nearest outcome
// that raises the product of utilities by at least 0.03, until none does.
func climb(rows [][]float64, start []float64) [][]float64 {
	prod := func(u []float64) float64 {
		p := 1.0
		for _, v := range u {
			p *= v
		}
		return p
	}
	path := [][]float64{start}
	for cur := start; ; {
		var next []float64
		dist := math.Inf(1)
		for _, u := range rows {
			if prod(u) < prod(cur)+0.03 {
				continue
			}
			d := 0.0
			for i := range u {
				d += (u[i] - cur[i]) * (u[i] - cur[i])
			}
			if d < dist {
				next, dist = u, d
			}
		}
		if next == nil {
			return path
		}
		path = append(path, next)
		cur = next
	}
}

// alternate is a made-up negotiation by alternating offers: at round t each
// party offers the outcome nearest above its target 1 − step·t (the way a
// time-dependent agent concedes), until one's offer meets the other's
// target; that offer is the agreement.
func alternate(rows [][]float64, step float64) (a, b [][]float64, agreement []float64) {
	offer := func(me int, target float64) []float64 {
		return best(rows, []float64{0, 0}, func(u []float64) float64 {
			if u[me] < target {
				return math.Inf(-1)
			}
			return -u[me]
		})
	}
	for t := 0; ; t++ {
		target := 1 - step*float64(t)
		a = append(a, offer(0, target))
		if a[len(a)-1][1] >= target {
			return a, b, a[len(a)-1]
		}
		b = append(b, offer(1, target))
		if b[len(b)-1][0] >= target {
			return a, b, b[len(b)-1]
		}
	}
}

func toPoints(rows [][]float64) []Point {
	pts := make([]Point, len(rows))
	for i, u := range rows {
		pts[i] = Point{u[0], u[1]}
	}
	return pts
}

func toPoint(u []float64) *Point { return &Point{u[0], u[1]} }

func mediatedPlane(t testing.TB) *Plane {
	s := readSpace(t, "englandzimbabwe.csv")
	res := []float64{0.35, 0.3}
	nash, kalai, egal, welfare := solutions(s.rows, res)
	texts := climb(s.rows, s.rows[251])
	return &Plane{
		Subtitle:    "ANAC 2010 England–Zimbabwe, 576 outcomes; reservation values and mediator illustrative",
		Parties:     [2]string{s.parties[0], s.parties[1]},
		Reservation: [2]float64{res[0], res[1]},
		Outcomes:    toPoints(s.rows),
		Frontier:    toPoints(frontierOf(s.rows)),
		Nash:        toPoint(nash),
		Kalai:       toPoint(kalai),
		Egalitarian: toPoint(egal),
		MaxWelfare:  toPoint(welfare),
		Paths:       []Path{{Label: "mediator texts", Points: toPoints(texts)}},
		Agreement:   toPoint(texts[len(texts)-1]),
	}
}

func offersPlane(t testing.TB) *Plane {
	s := readSpace(t, "englandzimbabwe.csv")
	a, b, agreement := alternate(s.rows, 0.03)
	nash, _, _, _ := solutions(s.rows, []float64{0, 0})
	return &Plane{
		Title:     "Alternating offers: England and Zimbabwe",
		Subtitle:  "ANAC 2010 England–Zimbabwe; offers illustrative (linear time-dependent concession)",
		Parties:   [2]string{s.parties[0], s.parties[1]},
		Outcomes:  toPoints(s.rows),
		Frontier:  toPoints(frontierOf(s.rows)),
		Nash:      toPoint(nash),
		Paths:     []Path{{Label: "offers by England", Points: toPoints(a)}, {Label: "offers by Zimbabwe", Points: toPoints(b)}},
		Agreement: toPoint(agreement),
	}
}

func dinnerGrid(t testing.TB) *Grid {
	s := readSpace(t, "dinner.csv")
	res := []float64{0.2, 0.3, 0.25}
	nash, kalai, egal, welfare := solutions(s.rows, res)
	texts := climb(s.rows, s.rows[7])
	return &Grid{
		Subtitle:    "ANAC 2015 dinner, 1200 outcomes; reservation values and mediator illustrative",
		Parties:     s.parties,
		Reservation: res,
		Outcomes:    s.rows,
		Frontier:    frontierOf(s.rows),
		Nash:        nash,
		Kalai:       kalai,
		Egalitarian: egal,
		MaxWelfare:  welfare,
		Paths:       []VectorPath{{Label: "mediator texts", Points: texts}},
		Agreement:   texts[len(texts)-1],
	}
}

func protocolBars() *Bars {
	est := func(m, h float64) Estimate { return Estimate{Mean: m, Low: max(m-h, 0), High: min(m+h, 1)} }
	return &Bars{
		Title:      "Agreement rate per protocol",
		Subtitle:   "mean and 95% confidence interval over 50 runs per cell (illustrative numbers)",
		XLabel:     "protocol",
		YLabel:     "agreement rate",
		Categories: []string{"shuttle", "single-text", "alternating-offers", "blind-bidding"},
		Series: []BarSeries{
			{Label: "confided profiles", Values: []Estimate{est(0.94, 0.05), est(0.88, 0.07), est(0.71, 0.11), est(0.52, 0.13)}},
			{Label: "objections only", Values: []Estimate{est(0.86, 0.08), est(0.8, 0.09), {Missing: true}, est(0.49, 0.12)}},
			{Label: "votes only", Values: []Estimate{est(0.78, 0.1), est(0.83, 0.08), {Missing: true}, est(0.44, 0.13)}},
		},
		YMin: 0, YMax: 1,
	}
}

func scoreBars() *Bars {
	return &Bars{
		Title:  "Score per strategy relative to the baseline",
		YLabel: "score difference",
		Categories: []string{
			"Boulware (e = 0.2)", "Conceder (e = 2)", "tit-for-tat, relative", "hardliner", "random walk",
			"linear concession", "Nash seeker",
		},
		Series: []BarSeries{{Values: []Estimate{
			{Mean: 0.12, Low: 0.07, High: 0.17}, {Mean: -0.08, Low: -0.14, High: -0.02}, {Mean: 0.03, Low: -0.02, High: 0.08},
			{Mean: -0.21, Low: -0.3, High: -0.12}, {Mean: -0.05, Low: -0.05, High: -0.05}, {Mean: 0, Low: -0.04, High: 0.04},
			{Mean: 0.09, Low: 0.05, High: 0.13},
		}}},
	}
}

func exposureLines() *Lines {
	return &Lines{
		Title:    "Exposure during implementation",
		Subtitle: "items delivered ahead of the other side, per day (illustrative)",
		XLabel:   "day",
		YLabel:   "items delivered ahead",
		Series: []Series{
			{Label: "party A ahead", Step: true, Points: []Point{{0, 0}, {1, 20}, {2, 20}, {3, 45}, {4, 60}, {5, 60}, {6, 30}, {7, 10}, {8, 0}, {10, 0}}},
			{Label: "party B ahead", Step: true, Points: []Point{{0, 0}, {1, 0}, {2, 15}, {3, 0}, {6, 0}, {7, 0}, {8, 25}, {9, 5}, {10, 0}}},
		},
		Events: []Event{{X: 4, Label: "breach by B"}, {X: 6, Label: "ruling: cure by day 8"}},
		YMin:   0,
		YMax:   70,
	}
}

func utilityLines() *Lines {
	var series []Series
	for p, name := range []string{"Dinner_util1", "Dinner_util2", "Dinner_util3"} {
		s := Series{Label: name}
		for r := 1; r <= 30; r++ {
			// Concessions converging on an agreement, with a stall mid-way.
			u := 0.35 + 0.1*float64(p) + 0.4*(1-math.Exp(-float64(r)/8))
			if r > 12 && r < 18 {
				u -= 0.05
			}
			s.Points = append(s.Points, Point{float64(r), min(u, 1)})
		}
		series = append(series, s)
	}
	return &Lines{
		Title:  "Utility of the mediator's text per round",
		XLabel: "round",
		YLabel: "utility",
		Series: series,
		YMin:   0,
		YMax:   1,
	}
}

// goldens are the charts kept in testdata/NAME.svg.
func goldens(t testing.TB) []struct {
	name  string
	chart chart
} {
	return []struct {
		name  string
		chart chart
	}{
		{"plane_mediated", mediatedPlane(t)},
		{"plane_offers", offersPlane(t)},
		{"plane_empty", &Plane{}},
		{"plane_edges", &Plane{
			Title:       "Edge values",
			Parties:     [2]string{"A", "B"},
			Reservation: [2]float64{1, 0.02},
			Outcomes:    []Point{{0, 0}, {1, 1}, {0, 1}, {1, 0}, {0.5, 0.5}, {0.5, 0.5}},
			Frontier:    []Point{{1, 1}},
			Nash:        &Point{1, 1}, Kalai: &Point{1, 1}, Egalitarian: &Point{1, 1}, MaxWelfare: &Point{1, 1},
			Paths:     []Path{{Points: []Point{{0, 0}}}, {Points: []Point{{0.5, 0.5}, {0.5, 0.5}, {1, 1}}}},
			Agreement: &Point{1, 1},
		}},
		{"grid_dinner", dinnerGrid(t)},
		{"bars_protocols", protocolBars()},
		{"bars_scores", scoreBars()},
		{"bars_empty", &Bars{Title: "No runs yet"}},
		{"lines_exposure", exposureLines()},
		{"lines_utilities", utilityLines()},
		{"lines_empty", &Lines{Title: "Nothing yet", Series: []Series{{Label: "empty"}}}},
	}
}

func render(t testing.TB, c chart) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := c.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for _, g := range goldens(t) {
		t.Run(g.name, func(t *testing.T) {
			got := render(t, g.chart)
			if again := render(t, g.chart); !bytes.Equal(got, again) {
				t.Fatal("two renderings of the same chart differ")
			}
			checkSVG(t, got)
			path := filepath.Join("testdata", g.name+".svg")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./plot -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s; look at both, then run go test ./plot -update if the change is right", path)
			}
		})
	}
}

// checkSVG fails unless b is well-formed XML with an svg root that has a
// viewBox, holds no script and no number that failed to format.
func checkSVG(t testing.TB, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	root := true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root {
				if se.Name.Local != "svg" || se.Name.Space != "http://www.w3.org/2000/svg" || attr(se, "viewBox") == "" {
					t.Fatalf("root element %v has no SVG namespace or viewBox", se.Name)
				}
				root = false
			}
			if se.Name.Local == "script" || se.Name.Local == "foreignObject" {
				t.Fatalf("output contains a <%s> element", se.Name.Local)
			}
			// Attributes hold only numbers and names chosen by the package;
			// labels are character data.
			for _, a := range se.Attr {
				for _, bad := range []string{"NaN", "Inf", "%!"} {
					if strings.Contains(a.Value, bad) {
						t.Fatalf("<%s %s=%q>", se.Name.Local, a.Name.Local, a.Value)
					}
				}
			}
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// texts returns the character data of every element of the document.
func texts(t *testing.T, b []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var all strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return all.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			all.Write(cd)
			all.WriteByte('\n')
		}
	}
}

const hostile = `<script>alert("x")</script> & Tom's “deal” ’ é 文 ]]> <!--`

// hostileCharts put the hostile string in every label of every chart type.
func hostileCharts() []chart {
	pt := &Point{0.5, 0.5}
	return []chart{
		&Plane{Title: hostile, Subtitle: hostile, Parties: [2]string{hostile, hostile}, Reservation: [2]float64{0.3, 0.4},
			Outcomes: []Point{*pt}, Paths: []Path{{Label: hostile, Points: []Point{*pt, {0.7, 0.6}}}}, Nash: pt},
		&Grid{Title: hostile, Subtitle: hostile, Parties: []string{hostile, hostile, hostile},
			Reservation: []float64{0.1, 0.2, 0.3}, Outcomes: [][]float64{{0.2, 0.3, 0.4}},
			Paths: []VectorPath{{Label: hostile, Points: [][]float64{{0.2, 0.3, 0.4}}}}},
		&Bars{Title: hostile, Subtitle: hostile, XLabel: hostile, YLabel: hostile, Categories: []string{hostile, hostile},
			Series: []BarSeries{{Label: hostile, Values: []Estimate{{Mean: 1, Low: 0, High: 2}, {Missing: true}}}}},
		&Lines{Title: hostile, Subtitle: hostile, XLabel: hostile, YLabel: hostile,
			Series: []Series{{Label: hostile, Points: []Point{{0, 1}, {1, 2}}}}, Events: []Event{{X: 0.5, Label: hostile}}},
	}
}

func TestHostileLabels(t *testing.T) {
	for i, c := range hostileCharts() {
		b := render(t, c)
		checkSVG(t, b)
		if !strings.Contains(texts(t, b), hostile) {
			t.Errorf("chart %d: the hostile label does not survive escaping intact", i)
		}
		if bytes.Contains(b, []byte("<script")) {
			t.Errorf("chart %d: unescaped <script in output", i)
		}
	}
}

func TestRejects(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name  string
		chart chart
		field string // the error must name it
	}{
		{"plane NaN outcome", &Plane{Outcomes: []Point{{0.5, 0.5}, {nan, 0.2}}}, "Plane.Outcomes[1].X"},
		{"plane utility above 1", &Plane{Frontier: []Point{{0.5, 1.2}}}, "Plane.Frontier[0].Y"},
		{"plane negative reservation", &Plane{Reservation: [2]float64{0, -0.1}}, "Plane.Reservation[1]"},
		{"plane infinite mark", &Plane{Kalai: &Point{math.Inf(1), 0}}, "Plane.Kalai[0].X"},
		{"plane path", &Plane{Paths: []Path{{}, {Points: []Point{{0, nan}}}}}, "Plane.Paths[1].Points[0].Y"},
		{"plane agreement", &Plane{Agreement: &Point{0, -1}}, "Plane.Agreement[0].Y"},
		{"grid one party", &Grid{Parties: []string{"A"}}, "Grid.Parties"},
		{"grid short vector", &Grid{Parties: []string{"A", "B", "C"}, Outcomes: [][]float64{{0, 0, 0}, {0, 0}}}, "Grid.Outcomes[1]"},
		{"grid NaN", &Grid{Parties: []string{"A", "B"}, Frontier: [][]float64{{0, nan}}}, "Grid.Frontier[0][1]"},
		{"grid reservation", &Grid{Parties: []string{"A", "B"}, Reservation: []float64{0.1}}, "Grid.Reservation"},
		{"grid mark", &Grid{Parties: []string{"A", "B"}, MaxWelfare: []float64{0.1, 2}}, "Grid.MaxWelfare[1]"},
		{"grid path", &Grid{Parties: []string{"A", "B"}, Paths: []VectorPath{{Points: [][]float64{{0.1}}}}}, "Grid.Paths[0].Points[0]"},
		{"grid pair out of range", &Grid{Parties: []string{"A", "B"}, Pairs: [][2]int{{0, 1}, {0, 2}}}, "Grid.Pairs[1]"},
		{"grid pair with itself", &Grid{Parties: []string{"A", "B"}, Pairs: [][2]int{{1, 1}}}, "Grid.Pairs[0]"},
		{"grid no pairs", &Grid{Parties: []string{"A", "B"}, Pairs: [][2]int{}}, "Grid.Pairs"},
		{"bars length", &Bars{Categories: []string{"a", "b"}, Series: []BarSeries{{Values: []Estimate{{}}}}}, "Bars.Series[0].Values"},
		{"bars NaN", &Bars{Categories: []string{"a"}, Series: []BarSeries{{Values: []Estimate{{Mean: nan}}}}}, "Bars.Series[0].Values[0].Mean"},
		{"bars interval", &Bars{Categories: []string{"a"}, Series: []BarSeries{{Values: []Estimate{{Mean: 2, Low: 0, High: 1}}}}}, "Bars.Series[0].Values[0]"},
		{"bars huge", &Bars{Categories: []string{"a"}, Series: []BarSeries{{Values: []Estimate{{High: 1e300}}}}}, "Bars.Series[0].Values[0].High"},
		{"bars range", &Bars{YMax: math.Inf(1)}, "Bars.YMax"},
		{"lines NaN", &Lines{Series: []Series{{Points: []Point{{0, 0}, {1, nan}}}}}, "Lines.Series[0].Points[1].Y"},
		{"lines order", &Lines{Series: []Series{{Points: []Point{{2, 0}, {1, 0}}}}}, "Lines.Series[0].Points[1].X"},
		{"lines event", &Lines{Events: []Event{{X: nan}}}, "Lines.Events[0].X"},
		{"lines range", &Lines{YMin: nan}, "Lines.YMin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := tt.chart.WriteSVG(&b)
			if err == nil {
				t.Fatal("accepted")
			}
			if msg := err.Error(); !strings.Contains(msg, tt.field) || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "plot: ") {
				t.Errorf("error %q: want one line starting with plot: and naming %s", msg, tt.field)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes before failing", b.Len())
			}
		})
	}
}

// TestEdgeCases checks inputs at the limits that must draw, not fail.
func TestEdgeCases(t *testing.T) {
	same := make([]Point, 1000)
	for i := range same {
		same[i] = Point{0.3, 0.3}
	}
	tests := []struct {
		name  string
		chart chart
		// dots is the number of cloud dots expected, -1 to skip
		dots int
	}{
		{"plane no points", &Plane{}, 0},
		{"plane one point", &Plane{Outcomes: []Point{{0.2, 0.9}}}, 1},
		{"plane identical points", &Plane{Outcomes: same, Frontier: same[:3]}, 1},
		{"plane rounding slack", &Plane{Outcomes: []Point{{1 + 1e-12, -1e-12}}}, 1},
		{"plane corners", &Plane{Outcomes: []Point{{0, 0}, {0, 1}, {1, 0}, {1, 1}}}, 4},
		{"grid two parties", &Grid{Parties: []string{"A", "B"}, Outcomes: [][]float64{{0, 1}}}, 1},
		{"grid chosen pairs", &Grid{Parties: []string{"", "", "", ""}, Pairs: [][2]int{{3, 0}}, Outcomes: [][]float64{{0, 0.1, 0.2, 1}}}, 1},
		{"bars one value", &Bars{Categories: []string{"x"}, Series: []BarSeries{{Values: []Estimate{{Mean: 3, Low: 3, High: 3}}}}}, -1},
		{"bars all zero", &Bars{Categories: []string{"x", "y"}, Series: []BarSeries{{Values: []Estimate{{}, {}}}}}, -1},
		{"bars categories no series", &Bars{Categories: []string{"x"}}, -1},
		{"bars negative only", &Bars{Categories: []string{"x"}, Series: []BarSeries{{Values: []Estimate{{Mean: -2e-7, Low: -3e-7, High: -1e-7}}}}}, -1},
		{"lines one point", &Lines{Series: []Series{{Points: []Point{{5, 5}}}}}, -1},
		{"lines identical points", &Lines{Series: []Series{{Step: true, Points: []Point{{1, 1}, {1, 1}, {1, 1}}}}}, -1},
		{"lines large values", &Lines{Series: []Series{{Points: []Point{{0, -1e15}, {1e15, 1e15}}}}}, -1},
		{"lines only events", &Lines{Events: []Event{{X: -3, Label: "start"}}}, -1},
		{"lines many series", &Lines{Series: make([]Series, 30)}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := render(t, tt.chart)
			checkSVG(t, b)
			if tt.dots >= 0 {
				if got := bytes.Count(b, []byte("h0")); got != tt.dots+frontierDots(tt.chart) {
					t.Errorf("%d dots, want %d", got, tt.dots)
				}
			}
		})
	}
}

// frontierDots is the number of frontier points a chart draws (one dot
// each, with the same zero-length segments as the cloud).
func frontierDots(c chart) int {
	if p, ok := c.(*Plane); ok {
		return len(p.Frontier)
	}
	return 0
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	err := (&Plane{}).WriteSVG(failingWriter{})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("got %v, want the writer's error wrapped", err)
	}
}

// TestCloudSize checks that a large cloud stays a modest file: 20,000
// points spread over the whole plane, the worst case for merging.
func TestCloudSize(t *testing.T) {
	b := render(t, &Plane{Outcomes: spread(20000)})
	checkSVG(t, b)
	if len(b) > 300_000 {
		t.Errorf("%d bytes for 20,000 points, want at most 300 kB", len(b))
	}
}

// spread is n points in [0,1]² from a fixed low-discrepancy sequence, so
// that tests and benchmarks need no random source.
func spread(n int) []Point {
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = Point{math.Mod(float64(i)*0.6180339887, 1), math.Mod(float64(i)*0.7548776662, 1)}
	}
	return pts
}

func TestReservationLabelKeepsValue(t *testing.T) {
	long := strings.Repeat("Ministry of Infrastructure ", 5)
	label := reservationLabel(long, 0.25, 11, 150)
	if !strings.HasSuffix(label, " reservation 0.25") || !strings.Contains(label, "…") {
		t.Errorf("label %q: want the name shortened and the value kept", label)
	}
}

// FuzzLabels puts arbitrary text in every label of one chart of each kind
// (chosen by kind) and checks that the output stays well-formed XML.
func FuzzLabels(f *testing.F) {
	for kind := range uint8(4) {
		f.Add(kind, hostile)
		f.Add(kind, "\x00\xff\ufffe\U0010FFFF\r\n\t")
	}
	f.Fuzz(func(t *testing.T, kind uint8, s string) {
		// Escaping does not depend on length; long inputs only slow the
		// search down (each label is kept whole in tooltips).
		if len(s) > 2000 {
			s = s[:2000]
		}
		var c chart
		switch kind % 4 {
		case 0:
			c = &Plane{Title: s, Parties: [2]string{s, s}, Reservation: [2]float64{0.5, 0.5}, Paths: []Path{{Label: s}}}
		case 1:
			c = &Grid{Subtitle: s, Parties: []string{s, s, s}, Nash: []float64{0.1, 0.2, 0.3}}
		case 2:
			c = &Bars{YLabel: s, Categories: []string{s}, Series: []BarSeries{{Label: s, Values: []Estimate{{Mean: 1, High: 1}}}}}
		default:
			c = &Lines{XLabel: s, Series: []Series{{Label: s}, {Label: s}}, Events: []Event{{Label: s}}}
		}
		checkSVG(t, render(t, c))
	})
}

func BenchmarkPlane20000(b *testing.B) {
	p := &Plane{Outcomes: spread(20000), Frontier: spread(200)}
	for b.Loop() {
		if err := p.WriteSVG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGrid4Parties20000(b *testing.B) {
	pts := spread(20000)
	rows := make([][]float64, len(pts))
	for i, q := range pts {
		rows[i] = []float64{q.X, q.Y, 1 - q.X, math.Mod(q.X+q.Y, 1)}
	}
	g := &Grid{Parties: []string{"A", "B", "C", "D"}, Outcomes: rows}
	for b.Loop() {
		if err := g.WriteSVG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
