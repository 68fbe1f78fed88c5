// Package rules holds what the store implementations share besides the
// interface: the checks every value passes before it is written, the
// errors they report, and the encodings of values SQL has no type for.
package rules

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/store"
)

// Invalid reports a value the store refuses to keep.
func Invalid(field, format string, args ...any) error {
	return &shuttle.Error{Code: shuttle.EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// CaseNotFound is the one error for a case that does not exist, worded
// the same whatever was asked of it.
func CaseNotFound(id string) error {
	return shuttle.Errorf(shuttle.ENotFound, "case %q not found", id)
}

// SeqConflict reports an append that lost the race for the next Seq.
func SeqConflict(caseID string, next int64) error {
	return &shuttle.Error{Code: shuttle.EConflict, Field: "seq",
		Message: fmt.Sprintf("case %q: seq %d is not the next: another writer appended first", caseID, next)}
}

// KeyConflict reports an append whose idempotency key is already used.
func KeyConflict(caseID, key string) error {
	return &shuttle.Error{Code: shuttle.EConflict, Field: "key",
		Message: fmt.Sprintf("case %q: idempotency key %q already used", caseID, key)}
}

// Internal wraps a database failure.
func Internal(op string, err error) error {
	return &shuttle.Error{Code: shuttle.EInternal, Message: op, Err: err}
}

// CaseID checks a case id as package ledger does.
func CaseID(id string) error {
	if len(id) == 0 || len(id) > store.MaxName {
		return Invalid("case", "id must be 1 to %d characters", store.MaxName)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '~' || c == '-') {
			return Invalid("case", "id %q: only letters, digits, '.', '_', '~' and '-' allowed", id)
		}
	}
	return nil
}

// Name checks a participant name, an event kind or an idempotency key:
// UTF-8 of 1 to max bytes without control characters.
func Name(field, s string, max int) error {
	if len(s) == 0 || len(s) > max {
		return Invalid(field, "must be 1 to %d bytes", max)
	}
	return text(field, s, "")
}

// Text checks free text: valid UTF-8 of at most max bytes without control
// characters other than tab and newline.
func Text(field, s string, max int) error {
	if len(s) > max {
		return Invalid(field, "longer than %d bytes", max)
	}
	return text(field, s, "\t\n")
}

func text(field, s, allowed string) error {
	if !utf8.ValidString(s) {
		return Invalid(field, "not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) && !strings.ContainsRune(allowed, r) {
			return Invalid(field, "control character %U", r)
		}
	}
	return nil
}

// Case checks a case about to be created.
func Case(c *store.Case) error {
	if err := CaseID(c.ID); err != nil {
		return err
	}
	if err := Text("name", c.Name, store.MaxText); err != nil {
		return err
	}
	if err := Text("state", c.State, store.MaxText); err != nil {
		return err
	}
	if c.Size != 0 || c.Closed {
		return Invalid("case", "a new case has size 0 and is open")
	}
	if c.Created.IsZero() {
		return Invalid("created", "missing")
	}
	_, err := Nanos("created", c.Created)
	return err
}

// Participant checks a participant about to be added.
func Participant(p *store.Participant) error {
	if err := CaseID(p.Case); err != nil {
		return err
	}
	if err := Name("name", p.Name, store.MaxName); err != nil {
		return err
	}
	switch p.Role {
	case store.RoleMediator, store.RoleParty, store.RoleVerifier, store.RoleObserver:
	default:
		return Invalid("role", "unknown role %q", p.Role)
	}
	if p.TokenHash == (store.TokenHash{}) {
		return Invalid("token", "missing token hash")
	}
	return PublicKey(p.PublicKey)
}

// PublicKey checks an optional ed25519 public key.
func PublicKey(pub []byte) error {
	if pub != nil && len(pub) != 32 {
		return Invalid("public_key", "an ed25519 public key has 32 bytes, not %d", len(pub))
	}
	return nil
}

// Events checks a batch about to be appended to caseID at next.
func Events(caseID string, next int64, key string, events []store.Event) error {
	if err := CaseID(caseID); err != nil {
		return err
	}
	if next < 1 {
		return Invalid("seq", "the first seq is 1, not %d", next)
	}
	if len(events) == 0 {
		return Invalid("events", "nothing to append")
	}
	if key != "" {
		if err := Name("key", key, store.MaxKey); err != nil {
			return err
		}
	}
	for i := range events {
		e := &events[i]
		field := fmt.Sprintf("events[%d]", i)
		if e.Case != "" && e.Case != caseID {
			return Invalid(field, "case %q appended to case %q", e.Case, caseID)
		}
		if e.Seq != 0 && e.Seq != next+int64(i) {
			return Invalid(field, "seq %d appended at %d", e.Seq, next+int64(i))
		}
		if e.Time < 0 {
			return Invalid(field, "negative time")
		}
		if !e.Wall.IsZero() {
			if _, err := Nanos(field+".wall", e.Wall); err != nil {
				return err
			}
		}
		if err := Name(field+".kind", e.Kind, store.MaxName); err != nil {
			return err
		}
		if e.From != "" {
			if err := Name(field+".from", e.From, store.MaxName); err != nil {
				return err
			}
		}
		for j, to := range e.To {
			if err := Name(field+".to", to, store.MaxName); err != nil {
				return err
			}
			for _, prev := range e.To[:j] {
				if prev == to {
					return Invalid(field+".to", "%q repeated", to)
				}
			}
		}
		if len(e.Body) > 0 && !json.Valid(e.Body) {
			return Invalid(field+".body", "not JSON")
		}
	}
	return nil
}

// TreeHead checks a tree head about to be saved.
func TreeHead(h *store.TreeHead) error {
	if err := CaseID(h.Case); err != nil {
		return err
	}
	if h.Size < 0 {
		return Invalid("size", "negative")
	}
	if len(h.Note) == 0 {
		return Invalid("note", "missing")
	}
	return nil
}

// minTime and maxTime bound the times an int64 of nanoseconds since 1970
// holds: the years 1678 to 2262.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// Nanos is t in nanoseconds since 1970 UTC, as the stores keep times so
// that they round-trip exactly in SQLite and PostgreSQL alike.
func Nanos(field string, t time.Time) (int64, error) {
	if t.Before(minTime) || t.After(maxTime) {
		return 0, Invalid(field, "time %v outside the years 1678 to 2262", t)
	}
	return t.UnixNano(), nil
}

// Time is the inverse of Nanos, in UTC.
func Time(nanos int64) time.Time {
	return time.Unix(0, nanos).UTC()
}

// EncodeTo encodes a recipient set for a text column.
func EncodeTo(to []string) string {
	if len(to) == 0 {
		return ""
	}
	b, _ := json.Marshal(to) // strings always marshal
	return string(b)
}

// DecodeTo is the inverse of EncodeTo.
func DecodeTo(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var to []string
	if err := json.Unmarshal([]byte(s), &to); err != nil {
		return nil, fmt.Errorf("recipients %q: %w", s, err)
	}
	return to, nil
}
