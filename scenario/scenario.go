package scenario

import (
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Scenario is one negotiation case as read from a scenario file.
type Scenario struct {
	File        string
	Name        string
	Description string
	// Sources cite where the facts of the case come from; what is
	// illustrative rather than sourced is said in Description and comments.
	Sources []string
	Domain  *space.Domain
	// Parties are in file order; utilities everywhere are in this order.
	Parties  []Party
	Mediator Mediator
	Protocol Protocol
	// Plan is the implementation-plan template, nil when the file has none.
	Plan *Plan

	lines map[string]int // YAML path -> 1-based line
}

// Party is one side of the negotiation.
type Party struct {
	Name string
	// Profile holds the reservation value, discount and hard constraints.
	Profile *utility.Profile
	// Strategy names the built-in party used in simulation (see Strategies).
	Strategy string
	// Params are the strategy's parameters (e.g. "e", the concession
	// exponent); nil when none are given.
	Params map[string]float64
	// Confide says what the party tells the mediator (see Confides).
	Confide string
	Channel Channel
}

// Channel is a party's link to the mediator.
type Channel struct {
	Proxy   string        // intermediary's name, "" for a direct link
	Delay   time.Duration // one-way delay the proxy adds, in virtual time
	Outages []Outage      // stretches when the party cannot be reached, in order
}

// Outage is a stretch [From, To) of virtual time since the start during
// which a party cannot be reached.
type Outage struct{ From, To time.Duration }

// Mediator configures the mediator's strategy.
type Mediator struct {
	Name     string // who mediates, for display; may be empty
	Strategy string // see MediatorStrategies
	Target   string // see Targets
	Params   map[string]float64
}

// Protocol configures the negotiation protocol and its deadline.
type Protocol struct {
	Name string // see Protocols
	// Rounds is the deadline in rounds, 0 for none. When a file gives
	// neither Rounds nor Deadline, Rounds is DefaultRounds.
	Rounds int
	// Deadline is the deadline in virtual time, 0 for none.
	Deadline time.Duration
	// RoundTime is how long one mediator round takes before channel delays.
	RoundTime time.Duration
	// PostSettlement lets the mediator look for a Pareto improvement after
	// the parties have agreed.
	PostSettlement bool
}

// The fixed names a scenario may use; the first of each list is the default.
var (
	Strategies         = []string{"linear", "boulware", "conceder", "hardliner", "tit-for-tat", "reservation", "random"}
	Confides           = []string{"full", "weights", "musthaves", "none"}
	MediatorStrategies = []string{"confided", "objections", "votes"}
	Targets            = []string{"nash", "kalai"}
	Protocols          = []string{"shuttle", "single-text", "alternating-offers", "blind-bidding"}
)

// Protocol defaults.
const (
	DefaultRounds    = 100
	DefaultRoundTime = time.Hour
)

// Line is the 1-based line of the YAML element at path, such as
// "parties[1].strategy" ("" for the document), or 0 if the file has no such
// element (a default, or a scenario not read from a file).
func (s *Scenario) Line(path string) int { return s.lines[path] }

// Errorf makes a one-line invalid-input error located at path's line, for
// callers that find a fault the loader could not (say, a strategy parameter
// the strategy does not know).
func (s *Scenario) Errorf(path, format string, args ...any) error {
	return shuttle.InFile(s.File, s.Line(path), path, format, args...)
}

// Profiles lists the parties' profiles in party order, the form analysis and
// the engine take.
func (s *Scenario) Profiles() []*utility.Profile {
	ps := make([]*utility.Profile, len(s.Parties))
	for i := range s.Parties {
		ps[i] = s.Parties[i].Profile
	}
	return ps
}

// PartyIndex is the position of the named party, or -1.
func (s *Scenario) PartyIndex(name string) int {
	for i := range s.Parties {
		if s.Parties[i].Name == name {
			return i
		}
	}
	return -1
}
