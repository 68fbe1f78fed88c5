package ledger

import (
	"bufio"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bench1M.dir != "" {
		os.RemoveAll(bench1M.dir)
	}
	os.Exit(code)
}

// benchBody is a typical event: a negotiating text put to a party.
var benchBody = json.RawMessage(`{"round":12,"text":{"aid_trucks":200,"drone_flights":"none 10:00-16:00","pause_days":4,"pause_starts":"07:00","ratio":3,"releases_per_day":10}}`)

func benchEntry(i int) Entry {
	to := []string{"north"}
	if i%2 == 1 {
		to[0] = "south"
	}
	return Entry{Time: time.Duration(i) * time.Millisecond, Kind: "text.proposed", From: "mediator", To: to, Body: benchBody}
}

// BenchmarkAppend appends events to a growing log and proves each one's
// inclusion in the new tree, as a server answering a party does.
func BenchmarkAppend(b *testing.B) {
	l, err := NewLog("bench", installationKey(b, "shuttle-bench", 7))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	cpu := cpuTime()
	for b.Loop() {
		index, err := l.Append(benchEntry(i))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.InclusionProof(index, index+1); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	reportCPU(b, cpu)
}

// reportCPU reports the CPU time per operation since start, the figure to
// trust when other work shares the machine.
func reportCPU(b *testing.B, start time.Duration) {
	if d := cpuTime() - start; d > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// bench1M holds the million-entry archive, made once per test binary.
var bench1M struct {
	once sync.Once
	dir  string
	path string
	err  error
}

const millionEntries = 1_000_000

// archive1M writes a case of a million entries, with a signed tree head
// every 10,000 entries and an agreement both parties sign.
func archive1M(b *testing.B) string {
	bench1M.once.Do(func() {
		l, err := NewLog("bench-1m", installationKey(b, "shuttle-bench", 7))
		if err != nil {
			bench1M.err = err
			return
		}
		parties := map[string]byte{"north": 2, "south": 3}
		for name, seed := range parties {
			if bench1M.err = l.AddParty(name, seedKey(seed).Public().(ed25519.PublicKey)); bench1M.err != nil {
				return
			}
		}
		agreement := int64(millionEntries / 2)
		for i := range millionEntries {
			if _, err := l.Append(benchEntry(i)); err != nil {
				bench1M.err = err
				return
			}
			if (i+1)%10_000 == 0 {
				if _, err := l.Checkpoint(time.Duration(i) * time.Millisecond); err != nil {
					bench1M.err = err
					return
				}
			}
		}
		e, err := l.Entry(agreement)
		if err != nil {
			bench1M.err = err
			return
		}
		for name, seed := range parties {
			sig, err := SignAgreement(seedKey(seed), l.Origin(), agreement, AgreementHash(e.Body))
			if err != nil {
				bench1M.err = err
				return
			}
			if bench1M.err = l.AddSignature(name, agreement, sig); bench1M.err != nil {
				return
			}
		}
		if bench1M.dir, bench1M.err = os.MkdirTemp("", "ledger-bench-"); bench1M.err != nil {
			return
		}
		bench1M.path = filepath.Join(bench1M.dir, "case.jsonl")
		f, err := os.Create(bench1M.path)
		if err != nil {
			bench1M.err = err
			return
		}
		w := bufio.NewWriter(f)
		if bench1M.err = l.Export(w); bench1M.err == nil {
			bench1M.err = w.Flush()
		}
		if err := f.Close(); bench1M.err == nil {
			bench1M.err = err
		}
	})
	if bench1M.err != nil {
		b.Fatal(bench1M.err)
	}
	return bench1M.path
}

// BenchmarkVerify1M verifies an archive of a million entries from a file.
// peak-heap-MiB samples the heap during verification, to show that memory
// does not grow with the archive.
func BenchmarkVerify1M(b *testing.B) {
	path := archive1M(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	var peak uint64
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		runtime.GC() // the heap left by making the archive is not the verifier's
		start := cpuTime()
		b.StartTimer()
		stop := make(chan struct{})
		done := make(chan uint64)
		go func() { done <- sampleHeap(stop) }()
		r, err := VerifyFile(path)
		cpu += cpuTime() - start
		close(stop)
		peak = max(peak, <-done)
		if err != nil {
			b.Fatal(err)
		}
		if r.Entries != millionEntries || len(r.Signatures) != 2 {
			b.Fatalf("report %+v", r)
		}
	}
	b.ReportMetric(float64(millionEntries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// sampleHeap returns the largest heap seen until stop is closed.
func sampleHeap(stop chan struct{}) uint64 {
	var peak uint64
	var ms runtime.MemStats
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
		select {
		case <-stop:
			return peak
		case <-tick.C:
		}
	}
}
