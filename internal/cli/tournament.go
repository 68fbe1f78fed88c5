package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/shuttle-mediation/shuttle/plot"
	"github.com/shuttle-mediation/shuttle/tournament"
)

func newTournament() *cobra.Command {
	var (
		config                          string
		flags                           tournament.Config
		protocols, mediators, selection []string
		shard                           string
		opt                             tournament.Options
		resume, asJSON, noTime          bool
		svg, out                        string
	)
	cmd := &cobra.Command{
		Use:   "tournament [--config FILE] [--domains PATH...] [flags] --out FILE",
		Short: "Play every strategy against every other on many domains, in parallel",
		Long: `Tournament plays every party strategy against every other (and itself) in
every role, on every domain, under every protocol and mediator, --reps times,
on all cores. PATHs (after --domains, or as arguments) are scenario files,
GENIUS or GeniusWeb domain folders, or folders searched for both, such as
../shared/domains; folders found by searching that cannot be played are
skipped with a note. A YAML --config file can describe all of it, with
strategies and mediators under names of their own and their parameters;
flags override it.

It writes one row per negotiation to --out (CSV, or JSON lines when the name
ends in .jsonl), in a fixed order, and prints a summary per strategy and per
protocol: means with 95% Student-t confidence intervals. Each negotiation's
seed derives from --seed and its index, so the rows are the same whatever
--jobs and however the tournament is split with --shard i/n (merge the
shards' files with "shuttle tournament merge"). Only the time column (wall
time, in seconds) differs between runs; --no-time leaves it out. Ctrl-C
stops cleanly, keeping the finished rows; --resume continues from them.

--svg FILE draws three bar charts beside FILE: FILE-strategies.svg (score
and agreement rate per strategy), FILE-agreement.svg and FILE-nash.svg
(agreement rate and distance to the Nash point per protocol).`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return &usageError{fmt.Errorf("tournament: --out FILE is required")}
			}
			set := cmd.Flags().Changed
			flags.Domains = append(flags.Domains, args...)
			if set("protocols") {
				flags.Protocols = protocols
			}
			// Flags are checked on their own, so that their faults are
			// not blamed on a line of the file.
			if err := flags.Validate(); err != nil {
				return &usageError{err}
			}
			cfg := &flags
			if config != "" {
				c, err := tournament.LoadConfig(config)
				if err != nil {
					return err
				}
				cfg = override(c, &flags, set, len(args) > 0)
			}
			if set("strategies") {
				if err := cfg.SelectStrategies(selection); err != nil {
					return &usageError{fmt.Errorf("--strategies: %w", err)}
				}
			}
			if set("mediators") {
				if err := cfg.SelectMediators(mediators); err != nil {
					return &usageError{fmt.Errorf("--mediators: %w", err)}
				}
			}
			if shard != "" {
				s, err := tournament.ParseShard(shard)
				if err != nil {
					return &usageError{err}
				}
				opt.Shard = s
			}
			opt.Time = !noTime
			return runTournament(cmd, cfg, opt, out, resume, svg, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVar(&config, "config", "", "YAML file describing the tournament (flags override it)")
	f.StringSliceVar(&flags.Domains, "domains", nil, "scenario files, domain folders or folders to search")
	f.StringSliceVar(&protocols, "protocols", nil, "protocols (default all: shuttle, single-text, alternating-offers, blind-bidding)")
	f.StringSliceVar(&mediators, "mediators", nil, "mediator strategies or names from --config (default confided)")
	f.StringSliceVar(&selection, "strategies", nil, "party strategies or names from --config (default every built-in one)")
	f.IntVar(&flags.Reps, "reps", tournament.DefaultReps, "times each pairing is played")
	f.Uint64Var(&flags.Seed, "seed", 0, "tournament seed")
	f.IntVar(&flags.Rounds, "rounds", tournament.DefaultRounds, "deadline in rounds on domain folders (scenarios keep theirs)")
	f.IntVar(&flags.MaxParties, "max-parties", 0, "skip domains with more parties (0: no limit)")
	f.IntVar(&opt.Workers, "jobs", 0, "negotiations played at once (default: the number of cores)")
	f.StringVar(&shard, "shard", "", "play shard i/n only: the jobs j with j mod n = i-1")
	f.BoolVar(&resume, "resume", false, "continue the interrupted run in --out")
	f.BoolVar(&noTime, "no-time", false, "leave out the time column, the only one that differs between runs")
	f.StringVar(&svg, "svg", "", "draw bar charts to FILE-strategies.svg, FILE-agreement.svg and FILE-nash.svg")
	f.StringVar(&out, "out", "", "rows file: CSV, or JSON lines when it ends in .jsonl")
	f.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	cmd.AddCommand(newTournamentMerge())
	return cmd
}

// override puts the values of the flags that were set (and the PATH
// arguments) in place of the file's.
func override(file, flags *tournament.Config, set func(string) bool, paths bool) *tournament.Config {
	if set("domains") || paths {
		file.Domains = flags.Domains
	}
	if set("protocols") {
		file.Protocols = flags.Protocols
	}
	if set("reps") {
		file.Reps = flags.Reps
	}
	if set("seed") {
		file.Seed = flags.Seed
	}
	if set("rounds") {
		file.Rounds = flags.Rounds
	}
	if set("max-parties") {
		file.MaxParties = flags.MaxParties
	}
	return file
}

func runTournament(cmd *cobra.Command, cfg *tournament.Config, opt tournament.Options, out string, resume bool, svg string, asJSON bool) error {
	stderr := cmd.ErrOrStderr()
	t, err := tournament.New(cmd.Context(), cfg)
	if err != nil {
		return err
	}
	for _, e := range t.Skipped() {
		fmt.Fprintf(stderr, "skipped %s\n", oneLine(e))
	}
	total := t.Jobs()
	what := fmt.Sprintf("%d negotiations on %d scenarios", total, len(t.Scenarios()))
	if opt.Shard.Count > 0 {
		what = fmt.Sprintf("shard %s: %d of the %d negotiations on %d scenarios", opt.Shard, opt.Shard.Size(total), total, len(t.Scenarios()))
	}
	fmt.Fprintf(stderr, "tournament %s: %s\n", t.ID(), what)
	p := newProgress(stderr)
	opt.Progress = p.update
	sum, err := t.RunFile(cmd.Context(), out, resume, opt)
	p.finish(err == nil)
	if err != nil {
		return err
	}
	return report(cmd.OutOrStdout(), sum, svg, asJSON)
}

func newTournamentMerge() *cobra.Command {
	var (
		out, svg string
		asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "merge --out FILE SHARD...",
		Short: "Join the rows files of a tournament's shards",
		Long: `Merge joins the rows files that "shuttle tournament --shard i/n" wrote into
the file a run of the whole tournament on one machine would have written
(time column aside), and prints its summary. It refuses files of different
tournaments, a job missing or present twice, and rows out of order.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &usageError{fmt.Errorf("merge: name the shards' files")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return &usageError{fmt.Errorf("merge: --out FILE is required")}
			}
			sum, err := tournament.Merge(out, args)
			if err != nil {
				return err
			}
			return report(cmd.OutOrStdout(), sum, svg, asJSON)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "merged rows file: CSV, or JSON lines when it ends in .jsonl")
	cmd.Flags().StringVar(&svg, "svg", "", "draw bar charts to FILE-strategies.svg, FILE-agreement.svg and FILE-nash.svg")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return cmd
}

// report prints the summary and draws its charts.
func report(w io.Writer, sum *tournament.Summary, svg string, asJSON bool) error {
	if svg != "" {
		if err := writeCharts(svg, sum); err != nil {
			return err
		}
	}
	if asJSON {
		return writeJSON(w, summaryJSON(sum))
	}
	return printSummary(w, sum)
}

// progress shows how a tournament advances on stderr: a bar with rate and
// time left on a terminal, otherwise a plain line every few seconds and one
// at the end.
type progress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	start time.Time
	last  time.Time
	first int // rows done before this run (resumed)
	done  int
	total int
}

// plainEvery is how often a plain progress line is written.
const plainEvery = 5 * time.Second

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now(), first: -1}
	p.last = p.start
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(0,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("tournament"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("negotiations"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionFullWidth(),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

func (p *progress) update(done, total int) {
	if p.first < 0 {
		p.first, p.total = done-1, total
		if p.bar != nil {
			p.bar.ChangeMax(total - p.first)
		}
	}
	p.done = done
	if p.bar != nil {
		p.bar.Set(done - p.first)
		return
	}
	if now := time.Now(); now.Sub(p.last) >= plainEvery {
		p.last = now
		rate := p.rate(now)
		left := time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second)
		fmt.Fprintf(p.w, "tournament: %d of %d negotiations (%.0f%%), %.0f/s, %s left\n", done, total, 100*float64(done)/float64(total), rate, left)
	}
}

func (p *progress) rate(now time.Time) float64 {
	return float64(p.done-p.first) / now.Sub(p.start).Seconds()
}

// finish ends the bar and says how fast the run went, or, when a run that
// succeeded played nothing, that nothing was left.
func (p *progress) finish(ok bool) {
	if p.bar != nil {
		p.bar.Finish()
	}
	if p.first < 0 {
		if ok {
			fmt.Fprintln(p.w, "tournament: no negotiation left to play")
		}
		return
	}
	now := time.Now()
	fmt.Fprintf(p.w, "tournament: %d negotiations in %s, %.0f/s\n", p.done-p.first, now.Sub(p.start).Round(time.Millisecond), p.rate(now))
}

func printSummary(w io.Writer, sum *tournament.Summary) error {
	fmt.Fprintf(w, "%d negotiations; means with 95%% confidence intervals (Student t)\n\n", sum.Negotiations())
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "strategy\tseats\tscore\tagreement rate")
	for _, s := range sum.Strategies() {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", s.Strategy, s.Score.N, estimate(s.Score), estimate(s.Agreement))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "protocol\tmediator\tnegotiations\tagreement rate\tdistance to Nash\tdistance to frontier\twelfare\trounds")
	for _, p := range sum.Protocols() {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", p.Protocol, p.Mediator, p.Agreement.N,
			estimate(p.Agreement), estimate(p.NashDistance), estimate(p.FrontierDistance), estimate(p.Welfare), estimate(p.Rounds))
	}
	return tw.Flush()
}

// estimate prints a mean and its interval, "-" for what is undefined.
func estimate(e tournament.Estimate) string {
	switch {
	case e.N == 0:
		return "-"
	case e.N == 1:
		return fmt.Sprintf("%.3f", e.Mean)
	}
	return fmt.Sprintf("%.3f [%.3f, %.3f]", e.Mean, e.Low, e.High)
}

type estimateJSON struct {
	N    int      `json:"n"`
	Mean *float64 `json:"mean"`
	Low  *float64 `json:"low"`
	High *float64 `json:"high"`
}

func estimateOut(e tournament.Estimate) estimateJSON {
	num := func(x float64) *float64 {
		if math.IsNaN(x) {
			return nil
		}
		return &x
	}
	return estimateJSON{N: e.N, Mean: num(e.Mean), Low: num(e.Low), High: num(e.High)}
}

type strategyJSON struct {
	Strategy  string       `json:"strategy"`
	Score     estimateJSON `json:"score"`
	Agreement estimateJSON `json:"agreement"`
}

type protocolJSON struct {
	Protocol         string       `json:"protocol"`
	Mediator         string       `json:"mediator"`
	Agreement        estimateJSON `json:"agreement"`
	NashDistance     estimateJSON `json:"nash_distance"`
	FrontierDistance estimateJSON `json:"frontier_distance"`
	Welfare          estimateJSON `json:"welfare"`
	Rounds           estimateJSON `json:"rounds"`
}

type summaryOut struct {
	Negotiations int            `json:"negotiations"`
	Strategies   []strategyJSON `json:"strategies"`
	Protocols    []protocolJSON `json:"protocols"`
}

func summaryJSON(sum *tournament.Summary) summaryOut {
	out := summaryOut{Negotiations: sum.Negotiations(), Strategies: []strategyJSON{}, Protocols: []protocolJSON{}}
	for _, s := range sum.Strategies() {
		out.Strategies = append(out.Strategies, strategyJSON{s.Strategy, estimateOut(s.Score), estimateOut(s.Agreement)})
	}
	for _, p := range sum.Protocols() {
		out.Protocols = append(out.Protocols, protocolJSON{p.Protocol, p.Mediator,
			estimateOut(p.Agreement), estimateOut(p.NashDistance), estimateOut(p.FrontierDistance), estimateOut(p.Welfare), estimateOut(p.Rounds)})
	}
	return out
}

// writeCharts draws the summary beside path: path without its extension,
// then -strategies.svg, -agreement.svg and -nash.svg.
func writeCharts(path string, sum *tournament.Summary) error {
	base := strings.TrimSuffix(path, filepath.Ext(path))
	strategies := plot.Bars{
		Title: "Score and agreement rate per strategy", Subtitle: fmt.Sprintf("%d negotiations, 95%% confidence intervals", sum.Negotiations()),
		XLabel: "strategy", YLabel: "utility obtained / rate", YMin: 0, YMax: 1,
		Series: []plot.BarSeries{{Label: "score"}, {Label: "agreement rate"}},
	}
	for _, s := range sum.Strategies() {
		strategies.Categories = append(strategies.Categories, s.Strategy)
		strategies.Series[0].Values = append(strategies.Series[0].Values, bar(s.Score))
		strategies.Series[1].Values = append(strategies.Series[1].Values, bar(s.Agreement))
	}
	agreement := plot.Bars{
		Title: "Agreement rate per protocol", Subtitle: "95% confidence intervals",
		XLabel: "protocol (mediator)", YLabel: "agreement rate", YMin: 0, YMax: 1,
		Series: []plot.BarSeries{{Label: "agreement rate"}},
	}
	nash := plot.Bars{
		Title: "Distance to the Nash point per protocol", Subtitle: "95% confidence intervals",
		XLabel: "protocol (mediator)", YLabel: "distance in utility space",
		Series: []plot.BarSeries{{Label: "distance to Nash"}},
	}
	for _, p := range sum.Protocols() {
		name := p.Protocol
		if p.Mediator != "none" {
			name += " (" + p.Mediator + ")"
		}
		agreement.Categories = append(agreement.Categories, name)
		agreement.Series[0].Values = append(agreement.Series[0].Values, bar(p.Agreement))
		nash.Categories = append(nash.Categories, name)
		nash.Series[0].Values = append(nash.Series[0].Values, bar(p.NashDistance))
	}
	for _, c := range []struct {
		suffix string
		chart  *plot.Bars
	}{{"-strategies.svg", &strategies}, {"-agreement.svg", &agreement}, {"-nash.svg", &nash}} {
		if err := writeFile(base+c.suffix, c.chart.WriteSVG); err != nil {
			return err
		}
	}
	return nil
}

// bar is an estimate as a chart draws it: without an interval when there
// is none, missing when there is no mean.
func bar(e tournament.Estimate) plot.Estimate {
	switch {
	case e.N == 0:
		return plot.Estimate{Missing: true}
	case e.N == 1:
		return plot.Estimate{Mean: e.Mean, Low: e.Mean, High: e.Mean}
	}
	return plot.Estimate{Mean: e.Mean, Low: e.Low, High: e.High}
}
