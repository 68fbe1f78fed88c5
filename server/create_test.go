package server

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestCreateCaseJSON creates a case from a scenario a program built as
// JSON rather than wrote as YAML, and checks that a mistake in it is
// reported at its line and field.
func TestCreateCaseJSON(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	var sc any
	if err := yaml.Unmarshal(readTestdata(t, "three.yaml"), &sc); err != nil {
		t.Fatal(err)
	}
	body, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		Parties, Humans []string
	}
	ts.must(201, ts.admin, "POST", "/v1/cases?humans=alice", body, &created)
	if !slices.Equal(created.Parties, []string{"alice", "bob", "carol"}) || !slices.Equal(created.Humans, []string{"alice"}) {
		t.Fatalf("created from JSON: %+v", created)
	}

	bad := strings.Replace(string(body), `"rounds": 30`, `"rounds": "many"`, 1)
	if bad == string(body) {
		t.Fatal(`the test scenario has no "rounds": 30 to spoil`)
	}
	var e apiError
	if code := ts.call(ts.admin, "POST", "/v1/cases", bad, &e); code != 400 || !strings.Contains(e.Error.Message, "protocol.rounds") || !strings.Contains(e.Error.Message, "scenario.json:") {
		t.Errorf("a bad JSON scenario: %d %+v, want 400 naming the line and rounds", code, e.Error)
	}
}
