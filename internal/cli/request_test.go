package cli

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle/server"
	"github.com/shuttle-mediation/shuttle/store/sqlite"
)

// TestKeyAndRequest makes a key with `shuttle key`, has the mediator invite
// a party with it, and answers the party's first question with `shuttle
// request`, signed: no token is ever given to the party.
func TestKeyAndRequest(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "alice.key")
	out, errOut, code := run(t, "key", "--out", keyFile)
	pub := strings.TrimSpace(out)
	if code != 0 || !regexp.MustCompile(`^[A-Za-z0-9+/]{43}=$`).MatchString(pub) {
		t.Fatalf("key: exit %d, %q %q", code, out, errOut)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", fi, err)
	}
	if _, errOut, code := run(t, "key", "--out", keyFile); code != 2 || !strings.Contains(errOut, keyFile) {
		t.Errorf("key over an existing file: exit %d, %q", code, errOut)
	}

	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "shuttle.db"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(context.Background(), server.Config{Addr: "127.0.0.1:0", Store: st,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Run(context.Background())
	t.Cleanup(func() { srv.Close() })
	base := "http://" + srv.Addr()
	admin := func(method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+srv.AdminToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, out)
		}
		return out
	}
	scenario, err := os.ReadFile(filepath.Join(root, "server", "testdata", "three.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	id := admin("POST", "/v1/cases?humans=alice", string(scenario))["id"].(string)
	inv := admin("POST", "/v1/cases/"+id+"/invites", `{"name": "alice", "role": "party", "public_key": "`+pub+`"}`)
	if inv["token"] != nil || inv["key_id"] != id+"/alice" {
		t.Fatalf("invite with a key: %v", inv)
	}
	admin("POST", "/v1/cases/"+id+"/start", "")

	as := []string{"request", "--key", keyFile, "--key-id", id + "/alice"}
	out, errOut, code = run(t, append(as, "GET", base+"/v1/cases/"+id+"/question?wait=10s")...)
	var q struct {
		Question struct {
			ID   int
			Kind string
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &q) != nil || q.Question.Kind != "ask-confide" {
		t.Fatalf("request the question: exit %d, %q %q", code, out, errOut)
	}
	answer := filepath.Join(dir, "answer.json")
	body, _ := json.Marshal(map[string]any{"question": q.Question.ID, "kind": "confide", "level": "full"})
	if err := os.WriteFile(answer, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := run(t, append(as, "--data", "@"+answer, "POST", base+"/v1/cases/"+id+"/answers")...); code != 0 || !strings.Contains(out, `"seq"`) {
		t.Fatalf("request the answer: exit %d, %q %q", code, out, errOut)
	}
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"the same answer again", append(as, "--data", string(body), "POST", base+"/v1/cases/"+id+"/answers"), 2, "is not open"},
		{"as another participant", []string{"request", "--key", keyFile, "--key-id", id + "/bob", "GET", base + "/v1/cases/" + id}, 3, "unknown key"},
		{"a key id without a case", []string{"request", "--key", keyFile, "--key-id", "alice", "GET", base + "/v1/cases/" + id}, 2, "CASE/NAME"},
		{"no such key file", []string{"request", "--key", filepath.Join(dir, "nope"), "--key-id", id + "/alice", "GET", base}, 2, "nope"},
		{"not a key file", []string{"request", "--key", answer, "--key-id", id + "/alice", "GET", base}, 2, "answer.json: no PEM block"},
		{"no key", []string{"request", "GET", base}, 2, "--key"},
	} {
		_, errOut, code := run(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%s: exit %d, %q; want exit %d and one line with %q", tt.name, code, errOut, tt.code, tt.want)
		}
	}
}
