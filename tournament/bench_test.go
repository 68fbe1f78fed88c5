//go:build unix

package tournament

import (
	"context"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/internal/testenv"
)

// BenchmarkTournament plays the fixed tournament of testdata/bench.yaml (the
// small bilateral ANAC domains of shared/domains, every built-in strategy,
// every protocol, 100 rounds) with 1 and 2 workers, writing CSV rows to
// nowhere. It reports negotiations per second of wall time and the CPU time
// the process spent per negotiation (all threads, the collector's
// included), which a machine busy with other work inflates less.
func BenchmarkTournament(b *testing.B) {
	testenv.SharedDomains(b)
	c, err := LoadConfig("testdata/bench.yaml")
	if err != nil {
		b.Fatal(err)
	}
	tr := newTournament(b, c)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			w := NewWriter(io.Discard, CSV, true, false)
			start, cpu := time.Now(), cpuTime(b)
			for b.Loop() {
				if err := tr.Run(context.Background(), Options{Workers: workers, Time: true}, w.Write); err != nil {
					b.Fatal(err)
				}
			}
			n := float64(tr.Jobs() * b.N)
			b.ReportMetric(n/time.Since(start).Seconds(), "negotiations/s")
			b.ReportMetric(float64((cpuTime(b)-cpu).Microseconds())/n, "cpu-µs/negotiation")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
