package loadgen_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/internal/loadgen"
	"github.com/shuttle-mediation/shuttle/server"
	"github.com/shuttle-mediation/shuttle/store/sqlite"
)

// serve starts a server without a rate limit on a SQLite file in a
// temporary directory.
func serve(tb testing.TB) loadgen.Config {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "shuttle.db"))
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := server.New(context.Background(), server.Config{Addr: "127.0.0.1:0", Store: st, Rate: 1e9, Burst: 1 << 30,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	go srv.Run(context.Background())
	tb.Cleanup(func() { srv.Close() })
	return loadgen.Config{URL: "http://" + srv.Addr(), Token: srv.AdminToken()}
}

// TestDrive checks that every answer the generator counts as acknowledged
// is in its case's log, from its party, and that streams deliver.
func TestDrive(t *testing.T) {
	cfg := serve(t)
	cfg.Cases = 3
	cases, err := loadgen.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	acks := map[loadgen.Ack]bool{}
	ch := make(chan loadgen.Ack, 1<<16)
	cfg.OnAck = func(a loadgen.Ack) { ch <- a }
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	ready := make(chan struct{})
	delivered := make(chan []time.Duration)
	go func() { delivered <- loadgen.Subscribe(ctx, cfg, cases, 6, ready) }()
	<-ready
	res := loadgen.Drive(ctx, cfg, cases)
	close(ch)
	for a := range ch {
		acks[a] = true
	}
	if res.Acked == 0 || res.Acked != len(acks) || res.Refused != 0 || len(res.Latencies) != res.Acked {
		t.Fatalf("acked %d (%d distinct), refused %d (%s), %d latencies", res.Acked, len(acks), res.Refused, res.Refusal, len(res.Latencies))
	}
	if lat := <-delivered; len(lat) == 0 {
		t.Error("no event reached a stream")
	}
	// Every answer is an event, and the mediator's texts ride in the
	// writes of the answers that closed their rounds.
	if a, err := loadgen.Appended(context.Background(), cfg); err != nil || a.Events < int64(res.Acked) || a.Writes == 0 || a.Writes >= a.Events {
		t.Errorf("Appended = %+v, %v after %d answers", a, err, res.Acked)
	}
}

// BenchmarkAnswers measures acknowledged answers across 100 cases at once;
// ns/op is wall time per acknowledged answer, and p99-ms its latency's 99th
// percentile.
func BenchmarkAnswers(b *testing.B) {
	cfg := serve(b)
	cfg.Cases = 100
	cases, err := loadgen.Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n atomic.Int64
	cfg.OnAck = func(loadgen.Ack) {
		if n.Add(1) >= int64(b.N) {
			cancel()
		}
	}
	b.ResetTimer()
	res := loadgen.Drive(ctx, cfg, cases)
	b.StopTimer()
	b.ReportMetric(float64(res.Quantile(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(res.Rate(), "acks/s")
}
