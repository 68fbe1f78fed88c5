package tournament

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/strategy"
)

// Play runs job j and returns its row, its time measured when withTime is
// set. The error is for a strategy that breaks the protocol or for the end
// of ctx; a negotiation that fails to agree is a row like any other.
func (t *Tournament) Play(ctx context.Context, j int, withTime bool) (*Row, error) {
	job := t.Job(j)
	var start time.Time
	if withTime {
		start = time.Now()
	}
	sc := job.Scenario
	c := sc.Case
	seats := make([]negotiate.Seat, len(sc.Profiles))
	names := make([]string, len(seats))
	for i, s := range job.Strategies {
		p, err := strategy.NewParty(strategy.PartyConfig{
			Strategy: s.kind(), Params: s.Params, Confide: cmp.Or(s.Confide, c.Parties[i].Confide), Profile: sc.Profiles[i],
			Rand: rand.New(rand.NewPCG(job.Seed, uint64(i)+1)), Cache: &t.cache,
		})
		if err != nil {
			return nil, t.jobError(&job, err)
		}
		seats[i] = negotiate.Seat{Name: c.Parties[i].Name, Party: p, Channel: sc.channels[i]}
		names[i] = s.name()
	}
	spec := negotiate.Spec{
		Domain: c.Domain, Protocol: job.Protocol, Parties: seats,
		Rounds: c.Protocol.Rounds, Deadline: c.Protocol.Deadline,
		RoundTime: cmp.Or(c.Protocol.RoundTime, scenario.DefaultRoundTime), PostSettlement: c.Protocol.PostSettlement,
	}
	mediator := noMediator
	if m := job.Mediator; m != nil {
		med, err := strategy.NewMediator(strategy.MediatorConfig{
			Strategy: m.kind(), Target: m.Target, Params: m.Params,
			Rand: rand.New(rand.NewPCG(job.Seed, 0)), Analysis: sc.Analysis, Cache: &t.cache,
		})
		if err != nil {
			return nil, t.jobError(&job, err)
		}
		spec.Mediator, mediator = med, m.name()
	}
	s, err := negotiate.NewSession(spec)
	if err != nil {
		return nil, t.jobError(&job, err)
	}
	res, err := s.Run(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, t.jobError(&job, err)
	}
	m := negotiate.Measure(res, sc.Profiles, sc.Analysis)
	r := &Row{
		Tournament: t.id, Jobs: t.Jobs(), Job: j,
		Scenario: sc.Name, Protocol: job.Protocol.String(), Mediator: mediator, Strategies: names,
		Rep: job.Rep, Seed: job.Seed,
		Agreement: m.Agreement, Reason: res.Reason, Utilities: m.Utilities,
		Welfare: m.Welfare, NashProduct: 1,
		FrontierDistance: m.ParetoDistance, NashDistance: m.NashDistance,
		Rounds: m.Rounds, Messages: m.Messages, Time: math.NaN(),
	}
	for i, p := range sc.Profiles {
		r.NashProduct *= m.Utilities[i] - p.Reservation
	}
	if withTime {
		r.Time = time.Since(start).Seconds()
	}
	return r, nil
}

// jobError says which negotiation went wrong.
func (t *Tournament) jobError(job *Job, err error) error {
	names := make([]string, len(job.Strategies))
	for i, s := range job.Strategies {
		names[i] = s.name()
	}
	med := noMediator
	if job.Mediator != nil {
		med = job.Mediator.name()
	}
	return fmt.Errorf("job %d (%s, %s, mediator %s, strategies %v, seed %d): %w", job.Index, job.Scenario.Name, job.Protocol, med, names, job.Seed, err)
}
