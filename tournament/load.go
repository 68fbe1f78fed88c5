package tournament

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/formats"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/simulate"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Scenario is one table of a tournament: a case read from a scenario file
// or made from a domain folder, and the analysis of its profiles, computed
// once for all the negotiations played on it.
type Scenario struct {
	// Name is the scenario's name in rows: the shortest tail of its path
	// (without a file's extension) that no other scenario's shares.
	Name string
	Path string
	// Case holds the domain, the parties' profiles, channels and what they
	// confide, and the protocol's deadline. A domain folder becomes a case
	// as simulate.FromProfiles makes it, with the tournament's rounds.
	// Strategies and mediator are the tournament's.
	Case     *scenario.Scenario
	Profiles []*utility.Profile
	Analysis *analysis.Result

	channels []negotiate.Channel
	folder   bool
	hash     [sha256.Size]byte // of the files read
}

// source is a scenario to load: a path and the name it will have.
type source struct {
	path, name string
	found      bool // found by searching a folder rather than given
}

// sources expands the configured paths into the scenarios to load, in
// order: a folder holding GENIUS or GeniusWeb files is one scenario, a
// scenario file another, and any other folder is searched, in lexical
// order, for both.
func sources(paths []string) ([]source, error) {
	var out []source
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, &shuttle.Error{Code: shuttle.ENotFound, File: p, Message: "cannot read", Err: unwrapPath(err)}
		}
		switch {
		case !fi.IsDir():
			if !isScenarioFile(p) {
				return nil, shuttle.InFile(p, 0, "", "not a scenario file (.yaml) or a folder of GENIUS or GeniusWeb files")
			}
			out = append(out, source{path: p})
		case holdsDomain(p):
			out = append(out, source{path: p})
		default:
			n := len(out)
			err := filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() && q != p && holdsDomain(q) || !d.IsDir() && isScenarioFile(q) {
					out = append(out, source{path: q, found: true})
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("search %s: %w", p, err)
			}
			if len(out) == n {
				return nil, shuttle.InFile(p, 0, "", "holds no scenario file and no folder of GENIUS or GeniusWeb files")
			}
		}
	}
	return out, name(out)
}

// name names the sources by the shortest tails of their paths that tell
// them apart (a file without its extension): anac/y2011/Laptop and
// anac/y2013/Laptop become y2011/Laptop and y2013/Laptop, and a folder whose
// name no other source shares keeps its own.
func name(srcs []source) error {
	parts := make([][]string, len(srcs))
	for i, s := range srcs {
		abs, err := filepath.Abs(strings.TrimSuffix(s.path, filepath.Ext(s.path)))
		if err != nil {
			return fmt.Errorf("%s: %w", s.path, err)
		}
		parts[i] = strings.Split(filepath.ToSlash(abs), "/")
	}
	tail := make([]int, len(srcs))
	for i := range srcs {
		tail[i] = 1
	}
	for {
		names := map[string][]int{}
		for i, p := range parts {
			srcs[i].name = strings.Join(p[len(p)-tail[i]:], "/")
			names[srcs[i].name] = append(names[srcs[i].name], i)
		}
		clash := false
		for _, same := range names {
			if len(same) < 2 {
				continue
			}
			clash = true
			for _, i := range same {
				if tail[i] == len(parts[i]) {
					return shuttle.InFile(srcs[i].path, 0, "", "given twice")
				}
				tail[i]++
			}
		}
		if !clash {
			return nil
		}
	}
}

func isScenarioFile(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".yaml", ".yml":
		return true
	}
	return false
}

// holdsDomain reports whether dir holds GENIUS or GeniusWeb files.
func holdsDomain(dir string) bool {
	x, j := formats.Files(dir)
	return len(x)+len(j) > 0
}

// loadAll loads and analyses the sources in parallel. A source found by
// searching a folder that cannot be played (unreadable, unsupported, a
// single party, more parties than maxParties) is left out and reported in
// skipped; a source given directly is an error.
func loadAll(ctx context.Context, srcs []source, maxParties int) (scs []*Scenario, skipped []error, err error) {
	loaded := make([]*Scenario, len(srcs))
	errs := make([]error, len(srcs))
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range srcs {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(srcs)) {
		wg.Go(func() {
			for i := range next {
				loaded[i], errs[i] = load(srcs[i], maxParties)
			}
		})
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	// An analysis cannot be stopped halfway; on the end of ctx the workers
	// are left to finish theirs in the background.
	select {
	case <-finished:
	case <-ctx.Done():
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("interrupted while loading and analysing the scenarios: %w", err)
	}
	for i, s := range srcs {
		switch {
		case errs[i] == nil:
			scs = append(scs, loaded[i])
		case s.found:
			skipped = append(skipped, errs[i])
		default:
			return nil, nil, errs[i]
		}
	}
	if len(scs) == 0 {
		return nil, skipped, &shuttle.Error{Code: shuttle.EInvalid, Message: "no playable scenario among the domains given"}
	}
	return scs, skipped, nil
}

// load reads one scenario and analyses it.
func load(src source, maxParties int) (*Scenario, error) {
	sc := &Scenario{Name: src.name, Path: src.path}
	files := []string{src.path}
	if isScenarioFile(src.path) {
		c, err := scenario.Load(src.path)
		if err != nil {
			return nil, err
		}
		sc.Case = c
	} else {
		d, profiles, read, err := formats.ReadFolder(src.path)
		if err != nil {
			return nil, err
		}
		files = read
		sc.Case, sc.folder = simulate.FromProfiles(src.path, d, profiles), true
	}
	sc.Profiles = sc.Case.Profiles()
	n := len(sc.Profiles)
	if n < 2 {
		return nil, shuttle.InFile(src.path, 0, "", "%d party: a negotiation needs two or more", n)
	}
	if maxParties > 0 && n > maxParties {
		return nil, shuttle.InFile(src.path, 0, "", "%d parties, more than max_parties (%d)", n, maxParties)
	}
	for _, p := range sc.Case.Parties {
		ch := negotiate.Channel{Proxy: p.Channel.Proxy, Delay: p.Channel.Delay}
		for _, o := range p.Channel.Outages {
			ch.Outages = append(ch.Outages, negotiate.Outage{From: o.From, To: o.To})
		}
		sc.channels = append(sc.channels, ch)
	}
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, &shuttle.Error{Code: shuttle.EInvalid, File: f, Message: "cannot read", Err: unwrapPath(err)}
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.Base(f), len(data))
		h.Write(data)
	}
	h.Sum(sc.hash[:0])
	a, err := analysis.Analyze(sc.Profiles, simulate.AnalysisOptions)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.path, err)
	}
	sc.Analysis = a
	return sc, nil
}
