package tournament

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate is a mean with its 95% confidence interval.
//
// The interval is Student's: mean ± t(0.975, N−1)·s/√N, with s the sample
// standard deviation, which is exact for normally distributed values and
// holds for other distributions as N grows; it is what small samples call
// for. It treats the values as independent, which is an approximation: in a
// tournament, negotiations on one scenario, or with one strategy on both
// sides, are related. Low and High are NaN when N < 2, and every field but N
// when N = 0. Rates (means of 0 and 1) have their interval clipped to
// [0, 1].
type Estimate struct {
	N               int
	Mean, Low, High float64
}

// moments accumulates a mean and a sum of squared deviations (Welford), in
// one pass over rows that may be more than memory holds.
type moments struct {
	n        int
	mean, m2 float64
}

// add counts x; NaN (an undefined distance) is not counted.
func (m *moments) add(x float64) {
	if math.IsNaN(x) {
		return
	}
	m.n++
	d := x - m.mean
	m.mean += d / float64(m.n)
	m.m2 += d * (x - m.mean)
}

func (m *moments) estimate(rate bool) Estimate {
	e := Estimate{N: m.n, Mean: math.NaN(), Low: math.NaN(), High: math.NaN()}
	if m.n == 0 {
		return e
	}
	e.Mean = m.mean
	if m.n < 2 {
		return e
	}
	half := tQuantile(m.n-1) * math.Sqrt(m.m2/float64(m.n-1)/float64(m.n))
	e.Low, e.High = e.Mean-half, e.Mean+half
	if rate {
		e.Low, e.High = max(e.Low, 0), min(e.High, 1)
	}
	return e
}

// tQuantile is the 0.975 quantile of Student's t distribution with df
// degrees of freedom.
func tQuantile(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// StrategyStats summarise the negotiations a strategy took part in. Each
// seat counts: a strategy playing itself contributes both of its seats.
type StrategyStats struct {
	Strategy string
	// Score is the utility the strategy obtained: of the agreement, or its
	// reservation value without one (undiscounted).
	Score Estimate
	// Agreement is the rate of its negotiations that reached agreement.
	Agreement Estimate
}

// ProtocolStats summarise the negotiations of one protocol under one
// mediator ("none" for direct negotiation).
type ProtocolStats struct {
	Protocol, Mediator string
	Agreement          Estimate
	// The distances are from the outcome (the reservation values without
	// agreement) to the Nash point and to the Pareto frontier; negotiations
	// on scenarios without a Nash point do not count towards NashDistance.
	NashDistance, FrontierDistance Estimate
	Welfare, Rounds                Estimate
}

// Summary accumulates the statistics of rows as they stream by. Groups are
// listed in the order rows first show them, which for a tournament's rows
// in job order is the order of its configuration.
type Summary struct {
	negotiations int
	strategies   []*strategyAcc
	byStrategy   map[string]*strategyAcc
	protocols    []*protocolAcc
	byProtocol   map[[2]string]*protocolAcc
}

type strategyAcc struct {
	name             string
	score, agreement moments
}

type protocolAcc struct {
	protocol, mediator                      string
	agreement, nash, frontier, welfare, rnd moments
}

// NewSummary starts an empty summary.
func NewSummary() *Summary {
	return &Summary{byStrategy: map[string]*strategyAcc{}, byProtocol: map[[2]string]*protocolAcc{}}
}

// Add counts a row.
func (s *Summary) Add(r *Row) {
	s.negotiations++
	agreed := 0.0
	if r.Agreement {
		agreed = 1
	}
	for i, name := range r.Strategies {
		a := s.byStrategy[name]
		if a == nil {
			a = &strategyAcc{name: name}
			s.byStrategy[name] = a
			s.strategies = append(s.strategies, a)
		}
		a.score.add(r.Utilities[i])
		a.agreement.add(agreed)
	}
	key := [2]string{r.Protocol, r.Mediator}
	p := s.byProtocol[key]
	if p == nil {
		p = &protocolAcc{protocol: r.Protocol, mediator: r.Mediator}
		s.byProtocol[key] = p
		s.protocols = append(s.protocols, p)
	}
	p.agreement.add(agreed)
	p.nash.add(r.NashDistance)
	p.frontier.add(r.FrontierDistance)
	p.welfare.add(r.Welfare)
	p.rnd.add(float64(r.Rounds))
}

// Negotiations is the number of rows counted.
func (s *Summary) Negotiations() int { return s.negotiations }

// Strategies are the statistics per strategy.
func (s *Summary) Strategies() []StrategyStats {
	out := make([]StrategyStats, len(s.strategies))
	for i, a := range s.strategies {
		out[i] = StrategyStats{Strategy: a.name, Score: a.score.estimate(false), Agreement: a.agreement.estimate(true)}
	}
	return out
}

// Protocols are the statistics per protocol and mediator.
func (s *Summary) Protocols() []ProtocolStats {
	out := make([]ProtocolStats, len(s.protocols))
	for i, p := range s.protocols {
		out[i] = ProtocolStats{
			Protocol: p.protocol, Mediator: p.mediator,
			Agreement:        p.agreement.estimate(true),
			NashDistance:     p.nash.estimate(false),
			FrontierDistance: p.frontier.estimate(false),
			Welfare:          p.welfare.estimate(false),
			Rounds:           p.rnd.estimate(false),
		}
	}
	return out
}
