package negotiate_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/negotiate/negotest"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/strategy"
	"github.com/shuttle-mediation/shuttle/utility"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixture is a small random negotiation that every protocol can play.
type fixture struct {
	domain   *space.Domain
	profiles []*utility.Profile
}

// fixtureIssues is the number of issues of a fixture's domain.
const fixtureIssues = 3

func newFixture(seed uint64, parties int) fixture {
	r := rand.New(rand.NewPCG(seed, 0))
	d := negotest.Domain(r, fixtureIssues, 4)
	for len(d.Issues) < fixtureIssues {
		d = negotest.Domain(r, fixtureIssues, 4)
	}
	f := fixture{domain: d}
	for i := range parties {
		f.profiles = append(f.profiles, negotest.Profile(r, d, string(rune('A'+i)), 0.2, i == 1))
	}
	return f
}

// spec seats built-in parties with the given strategies (cycled) and, for
// mediated protocols, the given mediator.
func (f fixture) spec(t *testing.T, proto negotiate.Protocol, mediator string, strategies ...string) negotiate.Spec {
	t.Helper()
	sp := negotiate.Spec{Domain: f.domain, Protocol: proto, Rounds: 30, RoundTime: time.Hour}
	for i, p := range f.profiles {
		party, err := strategy.NewParty(strategy.PartyConfig{
			Strategy: strategies[i%len(strategies)], Profile: p, Rand: rand.New(rand.NewPCG(11, uint64(i))),
		})
		if err != nil {
			t.Fatal(err)
		}
		sp.Parties = append(sp.Parties, negotiate.Seat{Name: p.Name, Party: party})
	}
	if mediator != "" {
		m, err := strategy.NewMediator(strategy.MediatorConfig{Strategy: mediator, Rand: rand.New(rand.NewPCG(11, 99))})
		if err != nil {
			t.Fatal(err)
		}
		sp.Mediator = m
	}
	return sp
}

func run(t *testing.T, sp negotiate.Spec) (*negotiate.Result, []negotiate.Event) {
	t.Helper()
	var log negotiate.Log
	sp.Record = log.Record
	s, err := negotiate.NewSession(sp)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res, log.Events
}

func logBytes(t *testing.T, d *space.Domain, events []negotiate.Event) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := negotiate.WriteLog(&b, d, events); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The same scenario and seed give the same event log, byte for byte; the
// golden files pin the JSON form of the log.
func TestDeterministicLog(t *testing.T) {
	tests := []struct {
		name     string
		proto    negotiate.Protocol
		mediator string
	}{
		{"shuttle", negotiate.Shuttle, "confided"},
		{"shuttle-objections", negotiate.Shuttle, "objections"},
		{"single-text", negotiate.SingleText, "votes"},
		{"alternating-offers", negotiate.AlternatingOffers, ""},
		{"blind-bidding", negotiate.BlindBidding, "confided"},
	}
	f := newFixture(3, 3)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs [2][]byte
			for k := range logs {
				sp := f.spec(t, tt.proto, tt.mediator, "random", "boulware", "tit-for-tat")
				sp.Parties[2].Channel = negotiate.Channel{Proxy: "relay", Delay: 30 * time.Minute, Outages: []negotiate.Outage{{From: 3 * time.Hour, To: 7 * time.Hour}}}
				_, events := run(t, sp)
				logs[k] = logBytes(t, f.domain, events)
			}
			if !bytes.Equal(logs[0], logs[1]) {
				t.Fatal("two runs with one seed wrote different logs")
			}
			golden := filepath.Join("testdata", tt.name+".jsonl")
			if *update {
				if err := os.WriteFile(golden, logs[0], 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(logs[0], want) {
				t.Errorf("log differs from %s (run with -update if the change is intended)", golden)
			}
		})
	}
}

// scripted is a party whose answers a test writes.
type scripted func(q *negotiate.Question) negotiate.Answer

func (s scripted) Ask(q *negotiate.Question) (negotiate.Answer, bool) { return s(q), true }

// accepter confides nothing, accepts every text and votes for everything;
// in alternating offers it repeats its offer, the first outcome of the
// domain.
func accepter(q *negotiate.Question) negotiate.Answer {
	switch q.Kind {
	case negotiate.KindAskConfide:
		return negotiate.Answer{Kind: negotiate.KindConfide, Confided: &negotiate.Confided{Level: negotiate.Nothing}}
	case negotiate.KindProposal, negotiate.KindImprove:
		return negotiate.Answer{Kind: negotiate.KindVote, Yes: true}
	case negotiate.KindPackages:
		return negotiate.Answer{Kind: negotiate.KindBid, Picks: []int{0}}
	case negotiate.KindTurn:
		if q.Text == nil || q.Own {
			return negotiate.Answer{Kind: negotiate.KindOffer, Outcome: make(space.Outcome, fixtureIssues)}
		}
	}
	return negotiate.Answer{Kind: negotiate.KindAccept}
}

// twoAccepters is a shuttle negotiation between two accepters.
func twoAccepters(t *testing.T, chB negotiate.Channel) negotiate.Spec {
	f := newFixture(5, 2)
	sp := f.spec(t, negotiate.Shuttle, "objections", "linear")
	sp.Parties[0].Party = scripted(accepter)
	sp.Parties[1].Party = scripted(accepter)
	sp.Parties[1].Channel = chB
	sp.Rounds = 20
	return sp
}

func count(events []negotiate.Event, k negotiate.Kind, from string) int {
	n := 0
	for _, e := range events {
		if e.Kind == k && (from == "" || e.From == from) {
			n++
		}
	}
	return n
}

// A party behind a proxy that is cut off is waited for or skipped, and the
// deadline is enforced either way.
func TestOutage(t *testing.T) {
	h := time.Hour
	cut := negotiate.Channel{Proxy: "relay", Delay: 30 * time.Minute, Outages: []negotiate.Outage{{From: 0, To: 10 * h}}}
	tests := []struct {
		name     string
		absence  negotiate.Absence
		deadline time.Duration
		reason   string
		missed   bool          // B is recorded as missing rounds
		minTime  time.Duration // the agreement or failure comes no earlier
		maxTime  time.Duration // and no later
	}{
		{"wait", negotiate.Wait, 0, negotiate.EndAgreement, false, 10*h + 30*time.Minute, 13 * h},
		{"skip", negotiate.Skip, 0, negotiate.EndAgreement, true, 10 * h, 14 * h},
		{"wait past deadline", negotiate.Wait, 8 * h, negotiate.EndDeadline, false, 8 * h, 8 * h},
		{"skip past deadline", negotiate.Skip, 8 * h, negotiate.EndDeadline, true, 6 * h, 8 * h},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := twoAccepters(t, cut)
			sp.Absence, sp.Deadline = tt.absence, tt.deadline
			res, events := run(t, sp)
			if res.Reason != tt.reason {
				t.Fatalf("ended with %s, want %s", res.Reason, tt.reason)
			}
			if got := count(events, negotiate.KindMissed, "B") > 0; got != tt.missed {
				t.Errorf("B missed rounds: %v, want %v", got, tt.missed)
			}
			if count(events, negotiate.KindMissed, "A") > 0 {
				t.Error("A, always reachable, missed a round")
			}
			if end := events[len(events)-1].Time; end < tt.minTime || end > tt.maxTime {
				t.Errorf("ended at %v, want within [%v, %v]", end, tt.minTime, tt.maxTime)
			}
			for _, e := range events {
				if e.From == "B" && e.Kind != negotiate.KindMissed && e.Time < 10*h {
					t.Errorf("B's %s arrived at %v, during its outage", e.Kind, e.Time)
				}
			}
		})
	}
}

// person is a party answered from outside, as a server's participant is: it
// returns no answer from Ask and the test answers through Session.Answer.
type person struct {
	mu        sync.Mutex
	questions []negotiate.Question
}

func (p *person) Ask(q *negotiate.Question) (negotiate.Answer, bool) {
	p.mu.Lock()
	p.questions = append(p.questions, *q)
	p.mu.Unlock()
	return negotiate.Answer{}, false
}

func (p *person) last() negotiate.Question {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.questions[len(p.questions)-1]
}

// An answer may come later than the question: in virtual time from the log
// observer, in wall time from another goroutine; wrong answers are refused.
func TestLateAnswers(t *testing.T) {
	t.Run("virtual", func(t *testing.T) {
		sp := twoAccepters(t, negotiate.Channel{})
		who := &person{}
		sp.Parties[1].Party = who
		var s *negotiate.Session
		var log negotiate.Log
		var refused []error
		sp.Record = func(e negotiate.Event) {
			log.Record(e)
			if e.To != "B" {
				return
			}
			q := who.last()
			refused = append(refused,
				s.Answer("A", q.ID, accepter(&q)),
				s.Answer("B", q.ID+100, accepter(&q)),
				s.Answer("B", q.ID, negotiate.Answer{Kind: negotiate.KindBid}))
			if err := s.Answer("B", q.ID, accepter(&q)); err != nil {
				t.Error(err)
			}
			refused = append(refused, s.Answer("B", q.ID, accepter(&q)))
		}
		var err error
		if s, err = negotiate.NewSession(sp); err != nil {
			t.Fatal(err)
		}
		res, err := s.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if res.Reason != negotiate.EndAgreement || res.Rounds != 1 {
			t.Errorf("ended with %s after %d rounds, want agreement in round 1", res.Reason, res.Rounds)
		}
		wantCodes := []string{shuttle.EConflict, shuttle.EConflict, shuttle.EInvalid, shuttle.EConflict}
		for i, err := range refused {
			if code := shuttle.ErrorCode(err); code != wantCodes[i%len(wantCodes)] {
				t.Errorf("wrong answer %d: %v, code %q, want %q", i, err, code, wantCodes[i%len(wantCodes)])
			}
		}
		if count(log.Events, negotiate.KindAccept, "B") != 1 || count(log.Events, negotiate.KindConfide, "B") != 1 {
			t.Error("B's answers are not in the log")
		}
	})
	t.Run("wall", func(t *testing.T) {
		sp := twoAccepters(t, negotiate.Channel{})
		who := &person{}
		sp.Parties[1].Party = who
		sp.Clock, sp.EarlyClose, sp.RoundTime = negotiate.NewWallClock(), true, time.Minute
		s, err := negotiate.NewSession(sp)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done := make(chan struct{})
		go func() {
			defer close(done)
			answered := 0
			for answered < 2 && ctx.Err() == nil {
				who.mu.Lock()
				n := len(who.questions)
				who.mu.Unlock()
				if n > answered {
					q := who.last()
					if err := s.Answer("B", q.ID, accepter(&q)); err != nil {
						t.Error(err)
					}
					answered++
				}
				time.Sleep(time.Millisecond)
			}
		}()
		res, err := s.Run(ctx)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		if res.Reason != negotiate.EndAgreement {
			t.Errorf("ended with %s", res.Reason)
		}
	})
	t.Run("nobody answers", func(t *testing.T) {
		sp := twoAccepters(t, negotiate.Channel{})
		sp.Parties[1].Party = &person{}
		s, err := negotiate.NewSession(sp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Run(context.Background()); !errors.Is(err, negotiate.ErrStalled) {
			t.Errorf("Run = %v, want ErrStalled", err)
		}
	})
}

// A party that walks away ends the negotiation.
func TestWalkAway(t *testing.T) {
	for _, proto := range []negotiate.Protocol{negotiate.Shuttle, negotiate.AlternatingOffers, negotiate.BlindBidding} {
		sp := twoAccepters(t, negotiate.Channel{})
		sp.Protocol = proto
		sp.Parties[1].Party = scripted(func(q *negotiate.Question) negotiate.Answer {
			if q.Kind == negotiate.KindAskConfide {
				return accepter(q)
			}
			return negotiate.Answer{Kind: negotiate.KindWalkAway}
		})
		res, events := run(t, sp)
		if res.Reason != negotiate.EndWalkAway || events[len(events)-1].Note != negotiate.EndWalkAway {
			t.Errorf("%s: ended with %s", proto, res.Reason)
		}
	}
}

// Post-settlement: an agreement that leaves something on the table is
// replaced by one every party prefers, and only if every party votes for it.
func TestPostSettlement(t *testing.T) {
	d := &space.Domain{Name: "d", Issues: []space.Issue{
		{Name: "price", Kind: space.Integer, Min: 1, Max: 5},
		{Name: "delivery", Values: []string{"slow", "fast"}},
		{Name: "colour", Values: []string{"red", "blue"}},
	}}
	// The seller wants a high price and slow delivery and likes red a
	// little; the buyer wants a low price and fast delivery, and blue only
	// a little.
	seller := &utility.Profile{Name: "seller", Domain: d, Discount: 1, Func: &utility.Additive{
		Weights: []float64{0.5, 0.3, 0.2}, Evals: [][]float64{{0, 0.25, 0.5, 0.75, 1}, {1, 0}, {1, 0.5}}}}
	buyer := &utility.Profile{Name: "buyer", Domain: d, Discount: 1, Func: &utility.Additive{
		Weights: []float64{0.3, 0.6, 0.1}, Evals: [][]float64{{1, 0.75, 0.5, 0.25, 0}, {0, 1}, {0.5, 1}}}}
	// Direct bargaining settles on price 3, slow delivery, blue; trading
	// delivery (worth more to the buyer) for price and colour is better
	// for both.
	first := space.Outcome{2, 0, 1}
	offerFirst := func(q *negotiate.Question) negotiate.Answer {
		switch q.Kind {
		case negotiate.KindAskConfide:
			return negotiate.Answer{Kind: negotiate.KindConfide, Confided: strategy.Confide(seller, negotiate.Full)}
		case negotiate.KindImprove:
			return negotiate.Answer{Kind: negotiate.KindVote, Yes: seller.Utility(q.Text) > seller.Utility(q.Current)}
		}
		return negotiate.Answer{Kind: negotiate.KindOffer, Outcome: first}
	}
	for _, tt := range []struct {
		name     string
		buyer    string
		improved bool
	}{
		{"both prefer it", "reservation", true},
		{"one votes no", "stubborn", false},
		{"past the deadline", "reservation", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b negotiate.Party = scripted(func(q *negotiate.Question) negotiate.Answer {
				if q.Kind == negotiate.KindAskConfide {
					return negotiate.Answer{Kind: negotiate.KindConfide, Confided: strategy.Confide(buyer, negotiate.Full)}
				}
				a := accepter(q)
				a.Yes = false
				return a
			})
			if tt.buyer != "stubborn" {
				p, err := strategy.NewParty(strategy.PartyConfig{Strategy: tt.buyer, Profile: buyer})
				if err != nil {
					t.Fatal(err)
				}
				b = p
			}
			m, err := strategy.NewMediator(strategy.MediatorConfig{Rand: rand.New(rand.NewPCG(1, 1))})
			if err != nil {
				t.Fatal(err)
			}
			sp := negotiate.Spec{Domain: d, Protocol: negotiate.AlternatingOffers, Rounds: 10, RoundTime: time.Hour, PostSettlement: true, Mediator: m,
				Parties: []negotiate.Seat{{Name: "seller", Party: scripted(offerFirst)}, {Name: "buyer", Party: b}}}
			if tt.name == "past the deadline" {
				// The buyer's answers take an hour to come back: the
				// agreement comes at 4h, its vote on the improvement at
				// 5h, after the deadline.
				sp.Parties[1].Channel.Delay = 30 * time.Minute
				sp.Deadline = 4*time.Hour + 30*time.Minute
			}
			res, events := run(t, sp)
			if res.Improved != tt.improved || count(events, negotiate.KindAgreement, "") != map[bool]int{true: 2, false: 1}[tt.improved] {
				t.Fatalf("improved %v with %d agreement events", res.Improved, count(events, negotiate.KindAgreement, ""))
			}
			if count(events, negotiate.KindImprove, "") != 2 {
				t.Error("the improvement was not put to both parties")
			}
			if !tt.improved {
				if !res.Agreement.Equal(first) {
					t.Errorf("agreement %v, want the first one %v", res.Agreement, first)
				}
				return
			}
			for _, p := range []*utility.Profile{seller, buyer} {
				if p.Utility(res.Agreement) <= p.Utility(first) {
					t.Errorf("%s: %g after the post-settlement round, %g before", p.Name, p.Utility(res.Agreement), p.Utility(first))
				}
			}
		})
	}
}

func TestSpecErrors(t *testing.T) {
	f := newFixture(1, 2)
	base := func() negotiate.Spec { return f.spec(t, negotiate.Shuttle, "confided", "linear") }
	tests := []struct {
		name   string
		change func(*negotiate.Spec)
		want   string
	}{
		{"no domain", func(s *negotiate.Spec) { s.Domain = nil }, "domain"},
		{"no mediator", func(s *negotiate.Spec) { s.Mediator = nil }, "needs a mediator"},
		{"no deadline", func(s *negotiate.Spec) { s.Rounds = 0 }, "deadline"},
		{"time deadline without round time", func(s *negotiate.Spec) { s.Rounds, s.Deadline, s.RoundTime = 0, time.Hour, 0 }, "deadline"},
		{"reserved name", func(s *negotiate.Spec) { s.Parties[0].Name = negotiate.MediatorName }, "reserved"},
		{"twice", func(s *negotiate.Spec) { s.Parties[1].Name = s.Parties[0].Name }, "twice"},
		{"no party", func(s *negotiate.Spec) { s.Parties[0].Party = nil }, "no strategy"},
		{"bad channel", func(s *negotiate.Spec) { s.Parties[0].Channel.Delay = -1 }, "negative"},
		{"one party bargaining alone", func(s *negotiate.Spec) { s.Protocol, s.Parties = negotiate.AlternatingOffers, s.Parties[:1] }, "at least 2"},
	}
	for _, tt := range tests {
		sp := base()
		tt.change(&sp)
		if _, err := negotiate.NewSession(sp); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one with %q", tt.name, err, tt.want)
		}
	}
}
