package simulate_test

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/ledger"
	"github.com/shuttle-mediation/shuttle/simulate"
)

// export writes r's archive with its simulation keys.
func export(t testing.TB, r *simulate.Result) []byte {
	t.Helper()
	keys, err := simulate.SimulationKeys(r)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.Export(&buf, keys); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestExport checks that the archive of a run verifies, holds every event,
// a signed head at the end of the negotiation and of each phase, and every
// party's signature of the agreement, and that a run without agreement
// carries no signatures.
func TestExport(t *testing.T) {
	hardliners := example(t, "grocery")
	hardliners.Parties[0].Strategy, hardliners.Parties[1].Strategy = "hardliner", "hardliner"
	hardliners.Parties[0].Params, hardliners.Parties[1].Params = nil, nil
	tests := []struct {
		name string
		r    *simulate.Result
	}{
		{"truce", run(t, example(t, "truce"), simulate.Options{Seed: 1})},
		{"labour", run(t, example(t, "labour"), simulate.Options{Seed: 2})},
		{"laptop", run(t, example(t, "laptop"), simulate.Options{Seed: 1, Protocol: "blind-bidding"})},
		{"no agreement", run(t, hardliners, simulate.Options{Seed: 1, Protocol: "shuttle"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			keys, err := simulate.SimulationKeys(r)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := ledger.Verify(bytes.NewReader(export(t, r)), ledger.Options{Mediator: keys.Installation.VerifierKey()})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.MediatorTrusted || rep.Entries != int64(len(r.Events)) || rep.Case != r.CaseID() {
				t.Errorf("report %+v for %d events", rep, len(r.Events))
			}
			heads := 1
			for _, e := range r.Events {
				if e.Deal != nil && e.Deal.Kind == deal.KindPhaseEnded {
					heads++
				}
			}
			if last := r.Events[len(r.Events)-1]; last.Deal != nil && last.Deal.Kind != deal.KindPhaseEnded {
				heads++
			}
			if rep.Heads != heads {
				t.Errorf("%d signed heads, want %d", rep.Heads, heads)
			}
			signed := len(rep.Signatures)
			if r.Agreement == nil && signed != 0 || r.Agreement != nil && signed != len(r.Scenario.Parties) {
				t.Errorf("%d agreement signatures for %d parties (agreement: %v)", signed, len(r.Scenario.Parties), r.Agreement != nil)
			}
		})
	}
	if tests[3].r.Agreement != nil {
		t.Error("two hardliners agreed; the no-agreement case tests nothing")
	}
}

// TestExportTampered changes single entries of an archive and checks that
// verification names the changed entry.
func TestExportTampered(t *testing.T) {
	r := run(t, example(t, "truce"), simulate.Options{Seed: 1})
	archive := export(t, r)
	lines := bytes.SplitAfter(archive, []byte("\n"))
	tests := []struct {
		name, old, new string
	}{
		{"agreed ratio", `"ratio":"3"`, `"ratio":"2"`},
		{"delivered count", `"quantity":13,`, `"quantity":12,`},
		{"confided reservation", `"reservation":0.25`, `"reservation":0.2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, line := range lines {
				if !bytes.Contains(line, []byte(tt.old)) || !bytes.HasPrefix(line, []byte(`{"entry":`)) {
					continue
				}
				changed := bytes.Join([][]byte{
					bytes.Join(lines[:i], nil),
					bytes.Replace(line, []byte(tt.old), []byte(tt.new), 1),
					bytes.Join(lines[i+1:], nil),
				}, nil)
				_, err := ledger.Verify(bytes.NewReader(changed), ledger.Options{File: "case.jsonl"})
				if err == nil {
					t.Fatalf("line %d changed, yet the archive verifies", i+1)
				}
				if want := "entry " + strconv.Itoa(countEntries(lines[:i])); !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
				return
			}
			t.Fatalf("no entry holds %s", tt.old)
		})
	}
}

func countEntries(lines [][]byte) int {
	n := 0
	for _, l := range lines {
		if bytes.HasPrefix(l, []byte(`{"entry":`)) {
			n++
		}
	}
	return n
}

// TestSavedHeads checks that the heads the parties would have saved during
// the case verify against the archive, and that a head of another run does
// not.
func TestSavedHeads(t *testing.T) {
	r := run(t, example(t, "truce"), simulate.Options{Seed: 1})
	keys, err := simulate.SimulationKeys(r)
	if err != nil {
		t.Fatal(err)
	}
	log, err := r.Ledger(keys)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "case.jsonl")
	if err := os.WriteFile(path, export(t, r), 0o644); err != nil {
		t.Fatal(err)
	}
	var saved []string
	for i, h := range log.Heads() {
		name := filepath.Join(dir, "head"+strconv.Itoa(i))
		if err := os.WriteFile(name, h.Note, 0o644); err != nil {
			t.Fatal(err)
		}
		saved = append(saved, name)
	}
	rep, err := ledger.VerifyFile(path, saved...)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.SavedHeads) != len(saved) {
		t.Errorf("%d of %d saved heads found consistent", len(rep.SavedHeads), len(saved))
	}
	other := run(t, example(t, "truce"), simulate.Options{Seed: 2})
	otherKeys, err := simulate.SimulationKeys(other)
	if err != nil {
		t.Fatal(err)
	}
	otherLog, err := other.Ledger(otherKeys)
	if err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign")
	if err := os.WriteFile(foreign, otherLog.Heads()[0].Note, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.VerifyFile(path, foreign); err == nil {
		t.Error("a head of another run verifies against the archive")
	}
}

// TestSimulationKeys checks that keys are fixed by the seed and differ
// between seeds and between holders.
func TestSimulationKeys(t *testing.T) {
	sc := example(t, "truce")
	a, b, c := run(t, sc, simulate.Options{Seed: 1}), run(t, sc, simulate.Options{Seed: 1}), run(t, sc, simulate.Options{Seed: 2})
	ka, _ := simulate.SimulationKeys(a)
	kb, _ := simulate.SimulationKeys(b)
	kc, _ := simulate.SimulationKeys(c)
	if ka.Installation.VerifierKey() != kb.Installation.VerifierKey() || !ka.Parties["Hamas"].Equal(kb.Parties["Hamas"]) {
		t.Error("one seed derives two sets of keys")
	}
	if ka.Installation.VerifierKey() == kc.Installation.VerifierKey() || ka.Parties["Hamas"].Equal(kc.Parties["Hamas"]) {
		t.Error("two seeds derive the same keys")
	}
	if ka.Parties["Hamas"].Equal(ka.Parties["Israel"]) || bytes.Equal(ka.Parties["Hamas"].Public().(ed25519.PublicKey), ka.Parties["Israel"].Public().(ed25519.PublicKey)) {
		t.Error("two parties hold the same key")
	}
}

func BenchmarkExportTruce(b *testing.B) {
	r := run(b, example(b, "truce"), simulate.Options{Seed: 1})
	keys, err := simulate.SimulationKeys(r)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := r.Export(&buf, keys); err != nil {
			b.Fatal(err)
		}
	}
}
