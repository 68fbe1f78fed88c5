package sqlite_test

import (
	"context"
	"crypto/sha256"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/store"
	"github.com/shuttle-mediation/shuttle/store/sqlite"
)

// FuzzRoundTrip appends events made of arbitrary text: each must either
// be refused as invalid, leaving the log as it was, or read back exactly
// as appended.
func FuzzRoundTrip(f *testing.F) {
	f.Add("offer", "A", "B,C", []byte(`{"x":1}`), "key", int64(5))
	f.Add("texte.proposé", "Šárka 🕊️", "médiateur", []byte(`{"note":"𝄞 \u2028"}`), "clé", int64(0))
	f.Add("", "", "", []byte(nil), "", int64(-1))
	f.Add("k", "\x00", "A,A", []byte(`{"a":`), "\xff", int64(1))
	f.Add("k", "a\tb", ",", []byte(`[1,2]`), strings.Repeat("k", 300), int64(1<<62))
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateCase(ctx, store.Case{ID: "f", Created: time.Unix(0, 0)}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, kind, from, to string, body []byte, key string, at int64) {
		e := store.Event{Kind: kind, From: from, Body: body, Time: time.Duration(at), Wall: time.Unix(0, at)}
		if to != "" {
			e.To = strings.Split(to, ",")
		}
		e.Leaf = sha256.Sum256(body)
		c, err := s.GetCase(ctx, "f")
		if err != nil {
			t.Fatal(err)
		}
		err = s.AppendEvents(ctx, "f", c.Size+1, key, []store.Event{e})
		if err != nil {
			if code := shuttle.ErrorCode(err); code != shuttle.EInvalid && !(code == shuttle.EConflict && key != "") {
				t.Fatalf("AppendEvents: %v", err)
			}
			if after, _ := s.GetCase(ctx, "f"); after.Size != c.Size {
				t.Fatalf("a refused append changed the size from %d to %d", c.Size, after.Size)
			}
			return
		}
		got, err := s.Events(ctx, "f", c.Size, 0)
		if err != nil {
			t.Fatal(err)
		}
		e.Case, e.Seq, e.Wall = "f", c.Size+1, e.Wall.UTC()
		if len(e.Body) == 0 {
			e.Body = nil
		}
		if len(got) != 1 {
			t.Fatalf("read %d events back", len(got))
		}
		if d := cmp.Diff(e, got[0]); d != "" {
			t.Errorf("round trip (-appended +read):\n%s", d)
		}
	})
}
