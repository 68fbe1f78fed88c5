package deal_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/scenario"
)

// TestScheduleQuantities checks the whole quantities of the exchange
// fixture, goods/days a day and ratio coins a good, with the phases' times.
func TestScheduleQuantities(t *testing.T) {
	tests := []struct {
		name               string
		goods, ratio, days int
		give, coins        []int // per phase, 0 when absent
	}{
		{"whole", 10, 2, 2, []int{5, 5}, []int{10, 10}},
		{"halves", 10, 3, 4, []int{3, 2, 3, 2}, []int{9, 6, 9, 6}},
		{"thirds", 7, 2, 3, []int{2, 3, 2}, []int{4, 6, 4}},
		{"quarters", 1, 1, 4, []int{0, 1, 0, 0}, []int{0, 1, 0, 0}},
		{"nothing", 0, 3, 2, []int{0, 0}, []int{0, 0}},
	}
	sc := load(t, "exchange")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := deal.NewSchedule(sc, agree(t, sc, exchange(tt.goods, tt.ratio, tt.days)))
			if err != nil {
				t.Fatal(err)
			}
			if s.Planned != tt.days || len(s.Phases) != tt.days {
				t.Fatalf("%d planned, %d phases, want %d", s.Planned, len(s.Phases), tt.days)
			}
			var total int
			for k, ph := range s.Phases {
				start := 12*h + time.Duration(k)*24*h
				if ph.Number != k+1 || ph.Start != deal.Duration(start) || ph.End != deal.Duration(start+24*h) || ph.Extension != 0 {
					t.Errorf("phase %d: %+v", k+1, ph)
				}
				got := []int{0, 0}
				for _, o := range ph.Obligations {
					got[o.Index] = o.Quantity
					want := []time.Duration{start + 12*h, start + 24*h}[o.Index]
					if o.Due != deal.Duration(want) {
						t.Errorf("phase %d obligation %d due %v, want %v", k+1, o.Index, o.Due, deal.Duration(want))
					}
				}
				if got[0] != tt.give[k] || got[1] != tt.coins[k] {
					t.Errorf("phase %d: %d goods, %d coins; want %d, %d", k+1, got[0], got[1], tt.give[k], tt.coins[k])
				}
				total += got[0]
				var lists []deal.List
				if got[0] > 0 {
					lists = []deal.List{{Index: 0, Party: 0, To: 1, Obligation: 0, Due: deal.Duration(start - 6*h)}}
				}
				if !slices.Equal(ph.Lists, lists) {
					t.Errorf("phase %d lists %+v, want %+v", k+1, ph.Lists, lists)
				}
			}
			if total != tt.goods {
				t.Errorf("%d goods in all, want %d", total, tt.goods)
			}
			if x := s.Extension; x == nil || *x != (deal.Extension{Phases: 1, Obligation: 0, More: 2, Max: 2}) {
				t.Errorf("extension %+v", x)
			}
			if len(s.Rules) != 1 || s.Rules[0].Name != "quiet" || *s.Rules[0].Window != (deal.Window{From: deal.Duration(2 * h), To: deal.Duration(4 * h)}) {
				t.Errorf("rules %+v", s.Rules)
			}
		})
	}
}

// TestScheduleErrors checks that expressions failing for the agreed values
// are one-line errors at their line of the scenario file.
func TestScheduleErrors(t *testing.T) {
	tests := []struct {
		a, n string
		want string
	}{
		{"2", "2.5", ":14: plan.phases.count: n gives 2.5 for the agreed outcome; it must be a whole number from 1 to 1000"},
		{"2", "0", ":14: plan.phases.count: n gives 0 for the agreed outcome; it must be a whole number from 1 to 1000"},
		{"1", "1", ":20: plan.obligations[0].quantity: in phase 1: 12 / (a - 1) gives +Inf (a division by zero?)"},
		{"0", "1", ":20: plan.obligations[0].quantity: in phase 1: 12 / (a - 1) gives a negative quantity, -12"},
		{"2", "2", ":24: plan.obligations[1].quantity: in phase 2: x - 24 gives a negative quantity, -12"},
	}
	sc := load(t, "errors")
	for _, tt := range tests {
		t.Run(tt.a+","+tt.n, func(t *testing.T) {
			_, err := deal.NewSchedule(sc, agree(t, sc, map[string]string{"a": tt.a, "n": tt.n}))
			if err == nil {
				t.Fatal("no error")
			}
			want := filepath.Join("testdata", "errors.yaml") + tt.want
			if err.Error() != want || shuttle.ErrorCode(err) != shuttle.EInvalid {
				t.Errorf("error %q (%s),\nwant %q", err, shuttle.ErrorCode(err), want)
			}
		})
	}
	if _, err := deal.NewSchedule(sc, agree(t, sc, map[string]string{"a": "3", "n": "1"})); err != nil {
		t.Errorf("a=3, n=1: %v", err)
	}
}

func TestScheduleRefuses(t *testing.T) {
	const noPlan = `
domain: {issues: {x: [a, b]}}
parties:
  - {name: A, profile: {values: {x: {a: 1}}}}
  - {name: B, profile: {values: {x: {b: 1}}}}
`
	const sameName = `
domain: {issues: {x: [a, b]}}
parties:
  - {name: A, profile: {values: {x: {a: 1}}}}
  - {name: mediator, profile: {values: {x: {b: 1}}}}
plan:
  phases: {count: 1, duration: 1h}
  obligations:
    - {by: A, to: mediator, kind: k, quantity: 1}
`
	tests := []struct {
		name, yaml string
		outcome    []int
		want       string
	}{
		{"no plan", noPlan, []int{0}, "s.yaml:1: the scenario has no implementation plan"},
		{"a party named mediator", sameName, []int{0}, `s.yaml:5: parties[1].name: "mediator" names the mediator in events`},
		{"outcome of another domain", sameName, []int{0, 1}, "s.yaml: agreed outcome: outcome has 2 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := scenario.Parse("s.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			_, err = deal.NewSchedule(sc, tt.outcome)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || shuttle.ErrorCode(err) != shuttle.EInvalid {
				t.Errorf("error %v, want %q...", err, tt.want)
			}
		})
	}
}

// TestActorText checks the text form of actors, which schedules carry in
// JSON.
func TestActorText(t *testing.T) {
	for _, a := range []deal.Actor{deal.Party(0), deal.Party(12), deal.Verifier(1), deal.Mediator} {
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var back deal.Actor
		if err := json.Unmarshal(b, &back); err != nil || back != a {
			t.Errorf("%s: %s read back as %v, %v", a, b, back, err)
		}
	}
	for _, s := range []string{`"party:-1"`, `"party:01"`, `"witness:1"`, `"party"`, `""`} {
		var a deal.Actor
		if err := json.Unmarshal([]byte(s), &a); err == nil {
			t.Errorf("%s read as %v", s, a)
		}
	}
	if _, err := json.Marshal(deal.Actor{}); err == nil {
		t.Error("the zero actor has a text form")
	}
}

// TestSubjectJSON checks the two forms of a breach's subject.
func TestSubjectJSON(t *testing.T) {
	for _, tt := range []struct {
		s    deal.Subject
		json string
	}{
		{deal.Subject{Phase: 2, Obligation: 0}, `{"phase":2,"obligation":0}`},
		{deal.Subject{Rule: 0}, `{"rule":0}`},
		{deal.Subject{Rule: 3}, `{"rule":3}`},
	} {
		b, err := json.Marshal(tt.s)
		if err != nil || string(b) != tt.json {
			t.Errorf("%+v: %s, %v; want %s", tt.s, b, err, tt.json)
		}
		var back deal.Subject
		if err := json.Unmarshal(b, &back); err != nil || back != tt.s {
			t.Errorf("%s read back as %+v, %v", b, back, err)
		}
	}
	for _, s := range []string{`{}`, `{"phase":1}`, `{"phase":1,"obligation":0,"rule":1}`, `{"obligation":1}`} {
		var back deal.Subject
		if err := json.Unmarshal([]byte(s), &back); err == nil {
			t.Errorf("%s read as %+v", s, back)
		}
	}
}

// FuzzText checks the text and JSON readers of actors, subjects and
// durations: no panic, and what they accept writes back to an equal value.
func FuzzText(f *testing.F) {
	for _, s := range []string{"party:0", "verifier:12", "mediator", "party:-1", "29h0m0s", "1.5s", `{"phase":2,"obligation":0}`, `{"rule":1}`, `{"phase":0}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var a deal.Actor
		if a.UnmarshalText([]byte(s)) == nil {
			b, err := a.MarshalText()
			var back deal.Actor
			if err != nil || back.UnmarshalText(b) != nil || back != a {
				t.Errorf("actor %q: %v wrote %q, %v", s, a, b, err)
			}
		}
		var d deal.Duration
		if d.UnmarshalText([]byte(s)) == nil {
			b, _ := d.MarshalText()
			var back deal.Duration
			if back.UnmarshalText(b) != nil || back != d {
				t.Errorf("duration %q: %v wrote %q", s, d, b)
			}
		}
		var sub deal.Subject
		if json.Unmarshal([]byte(s), &sub) == nil {
			b, err := json.Marshal(sub)
			var back deal.Subject
			if err != nil || json.Unmarshal(b, &back) != nil || back != sub {
				t.Errorf("subject %q: %+v wrote %s, %v", s, sub, b, err)
			}
		}
	})
}
