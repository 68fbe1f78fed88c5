package simulate

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/space"
)

// Transcript writes, one line an event, what viewer (a party's name or
// Mediator) saw of the case: everything for the mediator, a party's own
// channel and the public record for a party. Only the events Visible lets
// through are read, and lines carry no sequence numbers, whose gaps would
// tell a party how much was said to others.
func (r *Result) Transcript(w io.Writer, viewer string) error {
	if err := r.checkViewer(viewer); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s: the case as %s saw it\n", r.Scenario.Name, viewer)
	for _, e := range r.View(viewer) {
		fmt.Fprintf(bw, "%s  %s\n", clock(e.Time), r.describe(e))
	}
	return bw.Flush()
}

// clock writes a time on the case's clock as days, hours and minutes (and
// seconds when there are any) since the negotiation started.
func clock(t time.Duration) string {
	d, rest := t/(24*time.Hour), t%(24*time.Hour)
	s := fmt.Sprintf("%3dd %02d:%02d", d, rest/time.Hour, rest%time.Hour/time.Minute)
	if sec := rest % time.Minute; sec != 0 {
		s += fmt.Sprintf(":%02d", sec/time.Second)
	}
	return s
}

// describe is an event's line after the time.
func (r *Result) describe(e Event) string {
	if e.Negotiation != nil {
		return r.describeNegotiation(e.Negotiation)
	}
	return r.describeDeal(e.Deal)
}

func (r *Result) describeNegotiation(e *negotiate.Event) string {
	d := r.Scenario.Domain
	head := fmt.Sprintf("round %-3d %s", e.Round, route(e.From, []string{e.To}))
	switch e.Kind {
	case negotiate.KindStart:
		return fmt.Sprintf("round %-3d the negotiation opens under the %s protocol", e.Round, e.Note)
	case negotiate.KindAgreement:
		s := fmt.Sprintf("round %-3d agreement: %s", e.Round, d.Format(e.Outcome))
		if e.Note != "" {
			s += " (" + e.Note + ")"
		}
		return s
	case negotiate.KindFailure:
		return fmt.Sprintf("round %-3d no agreement: %s", e.Round, e.Note)
	case negotiate.KindMissed:
		return fmt.Sprintf("round %-3d %s: no answer in time", e.Round, cmpOr(e.From, e.To))
	case negotiate.KindAskConfide:
		return head + "asks what it will confide"
	case negotiate.KindConfide:
		if e.Confided == nil {
			return head + "confides nothing"
		}
		return head + "confides " + confided(e.Confided.Level)
	case negotiate.KindText, negotiate.KindProposal, negotiate.KindImprove, negotiate.KindCounter, negotiate.KindOffer, negotiate.KindAccept:
		return head + e.Kind.String() + ": " + d.Format(e.Outcome)
	case negotiate.KindObject:
		return head + "objects: " + objections(d, e.Objections)
	case negotiate.KindVote:
		vote := "no"
		if e.Yes {
			vote = "yes"
		}
		return head + "votes " + vote + " on " + d.Format(e.Outcome)
	case negotiate.KindPackages:
		ps := make([]string, len(e.Outcomes))
		for i, o := range e.Outcomes {
			ps[i] = fmt.Sprintf("[%d] %s", i+1, d.Format(o))
		}
		return head + "packages: " + strings.Join(ps, "; ")
	case negotiate.KindBid:
		if len(e.Picks) == 0 {
			return head + "accepts no package"
		}
		ps := make([]string, len(e.Picks))
		for i, p := range e.Picks {
			ps[i] = strconv.Itoa(p + 1)
		}
		return head + "accepts packages " + strings.Join(ps, ", ") + " (most preferred first)"
	case negotiate.KindWalkAway:
		return head + "walks away"
	}
	return head + e.Kind.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// route is "from → to: ", with negotiate.Everyone as everyone.
func route(from string, to []string) string {
	if from == "" {
		from = "(record)"
	}
	names := make([]string, 0, len(to))
	for _, t := range to {
		if t == negotiate.Everyone {
			t = "everyone"
		}
		names = append(names, t)
	}
	if len(names) == 0 {
		names = append(names, "everyone")
	}
	return from + " → " + strings.Join(names, ", ") + ": "
}

func confided(l negotiate.Level) string {
	switch l {
	case negotiate.Full:
		return "its whole profile"
	case negotiate.Weights:
		return "its issue weights"
	case negotiate.MustHaves:
		return "its must-haves and reservation value"
	}
	return "nothing"
}

func objections(d *space.Domain, obs []negotiate.Objection) string {
	parts := make([]string, len(obs))
	for i, o := range obs {
		is := &d.Issues[o.Issue]
		parts[i] = fmt.Sprintf("wants %s=%s (%.2f)", is.Name, is.Label(o.Want), o.Strength)
	}
	return strings.Join(parts, ", ")
}

func (r *Result) describeDeal(e *deal.Event) string {
	plan := r.Scenario.Plan
	head := fmt.Sprintf("phase %-3d %s", e.Phase, route(e.From, e.To))
	record := fmt.Sprintf("phase %-3d ", e.Phase)
	obligation := func(i int) string { return plan.Obligations[i].Kind }
	switch b := e.Body.(type) {
	case *deal.Schedule:
		if len(b.Phases) == 0 {
			return record + "implementation scheduled with no phases"
		}
		return fmt.Sprintf("%simplementation scheduled: %s of %s from %s after signing", record, count(b.Planned, "phase"),
			time.Duration(b.Phases[0].End-b.Phases[0].Start), time.Duration(b.Phases[0].Start))
	case deal.PhaseBody:
		verb := "starts"
		if e.Kind == deal.KindPhaseEnded {
			verb = "ends"
		}
		if b.Extension > 0 {
			return fmt.Sprintf("%sphase %d %s (added by extension %d)", record, e.Phase, verb, b.Extension)
		}
		return fmt.Sprintf("%sphase %d %s", record, e.Phase, verb)
	case deal.ListBody:
		if e.Kind == deal.KindListOverdue {
			return fmt.Sprintf("%sthe list of %s is overdue", record, obligation(b.Obligation))
		}
		return fmt.Sprintf("%slist of %s: %d items", head, obligation(b.Obligation), len(b.Items)) + late(b.Late)
	case deal.DeliveryBody:
		return fmt.Sprintf("%sdelivery %d: %d %s", head, b.Delivery, b.Quantity, b.Kind) + late(b.Late)
	case deal.CheckBody:
		verb := "confirms"
		if e.Kind == deal.KindDisputed {
			verb = "disputes"
		}
		s := fmt.Sprintf("%s%s delivery %d, %d counted", head, verb, b.Delivery, b.Counted)
		if b.Reason != "" {
			s += ": " + b.Reason
		}
		return s
	case deal.VerifiedBody:
		if b.Upheld {
			return fmt.Sprintf("%sdelivery %d upheld by the ruling: %d more %s count", record, b.Delivery, b.Quantity, obligation(b.Obligation))
		}
		return fmt.Sprintf("%sdelivery %d verified: %d of %d %s", record, b.Delivery, b.Quantity, b.Claimed, obligation(b.Obligation))
	case deal.OverdueBody:
		return fmt.Sprintf("%s%d %s overdue", record, b.Missing, b.Kind)
	case deal.ReportBody:
		about := ""
		if b.Subject.Phase == 0 {
			about = "the rule " + plan.Rules[b.Subject.Rule].Name
		} else {
			about = fmt.Sprintf("%s of phase %d", obligation(b.Subject.Obligation), b.Subject.Phase)
		}
		return fmt.Sprintf("%sbreach %d reported against %s over %s: %s", head, b.Breach, r.Scenario.Parties[b.Accused].Name, about, b.Evidence.Text)
	case deal.RulingBody:
		s := fmt.Sprintf("%sbreach %d ruled %s", head, b.Breach, b.Verdict)
		if e.From == "" {
			s = fmt.Sprintf("%sbreach %d ruled %s", record, b.Breach, b.Verdict)
		}
		if b.CureBy != nil {
			s += ", to be cured by " + strings.TrimSpace(clock(r.Negotiation.Time+time.Duration(*b.CureBy)))
		}
		if b.Reason != "" {
			s += ": " + b.Reason
		}
		return s
	case deal.CureBody:
		if e.Kind == deal.KindCureMissed {
			return fmt.Sprintf("%sbreach %d not cured in time", record, b.Breach)
		}
		s := fmt.Sprintf("%sbreach %d cured", head, b.Breach)
		if b.Note != "" {
			s += ": " + b.Note
		}
		return s
	case deal.ExtensionBody:
		switch e.Kind {
		case deal.KindOffered:
			return fmt.Sprintf("%soffers extension %d", head, b.Extension)
		case deal.KindAccepted:
			return fmt.Sprintf("%saccepts extension %d", head, b.Extension)
		case deal.KindDeclined:
			return fmt.Sprintf("%sdeclines extension %d", head, b.Extension)
		case deal.KindLapsed:
			return fmt.Sprintf("%sextension %d lapses unanswered", record, b.Extension)
		}
		return fmt.Sprintf("%sextension %d agreed: %s more", record, b.Extension, count(len(b.Phases), "phase"))
	case deal.ClosedBody:
		return fmt.Sprintf("%sthe implementation closes %s", record, b.State)
	}
	return head + e.Kind
}

// count is "1 phase", "2 phases".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func late(l bool) string {
	if l {
		return " (late)"
	}
	return ""
}
