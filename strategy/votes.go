package strategy

import (
	"math"
	"math/rand/v2"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/space"
)

// Annealer is the "votes" mediator, after Klein et al. (2003): it learns
// from votes (and acceptances and blind picks) alone. It proposes a random
// change of the last text every party accepted or, before there is one, of
// its exploration point. The point moves to a proposal that won at least
// as many votes, and to one that won fewer with a chance that shrinks with
// the temperature, which falls linearly to zero at the deadline.
type Annealer struct {
	rand *rand.Rand
	temp float64

	d        *space.Domain
	n        int
	t        float64
	current  space.Outcome // the last text every party accepted
	point    space.Outcome
	score    float64 // share of the parties that accepted point
	proposal space.Outcome
	pk       []space.Outcome
}

// Open forgets any earlier negotiation.
func (a *Annealer) Open(b *negotiate.Brief) error {
	a.d, a.n = b.Domain, len(b.Parties)
	a.current, a.point, a.proposal, a.pk, a.score = nil, nil, nil, nil, 0
	return nil
}

// base is the outcome the next proposals vary.
func (a *Annealer) base() space.Outcome {
	if a.current != nil {
		return a.current
	}
	return a.point
}

// vary is a copy of o with one issue changed at random, and a second one
// a third of the time; a random outcome when o is nil.
func (a *Annealer) vary(o space.Outcome) space.Outcome {
	x := a.d.NewOutcome()
	if o == nil {
		a.d.Random(a.rand, x)
		return x
	}
	copy(x, o)
	for k := 0; k == 0 || k == 1 && a.rand.IntN(3) == 0; k++ {
		i := a.rand.IntN(len(x))
		if size := a.d.Issues[i].Size(); size > 1 {
			x[i] = (x[i] + 1 + a.rand.IntN(size-1)) % size
		}
	}
	return x
}

// Draft proposes one variation to everyone.
func (a *Annealer) Draft(r int, t float64, texts []space.Outcome) bool {
	a.t = t
	a.proposal = a.vary(a.base())
	for i := range texts {
		texts[i] = a.proposal
	}
	return true
}

// Packages drafts k distinct variations.
func (a *Annealer) Packages(r int, t float64, k int) []space.Outcome {
	a.t = t
	a.pk = make([]space.Outcome, 0, k)
	for m := 0; len(a.pk) < k && m < 4*k; m++ {
		if o := a.vary(a.base()); !contains(a.pk, o) {
			a.pk = append(a.pk, o)
		}
	}
	return a.pk
}

// Hear counts the votes for the proposal, or the picks of each package
// (the most picked one counting as the proposal), and anneals.
func (a *Annealer) Hear(r int, answers []negotiate.Answer) {
	yes := 0
	if a.pk != nil {
		best := -1
		counts := make([]int, len(a.pk))
		for _, ans := range answers {
			for _, j := range ans.Picks {
				counts[j]++
			}
		}
		for j, c := range counts {
			if best < 0 || c > counts[best] {
				best = j
			}
		}
		a.proposal, yes = a.pk[best], counts[best]
	} else {
		for _, ans := range answers {
			if ans.Kind == negotiate.KindAccept || ans.Kind == negotiate.KindVote && ans.Yes {
				yes++
			}
		}
	}
	score := float64(yes) / float64(a.n)
	if yes == a.n {
		a.current = a.proposal
	}
	temp := a.temp * (1 - a.t)
	if a.point == nil || score >= a.score || temp > 0 && a.rand.Float64() < math.Exp((score-a.score)/temp) {
		a.point, a.score = a.proposal, score
	}
}

// Improve can only guess: a variation of the agreement, which the votes
// will judge.
func (a *Annealer) Improve(agreed space.Outcome) space.Outcome { return a.vary(agreed) }
