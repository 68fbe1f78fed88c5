package tournament

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestDeterminism checks that one worker, two workers and merged shards
// write the same bytes, in both formats.
func TestDeterminism(t *testing.T) {
	tr := newTournament(t, small())
	for _, ext := range []string{".csv", ".jsonl"} {
		t.Run(ext, func(t *testing.T) {
			one := runFile(t, tr, ext, Options{Workers: 1})
			if n := bytes.Count(one, []byte("\n")); n < tr.Jobs() {
				t.Fatalf("%d lines for %d jobs", n, tr.Jobs())
			}
			if two := runFile(t, tr, ext, Options{Workers: 2}); !bytes.Equal(one, two) {
				t.Fatalf("1 and 2 workers differ at %s", firstDiff(one, two))
			}
			if many := runFile(t, tr, ext, Options{Workers: 7}); !bytes.Equal(one, many) {
				t.Fatalf("1 and 7 workers differ at %s", firstDiff(one, many))
			}
			dir := t.TempDir()
			var shards []string
			for i := 1; i <= 3; i++ {
				path := filepath.Join(dir, "shard"+string(rune('0'+i))+ext)
				if _, err := tr.RunFile(context.Background(), path, false, Options{Workers: 2, Shard: Shard{i, 3}}); err != nil {
					t.Fatal(err)
				}
				shards = append(shards, path)
			}
			merged := filepath.Join(dir, "merged"+ext)
			sum, err := Merge(merged, []string{shards[2], shards[0], shards[1]})
			if err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, merged); !bytes.Equal(one, got) {
				t.Fatalf("merged shards differ from one run at %s", firstDiff(one, got))
			}
			if sum.Negotiations() != tr.Jobs() {
				t.Errorf("merge summary counts %d negotiations, want %d", sum.Negotiations(), tr.Jobs())
			}
		})
	}
}

// TestTimeColumn checks that rows with the time column differ from rows
// without it in that column only.
func TestTimeColumn(t *testing.T) {
	tr := newTournament(t, &Config{Domains: []string{"testdata/domains/Laptop"}, Strategies: []Strategy{{Name: "linear"}, {Name: "conceder"}}})
	without := strings.Split(string(runFile(t, tr, ".csv", Options{})), "\n")
	with := strings.Split(string(runFile(t, tr, ".csv", Options{Time: true})), "\n")
	if len(with) != len(without) {
		t.Fatalf("%d lines with time, %d without", len(with), len(without))
	}
	for i := range with {
		cut := strings.LastIndexByte(with[i], ',')
		if with[i] != "" && with[i][:cut] != without[i] {
			t.Fatalf("line %d: %q with time, %q without", i+1, with[i], without[i])
		}
	}
}

// TestResume interrupts runs after k rows, resumes them, sometimes after
// cutting the last line short as a crash would, and expects the file of an
// uninterrupted run.
func TestResume(t *testing.T) {
	tr := newTournament(t, small())
	for _, f := range []struct {
		ext   string
		shard Shard
	}{{".csv", Shard{}}, {".jsonl", Shard{2, 3}}} {
		ext, shard := f.ext, f.shard
		want := runFile(t, tr, ext, Options{Shard: shard})
		total := shard.Size(tr.Jobs())
		for _, tc := range []struct {
			stop int
			cut  bool
		}{{1, false}, {total / 2, true}, {total - 1, false}} {
			path := filepath.Join(t.TempDir(), "rows"+ext)
			ctx, cancel := context.WithCancel(context.Background())
			opt := Options{Workers: 2, Shard: shard, Progress: func(done, _ int) {
				if done == tc.stop {
					cancel()
				}
			}}
			_, err := tr.RunFile(ctx, path, false, opt)
			cancel()
			// Rows already played when ctx ends are kept, which may be
			// all of them.
			if err != nil && (!errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "--resume")) {
				t.Fatalf("%s shard %v stop %d: error %v, want an interruption that says --resume", ext, shard, tc.stop, err)
			}
			part := readFile(t, path)
			if !bytes.HasPrefix(want, part) {
				t.Fatalf("%s stop %d: the interrupted file is not a prefix of the whole: %s", ext, tc.stop, firstDiff(want, part))
			}
			if tc.cut {
				if err := os.WriteFile(path, want[:len(part)+len(want[len(part):])/2], 0o644); err != nil {
					t.Fatal(err)
				}
			}
			opt.Progress = nil
			sum, err := tr.RunFile(context.Background(), path, true, opt)
			if err != nil {
				t.Fatalf("%s stop %d: resume: %v", ext, tc.stop, err)
			}
			if got := readFile(t, path); !bytes.Equal(got, want) {
				t.Fatalf("%s shard %v stop %d cut %v: resumed file differs at %s", ext, shard, tc.stop, tc.cut, firstDiff(want, got))
			}
			if sum.Negotiations() != total {
				t.Errorf("resumed summary counts %d negotiations, want %d", sum.Negotiations(), total)
			}
		}
	}
}

// TestResumeRefuses checks that resume keeps away from files that are not
// the unfinished rows of this tournament and shard.
func TestResumeRefuses(t *testing.T) {
	tr := newTournament(t, small())
	other := small()
	other.Seed++
	ot := newTournament(t, other)
	dir := t.TempDir()
	otherRows := filepath.Join(dir, "other.csv")
	if _, err := ot.RunFile(context.Background(), otherRows, false, Options{}); err != nil {
		t.Fatal(err)
	}
	shardRows := filepath.Join(dir, "shard.csv")
	if _, err := tr.RunFile(context.Background(), shardRows, false, Options{Shard: Shard{1, 2}}); err != nil {
		t.Fatal(err)
	}
	timed := filepath.Join(dir, "timed.csv")
	if _, err := tr.RunFile(context.Background(), timed, false, Options{Time: true, Shard: Shard{2, 2}}); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.csv")
	os.WriteFile(garbage, []byte("name,age\nx,1\n"), 0o644)
	tests := []struct {
		path string
		opt  Options
		want string
	}{
		{otherRows, Options{}, "other.csv:2: tournament: rows of another tournament"},
		{shardRows, Options{Shard: Shard{2, 2}}, "shard.csv:2: job: job 0 where shard 2/2 expects job 1"},
		{timed, Options{Shard: Shard{2, 2}}, "timed.csv:1: time: the file has the time column; resume without --no-time"},
		{garbage, Options{}, "garbage.csv:1: not a tournament's rows"},
	}
	for _, tt := range tests {
		before := readFile(t, tt.path)
		_, err := tr.RunFile(context.Background(), tt.path, true, tt.opt)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("resume %s: %v, want %q", filepath.Base(tt.path), err, tt.want)
		}
		if after := readFile(t, tt.path); !bytes.Equal(before, after) {
			t.Errorf("resume %s changed the file it refused", filepath.Base(tt.path))
		}
	}
}

// TestMergeRefuses checks that shards that do not make one tournament are
// not merged, and that nothing is written then.
func TestMergeRefuses(t *testing.T) {
	dir := t.TempDir()
	run := func(c *Config, name string, opt Options) string {
		path := filepath.Join(dir, name)
		if _, err := newTournament(t, c).RunFile(context.Background(), path, false, opt); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a1 := run(small(), "a1.csv", Options{Shard: Shard{1, 2}})
	a2 := run(small(), "a2.jsonl", Options{Shard: Shard{2, 2}})
	a2t := run(small(), "a2t.csv", Options{Shard: Shard{2, 2}, Time: true})
	other := small()
	other.Strategies = other.Strategies[:3]
	b2 := run(other, "b2.csv", Options{Shard: Shard{2, 2}})
	a12 := run(small(), "a12.csv", Options{Shard: Shard{1, 1}})
	tests := []struct {
		shards []string
		want   string
	}{
		{[]string{a1, b2}, "shards of different configurations"},
		{[]string{a1}, "is in none of the shards: a shard is missing or unfinished"},
		{[]string{a1, a2, a1}, "is also in"},
		{[]string{a12, a2}, "is also in"},
		{[]string{a1, a2t}, "time: the time column is in the rows of one"},
		{[]string{a1, filepath.Join(dir, "missing.csv")}, "missing.csv: cannot read"},
		{[]string{a1, filepath.Join(dir, "out.csv")}, "is also the output file"},
	}
	for _, tt := range tests {
		out := filepath.Join(dir, "out.csv")
		_, err := Merge(out, tt.shards)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("merge %v: %v, want %q", tt.shards, err, tt.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("merge %v left %s behind", tt.shards, out)
		}
	}
	// The formats mix: a CSV and a JSON lines shard merge into either.
	if _, err := Merge(filepath.Join(dir, "whole.jsonl"), []string{a1, a2}); err != nil {
		t.Error(err)
	}
}

// TestRunStopsOnEmitError checks that a failing writer stops the run with
// its error.
func TestRunStopsOnEmitError(t *testing.T) {
	tr := newTournament(t, small())
	boom := errors.New("disk full")
	n := 0
	err := tr.Run(context.Background(), Options{Workers: 2}, func(*Row) error {
		if n++; n == 5 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || n != 5 {
		t.Errorf("error %v after %d rows, want %v after 5", err, n, boom)
	}
}

// TestMemoryFlat checks that nothing accumulates with the number of
// negotiations: the heap after 8000 rows is the heap after 2000.
func TestMemoryFlat(t *testing.T) {
	tr := newTournament(t, &Config{Domains: []string{"testdata/domains/NiceOrDie"}, Strategies: []Strategy{{Name: "linear"}, {Name: "random"}}, Reps: 500})
	if tr.Jobs() != 8000 {
		t.Fatalf("%d jobs", tr.Jobs())
	}
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	sum := NewSummary()
	w := NewWriter(io.Discard, CSV, true, false)
	var early, late uint64
	n := 0
	err := tr.Run(context.Background(), Options{Workers: 2, Time: true}, func(r *Row) error {
		sum.Add(r)
		switch n++; n {
		case 2000:
			early = heap()
		case 8000:
			late = heap()
		}
		return w.Write(r)
	})
	if err != nil {
		t.Fatal(err)
	}
	if late > early+256<<10 {
		t.Errorf("heap grew from %d to %d bytes between rows 2000 and 8000", early, late)
	}
}
