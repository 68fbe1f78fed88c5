package cli

import (
	"fmt"
	"io"
	"math/big"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/simulate"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

func newAnalyze() *cobra.Command {
	var (
		asJSON bool
		svg    string
		seed   uint64
		all    bool
	)
	cmd := &cobra.Command{
		Use:   "analyze PATH",
		Short: "Pareto frontier and bargaining points of a domain's profiles",
		Long: `Analyze reads a GENIUS domain folder (domain XML and profile XMLs), a
GeniusWeb folder or profile, or a scenario file, and computes the Pareto
frontier and the Nash, Kalai-Smorodinsky, egalitarian and maximum-welfare
points. Additive profiles are analysed exactly at any size; nonlinear ones
by enumeration when small and by search otherwise ("exact": false).`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := load(args[0])
			if err != nil {
				return err
			}
			res, err := analysis.Analyze(in.profiles, analysis.Options{Seed: seed})
			if err != nil {
				return fmt.Errorf("analyze %s: %w", args[0], err)
			}
			if svg != "" {
				if err := writeFile(svg, func(w io.Writer) error {
					return writePicture(w, in.profiles, res, picture{title: "Utility space"})
				}); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, analysisJSON(res))
			}
			if err := printAnalysis(out, res, all); err != nil {
				return err
			}
			printNotes(out, in.profiles)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output (the contract in DESIGN.md)")
	cmd.Flags().StringVar(&svg, "svg", "", "draw the utility plane (each pair of parties) to this SVG file")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the search on spaces too large to enumerate")
	cmd.Flags().BoolVar(&all, "all", false, "list every frontier point, not only the first 20")
	return cmd
}

// exactArgs is cobra.ExactArgs with an error Main treats as a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return &usageError{fmt.Errorf("%s: %w", cmd.Name(), err)}
		}
		return nil
	}
}

type pointJSON struct {
	Outcome   map[string]any `json:"outcome"`
	Utilities []float64      `json:"utilities"`
	Ties      uint64         `json:"ties"`
}

type analysisOut struct {
	Domain      string      `json:"domain"`
	Issues      int         `json:"issues"`
	Outcomes    *big.Int    `json:"outcomes"`
	Parties     []string    `json:"parties"`
	Reservation []float64   `json:"reservation"`
	Exact       bool        `json:"exact"`
	Pareto      []pointJSON `json:"pareto"`
	Nash        *pointJSON  `json:"nash"`
	Kalai       *pointJSON  `json:"kalai"`
	Egalitarian *pointJSON  `json:"egalitarian"`
	MaxWelfare  *pointJSON  `json:"max_welfare"`
}

func analysisJSON(r *analysis.Result) analysisOut {
	out := analysisOut{
		Domain:      r.Domain.Name,
		Issues:      len(r.Domain.Issues),
		Outcomes:    r.Outcomes,
		Parties:     r.Parties,
		Reservation: r.Reservation,
		Exact:       r.Exact,
		Pareto:      make([]pointJSON, len(r.Frontier)),
		Nash:        pointOut(r.Domain, r.Nash),
		Kalai:       pointOut(r.Domain, r.Kalai),
		Egalitarian: pointOut(r.Domain, r.Egalitarian),
		MaxWelfare:  pointOut(r.Domain, r.MaxWelfare),
	}
	for i := range r.Frontier {
		out.Pareto[i] = *pointOut(r.Domain, &r.Frontier[i])
	}
	return out
}

func pointOut(d *space.Domain, p *analysis.Point) *pointJSON {
	if p == nil {
		return nil
	}
	return &pointJSON{Outcome: simulate.OutcomeJSON(d, p.Outcome), Utilities: p.Utilities, Ties: p.Ties}
}

const frontierListed = 20

func printAnalysis(w io.Writer, r *analysis.Result, all bool) error {
	d := r.Domain
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "domain\t%s\n", d.Name)
	sizes := make([]string, len(d.Issues))
	for i := range d.Issues {
		sizes[i] = fmt.Sprintf("%s (%s, %d)", d.Issues[i].Name, d.Issues[i].Kind, d.Issues[i].Size())
	}
	fmt.Fprintf(tw, "issues\t%d: %s\n", len(d.Issues), strings.Join(sizes, ", "))
	exact := "exact"
	if !r.Exact {
		exact = "approximate: search, not proof"
	}
	fmt.Fprintf(tw, "outcomes\t%s\n", r.Outcomes.String())
	fmt.Fprintf(tw, "analysis\t%s\n", exact)
	for i, p := range r.Parties {
		fmt.Fprintf(tw, "party %d\t%s (reservation %.4f)\n", i+1, p, r.Reservation[i])
	}
	fmt.Fprintf(tw, "frontier\t%d distinct utility vectors\n", len(r.Frontier))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "point\t%s\tties\toutcome\n", strings.Join(r.Parties, "\t"))
	row := func(name string, p *analysis.Point) {
		if p == nil {
			fmt.Fprintf(tw, "%s\t%s\t\tnone: no outcome gives every party its reservation value\n", name, strings.Repeat("-\t", len(r.Parties)-1)+"-")
			return
		}
		us := make([]string, len(p.Utilities))
		for i, u := range p.Utilities {
			us[i] = fmt.Sprintf("%.4f", u)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", name, strings.Join(us, "\t"), p.Ties, d.Format(p.Outcome))
	}
	row("nash", r.Nash)
	row("kalai", r.Kalai)
	row("egalitarian", r.Egalitarian)
	row("max welfare", r.MaxWelfare)
	n := len(r.Frontier)
	if !all && n > frontierListed {
		n = frontierListed
	}
	for i := 0; i < n; i++ {
		row(fmt.Sprintf("pareto %d", i+1), &r.Frontier[i])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n < len(r.Frontier) {
		fmt.Fprintf(w, "... %d more frontier points (--all or --json lists them)\n", len(r.Frontier)-n)
	}
	for _, note := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	return nil
}

// printNotes shows what the readers decided on the parties' behalf.
func printNotes(w io.Writer, profiles []*utility.Profile) {
	for _, p := range profiles {
		for _, n := range p.Notes {
			fmt.Fprintf(w, "note: %s: %s\n", p.Name, n)
		}
	}
}
