package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// bodyDepth is how deep an entry's body is nested in an archive line:
// {"entry":{"body":...}}.
const bodyDepth = 2

// An Entry is one event of a case: a step of the negotiation or of the
// agreement's implementation.
type Entry struct {
	// Seq is the entry's position in the log, from 0. Log.Append assigns it.
	Seq int64
	// Time is when the event happened on the case's clock: the time since
	// the case started, virtual in a simulation and elapsed wall time in a
	// live case. It never decreases along the log.
	Time time.Duration
	// Wall is the wall-clock time of the event; zero when the case runs on
	// a virtual clock.
	Wall time.Time
	// Kind names the event, for example "offer" or "phase.confirmed".
	Kind string
	// From is the participant who caused the event; "" for the case itself
	// (a deadline passing, say).
	From string
	// To lists the participants the event is addressed to, as a set; empty
	// means everyone in the case.
	To []string
	// Body is the event's content: a JSON object. Nil stands for {}.
	Body json.RawMessage
}

// Canonical returns the canonical encoding of e specified in the package
// documentation, from which its leaf hash is computed. It fails if a field
// cannot be encoded canonically: invalid UTF-8, a body that is not a JSON
// object or holds a number that does not survive a round trip, a negative
// time, repeated recipients.
func (e Entry) Canonical() ([]byte, error) {
	p := getParser()
	defer putParser(p)
	enc, _, err := e.appendCanonical(nil, p)
	return enc, err
}

// Encoded is an entry in its canonical encoding, for a writer that must
// store an entry's canonical body and leaf hash before it appends the
// entry to its Log: Encode parses the body once for all three.
type Encoded struct {
	seq      int64
	time     time.Duration
	enc      []byte
	from, to int // the canonical body within enc
}

// Encode checks e and encodes it canonically; see Canonical.
func Encode(e Entry) (Encoded, error) {
	p := getParser()
	defer putParser(p)
	enc, body, err := e.appendCanonical(nil, p)
	if err != nil {
		return Encoded{}, err
	}
	return Encoded{seq: e.Seq, time: e.Time, enc: enc, from: body[0], to: body[1]}, nil
}

// Body is the entry's body in canonical form.
func (x Encoded) Body() []byte { return x.enc[x.from:x.to:x.to] }

// Leaf is the entry's Merkle leaf hash.
func (x Encoded) Leaf() Hash { return LeafHash(x.enc) }

// appendCanonical appends the canonical encoding of e to dst, parsing the
// body with p, and says where in the result the canonical body is. On
// error the contents of the returned slice beyond len(dst) are
// unspecified.
func (e *Entry) appendCanonical(dst []byte, p *parser) ([]byte, [2]int, error) {
	var body [2]int
	if e.Seq < 0 || e.Seq > maxExact {
		return dst, body, fmt.Errorf("sequence number %d out of range", e.Seq)
	}
	if e.Time < 0 {
		return dst, body, fmt.Errorf("negative time %d", e.Time)
	}
	if e.Kind == "" {
		return dst, body, errors.New("empty kind")
	}
	for _, s := range [...]struct{ field, value string }{{"kind", e.Kind}, {"from", e.From}} {
		if !utf8.ValidString(s.value) {
			return dst, body, fmt.Errorf("%s: invalid UTF-8", s.field)
		}
	}
	to, err := recipients(e.To)
	if err != nil {
		return dst, body, err
	}
	var wall string
	if !e.Wall.IsZero() {
		if y := e.Wall.UTC().Year(); y < 0 || y > 9999 {
			return dst, body, fmt.Errorf("wall time year %d outside RFC 3339", y)
		}
		wall = e.Wall.UTC().Format(time.RFC3339Nano)
	}

	dst = append(dst, `{"body":`...)
	body[0] = len(dst)
	if len(e.Body) == 0 {
		dst = append(dst, "{}"...)
	} else {
		node, err := p.parseAt(e.Body, bodyDepth)
		if err != nil {
			return dst, body, fmt.Errorf("body: %w", err)
		}
		if node.kind != kObject {
			return dst, body, fmt.Errorf("body: a JSON %s, want an object", node.kind)
		}
		dst = appendCanonical(dst, &node)
	}
	body[1] = len(dst)
	dst = append(dst, `,"from":`...)
	dst = appendString(dst, e.From)
	dst = append(dst, `,"kind":`...)
	dst = appendString(dst, e.Kind)
	dst = append(dst, `,"seq":`...)
	dst = appendNumber(dst, float64(e.Seq))
	dst = append(dst, `,"time":"`...)
	dst = strconv.AppendInt(dst, int64(e.Time), 10)
	dst = append(dst, `","to":[`...)
	for i, name := range to {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, name)
	}
	dst = append(dst, ']')
	if wall != "" {
		dst = append(dst, `,"wall":`...)
		dst = appendString(dst, wall)
	}
	return append(dst, '}'), body, nil
}

// recipients returns to in canonical order, checking each name.
func recipients(to []string) ([]string, error) {
	for _, name := range to {
		if name == "" {
			return nil, errors.New("to: empty participant name")
		}
		if !utf8.ValidString(name) {
			return nil, errors.New("to: invalid UTF-8")
		}
	}
	if !slices.IsSortedFunc(to, compareNames) {
		to = slices.Clone(to)
		slices.SortFunc(to, compareNames)
	}
	for i := 1; i < len(to); i++ {
		if to[i-1] == to[i] {
			return nil, fmt.Errorf("to: %q listed twice", to[i])
		}
	}
	return to, nil
}

func compareNames(a, b string) int { return compareUTF16([]byte(a), []byte(b)) }

// entryFields is an entry decoded from its canonical encoding without
// copying: the verifier needs only some of it, and only sometimes.
type entryFields struct {
	seq        int64
	time       time.Duration
	wall       []byte // RFC 3339 text, nil if absent
	kind, from []byte
	to         []node
	body       *node
}

// decodeEntry checks that n, parsed from a canonical encoding, has the
// shape of an entry.
func decodeEntry(n *node) (entryFields, error) {
	var f entryFields
	var wall *node
	switch {
	case n.hasKeys("body", "from", "kind", "seq", "time", "to"):
	case n.hasKeys("body", "from", "kind", "seq", "time", "to", "wall"):
		wall = &n.kids[6]
	default:
		return f, errors.New(`want an object with members body, from, kind, seq, time, to and optionally wall`)
	}
	body, from, kind, seq, tm, to := &n.kids[0], &n.kids[1], &n.kids[2], &n.kids[3], &n.kids[4], &n.kids[5]
	if body.kind != kObject {
		return f, fmt.Errorf("body: a JSON %s, want an object", body.kind)
	}
	f.body = body
	if from.kind != kString {
		return f, fmt.Errorf("from: a JSON %s, want a string", from.kind)
	}
	f.from = from.str
	if kind.kind != kString || len(kind.str) == 0 {
		return f, errors.New("kind: want a non-empty string")
	}
	f.kind = kind.str
	if seq.kind != kNumber || seq.num < 0 || seq.num != float64(int64(seq.num)) {
		return f, errors.New("seq: want a non-negative integer")
	}
	f.seq = int64(seq.num)
	if tm.kind != kString {
		return f, errors.New("time: want a string of decimal nanoseconds")
	}
	t, err := parseDecimal(tm.str)
	if err != nil {
		return f, fmt.Errorf("time: %w", err)
	}
	f.time = time.Duration(t)
	if to.kind != kArray {
		return f, fmt.Errorf("to: a JSON %s, want an array", to.kind)
	}
	for i := range to.kids {
		r := &to.kids[i]
		if r.kind != kString || len(r.str) == 0 {
			return f, errors.New("to: want non-empty strings")
		}
		if i > 0 && compareUTF16(to.kids[i-1].str, r.str) >= 0 {
			return f, errors.New("to: names not in canonical order or repeated")
		}
	}
	f.to = to.kids
	if wall != nil {
		if wall.kind != kString {
			return f, errors.New("wall: want an RFC 3339 string")
		}
		t, err := time.Parse(time.RFC3339Nano, string(wall.str))
		if err != nil || t.UTC().Format(time.RFC3339Nano) != string(wall.str) {
			return f, errors.New("wall: want RFC 3339 in UTC with 'Z' and no trailing zeros in the fraction")
		}
		f.wall = wall.str
	}
	return f, nil
}

// parseDecimal parses a non-negative int64 written canonically: no sign,
// no leading zeros.
func parseDecimal(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 1 && b[0] == '0' {
		return 0, fmt.Errorf("%q is not a canonical decimal integer", b)
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a canonical decimal integer", b)
		}
		if v > (1<<63-1-int64(c-'0'))/10 {
			return 0, fmt.Errorf("%s overflows int64", b)
		}
		v = v*10 + int64(c-'0')
	}
	return v, nil
}

// entry converts f to an Entry, copying what it refers to.
func (f *entryFields) entry() Entry {
	e := Entry{
		Seq:  f.seq,
		Time: f.time,
		Kind: string(f.kind),
		From: string(f.from),
		Body: appendCanonical(nil, f.body),
	}
	if f.wall != nil {
		e.Wall, _ = time.Parse(time.RFC3339Nano, string(f.wall)) // checked by decodeEntry
	}
	for _, r := range f.to {
		e.To = append(e.To, string(r.str))
	}
	return e
}
