package ledger

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 100

// maxExact is 2^53: every integer up to it is exactly a float64.
const maxExact = 1 << 53

// CanonicalJSON returns the canonical encoding (see the package
// documentation) of the JSON value in data, or an error naming the byte
// offset of the first thing that cannot be encoded canonically.
func CanonicalJSON(data []byte) ([]byte, error) {
	p := getParser()
	defer putParser(p)
	v, err := p.parse(data)
	if err != nil {
		return nil, err
	}
	return appendCanonical(nil, &v), nil
}

// parsers recycles the parsers of calls whose nodes do not outlive them:
// a server canonicalizes every event it logs, and a fresh parser's arena
// was a quarter of everything it allocated.
var parsers = sync.Pool{New: func() any { return new(parser) }}

// maxPooledNodes keeps one huge document from pinning its arena forever.
const maxPooledNodes = 1 << 12

func getParser() *parser { return parsers.Get().(*parser) }

// putParser returns p to the pool; its nodes must no longer be in use.
func putParser(p *parser) {
	if cap(p.arena) > maxPooledNodes || cap(p.stack) > maxPooledNodes {
		return
	}
	// Drop references into the last input, which may be large.
	p.data = nil
	clear(p.arena[:cap(p.arena)])
	p.arena, p.stack = p.arena[:0], p.stack[:0]
	parsers.Put(p)
}

type kind uint8

const (
	kNull kind = iota
	kFalse
	kTrue
	kNumber
	kString
	kArray
	kObject
)

// A node is a parsed JSON value. Strings and member names hold their
// decoded bytes, which alias the input when the text had no escapes.
type node struct {
	kind kind
	num  float64
	str  []byte // string value
	key  []byte // member name, for the members of an object
	kids []node // array elements or object members, the latter in canonical order
}

// member returns the value of the object member named key, or nil.
func (n *node) member(key string) *node {
	for i := range n.kids {
		if string(n.kids[i].key) == key {
			return &n.kids[i]
		}
	}
	return nil
}

// hasKeys reports whether n is an object whose member names are exactly
// keys, which must be given in canonical order.
func (n *node) hasKeys(keys ...string) bool {
	if n.kind != kObject || len(n.kids) != len(keys) {
		return false
	}
	for i, k := range keys {
		if string(n.kids[i].key) != k {
			return false
		}
	}
	return true
}

func (k kind) String() string {
	return [...]string{"null", "false", "true", "number", "string", "array", "object"}[k]
}

type syntaxError struct {
	offset int
	msg    string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.offset, e.msg) }

// A parser parses JSON into nodes. It can be reused: the nodes of one parse
// live until the next, which recycles their memory, so that a verifier
// reading millions of lines allocates almost nothing per line.
//
// A strict parser accepts only text already in canonical form, which is
// what CanonicalJSON would return for it, and says where it is not: it is
// how archive lines are read, without re-encoding them to compare.
type parser struct {
	strict bool
	data   []byte
	pos    int
	stack  []node // children of the containers being parsed
	arena  []node // the current chunk from which children slices are cut
}

// parse parses one JSON value (RFC 8259) with the stricter rules of the
// canonical encoding: valid UTF-8, no unpaired surrogates, no duplicate
// member names, numbers that survive a round trip through float64. It
// invalidates the nodes of the previous parse.
func (p *parser) parse(data []byte) (node, error) { return p.parseAt(data, 0) }

// parseAt parses a value that will be nested depth levels deep, so that
// the depth limit holds for the whole it becomes part of.
func (p *parser) parseAt(data []byte, depth int) (node, error) {
	p.data, p.pos = data, 0
	p.stack, p.arena = p.stack[:0], p.arena[:0]
	p.space()
	v, err := p.value(depth)
	if err != nil {
		return node{}, err
	}
	p.space()
	if p.pos != len(p.data) {
		return node{}, p.errorf("data after the JSON value")
	}
	return v, nil
}

// children moves the nodes pushed on the stack since base into a slice of
// their own, cut from the arena.
func (p *parser) children(base int) []node {
	n := len(p.stack) - base
	if n == 0 {
		return nil
	}
	if cap(p.arena)-len(p.arena) < n {
		// A new chunk: slices cut from the old one are still in use.
		p.arena = make([]node, 0, max(n, 2*cap(p.arena), 8))
	}
	kids := p.arena[len(p.arena) : len(p.arena)+n : len(p.arena)+n]
	p.arena = p.arena[:len(p.arena)+n]
	copy(kids, p.stack[base:])
	clear(p.stack[base:]) // drop references into the input
	p.stack = p.stack[:base]
	return kids
}

func (p *parser) errorf(format string, args ...any) error {
	return &syntaxError{offset: p.pos, msg: fmt.Sprintf(format, args...)}
}

func (p *parser) space() {
	if p.strict {
		return // whitespace then fails as an unexpected character
	}
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (node, error) {
	if depth >= maxDepth {
		return node{}, p.errorf("nested deeper than %d", maxDepth)
	}
	if p.pos >= len(p.data) {
		return node{}, p.errorf("unexpected end of JSON")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.string()
		return node{kind: kString, str: s}, err
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	for _, lit := range [...]struct {
		text string
		kind kind
	}{{"null", kNull}, {"false", kFalse}, {"true", kTrue}} {
		if bytes.HasPrefix(p.data[p.pos:], []byte(lit.text)) {
			p.pos += len(lit.text)
			return node{kind: lit.kind}, nil
		}
	}
	return node{}, p.errorf("unexpected character %q", p.data[p.pos])
}

func (p *parser) object(depth int) (node, error) {
	start := p.pos
	p.pos++ // '{'
	base := len(p.stack)
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return node{kind: kObject}, nil
	}
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return node{}, p.errorf("expected a member name")
		}
		keyStart := p.pos
		k, err := p.string()
		if err != nil {
			return node{}, err
		}
		if p.strict && len(p.stack) > base && compareUTF16(p.stack[len(p.stack)-1].key, k) >= 0 {
			return node{}, &syntaxError{keyStart, fmt.Sprintf("member %q not in canonical order (or repeated)", k)}
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return node{}, p.errorf("expected ':'")
		}
		p.pos++
		p.space()
		v, err := p.value(depth + 1)
		if err != nil {
			return node{}, err
		}
		v.key = k
		p.stack = append(p.stack, v)
		p.space()
		if p.pos >= len(p.data) {
			return node{}, p.errorf("unexpected end of JSON in object")
		}
		if p.data[p.pos] == '}' {
			p.pos++
			break
		}
		if p.data[p.pos] != ',' {
			return node{}, p.errorf("expected ',' or '}'")
		}
		p.pos++
	}
	n := node{kind: kObject, kids: p.children(base)}
	if p.strict {
		return n, nil // checked member by member
	}
	if err := sortMembers(n.kids); err != nil {
		return node{}, &syntaxError{offset: start, msg: err.Error()}
	}
	return n, nil
}

// sortMembers puts the members of an object in canonical order, rejecting
// duplicate names (RFC 8785 requires unique names, as I-JSON does).
func sortMembers(kids []node) error {
	byKey := func(a, b node) int { return compareUTF16(a.key, b.key) }
	if !slices.IsSortedFunc(kids, byKey) {
		slices.SortFunc(kids, byKey)
	}
	for i := 1; i < len(kids); i++ {
		if compareUTF16(kids[i-1].key, kids[i].key) == 0 {
			return fmt.Errorf("duplicate member name %q", kids[i].key)
		}
	}
	return nil
}

func (p *parser) array(depth int) (node, error) {
	p.pos++ // '['
	base := len(p.stack)
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return node{kind: kArray}, nil
	}
	for {
		p.space()
		v, err := p.value(depth + 1)
		if err != nil {
			return node{}, err
		}
		p.stack = append(p.stack, v)
		p.space()
		if p.pos >= len(p.data) {
			return node{}, p.errorf("unexpected end of JSON in array")
		}
		if p.data[p.pos] == ']' {
			p.pos++
			return node{kind: kArray, kids: p.children(base)}, nil
		}
		if p.data[p.pos] != ',' {
			return node{}, p.errorf("expected ',' or ']'")
		}
		p.pos++
	}
}

// string parses a string literal and returns its decoded bytes.
func (p *parser) string() ([]byte, error) {
	p.pos++ // '"'
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return p.data[start : p.pos-1], nil
		case c == '\\':
			return p.escapedString(append([]byte(nil), p.data[start:p.pos]...))
		case c < 0x20:
			return nil, p.errorf("control character %#x in string", c)
		case c < utf8.RuneSelf:
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return nil, p.errorf("invalid UTF-8 in string")
			}
			p.pos += size
		}
	}
	return nil, p.errorf("unterminated string")
}

// escapedString continues string from the first backslash, decoding into
// buf.
func (p *parser) escapedString(buf []byte) ([]byte, error) {
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return buf, nil
		case c == '\\':
			start := p.pos
			r, err := p.escape()
			if err != nil {
				return nil, err
			}
			if p.strict && string(appendString(nil, string(r))) != `"`+string(p.data[start:p.pos])+`"` {
				return nil, &syntaxError{start, fmt.Sprintf("escape %s not in canonical form", p.data[start:p.pos])}
			}
			buf = utf8.AppendRune(buf, r)
		case c < 0x20:
			return nil, p.errorf("control character %#x in string", c)
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return nil, p.errorf("invalid UTF-8 in string")
			}
			buf = append(buf, p.data[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
	return nil, p.errorf("unterminated string")
}

// escape decodes one escape sequence, joining surrogate pairs.
func (p *parser) escape() (rune, error) {
	if p.pos+1 >= len(p.data) {
		return 0, p.errorf("unterminated escape")
	}
	c := p.data[p.pos+1]
	p.pos += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		r, err := p.hex4()
		if err != nil {
			return 0, err
		}
		if !utf16.IsSurrogate(r) {
			return r, nil
		}
		if r < 0xdc00 && p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
			p.pos += 2
			lo, err := p.hex4()
			if err != nil {
				return 0, err
			}
			if r := utf16.DecodeRune(r, lo); r != utf8.RuneError {
				return r, nil
			}
		}
		return 0, p.errorf("unpaired surrogate in string")
	}
	return 0, p.errorf("invalid escape \\%c", c)
}

func (p *parser) hex4() (rune, error) {
	if p.pos+4 > len(p.data) {
		return 0, p.errorf("short \\u escape")
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, p.errorf("invalid \\u escape")
		}
		r = r<<4 | rune(d)
	}
	p.pos += 4
	return r, nil
}

func (p *parser) number() (node, error) {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.data[p.pos] == '-' {
		p.pos++
	}
	intStart := p.pos
	if n := digits(); n == 0 {
		return node{}, p.errorf("invalid number")
	} else if n > 1 && p.data[intStart] == '0' {
		return node{}, &syntaxError{intStart, "number with a leading zero"}
	}
	integer := true
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		integer = false
		if digits() == 0 {
			return node{}, p.errorf("invalid number")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		integer = false
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return node{}, p.errorf("invalid number")
		}
	}
	lit := p.data[start:p.pos]
	if digits := p.data[intStart:p.pos]; integer && (len(digits) > 16 || len(digits) == 16 && string(digits) > "9007199254740992") {
		return node{}, &syntaxError{start, fmt.Sprintf("integer %s is beyond 2^53, where doubles are inexact; write it as a string", lit)}
	}
	var f float64
	if integer && p.pos-intStart <= 15 {
		// Fast path: small integers need no float parsing.
		for _, c := range p.data[intStart:p.pos] {
			f = f*10 + float64(c-'0')
		}
		if lit[0] == '-' {
			f = -f
		}
	} else {
		var err error
		if f, err = strconv.ParseFloat(string(lit), 64); err != nil {
			return node{}, &syntaxError{start, fmt.Sprintf("number %s out of range", lit)}
		}
	}
	if a := math.Abs(f); a > maxExact && a < 1e21 {
		return node{}, &syntaxError{start, fmt.Sprintf("number %s is beyond 2^53 but would be written as integer digits; write it as a string", lit)}
	}
	if p.strict {
		var buf [32]byte
		if c := appendNumber(buf[:0], f); string(c) != string(lit) {
			return node{}, &syntaxError{start, fmt.Sprintf("number %s not in canonical form %s", lit, string(c))} // a copy, so buf stays on the stack
		}
	}
	return node{kind: kNumber, num: f}, nil
}

// compareUTF16 orders strings as sequences of UTF-16 code units, which is
// RFC 8785's order for member names. It differs from byte order only where
// a character above U+FFFF meets one in U+E000..U+FFFF.
func compareUTF16(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(a) || i == len(b) {
		return len(a) - len(b)
	}
	for i > 0 && !utf8.RuneStart(a[i]) {
		i-- // back to the start of the runes that differ
	}
	ra, _ := utf8.DecodeRune(a[i:])
	rb, _ := utf8.DecodeRune(b[i:])
	return utf16Weight(ra) - utf16Weight(rb)
}

// utf16Weight maps a rune to a number ordered as its UTF-16 encoding:
// U+E000..U+FFFF sort after the surrogate pairs of higher characters.
func utf16Weight(r rune) int {
	if r >= 0xe000 && r <= 0xffff {
		return int(r) + 0x200000
	}
	return int(r)
}

// appendCanonical appends the canonical encoding of n to dst.
func appendCanonical(dst []byte, n *node) []byte {
	switch n.kind {
	case kNull:
		return append(dst, "null"...)
	case kFalse:
		return append(dst, "false"...)
	case kTrue:
		return append(dst, "true"...)
	case kNumber:
		return appendNumber(dst, n.num)
	case kString:
		return appendString(dst, n.str)
	case kArray:
		dst = append(dst, '[')
		for i := range n.kids {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendCanonical(dst, &n.kids[i])
		}
		return append(dst, ']')
	}
	dst = append(dst, '{')
	for i := range n.kids {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, n.kids[i].key)
		dst = append(dst, ':')
		dst = appendCanonical(dst, &n.kids[i])
	}
	return append(dst, '}')
}

// appendString appends s, which must be valid UTF-8, as a canonical string
// literal: only '"', '\\' and control characters are escaped, with the
// short forms where JSON has them.
func appendString[S ~string | ~[]byte](dst []byte, s S) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendNumber appends f as ECMAScript's Number::toString writes it
// (RFC 8785, section 3.2.2.3): the shortest digits that round-trip, in
// plain notation for 1e-6 <= |f| < 1e21 and exponent notation otherwise.
func appendNumber(dst []byte, f float64) []byte {
	if f == 0 {
		return append(dst, '0') // also for -0
	}
	if f == math.Trunc(f) && math.Abs(f) <= maxExact {
		return strconv.AppendInt(dst, int64(f), 10) // the common case, and the same digits
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	var buf [32]byte
	// Shortest round-trip digits as d[.ddd]e±x.
	b := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	e := bytes.IndexByte(b, 'e')
	exp := 0
	for _, c := range b[e+2:] {
		exp = exp*10 + int(c-'0')
	}
	if b[e+1] == '-' {
		exp = -exp
	}
	var digitBuf [20]byte
	digits := append(digitBuf[:0], b[0])
	if e > 1 {
		digits = append(digits, b[2:e]...)
	}
	k, n := len(digits), exp+1 // value = 0.digits × 10^n
	switch {
	case k <= n && n <= 21:
		dst = append(dst, digits...)
		for range n - k {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(dst, digits[:n]...)
		dst = append(dst, '.')
		dst = append(dst, digits[n:]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for range -n {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	default:
		dst = append(dst, digits[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if n-1 >= 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(n-1), 10)
	}
	return dst
}
