package server

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestQuestionWait checks GET question with wait: it returns a question as
// soon as one is put, null when none comes in time or none can come any
// more, and refuses a wait it cannot honour.
func TestQuestionWait(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	c := newTestCase(ts)
	type reply struct {
		Question *question
		State    string
	}
	ask := func(party, wait string) (reply, time.Duration) {
		t.Helper()
		var out reply
		start := time.Now()
		ts.must(200, c.tokens[party], "GET", c.path("/question?wait="+wait), nil, &out)
		return out, time.Since(start)
	}

	for _, bad := range []string{"soon", "-1s", "61s", "1"} {
		var out json.RawMessage
		if got := ts.call(c.tokens["alice"], "GET", c.path("/question?wait="+bad), nil, &out); got != 400 || !strings.Contains(string(out), "wait") {
			t.Errorf("wait=%s: %d %s, want 400 naming wait", bad, got, out)
		}
	}

	// Not started: nothing comes, and the wait is the one asked for.
	if out, took := ask("alice", "150ms"); out.Question != nil || out.State != stateOpen || took < 150*time.Millisecond {
		t.Errorf("before the start: %+v after %v, want no question after 150ms", out, took)
	}

	// A question put while the party waits is returned at once.
	go func() {
		time.Sleep(100 * time.Millisecond)
		ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	}()
	out, took := ask("alice", "30s")
	if out.Question == nil || out.Question.Kind != "ask-confide" || took > 10*time.Second {
		t.Fatalf("waiting over the start: %+v after %v, want the ask-confide question", out, took)
	}
	// An open question is returned without waiting.
	if again, took := ask("alice", "30s"); again.Question == nil || again.Question.ID != out.Question.ID || took > 5*time.Second {
		t.Errorf("asking again: %+v after %v, want question %d at once", again, took, out.Question.ID)
	}

	// Once the negotiation is over no question can come: no wait.
	if state := c.answerAll(0, cooperative); state == stateNegotiating {
		t.Fatalf("state %s after answering everything", state)
	}
	if out, took := ask("bob", "30s"); out.Question != nil || took > 5*time.Second {
		t.Errorf("after the negotiation: %+v after %v, want null at once", out, took)
	}
}
