// Benchserver measures the live mediation server under load on loopback:
// it serves a fresh SQLite database on disk, opens -cases cases answered by
// the load generator, holds -subscribers event streams open on them, and
// after -duration reports acknowledged answers a second, their latency and
// the streams' delivery latency, with the machine's load average.
//
// The server runs in this process, configured as "shuttle serve" is but
// without its per-token rate limit, which would otherwise be what is
// measured.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/shuttle-mediation/shuttle/internal/loadgen"
	"github.com/shuttle-mediation/shuttle/server"
	"github.com/shuttle-mediation/shuttle/store/sqlite"
)

func main() {
	cases := flag.Int("cases", 100, "cases answered at once")
	subs := flag.Int("subscribers", 1000, "event streams held open")
	dur := flag.Duration("duration", 20*time.Second, "how long to drive the cases")
	rate := flag.Float64("rate", 0, "answers a second to offer across all cases; 0 for as many as the server takes")
	cpu := flag.String("cpuprofile", "", "write a CPU profile of the run (server and generator) to this file")
	flag.Parse()
	log.SetFlags(0)
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			log.Fatal("benchserver: ", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal("benchserver: ", err)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*cases, *subs, *dur, *rate); err != nil {
		pprof.StopCPUProfile()
		log.Fatal("benchserver: ", err)
	}
}

func run(cases, subs int, dur time.Duration, rate float64) error {
	dir, err := os.MkdirTemp("", "shuttle-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "shuttle.db"))
	if err != nil {
		return err
	}
	srv, err := server.New(ctx, server.Config{Addr: "127.0.0.1:0", Store: st, Rate: 1e9, Burst: 1 << 30,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		return err
	}
	defer srv.Close()
	go srv.Run(ctx)
	cfg := loadgen.Config{URL: "http://" + srv.Addr(), Token: srv.AdminToken(), Cases: cases, Rate: rate}
	open, err := loadgen.Open(ctx, cfg)
	if err != nil {
		return err
	}
	sctx, stopSubs := context.WithCancel(ctx)
	defer stopSubs()
	ready := make(chan struct{})
	delivered := make(chan []time.Duration)
	go func() { delivered <- loadgen.Subscribe(sctx, cfg, open, subs, ready) }()
	<-ready
	before, err := loadgen.Appended(ctx, cfg)
	if err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	res := loadgen.Drive(dctx, cfg, open)
	after, err := loadgen.Appended(ctx, cfg)
	if err != nil {
		return err
	}
	stopSubs()
	lat := <-delivered
	offered := "as many as taken"
	if rate > 0 {
		offered = fmt.Sprintf("%.0f/s offered", rate)
	}
	fmt.Printf("cases %d, subscribers %d, %s on loopback, answers %s, SQLite on disk, GOMAXPROCS default\n", cases, subs, dur, offered)
	fmt.Printf("answers acknowledged: %d (%.0f/s), refused %d, no response %d\n", res.Acked, res.Rate(), res.Refused, res.Failed)
	events, writes := after.Events-before.Events, after.Writes-before.Writes
	fmt.Printf("events appended durably: %d (%.0f/s), answers and the mediator's texts, in %d writes (%.2f an answer)\n",
		events, float64(events)/res.Elapsed.Seconds(), writes, float64(writes)/float64(max(res.Acked, 1)))
	fmt.Printf("answer latency: p50 %v, p99 %v\n", res.Quantile(0.5).Round(time.Microsecond), res.Quantile(0.99).Round(time.Microsecond))
	fmt.Printf("stream deliveries: %d, p50 %v, p99 %v\n", len(lat), loadgen.Quantile(lat, 0.5).Round(time.Microsecond), loadgen.Quantile(lat, 0.99).Round(time.Microsecond))
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average: %s\n", strings.Join(strings.Fields(string(la))[:3], " "))
	}
	if res.Refusal != "" {
		fmt.Printf("first refusal: %s\n", strings.TrimSpace(res.Refusal))
	}
	return nil
}
