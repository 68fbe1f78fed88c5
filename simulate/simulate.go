package simulate

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/strategy"
)

// Options adjust one run of a scenario.
type Options struct {
	// Protocol, Mediator and Target replace the scenario's protocol,
	// mediator strategy and the mediator's target; "" keeps the
	// scenario's. The scenario's mediator parameters belong to its own
	// strategy and are dropped when Mediator names another.
	Protocol, Mediator, Target string
	// PostSettlement, when not nil, replaces the scenario's setting.
	PostSettlement *bool
	// Seed fixes every random draw of the run.
	Seed uint64
	// Analysis is the analysis of the scenario's profiles, for callers that
	// run one scenario many times; nil means Run computes it.
	Analysis *analysis.Result
	// Cache shares the parties' search tables between runs; it may be nil.
	Cache *strategy.Cache
}

// AnalysisOptions are the options Run analyses a scenario's profiles with,
// for callers that compute Options.Analysis themselves. The fixed seed
// makes the metrics of runs with different seeds comparable on spaces that
// can only be searched.
var AnalysisOptions = analysis.Options{Seed: 1}

// Result is a simulated case: the negotiation, its measures and, after an
// agreement on a scenario with a plan, the implementation.
type Result struct {
	Scenario *scenario.Scenario
	Seed     uint64
	// Protocol, Mediator and Target are the settings the run used.
	Protocol         negotiate.Protocol
	Mediator, Target string
	PostSettlement   bool
	Analysis         *analysis.Result
	Negotiation      *negotiate.Result
	// Agreement is the agreed outcome, nil without agreement.
	Agreement space.Outcome
	// Metrics measure the negotiation against Analysis.
	Metrics negotiate.Metrics
	// Implementation sums up the implementation; nil when there was no
	// agreement or the scenario has no plan.
	Implementation *deal.Report
	// Events are every event of the case in order: the negotiation's, then
	// the implementation's.
	Events []Event
}

// Event is one event of a case: a step of the negotiation or of the
// implementation, exactly one of which is set.
type Event struct {
	// Time is on the case's clock: since the negotiation started.
	Time        time.Duration
	Negotiation *negotiate.Event
	Deal        *deal.Event
}

// Mediator names the mediator in events; parties may not take it.
const Mediator = negotiate.MediatorName

// Stream ids of the random sources: one per party (its index) and these,
// so that no draw of one participant shifts another's.
const mediatorStream = 0x6d65646961746f72 // "mediator"

// Run simulates sc with opt. Faults of the scenario that only the
// strategies can find (a parameter a strategy does not take, a value out of
// its range) are errors at their line in the scenario file.
func Run(ctx context.Context, sc *scenario.Scenario, opt Options) (*Result, error) {
	r := &Result{
		Scenario:       sc,
		Seed:           opt.Seed,
		Mediator:       cmp.Or(opt.Mediator, sc.Mediator.Strategy, strategy.Mediators[0]),
		Target:         cmp.Or(opt.Target, sc.Mediator.Target, strategy.Targets[0]),
		PostSettlement: sc.Protocol.PostSettlement,
		Analysis:       opt.Analysis,
	}
	if opt.PostSettlement != nil {
		r.PostSettlement = *opt.PostSettlement
	}
	var err error
	if r.Protocol, err = negotiate.ParseProtocol(cmp.Or(opt.Protocol, sc.Protocol.Name, scenario.Protocols[0])); err != nil {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, Field: "protocol", Err: err}
	}
	if !slices.Contains(strategy.Mediators, r.Mediator) {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, Field: "mediator", Message: fmt.Sprintf("unknown strategy %q (want %s)", r.Mediator, strings.Join(strategy.Mediators, ", "))}
	}
	if !slices.Contains(strategy.Targets, r.Target) {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, Field: "target", Message: fmt.Sprintf("unknown target %q (want %s)", r.Target, strings.Join(strategy.Targets, ", "))}
	}
	profiles := sc.Profiles()
	if r.Analysis == nil {
		if r.Analysis, err = analysis.Analyze(profiles, AnalysisOptions); err != nil {
			return nil, fmt.Errorf("simulate %s: %w", sc.File, err)
		}
	}
	spec, err := r.spec(sc, opt)
	if err != nil {
		return nil, err
	}
	var log negotiate.Log
	spec.Record = log.Record
	s, err := negotiate.NewSession(spec)
	if err != nil {
		return nil, fmt.Errorf("simulate %s: %w", sc.File, err)
	}
	if r.Negotiation, err = s.Run(ctx); err != nil {
		return nil, fmt.Errorf("simulate %s: %w", sc.File, err)
	}
	r.Agreement = r.Negotiation.Agreement
	r.Metrics = negotiate.Measure(r.Negotiation, profiles, r.Analysis)
	r.Events = make([]Event, 0, len(log.Events))
	for i := range log.Events {
		r.Events = append(r.Events, Event{Time: log.Events[i].Time, Negotiation: &log.Events[i]})
	}
	if r.Agreement == nil || sc.Plan == nil {
		return r, nil
	}
	rep, evs, err := deal.Simulate(sc, r.Agreement, deal.NewRand(opt.Seed))
	if err != nil {
		return nil, fmt.Errorf("simulate %s: implementation: %w", sc.File, err)
	}
	r.Implementation = rep
	for i := range evs {
		r.Events = append(r.Events, Event{Time: r.Negotiation.Time + time.Duration(evs[i].At), Deal: &evs[i]})
	}
	return r, nil
}

// spec seats the parties and the mediator.
func (r *Result) spec(sc *scenario.Scenario, opt Options) (negotiate.Spec, error) {
	spec := negotiate.Spec{
		Domain:         sc.Domain,
		Protocol:       r.Protocol,
		Parties:        make([]negotiate.Seat, len(sc.Parties)),
		Rounds:         sc.Protocol.Rounds,
		Deadline:       sc.Protocol.Deadline,
		RoundTime:      cmp.Or(sc.Protocol.RoundTime, scenario.DefaultRoundTime),
		PostSettlement: r.PostSettlement,
		// A party out of reach holds the talks up, as it did in the shuttle
		// diplomacy the protocol is named after; the deadline still ends
		// them.
		Absence: negotiate.Wait,
		Clock:   &negotiate.VirtualClock{},
	}
	for i := range sc.Parties {
		p := &sc.Parties[i]
		path := "parties[" + strconv.Itoa(i) + "]"
		if err := checkParams(sc, path, p.Strategy, p.Params); err != nil {
			return spec, err
		}
		party, err := strategy.NewParty(strategy.PartyConfig{
			Strategy: p.Strategy,
			Params:   p.Params,
			Confide:  p.Confide,
			Profile:  p.Profile,
			Rand:     rand.New(rand.NewPCG(opt.Seed, uint64(i))),
			Cache:    opt.Cache,
		})
		if err != nil {
			return spec, sc.Errorf(paramsPath(path, p.Params), "%v", err)
		}
		ch := negotiate.Channel{Proxy: p.Channel.Proxy, Delay: p.Channel.Delay}
		for _, o := range p.Channel.Outages {
			ch.Outages = append(ch.Outages, negotiate.Outage{From: o.From, To: o.To})
		}
		spec.Parties[i] = negotiate.Seat{Name: p.Name, Party: party, Channel: ch}
	}
	if r.Protocol == negotiate.AlternatingOffers && !r.PostSettlement {
		return spec, nil
	}
	var params map[string]float64
	if r.Mediator == cmp.Or(sc.Mediator.Strategy, strategy.Mediators[0]) {
		params = sc.Mediator.Params
	}
	med, err := strategy.NewMediator(strategy.MediatorConfig{
		Strategy: r.Mediator,
		Target:   r.Target,
		Params:   params,
		Rand:     rand.New(rand.NewPCG(opt.Seed, mediatorStream)),
		Analysis: r.Analysis,
	})
	if err != nil {
		return spec, sc.Errorf(paramsPath("mediator", params), "%v", err)
	}
	spec.Mediator = med
	return spec, nil
}

// checkParams reports the first parameter the party strategy does not take,
// at its own line.
func checkParams(sc *scenario.Scenario, path, name string, params map[string]float64) error {
	name = cmp.Or(name, strategy.Parties[0])
	known, err := strategy.ParamNames(name)
	if err != nil {
		return sc.Errorf(path+".strategy", "%v", err)
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(sc.Line(join(path+".params", a)), sc.Line(join(path+".params", b))), strings.Compare(a, b))
	})
	for _, k := range keys {
		if !slices.Contains(known, k) {
			takes := "no parameters"
			if len(known) > 0 {
				takes = strings.Join(known, ", ")
			}
			return sc.Errorf(join(path+".params", k), "strategy %s has no parameter %q (it takes %s)", name, k, takes)
		}
	}
	return nil
}

// paramsPath is where a strategy's refusal of its settings is reported:
// the parameters when there are any, else the strategy.
func paramsPath(path string, params map[string]float64) string {
	if len(params) > 0 {
		return path + ".params"
	}
	return path + ".strategy"
}

// plainKey matches the mapping keys scenario paths write without quotes.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// join extends a scenario path with a mapping key as package scenario
// writes it, so that Scenario.Line finds it.
func join(path, key string) string {
	if !plainKey.MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	return path + "." + key
}

// PartyNames lists the parties in order.
func (r *Result) PartyNames() []string {
	names := make([]string, len(r.Scenario.Parties))
	for i := range r.Scenario.Parties {
		names[i] = r.Scenario.Parties[i].Name
	}
	return names
}
