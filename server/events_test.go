package server

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/shuttle-mediation/shuttle/store"
)

// TestEventList checks the compact in-memory events against a plain slice
// of what was added: every event and frame reads back as it went in, with
// bodies and frames of any size (some larger than a chunk), nil and empty
// bodies told apart, and wall times with and without a value.
func TestEventList(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		names := []string{"", "alice", "bob", "mediator", "negotiate.text", "deal.delivered"}
		name := rapid.SampledFrom(names)
		l := newEventList("c-1")
		want := []store.Event{}
		var frames [][]byte
		for i := range rapid.IntRange(0, 60).Draw(t, "events") {
			e := store.Event{Case: "c-1", Seq: int64(i) + 1, Time: time.Duration(rapid.Int64Min(0).Draw(t, "time")),
				Kind: name.Draw(t, "kind"), From: name.Draw(t, "from")}
			e.To = rapid.SliceOfDistinct(rapid.SampledFrom(names[1:4]), rapid.ID).Draw(t, "to")
			if len(e.To) == 0 {
				e.To = nil
			}
			if rapid.Bool().Draw(t, "wall") {
				e.Wall = time.Unix(0, rapid.Int64Range(0, 1<<62).Draw(t, "wall ns")).UTC()
			}
			switch rapid.IntRange(0, 3).Draw(t, "body") {
			case 0: // nil
			case 1:
				e.Body = []byte{}
			case 2:
				e.Body = rapid.SliceOf(rapid.Byte()).Draw(t, "bytes")
			case 3:
				e.Body = bytes.Repeat([]byte("x"), maxChunk+rapid.IntRange(0, 100).Draw(t, "extra"))
			}
			copy(e.Leaf[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "leaf"))
			frame := rapid.SliceOf(rapid.Byte()).Draw(t, "frame")
			l.add(&e, frame)
			want = append(want, e)
			frames = append(frames, bytes.Clone(frame))
		}
		if l.len() != int64(len(want)) {
			t.Fatalf("len %d, want %d", l.len(), len(want))
		}
		if diff := cmp.Diff(want, l.slice(0), cmp.Comparer(bytes.Equal)); diff != "" {
			t.Fatalf("events differ (-added +read):\n%s", diff)
		}
		for i := range want {
			if got := l.frame(int64(i)); !bytes.Equal(got, frames[i]) {
				t.Fatalf("frame %d = %q, want %q", i, got, frames[i])
			}
			if got := l.at(int64(i)); (got.Body == nil) != (want[i].Body == nil) {
				t.Fatalf("event %d: body nil %v, want %v", i, got.Body == nil, want[i].Body == nil)
			}
		}
		if from := rapid.IntRange(0, len(want)).Draw(t, "from"); len(l.slice(int64(from))) != len(want)-from {
			t.Fatalf("slice(%d) has %d events, want %d", from, len(l.slice(int64(from))), len(want)-from)
		}
	})
}

// TestEventListShared checks that a body read back cannot be grown into the
// next event's bytes.
func TestEventListShared(t *testing.T) {
	l := newEventList("c")
	l.add(&store.Event{Kind: "a", Body: []byte("one")}, []byte("frame one"))
	l.add(&store.Event{Kind: "b", Body: []byte("two")}, []byte("frame two"))
	b := l.at(0).Body
	_ = append(b, '!')
	if got := string(l.frame(0)); got != "frame one" {
		t.Fatalf("frame 0 = %q after appending to body 0", got)
	}
	f := l.frame(0)
	_ = append(f, '!')
	if got := string(l.at(1).Body); got != "two" {
		t.Fatalf("body 1 = %q after appending to frame 0", got)
	}
}

// TestEventListChunks checks that a case with few events holds a small
// chunk and a long one chunks of at most maxChunk.
func TestEventListChunks(t *testing.T) {
	l := newEventList("c")
	frame := bytes.Repeat([]byte("f"), 300)
	l.add(&store.Event{Kind: "k", Body: []byte("{}")}, frame)
	if got := cap(l.chunks[0]); got != minChunk {
		t.Fatalf("first chunk of %d bytes, want %d", got, minChunk)
	}
	for range 2000 {
		l.add(&store.Event{Kind: "k", Body: []byte("{}")}, frame)
	}
	for i, c := range l.chunks {
		if want := min(minChunk<<i, maxChunk); cap(c) != want {
			t.Errorf("chunk %d of %d bytes, want %d", i, cap(c), want)
		}
	}
}
