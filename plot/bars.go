package plot

import (
	"fmt"
	"io"
	"math"
	"strconv"
)

// Bars is a bar chart of estimates with their confidence intervals: one
// group of bars per category, one bar per series within a group, such as the
// agreement rate (series: mediator strategy) per protocol (category).
type Bars struct {
	Title, Subtitle string
	XLabel, YLabel  string
	Categories      []string
	// Series are drawn side by side in each category; each has one value
	// per category.
	Series []BarSeries
	// If YMax > YMin, the value axis covers at least [YMin, YMax], for
	// instance [0, 1] for rates. It always covers zero and every interval.
	YMin, YMax float64
}

// BarSeries is one bar per category.
type BarSeries struct {
	Label  string
	Values []Estimate
}

// Estimate is a mean with its confidence interval (95% by convention; the
// chart does not assume a level). Low = High = Mean draws no error bar.
type Estimate struct {
	Mean, Low, High float64
	// Missing marks a category without data for this series (for example
	// a distance to the Nash point when no run reached agreement); it is
	// drawn as "n/a" and its numbers are ignored.
	Missing bool
}

// Layout of a bar chart.
const (
	barsHeight   = 320.0 // of the plot area
	barsMinWidth = 440.0
	barMin       = 14.0 // narrowest bar
	barMax       = 48.0
	barGroupPad  = 18.0 // between groups
	catAngle     = -35.0
	catMaxWidth  = 160.0 // of a rotated category label
)

// WriteSVG writes the chart as an SVG document. It writes nothing and
// returns an error if a series does not have one value per category or an
// estimate is not finite with Low ≤ Mean ≤ High.
func (b *Bars) WriteSVG(out io.Writer) error {
	if err := b.validate(); err != nil {
		return err
	}
	nCat, nSer := len(b.Categories), max(len(b.Series), 1)
	plotW := max(barsMinWidth, float64(nCat)*(float64(nSer)*barMin+barGroupPad))
	groupW := plotW / float64(max(nCat, 1))
	barW := min(barMax, (groupW-barGroupPad)/float64(nSer))

	lo, hi := 0.0, 0.0
	if b.YMax > b.YMin {
		lo, hi = b.YMin, b.YMax
	}
	for _, s := range b.Series {
		for _, e := range s.Values {
			if !e.Missing {
				lo, hi = min(lo, e.Low), max(hi, e.High)
			}
		}
	}
	ya := niceAxis(lo, hi, 6)

	// Category labels are rotated when the widest does not fit its group.
	widest := 0.0
	for _, c := range b.Categories {
		widest = max(widest, textWidth(c, tickSize))
	}
	rotate := widest > groupW-6
	catH := 24.0
	if rotate {
		catH = 16 + min(widest, catMaxWidth)*math.Sin(-catAngle*math.Pi/180) + tickSize
	}

	items := b.legend()
	left := margin + yTitleRoom(ya)
	if rotate {
		// The first rotated label reaches left of its group's middle.
		left = max(left, margin+min(widest, catMaxWidth)*math.Cos(catAngle*math.Pi/180)-groupW/2)
	}
	area := box{x: left, y: headerHeight(b.Title, b.Subtitle) + 8, w: plotW, h: barsHeight}
	below := catH
	if b.XLabel != "" {
		below += 24
	}
	width := area.right() + margin
	lx := area.right() + 32
	if len(items) > 0 {
		width = lx + legendWidth + margin
	}
	height := max(area.bottom()+below, area.y+legendHeight(items, nil)) + margin
	ys := scale{ya.lo, ya.hi, area.bottom(), area.y}

	return writeDoc(out, width, height, b.Title, b.Subtitle, func(w *writer) {
		w.yAxis(area, ys, ya, b.YLabel)
		w.frame(area)
		if ya.lo < 0 {
			w.line(area.x, ys.at(0), area.right(), ys.at(0), strokeStyle(axisColor, "", 1))
		}
		if nCat == 0 || len(b.Series) == 0 {
			w.noData(area)
		}
		for c, cat := range b.Categories {
			gx := area.x + float64(c)*groupW
			cx := gx + groupW/2
			if rotate {
				w.text(cx+4, area.bottom()+14, font{size: tickSize, anchor: "end", rotate: catAngle}, cat, catMaxWidth)
			} else {
				w.text(cx, area.bottom()+18, font{size: tickSize, anchor: "middle"}, cat, 0)
			}
			x0 := cx - barW*float64(len(b.Series))/2
			for s, ser := range b.Series {
				w.bar(x0+float64(s)*barW, barW, ys, ser.Values[c], barColors[s%len(barColors)],
					barTooltip(ser.Label, cat, ser.Values[c]))
			}
		}
		if b.XLabel != "" {
			w.text(area.x+area.w/2, area.bottom()+catH+18, font{size: labelSize, anchor: "middle"}, b.XLabel, area.w)
		}
		w.legend(lx, area.y, legendWidth, items, nil)
	})
}

// barColors are the series colours without black, which would hide the
// error bars.
var barColors = append(seriesColors[:len(seriesColors)-1:len(seriesColors)-1], "#999999")

// bar draws one estimate in the slot [x, x+width): a bar from zero to the
// mean and an error bar over the interval.
func (w *writer) bar(x, width float64, ys scale, e Estimate, color raw, tooltip string) {
	cx := x + width/2
	if e.Missing {
		w.text(cx+4, ys.at(0)-6, font{size: 11, fill: inkSoft, rotate: -90}, "n/a", 0)
		return
	}
	top, bottom := ys.at(max(e.Mean, 0)), ys.at(min(e.Mean, 0))
	w.f(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`+"\n",
		x+1, top, width-2, bottom-top, color, tooltip)
	if e.High > e.Low {
		half := min(width*0.5, 12) / 2
		st := strokeStyle(ink, "", 1.5)
		w.line(cx, ys.at(e.Low), cx, ys.at(e.High), st)
		w.line(cx-half, ys.at(e.Low), cx+half, ys.at(e.Low), st)
		w.line(cx-half, ys.at(e.High), cx+half, ys.at(e.High), st)
	}
}

func barTooltip(series, category string, e Estimate) string {
	if series != "" {
		category = series + ", " + category
	}
	return fmt.Sprintf("%s: %s [%s, %s]", category, short(e.Mean), short(e.Low), short(e.High))
}

// short formats a value for a tooltip or a legend with four significant
// digits.
func short(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

func (b *Bars) legend() []legendItem {
	if len(b.Series) == 0 || len(b.Series) == 1 && b.Series[0].Label == "" {
		return nil
	}
	items := make([]legendItem, len(b.Series))
	for s, ser := range b.Series {
		color := barColors[s%len(barColors)]
		items[s] = legendItem{
			label: seriesLabel(ser.Label, s),
			swatch: func(w *writer, x, y float64) {
				w.f(`<rect x="%s" y="%s" width="16" height="14" fill="%s"/>`+"\n", x+7, y-7, color)
			},
		}
	}
	return items
}

func (b *Bars) validate() error {
	if err := checkFinite("Bars.YMin", b.YMin); err != nil {
		return err
	}
	if err := checkFinite("Bars.YMax", b.YMax); err != nil {
		return err
	}
	for s, ser := range b.Series {
		if len(ser.Values) != len(b.Categories) {
			return fmt.Errorf("plot: Bars.Series[%d].Values has %d values, want one per category (%d)",
				s, len(ser.Values), len(b.Categories))
		}
		for c, e := range ser.Values {
			if e.Missing {
				continue
			}
			field := fmt.Sprintf("Bars.Series[%d].Values[%d]", s, c)
			for _, f := range []struct {
				name string
				v    float64
			}{{"Mean", e.Mean}, {"Low", e.Low}, {"High", e.High}} {
				if err := checkFinite(field+"."+f.name, f.v); err != nil {
					return err
				}
			}
			if e.Low > e.Mean || e.Mean > e.High {
				return fmt.Errorf("plot: %s is mean %v in [%v, %v], want Low ≤ Mean ≤ High", field, e.Mean, e.Low, e.High)
			}
		}
	}
	return nil
}

// noData says so in the middle of an empty plot area.
func (w *writer) noData(area box) {
	w.text(area.x+area.w/2, area.y+area.h/2, font{size: labelSize, anchor: "middle", fill: inkSoft}, "no data", 0)
}

// seriesLabel names series i in a legend, "series 1" if it has no label.
func seriesLabel(label string, i int) string {
	if label == "" {
		return "series " + strconv.Itoa(i+1)
	}
	return label
}
