package cli

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/simulate"
	"github.com/shuttle-mediation/shuttle/strategy"
)

// arm is one way of negotiating that compare measures.
type arm struct {
	protocol, mediator, confide string
}

func (a arm) String() string {
	if a.mediator == "" {
		return a.protocol + " (direct)"
	}
	s := a.protocol + ", " + a.mediator + " mediator"
	if a.confide == "none" {
		s += ", nothing confided"
	}
	return s
}

// compareArms are the protocols compared: the mediated caucus with and
// without confidences, the classic single text on votes, blind bidding,
// and the direct baseline.
var compareArms = []arm{
	{"shuttle", "confided", "full"},
	{"shuttle", "objections", "none"},
	{"single-text", "votes", "full"},
	{"blind-bidding", "confided", "full"},
	{"alternating-offers", "", "full"},
}

// comparePairings are the time-based parties that meet in every arm.
var comparePairings = [][2]string{{"boulware", "conceder"}, {"linear", "linear"}}

// Markers of the comparison in README.md.
const (
	compareStart = "<!-- compare:start -->"
	compareEnd   = "<!-- compare:end -->"
)

func newCompare() *cobra.Command {
	var (
		domains string
		seeds   int
		jobs    int
		readme  string
	)
	cmd := &cobra.Command{
		Use:    "compare",
		Short:  "Compare mediated and direct negotiation on every bilateral domain of a folder tree",
		Hidden: true,
		Long: `Compare finds every GENIUS and GeniusWeb domain under --domains whose first
two profiles are additive, and negotiates between them under each protocol,
with Boulware meeting Conceder and Linear meeting Linear, over --seeds seeds.
It prints a markdown table of agreement rate, mean distance to the Pareto
frontier and to the Nash point, and mean rounds per protocol, and with
--readme writes it between the compare markers of that file. scripts/compare
runs it on ../shared/domains.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if seeds < 1 || jobs < 1 {
				return &usageError{fmt.Errorf("--seeds and --jobs must be at least 1")}
			}
			cases, skipped, err := findCases(domains)
			if err != nil {
				return err
			}
			tallies, err := compareRuns(cmd, cases, seeds, jobs)
			if err != nil {
				return err
			}
			var table bytes.Buffer
			writeComparison(&table, tallies, len(cases), skipped, seeds)
			if readme != "" {
				if err := spliceReadme(readme, table.String()); err != nil {
					return err
				}
			}
			_, err = cmd.OutOrStdout().Write(table.Bytes())
			return err
		},
	}
	cmd.Flags().StringVar(&domains, "domains", "../shared/domains", "folder tree holding the GENIUS and GeniusWeb domains")
	cmd.Flags().IntVar(&seeds, "seeds", 3, "seeds per domain, pairing and protocol")
	cmd.Flags().IntVar(&jobs, "jobs", runtime.GOMAXPROCS(0), "negotiations run at once")
	cmd.Flags().StringVar(&readme, "readme", "", "write the table between the compare markers of this file")
	return cmd
}

// compareCase is one domain with the analysis of its first two profiles.
type compareCase struct {
	dir      string
	sc       *scenario.Scenario
	analysis *analysis.Result
}

// findCases loads every folder under root that holds domain files and
// keeps those whose first two profiles are additive. skipped counts the
// folders that could not be read or do not qualify.
func findCases(root string) (cases []compareCase, skipped int, err error) {
	var dirs []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			if ext := strings.ToLower(filepath.Ext(path)); (ext == ".xml" || ext == ".json") && !slices.Contains(dirs, filepath.Dir(path)) {
				dirs = append(dirs, filepath.Dir(path))
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("compare: %w", err)
	}
	for _, dir := range dirs {
		in, err := loadFolder(dir)
		if err != nil || len(in.profiles) < 2 || in.profiles[0].Additive() == nil || in.profiles[1].Additive() == nil {
			skipped++
			continue
		}
		a, err := analysis.Analyze(in.profiles[:2], simulate.AnalysisOptions)
		if err != nil {
			skipped++
			continue
		}
		rel, _ := filepath.Rel(root, dir)
		cases = append(cases, compareCase{dir: rel, sc: simulate.FromProfiles(dir, in.domain, in.profiles[:2]), analysis: a})
	}
	if len(cases) == 0 {
		return nil, skipped, &shuttle.Error{Code: shuttle.ENotFound, File: root, Message: "no folder here holds two additive profiles"}
	}
	return cases, skipped, nil
}

// tally sums the measures of one arm's runs.
type tally struct {
	runs, agreements   int
	pareto, nash       stat
	nashAgreed, rounds stat
}

// stat is a running mean of the defined values.
type stat struct {
	sum float64
	n   int
}

func (s *stat) add(x float64) {
	if !math.IsNaN(x) {
		s.sum += x
		s.n++
	}
}

// mean is NaN without values.
func (s stat) mean() float64 { return s.sum / float64(s.n) }

func (s stat) String() string { return s.format(3) }

// format writes the mean with prec decimals, n/a without values.
func (s stat) format(prec int) string {
	if s.n == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", prec, s.mean())
}

// compareRuns negotiates every case under every arm, pairing and seed, jobs
// at a time, and sums the results per arm. The sums do not depend on the
// order the runs finish in, since each run's measures are kept in its own
// slot and added up in order.
func compareRuns(cmd *cobra.Command, cases []compareCase, seeds, jobs int) ([]tally, error) {
	type job struct{ c, a, p, seed int }
	var work []job
	for c := range cases {
		for a := range compareArms {
			for p := range comparePairings {
				for s := range seeds {
					work = append(work, job{c, a, p, s + 1})
				}
			}
		}
	}
	metrics := make([]negotiate.Metrics, len(work))
	errs := make([]error, len(work))
	var (
		cache strategy.Cache
		wg    sync.WaitGroup
		next  = make(chan int)
	)
	for range jobs {
		wg.Go(func() {
			for i := range next {
				w := work[i]
				c, a := &cases[w.c], compareArms[w.a]
				sc := *c.sc
				sc.Parties = slices.Clone(sc.Parties)
				for k := range sc.Parties {
					sc.Parties[k].Strategy = comparePairings[w.p][k]
					sc.Parties[k].Confide = a.confide
				}
				r, err := simulate.Run(cmd.Context(), &sc, simulate.Options{
					Protocol: a.protocol, Mediator: a.mediator,
					Seed: uint64(w.seed), Analysis: c.analysis, Cache: &cache,
				})
				if errs[i] = err; err == nil {
					metrics[i] = r.Metrics
				}
			}
		})
	}
	for i := range work {
		next <- i
	}
	close(next)
	wg.Wait()
	tallies := make([]tally, len(compareArms))
	for i, m := range metrics {
		if errs[i] != nil {
			return nil, fmt.Errorf("compare %s: %w", cases[work[i].c].dir, errs[i])
		}
		t := &tallies[work[i].a]
		t.runs++
		if m.Agreement {
			t.agreements++
			t.nashAgreed.add(m.NashDistance)
		}
		t.pareto.add(m.ParetoDistance)
		t.nash.add(m.NashDistance)
		t.rounds.add(float64(m.Rounds))
	}
	return tallies, nil
}

func writeComparison(w io.Writer, tallies []tally, cases, skipped, seeds int) {
	fmt.Fprintf(w, "| protocol | runs | agreement rate | distance to Pareto | distance to Nash | distance to Nash, agreements | rounds |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|\n")
	for i, t := range tallies {
		fmt.Fprintf(w, "| %s | %d | %.1f%% | %s | %s | %s | %s |\n", compareArms[i], t.runs,
			100*t.rate(), t.pareto, t.nash, t.nashAgreed, t.rounds.format(1))
	}
	pairings := make([]string, len(comparePairings))
	for i, p := range comparePairings {
		pairings[i] = p[0] + " vs " + p[1]
	}
	fmt.Fprintf(w, "\n%d domains (%d folders skipped: unreadable, fewer than two profiles, or not additive), %s, seeds 1 to %d, 100 rounds. "+
		"Distances are Euclidean in utility space, means over the runs where they are defined (a run without agreement counts at the reservation values; "+
		"the Nash point is undefined when no outcome is worth its reservation value to both).\n",
		cases, skipped, strings.Join(pairings, " and "), seeds)
	mediated, direct := tallies[0], tallies[len(tallies)-1]
	verdict := "meets"
	if mediated.rate() < direct.rate() || mediated.nash.mean() >= direct.nash.mean() {
		verdict = "does not meet"
	}
	fmt.Fprintf(w, "\nTarget: %s agrees at least as often as direct alternating offers and lands closer to the Nash point. It %s it here: %.1f%% against %.1f%% agreements, mean distance to Nash %s against %s.\n",
		compareArms[0], verdict, 100*mediated.rate(), 100*direct.rate(), mediated.nash, direct.nash)
}

func (t *tally) rate() float64 { return float64(t.agreements) / float64(t.runs) }

// spliceReadme replaces what lies between the compare markers of path.
func spliceReadme(path, table string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	s := string(data)
	i, j := strings.Index(s, compareStart), strings.Index(s, compareEnd)
	if i < 0 || j < i {
		return fmt.Errorf("compare: %s lacks the markers %s and %s", path, compareStart, compareEnd)
	}
	s = s[:i+len(compareStart)] + "\n" + table + s[j:]
	return writeFile(path, func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	})
}
