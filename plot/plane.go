package plot

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Point is a position in a chart: in a Plane, X is the first party's
// utility and Y the second's.
type Point struct{ X, Y float64 }

// Plane is the utility space of two parties: each possible outcome placed by
// what it is worth to party A (x axis) and to party B (y axis), both in
// [0, 1]. Every field may be left empty; unnamed parties are called
// "party 1" and "party 2".
type Plane struct {
	Title    string // default "Utility space of A and B"
	Subtitle string
	// Parties names A and B, for the axis titles and the reservation
	// labels.
	Parties [2]string
	// Reservation holds each party's utility of no agreement. A positive
	// value is drawn as a dashed line (vertical for A, horizontal for B) and
	// the region below it is shaded; zero coincides with the axis and is not
	// drawn.
	Reservation [2]float64
	// Outcomes is the cloud of possible (or sampled) outcomes. Points that
	// fall on the same 2-pixel cell are merged into one dot, shaded by how
	// many points it holds, which keeps tens of thousands of outcomes to a
	// modest file.
	Outcomes []Point
	// Frontier holds the Pareto-optimal points, in any order. They are
	// joined by the staircase that bounds what the parties can reach
	// (discrete outcomes cannot be mixed, so straight segments between them
	// would promise outcomes that do not exist). Points dominated by another
	// frontier point are drawn but not joined: Grid produces them when it
	// projects a frontier of more than two parties.
	Frontier []Point
	// The bargaining solutions (Kalai is Kalai–Smorodinsky); nil when
	// absent. Solutions at the same point are drawn as nested shapes.
	Nash, Kalai, Egalitarian, MaxWelfare *Point
	// Paths are sequences of outcomes in time order, such as the texts a
	// mediator proposed or each party's offers.
	Paths []Path
	// Agreement, if not nil, is circled.
	Agreement *Point
}

// Path is a labelled sequence of points, drawn as markers joined in order.
// The first point is a ring, later points are more opaque than earlier ones
// and steps long enough to hold one carry an arrowhead, so that the
// direction of travel shows. A point repeated in a row is drawn once.
type Path struct {
	Label  string
	Points []Point
}

// WriteSVG writes the plane as an SVG document. It writes nothing and
// returns an error if a value is not a finite utility in [0, 1].
func (p *Plane) WriteSVG(out io.Writer) error {
	if err := p.validate(); err != nil {
		return err
	}
	names := [2]string{partyName(p.Parties[0], 0), partyName(p.Parties[1], 1)}
	title := p.Title
	if title == "" {
		title = "Utility space of " + names[0] + " and " + names[1]
	}
	const size = 440.0
	area := box{x: margin + yTitleRoom(unitAxis(size)), y: headerHeight(title, p.Subtitle) + 8, w: size, h: size}
	items, notes := p.legendContent().items()
	lx := area.right() + 32
	width := lx + legendWidth + margin
	height := max(area.bottom()+planeBelow, area.y+legendHeight(items, notes)) + margin
	return writeDoc(out, width, height, title, p.Subtitle, func(w *writer) {
		w.plane(p, names, area)
		w.legend(lx, area.y, legendWidth, items, notes)
	})
}

// planeBelow is the room under a plane's plot area for the tick labels and
// the axis title.
const planeBelow = 50.0

func partyName(name string, i int) string {
	if name == "" {
		return "party " + strconv.Itoa(i+1)
	}
	return name
}

func (p *Plane) marks() [4]*Point {
	return [4]*Point{p.Nash, p.Kalai, p.Egalitarian, p.MaxWelfare}
}

func (p *Plane) validate() error {
	for i, r := range p.Reservation {
		if err := checkUnit(fmt.Sprintf("Plane.Reservation[%d]", i), r); err != nil {
			return err
		}
	}
	if err := checkPoints("Plane.Outcomes", p.Outcomes); err != nil {
		return err
	}
	if err := checkPoints("Plane.Frontier", p.Frontier); err != nil {
		return err
	}
	for i, m := range p.marks() {
		if m != nil {
			if err := checkPoints("Plane."+markFields[i], []Point{*m}); err != nil {
				return err
			}
		}
	}
	for k, path := range p.Paths {
		if err := checkPoints(fmt.Sprintf("Plane.Paths[%d].Points", k), path.Points); err != nil {
			return err
		}
	}
	if p.Agreement != nil {
		if err := checkPoints("Plane.Agreement", []Point{*p.Agreement}); err != nil {
			return err
		}
	}
	return nil
}

// markFields names the bargaining-solution fields of Plane and Grid, in the
// order of bargainingMarks.
var markFields = [4]string{"Nash", "Kalai", "Egalitarian", "MaxWelfare"}

// bargainingMarks is how each bargaining solution is drawn. They are drawn
// largest first, so that solutions at the same outcome (a common case) stay
// visible as nested shapes.
var bargainingMarks = [4]struct {
	name  string
	shape shape
	r     float64
	fill  raw
}{
	{"Nash", diamond, 6.5, "#D55E00"},
	{"Kalai–Smorodinsky", triangleUp, 8.5, "#009E73"},
	{"egalitarian", square, 8.5, "#CC79A7"},
	{"max welfare", triangleDown, 10.5, "#E69F00"},
}

func markStyle(fill raw) raw {
	return `fill="` + fill + `" stroke="` + ink + `" stroke-width="1"`
}

// Styles of the plane's other elements.
const (
	frontierColor           = raw("#0072B2")
	reservationColor        = raw("#333333")
	reservationDash         = raw("6 4")
	agreementRing           = 12.0
	pathDot                 = 3.2
	cloudCell               = 2.0
	planePad                = 8.0 // keeps marks at 0 and 1 off the frame
	shadeOpacity            = 0.06
	cloudDot                = 3.0
	frontierDot             = 5.0
	minArrowSegment         = 18.0
	pathFirstOpacity        = 0.3
	reservationLabelPortion = 0.75
)

// pathColors are dark and unlike the frontier's blue and the marks'
// colours, so that paths crossing them stay distinct.
var pathColors = []raw{"#1a1a1a", "#7B3294", "#8C510A", "#44AA99", "#AA3377", "#666666"}

// plane draws p inside area: axes, shading, cloud, reservation lines,
// frontier, paths, bargaining solutions, agreement.
func (w *writer) plane(p *Plane, names [2]string, area box) {
	xs := scale{0, 1, area.x + planePad, area.right() - planePad}
	ys := scale{0, 1, area.bottom() - planePad, area.y + planePad}
	ua := unitAxis(area.w)
	w.axes(area, xs, ys, ua, ua, "utility of "+names[0], "utility of "+names[1])

	rx, ry := xs.at(p.Reservation[0]), ys.at(p.Reservation[1])
	if p.Reservation[0] > 0 || p.Reservation[1] > 0 {
		// The shade starts at the frame, not at utility 0, unless there is
		// nothing to shade on that side.
		sx, sy := rx, ry
		if p.Reservation[0] == 0 {
			sx = area.x
		}
		if p.Reservation[1] == 0 {
			sy = area.bottom()
		}
		w.f(`<path d="M%s %sH%sV%sH%sV%sH%sZ" fill="#000000" fill-opacity="%s"/>`+"\n",
			area.x, area.y, sx, sy, area.right(), area.bottom(), area.x, shadeOpacity)
	}
	w.cloud(p.Outcomes, xs, ys)
	if p.Reservation[0] > 0 {
		w.line(rx, area.y, rx, area.bottom(), strokeStyle(reservationColor, reservationDash, 1.3))
	}
	if p.Reservation[1] > 0 {
		w.line(area.x, ry, area.right(), ry, strokeStyle(reservationColor, reservationDash, 1.3))
	}
	w.frontier(p.Frontier, xs, ys)
	for k, path := range p.Paths {
		w.path(path.Points, xs, ys, pathColors[k%len(pathColors)])
	}
	marks := p.marks()
	for i := len(marks) - 1; i >= 0; i-- {
		if m := marks[i]; m != nil {
			bm := bargainingMarks[i]
			w.marker(bm.shape, xs.at(m.X), ys.at(m.Y), bm.r, markStyle(bm.fill))
		}
	}
	if a := p.Agreement; a != nil {
		w.agreement(xs.at(a.X), ys.at(a.Y), agreementRing)
	}

	// Labels last, over everything, each on the side of its line with more
	// room.
	ft := font{size: 11, fill: reservationColor, halo: true}
	if v := p.Reservation[0]; v > 0 {
		label := reservationLabel(names[0], v, ft.size, area.h*reservationLabelPortion)
		ft.rotate, ft.anchor = -90, "end"
		x := rx - 5
		if v < 0.08 {
			x = rx + 5 + ft.size
		}
		w.text(x, area.y+6, ft, label, 0)
	}
	if v := p.Reservation[1]; v > 0 {
		label := reservationLabel(names[1], v, ft.size, area.w*reservationLabelPortion)
		ft.rotate, ft.anchor = 0, "end"
		y := ry - 5
		if v > 0.92 {
			y = ry + 5 + ft.size
		}
		w.text(area.right()-6, y, ft, label, 0)
	}
}

// reservationLabel reads "NAME reservation 0.30", shortening the name, not
// the value, when room is short.
func reservationLabel(name string, v, size, room float64) string {
	suffix := " reservation " + strconv.FormatFloat(v, 'f', 2, 64)
	short, _ := fit(name, size, max(room-textWidth(suffix, size), textWidth("M…", size)))
	return short + suffix
}

// cloud draws many points as dots, merging the points that fall in the same
// cell of cloudCell pixels, in three shades by how many points share a cell.
// Each shade is one path of zero-length round-capped segments, a few bytes a
// dot, so that tens of thousands of outcomes stay a small file and dense
// regions show.
func (w *writer) cloud(pts []Point, xs, ys scale) {
	if len(pts) == 0 {
		return
	}
	x0, y0 := min(xs.p0, xs.p1), min(ys.p0, ys.p1)
	cols := int(math.Round(math.Abs(xs.p1-xs.p0)/cloudCell)) + 1
	rows := int(math.Round(math.Abs(ys.p1-ys.p0)/cloudCell)) + 1
	counts := make([]int32, cols*rows)
	for _, q := range pts {
		c := min(max(int(math.Round((xs.at(q.X)-x0)/cloudCell)), 0), cols-1)
		r := min(max(int(math.Round((ys.at(q.Y)-y0)/cloudCell)), 0), rows-1)
		counts[r*cols+c]++
	}
	for _, lv := range cloudLevels {
		var d strings.Builder
		// Moves are relative, between neighbouring cells mostly: short
		// integers.
		px, py := 0.0, 0.0
		for i, n := range counts {
			if n < lv.min || n > lv.max {
				continue
			}
			x, y := float64(i%cols)*cloudCell, float64(i/cols)*cloudCell
			if d.Len() == 0 {
				d.WriteString("M" + num(x0+x) + " " + num(y0+y) + "h0")
			} else {
				d.WriteString("m" + num(x-px) + " " + num(y-py) + "h0")
			}
			px, py = x, y
		}
		if d.Len() > 0 {
			w.f(`<path d="%s" stroke="%s" stroke-width="%s" stroke-linecap="round"/>`+"\n",
				raw(d.String()), lv.color, cloudDot)
		}
	}
}

// cloudLevels are the shades of the cloud by the number of outcomes in a
// cell: light enough for the frontier and marks to stand out, dark enough
// to see on screen and paper.
var cloudLevels = []struct {
	min, max int32
	color    raw
}{
	{1, 1, "#b0b0b0"},
	{2, 4, "#858585"},
	{5, math.MaxInt32, "#555555"},
}

// frontier joins the non-dominated points of pts by their staircase and
// draws every point as a dot, pale if another point dominates it.
func (w *writer) frontier(pts []Point, xs, ys scale) {
	if len(pts) == 0 {
		return
	}
	nd := nondominated(pts)
	var d strings.Builder
	for i, q := range nd {
		x, y := num(xs.at(q.X)), num(ys.at(q.Y))
		if i == 0 {
			d.WriteString("M" + x + " " + y)
		} else {
			d.WriteString("V" + y + "H" + x)
		}
	}
	if len(nd) > 1 {
		w.f(`<path d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"/>`+"\n",
			raw(d.String()), frontierColor)
	}
	var pale, solid strings.Builder
	for _, q := range pts {
		dot := "M" + num(xs.at(q.X)) + " " + num(ys.at(q.Y)) + "h0"
		// nd has strictly increasing X, so a binary search finds q in it.
		i, found := slices.BinarySearchFunc(nd, q.X, func(p Point, x float64) int { return cmp.Compare(p.X, x) })
		if found && nd[i].Y == q.Y {
			solid.WriteString(dot)
		} else {
			pale.WriteString(dot)
		}
	}
	if pale.Len() > 0 {
		w.f(`<path d="%s" stroke="%s" stroke-opacity="0.4" stroke-width="%s" stroke-linecap="round"/>`+"\n",
			raw(pale.String()), frontierColor, frontierDot-1)
	}
	w.f(`<path d="%s" stroke="%s" stroke-width="%s" stroke-linecap="round"/>`+"\n",
		raw(solid.String()), frontierColor, frontierDot)
}

// nondominated returns the points of pts that no other point of pts weakly
// dominates, once each, by increasing X and so decreasing Y.
func nondominated(pts []Point) []Point {
	s := slices.Clone(pts)
	slices.SortFunc(s, func(a, b Point) int {
		return cmp.Or(cmp.Compare(b.X, a.X), cmp.Compare(b.Y, a.Y))
	})
	var out []Point
	for _, q := range s {
		if len(out) == 0 || q.Y > out[len(out)-1].Y {
			out = append(out, q)
		}
	}
	slices.Reverse(out)
	return out
}

// path draws a sequence of points in time order with the given colour:
// markers and segments grow more opaque along the path, and segments long
// enough to hold one carry an arrowhead at their middle.
func (w *writer) path(pts []Point, xs, ys scale, color raw) {
	var px []Point
	for _, q := range pts {
		p := Point{xs.at(q.X), ys.at(q.Y)}
		// A point repeated (an offer made again) adds nothing but ink.
		if n := len(px); n > 0 && math.Hypot(p.X-px[n-1].X, p.Y-px[n-1].Y) < 0.5 {
			continue
		}
		px = append(px, p)
	}
	if len(px) == 0 {
		return
	}
	opacity := func(i int) float64 {
		if len(px) == 1 {
			return 1
		}
		return pathFirstOpacity + (1-pathFirstOpacity)*float64(i)/float64(len(px)-1)
	}
	w.f(`<g fill="%s" stroke="%s">`+"\n", color, color)
	for i := 1; i < len(px); i++ {
		a, b := px[i-1], px[i]
		w.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke-width="1.6" opacity="%s"/>`+"\n",
			a.X, a.Y, b.X, b.Y, opacity(i))
		dx, dy := b.X-a.X, b.Y-a.Y
		l := math.Hypot(dx, dy)
		if l < minArrowSegment {
			continue
		}
		ux, uy := dx/l, dy/l
		mx, my := (a.X+b.X)/2, (a.Y+b.Y)/2
		w.f(`<polygon points="%s,%s %s,%s %s,%s" stroke="none" opacity="%s"/>`+"\n",
			mx+5*ux, my+5*uy, mx-4*ux-4*uy, my-4*uy+4*ux, mx-4*ux+4*uy, my-4*uy-4*ux, opacity(i))
	}
	for i, q := range px[1:] {
		w.f(`<circle cx="%s" cy="%s" r="%s" stroke="#ffffff" stroke-width="0.8" opacity="%s"/>`+"\n",
			q.X, q.Y, pathDot, opacity(i+1))
	}
	// The start is a ring, at full strength, so that a path can be
	// followed from its beginning even where it is faint.
	w.f(`<circle cx="%s" cy="%s" r="%s" fill="#ffffff" stroke-width="1.6"/>`+"\n", px[0].X, px[0].Y, pathDot+0.8)
	w.f("</g>\n")
}

// agreement circles the agreed outcome with a ring, which leaves a
// bargaining solution at the same point visible inside it.
func (w *writer) agreement(x, y, r float64) {
	w.f(`<circle cx="%s" cy="%s" r="%s" fill="none" stroke="#ffffff" stroke-width="5"/>`+"\n", x, y, r)
	w.f(`<circle cx="%s" cy="%s" r="%s" fill="none" stroke="%s" stroke-width="2.2"/>`+"\n", x, y, r, raw(ink))
}

// spaceLegend is what the legend of a Plane or a Grid lists; marks and the
// agreement keep all their coordinates, so that a Grid's legend gives every
// party's utility.
type spaceLegend struct {
	outcomes, frontier int
	// projected says the frontier is of more parties than a panel shows.
	projected   bool
	reservation bool
	marks       [4][]float64
	paths       []pathSummary
	agreement   []float64
}

type pathSummary struct {
	label string
	n     int
}

func (p *Plane) legendContent() spaceLegend {
	l := spaceLegend{
		outcomes:    len(p.Outcomes),
		frontier:    len(p.Frontier),
		reservation: p.Reservation[0] > 0 || p.Reservation[1] > 0,
	}
	for _, path := range p.Paths {
		l.paths = append(l.paths, pathSummary{path.Label, len(path.Points)})
	}
	for i, m := range p.marks() {
		if m != nil {
			l.marks[i] = []float64{m.X, m.Y}
		}
	}
	if a := p.Agreement; a != nil {
		l.agreement = []float64{a.X, a.Y}
	}
	return l
}

func (l spaceLegend) items() ([]legendItem, []string) {
	var items []legendItem
	var notes []string
	if l.outcomes > 0 {
		items = append(items, legendItem{
			label: fmt.Sprintf("outcomes (%d)", l.outcomes),
			swatch: func(w *writer, x, y float64) {
				for i, lv := range cloudLevels {
					w.f(`<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`+"\n", x+6+float64(i)*9, y, lv.color)
				}
			},
		})
		notes = append(notes, "darker grey: more outcomes per dot")
	}
	if l.frontier > 0 {
		items = append(items, legendItem{
			label: fmt.Sprintf("Pareto frontier (%d)", l.frontier),
			swatch: func(w *writer, x, y float64) {
				w.f(`<path d="M%s %sH%sV%sH%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n",
					x+2, y-5, x+15, y+5, x+28, frontierColor)
				w.f(`<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`+"\n", x+2, y-5, frontierColor)
				w.f(`<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`+"\n", x+15, y+5, frontierColor)
			},
		})
		if l.projected {
			notes = append(notes, "pale blue: on the frontier of all parties,", "not of the two in the panel")
		}
	}
	if l.reservation {
		items = append(items, legendItem{
			label:  "reservation value",
			swatch: lineSwatch(reservationColor, reservationDash, 1.3),
		})
		notes = append(notes, "shaded: below a reservation value")
	}
	for i, m := range l.marks {
		if m == nil {
			continue
		}
		bm := bargainingMarks[i]
		items = append(items, legendItem{
			label:  bm.name,
			detail: coords(m),
			swatch: func(w *writer, x, y float64) {
				w.marker(bm.shape, x+legendSwatch/2, y, bm.r*0.85, markStyle(bm.fill))
			},
		})
	}
	for k, path := range l.paths {
		color := pathColors[k%len(pathColors)]
		label := path.label
		if label == "" {
			label = "path " + strconv.Itoa(k+1)
		}
		items = append(items, legendItem{
			label: fmt.Sprintf("%s (%d)", label, path.n),
			swatch: func(w *writer, x, y float64) {
				w.path([]Point{{0, 0}, {1, 0}}, scale{0, 1, x + 4, x + legendSwatch - 4}, scale{0, 1, y, y}, color)
			},
		})
	}
	if len(l.paths) > 0 {
		notes = append(notes, "paths: ring = start, darker = later")
	}
	if l.agreement != nil {
		items = append(items, legendItem{
			label:  "agreement",
			detail: coords(l.agreement),
			swatch: func(w *writer, x, y float64) {
				w.agreement(x+legendSwatch/2, y, 7)
			},
		})
	}
	return items, notes
}

// coords formats a utility vector for a legend: "(0.71, 0.65)".
func coords(v []float64) string {
	parts := make([]string, len(v))
	for i, u := range v {
		parts[i] = strconv.FormatFloat(u, 'f', 2, 64)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
