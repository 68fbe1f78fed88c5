package plot

// legendItem is one line of a legend: a symbol and what it stands for.
type legendItem struct {
	label string
	// detail, if any, is a second line in small print, such as the
	// coordinates of a point.
	detail string
	// swatch draws the symbol in a legendSwatch × legendRow box whose
	// left edge is at x and whose vertical middle is at y.
	swatch func(w *writer, x, y float64)
}

const (
	legendRow    = 22.0
	legendDetail = 14.0 // added to the row of an item with a detail line
	legendSwatch = 30.0
	legendWidth  = 240.0
)

// legendHeight is the height drawLegend needs.
func legendHeight(items []legendItem, notes []string) float64 {
	h := 0.0
	for _, it := range items {
		h += it.height()
	}
	if len(notes) > 0 {
		h += 8 + float64(len(notes))*16
	}
	return h
}

// legend draws items in a column of the given width from (x, y) down, then
// notes in small print. Labels too long for the column are shortened and
// keep their full text as a tooltip.
func (w *writer) legend(x, y, width float64, items []legendItem, notes []string) {
	tx, tw := x+legendSwatch+8, width-legendSwatch-8
	for _, it := range items {
		mid := y + legendRow/2
		it.swatch(w, x, mid)
		w.text(tx, mid+4, font{size: legendSize}, it.label, tw)
		if it.detail != "" {
			w.text(tx, mid+4+legendDetail, font{size: 11, fill: inkSoft}, it.detail, tw)
		}
		y += it.height()
	}
	ny := y + 8
	for i, n := range notes {
		w.text(x, ny+float64(i)*16+12, font{size: 11, fill: inkSoft}, n, width)
	}
}

func (it legendItem) height() float64 {
	if it.detail != "" {
		return legendRow + legendDetail
	}
	return legendRow
}

// lineSwatch is a legend symbol for a line of the given colour and dash.
func lineSwatch(color, dash raw, width float64) func(w *writer, x, y float64) {
	return func(w *writer, x, y float64) {
		w.line(x, y, x+legendSwatch, y, strokeStyle(color, dash, width))
	}
}

// strokeStyle is the attribute fragment of a line of the given colour,
// dash pattern (empty for solid) and width.
func strokeStyle(color, dash raw, width float64) raw {
	s := raw(`stroke="` + string(color) + `" stroke-width="` + num(width) + `"`)
	if dash != "" {
		s += raw(` stroke-dasharray="` + string(dash) + `"`)
	}
	return s
}
