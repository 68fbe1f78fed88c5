package plot

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// raw marks a string written by this package itself (attribute fragments,
// colours, path data) that goes into the output unescaped. Text that comes
// from callers is always a plain string, which writer.f escapes.
type raw string

// writer accumulates an SVG document in memory, so that a chart that fails
// validation writes nothing and a chart that succeeds reaches the caller's
// io.Writer in one call.
type writer struct {
	b bytes.Buffer
}

// f is fmt.Fprintf with fixed rules for the arguments, which make the output
// valid XML and reproducible: strings are escaped, raw is copied, float64 is
// formatted by num, int in decimal.
func (w *writer) f(format string, args ...any) {
	conv := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			conv[i] = esc(v)
		case raw:
			conv[i] = string(v)
		case float64:
			conv[i] = num(v)
		case int:
			conv[i] = strconv.Itoa(v)
		default:
			// Only this package calls f; a test covers every chart, so an
			// unexpected type shows up there as a %!v marker.
			conv[i] = fmt.Sprintf("%%!%T", a)
		}
	}
	fmt.Fprintf(&w.b, format, conv...)
}

// num formats a coordinate or an opacity with at most two decimals: finer
// detail is invisible, and a fixed precision keeps the output reproducible.
func num(v float64) string {
	b := strconv.AppendFloat(nil, v, 'f', 2, 64)
	b = bytes.TrimRight(b, "0")
	b = bytes.TrimSuffix(b, []byte("."))
	if string(b) == "-0" {
		return "0"
	}
	return string(b)
}

// esc escapes text for use in element content and quoted attributes. It
// replaces characters that XML forbids (control characters, invalid UTF-8)
// with U+FFFD instead of failing.
func esc(s string) string {
	var b strings.Builder
	// EscapeText only fails if the writer fails; a Builder does not.
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// fontFamily lists fonts with similar metrics on common systems; textWidth
// estimates for the widest of them, DejaVu Sans.
const fontFamily = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"

// Colours. Text and axes are near-black on white for contrast; marks use the
// Okabe–Ito palette and series add dash patterns so that charts stay legible
// for colour-blind readers and in greyscale print.
const (
	ink       = "#1a1a1a"
	inkSoft   = "#4d4d4d"
	gridColor = "#e6e6e6"
	axisColor = "#595959"
)

var seriesColors = []raw{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"}

var seriesDashes = []raw{"", "7 3", "2 2.5", "9 3 2 3"}

// seriesStyle gives series i a colour and a dash pattern; the pairs repeat
// only after 28 series.
func seriesStyle(i int) (color, dash raw) {
	return seriesColors[i%len(seriesColors)], seriesDashes[i%len(seriesDashes)]
}

// textWidth estimates the rendered width of s in pixels. Browsers do not tell
// an SVG file how wide its text is; the estimate errs wide so that labels
// shortened by fit do not overflow.
func textWidth(s string, size float64) float64 {
	em := 0.0
	for _, r := range s {
		em += runeWidth(r)
	}
	return em * size
}

// runeWidth is the estimated advance of r in ems.
func runeWidth(r rune) float64 {
	switch {
	case strings.ContainsRune("ijlIt.,:;'!|()[]{}’‘ ", r):
		return 0.36
	case strings.ContainsRune("mwMW@%", r):
		return 0.95
	case unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana):
		return 1.0
	case unicode.IsUpper(r):
		return 0.72
	}
	return 0.62
}

// fit shortens s with an ellipsis until textWidth says it fits in max pixels
// (max <= 0: no limit). It reports whether s was shortened. It reads s only
// as far as max reaches, so that a huge label costs no more than a long one.
func fit(s string, size, max float64) (string, bool) {
	if max <= 0 {
		return s, false
	}
	budget := max - textWidth("…", size)
	used, cut := 0.0, -1 // cut: where the ellipsis goes if s is too long
	for i, r := range s {
		used += runeWidth(r) * size
		if used > budget && cut < 0 {
			cut = i
		}
		if used > max {
			return strings.TrimRightFunc(s[:cut], unicode.IsSpace) + "…", true
		}
	}
	return s, false
}

// font is how a piece of text is set.
type font struct {
	size   float64
	anchor raw // "start" (default), "middle" or "end"
	bold   bool
	fill   raw // default ink
	rotate float64
	// halo outlines the glyphs in white so that labels placed over data
	// stay readable.
	halo bool
}

// text writes s at (x, y), (x, y) being the start, middle or end of the
// baseline as ft.anchor says. Text longer than max pixels (when max > 0) is
// shortened; the full text is then kept as a tooltip.
func (w *writer) text(x, y float64, ft font, s string, max float64) {
	est := ft.size
	if ft.bold {
		est *= 1.1 // bold glyphs are wider
	}
	shown, cut := fit(s, est, max)
	w.f(`<text x="%s" y="%s" font-size="%s"`, x, y, ft.size)
	if ft.anchor != "" && ft.anchor != "start" {
		w.f(` text-anchor="%s"`, ft.anchor)
	}
	if ft.bold {
		w.f(` font-weight="bold"`)
	}
	fill := ft.fill
	if fill == "" {
		fill = ink
	}
	w.f(` fill="%s"`, fill)
	if ft.rotate != 0 {
		w.f(` transform="rotate(%s %s %s)"`, ft.rotate, x, y)
	}
	if ft.halo {
		w.f(` stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"`)
	}
	w.f(`>%s`, shown)
	if cut {
		w.f(`<title>%s</title>`, s)
	}
	w.f("</text>\n")
}

// shape is a marker symbol.
type shape int

const (
	diamond shape = iota
	triangleUp
	triangleDown
	square
)

// marker draws shape s centred on (x, y) with circumradius r; style holds
// its fill and stroke attributes.
func (w *writer) marker(s shape, x, y, r float64, style raw) {
	var pts [][2]float64
	switch s {
	case diamond:
		pts = [][2]float64{{0, -r}, {r, 0}, {0, r}, {-r, 0}}
	case triangleUp:
		pts = [][2]float64{{0, -r}, {r * 0.866, r / 2}, {-r * 0.866, r / 2}}
	case triangleDown:
		pts = [][2]float64{{0, r}, {-r * 0.866, -r / 2}, {r * 0.866, -r / 2}}
	case square:
		h := r / math.Sqrt2
		pts = [][2]float64{{-h, -h}, {h, -h}, {h, h}, {-h, h}}
	}
	w.polygon(x, y, pts, style)
}

// polygon draws the polygon with vertices pts relative to (x, y).
func (w *writer) polygon(x, y float64, pts [][2]float64, style raw) {
	var b strings.Builder
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(num(x + p[0]))
		b.WriteByte(',')
		b.WriteString(num(y + p[1]))
	}
	w.f(`<polygon points="%s" %s/>`+"\n", raw(b.String()), style)
}

// line draws a straight line; style holds its stroke attributes.
func (w *writer) line(x1, y1, x2, y2 float64, style raw) {
	w.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" %s/>`+"\n", x1, y1, x2, y2, style)
}

// box is a rectangle in pixels.
type box struct{ x, y, w, h float64 }

func (b box) right() float64  { return b.x + b.w }
func (b box) bottom() float64 { return b.y + b.h }

// Page layout shared by every chart: a title block on top, a margin all
// round.
const (
	margin       = 20.0
	titleSize    = 18.0
	subtitleSize = 13.0
	labelSize    = 13.0
	tickSize     = 11.0
	legendSize   = 12.0
)

// headerHeight is the height of the title block.
func headerHeight(title, subtitle string) float64 {
	switch {
	case subtitle != "":
		return 68
	case title != "":
		return 48
	}
	return margin
}

// writeDoc writes a complete SVG document of the given size: the XML
// declaration, the root element with a viewBox so that the picture scales,
// a white background (dark-mode viewers would otherwise show black text on
// black), the title block, then whatever body draws.
func writeDoc(out io.Writer, width, height float64, title, subtitle string, body func(w *writer)) error {
	w := &writer{}
	w.f(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.f(`<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="%s" role="img">`+"\n",
		width, height, width, height, raw(fontFamily))
	if title != "" {
		w.f("<title>%s</title>\n", title)
	}
	w.f(`<rect width="%s" height="%s" fill="#ffffff"/>`+"\n", width, height)
	if title != "" {
		w.text(margin, 32, font{size: titleSize, bold: true}, title, width-2*margin)
	}
	if subtitle != "" {
		w.text(margin, 54, font{size: subtitleSize, fill: inkSoft}, subtitle, width-2*margin)
	}
	body(w)
	w.f("</svg>\n")
	if _, err := out.Write(w.b.Bytes()); err != nil {
		return fmt.Errorf("plot: write svg: %w", err)
	}
	return nil
}
