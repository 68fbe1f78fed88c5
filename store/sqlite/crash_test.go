package sqlite_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/store"
	"github.com/shuttle-mediation/shuttle/store/sqlite"
)

// crashEnv names the database a helper process appends to; see
// TestMain.
const crashEnv = "SHUTTLE_SQLITE_CRASH_DB"

const crashCases = 4

func TestMain(m *testing.M) {
	if path := os.Getenv(crashEnv); path != "" {
		if err := appendUntilKilled(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashEvent is event seq of a case in the crash test: its body says
// which, so that the reader can tell it is in its place.
func crashEvent(caseID string, seq int64) store.Event {
	e := store.Event{Kind: "tick", Time: time.Duration(seq), Body: fmt.Appendf(nil, `{"case":%q,"seq":%d}`, caseID, seq)}
	e.Leaf = sha256.Sum256(e.Body)
	return e
}

// appendUntilKilled is the helper process: it appends batches to several
// cases at once and prints "case first count" for each acknowledged
// batch, until it is killed.
func appendUntilKilled(path string) error {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	errs := make(chan error, crashCases)
	for i := range crashCases {
		go func() {
			id := fmt.Sprintf("crash-%d", i)
			err := s.CreateCase(ctx, store.Case{ID: id, Created: time.Unix(1, 0)})
			if err != nil && shuttle.ErrorCode(err) != shuttle.EConflict {
				errs <- err
				return
			}
			c, err := s.GetCase(ctx, id)
			if err != nil {
				errs <- err
				return
			}
			next := c.Size + 1
			for n := 0; ; n++ {
				batch := make([]store.Event, 1+n%3)
				for j := range batch {
					batch[j] = crashEvent(id, next+int64(j))
				}
				if err := s.AppendEvents(ctx, id, next, "", batch); err != nil {
					errs <- err
					return
				}
				line := fmt.Sprintf("%s %d %d\n", id, next, len(batch))
				mu.Lock()
				os.Stdout.WriteString(line) // one write: a line is printed whole or not at all
				mu.Unlock()
				next += int64(len(batch))
			}
		}()
	}
	return <-errs
}

// TestCrash kills a process appending to the database with SIGKILL at
// random moments, and checks after each kill that every batch it had
// acknowledged is there, in its place, with no gap.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes; skipped in -short mode")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	acked := map[string]int64{} // case → end of the last acknowledged batch
	for round := range 6 {
		lines := runAndKill(t, path, time.Duration(10+rng.IntN(150))*time.Millisecond)
		if len(lines) == 0 {
			t.Fatalf("round %d: the helper acknowledged nothing", round)
		}
		for _, l := range lines {
			var id string
			var first, count int64
			if _, err := fmt.Sscan(l, &id, &first, &count); err != nil {
				t.Fatalf("round %d: helper printed %q", round, l)
			}
			if first != acked[id]+1 {
				t.Fatalf("round %d: %s acknowledged at %d after %d", round, id, first, acked[id])
			}
			acked[id] = first + count - 1
		}
		checkLogs(t, path, acked)
		t.Logf("round %d: %d batches acknowledged, logs %v", round, len(lines), acked)
	}
}

// runAndKill starts the helper, kills it after it has run for about d
// since its first acknowledgement, and returns the lines it printed.
func runAndKill(t *testing.T, path string, d time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	first := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if lines = append(lines, sc.Text()); len(lines) == 1 {
				close(first)
			}
		}
	}()
	select {
	case <-first:
		time.Sleep(d)
	case <-done:
	case <-time.After(30 * time.Second):
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("helper ended by itself (%v): %s", err, stderr.String())
	}
	return lines
}

// checkLogs opens the database and checks each case's log: contiguous
// from 1, each event in its place, covering at least what was
// acknowledged (a batch committed as the process died may be there
// unacknowledged).
func checkLogs(t *testing.T, path string, acked map[string]int64) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopening after the kill: %v", err)
	}
	defer s.Close()
	for i := range crashCases {
		id := fmt.Sprintf("crash-%d", i)
		end := acked[id]
		c, err := s.GetCase(ctx, id)
		if shuttle.ErrorCode(err) == shuttle.ENotFound && end == 0 {
			continue // killed before it was created
		}
		if err != nil {
			t.Fatal(err)
		}
		es, err := s.Events(ctx, id, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(es)) != c.Size || c.Size < end {
			t.Fatalf("%s: %d events, size %d, %d acknowledged", id, len(es), c.Size, end)
		}
		for i, e := range es {
			want := crashEvent(id, int64(i+1))
			if e.Seq != int64(i+1) || string(e.Body) != string(want.Body) || e.Leaf != want.Leaf {
				t.Fatalf("%s: event %d is seq %d, body %s", id, i+1, e.Seq, e.Body)
			}
		}
		acked[id] = c.Size // the helper resumes from there
	}
}

// TestConcurrentOpen opens one new file from several goroutines at once,
// as several programs might: the schema must be made once and work for
// all.
func TestConcurrentOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	stores := make([]store.Store, 6)
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = sqlite.Open(ctx, path) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		defer s.Close()
	}
	for i, s := range stores {
		if err := s.CreateCase(ctx, store.Case{ID: "c" + strconv.Itoa(i), Created: time.Unix(int64(i), 0)}); err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
	}
	cs, err := stores[0].ListCases(ctx)
	if err != nil || len(cs) != len(stores) {
		t.Fatalf("ListCases = %d cases, %v", len(cs), err)
	}
}
