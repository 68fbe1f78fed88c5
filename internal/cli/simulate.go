package cli

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/examples"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/simulate"
)

func newSimulate() *cobra.Command {
	var (
		opt       simulate.Options
		asJSON    bool
		svg, view string
		export    string
	)
	cmd := &cobra.Command{
		Use:   "simulate [SCENARIO]",
		Short: "Negotiate a scenario with built-in parties and implement the agreement",
		Long: `Simulate runs a scenario in virtual time: its parties, played by built-in
strategies, negotiate under the protocol with the mediator, and an agreement
is carried out by the scenario's implementation plan. Without SCENARIO it
runs the bundled 2023 truce. SCENARIO may also be a GENIUS or GeniusWeb
folder, whose parties then play the default strategy under the default
mediator. The same seed gives the same result, byte for byte.`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, f := range []struct {
				flag, value string
				allowed     []string
			}{
				{"protocol", opt.Protocol, scenario.Protocols},
				{"mediator", opt.Mediator, scenario.MediatorStrategies},
				{"target", opt.Target, scenario.Targets},
			} {
				if f.value != "" && !slices.Contains(f.allowed, f.value) {
					return &usageError{fmt.Errorf("--%s: unknown value %q (want %s)", f.flag, f.value, strings.Join(f.allowed, ", "))}
				}
			}
			if asJSON && view != "" {
				return &usageError{fmt.Errorf("--json and --view: choose one")}
			}
			sc, err := loadScenario(args)
			if err != nil {
				return err
			}
			if view != "" && view != simulate.Mediator && sc.PartyIndex(view) < 0 {
				return &usageError{fmt.Errorf("--view: no party %q in %s (want %s or a party: %s)", view, sc.Name, simulate.Mediator, strings.Join(partyNames(sc), ", "))}
			}
			res, err := simulate.Run(cmd.Context(), sc, opt)
			if err != nil {
				return err
			}
			if svg != "" {
				pic := picture{title: "Negotiation under the " + res.Protocol.String() + " protocol", paths: res.Paths()}
				if res.Agreement != nil {
					pic.agreement = res.Metrics.Utilities
				}
				if err := writeFile(svg, func(w io.Writer) error {
					return writePicture(w, sc.Profiles(), res.Analysis, pic)
				}); err != nil {
					return err
				}
			}
			if export != "" {
				keys, err := simulate.SimulationKeys(res)
				if err != nil {
					return err
				}
				if err := writeFile(export, func(w io.Writer) error { return res.Export(w, keys) }); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			switch {
			case asJSON:
				return writeJSON(out, res)
			case view != "":
				return res.Transcript(out, view)
			}
			return printSimulation(out, res)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.Protocol, "protocol", "", "protocol instead of the scenario's: "+strings.Join(scenario.Protocols, ", "))
	f.StringVar(&opt.Mediator, "mediator", "", "mediator strategy instead of the scenario's: "+strings.Join(scenario.MediatorStrategies, ", "))
	f.StringVar(&opt.Target, "target", "", "the mediator's target instead of the scenario's: "+strings.Join(scenario.Targets, ", "))
	f.Uint64Var(&opt.Seed, "seed", 1, "seed of every random draw of the run")
	f.BoolVar(&asJSON, "json", false, "machine-readable output (the contract in DESIGN.md)")
	f.StringVar(&svg, "svg", "", "draw the texts and offers over the utility plane to this SVG file")
	f.StringVar(&export, "export", "", "write the complete case record, signed with keys derived from the seed (for simulation only), to this archive")
	f.StringVar(&view, "view", "", `print the transcript as "mediator" or a party saw it`)
	return cmd
}

// maxArgs is cobra.MaximumNArgs with an error Main treats as a usage error.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MaximumNArgs(n)(cmd, args); err != nil {
			return &usageError{fmt.Errorf("%s: %w", cmd.Name(), err)}
		}
		return nil
	}
}

// loadScenario reads the scenario named in args, or the bundled truce.
func loadScenario(args []string) (*scenario.Scenario, error) {
	if len(args) == 0 {
		return scenario.Parse(examples.TruceFile, examples.Truce)
	}
	in, err := load(args[0])
	if err != nil {
		return nil, err
	}
	if in.scenario != nil {
		return in.scenario, nil
	}
	if len(in.profiles) < 2 {
		return nil, shuttle.InFile(args[0], 0, "", "a negotiation needs at least two profiles, found %d", len(in.profiles))
	}
	return simulate.FromProfiles(args[0], in.domain, in.profiles), nil
}

func partyNames(sc *scenario.Scenario) []string {
	names := make([]string, len(sc.Parties))
	for i := range sc.Parties {
		names[i] = sc.Parties[i].Name
	}
	return names
}

// printSimulation writes the readable summary of a run: the setting, the
// agreement issue by issue, its measures, and the implementation.
func printSimulation(w io.Writer, r *simulate.Result) error {
	sc := r.Scenario
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario\t%s\n", sc.Name)
	mediator := r.Mediator + " mediator"
	if r.Mediator != "votes" {
		mediator += " aiming at the " + r.Target + " point"
	}
	if r.Protocol == negotiate.AlternatingOffers && !r.PostSettlement {
		mediator = "no mediator"
	}
	fmt.Fprintf(tw, "protocol\t%s, %s, seed %d\n", r.Protocol, mediator, r.Seed)
	for i := range sc.Parties {
		fmt.Fprintf(tw, "party %d\t%s\n", i+1, describeParty(&sc.Parties[i]))
	}
	neg := r.Negotiation
	if r.Agreement != nil {
		fmt.Fprintf(tw, "result\tagreement in round %d after %s, %d messages\n", neg.Rounds, days(neg.Time), neg.Messages)
	} else {
		fmt.Fprintf(tw, "result\tno agreement (%s) after %d rounds, %s, %d messages\n", neg.Reason, neg.Rounds, days(neg.Time), neg.Messages)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	names := r.PartyNames()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\t%s\t\n", strings.Join(names, "\t"))
	if r.Agreement != nil {
		printTerms(tw, r)
	}
	row := func(label string, us []float64) {
		fmt.Fprintf(tw, "%s\t%s\t\n", label, utilities(us))
	}
	if r.Agreement != nil {
		row("utility", r.Metrics.Utilities)
	}
	row("reservation", r.Analysis.Reservation)
	if r.Analysis.Nash != nil {
		row("nash point", r.Analysis.Nash.Utilities)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "distance to the Pareto frontier %s, to the Nash point %s; welfare %.4f\n",
		distance(r.Metrics.ParetoDistance), distance(r.Metrics.NashDistance), r.Metrics.Welfare)
	if r.Implementation != nil {
		fmt.Fprintln(w)
		return printImplementation(w, r)
	}
	return nil
}

func describeParty(p *scenario.Party) string {
	s := p.Name + ": " + p.Strategy
	if len(p.Params) > 0 {
		keys := make([]string, 0, len(p.Params))
		for k := range p.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			keys[i] = fmt.Sprintf("%s=%g", k, p.Params[k])
		}
		s += " (" + strings.Join(keys, ", ") + ")"
	}
	s += ", confides " + p.Confide
	switch ch := &p.Channel; {
	case ch.Proxy != "":
		s += ", through " + ch.Proxy
	case ch.Delay > 0:
		s += ", direct"
	}
	if d := p.Channel.Delay; d > 0 {
		s += fmt.Sprintf(" (%s each way)", days(d))
	}
	if n := len(p.Channel.Outages); n > 0 {
		s += fmt.Sprintf(", out of reach %d times", n)
	}
	return s
}

// printTerms lists the agreed value of each issue and, for parties whose
// utility is additive, what that value adds to their utility.
func printTerms(tw io.Writer, r *simulate.Result) {
	d := r.Scenario.Domain
	profiles := r.Scenario.Profiles()
	for i, v := range r.Agreement {
		is := &d.Issues[i]
		terms := make([]string, len(profiles))
		for j, p := range profiles {
			terms[j] = "-"
			if a := p.Additive(); a != nil {
				terms[j] = fmt.Sprintf("%.4f", a.Term(i, v))
			}
		}
		fmt.Fprintf(tw, "%s = %s\t%s\t\n", is.Name, is.Label(v), strings.Join(terms, "\t"))
	}
}

func utilities(us []float64) string {
	s := make([]string, len(us))
	for i, u := range us {
		s[i] = fmt.Sprintf("%.4f", u)
	}
	return strings.Join(s, "\t")
}

func distance(d float64) string {
	if d != d {
		return "undefined"
	}
	return fmt.Sprintf("%.4f", d)
}

// days writes a span of virtual time in days, hours and minutes.
func days(t time.Duration) string {
	d, h, m := t/(24*time.Hour), t%(24*time.Hour)/time.Hour, t%time.Hour/time.Minute
	var s string
	if d > 0 {
		s = fmt.Sprintf("%dd", d)
	}
	if h > 0 || d == 0 && m == 0 {
		s += fmt.Sprintf("%dh", h)
	}
	if m > 0 {
		s += fmt.Sprintf("%dm", m)
	}
	return s
}

func printImplementation(w io.Writer, r *simulate.Result) error {
	rep := r.Implementation
	fmt.Fprintf(w, "implementation: %s after %d phases (%d agreed, %d run), %d of %d extensions accepted, closed %s after signing\n",
		rep.State, rep.Phases.Scheduled, rep.Phases.Planned, rep.Phases.Run, rep.Extensions.Accepted, rep.Extensions.Offered, days(time.Duration(rep.End)))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  delivery\tscheduled\tdelivered\tverified\n")
	for _, f := range rep.Deliveries {
		fmt.Fprintf(tw, "  %s → %s: %s\t%d\t%d\t%d\n", f.Party, f.To, f.Kind, f.Scheduled, f.Delivered, f.Verified)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, b := range rep.Breaches {
		fmt.Fprintf(w, "  breach %d in phase %d: %s accused %s over %s (%s)", b.ID, b.Phase, b.Reporter, b.Accused, b.About, b.Evidence.Text)
		switch {
		case b.Verdict == "":
			fmt.Fprintf(w, ", awaiting a ruling\n")
		case b.Cured != nil:
			fmt.Fprintf(w, ", ruled %s, cured %s after signing\n", b.Verdict, days(time.Duration(*b.Cured)))
		default:
			fmt.Fprintf(w, ", ruled %s: %s\n", b.Verdict, b.Reason)
		}
	}
	fmt.Fprintf(w, "  rulings: %d unfounded, %d minor, %d major\n", rep.Rulings.Unfounded, rep.Rulings.Minor, rep.Rulings.Major)
	if p := rep.PeakExposure; p.Value > 0 {
		fmt.Fprintf(w, "  peak exposure: %s %.1f%% ahead of %s, %s after signing (phase %d)\n", p.Party, 100*p.Value, p.Counterparty, days(time.Duration(p.At)), p.Phase)
	} else {
		fmt.Fprintf(w, "  peak exposure: none; no party ever delivered ahead of another\n")
	}
	if rep.State == deal.Collapsed {
		fmt.Fprintf(w, "  the agreement collapsed on a major breach\n")
	}
	return nil
}
