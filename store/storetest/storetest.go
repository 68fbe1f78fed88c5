// Package storetest is the conformance suite of store.Store: every
// implementation's tests call Run, so that they all behave alike.
package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/store"
)

// Opener opens a store for a test. The first call for a given t opens an
// empty database; later calls for the same t open that same database
// again, as a restarted server or a second server instance would. The
// suite closes every store it opens.
type Opener func(t *testing.T) store.Store

// Run runs the suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		f    func(*testing.T, Opener)
	}{
		{"Cases", testCases},
		{"CaseState", testCaseState},
		{"Participants", testParticipants},
		{"ParticipantKey", testParticipantKey},
		{"Append", testAppend},
		{"AppendInvalid", testAppendInvalid},
		{"AppendConflict", testAppendConflict},
		{"Idempotency", testIdempotency},
		{"LargeBatches", testLargeBatches},
		{"Unicode", testUnicode},
		{"Scoping", testScoping},
		{"ConcurrentAppends", testConcurrentAppends},
		{"TreeHeads", testTreeHeads},
		{"Reopen", testReopen},
		{"Context", testContext},
		{"Close", testClose},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.f(t, open)
		})
	}
}

// openStore opens t's database and closes it when t ends.
func openStore(t *testing.T, open Opener) store.Store {
	t.Helper()
	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// epoch is when the test cases were created; times after it are offsets.
var epoch = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

func newCase(id string, created time.Duration) store.Case {
	return store.Case{
		ID:       id,
		Name:     "Case " + id,
		Created:  epoch.Add(created),
		State:    "negotiating",
		Scenario: []byte("name: " + id + "\nparties: [A, B]\n"),
		Meta:     []byte(`{"mediator":"m+1234+key"}`),
	}
}

func mustCreate(t *testing.T, s store.Store, cs ...store.Case) {
	t.Helper()
	for _, c := range cs {
		if err := s.CreateCase(context.Background(), c); err != nil {
			t.Fatalf("CreateCase(%s): %v", c.ID, err)
		}
	}
}

// event makes the nth event of a test log, its body and leaf derived from
// tag and n so that a reader can tell which event it has.
func event(tag string, n int) store.Event {
	body := fmt.Sprintf(`{"n":%d,"tag":%q}`, n, tag)
	e := store.Event{
		Time: time.Duration(n) * time.Millisecond,
		Wall: epoch.Add(time.Duration(n) * time.Millisecond),
		Kind: "offer",
		From: "A",
		To:   []string{"mediator"},
		Body: []byte(body),
	}
	e.Leaf = sha256.Sum256(e.Body)
	return e
}

func events(tag string, from, n int) []store.Event {
	es := make([]store.Event, n)
	for i := range es {
		es[i] = event(tag, from+i)
	}
	return es
}

// stored is how events read back after being appended at first.
func stored(caseID string, first int64, es []store.Event) []store.Event {
	out := make([]store.Event, len(es))
	for i, e := range es {
		e.Case = caseID
		e.Seq = first + int64(i)
		out[i] = e
	}
	return out
}

func mustAppend(t *testing.T, s store.Store, caseID string, next int64, key string, es []store.Event) {
	t.Helper()
	if err := s.AppendEvents(context.Background(), caseID, next, key, es); err != nil {
		t.Fatalf("AppendEvents(%s, %d, %q): %v", caseID, next, key, err)
	}
}

func mustEvents(t *testing.T, s store.Store, caseID string, after int64, limit int) []store.Event {
	t.Helper()
	es, err := s.Events(context.Background(), caseID, after, limit)
	if err != nil {
		t.Fatalf("Events(%s, %d, %d): %v", caseID, after, limit, err)
	}
	return es
}

// wantCode fails t unless err is a *shuttle.Error with code (and, if not
// empty, field).
func wantCode(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	if got := shuttle.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
		return
	}
	if field == "" {
		return
	}
	var e *shuttle.Error
	if !errors.As(err, &e) || e.Field != field {
		t.Errorf("%s: error %v, want field %q", what, err, field)
	}
}

func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func testCases(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	if cs, err := s.ListCases(ctx); err != nil || len(cs) != 0 {
		t.Fatalf("ListCases of an empty store = %v, %v", cs, err)
	}
	// Created out of id order, and two at the same instant, to check the
	// listing order.
	b, a, c := newCase("b", time.Second), newCase("a", 2*time.Second), newCase("c", time.Second)
	c.Scenario, c.Meta = nil, nil
	mustCreate(t, s, b, a, c)

	got, err := s.GetCase(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetCase", got, b)
	if !got.Created.Equal(b.Created) || got.Created.Nanosecond() != b.Created.Nanosecond() {
		t.Errorf("Created = %v, want %v to the nanosecond", got.Created, b.Created)
	}
	got, err = s.GetCase(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	if got.Scenario != nil || got.Meta != nil {
		t.Errorf("absent scenario and meta read back as %q, %q; want nil", got.Scenario, got.Meta)
	}

	cs, err := s.ListCases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListCases", cs, []store.Case{b, c, a})

	_, err = s.GetCase(ctx, "nosuch")
	wantCode(t, "GetCase(nosuch)", err, shuttle.ENotFound, "")
	wantCode(t, "CreateCase again", s.CreateCase(ctx, newCase("a", 0)), shuttle.EConflict, "")

	bad := []struct {
		name string
		edit func(*store.Case)
	}{
		{"empty id", func(c *store.Case) { c.ID = "" }},
		{"id with slash", func(c *store.Case) { c.ID = "a/b" }},
		{"id too long", func(c *store.Case) { c.ID = strings.Repeat("x", store.MaxName+1) }},
		{"size set", func(c *store.Case) { c.Size = 3 }},
		{"closed", func(c *store.Case) { c.Closed = true }},
		{"no created", func(c *store.Case) { c.Created = time.Time{} }},
		{"created out of range", func(c *store.Case) { c.Created = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"name not UTF-8", func(c *store.Case) { c.Name = "\xff" }},
		{"name with control", func(c *store.Case) { c.Name = "a\x00b" }},
		{"state too long", func(c *store.Case) { c.State = strings.Repeat("s", store.MaxText+1) }},
	}
	for _, tt := range bad {
		c := newCase("fresh", 0)
		tt.edit(&c)
		wantCode(t, "CreateCase with "+tt.name, s.CreateCase(ctx, c), shuttle.EInvalid, "")
	}
	if cs, _ := s.ListCases(ctx); len(cs) != 3 {
		t.Errorf("invalid cases were stored: %d cases", len(cs))
	}
}

func testCaseState(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	mustCreate(t, s, newCase("x", 0), newCase("y", time.Second), newCase("z", 2*time.Second))
	if err := s.SetCaseState(ctx, "y", "agreed — implementing", true); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetCase(ctx, "y")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "agreed — implementing" || !got.Closed {
		t.Errorf("after SetCaseState: state %q closed %v", got.State, got.Closed)
	}
	open1, err := s.OpenCases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "OpenCases", ids(open1), []string{"x", "z"})
	// A closed case may be reopened.
	if err := s.SetCaseState(ctx, "y", "reopened", false); err != nil {
		t.Fatal(err)
	}
	open2, _ := s.OpenCases(ctx)
	diff(t, "OpenCases after reopening", ids(open2), []string{"x", "y", "z"})

	wantCode(t, "SetCaseState(nosuch)", s.SetCaseState(ctx, "nosuch", "x", false), shuttle.ENotFound, "")
	wantCode(t, "SetCaseState bad UTF-8", s.SetCaseState(ctx, "x", "\xfe", false), shuttle.EInvalid, "")
}

func ids(cs []store.Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func participant(caseID, name string, role store.Role) store.Participant {
	return store.Participant{Case: caseID, Name: name, Role: role, TokenHash: store.HashToken(caseID + "/" + name)}
}

func testParticipants(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	mustCreate(t, s, newCase("p", 0), newCase("q", 0))
	if ps, err := s.Participants(ctx, "p"); err != nil || len(ps) != 0 {
		t.Fatalf("Participants of a new case = %v, %v", ps, err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	want := []store.Participant{
		participant("p", "mediator", store.RoleMediator),
		participant("p", "Zoë", store.RoleParty),
		participant("p", "A", store.RoleParty),
		participant("p", "auditor", store.RoleVerifier),
		participant("p", "press", store.RoleObserver),
	}
	want[2].PublicKey = pub
	for _, p := range want {
		if err := s.AddParticipant(ctx, p); err != nil {
			t.Fatalf("AddParticipant(%s): %v", p.Name, err)
		}
	}
	got, err := s.Participants(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "Participants (in the order added)", got, want)

	token, h := store.NewToken()
	if store.HashToken(token) != h || len(token) < 43 {
		t.Fatalf("NewToken = %q with a hash that is not its HashToken", token)
	}
	other := participant("q", "A", store.RoleParty)
	other.TokenHash = h
	if err := s.AddParticipant(ctx, other); err != nil {
		t.Fatal(err)
	}
	p, err := s.ParticipantByTokenHash(ctx, store.HashToken(token))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ParticipantByTokenHash", p, other)
	_, err = s.ParticipantByTokenHash(ctx, store.HashToken("guess"))
	wantCode(t, "ParticipantByTokenHash(unknown)", err, shuttle.ENotFound, "")

	dup := participant("p", "A", store.RoleObserver)
	wantCode(t, "AddParticipant with a taken name", s.AddParticipant(ctx, dup), shuttle.EConflict, "name")
	dup = participant("p", "B", store.RoleParty)
	dup.TokenHash = h // q's A's token
	wantCode(t, "AddParticipant with a taken token", s.AddParticipant(ctx, dup), shuttle.EConflict, "token")
	wantCode(t, "AddParticipant to a missing case", s.AddParticipant(ctx, participant("nosuch", "A", store.RoleParty)), shuttle.ENotFound, "")
	_, err = s.Participants(ctx, "nosuch")
	wantCode(t, "Participants(nosuch)", err, shuttle.ENotFound, "")

	bad := []struct {
		name string
		edit func(*store.Participant)
	}{
		{"no name", func(p *store.Participant) { p.Name = "" }},
		{"name too long", func(p *store.Participant) { p.Name = strings.Repeat("n", store.MaxName+1) }},
		{"name with newline", func(p *store.Participant) { p.Name = "a\nb" }},
		{"unknown role", func(p *store.Participant) { p.Role = "judge" }},
		{"no token hash", func(p *store.Participant) { p.TokenHash = store.TokenHash{} }},
		{"short key", func(p *store.Participant) { p.PublicKey = make([]byte, 31) }},
		{"bad case id", func(p *store.Participant) { p.Case = "p q" }},
	}
	for _, tt := range bad {
		p := participant("p", "new", store.RoleParty)
		tt.edit(&p)
		wantCode(t, "AddParticipant with "+tt.name, s.AddParticipant(ctx, p), shuttle.EInvalid, "")
	}
	if got, _ := s.Participants(ctx, "p"); len(got) != len(want) {
		t.Errorf("failed additions were stored: %d participants", len(got))
	}
}

func testParticipantKey(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	mustCreate(t, s, newCase("k", 0))
	if err := s.AddParticipant(ctx, participant("k", "B", store.RoleParty)); err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	pub2, _, _ := ed25519.GenerateKey(nil)
	if err := s.SetParticipantKey(ctx, "k", "B", pub); err != nil {
		t.Fatal(err)
	}
	if err := s.SetParticipantKey(ctx, "k", "B", pub); err != nil {
		t.Errorf("setting the same key again: %v", err)
	}
	wantCode(t, "SetParticipantKey with another key", s.SetParticipantKey(ctx, "k", "B", pub2), shuttle.EConflict, "")
	p, err := s.ParticipantByTokenHash(ctx, store.HashToken("k/B"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.PublicKey.Equal(pub) {
		t.Errorf("key = %x, want the first one %x", p.PublicKey, pub)
	}
	wantCode(t, "SetParticipantKey(unknown participant)", s.SetParticipantKey(ctx, "k", "C", pub), shuttle.ENotFound, "")
	wantCode(t, "SetParticipantKey(unknown case)", s.SetParticipantKey(ctx, "nosuch", "B", pub), shuttle.ENotFound, "")
	wantCode(t, "SetParticipantKey(short key)", s.SetParticipantKey(ctx, "k", "B", pub[:16]), shuttle.EInvalid, "")
	wantCode(t, "SetParticipantKey(no key)", s.SetParticipantKey(ctx, "k", "B", nil), shuttle.EInvalid, "")
}

func testAppend(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	mustCreate(t, s, newCase("log", 0))
	if es := mustEvents(t, s, "log", 0, 0); len(es) != 0 {
		t.Fatalf("Events of a new case = %v", es)
	}
	first := event("log", 1)
	// An event on a virtual clock, to everyone, with no body: the zero
	// values must read back as themselves.
	second := store.Event{Time: 5 * time.Second, Kind: "deadline"}
	second.Leaf = sha256.Sum256([]byte("deadline"))
	// Wall times in another zone read back in UTC.
	third := event("log", 3)
	third.Wall = third.Wall.In(time.FixedZone("CET", 3600))
	third.To = []string{"B", "A"}
	third.Seq, third.Case = 3, "log" // already what the append gives it
	mustAppend(t, s, "log", 1, "", []store.Event{first})
	mustAppend(t, s, "log", 2, "", []store.Event{second, third})

	want := stored("log", 1, []store.Event{first, second, third})
	want[2].Wall = want[2].Wall.UTC()
	got := mustEvents(t, s, "log", 0, 0)
	diff(t, "Events", got, want)
	if got[2].Wall.Location() != time.UTC {
		t.Errorf("wall time in %v, want UTC", got[2].Wall.Location())
	}
	if got[1].Body != nil || got[1].To != nil || !got[1].Wall.IsZero() {
		t.Errorf("empty fields read back as body %q, to %q, wall %v", got[1].Body, got[1].To, got[1].Wall)
	}
	c, err := s.GetCase(ctx, "log")
	if err != nil || c.Size != 3 {
		t.Errorf("GetCase after 3 events: size %d, %v", c.Size, err)
	}

	pages := []struct {
		after    int64
		limit    int
		wantSeqs []int64
	}{
		{0, 0, []int64{1, 2, 3}},
		{0, -1, []int64{1, 2, 3}},
		{0, 2, []int64{1, 2}},
		{1, 1, []int64{2}},
		{2, 10, []int64{3}},
		{3, 10, nil},
		{99, 0, nil},
	}
	for _, p := range pages {
		es := mustEvents(t, s, "log", p.after, p.limit)
		var seqs []int64
		for _, e := range es {
			seqs = append(seqs, e.Seq)
		}
		diff(t, fmt.Sprintf("Events(after %d, limit %d)", p.after, p.limit), seqs, p.wantSeqs)
	}
}

func testAppendInvalid(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	mustCreate(t, s, newCase("v", 0))
	bad := []struct {
		name string
		next int64
		key  string
		edit func(*store.Event)
	}{
		{"next 0", 0, "", nil},
		{"no kind", 1, "", func(e *store.Event) { e.Kind = "" }},
		{"negative time", 1, "", func(e *store.Event) { e.Time = -1 }},
		{"wall out of range", 1, "", func(e *store.Event) { e.Wall = time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"repeated recipient", 1, "", func(e *store.Event) { e.To = []string{"A", "B", "A"} }},
		{"empty recipient", 1, "", func(e *store.Event) { e.To = []string{""} }},
		{"sender not UTF-8", 1, "", func(e *store.Event) { e.From = "\xc3" }},
		{"body not JSON", 1, "", func(e *store.Event) { e.Body = []byte(`{"a":`) }},
		{"wrong seq", 1, "", func(e *store.Event) { e.Seq = 1 }},
		{"wrong case", 1, "", func(e *store.Event) { e.Case = "w" }},
		{"key too long", 1, strings.Repeat("k", store.MaxKey+1), nil},
		{"key with control", 1, "k\x01", nil},
	}
	for _, tt := range bad {
		e := event("v", 1)
		if tt.edit != nil {
			tt.edit(&e)
		}
		err := s.AppendEvents(ctx, "v", tt.next, tt.key, []store.Event{event("v", 0), e})
		wantCode(t, "AppendEvents with "+tt.name, err, shuttle.EInvalid, "")
	}
	wantCode(t, "AppendEvents of nothing", s.AppendEvents(ctx, "v", 1, "", nil), shuttle.EInvalid, "")
	wantCode(t, "AppendEvents to a bad id", s.AppendEvents(ctx, "v v", 1, "", events("v", 1, 1)), shuttle.EInvalid, "")
	wantCode(t, "AppendEvents to a missing case", s.AppendEvents(ctx, "nosuch", 1, "", events("v", 1, 1)), shuttle.ENotFound, "")
	wantCode(t, "AppendEvents with a key to a missing case", s.AppendEvents(ctx, "nosuch", 1, "k", events("v", 1, 1)), shuttle.ENotFound, "")
	if es := mustEvents(t, s, "v", 0, 0); len(es) != 0 {
		t.Errorf("invalid batches left %d events", len(es))
	}
}

func testAppendConflict(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	mustCreate(t, s, newCase("c", 0))
	mustAppend(t, s, "c", 1, "", events("c", 1, 2))
	for _, next := range []int64{1, 2, 4, 100} {
		err := s.AppendEvents(ctx, "c", next, "", events("x", 0, 2))
		wantCode(t, fmt.Sprintf("AppendEvents at %d of a log of 2", next), err, shuttle.EConflict, "seq")
	}
	mustAppend(t, s, "c", 3, "", events("c", 3, 1))
	diff(t, "log after conflicts", mustEvents(t, s, "c", 0, 0), stored("c", 1, events("c", 1, 3)))
}

func testIdempotency(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	mustCreate(t, s, newCase("i", 0), newCase("j", 0))
	batch := events("first", 1, 2)
	mustAppend(t, s, "i", 1, "req-1", batch)

	// The client did not hear back and retries; the server appends again
	// with the same key, at the old or the new end of the log.
	retry := events("retry", 1, 2)
	for _, next := range []int64{1, 3} {
		err := s.AppendEvents(ctx, "i", next, "req-1", retry)
		wantCode(t, fmt.Sprintf("retry at %d", next), err, shuttle.EConflict, "key")
	}
	got, err := s.EventsByKey(ctx, "i", "req-1")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "EventsByKey", got, stored("i", 1, batch))

	mustAppend(t, s, "i", 3, "req-2", events("second", 3, 1))
	mustAppend(t, s, "i", 4, "", events("nokey", 4, 1))
	got, err = s.EventsByKey(ctx, "i", "req-2")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "EventsByKey(req-2)", got, stored("i", 3, events("second", 3, 1)))
	if n := len(mustEvents(t, s, "i", 0, 0)); n != 4 {
		t.Errorf("log has %d events, want 4", n)
	}

	// Keys belong to their case: the same key elsewhere is another batch,
	// and one case's key finds nothing in another.
	mustAppend(t, s, "j", 1, "req-1", events("j", 1, 1))
	_, err = s.EventsByKey(ctx, "j", "req-2")
	wantCode(t, "EventsByKey(j, i's key)", err, shuttle.ENotFound, "")
	_, err = s.EventsByKey(ctx, "i", "never")
	wantCode(t, "EventsByKey(unused key)", err, shuttle.ENotFound, "")
	_, err = s.EventsByKey(ctx, "nosuch", "req-1")
	wantCode(t, "EventsByKey(missing case)", err, shuttle.ENotFound, "")
	// A failed append does not use up its key.
	err = s.AppendEvents(ctx, "j", 1, "req-3", events("j", 1, 1))
	wantCode(t, "stale append", err, shuttle.EConflict, "seq")
	mustAppend(t, s, "j", 2, "req-3", events("j", 2, 1))
}

func testLargeBatches(t *testing.T, open Opener) {
	s := openStore(t, open)
	mustCreate(t, s, newCase("big", 0))
	// A body of 4 MiB, and a batch long enough to need several INSERTs.
	big := event("big", 1)
	big.Body = []byte(`{"text":"` + strings.Repeat("0123456789abcdef", 1<<18) + `"}`)
	big.Leaf = sha256.Sum256(big.Body)
	mustAppend(t, s, "big", 1, "big", []store.Event{big})
	many := events("many", 2, 1234)
	mustAppend(t, s, "big", 2, "many", many)
	got := mustEvents(t, s, "big", 0, 0)
	if len(got) != 1235 {
		t.Fatalf("read %d events, want 1235", len(got))
	}
	if string(got[0].Body) != string(big.Body) || got[0].Leaf != big.Leaf {
		t.Errorf("large body did not round-trip (%d bytes read)", len(got[0].Body))
	}
	diff(t, "long batch", got[1:], stored("big", 2, many))
	byKey, err := s.EventsByKey(context.Background(), "big", "many")
	if err != nil || len(byKey) != len(many) {
		t.Errorf("EventsByKey(many) = %d events, %v", len(byKey), err)
	}
}

func testUnicode(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	c := newCase("uni", 0)
	c.Name = "Ærø ⇄ 東京 — 𝄞 \u2028 line"
	c.State = "négociation\tronde 2\n"
	c.Scenario = []byte("name: \"Ærø\"\nnotes: \"🕊️\"\n")
	mustCreate(t, s, c)
	p := participant("uni", "Šárka 🕊️", store.RoleParty)
	if err := s.AddParticipant(ctx, p); err != nil {
		t.Fatal(err)
	}
	e := store.Event{
		Kind: "texte.proposé",
		From: "Šárka 🕊️",
		To:   []string{"médiateur", "東京"},
		Body: []byte(`{"note":"𝄞 \u2028 \"quoted\" \\ é","ünï":[1,2.5,-0.25]}`),
	}
	e.Leaf = sha256.Sum256(e.Body)
	mustAppend(t, s, "uni", 1, "clé-🔑", []store.Event{e})

	gotCase, err := s.GetCase(ctx, "uni")
	if err != nil {
		t.Fatal(err)
	}
	c.Size = 1
	diff(t, "unicode case", gotCase, c)
	gotP, err := s.ParticipantByTokenHash(ctx, p.TokenHash)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "unicode participant", gotP, p)
	got, err := s.EventsByKey(ctx, "uni", "clé-🔑")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "unicode event", got, stored("uni", 1, []store.Event{e}))
}

// testScoping checks that what belongs to one case is never found through
// another's id, and that a missing case looks the same whatever is asked.
func testScoping(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	mustCreate(t, s, newCase("one", 0), newCase("two", 0))
	mustAppend(t, s, "one", 1, "k1", events("one", 1, 5))
	mustAppend(t, s, "two", 1, "k2", events("two", 1, 2))
	if err := s.SaveTreeHead(ctx, store.TreeHead{Case: "one", Size: 5, Note: []byte("head of one")}); err != nil {
		t.Fatal(err)
	}
	diff(t, "Events(two)", mustEvents(t, s, "two", 0, 0), stored("two", 1, events("two", 1, 2)))
	if es := mustEvents(t, s, "two", 2, 0); len(es) != 0 {
		t.Errorf("Events(two, after 2) = %d events of another case", len(es))
	}
	_, err := s.EventsByKey(ctx, "two", "k1")
	wantCode(t, "EventsByKey(two, one's key)", err, shuttle.ENotFound, "")
	_, err = s.LatestTreeHead(ctx, "two")
	wantCode(t, "LatestTreeHead(two)", err, shuttle.ENotFound, "")
	if hs, err := s.TreeHeads(ctx, "two"); err != nil || len(hs) != 0 {
		t.Errorf("TreeHeads(two) = %v, %v", hs, err)
	}

	// Every question about a missing case gets the same answer.
	var msgs []string
	check := func(what string, err error) {
		t.Helper()
		wantCode(t, what, err, shuttle.ENotFound, "")
		if err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	_, err = s.GetCase(ctx, "three")
	check("GetCase", err)
	_, err = s.Events(ctx, "three", 0, 0)
	check("Events", err)
	_, err = s.Participants(ctx, "three")
	check("Participants", err)
	_, err = s.LatestTreeHead(ctx, "three")
	check("LatestTreeHead", err)
	_, err = s.TreeHeads(ctx, "three")
	check("TreeHeads", err)
	_, err = s.EventsByKey(ctx, "three", "k1")
	check("EventsByKey", err)
	check("AppendEvents", s.AppendEvents(ctx, "three", 1, "", events("x", 1, 1)))
	check("SetCaseState", s.SetCaseState(ctx, "three", "x", false))
	for _, m := range msgs[1:] {
		if m != msgs[0] {
			t.Errorf("a missing case is reported as %q and as %q", msgs[0], m)
		}
	}
}

// testConcurrentAppends races writers, on two store instances sharing the
// database, to append to one case. Each retries on conflict with a fresh
// size, as a server does; in the end the log must hold every acknowledged
// batch exactly once, contiguously, and nothing else.
func testConcurrentAppends(t *testing.T, open Opener) {
	ctx := context.Background()
	stores := []store.Store{openStore(t, open), openStore(t, open)}
	mustCreate(t, stores[0], newCase("race", 0))
	const writers, batches = 8, 12
	type ack struct {
		key  string
		seq  int64
		size int
	}
	acks := make(chan ack, writers*batches)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			s := stores[w%len(stores)]
			for b := range batches {
				key := fmt.Sprintf("w%d-b%d", w, b)
				es := events(key, 0, 1+(w+b)%3)
				for attempt := 0; ; attempt++ {
					c, err := s.GetCase(ctx, "race")
					if err != nil {
						t.Errorf("GetCase: %v", err)
						return
					}
					err = s.AppendEvents(ctx, "race", c.Size+1, key, es)
					if err == nil {
						acks <- ack{key, c.Size + 1, len(es)}
						break
					}
					if shuttle.ErrorCode(err) != shuttle.EConflict || attempt > 10000 {
						t.Errorf("AppendEvents(%s) attempt %d: %v", key, attempt, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(acks)

	log := mustEvents(t, stores[1], "race", 0, 0)
	for i, e := range log {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: the log has a gap or a fork", i+1, e.Seq)
		}
	}
	total := 0
	seen := map[string]bool{}
	for a := range acks {
		total += a.size
		seen[a.key] = true
		got := log[a.seq-1 : a.seq-1+int64(a.size)]
		diff(t, "batch "+a.key, got, stored("race", a.seq, events(a.key, 0, a.size)))
	}
	if len(seen) != writers*batches || total != len(log) {
		t.Errorf("%d batches acknowledged with %d events; the log has %d", len(seen), total, len(log))
	}
	c, err := stores[0].GetCase(ctx, "race")
	if err != nil || c.Size != int64(len(log)) {
		t.Errorf("case size %d, log %d (%v)", c.Size, len(log), err)
	}
}

func testTreeHeads(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openStore(t, open)
	mustCreate(t, s, newCase("h", 0))
	_, err := s.LatestTreeHead(ctx, "h")
	wantCode(t, "LatestTreeHead with none", err, shuttle.ENotFound, "")
	mustAppend(t, s, "h", 1, "", events("h", 1, 10))
	head := func(size int64) store.TreeHead {
		return store.TreeHead{Case: "h", Size: size, Root: sha256.Sum256(fmt.Appendf(nil, "root %d", size)),
			Note: fmt.Appendf(nil, "inst/case/h\n%d\nroot\n\n— inst sig\n", size)}
	}
	// Saved out of order: the latest is the largest.
	for _, size := range []int64{0, 10, 4} {
		if err := s.SaveTreeHead(ctx, head(size)); err != nil {
			t.Fatalf("SaveTreeHead(%d): %v", size, err)
		}
	}
	if err := s.SaveTreeHead(ctx, head(4)); err != nil {
		t.Errorf("saving the same head again: %v", err)
	}
	latest, err := s.LatestTreeHead(ctx, "h")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "LatestTreeHead", latest, head(10))
	all, err := s.TreeHeads(ctx, "h")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "TreeHeads", all, []store.TreeHead{head(0), head(4), head(10)})

	other := head(4)
	other.Root[0] ^= 1
	wantCode(t, "another head of a saved size", s.SaveTreeHead(ctx, other), shuttle.EConflict, "")
	other = head(4)
	other.Note = []byte("another note")
	wantCode(t, "another note of a saved size", s.SaveTreeHead(ctx, other), shuttle.EConflict, "")
	wantCode(t, "head beyond the log", s.SaveTreeHead(ctx, head(11)), shuttle.EConflict, "")
	wantCode(t, "head of a missing case", s.SaveTreeHead(ctx, store.TreeHead{Case: "nosuch", Note: []byte("n")}), shuttle.ENotFound, "")
	wantCode(t, "head without a note", s.SaveTreeHead(ctx, store.TreeHead{Case: "h", Size: 1}), shuttle.EInvalid, "")
	wantCode(t, "head of negative size", s.SaveTreeHead(ctx, store.TreeHead{Case: "h", Size: -1, Note: []byte("n")}), shuttle.EInvalid, "")
}

// testReopen closes a store with something of everything in it and checks
// that a new one on the same database finds it all and carries on.
func testReopen(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	c := newCase("r", 0)
	mustCreate(t, s, c)
	pub, _, _ := ed25519.GenerateKey(nil)
	p := participant("r", "A", store.RoleParty)
	p.PublicKey = pub
	if err := s.AddParticipant(ctx, p); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, "r", 1, "k", events("r", 1, 3))
	h := store.TreeHead{Case: "r", Size: 3, Root: sha256.Sum256([]byte("r")), Note: []byte("note")}
	if err := s.SaveTreeHead(ctx, h); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, open)
	gotCase, err := s.GetCase(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	c.Size = 3
	diff(t, "case after reopening", gotCase, c)
	openCases, err := s.OpenCases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "OpenCases after reopening", openCases, []store.Case{c})
	gotP, err := s.Participants(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "participants after reopening", gotP, []store.Participant{p})
	diff(t, "events after reopening", mustEvents(t, s, "r", 0, 0), stored("r", 1, events("r", 1, 3)))
	gotH, err := s.LatestTreeHead(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "tree head after reopening", gotH, h)
	wantCode(t, "retry after reopening", s.AppendEvents(ctx, "r", 4, "k", events("r", 4, 1)), shuttle.EConflict, "key")
	mustAppend(t, s, "r", 4, "k2", events("r", 4, 1))
}

// testContext checks that a context already done stops every kind of call
// with its error, and that a write it stopped left nothing.
func testContext(t *testing.T, open Opener) {
	s := openStore(t, open)
	mustCreate(t, s, newCase("ctx", 0))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.AppendEvents(ctx, "ctx", 1, "k", events("ctx", 1, 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("AppendEvents with a canceled context = %v", err)
	}
	if _, err := s.Events(ctx, "ctx", 0, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Events with a canceled context = %v", err)
	}
	if es := mustEvents(t, s, "ctx", 0, 0); len(es) != 0 {
		t.Errorf("a canceled append left %d events", len(es))
	}
	mustAppend(t, s, "ctx", 1, "k", events("ctx", 1, 1))
}

func testClose(t *testing.T, open Opener) {
	s := open(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.ListCases(context.Background()); err == nil {
		t.Error("ListCases after Close succeeded")
	}
	if err := s.CreateCase(context.Background(), newCase("late", 0)); err == nil {
		t.Error("CreateCase after Close succeeded")
	}
}
