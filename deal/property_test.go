package deal_test

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/scenario"
)

// TestActionsProperty applies random action sequences, valid and not, to
// the exchange fixture: actions never panic, a refused one leaves the log
// alone, and after every step the events satisfy the invariants checked by
// checkLog, exposure included against an exact oracle.
func TestActionsProperty(t *testing.T) {
	sc := load(t, "exchange")
	rapid.Check(t, func(rt *rapid.T) {
		labels := exchange(rapid.IntRange(0, 20).Draw(rt, "goods"), rapid.IntRange(1, 3).Draw(rt, "ratio"), rapid.IntRange(1, 3).Draw(rt, "days"))
		s, err := deal.NewSchedule(sc, agree(rt, sc, labels))
		if err != nil {
			rt.Fatal(err)
		}
		m, _ := deal.New(s)
		for range rapid.IntRange(1, 80).Draw(rt, "steps") {
			a := drawAction(rt, m)
			n := len(m.Log())
			evs, err := m.Do(a)
			if err != nil {
				if c := shuttle.ErrorCode(err); c != shuttle.EInvalid && c != shuttle.EConflict {
					rt.Fatalf("%#v: code %s: %v", a, c, err)
				}
				if len(m.Log()) != n {
					rt.Fatalf("%#v was refused (%v) but logged events", a, err)
				}
				continue
			}
			if len(m.Log()) != n+len(evs) {
				rt.Fatalf("%#v returned %d events, logged %d", a, len(evs), len(m.Log())-n)
			}
			checkLog(rt, sc, m.Log(), m.Report())
		}
	})
}

// drawAction draws an action, half the time one that may well fit the
// state (drawPlausible), else one with arbitrary arguments.
func drawAction(rt *rapid.T, m *deal.Implementation) deal.Action {
	if rapid.Bool().Draw(rt, "plausible") {
		if a := drawPlausible(rt, m); a != nil {
			return a
		}
	}
	s := m.Schedule()
	deliveries := len(deliveryEvents(m))
	breaches := len(m.Breaches())
	actor := rapid.SampledFrom([]deal.Actor{partyA, partyB, ver, med, deal.Party(2), deal.Verifier(1), {}}).Draw(rt, "actor")
	phase := rapid.IntRange(0, len(s.Phases)+1).Draw(rt, "phase")
	ob := rapid.IntRange(-1, 2).Draw(rt, "obligation")
	switch rapid.IntRange(0, 9).Draw(rt, "kind") {
	case 0:
		return deal.Advance{To: m.Now() + time.Duration(rapid.IntRange(-1, 40).Draw(rt, "hours"))*time.Hour}
	case 1:
		return deal.SubmitList{By: actor, Phase: phase, List: rapid.IntRange(-1, 1).Draw(rt, "list"),
			Items: rapid.SliceOfN(rapid.SampledFrom([]string{"a", "b", "", "d\ne"}), 0, 3).Draw(rt, "items")}
	case 2:
		return deal.Deliver{By: actor, Phase: phase, Obligation: ob, Quantity: rapid.IntRange(-1, 12).Draw(rt, "quantity")}
	case 3:
		return deal.Confirm{By: actor, Delivery: rapid.IntRange(0, deliveries+1).Draw(rt, "delivery")}
	case 4:
		return deal.Dispute{By: actor, Delivery: rapid.IntRange(0, deliveries+1).Draw(rt, "delivery"),
			Counted: rapid.IntRange(-1, 10).Draw(rt, "counted"), Reason: rapid.SampledFrom([]string{"short", ""}).Draw(rt, "reason")}
	case 5:
		subject := deal.Subject{Phase: phase, Obligation: ob}
		if rapid.Bool().Draw(rt, "rule") {
			subject = deal.Subject{Rule: rapid.IntRange(-1, 1).Draw(rt, "rule index")}
		}
		at := m.Now() - time.Duration(rapid.IntRange(-1, 30).Draw(rt, "ago"))*time.Hour
		return deal.ReportBreach{By: actor, Accused: rapid.IntRange(-1, 2).Draw(rt, "accused"), Subject: subject,
			Evidence: deal.Evidence{Text: rapid.SampledFrom([]string{"seen", ""}).Draw(rt, "evidence"), At: deal.Duration(at)}}
	case 6:
		return deal.Rule{By: actor, Breach: rapid.IntRange(0, breaches+1).Draw(rt, "breach"),
			Verdict: rapid.SampledFrom([]deal.Verdict{deal.Unfounded, deal.Minor, deal.Major, "lenient"}).Draw(rt, "verdict"),
			CureBy:  m.Now() + time.Duration(rapid.IntRange(-1, 10).Draw(rt, "cure hours"))*time.Hour}
	case 7:
		return deal.Cure{By: actor, Breach: rapid.IntRange(0, breaches+1).Draw(rt, "breach")}
	case 8:
		return deal.OfferExtension{By: actor}
	}
	return deal.AnswerExtension{By: actor, Accept: rapid.Bool().Draw(rt, "accept")}
}

// drawPlausible draws an action by the right participant on something that
// exists, or nil if there is nothing of the drawn kind.
func drawPlausible(rt *rapid.T, m *deal.Implementation) deal.Action {
	phs := m.Schedule().Phases
	ph := phs[rapid.IntRange(0, len(phs)-1).Draw(rt, "phase index")]
	switch rapid.IntRange(0, 7).Draw(rt, "plausible kind") {
	case 0:
		return deal.Advance{To: m.Now() + time.Duration(rapid.IntRange(0, 8).Draw(rt, "hours"))*time.Hour}
	case 1:
		if len(ph.Lists) == 0 {
			return nil
		}
		l := ph.Lists[0]
		return deal.SubmitList{By: deal.Party(l.Party), Phase: ph.Number, List: l.Index, Items: []string{"a", "b"}}
	case 2:
		if len(ph.Obligations) == 0 {
			return nil
		}
		o := rapid.SampledFrom(ph.Obligations).Draw(rt, "owed")
		return deal.Deliver{By: deal.Party(o.Party), Phase: ph.Number, Obligation: o.Index, Quantity: rapid.IntRange(1, o.Quantity).Draw(rt, "quantity")}
	case 3:
		ds := deliveryEvents(m)
		if len(ds) == 0 {
			return nil
		}
		i := rapid.IntRange(0, len(ds)-1).Draw(rt, "delivery")
		e := ds[i]
		d := e.Body.(deal.DeliveryBody)
		o := phs[e.Phase-1].Obligations[slices.IndexFunc(phs[e.Phase-1].Obligations, func(o deal.Obligation) bool { return o.Index == d.Obligation })]
		by := rapid.SampledFrom(o.Verifiers).Draw(rt, "verifier")
		if rapid.Bool().Draw(rt, "confirm") {
			return deal.Confirm{By: by, Delivery: d.Delivery}
		}
		return deal.Dispute{By: by, Delivery: d.Delivery, Counted: rapid.IntRange(0, d.Quantity-1).Draw(rt, "counted"), Reason: "short"}
	case 4:
		if rapid.Bool().Draw(rt, "foul") {
			accused := rapid.IntRange(0, 1).Draw(rt, "accused")
			at := deal.Duration(rapid.Int64Range(0, int64(m.Now())).Draw(rt, "at"))
			return deal.ReportBreach{By: deal.Party(1 - accused), Accused: accused, Subject: deal.Subject{Rule: 0}, Evidence: deal.Evidence{Text: "noise", At: at}}
		}
		if len(ph.Obligations) == 0 {
			return nil
		}
		o := rapid.SampledFrom(ph.Obligations).Draw(rt, "reported")
		return deal.ReportBreach{By: deal.Party(o.To), Accused: o.Party, Subject: deal.Subject{Phase: ph.Number, Obligation: o.Index},
			Evidence: deal.Evidence{Text: "missing", At: deal.Duration(m.Now())}}
	case 5:
		bs := m.Breaches()
		if len(bs) == 0 {
			return nil
		}
		id := rapid.IntRange(1, len(bs)).Draw(rt, "breach")
		if rapid.Bool().Draw(rt, "cure") {
			return deal.Cure{By: deal.Party(slices.Index(m.Schedule().Parties, bs[id-1].Accused)), Breach: id}
		}
		if r, err := m.Recommend(id); err == nil && rapid.Bool().Draw(rt, "recommended") {
			return r
		}
		return deal.Rule{By: med, Breach: id, Verdict: rapid.SampledFrom([]deal.Verdict{deal.Unfounded, deal.Minor, deal.Major}).Draw(rt, "verdict")}
	case 6:
		return deal.OfferExtension{By: med}
	}
	return deal.AnswerExtension{By: deal.Party(rapid.IntRange(0, 1).Draw(rt, "party")), Accept: rapid.Float64Range(0, 1).Draw(rt, "p") < 0.8}
}

func deliveryEvents(m *deal.Implementation) []deal.Event {
	var ds []deal.Event
	for _, e := range m.Log() {
		if e.Kind == deal.KindDelivered {
			ds = append(ds, e)
		}
	}
	return ds
}

// checkLog checks a log and the report of its implementation:
//   - times never decrease, and nothing follows the closing event;
//   - a collapse follows a major ruling;
//   - the report's per-obligation totals equal the sums of the delivery,
//     verification and scheduling events, and its totals by kind the sums
//     of its flows;
//   - every event's exposure equals the exact exposure recomputed from the
//     events before it, and is never negative; the peak is their maximum.
func checkLog(t tb, sc *scenario.Scenario, log []deal.Event, r *deal.Report) {
	t.Helper()
	obs := sc.Plan.Obligations
	scheduled := make([]int64, len(obs))
	verified := make([]int64, len(obs))
	delivered := make([]int, len(obs))
	addPhases := func(phs []deal.Phase) {
		for _, ph := range phs {
			for _, o := range ph.Obligations {
				scheduled[o.Index] += int64(o.Quantity)
			}
		}
	}
	var last deal.Duration
	var peak float64
	major := false
	for i, e := range log {
		if e.At < last {
			t.Fatalf("event %d at %v after one at %v", i, e.At, last)
		}
		last = e.At
		switch b := e.Body.(type) {
		case *deal.Schedule:
			addPhases(b.Phases)
		case deal.ExtensionBody:
			addPhases(b.Phases)
		case deal.DeliveryBody:
			delivered[b.Obligation] += b.Quantity
		case deal.VerifiedBody:
			verified[b.Obligation] += int64(b.Quantity)
		case deal.RulingBody:
			major = major || b.Verdict == deal.Major
		case deal.ClosedBody:
			if i != len(log)-1 {
				t.Fatalf("event %d follows the closing", i+1)
			}
			if (b.State == deal.Collapsed) != major {
				t.Fatalf("closed %s, after a major ruling: %v", b.State, major)
			}
		}
		want := oracleExposure(sc, scheduled, verified)
		if fmt.Sprint(e.Exposure) != fmt.Sprint(want) {
			t.Fatalf("event %d (%s): exposure %v, want %v", i, e.Kind, e.Exposure, want)
		}
		for _, x := range e.Exposure {
			peak = max(peak, x.Value)
		}
	}
	if r.PeakExposure.Value != peak {
		t.Fatalf("peak exposure %v, want %v", r.PeakExposure, peak)
	}
	kinds := map[string]deal.Total{}
	for o, f := range r.Deliveries {
		if int64(f.Scheduled) != scheduled[o] || f.Delivered != delivered[o] || int64(f.Verified) != verified[o] {
			t.Fatalf("obligation %d: report %+v; events: %d scheduled, %d delivered, %d verified", o, f, scheduled[o], delivered[o], verified[o])
		}
		if f.Verified > f.Scheduled || f.Verified > f.Delivered {
			t.Fatalf("obligation %d: more verified than scheduled or delivered: %+v", o, f)
		}
		k := kinds[f.Kind]
		k.Kind, k.Scheduled, k.Delivered, k.Verified = f.Kind, k.Scheduled+f.Scheduled, k.Delivered+f.Delivered, k.Verified+f.Verified
		kinds[f.Kind] = k
	}
	if len(r.Totals) != len(kinds) {
		t.Fatalf("totals %+v, want one per kind of %+v", r.Totals, kinds)
	}
	for _, tot := range r.Totals {
		if tot != kinds[tot.Kind] {
			t.Fatalf("total %+v, want %+v", tot, kinds[tot.Kind])
		}
	}
}

// oracleExposure computes exposures exactly, with rationals, from the
// definition in the package documentation.
func oracleExposure(sc *scenario.Scenario, scheduled, verified []int64) []deal.Exposure {
	progress := make([]*big.Rat, len(sc.Parties))
	for p := range sc.Parties {
		sum, n := new(big.Rat), int64(0)
		for o, ob := range sc.Plan.Obligations {
			if ob.Party == p && scheduled[o] > 0 {
				sum.Add(sum, big.NewRat(verified[o], scheduled[o]))
				n++
			}
		}
		if n > 0 {
			progress[p] = sum.Quo(sum, big.NewRat(n, 1))
		}
	}
	var ex []deal.Exposure
	for a := range progress {
		for b := a + 1; b < len(progress); b++ {
			if progress[a] == nil || progress[b] == nil {
				continue
			}
			d, _ := new(big.Rat).Sub(progress[a], progress[b]).Float64()
			d = math.Round(d*1e12) / 1e12
			switch {
			case d > 0:
				ex = append(ex, deal.Exposure{Party: sc.Parties[a].Name, Counterparty: sc.Parties[b].Name, Value: d})
			case d < 0:
				ex = append(ex, deal.Exposure{Party: sc.Parties[b].Name, Counterparty: sc.Parties[a].Name, Value: -d})
			}
		}
	}
	return ex
}
