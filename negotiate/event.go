package negotiate

import (
	"fmt"
	"time"

	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Participant names with a fixed meaning in events. Party names must differ
// from both.
const (
	// MediatorName is the mediator's name in From and To.
	MediatorName = "mediator"
	// Everyone in To marks a public event.
	Everyone = "*"
)

// Kind says what an event is. Questions, answers and the engine's own
// records share one list so that an event log needs no other type field.
type Kind uint8

const (
	// KindNone is the zero Kind; no event has it.
	KindNone Kind = iota

	// Engine records.
	KindStart     // public: the negotiation begins; Note names the protocol
	KindAgreement // public: the negotiation ends with Outcome
	KindFailure   // public: the negotiation ends without agreement; Note says why
	KindMissed    // a party's answer was not in when its round ended

	// Questions, from the mediator (or the engine in direct negotiation).
	KindAskConfide // what will the party tell the mediator about itself?
	KindText       // shuttle: the mediator's text for this party
	KindProposal   // single-text: a proposal to vote on
	KindPackages   // blind bidding: packages to choose from (Outcomes)
	KindImprove    // post-settlement: an alternative to the agreement
	KindTurn       // alternating offers: the party's turn (not recorded)

	// Answers.
	KindConfide  // the part of its profile a party tells the mediator
	KindAccept   // accepts the text or standing offer (Outcome)
	KindObject   // objects to the text (Outcome) with Objections
	KindCounter  // proposes Outcome instead of the text
	KindOffer    // alternating offers: a new offer (Outcome)
	KindWalkAway // leaves the negotiation
	KindVote     // votes Yes or no on a proposal or improvement (Outcome)
	KindBid      // blind bidding: the packages the party accepts (Picks)

	kindEnd
)

var kindNames = [kindEnd]string{
	KindNone:       "",
	KindStart:      "start",
	KindAgreement:  "agreement",
	KindFailure:    "failure",
	KindMissed:     "missed",
	KindAskConfide: "ask-confide",
	KindText:       "text",
	KindProposal:   "proposal",
	KindPackages:   "packages",
	KindImprove:    "improve",
	KindTurn:       "turn",
	KindConfide:    "confide",
	KindAccept:     "accept",
	KindObject:     "object",
	KindCounter:    "counter",
	KindOffer:      "offer",
	KindWalkAway:   "walk-away",
	KindVote:       "vote",
	KindBid:        "bid",
}

// String is the kind's name in JSON and on screens.
func (k Kind) String() string {
	if k < kindEnd {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind is the inverse of String.
func ParseKind(s string) (Kind, error) {
	for k := KindStart; k < kindEnd; k++ {
		if kindNames[k] == s {
			return k, nil
		}
	}
	return KindNone, fmt.Errorf("unknown event kind %q", s)
}

// isMessage reports whether events of kind k travel between participants
// (and count as messages) rather than being the engine's records.
func (k Kind) isMessage() bool { return k >= KindAskConfide && k < kindEnd }

// Objection is one point a party raises against a shuttle text.
type Objection struct {
	Issue int // index in the domain
	// Want is the value index the party asks for instead of the text's.
	Want int
	// Direction is +1 when Want lies above the text's value in the issue's
	// order, -1 when below. On discrete issues the order is the listed one
	// and may mean nothing; Want is what counts.
	Direction int
	// Strength is how much the point matters, as the utility the party
	// would gain if the issue took Want, in (0,1]; 1 for a hard constraint.
	Strength float64
}

// Level is how much of its profile a party confides to the mediator.
type Level uint8

const (
	Full      Level = iota // the whole profile
	Weights                // the issue weights only
	MustHaves              // hard constraints and reservation value only
	Nothing                // nothing
	levelEnd
)

var levelNames = [levelEnd]string{"full", "weights", "musthaves", "none"}

// String is the level's name as scenario files write it.
func (l Level) String() string {
	if l < levelEnd {
		return levelNames[l]
	}
	return fmt.Sprintf("level(%d)", uint8(l))
}

// ParseLevel is the inverse of String.
func ParseLevel(s string) (Level, error) {
	for l := Full; l < levelEnd; l++ {
		if levelNames[l] == s {
			return l, nil
		}
	}
	return Nothing, fmt.Errorf("unknown confide level %q (want full, weights, musthaves or none)", s)
}

// Confided is what a party tells the mediator about its profile. Fields
// outside the level are zero.
type Confided struct {
	Level Level
	// Func is the utility function (Full).
	Func utility.Function
	// Weights are the issue weights (Weights; also Full for additive
	// functions, where they are Func's).
	Weights []float64
	// Reservation and Constraints (Full, MustHaves).
	Reservation float64
	Constraints []utility.Constraint
}

// Event is one step of a negotiation. Events are kept in Seq order, which is
// also time order. Slices in an event are never modified after it is
// recorded.
type Event struct {
	Seq   uint64
	Time  time.Duration // since the negotiation started
	Round int           // 0 before the first round
	From  string        // a party, MediatorName, or "" for the engine's records
	To    string        // a party, MediatorName or Everyone
	Kind  Kind

	Outcome    space.Outcome   // the text, proposal, offer, counter or agreement
	Outcomes   []space.Outcome // blind-bidding packages
	Objections []Objection
	Yes        bool  // a vote's value
	Picks      []int // blind bidding: accepted packages, most preferred first
	Confided   *Confided
	Note       string // start: the protocol; failure: the reason
}

// Visible reports whether viewer may see e. The mediator sees everything; a
// party sees the events on its own channel and public ones. Every view of
// the events goes through here.
func Visible(e Event, viewer string) bool {
	if viewer == "" {
		return e.To == Everyone
	}
	return viewer == MediatorName || e.To == Everyone || e.From == viewer || e.To == viewer
}

// View is the part of events that viewer may see, in order.
func View(events []Event, viewer string) []Event {
	var out []Event
	for _, e := range events {
		if Visible(e, viewer) {
			out = append(out, e)
		}
	}
	return out
}
