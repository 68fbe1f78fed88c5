package plot

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// Lines is a line chart of several series over a common x axis, such as the
// exposure of each party over the days of an implementation or each party's
// utility of the mediator's text per round.
type Lines struct {
	Title, Subtitle string
	XLabel, YLabel  string
	Series          []Series
	// Events are vertical markers at an x value, such as a breach or a
	// ruling.
	Events []Event
	// If YMax > YMin, the y axis covers at least [YMin, YMax].
	YMin, YMax float64
}

// Series is one line. Its points must be in order of X (equal X values are
// allowed: a jump at one instant).
type Series struct {
	Label  string
	Points []Point
	// Step holds each value until the next point (a quantity that changes
	// at discrete events) instead of interpolating straight lines.
	Step bool
}

// Event is a labelled vertical line.
type Event struct {
	X     float64
	Label string
}

// Layout of a line chart.
const (
	linesWidth      = 560.0 // of the plot area
	linesHeight     = 340.0
	linesMaxMarkers = 60 // series with more points are drawn without markers
)

// WriteSVG writes the chart as an SVG document. It writes nothing and
// returns an error if a value is not finite or a series is not in order
// of X.
func (l *Lines) WriteSVG(out io.Writer) error {
	if err := l.validate(); err != nil {
		return err
	}
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo, yhi := math.Inf(1), math.Inf(-1)
	if l.YMax > l.YMin {
		ylo, yhi = l.YMin, l.YMax
	}
	points := 0
	for _, s := range l.Series {
		for _, q := range s.Points {
			xlo, xhi = min(xlo, q.X), max(xhi, q.X)
			ylo, yhi = min(ylo, q.Y), max(yhi, q.Y)
		}
		points += len(s.Points)
	}
	for _, e := range l.Events {
		xlo, xhi = min(xlo, e.X), max(xhi, e.X)
	}
	if math.IsInf(xlo, 0) {
		xlo, xhi = 0, 0
	}
	if math.IsInf(ylo, 0) {
		ylo, yhi = 0, 0
	}
	xa, ya := xAxisFor(xlo, xhi, linesWidth), niceAxis(ylo, yhi, 6)

	items := l.legend()
	area := box{x: margin + yTitleRoom(ya), y: headerHeight(l.Title, l.Subtitle) + 8, w: linesWidth, h: linesHeight}
	width := area.right() + margin
	lx := area.right() + 32
	if len(items) > 0 {
		width = lx + legendWidth + margin
	}
	height := max(area.bottom()+planeBelow, area.y+legendHeight(items, nil)) + margin
	xs := scale{xa.lo, xa.hi, area.x, area.right()}
	ys := scale{ya.lo, ya.hi, area.bottom(), area.y}

	return writeDoc(out, width, height, l.Title, l.Subtitle, func(w *writer) {
		w.axes(area, xs, ys, xa, ya, l.XLabel, l.YLabel)
		if points == 0 {
			w.noData(area)
		}
		for _, e := range l.Events {
			x := xs.at(e.X)
			w.line(x, area.y, x, area.bottom(), strokeStyle(inkSoft, "2 3", 1.2))
		}
		for i, s := range l.Series {
			color, dash := seriesStyle(i)
			w.series(s, xs, ys, color, dash)
		}
		// Event labels go last so that the lines do not cross them.
		for _, e := range l.Events {
			w.text(xs.at(e.X)-4, area.y+6, font{size: 11, fill: inkSoft, anchor: "end", rotate: -90, halo: true},
				e.Label, area.h*0.6)
		}
		w.legend(lx, area.y, legendWidth, items, nil)
	})
}

// series draws one line, with markers when it has few enough points for
// them to tell apart.
func (w *writer) series(s Series, xs, ys scale, color, dash raw) {
	if len(s.Points) == 0 {
		return
	}
	var d strings.Builder
	for i, q := range s.Points {
		x, y := num(xs.at(q.X)), num(ys.at(q.Y))
		switch {
		case i == 0:
			d.WriteString("M" + x + " " + y)
		case s.Step:
			d.WriteString("H" + x + "V" + y)
		default:
			d.WriteString("L" + x + " " + y)
		}
	}
	w.f(`<path d="%s" fill="none" %s stroke-linejoin="round"><title>%s</title></path>`+"\n",
		raw(d.String()), strokeStyle(color, dash, 2), s.Label)
	if len(s.Points) <= linesMaxMarkers {
		w.f(`<g fill="%s">`+"\n", color)
		for _, q := range s.Points {
			w.f(`<circle cx="%s" cy="%s" r="2.8"><title>%s</title></circle>`+"\n",
				xs.at(q.X), ys.at(q.Y), fmt.Sprintf("%s: (%s, %s)", s.Label, short(q.X), short(q.Y)))
		}
		w.f("</g>\n")
	}
}

func (l *Lines) legend() []legendItem {
	if len(l.Series) == 0 || len(l.Series) == 1 && l.Series[0].Label == "" {
		return nil
	}
	items := make([]legendItem, len(l.Series))
	for i, s := range l.Series {
		color, dash := seriesStyle(i)
		items[i] = legendItem{label: seriesLabel(s.Label, i), swatch: lineSwatch(color, dash, 2)}
	}
	return items
}

func (l *Lines) validate() error {
	if err := checkFinite("Lines.YMin", l.YMin); err != nil {
		return err
	}
	if err := checkFinite("Lines.YMax", l.YMax); err != nil {
		return err
	}
	for i, s := range l.Series {
		for j, q := range s.Points {
			field := func(c string) string { return fmt.Sprintf("Lines.Series[%d].Points[%d].%s", i, j, c) }
			if !finite(q.X) {
				return checkFinite(field("X"), q.X)
			}
			if !finite(q.Y) {
				return checkFinite(field("Y"), q.Y)
			}
			if j > 0 && q.X < s.Points[j-1].X {
				return fmt.Errorf("plot: %s is %v, before the previous point's %v: points must be in order of X",
					field("X"), q.X, s.Points[j-1].X)
			}
		}
	}
	for i, e := range l.Events {
		if err := checkFinite(fmt.Sprintf("Lines.Events[%d].X", i), e.X); err != nil {
			return err
		}
	}
	return nil
}
