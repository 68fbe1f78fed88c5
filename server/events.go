package server

import (
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/shuttle-mediation/shuttle/store"
)

// eventList is a case's events in memory, each with the frame an event
// stream sends for it, stored where the garbage collector need not look.
//
// A server keeps every event of every open case, and a slice of
// store.Event holds seven pointers an event, each of which every
// collection follows: with a few hundred thousand events the collector's
// marking took tens of milliseconds of two cores, during which answers
// queued up. Here an event is a pointer-free record of offsets and small
// numbers, its body and frame bytes in large shared chunks, and its kind
// and names interned once per case; marking it costs next to nothing.
type eventList struct {
	caseID string
	recs   []eventRec
	chunks [][]byte // bodies and frames; a chunk is never moved once written
	names  []string // kinds and participant names, interned
	nameOf map[string]uint32
	tos    [][]string // recipient lists, interned
	toOf   map[string]uint32
}

type eventRec struct {
	time        time.Duration
	wall        int64 // Unix nanoseconds; see hasWall
	kind, from  uint32
	to          uint32 // index into tos
	chunk       uint32
	body, frame uint32 // offsets in the chunk; the frame follows the body
	bodyLen     int32  // -1 for a nil body
	frameLen    uint32
	hasWall     bool
	leaf        [32]byte
}

// Chunks start small, for the many cases with few events, and double up to
// maxChunk, so that a long case's chunks are few.
const (
	minChunk = 4 << 10
	maxChunk = 64 << 10
)

func newEventList(caseID string) *eventList {
	return &eventList{caseID: caseID, nameOf: map[string]uint32{}, toOf: map[string]uint32{}}
}

// len is the number of events; they have Seq 1 to len.
func (l *eventList) len() int64 { return int64(len(l.recs)) }

// add appends e, which must have the next Seq, and frame, the bytes an
// event stream sends for it. Neither is retained.
func (l *eventList) add(e *store.Event, frame []byte) {
	r := eventRec{time: e.Time, kind: l.intern(e.Kind), from: l.intern(e.From), to: l.internTo(e.To),
		bodyLen: int32(len(e.Body)), frameLen: uint32(len(frame)), hasWall: !e.Wall.IsZero(), leaf: e.Leaf}
	if e.Body == nil {
		r.bodyLen = -1
	}
	if r.hasWall {
		r.wall = e.Wall.UnixNano()
	}
	need := len(e.Body) + len(frame)
	if n := len(l.chunks); n == 0 || cap(l.chunks[n-1])-len(l.chunks[n-1]) < need {
		size := minChunk
		if n > 0 {
			size = min(2*cap(l.chunks[n-1]), maxChunk)
		}
		l.chunks = append(l.chunks, make([]byte, 0, max(size, need)))
	}
	c := &l.chunks[len(l.chunks)-1]
	r.chunk = uint32(len(l.chunks) - 1)
	r.body = uint32(len(*c))
	*c = append(*c, e.Body...)
	r.frame = uint32(len(*c))
	*c = append(*c, frame...)
	l.recs = append(l.recs, r)
}

func (l *eventList) intern(s string) uint32 {
	if i, ok := l.nameOf[s]; ok {
		return i
	}
	i := uint32(len(l.names))
	l.names = append(l.names, s)
	l.nameOf[s] = i
	return i
}

func (l *eventList) internTo(to []string) uint32 {
	key := strings.Join(to, "\x00")
	if len(to) == 0 {
		key = "\x00empty"
	}
	if i, ok := l.toOf[key]; ok {
		return i
	}
	i := uint32(len(l.tos))
	if len(to) == 0 {
		to = nil
	}
	l.tos = append(l.tos, slices.Clip(slices.Clone(to)))
	l.toOf[key] = i
	return i
}

// at returns the event with Seq i+1. Its To and Body are shared: they must
// not be modified.
func (l *eventList) at(i int64) store.Event {
	r := &l.recs[i]
	c := l.chunks[r.chunk]
	e := store.Event{Case: l.caseID, Seq: i + 1, Time: r.time, Kind: l.names[r.kind], From: l.names[r.from],
		To: l.tos[r.to], Leaf: r.leaf}
	if r.bodyLen >= 0 {
		end := r.body + uint32(r.bodyLen)
		e.Body = c[r.body:end:end]
	}
	if r.hasWall {
		e.Wall = time.Unix(0, r.wall).UTC()
	}
	return e
}

// frame is what an event stream sends for the event with Seq i+1.
func (l *eventList) frame(i int64) []byte {
	r := &l.recs[i]
	end := r.frame + r.frameLen
	return l.chunks[r.chunk][r.frame:end:end]
}

// all yields the events from index from on (Seq from+1), in order.
func (l *eventList) all(from int64) iter.Seq2[int64, store.Event] {
	return func(yield func(int64, store.Event) bool) {
		for i := from; i < l.len(); i++ {
			if !yield(i, l.at(i)) {
				return
			}
		}
	}
}

// slice returns the events from index from on (Seq from+1), in order.
func (l *eventList) slice(from int64) []store.Event {
	out := make([]store.Event, 0, max(l.len()-from, 0))
	for _, e := range l.all(from) {
		out = append(out, e)
	}
	return out
}
