package negotiate_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle/negotiate"
)

// goldenDomain is the domain of the golden logs.
var goldenDomain = newFixture(3, 3).domain

func TestReadLogErrors(t *testing.T) {
	good := `{"seq":1,"time":"0s","round":0,"to":"*","kind":"start","note":"shuttle"}`
	tests := []struct {
		name, log, want string
	}{
		{"not json", good + "\n{", "log:2: event:"},
		{"unknown field", `{"seq":1,"time":"0s","round":0,"to":"*","kind":"start","extra":1}`, "log:1: event: json: unknown field"},
		{"unknown kind", `{"seq":1,"time":"0s","round":0,"to":"*","kind":"chat"}`, `log:1: event: unknown event kind "chat"`},
		{"bad time", `{"seq":1,"time":"soon","round":0,"to":"*","kind":"start"}`, "log:1: event: time:"},
		{"negative time", `{"seq":1,"time":"-1h","round":0,"to":"*","kind":"start"}`, "negative"},
		{"gap", good + "\n" + strings.Replace(good, `"seq":1`, `"seq":3`, 1), "log:2: seq: event 3 where 2 was due"},
		{"back in time", strings.Replace(good, `"0s"`, `"1h"`, 1) + "\n" + strings.Replace(good, `"seq":1`, `"seq":2`, 1), "log:2: time: event 2 goes back in time"},
		{"unknown issue", `{"seq":1,"time":"0s","round":1,"from":"mediator","to":"A","kind":"text","outcome":{"colour":"red"}}`, `log:1: event: outcome: domain "random" has no issue "colour"`},
		{"unknown value", `{"seq":1,"time":"0s","round":1,"from":"mediator","to":"A","kind":"text","outcome":{"i0":"v9","i1":"v0","i2":"1"}}`, `has no value "v9"`},
		{"vote without yes", `{"seq":1,"time":"0s","round":1,"from":"A","to":"mediator","kind":"vote"}`, `"yes" belongs to votes`},
		{"yes outside a vote", `{"seq":1,"time":"0s","round":1,"from":"A","to":"mediator","kind":"accept","yes":true}`, `"yes" belongs to votes`},
		{"objection strength", `{"seq":1,"time":"0s","round":1,"from":"A","to":"mediator","kind":"object","objections":[{"issue":"i0","want":"v1","direction":1,"strength":2}]}`, "strength 2 out of range"},
		{"confide level", `{"seq":1,"time":"0s","round":0,"from":"A","to":"mediator","kind":"confide","confided":{"level":"most"}}`, `unknown confide level "most"`},
		{"confided reservation", `{"seq":1,"time":"0s","round":0,"from":"A","to":"mediator","kind":"confide","confided":{"level":"musthaves","reservation":1.5}}`, "reservation 1.5 outside [0,1]"},
		{"evaluations without weights", `{"seq":1,"time":"0s","round":0,"from":"A","to":"mediator","kind":"confide","confided":{"level":"full","evaluations":{}}}`, "evaluations without weights"},
	}
	for _, tt := range tests {
		_, err := negotiate.ReadLog("log", strings.NewReader(tt.log), goldenDomain)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one with %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", tt.name, err)
		}
	}
}

// goldenLines are the lines of the golden logs, the fuzzers' seed corpus.
func goldenLines(f *testing.F) [][]byte {
	files, err := filepath.Glob(filepath.Join("testdata", "*.jsonl"))
	if err != nil || len(files) == 0 {
		f.Fatal("no golden logs")
	}
	var lines [][]byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
	}
	return lines
}

// An event read from JSON writes back to JSON that reads as the same event.
func FuzzUnmarshalEvent(f *testing.F) {
	for _, line := range goldenLines(f) {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := negotiate.UnmarshalEvent(goldenDomain, data)
		if err != nil {
			return
		}
		b, err := negotiate.MarshalEvent(goldenDomain, &e)
		if err != nil {
			t.Fatalf("event read from %q does not write: %v", data, err)
		}
		back, err := negotiate.UnmarshalEvent(goldenDomain, b)
		if err != nil {
			t.Fatalf("written event %q does not read: %v", b, err)
		}
		b2, err := negotiate.MarshalEvent(goldenDomain, &back)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("round trip changed %q into %q (%v)", b, b2, err)
		}
	})
}

// Any input either reads or fails with a one-line error that names the
// file.
func FuzzReadLog(f *testing.F) {
	lines := goldenLines(f)
	f.Add(bytes.Join(lines[:5], []byte("\n")))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := negotiate.ReadLog("case.jsonl", bytes.NewReader(data), goldenDomain)
		if err != nil && (!strings.HasPrefix(err.Error(), "case.jsonl:") || strings.Contains(err.Error(), "\n")) {
			t.Fatalf("error %q does not name the file on one line", err)
		}
	})
}
