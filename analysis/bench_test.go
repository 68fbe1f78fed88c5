package analysis

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/shuttle-mediation/shuttle/utility"
)

// synthetic builds parties additive profiles over issues issues of values
// values each, with weights and evaluations drawn from a fixed seed. When
// opposed, every party after the first evaluates each issue as the first
// party does, reversed (1 − e): what one gains the other loses, which makes
// frontiers far larger than independent draws do.
func synthetic(parties, issues, values int, opposed bool) []*utility.Profile {
	r := rand.New(rand.NewPCG(uint64(parties), uint64(issues*values)))
	d := domain(make([]int, issues)...)
	for i := range d.Issues {
		d.Issues[i].Values = d.Issues[i].Values[:0]
		for v := range values {
			d.Issues[i].Values = append(d.Issues[i].Values, fmt.Sprint(v))
		}
	}
	var first [][]float64
	profiles := make([]*utility.Profile, parties)
	for j := range profiles {
		a := &utility.Additive{}
		total := 0.0
		for i := range issues {
			w := r.Float64()
			a.Weights = append(a.Weights, w)
			total += w
			ev := make([]float64, values)
			for v := range ev {
				ev[v] = r.Float64()
				if opposed && j > 0 {
					ev[v] = 1 - first[i][v]
				}
			}
			a.Evals = append(a.Evals, ev)
		}
		for i := range a.Weights {
			a.Weights[i] /= total
		}
		if j == 0 {
			first = a.Evals
		}
		profiles[j] = &utility.Profile{Name: fmt.Sprint("p", j+1), Domain: d, Func: a, Discount: 1}
	}
	return profiles
}

// benchAnalyze times Analyze (frontier, Nash and the other points) and
// reports the frontier's size.
func benchAnalyze(b *testing.B, profiles []*utility.Profile) {
	b.ReportAllocs()
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Analyze(profiles, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(res.Frontier)), "points")
}

// BenchmarkSynthetic analyses additive domains of 10^6 to 10^12 outcomes:
// ten values per issue, two parties (and three for 10^6), independent
// random tables or opposed ones.
func BenchmarkSynthetic(b *testing.B) {
	for _, c := range []struct {
		parties, issues int
		opposed         bool
	}{
		{2, 6, false}, {2, 7, false}, {2, 8, false}, {2, 9, false}, {2, 12, false},
		{3, 6, false},
		{2, 6, true}, {2, 12, true}, {3, 6, true},
	} {
		kind := "random"
		if c.opposed {
			kind = "opposed"
		}
		b.Run(fmt.Sprintf("%dparties/1e%d/%s", c.parties, c.issues, kind), func(b *testing.B) {
			benchAnalyze(b, synthetic(c.parties, c.issues, 10, c.opposed))
		})
	}
}

// BenchmarkShared analyses the largest additive domains of shared/domains
// (first two profiles).
func BenchmarkShared(b *testing.B) {
	root := sharedDomains(b)
	if root == "" {
		b.Skip("no shared/domains beside the module")
	}
	for _, dir := range []string{"anac/y2011/Energy", "anac/y2010/Travel", "anac/y2015/group9-killer_robot", "other/AMPOvsCity", "genius-templates/7issues", "geniusweb-python-tests/7issues"} {
		b.Run(dir, func(b *testing.B) {
			_, profiles, err := readFolder(filepath.Join(root, dir))
			if err != nil {
				b.Fatal(err)
			}
			benchAnalyze(b, profiles[:min(2, len(profiles))])
		})
	}
}

// BenchmarkNonlinear analyses ANAC 2014 domains: a ten-issue one settled
// exactly by pruned enumeration, and a thirty-issue one searched.
func BenchmarkNonlinear(b *testing.B) {
	root := sharedDomains(b)
	if root == "" {
		b.Skip("no shared/domains beside the module")
	}
	for _, dir := range []string{"anac/y2014/10issues", "anac/y2014/30issues"} {
		b.Run(dir, func(b *testing.B) {
			_, profiles, err := readFolder(filepath.Join(root, dir))
			if err != nil {
				b.Fatal(err)
			}
			benchAnalyze(b, profiles)
		})
	}
}
