package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// seedKey returns a deterministic ed25519 key, so that archives and their
// signatures are reproducible byte for byte.
func seedKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func installationKey(t testing.TB, name string, seed byte) *Key {
	t.Helper()
	k, err := NewKey(name, seedKey(seed))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sample is a small live case: a caucus, an agreement both parties sign,
// and the first phase of its implementation, with tree heads after entries
// 3 and 8 and a final one after entry 12.
type sample struct {
	log       *Log
	key       *Key
	parties   map[string]ed25519.PrivateKey
	agreement int64 // index of the agreement entry
}

func newSample(t testing.TB) *sample {
	t.Helper()
	key := installationKey(t, "mediation.example.org", 1)
	l, err := NewLog("case-2023-11", key)
	if err != nil {
		t.Fatal(err)
	}
	s := &sample{log: l, key: key, parties: map[string]ed25519.PrivateKey{"north": seedKey(2), "south": seedKey(3)}}
	for name, priv := range s.parties {
		if err := l.AddParty(name, priv.Public().(ed25519.PublicKey)); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Date(2023, 11, 21, 7, 0, 0, 0, time.UTC)
	text := map[string]any{"ratio": 3, "releases_per_day": 10, "pause_days": 4, "pause_starts": "07:00", "drone_flights": "none 10:00-16:00"}
	events := []struct {
		at         time.Duration
		kind       string
		from       string
		to         []string
		body       any
		checkpoint bool
	}{
		{0, "case.opened", "mediator", nil, map[string]any{"protocol": "shuttle", "parties": []string{"north", "south"}}, false},
		{90 * time.Second, "confide", "north", []string{"mediator"}, map[string]any{"musthaves": []string{"identification lists"}}, false},
		{2 * time.Minute, "text.proposed", "mediator", []string{"north"}, map[string]any{"round": 1, "text": text}, false},
		{2*time.Hour + 123456789, "objection", "north", []string{"mediator"}, map[string]any{"issue": "ratio", "direction": "down", "strength": 0.75}, true},
		{3 * time.Hour, "text.proposed", "mediator", []string{"south"}, map[string]any{"round": 2, "text": text}, false},
		{26 * time.Hour, "channel.lost", "", []string{"mediator"}, map[string]any{"party": "south", "note": "no answer by telephone"}, false},
		{30 * time.Hour, "accept", "south", []string{"mediator"}, map[string]any{"round": 2}, false},
		{31 * time.Hour, "accept", "north", []string{"mediator"}, map[string]any{"round": 2}, false},
		{32 * time.Hour, "agreement", "mediator", nil, map[string]any{"outcome": text, "utilities": []float64{0.62, 0.58}}, true},
		{48 * time.Hour, "phase.started", "mediator", nil, map[string]any{"phase": 1, "obligations": map[string]int{"north": 30, "south": 10}}, false},
		{50 * time.Hour, "delivery.reported", "south", []string{"mediator", "verifier"}, map[string]any{"phase": 1, "items": 10, "unicode": "Doha — “list” \u2028 ok", "control": "tab\there"}, false},
		{51 * time.Hour, "delivery.confirmed", "verifier", []string{"mediator"}, map[string]any{"phase": 1, "items": 10}, false},
		{52 * time.Hour, "phase.completed", "mediator", nil, map[string]any{"phase": 1, "exposure": -0.5e-7}, false},
	}
	for i, ev := range events {
		e := Entry{Time: ev.at, Wall: start.Add(ev.at), Kind: ev.kind, From: ev.from, To: ev.to, Body: mustJSON(t, ev.body)}
		if _, err := l.Append(e); err != nil {
			t.Fatalf("append event %d: %v", i, err)
		}
		if ev.kind == "agreement" {
			s.agreement = int64(i)
		}
		if ev.checkpoint {
			if _, err := l.Checkpoint(ev.at); err != nil {
				t.Fatal(err)
			}
		}
	}
	agreed, err := l.Entry(s.agreement)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"south", "north"} {
		sig, err := SignAgreement(s.parties[name], l.Origin(), s.agreement, AgreementHash(agreed.Body))
		if err != nil {
			t.Fatal(err)
		}
		if err := l.AddSignature(name, s.agreement, sig); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Checkpoint(53 * time.Hour); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *sample) export(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := s.log.Export(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -update if the change is intended.\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
