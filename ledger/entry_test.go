package ledger

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

func TestEntryCanonical(t *testing.T) {
	wall := time.Date(2023, 11, 24, 7, 0, 0, 120000000, time.FixedZone("AST", 3*3600))
	tests := []struct {
		name  string
		entry Entry
		want  string
		err   string
	}{
		{
			name:  "minimal",
			entry: Entry{Kind: "case.opened"},
			want:  `{"body":{},"from":"","kind":"case.opened","seq":0,"time":"0","to":[]}`,
		},
		{
			name: "full, recipients as a sorted set, wall time in UTC",
			entry: Entry{Seq: 7, Time: 90 * time.Minute, Wall: wall, Kind: "offer", From: "mediator", To: []string{"south", "north"},
				Body: json.RawMessage(`{ "text": {"ratio": 3.0}, "round": 2 }`)},
			want: `{"body":{"round":2,"text":{"ratio":3}},"from":"mediator","kind":"offer","seq":7,"time":"5400000000000","to":["north","south"],"wall":"2023-11-24T04:00:00.12Z"}`,
		},
		{
			name:  "time beyond 2^53 nanoseconds",
			entry: Entry{Time: 400 * 24 * time.Hour, Kind: "k"},
			want:  `{"body":{},"from":"","kind":"k","seq":0,"time":"34560000000000000","to":[]}`,
		},
		{name: "empty kind", entry: Entry{}, err: "empty kind"},
		{name: "negative time", entry: Entry{Kind: "k", Time: -1}, err: "negative time"},
		{name: "negative seq", entry: Entry{Kind: "k", Seq: -1}, err: "sequence number"},
		{name: "invalid UTF-8 in kind", entry: Entry{Kind: "k\xff"}, err: "kind: invalid UTF-8"},
		{name: "invalid UTF-8 in from", entry: Entry{Kind: "k", From: "\xc3"}, err: "from: invalid UTF-8"},
		{name: "repeated recipient", entry: Entry{Kind: "k", To: []string{"b", "a", "b"}}, err: `"b" listed twice`},
		{name: "empty recipient", entry: Entry{Kind: "k", To: []string{""}}, err: "empty participant"},
		{name: "body not an object", entry: Entry{Kind: "k", Body: json.RawMessage(`[1]`)}, err: "want an object"},
		{name: "body not JSON", entry: Entry{Kind: "k", Body: json.RawMessage(`{"a":NaN}`)}, err: "body: offset 5"},
		{name: "body with an inexact integer", entry: Entry{Kind: "k", Body: json.RawMessage(`{"id":12345678901234567890}`)}, err: "beyond 2^53"},
		{name: "body nested too deep for an archive line", entry: Entry{Kind: "k", Body: json.RawMessage(strings.Repeat(`{"a":`, maxDepth-1) + "0" + strings.Repeat("}", maxDepth-1))}, err: "nested deeper"},
		{name: "wall year beyond RFC 3339", entry: Entry{Kind: "k", Wall: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, err: "year 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.entry.Canonical()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Canonical() = %s, %v; want error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("Canonical() = %s, %v\nwant %s", got, err, tt.want)
			}
			if again, err := CanonicalJSON(got); err != nil || string(again) != string(got) {
				t.Fatalf("the encoding is not canonical JSON: %s, %v", again, err)
			}
		})
	}
}

func TestDecodeEntryRejects(t *testing.T) {
	tests := []struct{ name, in, err string }{
		{"missing member", `{"body":{},"from":"","kind":"k","seq":0,"to":[]}`, "want an object with members"},
		{"extra member", `{"body":{},"extra":1,"from":"","kind":"k","seq":0,"time":"0","to":[]}`, "want an object with members"},
		{"body not an object", `{"body":[],"from":"","kind":"k","seq":0,"time":"0","to":[]}`, "body: a JSON array"},
		{"seq fraction", `{"body":{},"from":"","kind":"k","seq":1.5,"time":"0","to":[]}`, "seq: want a non-negative integer"},
		{"time as number", `{"body":{},"from":"","kind":"k","seq":0,"time":0,"to":[]}`, "time: want a string"},
		{"time with leading zero", `{"body":{},"from":"","kind":"k","seq":0,"time":"01","to":[]}`, "not a canonical decimal"},
		{"time overflow", `{"body":{},"from":"","kind":"k","seq":0,"time":"9223372036854775808","to":[]}`, "overflows int64"},
		{"recipients unsorted", `{"body":{},"from":"","kind":"k","seq":0,"time":"0","to":["b","a"]}`, "not in canonical order"},
		{"recipients repeated", `{"body":{},"from":"","kind":"k","seq":0,"time":"0","to":["a","a"]}`, "not in canonical order"},
		{"wall with offset", `{"body":{},"from":"","kind":"k","seq":0,"time":"0","to":[],"wall":"2023-11-24T07:00:00+03:00"}`, "wall: want RFC 3339 in UTC"},
		{"wall with trailing zero", `{"body":{},"from":"","kind":"k","seq":0,"time":"0","to":[],"wall":"2023-11-24T07:00:00.10Z"}`, "wall: want RFC 3339 in UTC"},
		{"empty kind", `{"body":{},"from":"","kind":"","seq":0,"time":"0","to":[]}`, "kind: want a non-empty string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseEntry([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("parseEntry(%s) = %v, want error containing %q", tt.in, err, tt.err)
			}
		})
	}
}

// entryGen generates valid entries whose recipients are already a sorted
// set and whose body is canonical, so that a round trip must return them
// unchanged.
func entryGen() *rapid.Generator[Entry] {
	return rapid.Custom(func(t *rapid.T) Entry {
		e := Entry{
			Seq:  rapid.Int64Range(0, 1<<40).Draw(t, "seq"),
			Time: time.Duration(rapid.Int64Range(0, 1<<62).Draw(t, "time")),
			Kind: rapid.StringN(1, 12, -1).Draw(t, "kind"),
			From: rapid.String().Draw(t, "from"),
		}
		if rapid.Bool().Draw(t, "wall") {
			e.Wall = time.Unix(rapid.Int64Range(0, 1<<34).Draw(t, "unix"), rapid.Int64Range(0, 1e9-1).Draw(t, "nanos")).UTC()
		}
		to := rapid.SliceOfNDistinct(rapid.StringN(1, 8, -1), 0, 4, func(s string) string { return s }).Draw(t, "to")
		e.To, _ = recipients(to)
		body, err := json.Marshal(rapid.MapOfN(rapid.String(), jsonValue(2), 0, 4).Draw(t, "body"))
		if err != nil {
			t.Fatal(err)
		}
		if e.Body, err = CanonicalJSON(body); err != nil {
			t.Fatal(err)
		}
		return e
	})
}

func TestEntryRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := entryGen().Draw(t, "entry")
		enc, err := e.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		f, err := parseEntry(enc)
		if err != nil {
			t.Fatalf("parseEntry(%s): %v", enc, err)
		}
		if diff := cmp.Diff(e, f.entry(), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip of %s (-want +got):\n%s", enc, diff)
		}
	})
}
