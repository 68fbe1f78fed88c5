package tournament

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/shuttle-mediation/shuttle"
)

// genRow draws a row a tournament could write: names of any text but the
// list separator, finite utilities, distances that may be undefined.
func genRow(t *rapid.T, withTime bool) *Row {
	name := rapid.StringMatching(`[^;\x00-\x1f]{1,12}`)
	n := rapid.IntRange(2, 4).Draw(t, "parties")
	jobs := rapid.IntRange(1, 1<<40).Draw(t, "jobs")
	r := &Row{
		Tournament:  rapid.StringMatching(`[0-9a-f]{16}`).Draw(t, "id"),
		Jobs:        jobs,
		Job:         rapid.IntRange(0, jobs-1).Draw(t, "job"),
		Scenario:    rapid.StringMatching(`.{1,20}`).Draw(t, "scenario"),
		Protocol:    rapid.SampledFrom(protocolNames).Draw(t, "protocol"),
		Mediator:    name.Draw(t, "mediator"),
		Strategies:  rapid.SliceOfN(name, n, n).Draw(t, "strategies"),
		Rep:         rapid.IntRange(0, 100).Draw(t, "rep"),
		Seed:        rapid.Uint64().Draw(t, "seed"),
		Agreement:   rapid.Bool().Draw(t, "agreement"),
		Reason:      rapid.SampledFrom([]string{"agreement", "deadline", "walk-away", "exhausted"}).Draw(t, "reason"),
		Utilities:   rapid.SliceOfN(rapid.Float64Range(0, 1), n, n).Draw(t, "utilities"),
		Welfare:     rapid.Float64Range(0, 4).Draw(t, "welfare"),
		NashProduct: rapid.Float64Range(-1, 1).Draw(t, "nash product"),
		Rounds:      rapid.IntRange(0, 1000).Draw(t, "rounds"),
		Messages:    rapid.IntRange(0, 10000).Draw(t, "messages"),
		Time:        math.NaN(),
	}
	distance := func(label string) float64 {
		if rapid.Bool().Draw(t, label+" undefined") {
			return math.NaN()
		}
		return rapid.Float64Range(0, 2).Draw(t, label)
	}
	r.FrontierDistance, r.NashDistance = distance("frontier"), distance("nash")
	if withTime {
		r.Time = rapid.Float64Range(0, 10).Draw(t, "time")
	}
	return r
}

func sameRow(a, b *Row) bool {
	if len(a.Utilities) != len(b.Utilities) || strings.Join(a.Strategies, "\x00") != strings.Join(b.Strategies, "\x00") {
		return false
	}
	for i := range a.Utilities {
		if a.Utilities[i] != b.Utilities[i] {
			return false
		}
	}
	return a.Tournament == b.Tournament && a.Jobs == b.Jobs && a.Job == b.Job && a.Scenario == b.Scenario &&
		a.Protocol == b.Protocol && a.Mediator == b.Mediator && a.Rep == b.Rep && a.Seed == b.Seed &&
		a.Agreement == b.Agreement && a.Reason == b.Reason && a.Welfare == b.Welfare && a.NashProduct == b.NashProduct &&
		sameFloat(a.FrontierDistance, b.FrontierDistance) && sameFloat(a.NashDistance, b.NashDistance) &&
		a.Rounds == b.Rounds && a.Messages == b.Messages && sameFloat(a.Time, b.Time)
}

// TestRowRoundTrip writes random rows and reads them back, in both formats:
// the same rows, and written again the same bytes, which is what lets merge
// reproduce a single run's file.
func TestRowRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		format := rapid.SampledFrom([]Format{CSV, JSONLines}).Draw(t, "format")
		withTime := rapid.Bool().Draw(t, "time")
		rows := make([]*Row, rapid.IntRange(0, 5).Draw(t, "rows"))
		for i := range rows {
			rows[i] = genRow(t, withTime)
		}
		var buf bytes.Buffer
		w := NewWriter(&buf, format, withTime, false)
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		w.Flush()
		written := buf.Bytes()
		if format == JSONLines && len(rows) == 0 {
			return
		}
		rd, err := NewReader(bytes.NewReader(written), "rows", format)
		if err != nil {
			t.Fatalf("%v\n%s", err, written)
		}
		var again bytes.Buffer
		w2 := NewWriter(&again, format, withTime, false)
		for i := 0; ; i++ {
			r, err := rd.Read()
			if err == io.EOF {
				if i != len(rows) {
					t.Fatalf("read %d rows of %d", i, len(rows))
				}
				break
			}
			if err != nil {
				t.Fatalf("row %d: %v\n%s", i, err, written)
			}
			if !sameRow(r, rows[i]) {
				t.Fatalf("row %d read back as %+v, written %+v", i, r, rows[i])
			}
			w2.Write(r)
		}
		w2.Flush()
		if !bytes.Equal(again.Bytes(), written) {
			t.Fatalf("rewritten rows differ:\n%s\n%s", written, again.Bytes())
		}
	})
}

// TestBadRows checks that rows no tournament writes are refused at their
// line.
func TestBadRows(t *testing.T) {
	head := strings.Join(columns(false), ",") + "\n"
	good := "0123456789abcdef,4,0,A,shuttle,confided,x;y,0,11,true,agreement,0.8;0.6,1.4,0.48,0,0.1,10,40\n"
	goodJSON := `{"tournament":"0123456789abcdef","jobs":4,"job":0,"scenario":"A","protocol":"shuttle","mediator":"confided","strategies":["x","y"],"rep":0,"seed":11,"agreement":true,"reason":"agreement","utilities":[0.8,0.6],"welfare":1.4,"nash_product":0.48,"frontier_distance":0,"nash_distance":null,"rounds":10,"messages":40}` + "\n"
	tests := []struct {
		format Format
		data   string
		want   string
	}{
		{CSV, "", "rows:1: empty: no CSV header"},
		{CSV, "a,b\n", "rows:1: not a tournament's rows"},
		{CSV, head + good + strings.Replace(good, ",4,0,", ",4,9,", 1), "rows:3: job: job 9 of 4"},
		{CSV, head + strings.Replace(good, "0123456789abcdef", "xyz", 1), `rows:2: tournament: "xyz" is not a tournament ID`},
		{CSV, head + strings.Replace(good, ",shuttle,", ",haggling,", 1), `rows:2: protocol: unknown protocol "haggling"`},
		{CSV, head + strings.Replace(good, "0.8;0.6", "0.8", 1), "rows:2: utilities: 1 utilities for 2 strategies"},
		{CSV, head + strings.Replace(good, "0.8;0.6", "0.8;high", 1), `rows:2: utilities: "high" is not a number`},
		{CSV, head + strings.Replace(good, ",true,", ",yes,", 1), `rows:2: agreement: "yes" is not true or false`},
		{CSV, head + strings.Replace(good, ",11,", ",-11,", 1), `rows:2: seed: "-11" is not a seed`},
		{CSV, head + strings.Replace(good, ",1.4,", ",,", 1), `rows:2: welfare: "" is not a number`},
		{CSV, head + "0123456789abcdef,4,0\n", "rows:2: CSV: wrong number of fields"},
		{JSONLines, goodJSON + "{\n", "rows:2: JSON:"},
		{JSONLines, strings.Replace(goodJSON, `"rounds":10,`, "", 1), "rows:1: rounds: missing"},
		{JSONLines, strings.Replace(goodJSON, `"rounds":10`, `"rounds":10,"colour":"red"`, 1), `rows:1: JSON: json: unknown field "colour"`},
		{JSONLines, strings.Replace(goodJSON, `"nash_distance":null`, `"nash_distance":"far"`, 1), "rows:1: nash_distance:"},
		{JSONLines, goodJSON + strings.Replace(goodJSON, `"messages":40`, `"messages":40,"time":0.1`, 1), "rows:2: time: present in some rows and not in others"},
		{JSONLines, strings.TrimSuffix(goodJSON, "\n") + " {}\n", "more than one object"},
	}
	for _, tt := range tests {
		err := readAll(tt.data, tt.format)
		var se *shuttle.Error
		if err == nil || !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.data, err, tt.want)
		}
	}
	if err := readAll(head+good, CSV); err != nil {
		t.Errorf("good CSV row: %v", err)
	}
	if err := readAll(goodJSON, JSONLines); err != nil {
		t.Errorf("good JSON row: %v", err)
	}
}

func readAll(data string, f Format) error {
	rd, err := NewReader(strings.NewReader(data), "rows", f)
	if err != nil {
		return err
	}
	for {
		if _, err := rd.Read(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]Format{"a.csv": CSV, "a.jsonl": JSONLines, "A.JSONL": JSONLines, "a.json": CSV, "a": CSV} {
		if got := FormatOf(path); got != want {
			t.Errorf("FormatOf(%q) = %v, want %v", path, got, want)
		}
	}
}

// FuzzReader feeds arbitrary files to the reader: errors, never panics, and
// any row it accepts is written and read back unchanged.
func FuzzReader(f *testing.F) {
	head := strings.Join(Columns, ",") + "\n"
	f.Add([]byte(head+"0123456789abcdef,4,0,A,shuttle,confided,x;y,0,11,true,agreement,0.8;0.6,1.4,0.48,,0.1,10,40,0.002\n"), false)
	f.Add([]byte(`{"tournament":"0123456789abcdef","jobs":4,"job":0,"scenario":"A","protocol":"shuttle","mediator":"confided","strategies":["x","y"],"rep":0,"seed":11,"agreement":true,"reason":"agreement","utilities":[0.8,0.6],"welfare":1.4,"nash_product":0.48,"frontier_distance":0,"nash_distance":null,"rounds":10,"messages":40}`+"\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, jsonLines bool) {
		format := CSV
		if jsonLines {
			format = JSONLines
		}
		rd, err := NewReader(bytes.NewReader(data), "fuzz", format)
		if err != nil {
			return
		}
		for range 100 {
			r, err := rd.Read()
			if err != nil {
				return
			}
			var buf bytes.Buffer
			w := NewWriter(&buf, format, rd.Time(), false)
			w.Write(r)
			w.Flush()
			back, err := NewReader(bytes.NewReader(buf.Bytes()), "again", format)
			if err != nil {
				t.Fatalf("written row unreadable: %v\n%s", err, buf.Bytes())
			}
			r2, err := back.Read()
			if err != nil || !sameRow(r, r2) {
				t.Fatalf("row %+v read back as %+v (%v)\n%s", r, r2, err, buf.Bytes())
			}
		}
	})
}
