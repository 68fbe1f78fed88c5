package negotiate

import (
	"strings"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

func TestNamesRoundTrip(t *testing.T) {
	for k := KindStart; k < kindEnd; k++ {
		if got, err := ParseKind(k.String()); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k, got, err)
		}
	}
	for l := Full; l < levelEnd; l++ {
		if got, err := ParseLevel(l.String()); err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %v, %v", l, got, err)
		}
	}
	for p := Shuttle; p < protocolEnd; p++ {
		if got, err := ParseProtocol(p.String()); err != nil || got != p {
			t.Errorf("ParseProtocol(%q) = %v, %v", p, got, err)
		}
	}
	for _, bad := range []string{"", "Shuttle", "nope"} {
		if _, err := ParseKind(bad); err == nil {
			t.Errorf("ParseKind(%q) accepted", bad)
		}
		if _, err := ParseLevel(bad); err == nil {
			t.Errorf("ParseLevel(%q) accepted", bad)
		}
		if _, err := ParseProtocol(bad); err == nil {
			t.Errorf("ParseProtocol(%q) accepted", bad)
		}
	}
	if s := Kind(200).String(); s != "kind(200)" {
		t.Errorf("Kind(200) = %q", s)
	}
}

func TestVisible(t *testing.T) {
	tests := []struct {
		from, to, viewer string
		want             bool
	}{
		{MediatorName, "A", "A", true},
		{MediatorName, "A", "B", false},
		{"A", MediatorName, "A", true},
		{"A", MediatorName, "B", false},
		{"A", MediatorName, MediatorName, true},
		{"B", "A", MediatorName, true},
		{"", Everyone, "A", true},
		{"A", Everyone, "B", true},
		{"A", MediatorName, "", false},
		{"", Everyone, "", true},
		{"", "A", "", false},
	}
	for _, tt := range tests {
		e := Event{From: tt.from, To: tt.to, Kind: KindText}
		if got := Visible(e, tt.viewer); got != tt.want {
			t.Errorf("Visible(%s→%s, %q) = %v, want %v", tt.from, tt.to, tt.viewer, got, tt.want)
		}
	}
	events := []Event{{Seq: 1, To: Everyone}, {Seq: 2, From: MediatorName, To: "A"}, {Seq: 3, From: "B", To: MediatorName}}
	if v := View(events, "A"); len(v) != 2 || v[0].Seq != 1 || v[1].Seq != 2 {
		t.Errorf("View(A) = %v", v)
	}
}

func TestArrival(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name string
		ch   Channel
		sent time.Duration
		want time.Duration
	}{
		{"direct", Channel{}, 3 * h, 3 * h},
		{"delay", Channel{Delay: h}, 3 * h, 4 * h},
		{"arrives in outage", Channel{Delay: h, Outages: []Outage{{3 * h, 10 * h}}}, 3 * h, 10 * h},
		{"arrives at outage end", Channel{Delay: h, Outages: []Outage{{2 * h, 4 * h}}}, 3 * h, 4 * h},
		{"arrives before outage", Channel{Delay: h, Outages: []Outage{{5 * h, 10 * h}}}, 3 * h, 4 * h},
		{"chained outages out of order", Channel{Outages: []Outage{{10 * h, 12 * h}, {3 * h, 10 * h}}}, 4 * h, 12 * h},
	}
	for _, tt := range tests {
		if got := tt.ch.Arrival(tt.sent); got != tt.want {
			t.Errorf("%s: Arrival(%v) = %v, want %v", tt.name, tt.sent, got, tt.want)
		}
	}
	for _, bad := range []Channel{{Delay: -1}, {Outages: []Outage{{5, 5}}}, {Outages: []Outage{{-1, 5}}}} {
		if bad.Validate() == nil {
			t.Errorf("Validate(%+v) accepted", bad)
		}
	}
}

func TestProgress(t *testing.T) {
	h := time.Hour
	tests := []struct {
		q    Question
		want float64
	}{
		{Question{Round: 5, Rounds: 10}, 0.5},
		{Question{Time: 3 * h, Deadline: 12 * h}, 0.25},
		{Question{Round: 2, Rounds: 10, Time: 6 * h, Deadline: 12 * h}, 0.5},
		{Question{Round: 12, Rounds: 10}, 1},
		{Question{Round: 3}, 0},
	}
	for _, tt := range tests {
		if got := tt.q.Progress(); got != tt.want {
			t.Errorf("%+v: Progress = %g, want %g", tt.q, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	d := &space.Domain{Name: "d", Issues: []space.Issue{
		{Name: "x", Values: []string{"a", "b"}},
		{Name: "n", Kind: space.Integer, Min: 1, Max: 3},
	}}
	text := space.Outcome{0, 0}
	good := Objection{Issue: 1, Want: 2, Direction: 1, Strength: 0.3}
	tests := []struct {
		q    Kind
		a    Answer
		want string // "" for no error, else part of the error
	}{
		{KindText, Answer{Kind: KindAccept}, ""},
		{KindText, Answer{Kind: KindObject, Objections: []Objection{good}}, ""},
		{KindText, Answer{Kind: KindObject}, "names no issue"},
		{KindText, Answer{Kind: KindObject, Objections: []Objection{{Issue: 2, Strength: 0.5}}}, "no such issue"},
		{KindText, Answer{Kind: KindObject, Objections: []Objection{{Issue: 1, Want: 3, Strength: 0.5}}}, "out of range"},
		{KindText, Answer{Kind: KindObject, Objections: []Objection{{Issue: 1, Want: 1, Strength: 0}}}, "strength"},
		{KindText, Answer{Kind: KindCounter, Outcome: space.Outcome{1, 2}}, ""},
		{KindText, Answer{Kind: KindCounter, Outcome: space.Outcome{1}}, "counter"},
		{KindText, Answer{Kind: KindWalkAway}, ""},
		{KindText, Answer{Kind: KindVote}, "does not fit"},
		{KindProposal, Answer{Kind: KindVote, Yes: true}, ""},
		{KindProposal, Answer{Kind: KindAccept}, "does not fit"},
		{KindImprove, Answer{Kind: KindWalkAway}, "does not fit"},
		{KindPackages, Answer{Kind: KindBid, Picks: []int{1, 0}}, ""},
		{KindPackages, Answer{Kind: KindBid, Picks: []int{1, 1}}, "twice"},
		{KindPackages, Answer{Kind: KindBid, Picks: []int{2}}, "out of range"},
		{KindTurn, Answer{Kind: KindAccept}, ""},
		{KindTurn, Answer{Kind: KindOffer, Outcome: space.Outcome{0, 5}}, "offer"},
		{KindAskConfide, Answer{Kind: KindConfide, Confided: &Confided{Level: Nothing}}, ""},
		{KindAskConfide, Answer{Kind: KindConfide}, "without content"},
		{KindAskConfide, Answer{Kind: KindConfide, Confided: &Confided{Level: Full}}, "without a utility function"},
		{KindAskConfide, Answer{Kind: KindConfide, Confided: &Confided{Level: Weights, Weights: []float64{1}}}, "weights"},
		{KindAskConfide, Answer{Kind: KindConfide, Confided: &Confided{Level: MustHaves, Reservation: 2}}, "reservation"},
		{KindAskConfide, Answer{Kind: KindConfide, Confided: &Confided{Level: MustHaves, Constraints: []utility.Constraint{{Issue: 0, Allowed: []bool{true}}}}}, "constraint"},
	}
	for _, tt := range tests {
		q := &Question{Kind: tt.q, Text: text, Packages: []space.Outcome{text, text}}
		err := q.check(d, &tt.a)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s ← %s: %v", tt.q, tt.a.Kind, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s ← %s: error %v, want one with %q", tt.q, tt.a.Kind, err, tt.want)
		}
	}
	first := &Question{Kind: KindTurn}
	if first.check(d, &Answer{Kind: KindAccept}) == nil {
		t.Error("accepting at the first turn, with no offer standing, passed")
	}
	own := &Question{Kind: KindTurn, Text: text, Own: true}
	if own.check(d, &Answer{Kind: KindAccept}) == nil {
		t.Error("accepting one's own offer passed")
	}
}
