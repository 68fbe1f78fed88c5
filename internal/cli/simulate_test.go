package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/simulate"
)

func TestSimulateGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"simulate-truce-json", []string{"simulate", "--json"}},
		{"simulate-supply-json", []string{"simulate", "examples/supply.yaml", "--json"}},
		{"simulate-labour-json", []string{"simulate", "examples/labour.yaml", "--json"}},
		{"simulate-laptop-json", []string{"simulate", "examples/laptop.yaml", "--json"}},
		{"simulate-supply-alternating-json", []string{"simulate", "examples/supply.yaml", "--protocol", "alternating-offers", "--seed", "7", "--json"}},
		{"simulate-truce", []string{"simulate"}},
		{"simulate-truce-view-hamas", []string{"simulate", "--view", "Hamas"}},
		{"simulate-laptop-folder", []string{"simulate", "examples/genius/Laptop", "--mediator", "objections", "--target", "kalai"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := run(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			golden(t, tt.name, out)
			again, _, _ := run(t, tt.args...)
			if again != out {
				t.Error("a second run prints something else")
			}
		})
	}
	embedded, _, _ := run(t, "simulate", "--json")
	file, _, _ := run(t, "simulate", "examples/truce.yaml", "--json")
	if embedded != file {
		t.Error("the embedded truce and examples/truce.yaml simulate differently")
	}
}

func TestSimulateBadInput(t *testing.T) {
	dir := t.TempDir()
	param := filepath.Join(dir, "param.yaml")
	if err := os.WriteFile(param, []byte(`name: param
domain:
  issues:
    price: {type: integer, min: 1, max: 10}
parties:
  - name: buyer
    profile: {values: {price: {prefer: low}}}
  - name: seller
    strategy: boulware
    params: {e: 0.3, haste: 2}
    profile: {values: {price: {prefer: high}}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"simulate", "--protocol", "auction"}, `--protocol: unknown value "auction" (want shuttle, single-text, alternating-offers, blind-bidding)`},
		{[]string{"simulate", "--mediator", "oracle"}, `--mediator: unknown value "oracle"`},
		{[]string{"simulate", "--target", "utilitarian"}, `--target: unknown value "utilitarian"`},
		{[]string{"simulate", param}, `param.yaml:10: parties[1].params.haste: strategy boulware has no parameter "haste"`},
		{[]string{"simulate", "--view", "Fatah"}, `--view: no party "Fatah"`},
		{[]string{"simulate", "--view", "Hamas", "--json"}, "--json and --view"},
		{[]string{"simulate", "a.yaml", "b.yaml"}, "accepts at most 1 arg"},
		{[]string{"simulate", filepath.Join(dir, "missing.yaml")}, "missing.yaml: cannot read"},
		{[]string{"simulate", "--seed", "-1"}, "--seed"},
		{[]string{"verify"}, "accepts 1 arg"},
		{[]string{"verify", filepath.Join(dir, "missing.jsonl")}, "missing.jsonl: cannot read"},
		{[]string{"verify", param}, "param.yaml"},
	}
	for _, tt := range tests {
		wantFailure(t, tt.args, tt.want)
	}
}

// TestExportVerify exports cases through the command line, verifies them,
// with the heads a party would have saved, and checks that a changed entry
// fails verification with a line that names it.
func TestExportVerify(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{}, {"examples/labour.yaml", "--seed", "3"}, {"examples/laptop.yaml", "--protocol", "shuttle"}} {
		archive := filepath.Join(dir, "case.jsonl")
		if _, errs, code := run(t, append([]string{"simulate", "--export", archive}, args...)...); code != 0 {
			t.Fatalf("simulate %v: exit %d: %s", args, code, errs)
		}
		out, errs, code := run(t, "verify", archive)
		if code != 0 || !strings.HasPrefix(out, "verified: case ") {
			t.Fatalf("verify after simulate %v: exit %d: %s%s", args, code, errs, out)
		}
		out, _, code = run(t, "verify", archive, "--json")
		var rep struct {
			Entries int64 `json:"entries"`
		}
		if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || rep.Entries == 0 {
			t.Fatalf("verify --json: exit %d, %v: %s", code, err, out)
		}
	}

	// The heads of the truce as its parties would have saved them.
	sc, err := scenario.Parse("examples/truce.yaml", mustRead(t, filepath.Join(root, "examples", "truce.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	res, err := simulate.Run(context.Background(), sc, simulate.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := simulate.SimulationKeys(res)
	if err != nil {
		t.Fatal(err)
	}
	log, err := res.Ledger(keys)
	if err != nil {
		t.Fatal(err)
	}
	head := filepath.Join(dir, "head")
	if err := os.WriteFile(head, log.Heads()[1].Note, 0o644); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "truce.jsonl")
	if _, errs, code := run(t, "simulate", "--export", archive); code != 0 {
		t.Fatal(errs)
	}
	out, errs, code := run(t, "verify", archive, "--head", head, "--key", keys.Installation.VerifierKey())
	if code != 0 || !strings.Contains(out, "verified") {
		t.Fatalf("verify with a saved head and the key: exit %d: %s%s", code, errs, out)
	}
	if _, errs, code := run(t, "verify", archive, "--key", "someone+00000000+AAAA"); code == 0 {
		t.Errorf("verify with another mediator key succeeds: %s", errs)
	}

	data := mustRead(t, archive)
	lines := bytes.SplitAfter(data, []byte("\n"))
	entry := -1
	for i, l := range lines {
		if bytes.HasPrefix(l, []byte(`{"entry":`)) {
			entry++
		}
		if bytes.Contains(l, []byte(`"kind":"deal.delivered"`)) && bytes.Contains(l, []byte(`"quantity":13`)) {
			lines[i] = bytes.Replace(l, []byte(`"quantity":13`), []byte(`"quantity":14`), 1)
			break
		}
	}
	tampered := filepath.Join(dir, "tampered.jsonl")
	if err := os.WriteFile(tampered, bytes.Join(lines, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code = run(t, "verify", tampered)
	if code == 0 || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "tampered.jsonl") || !strings.Contains(errs, "entry "+strconv.Itoa(entry)) {
		t.Errorf("verify of a changed entry %d: exit %d, stdout %q, stderr %q", entry, code, out, errs)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSimulateView checks that a party's transcript holds its own channel
// and nothing of the other party's, and the mediator's holds both.
func TestSimulateView(t *testing.T) {
	views := map[string]string{}
	for _, v := range []string{"Israel", "Hamas", "mediator"} {
		out, errs, code := run(t, "simulate", "--view", v)
		if code != 0 {
			t.Fatalf("--view %s: exit %d: %s", v, code, errs)
		}
		views[v] = out
	}
	for viewer, other := range map[string]string{"Israel": "Hamas", "Hamas": "Israel"} {
		own, theirs := views[viewer], views[other]
		for _, s := range []string{"mediator → " + viewer + ": text", viewer + " → mediator: confides", "the implementation closes"} {
			if !strings.Contains(own, s) {
				t.Errorf("%s's transcript lacks %q", viewer, s)
			}
		}
		for _, s := range []string{"mediator → " + other + ":", other + " → mediator:"} {
			if strings.Contains(own, s) {
				t.Errorf("%s's transcript shows %q", viewer, s)
			}
			if !strings.Contains(views["mediator"], s) || !strings.Contains(theirs, s) {
				t.Errorf("%q is missing where it belongs", s)
			}
		}
	}
}

func TestSimulateSVG(t *testing.T) {
	for _, args := range [][]string{{}, {"examples/labour.yaml"}, {"examples/laptop.yaml"}} {
		svg := filepath.Join(t.TempDir(), "run.svg")
		if _, errs, code := run(t, append([]string{"simulate", "--svg", svg, "--json"}, args...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		xmlTokens(t, svg)
		data := mustRead(t, svg)
		if !bytes.Contains(data, []byte("offers")) && !bytes.Contains(data, []byte("proposals")) {
			t.Errorf("%v: the SVG draws no offers or proposals", args)
		}
	}
}
