package server

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/internal/testenv"
	"github.com/shuttle-mediation/shuttle/ledger"
)

// curlCommand is one curl line of docs/api.md and the status it expects.
type curlCommand struct {
	line   int
	args   []string
	expect int
}

// docCommands reads the curl lines of the sh blocks of the API document.
func docCommands(t *testing.T, path string) []curlCommand {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []curlCommand
	in, expect := false, 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "```sh"):
			in, expect = true, 0
		case strings.HasPrefix(line, "```"):
			in = false
		case in && strings.HasPrefix(line, "# expect "):
			expect, _ = strconv.Atoi(strings.TrimPrefix(line, "# expect "))
		case in && strings.HasPrefix(line, "curl "):
			args, err := shellWords(line)
			if err != nil {
				t.Fatalf("%s:%d: %v", path, n, err)
			}
			cmds = append(cmds, curlCommand{line: n, args: args[1:], expect: expect})
			expect = 0
		}
	}
	return cmds
}

// shellWords splits a command line as a shell does for the quoting the
// document uses: single and double quotes, no escapes.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// TestDocsCurl runs every curl example of docs/api.md, in order, against a
// test server, filling in the placeholders from earlier answers and driving
// the case between examples where the document skips steps (the rounds of
// the negotiation).
func TestDocsCurl(t *testing.T) {
	root := testenv.RepoRoot(t)
	cmds := docCommands(t, filepath.Join(root, "docs", "api.md"))
	if len(cmds) < 20 {
		t.Fatalf("docs/api.md has %d curl examples", len(cmds))
	}
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	vars := map[string]string{"SHUTTLE": ts.url, "TOKEN": ts.admin}
	c := &liveCaseT{ts: ts, tokens: map[string]string{"mediator": ts.admin}, humans: []string{"alice", "bob"}}
	routes := map[string]bool{}
	for _, cmd := range cmds {
		req, _, _ := buildCurl(t, root, cmd, vars)
		path := req.URL.Path
		party := ""
		for name, tok := range c.tokens {
			if req.Header.Get("Authorization") == "Bearer "+tok {
				party = name
			}
		}
		// Bring the case to where the example needs it.
		switch {
		case strings.HasSuffix(path, "/answers"):
			q := waitQuestion(t, c, party)
			vars["QUESTION"] = strconv.FormatUint(q.ID, 10)
		case strings.HasSuffix(path, "/agreement") || strings.HasSuffix(path, "/analysis") && c.id != "":
			c.answerAll(0, cooperative)
		case strings.HasSuffix(path, "/signatures"):
			var ag struct {
				Entry  int64
				Origin string
				Hash   string
			}
			ts.must(200, ts.admin, "GET", c.path("/agreement"), nil, &ag)
			h, _ := base64.StdEncoding.DecodeString(ag.Hash)
			pub, priv, _ := ed25519.GenerateKey(nil)
			sig, err := ledger.SignAgreement(priv, ag.Origin, ag.Entry, ledger.Hash(h))
			if err != nil {
				t.Fatal(err)
			}
			vars["PUBKEY"], vars["SIG"] = base64.StdEncoding.EncodeToString(pub), base64.StdEncoding.EncodeToString(sig)
		case strings.HasSuffix(path, "/key"):
			pub, _, _ := ed25519.GenerateKey(nil)
			vars["KEY"] = base64.StdEncoding.EncodeToString(pub)
		case strings.HasSuffix(path, "/actions") && vars["QUANTITY"] == "":
			var impl struct {
				Schedule struct {
					Phases []struct{ Obligations []struct{ Quantity int } }
				}
			}
			ts.must(200, ts.admin, "GET", c.path("/implementation"), nil, &impl)
			vars["QUANTITY"] = strconv.Itoa(impl.Schedule.Phases[0].Obligations[0].Quantity)
		}
		// Placeholders filled in just now are substituted again.
		req, stream, out := buildCurl(t, root, cmd, vars)
		routes[req.Method+" "+routePattern(req.URL.Path)] = true
		status, body := runCurl(t, req, stream)
		want := cmd.expect
		if want == 0 && (status < 200 || status > 299) || want != 0 && status != want {
			t.Fatalf("docs/api.md:%d: %s %s: status %d: %s", cmd.line, req.Method, req.URL, status, body)
		}
		if out != "" {
			if err := os.WriteFile(filepath.Join(t.TempDir(), filepath.Base(out)), body, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		switch {
		case req.Method == "POST" && path == "/v1/cases":
			var s caseSummary
			json.Unmarshal(body, &s)
			c.id, vars["CASE"] = s.ID, s.ID
		case strings.HasSuffix(path, "/invites"):
			var inv struct{ Name, Token string }
			json.Unmarshal(body, &inv)
			c.tokens[inv.Name] = inv.Token
			vars[strings.ToUpper(inv.Name)] = inv.Token
		case stream:
			ids := sseIDs(body)
			if len(ids) == 0 || ids[0] <= 3 {
				t.Errorf("docs/api.md:%d: stream from Last-Event-ID 3 sent ids %v", cmd.line, ids)
			}
		}
	}
	// Every route of the server has an example.
	for _, r := range []string{"GET /healthz", "GET /metrics", "POST /v1/cases", "GET /v1/cases", "GET /v1/cases/{id}",
		"POST /v1/cases/{id}/invites", "POST /v1/cases/{id}/key", "POST /v1/cases/{id}/start", "GET /v1/cases/{id}/question",
		"POST /v1/cases/{id}/answers", "GET /v1/cases/{id}/agreement", "POST /v1/cases/{id}/signatures",
		"POST /v1/cases/{id}/actions", "GET /v1/cases/{id}/implementation", "GET /v1/cases/{id}/analysis",
		"POST /v1/cases/{id}/drafts", "GET /v1/cases/{id}/drafts", "DELETE /v1/cases/{id}/drafts",
		"GET /v1/cases/{id}/events", "GET /v1/cases/{id}/stream", "GET /v1/cases/{id}/head",
		"GET /v1/cases/{id}/proofs/inclusion", "GET /v1/cases/{id}/proofs/consistency", "GET /v1/cases/{id}/export"} {
		if !routes[r] {
			t.Errorf("docs/api.md has no curl example of %s", r)
		}
	}
}

func routePattern(path string) string {
	parts := strings.Split(path, "/")
	if len(parts) > 3 && parts[1] == "v1" && parts[2] == "cases" {
		parts[3] = "{id}"
	}
	return strings.Join(parts, "/")
}

func waitQuestion(t *testing.T, c *liveCaseT, party string) *question {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if q, _ := c.openQuestion(party); q != nil {
			return q
		}
	}
	t.Fatalf("%s was never asked", party)
	return nil
}

// buildCurl turns a curl command into a request: -X, -H, -d, --data-binary
// (@file relative to the repository), -o, and -N for a stream.
func buildCurl(t *testing.T, root string, cmd curlCommand, vars map[string]string) (req *http.Request, stream bool, out string) {
	t.Helper()
	expand := func(s string) string { return os.Expand(s, func(k string) string { return vars[k] }) }
	method, url := "", ""
	var body []byte
	headers := http.Header{}
	args := cmd.args
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			i++
			if i >= len(args) {
				t.Fatalf("docs/api.md:%d: %s needs a value", cmd.line, a)
			}
			return expand(args[i])
		}
		switch a {
		case "-s", "-N":
			stream = stream || a == "-N"
		case "--max-time":
			next()
		case "-X":
			method = next()
		case "-H":
			k, v, _ := strings.Cut(next(), ":")
			headers.Add(k, strings.TrimSpace(v))
		case "-d":
			body = []byte(next())
		case "--data-binary":
			v := next()
			if f, ok := strings.CutPrefix(v, "@"); ok {
				b, err := os.ReadFile(filepath.Join(root, f))
				if err != nil {
					t.Fatal(err)
				}
				v = string(b)
			}
			body = []byte(v)
		case "-o":
			out = next()
		default:
			if strings.HasPrefix(a, "-") {
				t.Fatalf("docs/api.md:%d: curl option %s not understood by the test", cmd.line, a)
			}
			url = expand(a)
		}
	}
	if method == "" {
		method = "GET"
		if body != nil {
			method = "POST"
		}
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("docs/api.md:%d: %v", cmd.line, err)
	}
	req.Header = headers
	return req, stream, out
}

// runCurl makes the request; a stream is read for a moment, as curl
// --max-time does.
func runCurl(t *testing.T, req *http.Request, stream bool) (int, []byte) {
	t.Helper()
	client := http.DefaultClient
	if stream {
		client = &http.Client{Timeout: 200 * time.Millisecond}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil && !stream {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// sseIDs lists the ids of a Server-Sent Events body.
func sseIDs(body []byte) []int64 {
	var ids []int64
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, "id: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			ids = append(ids, n)
		}
	}
	return ids
}

// TestDocsWeb checks that docs/api.md describes the web interface: the
// sign-in, each page and each form route that webRoutes serves.
func TestDocsWeb(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "docs", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, web, ok := strings.Cut(string(doc), "## Web interface (`/ui/`)")
	if !ok {
		t.Fatal("docs/api.md has no web interface section")
	}
	for _, want := range []string{"`/ui/join?token=…`", "`POST /ui/signout`", "`GET /ui/`", "`GET /ui/cases/{id}`", "`GET /ui/cases/{id}/plane.svg`",
		"`/exposure.svg`", "`/export`", "`GET /ui/cases/{id}/stream`", "`/ui/cases/{id}/invite`", "`/start`", "`/answer`", "`/sign`", "`/act`",
		"`/draft`", "`/draft/withdraw`"} {
		if !strings.Contains(web, want) {
			t.Errorf("the web interface section of docs/api.md does not mention %s", want)
		}
	}
}
