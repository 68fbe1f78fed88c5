package plot

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// Grid is the utility space of three or more parties, drawn as one Plane per
// pair of parties. Points are utility vectors, one utility per party in the
// order of Parties; each panel shows two of their coordinates.
type Grid struct {
	Title    string // default "Utility space of A, B and C"
	Subtitle string
	Parties  []string // at least two
	// Reservation is nil or holds one value per party.
	Reservation []float64
	Outcomes    [][]float64
	// Frontier is the Pareto frontier of all the parties. In a panel its
	// points are dots, and those that are also Pareto-optimal for the pair
	// are joined by the pair's staircase.
	Frontier [][]float64
	// The bargaining solutions, as in Plane; nil when absent.
	Nash, Kalai, Egalitarian, MaxWelfare []float64
	Paths                                []VectorPath
	Agreement                            []float64 // nil when absent
	// Pairs chooses the panels, each (x-axis party, y-axis party) by index
	// into Parties. Nil means every pair i < j in order.
	Pairs [][2]int
}

// VectorPath is a labelled sequence of utility vectors in time order; see
// Path.
type VectorPath struct {
	Label  string
	Points [][]float64
}

// Layout of the panels.
const (
	gridPlot = 260.0 // side of a panel's plot area
	gridGap  = 28.0  // between panels
)

// WriteSVG writes the grid as an SVG document. It writes nothing and
// returns an error if the vectors do not have one finite utility in [0, 1]
// per party or a pair names a party that does not exist.
func (g *Grid) WriteSVG(out io.Writer) error {
	if err := g.validate(); err != nil {
		return err
	}
	n := len(g.Parties)
	names := make([]string, n)
	for i, name := range g.Parties {
		names[i] = partyName(name, i)
	}
	title := g.Title
	if title == "" {
		title = "Utility space of " + strings.Join(names[:n-1], ", ") + " and " + names[n-1]
	}
	pairs := g.Pairs
	if pairs == nil {
		for i := range n {
			for j := i + 1; j < n; j++ {
				pairs = append(pairs, [2]int{i, j})
			}
		}
	}
	cols := int(math.Ceil(math.Sqrt(float64(len(pairs)))))
	rows := (len(pairs) + cols - 1) / cols
	left := yTitleRoom(unitAxis(gridPlot))
	cellW, cellH := left+gridPlot+gridGap, gridPlot+planeBelow+gridGap
	top := headerHeight(title, g.Subtitle) + 8

	items, notes := g.legendContent().items()
	lx := margin + float64(cols)*cellW + 4
	width := lx + legendWidth + margin
	height := max(top+float64(rows)*cellH-gridGap, top+legendHeight(items, notes)) + margin
	return writeDoc(out, width, height, title, g.Subtitle, func(w *writer) {
		for k, pr := range pairs {
			area := box{
				x: margin + float64(k%cols)*cellW + left,
				y: top + float64(k/cols)*cellH,
				w: gridPlot, h: gridPlot,
			}
			p := g.project(pr)
			w.plane(&p, [2]string{names[pr[0]], names[pr[1]]}, area)
		}
		w.legend(lx, top, legendWidth, items, notes)
	})
}

func (g *Grid) marks() [4][]float64 {
	return [4][]float64{g.Nash, g.Kalai, g.Egalitarian, g.MaxWelfare}
}

func (g *Grid) validate() error {
	n := len(g.Parties)
	if n < 2 {
		return fmt.Errorf("plot: Grid.Parties has %d names, need at least 2", n)
	}
	if g.Reservation != nil {
		if err := checkVector("Grid.Reservation", g.Reservation, n); err != nil {
			return err
		}
	}
	for i, v := range g.Outcomes {
		if err := checkVector(fmt.Sprintf("Grid.Outcomes[%d]", i), v, n); err != nil {
			return err
		}
	}
	for i, v := range g.Frontier {
		if err := checkVector(fmt.Sprintf("Grid.Frontier[%d]", i), v, n); err != nil {
			return err
		}
	}
	for i, m := range g.marks() {
		if m != nil {
			if err := checkVector("Grid."+markFields[i], m, n); err != nil {
				return err
			}
		}
	}
	for k, path := range g.Paths {
		for i, v := range path.Points {
			if err := checkVector(fmt.Sprintf("Grid.Paths[%d].Points[%d]", k, i), v, n); err != nil {
				return err
			}
		}
	}
	if g.Agreement != nil {
		if err := checkVector("Grid.Agreement", g.Agreement, n); err != nil {
			return err
		}
	}
	for k, pr := range g.Pairs {
		if pr[0] < 0 || pr[0] >= n || pr[1] < 0 || pr[1] >= n || pr[0] == pr[1] {
			return fmt.Errorf("plot: Grid.Pairs[%d] is %v, need two different party indices in [0, %d)", k, pr, n)
		}
	}
	if g.Pairs != nil && len(g.Pairs) == 0 {
		return fmt.Errorf("plot: Grid.Pairs is empty, want nil (every pair) or at least one pair")
	}
	return nil
}

// project is the Plane of parties pr[0] (x) and pr[1] (y).
func (g *Grid) project(pr [2]int) Plane {
	at := func(v []float64) Point { return Point{v[pr[0]], v[pr[1]]} }
	all := func(vs [][]float64) []Point {
		pts := make([]Point, len(vs))
		for i, v := range vs {
			pts[i] = at(v)
		}
		return pts
	}
	one := func(v []float64) *Point {
		if v == nil {
			return nil
		}
		q := at(v)
		return &q
	}
	p := Plane{
		Outcomes:    all(g.Outcomes),
		Frontier:    all(g.Frontier),
		Nash:        one(g.Nash),
		Kalai:       one(g.Kalai),
		Egalitarian: one(g.Egalitarian),
		MaxWelfare:  one(g.MaxWelfare),
		Agreement:   one(g.Agreement),
	}
	if g.Reservation != nil {
		p.Reservation = [2]float64{g.Reservation[pr[0]], g.Reservation[pr[1]]}
	}
	for _, path := range g.Paths {
		p.Paths = append(p.Paths, Path{Label: path.Label, Points: all(path.Points)})
	}
	return p
}

func (g *Grid) legendContent() spaceLegend {
	l := spaceLegend{
		outcomes:  len(g.Outcomes),
		frontier:  len(g.Frontier),
		projected: len(g.Parties) > 2,
		marks:     g.marks(),
		agreement: g.Agreement,
	}
	for _, r := range g.Reservation {
		l.reservation = l.reservation || r > 0
	}
	for _, path := range g.Paths {
		l.paths = append(l.paths, pathSummary{path.Label, len(path.Points)})
	}
	return l
}
