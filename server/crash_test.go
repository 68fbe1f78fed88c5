package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/internal/loadgen"
	"github.com/shuttle-mediation/shuttle/store/sqlite"
)

// crashEnv switches the test binary into a server process: its value is
// "db addr", and TestCrashServerProcess serves there until it is killed.
const crashEnv = "SHUTTLE_CRASH_SERVER"

// TestCrashServerProcess is the server process of TestCrash, not a test of
// its own: it prints "addr token key" and serves until killed.
func TestCrashServerProcess(t *testing.T) {
	arg := os.Getenv(crashEnv)
	if arg == "" {
		t.Skip("the server process of TestCrash; runs only when TestCrash starts it")
	}
	db, addr, _ := strings.Cut(arg, " ")
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(context.Background(), Config{Addr: addr, Store: st, Rate: 1e6, Burst: 1e6,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s %s %s\n", srv.Addr(), srv.AdminToken(), srv.InstallationKey())
	t.Fatal(srv.Run(context.Background()))
}

// crashServer is a server process started by TestCrash.
type crashServer struct {
	cmd              *exec.Cmd
	addr, token, key string
}

// crashLog collects the server processes' standard error. A killed process
// never exits with the race detector's status, so its reports are looked
// for here.
type crashLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *crashLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *crashLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startCrashServer(t *testing.T, db, addr string, stderr *crashLog) *crashServer {
	t.Helper()
	for try := 0; ; try++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashServerProcess$", "-test.v=false")
		cmd.Env = append(os.Environ(), crashEnv+"="+db+" "+addr)
		cmd.Stderr = stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			// The port of a killed server may take a moment to be free.
			cmd.Wait()
			if try < 20 {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			t.Fatalf("server process did not start: %v", err)
		}
		go io.Copy(io.Discard, out)
		f := strings.Fields(line)
		s := &crashServer{cmd: cmd, addr: f[0], key: f[len(f)-1]}
		if len(f) == 3 {
			s.token = f[1]
		}
		return s
	}
}

func (s *crashServer) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	s.cmd.Wait()
}

// TestCrash appends events from a load generator on loopback while the
// server is killed with SIGKILL and restarted several times; afterwards
// every acknowledged event is in its case's log and every case's archive
// verifies against the installation key.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	db := filepath.Join(t.TempDir(), "shuttle.db")
	stderr := &crashLog{}
	defer func() {
		if log := stderr.String(); strings.Contains(log, "DATA RACE") || strings.Contains(log, "panic") {
			t.Errorf("a server process failed:\n%s", log)
		}
	}()
	srv := startCrashServer(t, db, "127.0.0.1:0", stderr)
	defer func() { srv.kill(t) }()
	addr, token, key := srv.addr, srv.token, srv.key
	cfg := loadgen.Config{URL: "http://" + addr, Token: token, Cases: 8, Timeout: 2 * time.Second}
	cases, err := loadgen.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var acks []loadgen.Ack
	cfg.OnAck = func(a loadgen.Ack) {
		mu.Lock()
		acks = append(acks, a)
		mu.Unlock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *loadgen.Result)
	go func() { done <- loadgen.Drive(ctx, cfg, cases) }()

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	kills := 3 + rng.IntN(3)
	for range kills {
		time.Sleep(time.Duration(300+rng.IntN(900)) * time.Millisecond)
		srv.kill(t)
		srv = startCrashServer(t, db, addr, stderr)
		if srv.key != key {
			t.Fatalf("installation key changed across a restart: %s, then %s", key, srv.key)
		}
	}
	time.Sleep(500 * time.Millisecond)
	cancel()
	res := <-done
	t.Logf("%d kills; %d answers acknowledged, %d refused (first: %s), %d got no response", kills, res.Acked, res.Refused, res.Refusal, res.Failed)
	if len(acks) == 0 {
		t.Fatal("no answer was acknowledged")
	}

	srv.kill(t)
	srv = startCrashServer(t, db, addr, stderr)
	ts := &testServer{t: t, url: "http://" + srv.addr, admin: token}
	byCase := map[string][]loadgen.Ack{}
	for _, a := range acks {
		byCase[a.Case] = append(byCase[a.Case], a)
	}
	for _, c := range cases {
		lc := &liveCaseT{ts: ts, id: c.ID, tokens: map[string]string{"mediator": token}}
		evs := lc.events("mediator")
		for _, a := range byCase[c.ID] {
			if a.Seq < 1 || a.Seq > int64(len(evs)) {
				t.Errorf("case %s: acknowledged event %d of %s is not in the log of %d events", c.ID, a.Seq, a.Party, len(evs))
				continue
			}
			if e := evs[a.Seq-1]; e.Seq != a.Seq || e.From != a.Party || !isAnswer(e.Kind) {
				t.Errorf("case %s: acknowledged answer %d of %s is %v in the log", c.ID, a.Seq, a.Party, e)
			}
		}
		var s caseSummary
		ts.must(200, token, "GET", lc.path(""), nil, &s)
		if s.State != stateNegotiating {
			t.Errorf("case %s is %s after the restarts, want %s", c.ID, s.State, stateNegotiating)
		}
		if rep := lc.exportAndVerify(key); rep.Entries != int64(len(evs)) {
			t.Errorf("case %s: archive has %d entries, the log %d", c.ID, rep.Entries, len(evs))
		}
	}
}
