package scenario

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90m", 90 * time.Minute, true},
		{"2h", 2 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"0", 0, true},
		{"3d", 72 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"0d", 0, true},
		{"2 hours", 0, false},
		{"d", 0, false},
		{"-1d", 0, false},
		{"1d-2h", 0, false},
		{"99999999999d", 0, false},
		{"h", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseDuration(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

const minimal = `domain:
  issues:
    "unit price": {type: integer, min: 1, max: 3}
parties:
  - name: a
    profile: &p
      values: {"unit price": {prefer: high}}
  - name: b
    profile:
      <<: *p
      reservation: 0.5
`

func TestDefaultsAndPaths(t *testing.T) {
	s, err := Parse("dir/min.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "min" || s.Domain.Name != "min" {
		t.Errorf("names %q, %q: both default to the file's base name", s.Name, s.Domain.Name)
	}
	p := s.Parties[0]
	if p.Strategy != "linear" || p.Confide != "full" || p.Params != nil || p.Channel.Proxy != "" {
		t.Errorf("party defaults %+v", p)
	}
	if m := s.Mediator; m.Strategy != "confided" || m.Target != "nash" {
		t.Errorf("mediator defaults %+v", m)
	}
	if pr := s.Protocol; pr.Name != "shuttle" || pr.Rounds != DefaultRounds || pr.RoundTime != time.Hour || pr.Deadline != 0 {
		t.Errorf("protocol defaults %+v", pr)
	}
	if s.Plan != nil {
		t.Error("a scenario without plan has a plan")
	}
	// The merge key copied a's values into b, under b's own reservation.
	if got := s.Parties[1].Profile; got.Reservation != 0.5 || got.Additive().Evals[0][2] != 1 {
		t.Errorf("merged profile %+v", got)
	}
	lines := map[string]int{
		"":                               1,
		"domain.issues[\"unit price\"]":  3,
		"parties[1]":                     8,
		"parties[1].profile.reservation": 11,
		"parties[0].profile.values":      7,
		"parties[0].profile.values[\"unit price\"]": 7,
		"parties[2]": 0,
	}
	for path, want := range lines {
		if got := s.Line(path); got != want {
			t.Errorf("Line(%q) = %d, want %d", path, got, want)
		}
	}
	err = s.Errorf("parties[1].profile.reservation", "too high for %s", "b")
	if got, want := err.Error(), "dir/min.yaml:11: parties[1].profile.reservation: too high for b"; got != want {
		t.Errorf("Errorf gives %q, want %q", got, want)
	}
}

func TestProtocolDeadlines(t *testing.T) {
	tests := []struct {
		protocol string
		rounds   int
		deadline time.Duration
	}{
		{"{deadline: 2d}", 0, 48 * time.Hour},
		{"{rounds: 7}", 7, 0},
		{"{rounds: 0, deadline: 90m}", 0, 90 * time.Minute},
		{"{name: blind-bidding}", DefaultRounds, 0},
	}
	for _, tt := range tests {
		s, err := Parse("p.yaml", []byte(minimal+"protocol: "+tt.protocol+"\n"))
		if err != nil {
			t.Errorf("%s: %v", tt.protocol, err)
			continue
		}
		if s.Protocol.Rounds != tt.rounds || s.Protocol.Deadline != tt.deadline {
			t.Errorf("%s: rounds %d, deadline %v; want %d, %v", tt.protocol, s.Protocol.Rounds, s.Protocol.Deadline, tt.rounds, tt.deadline)
		}
	}
}

func TestExprValues(t *testing.T) {
	s, err := Parse("v.yaml", []byte(`domain:
  issues:
    n: {type: integer, min: 5, max: 6}
    x: {type: real, min: 0, max: 1, steps: 3}
    k: [1, 2, 3]
    f: [0.5, 1]
    c: [red, "2"]
parties:
  - {name: a, profile: {values: {n: {prefer: high}}}}
  - {name: b, profile: {values: {n: {prefer: low}}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	o := s.Domain.NewOutcome()
	o[0], o[1], o[2], o[3], o[4] = 1, 1, 2, 0, 1
	got := Values(s.Domain, o)
	want := map[string]any{"n": 6, "x": 0.5, "k": 3, "f": 0.5, "c": "2"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %#v, want %#v", k, got[k], w)
		}
	}
	for _, tt := range []struct {
		src  string
		want float64
	}{{"n * k", 18}, {"x + f", 1}, {"n / 4", 1.5}, {`c == "2" ? 1 : 0`, 1}, {`$env["n"] - 1`, 5}} {
		x, err := compile(tt.src, vars(got), number)
		if err != nil {
			t.Errorf("%s: %v", tt.src, err)
			continue
		}
		if n, err := x.Number(got); err != nil || n != tt.want {
			t.Errorf("%s = %v, %v; want %v", tt.src, n, err, tt.want)
		}
	}
	// A label that is a number among labels that are not stays a label.
	if _, err := compile("c * 2", vars(got), number); err == nil || !strings.Contains(err.Error(), "mismatched types") {
		t.Errorf("c * 2 compiled (%v): c mixes text and number labels, so it is text", err)
	}
	var zero Expr
	if _, err := zero.Number(nil); err == nil {
		t.Error("the zero Expr evaluated")
	}
}

func TestCheckDepth(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	ok := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	var block strings.Builder
	for i := 0; i <= 2*maxDepth+1; i++ {
		block.WriteString(strings.Repeat("  ", i) + "k:\n")
	}
	tests := []struct {
		name, in string
		line     int // 0: accepted
	}{
		{"flat", "a: [1, {b: 2}]\n", 0},
		{"flow at the limit", "a: " + ok + "\n", 0},
		{"flow too deep", "a: 1\nb: " + deep + "\n", 2},
		{"block too deep", block.String(), 2*maxDepth + 2},
		{"sequence of sequences", "a:\n" + strings.Repeat("- ", 4*maxDepth) + "x\n", 2},
		{"brackets in quotes", `a: "` + deep + `"` + "\nb: '" + deep + "'\n", 0},
		{"escaped quote", `a: "\"` + deep + `"` + "\n", 0},
		{"brackets in a comment", "# " + deep + "\na: 1 # " + deep + "\n", 0},
		{"apostrophe in plain text", "a: don't\nb: " + deep + "\n", 2},
	}
	for _, tt := range tests {
		err := checkDepth("d.yaml", []byte(tt.in))
		if tt.line == 0 {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		want := fmt.Sprintf("d.yaml:%d: nested more than %d levels deep", tt.line, maxDepth)
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %s", tt.name, err, want)
		}
	}
}

func TestIssueNamesDistinct(t *testing.T) {
	_, err := Parse("n.yaml", []byte("domain:\n  issues:\n    a: [x]\n    \" a\": [y]\n"))
	want := `n.yaml:4: domain.issues[" a"]: issue "a" is already named at domain.issues.a`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
