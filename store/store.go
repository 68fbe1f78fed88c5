package store

import (
	"context"
	"crypto/ed25519"
	"time"
)

// A Store keeps the server's cases durably. Its methods are safe for
// concurrent use, and several Stores (several server instances) may share
// one database.
type Store interface {
	// CreateCase records a new, open case of size 0. c.ID must be new;
	// c.Size and c.Closed must be zero. Created is kept to the nanosecond.
	CreateCase(ctx context.Context, c Case) error
	// GetCase returns the case with id.
	GetCase(ctx context.Context, id string) (Case, error)
	// ListCases returns every case, oldest first (by Created, then ID).
	ListCases(ctx context.Context) ([]Case, error)
	// OpenCases returns the cases not closed, oldest first: those a
	// server resumes when it starts.
	OpenCases(ctx context.Context) ([]Case, error)
	// SetCaseState replaces the summary state of a case and says whether
	// it is closed.
	SetCaseState(ctx context.Context, id, state string, closed bool) error

	// AddParticipant adds p to its case. Its name must be new in the case
	// and its token hash new in the store.
	AddParticipant(ctx context.Context, p Participant) error
	// Participants returns the participants of a case, in the order they
	// were added.
	Participants(ctx context.Context, caseID string) ([]Participant, error)
	// ParticipantByTokenHash returns the participant whose token has hash
	// h (see HashToken), in whichever case it is.
	ParticipantByTokenHash(ctx context.Context, h TokenHash) (Participant, error)
	// SetParticipantKey records the ed25519 public key with which a
	// participant signs. A key once set is never replaced: setting the
	// same key again does nothing and a different one is a conflict, so
	// that a signature made with the first key stays checkable.
	SetParticipantKey(ctx context.Context, caseID, name string, pub ed25519.PublicKey) error

	// AppendEvents appends events to the case's log as one atomic batch,
	// the first getting Seq next and the others the following ones, and
	// returns once the batch is durable. It fails with shuttle.EConflict
	// (Field "seq") if the case's next Seq is not next, because another
	// writer appended first, and with shuttle.EConflict (Field "key") if
	// key, unless empty, was used by an earlier batch of the case; see
	// the package documentation. An event's Case and Seq may be left
	// zero; if set they must be what the append gives it.
	AppendEvents(ctx context.Context, caseID string, next int64, key string, events []Event) error
	// Events returns the case's events with Seq greater than after, in
	// order, at most limit of them (all if limit <= 0).
	Events(ctx context.Context, caseID string, after int64, limit int) ([]Event, error)
	// EventsByKey returns the batch appended with the idempotency key in
	// the case.
	EventsByKey(ctx context.Context, caseID, key string) ([]Event, error)

	// SaveTreeHead keeps a signed tree head of a case's log. Its size may
	// not exceed the case's; saving the same head again does nothing, and
	// a different head of a size already saved is a conflict.
	SaveTreeHead(ctx context.Context, h TreeHead) error
	// LatestTreeHead returns the case's saved head of the greatest size.
	LatestTreeHead(ctx context.Context, caseID string) (TreeHead, error)
	// TreeHeads returns the case's saved heads, smallest first, as an
	// archive needs them.
	TreeHeads(ctx context.Context, caseID string) ([]TreeHead, error)

	// Close releases the database. Calling it again does nothing.
	Close() error
}

// A Case is a mediation: one event log with its participants.
type Case struct {
	// ID names the case in URLs and in its log's origin: 1 to 128
	// letters, digits, '.', '_', '~' or '-', as package ledger requires.
	ID string
	// Name is for people: any text up to MaxText bytes.
	Name    string
	Created time.Time
	// State summarises where the case stands ("negotiating", "agreed",
	// ...), for listings; the log says so authoritatively.
	State string
	// Closed cases are finished: servers do not resume them.
	Closed bool
	// Size is the number of events in the case's log, so the next event
	// gets Seq Size+1. The store maintains it.
	Size int64
	// Scenario is the scenario the case runs, as its YAML source.
	Scenario []byte
	// Meta is whatever else the server keeps with a case (its mediator's
	// installation key, say), opaque to the store.
	Meta []byte
}

// A Role is what a participant does in a case.
type Role string

// The roles a participant may have.
const (
	RoleMediator Role = "mediator"
	RoleParty    Role = "party"
	RoleVerifier Role = "verifier" // confirms phases of an agreement's implementation
	RoleObserver Role = "observer"
)

// A Participant is someone taking part in a case, known by a token.
type Participant struct {
	Case string
	// Name identifies the participant within the case, as events' From
	// and To do.
	Name      string
	Role      Role
	TokenHash TokenHash
	// PublicKey is the participant's ed25519 key, or nil if it has none
	// (yet).
	PublicKey ed25519.PublicKey
}

// An Event is one entry of a case's log.
type Event struct {
	Case string
	// Seq is the event's position in the log, from 1.
	Seq int64
	// Time is when the event happened on the case's clock, since the case
	// started; Wall is the wall-clock time, zero on a virtual clock. They
	// are ledger.Entry's Time and Wall.
	Time time.Duration
	Wall time.Time
	Kind string
	// From is the participant who caused the event, "" for the case
	// itself; To the participants it is addressed to, a set kept in the
	// order given, empty for everyone.
	From string
	To   []string
	// Body is the event's content, canonical JSON; nil for none.
	Body []byte
	// Leaf is the event's Merkle leaf hash, as the caller computed it.
	Leaf [32]byte
}

// A TreeHead is a signed tree head of a case's log.
type TreeHead struct {
	Case string
	// Size is the number of events the head covers: those with Seq 1 to
	// Size.
	Size int64
	Root [32]byte
	// Note is the signed note, as parties save it.
	Note []byte
}

// Limits on the text a store keeps; longer values are refused as invalid.
const (
	MaxName = 128  // participant, kind and case ids, in bytes
	MaxKey  = 255  // idempotency keys
	MaxText = 4096 // case names and states
)
