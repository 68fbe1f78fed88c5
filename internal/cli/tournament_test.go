package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTournamentSummaryGolden prints the summary of hand-written rows
// (tournament/testdata/summary.csv, whose statistics the tournament package
// checks against a hand computation) as a table and as JSON.
func TestTournamentSummaryGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"tournament-summary", nil},
		{"tournament-summary-json", []string{"--json"}},
	} {
		out := filepath.Join(t.TempDir(), "merged.csv")
		args := append([]string{"tournament", "merge", "--out", out, "tournament/testdata/summary.csv"}, tt.args...)
		stdout, stderr, code := run(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		golden(t, tt.name, stdout)
		want, _ := os.ReadFile(filepath.Join(root, "tournament", "testdata", "summary.csv"))
		if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
			t.Errorf("merging one complete file changed it:\n%s", got)
		}
	}
}

// TestTournamentDeterminism runs a tournament through the command line
// with 1 and 2 workers and in two merged shards: the same rows.
func TestTournamentDeterminism(t *testing.T) {
	dir := t.TempDir()
	common := []string{"tournament", "--domains", "tournament/testdata/domains/Laptop", "tournament/testdata/domains/office.yaml",
		"--strategies", "linear,hardliner,tit-for-tat", "--mediators", "confided,votes", "--seed", "3", "--reps", "2", "--no-time"}
	rows := func(name string, extra ...string) []byte {
		path := filepath.Join(dir, name)
		_, stderr, code := run(t, append(append(common, "--out", path), extra...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", extra, code, stderr)
		}
		if !strings.Contains(stderr, "negotiations in") && !strings.Contains(stderr, "no negotiation left") {
			t.Errorf("%v: no progress line on stderr: %q", extra, stderr)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	one := rows("one.jsonl", "--jobs", "1")
	if two := rows("two.jsonl", "--jobs", "2"); !bytes.Equal(one, two) {
		t.Fatal("1 and 2 workers wrote different rows")
	}
	rows("s1.csv", "--shard", "1/2")
	rows("s2.jsonl", "--shard", "2/2")
	merged := filepath.Join(dir, "merged.jsonl")
	if _, stderr, code := run(t, "tournament", "merge", "--out", merged, filepath.Join(dir, "s2.jsonl"), filepath.Join(dir, "s1.csv")); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	if got, _ := os.ReadFile(merged); !bytes.Equal(one, got) {
		t.Fatal("merged shards differ from one run")
	}
	// Resuming a finished run changes nothing.
	if again := rows("one.jsonl", "--resume"); !bytes.Equal(one, again) {
		t.Fatal("resuming a finished run changed it")
	}
}

func TestTournamentConfigAndCharts(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "chart.svg")
	stdout, stderr, code := run(t, "tournament", "--config", "tournament/testdata/tournament.yaml", "--strategies", "linear,stubborn",
		"--reps", "1", "--out", filepath.Join(dir, "rows.csv"), "--svg", svg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"stubborn", "objections-kalai", "alternating-offers  none"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	for _, suffix := range []string{"-strategies.svg", "-agreement.svg", "-nash.svg"} {
		xmlTokens(t, filepath.Join(dir, "chart"+suffix))
	}
}

// TestTournamentBadInput checks that failures are one line naming what is
// at fault, with nothing on stdout.
func TestTournamentBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("domains: [x]\nstrategies:\n  - linear\n  - {strategy: boulware, params: {speed: 2}}\n"), 0o644)
	other := filepath.Join(dir, "other.csv")
	mine := filepath.Join(dir, "mine.csv")
	for _, args := range [][]string{
		{"tournament", "--domains", "tournament/testdata/domains/Laptop", "--seed", "1", "--no-time", "--out", other, "--shard", "1/2"},
		{"tournament", "--domains", "tournament/testdata/domains/Laptop", "--seed", "2", "--no-time", "--out", mine, "--shard", "2/2"},
	} {
		if _, stderr, code := run(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"tournament", "--config", bad, "--out", filepath.Join(dir, "x.csv")}, "bad.yaml:4: strategies[1]: strategy \"boulware\" has no parameter \"speed\""},
		{[]string{"tournament", "--domains", "tournament/testdata/domains/Laptop"}, "--out FILE is required"},
		{[]string{"tournament", "--domains", "tournament/testdata/domains/Laptop", "--strategies", "linear,sulker", "--out", filepath.Join(dir, "x.csv")}, `--strategies: strategies[1]: unknown party strategy "sulker"`},
		{[]string{"tournament", "--domains", "tournament/testdata/domains/Laptop", "--protocols", "haggling", "--out", filepath.Join(dir, "x.csv")}, `protocols[0]: unknown protocol "haggling"`},
		{[]string{"tournament", "--domains", "tournament/testdata/domains/Laptop", "--shard", "3/2", "--out", filepath.Join(dir, "x.csv")}, `shard: "3/2" is not i/n`},
		{[]string{"tournament", "--domains", "nowhere", "--out", filepath.Join(dir, "x.csv")}, "nowhere: cannot read"},
		{[]string{"tournament", "merge", "--out", filepath.Join(dir, "m.csv"), other, mine}, "shards of different configurations"},
		{[]string{"tournament", "merge", "--out", filepath.Join(dir, "m.csv")}, "merge: name the shards' files"},
	}
	for _, tt := range tests {
		wantFailure(t, tt.args, tt.want)
	}
}
