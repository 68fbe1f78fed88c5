package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a buffer a running command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeAndToken starts `shuttle serve` on a new database, which prints a
// mediator token once, stops it, and mints another with `shuttle token`.
func TestServeAndToken(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shuttle.db")
	var stderr bytes.Buffer
	if code := Main(context.Background(), []string{"token", "--db", db}, &bytes.Buffer{}, &stderr); code == 0 {
		t.Fatal("token minted for a database no server has started on")
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() { done <- Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db}, &out, &errOut) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "listening on") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "mediator token (shown once): ") {
		t.Fatalf("serve did not print a token: %q", out.String())
	}
	// The console link carries that same token, so a mediator can sign in
	// with one click.
	var first string
	for _, line := range strings.Split(out.String(), "\n") {
		if t, ok := strings.CutPrefix(line, "mediator token (shown once): "); ok {
			first = t
		}
	}
	if !strings.Contains(out.String(), "/ui/join?token="+url.QueryEscape(first)+"\n") {
		t.Errorf("serve printed no console link with its token: %q", out.String())
	}
	var tok bytes.Buffer
	if code := Main(context.Background(), []string{"token", "--db", db}, &tok, &stderr); code != 0 {
		t.Fatalf("token exited %d: %s", code, stderr.String())
	}
	if s := strings.TrimSpace(tok.String()); len(s) < 40 || strings.Contains(out.String(), s) {
		t.Errorf("token printed %q", s)
	}
}

func TestServeBadFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shuttle.db")
	for _, tt := range []struct {
		flag, want string
	}{
		{"--rate=0", "--rate: want requests a second above 0"},
		{"--rate=-3", "--rate: want requests a second above 0"},
		{"--burst=0", "--burst: want at least 1"},
		{"--max-body=0", "--max-body: want at least 1 byte"},
	} {
		wantFailure(t, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, tt.flag}, tt.want)
	}
}

// TestServeRate starts the server with a burst of 2 and a slow rate: the
// third request a token makes at once is refused with 429.
func TestServeRate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shuttle.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--rate", "0.01", "--burst", "2"}, &out, &errOut)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "listening on") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var base, tok string
	for _, line := range strings.Split(out.String(), "\n") {
		if s, ok := strings.CutPrefix(line, "listening on "); ok {
			base = s
		}
		if s, ok := strings.CutPrefix(line, "mediator token (shown once): "); ok {
			tok = s
		}
	}
	if base == "" || tok == "" {
		t.Fatalf("serve printed %q", out.String())
	}
	var codes []int
	for range 3 {
		req, _ := http.NewRequest("GET", base+"/v1/cases", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if !slices.Equal(codes, []int{200, 200, 429}) {
		t.Errorf("statuses %v, want [200 200 429]", codes)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, errOut.String())
	}
}
