package plot

import (
	"math"
	"strconv"
)

// axis is a data range with evenly spaced ticks at round numbers.
type axis struct {
	lo, hi, step float64
	decimals     int // decimals the tick labels need
}

// niceAxis covers [lo, hi] with about target ticks at multiples of 1, 2 or
// 5 × 10^k, extending the range to the nearest ticks outside it. A range too
// narrow to label (all values equal, up to rounding noise) is widened to
// include zero, and to a unit range if it is all zero: zero is the honest
// baseline for the counts, rates and utilities charted here.
func niceAxis(lo, hi float64, target int) axis {
	if hi-lo < minSpan*max(1, math.Abs(lo), math.Abs(hi)) {
		lo, hi = min(lo, 0), max(hi, 0)
		if hi-lo < minSpan {
			// Zero and rounding noise: a unit range on the noise's side.
			lo, hi = math.Floor(lo), math.Ceil(hi)
			if lo == hi {
				hi = lo + 1
			}
		}
	}
	raw := (hi - lo) / float64(max(target, 1))
	exp := math.Floor(math.Log10(raw))
	pow := math.Pow(10, exp)
	var mult float64
	switch f := raw / pow; {
	case f < 1.5:
		mult = 1
	case f < 3:
		mult = 2
	case f < 7:
		mult = 5
	default:
		mult = 10
	}
	step := mult * pow
	dec := 0
	if mult < 10 && exp < 0 {
		dec = int(-exp)
	} else if mult == 10 && exp < -1 {
		dec = int(-exp) - 1
	}
	return axis{
		lo:       math.Floor(lo/step+1e-9) * step,
		hi:       math.Ceil(hi/step-1e-9) * step,
		step:     step,
		decimals: dec,
	}
}

// xAxisFor is niceAxis for a horizontal axis of the given length in pixels:
// it drops ticks until the labels, laid side by side, do not touch.
func xAxisFor(lo, hi, length float64) axis {
	for target := 8; ; target-- {
		a := niceAxis(lo, hi, target)
		gaps := float64(len(a.ticks()) - 1)
		if target == 2 || a.labelWidth()+12 <= length/gaps {
			return a
		}
	}
}

// minSpan is the narrowest range, relative to the magnitude of its ends,
// that niceAxis labels as it is.
const minSpan = 1e-9

// unitAxis is the [0, 1] axis of utilities, ticked for a plot length in
// pixels.
func unitAxis(length float64) axis {
	step, dec := 0.1, 1
	if length < 320 {
		step = 0.2
	}
	return axis{lo: 0, hi: 1, step: step, decimals: dec}
}

// ticks lists the tick values. They are computed as multiples of the step,
// not by repeated addition, so that they land on round numbers.
func (a axis) ticks() []float64 {
	n := int(math.Round((a.hi - a.lo) / a.step))
	t := make([]float64, 0, n+1)
	first := math.Round(a.lo / a.step)
	for i := 0; i <= n; i++ {
		t = append(t, (first+float64(i))*a.step)
	}
	return t
}

// label formats a tick value; a value within rounding error of zero is
// written as zero rather than as "-0.0".
func (a axis) label(v float64) string {
	if math.Abs(v) < a.step/2 {
		v = 0
	}
	return strconv.FormatFloat(v, 'f', a.decimals, 64)
}

// labelWidth is the width of the widest tick label.
func (a axis) labelWidth() float64 {
	w := 0.0
	for _, t := range a.ticks() {
		w = max(w, textWidth(a.label(t), tickSize))
	}
	return w
}

// scale maps data values to pixels: d0 to p0 and d1 to p1 (for a vertical
// axis p0 is the bottom, so p1 < p0).
type scale struct{ d0, d1, p0, p1 float64 }

func (s scale) at(v float64) float64 {
	return s.p0 + (v-s.d0)/(s.d1-s.d0)*(s.p1-s.p0)
}

// axes draws the grid lines, the frame, the ticks with their labels and the
// axis titles of a plot area, under the data drawn afterwards.
func (w *writer) axes(area box, xs, ys scale, xa, ya axis, xTitle, yTitle string) {
	w.xAxis(area, xs, xa, xTitle)
	w.yAxis(area, ys, ya, yTitle)
	w.frame(area)
}

func (w *writer) frame(area box) {
	w.f(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="%s" stroke-width="1"/>`+"\n",
		area.x, area.y, area.w, area.h, raw(axisColor))
}

// xAxis draws vertical grid lines at the ticks of a, tick marks and labels
// under area, and the title under those.
func (w *writer) xAxis(area box, xs scale, a axis, title string) {
	w.f(`<g stroke="%s" stroke-width="1">`+"\n", raw(gridColor))
	for _, t := range a.ticks() {
		w.line(xs.at(t), area.y, xs.at(t), area.bottom(), "")
	}
	w.f("</g>\n")
	w.f(`<g stroke="%s" stroke-width="1">`+"\n", raw(axisColor))
	for _, t := range a.ticks() {
		w.line(xs.at(t), area.bottom(), xs.at(t), area.bottom()+5, "")
	}
	w.f("</g>\n")
	for _, t := range a.ticks() {
		w.text(xs.at(t), area.bottom()+18, font{size: tickSize, anchor: "middle"}, a.label(t), 0)
	}
	if title != "" {
		w.text(area.x+area.w/2, area.bottom()+40, font{size: labelSize, anchor: "middle"}, title, area.w)
	}
}

// yAxis draws horizontal grid lines at the ticks of a, tick marks and labels
// left of area, and the title, rotated, left of those.
func (w *writer) yAxis(area box, ys scale, a axis, title string) {
	w.f(`<g stroke="%s" stroke-width="1">`+"\n", raw(gridColor))
	for _, t := range a.ticks() {
		w.line(area.x, ys.at(t), area.right(), ys.at(t), "")
	}
	w.f("</g>\n")
	w.f(`<g stroke="%s" stroke-width="1">`+"\n", raw(axisColor))
	for _, t := range a.ticks() {
		w.line(area.x-5, ys.at(t), area.x, ys.at(t), "")
	}
	w.f("</g>\n")
	for _, t := range a.ticks() {
		w.text(area.x-8, ys.at(t)+4, font{size: tickSize, anchor: "end"}, a.label(t), 0)
	}
	if title != "" {
		x := area.x - 8 - a.labelWidth() - 10
		w.text(x, area.y+area.h/2, font{size: labelSize, anchor: "middle", rotate: -90}, title, area.h)
	}
}

// yTitleRoom is the room left of a plot area for the tick labels of a and
// the rotated axis title.
func yTitleRoom(a axis) float64 {
	return 8 + a.labelWidth() + 10 + labelSize + 4
}
