// Benchserver measures the live mediation server under load on loopback:
// it serves a fresh SQLite database on disk, opens -cases cases answered by
// the load generator, holds -subscribers event streams open on them, and
// after -duration reports acknowledged answers a second, their latency and
// the streams' delivery latency, with the machine's load average.
//
// The server runs in a process of its own, as it would in use, so that
// the generator's thousand goroutines and its garbage are not the
// server's: the same binary started with -child, configured as "shuttle
// serve" is but without its per-token rate limit, which would otherwise be
// what is measured. The two processes share the machine's cores.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/exec"
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
	cpu := flag.String("cpuprofile", "", "write a CPU profile of the server's process to this file")
	child := flag.Bool("child", false, "serve, print the address and a mediator token, and stop when standard input closes (how the benchmark starts its server)")
	flag.Parse()
	log.SetFlags(0)
	if *child {
		if err := serve(os.Stdout, os.Stdin, *cpu); err != nil {
			log.Fatal("benchserver: server: ", err)
		}
		return
	}
	if err := run(os.Stdout, *cases, *subs, *dur, *rate, *cpu); err != nil {
		log.Fatal("benchserver: ", err)
	}
}

// serve runs the server on a fresh database, writing its address and a
// mediator token to out, until in ends.
func serve(out io.Writer, in io.Reader, cpuprofile string) error {
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
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
	fmt.Fprintf(out, "%s %s\n", srv.Addr(), srv.AdminToken())
	io.Copy(io.Discard, in)
	return nil
}

// start starts the server's process and returns its address and token, and
// a function that stops it.
func start(cpuprofile string) (addr, token string, stop func() error, err error) {
	exe, err := os.Executable()
	if err != nil {
		return "", "", nil, err
	}
	cmd := exec.Command(exe, "-child", "-cpuprofile", cpuprofile)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return "", "", nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", "", nil, err
	}
	stop = func() error {
		in.Close()
		return cmd.Wait()
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if len(strings.Fields(line)) != 2 {
		stop()
		return "", "", nil, fmt.Errorf("server process said %q: %v", line, err)
	}
	f := strings.Fields(line)
	return f[0], f[1], stop, nil
}

// run makes one run and reports it on w.
func run(w io.Writer, cases, subs int, dur time.Duration, rate float64, cpuprofile string) error {
	ctx := context.Background()
	addr, token, stop, err := start(cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	cfg := loadgen.Config{URL: "http://" + addr, Token: token, Cases: cases, Rate: rate}
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
	fmt.Fprintf(w, "cases %d, subscribers %d, %s on loopback, answers %s, SQLite on disk, server and generator in two processes\n", cases, subs, dur, offered)
	fmt.Fprintf(w, "answers acknowledged: %d (%.0f/s), refused %d, no response %d\n", res.Acked, res.Rate(), res.Refused, res.Failed)
	events, writes := after.Events-before.Events, after.Writes-before.Writes
	fmt.Fprintf(w, "events appended durably: %d (%.0f/s), answers and the mediator's texts, in %d writes (%.2f an answer)\n",
		events, float64(events)/res.Elapsed.Seconds(), writes, float64(writes)/float64(max(res.Acked, 1)))
	fmt.Fprintf(w, "answer latency: p50 %v, p99 %v\n", res.Quantile(0.5).Round(time.Microsecond), res.Quantile(0.99).Round(time.Microsecond))
	fmt.Fprintf(w, "stream deliveries: %d, p50 %v, p99 %v\n", len(lat), loadgen.Quantile(lat, 0.5).Round(time.Microsecond), loadgen.Quantile(lat, 0.99).Round(time.Microsecond))
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(w, "load average: %s\n", strings.Join(strings.Fields(string(la))[:3], " "))
	}
	if res.Refusal != "" {
		fmt.Fprintf(w, "first refusal: %s\n", strings.TrimSpace(res.Refusal))
	}
	return nil
}
