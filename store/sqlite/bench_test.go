package sqlite

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/store"
)

// The benchmarks append to a database on disk, with every commit flushed
// as in production. A server's load is many cases at once, each
// appending an event or a few per request; throughput is acknowledged
// events per second across all cases, and latency is from the call to
// AppendEvents to its return.

// benchEvent is an event of a realistic size: a party's answer to a
// negotiating text, with its leaf hash.
func benchEvent(caseID string, seq int64) store.Event {
	e := store.Event{
		Time: time.Duration(seq) * time.Second,
		Wall: time.Unix(1700000000, 0).Add(time.Duration(seq) * time.Second),
		Kind: "text.answered",
		From: "A",
		To:   []string{"mediator"},
		Body: fmt.Appendf(nil, `{"answer":"object","case":%q,"issues":["price","delivery","warranty"],"note":"%s","round":%d}`,
			caseID, "we cannot accept the delivery terms as they stand; a shorter schedule would work for us", seq),
	}
	e.Leaf = sha256.Sum256(e.Body)
	return e
}

func openBench(b *testing.B, cases int) (store.Store, []string) {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ids := make([]string, cases)
	for i := range ids {
		ids[i] = fmt.Sprintf("case-%d", i)
		if err := s.CreateCase(ctx, store.Case{ID: ids[i], Created: time.Unix(int64(i), 0)}); err != nil {
			b.Fatal(err)
		}
	}
	return s, ids
}

// BenchmarkAppend appends from one goroutine per case, each as fast as
// its appends are acknowledged: an op is one AppendEvents of a batch.
func BenchmarkAppend(b *testing.B) {
	for _, cases := range []int{1, 10, 100} {
		for _, batch := range []int{1, 10} {
			b.Run(fmt.Sprintf("cases=%d/batch=%d", cases, batch), func(b *testing.B) {
				benchAppend(b, cases, batch)
			})
		}
	}
}

// BenchmarkAppendUngrouped is BenchmarkAppend for single events with one
// commit per append, to show what group commit buys.
func BenchmarkAppendUngrouped(b *testing.B) {
	defer func(g int) { maxGroup = g }(maxGroup)
	maxGroup = 1
	for _, cases := range []int{1, 100} {
		b.Run(fmt.Sprintf("cases=%d/batch=1", cases), func(b *testing.B) {
			benchAppend(b, cases, 1)
		})
	}
}

func benchAppend(b *testing.B, cases, batch int) {
	ctx := context.Background()
	s, ids := openBench(b, cases)
	var left atomic.Int64
	left.Store(int64(b.N))
	lat := make([][]time.Duration, cases)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for i, id := range ids {
		wg.Go(func() {
			next := int64(1)
			events := make([]store.Event, batch)
			for left.Add(-1) >= 0 {
				for j := range events {
					events[j] = benchEvent(id, next+int64(j))
				}
				t0 := time.Now()
				if err := s.AppendEvents(ctx, id, next, "", events); err != nil {
					b.Error(err)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
				next += int64(batch)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N*batch)/elapsed.Seconds(), "events/s")
	reportLatency(b, slices.Concat(lat...))
}

// BenchmarkServerLoad offers the server's target load, 5,000 single-event
// appends a second spread evenly over 100 cases, and reports the latency
// of each append and the rate achieved. An op is one append.
func BenchmarkServerLoad(b *testing.B) {
	const cases, rate = 100, 5000
	ctx := context.Background()
	s, ids := openBench(b, cases)
	perCase := (b.N + cases - 1) / cases
	interval := time.Second * cases / rate
	lat := make([][]time.Duration, cases)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for i, id := range ids {
		wg.Go(func() {
			// Each case appends on its own schedule, offset from the
			// others', and falls behind rather than catching up in a
			// burst if an append is slow.
			tick := time.NewTicker(interval)
			defer tick.Stop()
			time.Sleep(interval * time.Duration(i) / cases)
			for seq := int64(1); seq <= int64(perCase); seq++ {
				t0 := time.Now()
				if err := s.AppendEvents(ctx, id, seq, "", []store.Event{benchEvent(id, seq)}); err != nil {
					b.Error(err)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
				<-tick.C
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(perCase*cases)/elapsed.Seconds(), "events/s")
	reportLatency(b, slices.Concat(lat...))
}

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}
