package genius

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/shuttle-mediation/shuttle"
)

// element is one XML element with the line its start tag begins on, kept so
// that every complaint about a file can point at the line at fault.
type element struct {
	name     string
	attrs    []xml.Attr
	children []*element
	line     int
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack of
// the recursive walks over the tree; real files nest five levels deep.
const maxDepth = 64

// parseXML reads a whole document. It returns a nil root, and text reporting
// whether anything but whitespace and markup was found outside elements, for
// input that holds no element at all (an empty Scenario file, or a frontier
// listing that is not XML).
func parseXML(file string, data []byte) (root *element, text bool, err error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*element
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if err == io.EOF {
			if len(stack) > 0 {
				return nil, false, shuttle.InFile(file, line, "", "XML ends inside <%s>", stack[len(stack)-1].name)
			}
			return root, text, nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, false, shuttle.InFile(file, se.Line, "", "malformed XML: %s", se.Msg)
			}
			return nil, false, shuttle.InFile(file, line, "", "malformed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && root != nil {
				return nil, false, shuttle.InFile(file, line, t.Name.Local, "a second root element")
			}
			if len(stack) >= maxDepth {
				return nil, false, shuttle.InFile(file, line, t.Name.Local, "elements nested more than %d deep", maxDepth)
			}
			e := &element{name: t.Name.Local, attrs: t.Attr, line: line}
			if len(stack) == 0 {
				root = e
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) > 0 {
				text = true
			}
		}
	}
}

// attr is the value of the named attribute, if present.
func (e *element) attr(name string) (string, bool) {
	for _, a := range e.attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// all lists the direct children with the given name.
func (e *element) all(name string) []*element {
	var out []*element
	for _, c := range e.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// first is the first direct child with the given name, or nil.
func (e *element) first(name string) *element {
	for _, c := range e.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// where locates complaints about an element of one file.
type where struct{ file string }

func (w where) errorf(e *element, format string, args ...any) error {
	return shuttle.InFile(w.file, e.line, "<"+e.name+">", format, args...)
}

// number reads a required floating-point attribute.
func (w where) number(e *element, name string) (float64, error) {
	s, ok := e.attr(name)
	if !ok {
		return 0, w.errorf(e, "missing attribute %s", name)
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, w.errorf(e, "attribute %s=%q is not a number", name, s)
	}
	return x, nil
}

// integer reads a required integer attribute.
func (w where) integer(e *element, name string) (int64, error) {
	s, ok := e.attr(name)
	if !ok {
		return 0, w.errorf(e, "missing attribute %s", name)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, w.errorf(e, "attribute %s=%q is not an integer", name, s)
	}
	return n, nil
}
