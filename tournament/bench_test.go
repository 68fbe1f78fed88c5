package tournament

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"
)

// BenchmarkTournament plays the fixed tournament of testdata/bench.yaml (the
// small bilateral ANAC domains of shared/domains, every built-in strategy,
// every protocol, 100 rounds) with 1 and 2 workers, writing CSV rows to
// nowhere, and reports negotiations per second.
func BenchmarkTournament(b *testing.B) {
	if sharedDomains() == "" {
		b.Skip("shared/domains is not beside the repository")
	}
	c, err := LoadConfig("testdata/bench.yaml")
	if err != nil {
		b.Fatal(err)
	}
	tr := newTournament(b, c)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			w := NewWriter(io.Discard, CSV, true, false)
			start := time.Now()
			for b.Loop() {
				if err := tr.Run(context.Background(), Options{Workers: workers, Time: true}, w.Write); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(tr.Jobs()*b.N)/time.Since(start).Seconds(), "negotiations/s")
		})
	}
}
