package strategy

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Parties lists the built-in party strategies by name, the default first.
var Parties = []string{"linear", "boulware", "conceder", "hardliner", "tit-for-tat", "reservation", "random"}

type kind uint8

const (
	timeBased kind = iota
	hardliner
	titForTat
	reservation
	random
)

// partyKinds maps names to kinds and default concession exponents.
var partyKinds = map[string]struct {
	kind kind
	e    float64
}{
	"linear":      {timeBased, 1},
	"boulware":    {timeBased, 0.2},
	"conceder":    {timeBased, 2},
	"hardliner":   {hardliner, 0},
	"tit-for-tat": {titForTat, 0},
	"reservation": {reservation, 0},
	"random":      {random, 0},
}

// partyParams lists each kind's parameters with their defaults.
var partyParams = map[kind]map[string]float64{
	// e: concession exponent; min: lowest aspiration (never below the
	// reservation value); patience: walk away after this many texts or
	// offers in a row worth less than the reservation value (0: never).
	timeBased: {"e": 0, "min": 0, "patience": 0},
	hardliner: {"patience": 0},
	// delta: share of the other side's concession returned; endgame: the
	// last fraction of the time, in which it gives up tit-for-tat and
	// concedes linearly to its lowest aspiration (0: never).
	titForTat:   {"delta": 1, "endgame": 0.05, "min": 0, "patience": 0},
	reservation: {"patience": 0},
	// accept: chance of accepting an acceptable text; walk: chance of
	// walking away from an unacceptable one.
	random: {"accept": 0.5, "walk": 0},
}

// PartyConfig configures a built-in party. Its fields map one to one onto
// a scenario's party.
type PartyConfig struct {
	Strategy string             // one of Parties; "" means "linear"
	Params   map[string]float64 // see ParamNames
	Confide  string             // "full" (""), "weights", "musthaves" or "none"
	Profile  *utility.Profile
	Rand     *rand.Rand // required by "random"; others draw nothing
	Cache    *Cache     // may be nil
}

// ParamNames lists the parameters a party strategy accepts.
func ParamNames(strategy string) ([]string, error) {
	k, ok := partyKinds[strategy]
	if !ok {
		return nil, fmt.Errorf("unknown party strategy %q (want %s)", strategy, strings.Join(Parties, ", "))
	}
	var names []string
	for name := range partyParams[k.kind] {
		names = append(names, name)
	}
	slices.Sort(names)
	return names, nil
}

// Party is a built-in party. It answers every question of every protocol
// at once and never accepts or proposes an outcome worth less than its
// reservation value or outside its hard constraints.
//
// Its strategy sets what it aims for at progress t of the negotiation:
//
//   - time-based, after Faratin et al.: max − (max − floor)·t^(1/e), from
//     its best utility max down to floor, its reservation value (or min if
//     higher); Boulware (e = 0.2) holds out, linear (e = 1) concedes
//     evenly, conceder (e = 2) gives in early;
//   - hardliner: max throughout;
//   - tit-for-tat: max less delta times the best concession the other
//     side has made (the gain of the best outcome put to it over the
//     first), and in a final endgame linearly down to floor;
//   - reservation: accepts whatever is worth its reservation value and
//     proposes its best;
//   - random: accepts acceptable outcomes by chance and proposes random
//     acceptable ones.
//
// It accepts a shuttle text, a standing offer or a proposal that meets its
// aim. To a shuttle text it does not accept it objects (see Objections);
// the hardliner counter-proposes its best instead. Its offers and counter-
// proposals meet its aim and stay close to the outcome put to it. In
// single-text it votes for a proposal that meets its aim or is no worse
// than the current text, in blind bidding it picks the packages that meet
// its aim, and it votes for a post-settlement improvement only if it gains.
type Party struct {
	kind  kind
	prof  *utility.Profile
	tab   *table
	rand  *rand.Rand
	level negotiate.Level

	e, floor  float64 // time-based: u(t) = floor + (max-floor)(1 - t^(1/e))
	delta     float64 // tit-for-tat: share of the other side's concession returned
	endgame   float64 // tit-for-tat: the final fraction of time it concedes in
	pAccept   float64 // random
	pWalk     float64 // random
	patience  int
	hopeless  bool // no feasible outcome reaches the reservation value
	shortfall int  // unacceptable texts or offers in a row

	// Tit-for-tat: the utilities of the first and of the best outcome the
	// other side put to it.
	first, bestSeen float64
	seen            bool

	at, aim float64 // the last progress target was asked about, and its answer

	x     space.Outcome // scratch
	gains []issueGain
	obj   []negotiate.Objection
}

type issueGain struct {
	issue, want int
	gain        float64
}

// NewParty makes a built-in party.
func NewParty(c PartyConfig) (*Party, error) {
	name := cmp.Or(c.Strategy, "linear")
	pk, ok := partyKinds[name]
	if !ok {
		return nil, fmt.Errorf("unknown party strategy %q (want %s)", name, strings.Join(Parties, ", "))
	}
	if c.Profile == nil || c.Profile.Domain == nil {
		return nil, errors.New("party without a profile")
	}
	level, err := negotiate.ParseLevel(cmp.Or(c.Confide, "full"))
	if err != nil {
		return nil, err
	}
	params := partyParams[pk.kind]
	for _, n := range sortedKeys(c.Params) {
		v := c.Params[n]
		if _, ok := params[n]; !ok {
			names, _ := ParamNames(name)
			return nil, fmt.Errorf("strategy %q has no parameter %q (it has %s)", name, n, strings.Join(names, ", "))
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("strategy %q: parameter %q is not a number", name, n)
		}
	}
	get := func(n string, def float64) float64 {
		if v, ok := c.Params[n]; ok {
			return v
		}
		return def
	}
	p := &Party{
		kind:    pk.kind,
		prof:    c.Profile,
		tab:     c.Cache.table(c.Profile),
		rand:    c.Rand,
		level:   level,
		e:       get("e", pk.e),
		delta:   get("delta", params["delta"]),
		endgame: get("endgame", params["endgame"]),
		pAccept: get("accept", params["accept"]),
		pWalk:   get("walk", params["walk"]),
		x:       c.Profile.Domain.NewOutcome(),
		at:      -1,
	}
	pat := get("patience", 0)
	switch {
	case p.kind == timeBased && !(p.e > 0):
		return nil, fmt.Errorf("strategy %q: concession exponent e = %g must be positive", name, p.e)
	case p.delta < 0:
		return nil, fmt.Errorf("strategy %q: delta = %g must not be negative", name, p.delta)
	case p.endgame < 0 || p.endgame > 1:
		return nil, fmt.Errorf("strategy %q: endgame = %g must lie in [0,1]", name, p.endgame)
	case p.pAccept < 0 || p.pAccept > 1 || p.pWalk < 0 || p.pWalk > 1:
		return nil, fmt.Errorf("strategy %q: probabilities must lie in [0,1]", name)
	case pat < 0 || pat != math.Trunc(pat):
		return nil, fmt.Errorf("strategy %q: patience = %g must be a whole number of rounds", name, pat)
	case p.kind == random && c.Rand == nil:
		return nil, fmt.Errorf("strategy %q needs a random source", name)
	}
	p.patience = int(pat)
	p.floor = min(max(get("min", 0), c.Profile.Reservation), p.tab.max)
	p.hopeless = p.tab.max < c.Profile.Reservation || !c.Profile.Feasible(p.tab.best)
	return p, nil
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// target is the utility the party aims for at progress t.
func (p *Party) target(t float64) float64 {
	switch p.kind {
	case timeBased:
		if t != p.at {
			p.at, p.aim = t, p.floor+(p.tab.max-p.floor)*(1-math.Pow(t, 1/p.e))
		}
		return p.aim
	case titForTat:
		asp := p.tab.max - p.delta*(p.bestSeen-p.first)
		if p.endgame > 0 && t > 1-p.endgame {
			// Rather something above its floor than nothing.
			asp = min(asp, p.floor+(p.tab.max-p.floor)*(1-t)/p.endgame)
		}
		return min(max(asp, p.floor), p.tab.max)
	}
	return p.tab.max
}

// accepts reports whether the party accepts outcome o worth u at progress t.
func (p *Party) accepts(o space.Outcome, u, t float64) bool {
	if p.hopeless || !p.prof.Feasible(o) || u < p.prof.Reservation {
		return false
	}
	switch p.kind {
	case reservation:
		return true
	case random:
		return p.rand.Float64() < p.pAccept
	}
	return u >= p.target(t)-eps
}

// observe lets tit-for-tat return the other side's concessions: its
// aspiration falls from its best by delta times what the best outcome put
// to it so far gains over the first. Measuring against the best, not the
// last, keeps it from swinging with a mediator's text that moves between
// several parties' interests.
func (p *Party) observe(u float64) {
	if p.kind != titForTat {
		return
	}
	if !p.seen {
		p.first, p.bestSeen, p.seen = u, u, true
	}
	p.bestSeen = max(p.bestSeen, u)
}

// giveUp counts outcomes below the reservation value and reports whether
// the party's patience has run out.
func (p *Party) giveUp(o space.Outcome, u float64) bool {
	if p.hopeless {
		return true
	}
	if p.prof.Feasible(o) && u >= p.prof.Reservation {
		p.shortfall = 0
		return false
	}
	p.shortfall++
	if p.kind == random {
		return p.rand.Float64() < p.pWalk
	}
	return p.patience > 0 && p.shortfall >= p.patience
}

// offer is the party's own proposal at progress t, close to ref.
func (p *Party) offer(t float64, ref space.Outcome) space.Outcome {
	o := make(space.Outcome, len(p.x))
	switch p.kind {
	case reservation:
		copy(o, p.tab.best)
	case random:
		copy(o, p.tab.best)
		for range 32 {
			p.prof.Domain.Random(p.rand, p.x)
			if p.prof.Acceptable(p.x) {
				copy(o, p.x)
				break
			}
		}
	default:
		p.tab.near(o, max(p.target(t), p.prof.Reservation), ref)
		if !p.prof.Acceptable(o) {
			// The search works to a tolerance; the reservation value
			// is a hard line.
			copy(o, p.tab.best)
		}
	}
	return o
}

// Ask answers a question at once.
func (p *Party) Ask(q *negotiate.Question) (negotiate.Answer, bool) {
	t := q.Progress()
	switch q.Kind {
	case negotiate.KindAskConfide:
		return negotiate.Answer{Kind: negotiate.KindConfide, Confided: Confide(p.prof, p.level)}, true
	case negotiate.KindText:
		return p.text(q.Text, t), true
	case negotiate.KindProposal:
		u := p.prof.Utility(q.Text)
		p.observe(u)
		yes := p.accepts(q.Text, u, t)
		if yes && q.Current != nil && p.kind != random && p.kind != reservation {
			// Klein et al.'s hill climber: a proposal worse than the
			// current text needs to meet the aspiration itself.
			yes = u >= min(p.target(t), p.prof.Utility(q.Current))-eps
		}
		return negotiate.Answer{Kind: negotiate.KindVote, Yes: yes}, true
	case negotiate.KindImprove:
		yes := p.prof.Acceptable(q.Text) && p.prof.Utility(q.Text) > p.prof.Utility(q.Current)+eps
		return negotiate.Answer{Kind: negotiate.KindVote, Yes: yes}, true
	case negotiate.KindPackages:
		return p.bid(q.Packages, t), true
	case negotiate.KindTurn:
		return p.turn(q, t), true
	}
	return negotiate.Answer{}, true
}

// text answers a shuttle text: accept it, walk away, counter-propose (the
// hardliner restates its demand; the random party sometimes), or object.
func (p *Party) text(x space.Outcome, t float64) negotiate.Answer {
	u := p.prof.Utility(x)
	p.observe(u)
	if p.accepts(x, u, t) {
		p.shortfall = 0
		return negotiate.Answer{Kind: negotiate.KindAccept}
	}
	if p.giveUp(x, u) {
		return negotiate.Answer{Kind: negotiate.KindWalkAway}
	}
	if p.kind == hardliner || p.kind == random && p.rand.IntN(2) == 0 {
		return negotiate.Answer{Kind: negotiate.KindCounter, Outcome: p.offer(t, x)}
	}
	aim := max(p.target(t), p.prof.Reservation)
	if p.kind == reservation || p.kind == random {
		aim = p.prof.Reservation
	}
	if obj := p.Objections(x, aim); len(obj) > 0 {
		return negotiate.Answer{Kind: negotiate.KindObject, Objections: obj}
	}
	return negotiate.Answer{Kind: negotiate.KindCounter, Outcome: p.offer(t, x)}
}

// Objections are the party's points against text x when it aims for
// utility aim: first every issue that breaks a hard constraint (strength
// 1), then the issues whose change would gain most, in that order, until
// together they would lift x to aim. Want is the issue's best allowed
// value; strength the utility its change would gain (below 1).
func (p *Party) Objections(x space.Outcome, aim float64) []negotiate.Objection {
	obj := p.obj[:0]
	d := p.prof.Domain
	copy(p.x, x)
	for i := range p.x {
		if p.tab.ok(i, p.x[i]) {
			continue
		}
		want := -1
		for v := range d.Issues[i].Size() {
			if p.tab.ok(i, v) && (want < 0 || p.tab.gain(p.x, 0, i, v) > p.tab.gain(p.x, 0, i, want)) {
				want = v
			}
		}
		if want < 0 {
			continue
		}
		obj = append(obj, negotiate.Objection{Issue: i, Want: want, Direction: sign(want - x[i]), Strength: 1})
		p.x[i] = want
	}
	u := p.tab.value(p.x)
	p.gains = p.gains[:0]
	for i := range p.x {
		best := issueGain{issue: i, want: p.x[i]}
		if p.tab.add != nil {
			// An additive profile gains most on an issue by its best
			// allowed value, whatever the others.
			if v := p.tab.best[i]; v != p.x[i] {
				best.want, best.gain = v, p.tab.gain(p.x, u, i, v)
			}
		} else {
			for v := range d.Issues[i].Size() {
				if v != p.x[i] && p.tab.ok(i, v) {
					if g := p.tab.gain(p.x, u, i, v); g > best.gain+eps {
						best.want, best.gain = v, g
					}
				}
			}
		}
		if best.gain > eps {
			p.gains = append(p.gains, best)
		}
	}
	slices.SortStableFunc(p.gains, func(a, b issueGain) int { return cmp.Compare(b.gain, a.gain) })
	for _, g := range p.gains {
		if u >= aim-eps && len(obj) > 0 {
			break
		}
		obj = append(obj, negotiate.Objection{Issue: g.issue, Want: g.want, Direction: sign(g.want - x[g.issue]), Strength: min(g.gain, 1-1e-6)})
		u += g.gain
	}
	p.obj = obj
	// The answer is kept in the session's log: a copy of the scratch.
	return slices.Clone(obj)
}

func sign(n int) int {
	switch {
	case n > 0:
		return 1
	case n < 0:
		return -1
	}
	return 0
}

// bid picks the packages the party accepts, most valuable first.
func (p *Party) bid(packages []space.Outcome, t float64) negotiate.Answer {
	picks := []int{}
	best := 0.0
	for j, o := range packages {
		u := p.prof.Utility(o)
		best = max(best, u)
		if p.accepts(o, u, t) {
			picks = append(picks, j)
		}
	}
	p.observe(best)
	if len(picks) == 0 && p.giveUpRound() {
		return negotiate.Answer{Kind: negotiate.KindWalkAway}
	}
	if len(picks) > 0 {
		p.shortfall = 0
	}
	slices.SortStableFunc(picks, func(a, b int) int {
		return cmp.Compare(p.prof.Utility(packages[b]), p.prof.Utility(packages[a]))
	})
	return negotiate.Answer{Kind: negotiate.KindBid, Picks: picks}
}

// giveUpRound counts a blind-bidding round with nothing acceptable.
func (p *Party) giveUpRound() bool {
	if p.hopeless {
		return true
	}
	p.shortfall++
	return p.patience > 0 && p.shortfall >= p.patience
}

// turn plays a turn of alternating offers.
func (p *Party) turn(q *negotiate.Question, t float64) negotiate.Answer {
	if p.hopeless {
		return negotiate.Answer{Kind: negotiate.KindWalkAway}
	}
	if q.Text == nil || q.Own {
		return negotiate.Answer{Kind: negotiate.KindOffer, Outcome: p.offer(t, q.Text)}
	}
	u := p.prof.Utility(q.Text)
	p.observe(u)
	if p.accepts(q.Text, u, t) {
		p.shortfall = 0
		return negotiate.Answer{Kind: negotiate.KindAccept}
	}
	if p.giveUp(q.Text, u) {
		return negotiate.Answer{Kind: negotiate.KindWalkAway}
	}
	return negotiate.Answer{Kind: negotiate.KindOffer, Outcome: p.offer(t, q.Text)}
}

// Confide is what a profile tells the mediator at a level. The slices are
// the profile's own, to be read and never modified.
func Confide(p *utility.Profile, l negotiate.Level) *negotiate.Confided {
	c := &negotiate.Confided{Level: l}
	switch l {
	case negotiate.Full:
		c.Func, c.Reservation, c.Constraints = p.Func, p.Reservation, p.Constraints
		if a := p.Additive(); a != nil {
			c.Weights = a.Weights
		}
	case negotiate.Weights:
		if a := p.Additive(); a != nil {
			c.Weights = a.Weights
		}
	case negotiate.MustHaves:
		c.Reservation, c.Constraints = p.Reservation, p.Constraints
	}
	return c
}
