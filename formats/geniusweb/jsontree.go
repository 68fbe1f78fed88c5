package geniusweb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/shuttle-mediation/shuttle"
)

// maxFileSize bounds what is read into memory; the largest real GeniusWeb
// file (a Pareto front in specials.json) is well under a megabyte.
const maxFileSize = 64 << 20

// maxLiteral bounds the length of a number literal: float64 holds 17
// significant digits, and exact decimal arithmetic on longer ones is work
// for nothing.
const maxLiteral = 100

// maxDepth bounds nesting; GeniusWeb files nest five deep.
const maxDepth = 64

type kind uint8

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kObject
	kArray
)

var kindNames = [...]string{"null", "a boolean", "a number", "a string", "an object", "an array"}

// node is a parsed JSON value that remembers where it stood, so that errors
// found while interpreting it can name both the line and the JSON path.
// encoding/json's structs would lose the order of object keys (issue order)
// and the positions.
type node struct {
	kind  kind
	text  string // a string's value or a number's literal
	keys  []string
	elems []*node // object members (parallel to keys) or array elements
	line  int
	path  string
}

// get is the member named key of an object, or nil.
func (n *node) get(key string) *node {
	if i := slices.Index(n.keys, key); i >= 0 {
		return n.elems[i]
	}
	return nil
}

// document is one JSON file being interpreted.
type document struct {
	file string
	root *node
}

// errAt is an invalid-input error located at n.
func (doc *document) errAt(n *node, format string, args ...any) error {
	return shuttle.InFile(doc.file, n.line, n.path, format, args...)
}

// unsupported is an error for well-formed input of a kind shuttle does not take.
func (doc *document) unsupported(n *node, format string, args ...any) error {
	return &shuttle.Error{Code: shuttle.EUnsupported, File: doc.file, Line: n.line, Field: n.path, Message: fmt.Sprintf(format, args...)}
}

// object checks that n is an object with no members outside allowed and
// that every name in required is present.
func (doc *document) object(n *node, required []string, optional ...string) error {
	if n.kind != kObject {
		return doc.errAt(n, "is %s, want an object", kindNames[n.kind])
	}
	for i, k := range n.keys {
		if !slices.Contains(required, k) && !slices.Contains(optional, k) {
			return doc.errAt(n.elems[i], "unknown field (want %s)", strings.Join(append(slices.Clone(required), optional...), ", "))
		}
	}
	for _, k := range required {
		if n.get(k) == nil {
			return doc.errAt(n, "missing field %q", k)
		}
	}
	return nil
}

func (doc *document) str(n *node) (string, error) {
	if n.kind != kString {
		return "", doc.errAt(n, "is %s, want a string", kindNames[n.kind])
	}
	return n.text, nil
}

func (doc *document) num(n *node) (float64, error) {
	if n.kind != kNumber {
		return 0, doc.errAt(n, "is %s, want a number", kindNames[n.kind])
	}
	x, err := strconv.ParseFloat(n.text, 64)
	if err != nil || math.IsInf(x, 0) {
		return 0, doc.errAt(n, "number %s is out of range", n.text)
	}
	return x, nil
}

// unit reads a number that must lie in [0,1], as every GeniusWeb utility does.
func (doc *document) unit(n *node) (float64, error) {
	x, err := doc.num(n)
	if err != nil {
		return 0, err
	}
	if x < 0 || x > 1 {
		return 0, doc.errAt(n, "utility %s is outside [0,1]", n.text)
	}
	return x, nil
}

// readDoc reads and parses a JSON file.
func readDoc(path string) (*document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.ENotFound, File: path, Message: "cannot open", Err: unwrapPath(err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.EInternal, File: path, Message: "cannot read", Err: unwrapPath(err)}
	}
	if len(data) > maxFileSize {
		return nil, &shuttle.Error{Code: shuttle.ETooLarge, File: path, Message: fmt.Sprintf("file is larger than %d bytes", maxFileSize)}
	}
	return parseDoc(path, data)
}

// unwrapPath drops the *os.PathError wrapper whose path the message repeats.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// parseDoc parses data, which came from file, into a tree of nodes.
func parseDoc(file string, data []byte) (*document, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	p := &parser{file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	root, err := p.value("", 0)
	if err != nil {
		return nil, err
	}
	if tok, err := p.dec.Token(); err != io.EOF {
		if err != nil {
			return nil, p.syntax(err)
		}
		return nil, shuttle.InFile(file, p.line(p.dec.InputOffset()), "", "unexpected %v after the JSON value", tok)
	}
	return &document{file: file, root: root}, nil
}

type parser struct {
	file string
	data []byte
	dec  *json.Decoder
	// The line of offset at, kept so that counting lines stays linear in
	// the input: offsets only grow as parsing goes on.
	at, atLine int
}

// line is the 1-based line of the byte just before offset off.
func (p *parser) line(off int64) int {
	end := int(min(max(off-1, 0), int64(len(p.data))))
	if end < p.at {
		return 1 + bytes.Count(p.data[:end], []byte{'\n'})
	}
	p.atLine += bytes.Count(p.data[p.at:end], []byte{'\n'})
	p.at = end
	return 1 + p.atLine
}

// syntax turns a decoder error into a one-line error with line and column.
// The tokenizer's offsets are unreliable (inside a value they count from
// the value's start), so the whole input is checked again by
// json.Unmarshal, whose offsets count up to and including the offending
// byte.
func (p *parser) syntax(err error) error {
	var se *json.SyntaxError
	if uerr := json.Unmarshal(p.data, new(json.RawMessage)); !errors.As(uerr, &se) {
		return shuttle.InFile(p.file, p.line(int64(len(p.data))), "", "%v", err)
	}
	if se.Offset >= int64(len(p.data)) && strings.HasPrefix(se.Error(), "unexpected end") {
		return shuttle.InFile(p.file, p.line(int64(len(p.data))), "", "unexpected end of JSON")
	}
	pos := int(min(max(se.Offset-1, 0), int64(len(p.data))))
	nl := bytes.LastIndexByte(p.data[:pos], '\n')
	return shuttle.InFile(p.file, p.line(int64(pos+1)), "", "column %d: %s", pos-nl, se.Error())
}

func (p *parser) value(path string, depth int) (*node, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntax(err)
	}
	n := &node{line: p.line(p.dec.InputOffset()), path: path}
	switch t := tok.(type) {
	case nil:
		n.kind = kNull
	case bool:
		n.kind, n.text = kBool, strconv.FormatBool(t)
	case json.Number:
		n.kind, n.text = kNumber, string(t)
	case string:
		n.kind, n.text = kString, t
	case json.Delim:
		if t != '{' && t != '[' {
			return nil, shuttle.InFile(p.file, n.line, path, "unexpected %q", string(t))
		}
		if depth >= maxDepth {
			return nil, shuttle.InFile(p.file, n.line, path, "nested more than %d deep", maxDepth)
		}
		if t == '[' {
			n.kind = kArray
			for p.dec.More() {
				e, err := p.value(fmt.Sprintf("%s[%d]", path, len(n.elems)), depth+1)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, e)
			}
		} else {
			n.kind = kObject
			seen := make(map[string]bool)
			for p.dec.More() {
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.syntax(err)
				}
				key := kt.(string) // the decoder only yields strings in key position
				sub := key
				if path != "" {
					sub = path + "." + key
				}
				if seen[key] {
					return nil, shuttle.InFile(p.file, p.line(p.dec.InputOffset()), sub, "key appears twice")
				}
				e, err := p.value(sub, depth+1)
				if err != nil {
					return nil, err
				}
				seen[key] = true
				n.keys = append(n.keys, key)
				n.elems = append(n.elems, e)
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, p.syntax(err)
		}
	}
	return n, nil
}
