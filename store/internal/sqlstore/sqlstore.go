// Package sqlstore implements store.Store over database/sql, once for both
// SQL databases. What differs between them is passed in: how a write
// transaction runs (SQLite commits concurrent writes in groups, PostgreSQL
// runs each in its own transaction), how placeholders are written and how
// a uniqueness violation is recognised. The schema, which each database
// creates with its own migrations, has the same tables and columns in
// both.
package sqlstore

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/store"
	"github.com/shuttle-mediation/shuttle/store/internal/rules"
)

// A Tx runs the statements of a write transaction.
type Tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// A TxFunc is the body of a write transaction. It returns a store error to
// undo its own writes; the transaction itself is committed by the Writer.
type TxFunc func(ctx context.Context, tx Tx) error

// A Writer runs fn in a write transaction and returns once that
// transaction is durably committed, or fn's error if fn failed, in which
// case none of fn's writes are kept.
type Writer func(ctx context.Context, fn TxFunc) error

// A Dialect is what the SQL of the two databases does not share.
type Dialect struct {
	// Placeholder writes the nth (from 1) query parameter.
	Placeholder func(n int) string
	// ForUpdate is appended to a SELECT to lock the rows it reads
	// until the transaction ends, where writers can run concurrently.
	ForUpdate string
	// IsUnique reports whether err is a uniqueness violation.
	IsUnique func(error) bool
	// RowsPerInsert is how many events one INSERT writes at most: many
	// where each statement is a round trip to a server, few where
	// statements run in-process and are prepared once for each length.
	RowsPerInsert int
}

// A Store is a store.Store over database/sql.
type Store struct {
	read     *sql.DB
	write    Writer
	d        Dialect
	close    func() error
	once     sync.Once
	closeErr error
	queries  sync.Map // query → query rewritten by q
	inserts  sync.Map // number of events → insertSQL
}

// New returns a Store that reads through read, writes through write and
// calls close once, on the first Close.
func New(read *sql.DB, write Writer, d Dialect, close func() error) *Store {
	return &Store{read: read, write: write, d: d, close: close}
}

// Close implements store.Store.
func (s *Store) Close() error {
	s.once.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

// q rewrites a query written with $1, $2, ... for the dialect.
func (s *Store) q(query string) string {
	if q, ok := s.queries.Load(query); ok {
		return q.(string)
	}
	q := s.rewrite(query)
	s.queries.Store(query, q)
	return q
}

func (s *Store) rewrite(query string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(query, '$')
		if i < 0 {
			b.WriteString(query)
			return b.String()
		}
		b.WriteString(query[:i])
		j := i + 1
		for j < len(query) && '0' <= query[j] && query[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(query[i+1 : j]) // the queries below are all well formed
		b.WriteString(s.d.Placeholder(n))
		query = query[j:]
	}
}

// dbErr wraps a failure of the database itself.
func dbErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *shuttle.Error
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return rules.Internal(op, err)
}

const caseColumns = `id, name, created, state, closed, size, scenario, meta`

func scanCase(row interface{ Scan(...any) error }) (store.Case, error) {
	var c store.Case
	var created int64
	err := row.Scan(&c.ID, &c.Name, &created, &c.State, &c.Closed, &c.Size, &c.Scenario, &c.Meta)
	c.Created = rules.Time(created)
	c.Scenario = nilIfEmpty(c.Scenario)
	c.Meta = nilIfEmpty(c.Meta)
	return c, err
}

// nilIfEmpty makes absent and empty blobs read back alike, whichever the
// driver returns.
func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// CreateCase implements store.Store.
func (s *Store) CreateCase(ctx context.Context, c store.Case) error {
	if err := rules.Case(&c); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO cases (`+caseColumns+`)
			VALUES ($1, $2, $3, $4, $5, 0, $6, $7) ON CONFLICT DO NOTHING`),
			c.ID, c.Name, c.Created.UnixNano(), c.State, false, c.Scenario, c.Meta)
		if err != nil {
			return dbErr("create case", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return shuttle.Errorf(shuttle.EConflict, "case %q already exists", c.ID)
		}
		return nil
	})
}

// GetCase implements store.Store.
func (s *Store) GetCase(ctx context.Context, id string) (store.Case, error) {
	c, err := scanCase(s.read.QueryRowContext(ctx, s.q(`SELECT `+caseColumns+` FROM cases WHERE id = $1`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Case{}, rules.CaseNotFound(id)
	}
	if err != nil {
		return store.Case{}, dbErr("get case", err)
	}
	return c, nil
}

// ListCases implements store.Store.
func (s *Store) ListCases(ctx context.Context) ([]store.Case, error) {
	return s.cases(ctx, `SELECT `+caseColumns+` FROM cases ORDER BY created, id`)
}

// OpenCases implements store.Store.
func (s *Store) OpenCases(ctx context.Context) ([]store.Case, error) {
	return s.cases(ctx, `SELECT `+caseColumns+` FROM cases WHERE NOT closed ORDER BY created, id`)
}

func (s *Store) cases(ctx context.Context, query string) ([]store.Case, error) {
	rows, err := s.read.QueryContext(ctx, query)
	if err != nil {
		return nil, dbErr("list cases", err)
	}
	defer rows.Close()
	var cs []store.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, dbErr("list cases", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("list cases", err)
	}
	return cs, nil
}

// lockCase reads a case's size, keeping other writers off its row until
// tx ends.
func (s *Store) lockCase(ctx context.Context, tx Tx, id string) (size int64, err error) {
	err = tx.QueryRowContext(ctx, s.q(`SELECT size FROM cases WHERE id = $1`+s.d.ForUpdate), id).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, rules.CaseNotFound(id)
	}
	if err != nil {
		return 0, dbErr("lock case", err)
	}
	return size, nil
}

// SetCaseState implements store.Store.
func (s *Store) SetCaseState(ctx context.Context, id, state string, closed bool) error {
	if err := rules.CaseID(id); err != nil {
		return err
	}
	if err := rules.Text("state", state, store.MaxText); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := s.lockCase(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`UPDATE cases SET state = $2, closed = $3 WHERE id = $1`), id, state, closed)
		return dbErr("set case state", err)
	})
}

// caseExists tells apart an empty answer from a missing case.
func (s *Store) caseExists(ctx context.Context, id string) error {
	var one int
	err := s.read.QueryRowContext(ctx, s.q(`SELECT 1 FROM cases WHERE id = $1`), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return rules.CaseNotFound(id)
	}
	if err != nil {
		return dbErr("find case", err)
	}
	return nil
}

const participantColumns = `case_id, name, role, token_hash, public_key`

func scanParticipant(row interface{ Scan(...any) error }) (store.Participant, error) {
	var p store.Participant
	var hash, pub []byte
	if err := row.Scan(&p.Case, &p.Name, &p.Role, &hash, &pub); err != nil {
		return p, err
	}
	if len(hash) != len(p.TokenHash) {
		return p, fmt.Errorf("participant %q of case %q: token hash of %d bytes", p.Name, p.Case, len(hash))
	}
	copy(p.TokenHash[:], hash)
	if len(pub) > 0 {
		p.PublicKey = ed25519.PublicKey(pub)
	}
	return p, nil
}

// AddParticipant implements store.Store.
func (s *Store) AddParticipant(ctx context.Context, p store.Participant) error {
	if err := rules.Participant(&p); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := s.lockCase(ctx, tx, p.Case); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO participants (`+participantColumns+`)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`),
			p.Case, p.Name, string(p.Role), p.TokenHash[:], []byte(p.PublicKey))
		if err != nil {
			return dbErr("add participant", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			return nil
		}
		var one int
		err = tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM participants WHERE case_id = $1 AND name = $2`), p.Case, p.Name).Scan(&one)
		switch {
		case err == nil:
			return &shuttle.Error{Code: shuttle.EConflict, Field: "name", Message: fmt.Sprintf("case %q already has a participant %q", p.Case, p.Name)}
		case errors.Is(err, sql.ErrNoRows):
			return &shuttle.Error{Code: shuttle.EConflict, Field: "token", Message: "token hash already in use"}
		}
		return dbErr("add participant", err)
	})
}

// Participants implements store.Store.
func (s *Store) Participants(ctx context.Context, caseID string) ([]store.Participant, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT `+participantColumns+` FROM participants WHERE case_id = $1 ORDER BY added`), caseID)
	if err != nil {
		return nil, dbErr("list participants", err)
	}
	defer rows.Close()
	var ps []store.Participant
	for rows.Next() {
		p, err := scanParticipant(rows)
		if err != nil {
			return nil, dbErr("list participants", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("list participants", err)
	}
	if len(ps) == 0 {
		return nil, s.caseExists(ctx, caseID)
	}
	return ps, nil
}

// ParticipantByTokenHash implements store.Store.
func (s *Store) ParticipantByTokenHash(ctx context.Context, h store.TokenHash) (store.Participant, error) {
	p, err := scanParticipant(s.read.QueryRowContext(ctx, s.q(`SELECT `+participantColumns+` FROM participants WHERE token_hash = $1`), h[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Participant{}, shuttle.Errorf(shuttle.ENotFound, "no participant has this token")
	}
	if err != nil {
		return store.Participant{}, dbErr("find participant", err)
	}
	return p, nil
}

// SetParticipantKey implements store.Store.
func (s *Store) SetParticipantKey(ctx context.Context, caseID, name string, pub ed25519.PublicKey) error {
	if err := rules.CaseID(caseID); err != nil {
		return err
	}
	if len(pub) == 0 {
		return rules.Invalid("public_key", "missing")
	}
	if err := rules.PublicKey(pub); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx Tx) error {
		var old []byte
		err := tx.QueryRowContext(ctx, s.q(`SELECT public_key FROM participants WHERE case_id = $1 AND name = $2`+s.d.ForUpdate), caseID, name).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := s.lockCase(ctx, tx, caseID); err != nil {
				return err
			}
			return shuttle.Errorf(shuttle.ENotFound, "case %q has no participant %q", caseID, name)
		}
		if err != nil {
			return dbErr("set participant key", err)
		}
		if len(old) > 0 {
			if ed25519.PublicKey(old).Equal(pub) {
				return nil
			}
			return shuttle.Errorf(shuttle.EConflict, "participant %q of case %q already has another key", name, caseID)
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE participants SET public_key = $3 WHERE case_id = $1 AND name = $2`), caseID, name, []byte(pub))
		return dbErr("set participant key", err)
	})
}

// eventColumns are the columns of an event row after case_id.
const eventColumns = `seq, time, wall, kind, sender, recipients, body, leaf`

// AppendEvents implements store.Store.
func (s *Store) AppendEvents(ctx context.Context, caseID string, next int64, key string, events []store.Event) error {
	if err := rules.Events(caseID, next, key, events); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx Tx) error {
		if key != "" {
			// Reported before a stale seq, so that a retry learns at once
			// that its batch is in; checked again below against a
			// concurrent retry.
			var one int
			err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM batches WHERE case_id = $1 AND key = $2`), caseID, key).Scan(&one)
			if err == nil {
				return rules.KeyConflict(caseID, key)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return dbErr("append events", err)
			}
		}
		// The update is the serialisation point: it takes the case's row
		// and succeeds only for the writer that expected the right size.
		// Taking the row before anything else keeps the lock order the
		// same in every transaction.
		res, err := tx.ExecContext(ctx, s.q(`UPDATE cases SET size = size + $3 WHERE id = $1 AND size = $2`),
			caseID, next-1, len(events))
		if err != nil {
			return dbErr("append events", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err := s.caseExistsTx(ctx, tx, caseID); err != nil {
				return err
			}
			return rules.SeqConflict(caseID, next)
		}
		if key != "" {
			res, err := tx.ExecContext(ctx, s.q(`INSERT INTO batches (case_id, key, first_seq, count)
				VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`), caseID, key, next, len(events))
			if err != nil {
				return dbErr("append events", err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return rules.KeyConflict(caseID, key)
			}
		}
		for start := 0; start < len(events); start += s.d.RowsPerInsert {
			end := min(start+s.d.RowsPerInsert, len(events))
			if err := s.insertEvents(ctx, tx, caseID, next+int64(start), events[start:end]); err != nil {
				return err
			}
		}
		return nil
	})
}

// caseExistsTx is caseExists within a write transaction.
func (s *Store) caseExistsTx(ctx context.Context, tx Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM cases WHERE id = $1`), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return rules.CaseNotFound(id)
	}
	if err != nil {
		return dbErr("find case", err)
	}
	return nil
}

func (s *Store) insertEvents(ctx context.Context, tx Tx, caseID string, first int64, events []store.Event) error {
	args := make([]any, 0, eventParams*len(events))
	for i := range events {
		e := &events[i]
		var wall sql.NullInt64
		if !e.Wall.IsZero() {
			wall = sql.NullInt64{Int64: e.Wall.UnixNano(), Valid: true}
		}
		args = append(args, caseID, first+int64(i), int64(e.Time), wall, e.Kind, e.From, rules.EncodeTo(e.To), e.Body, e.Leaf[:])
	}
	if _, err := tx.ExecContext(ctx, s.insertSQL(len(events)), args...); err != nil {
		if s.d.IsUnique(err) {
			return rules.SeqConflict(caseID, first)
		}
		return dbErr("append events", err)
	}
	return nil
}

// eventParams is the number of columns of an event row.
const eventParams = 9

// insertSQL returns the statement inserting n events.
func (s *Store) insertSQL(n int) string {
	if q, ok := s.inserts.Load(n); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO events (case_id, ` + eventColumns + `) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range eventParams {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteString(s.d.Placeholder(i*eventParams + c + 1))
		}
		b.WriteByte(')')
	}
	s.inserts.Store(n, b.String())
	return b.String()
}

// Events implements store.Store.
func (s *Store) Events(ctx context.Context, caseID string, after int64, limit int) ([]store.Event, error) {
	if limit <= 0 {
		limit = math.MaxInt64
	}
	return s.events(ctx, caseID, after, int64(limit))
}

func (s *Store) events(ctx context.Context, caseID string, after, limit int64) ([]store.Event, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT `+eventColumns+` FROM events
		WHERE case_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`), caseID, after, limit)
	if err != nil {
		return nil, dbErr("read events", err)
	}
	defer rows.Close()
	var es []store.Event
	for rows.Next() {
		e := store.Event{Case: caseID}
		var t int64
		var wall sql.NullInt64
		var to string
		var leaf []byte
		if err := rows.Scan(&e.Seq, &t, &wall, &e.Kind, &e.From, &to, &e.Body, &leaf); err != nil {
			return nil, dbErr("read events", err)
		}
		e.Time = time.Duration(t)
		if wall.Valid {
			e.Wall = rules.Time(wall.Int64)
		}
		if e.To, err = rules.DecodeTo(to); err != nil {
			return nil, rules.Internal(fmt.Sprintf("read event %d of case %q", e.Seq, caseID), err)
		}
		e.Body = nilIfEmpty(e.Body)
		if len(leaf) != len(e.Leaf) {
			return nil, rules.Internal("read events", fmt.Errorf("event %d of case %q: leaf hash of %d bytes", e.Seq, caseID, len(leaf)))
		}
		copy(e.Leaf[:], leaf)
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("read events", err)
	}
	if len(es) == 0 {
		return nil, s.caseExists(ctx, caseID)
	}
	return es, nil
}

// EventsByKey implements store.Store.
func (s *Store) EventsByKey(ctx context.Context, caseID, key string) ([]store.Event, error) {
	var first, count int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT first_seq, count FROM batches WHERE case_id = $1 AND key = $2`), caseID, key).Scan(&first, &count)
	if errors.Is(err, sql.ErrNoRows) {
		if err := s.caseExists(ctx, caseID); err != nil {
			return nil, err
		}
		return nil, shuttle.Errorf(shuttle.ENotFound, "case %q has no batch with key %q", caseID, key)
	}
	if err != nil {
		return nil, dbErr("read batch", err)
	}
	return s.events(ctx, caseID, first-1, count)
}

// SaveTreeHead implements store.Store.
func (s *Store) SaveTreeHead(ctx context.Context, h store.TreeHead) error {
	if err := rules.TreeHead(&h); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx Tx) error {
		size, err := s.lockCase(ctx, tx, h.Case)
		if err != nil {
			return err
		}
		if h.Size > size {
			return shuttle.Errorf(shuttle.EConflict, "case %q has %d events, fewer than the tree head's %d", h.Case, size, h.Size)
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO tree_heads (case_id, size, root, note) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`), h.Case, h.Size, h.Root[:], h.Note)
		if err != nil {
			return dbErr("save tree head", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			return nil
		}
		old, err := scanTreeHead(h.Case, tx.QueryRowContext(ctx, s.q(`SELECT size, root, note FROM tree_heads WHERE case_id = $1 AND size = $2`), h.Case, h.Size))
		if err != nil {
			return dbErr("save tree head", err)
		}
		if old.Root != h.Root || string(old.Note) != string(h.Note) {
			return shuttle.Errorf(shuttle.EConflict, "case %q already has another tree head of size %d", h.Case, h.Size)
		}
		return nil
	})
}

func scanTreeHead(caseID string, row interface{ Scan(...any) error }) (store.TreeHead, error) {
	h := store.TreeHead{Case: caseID}
	var root []byte
	if err := row.Scan(&h.Size, &root, &h.Note); err != nil {
		return h, err
	}
	if len(root) != len(h.Root) {
		return h, fmt.Errorf("tree head %d of case %q: root of %d bytes", h.Size, caseID, len(root))
	}
	copy(h.Root[:], root)
	return h, nil
}

// LatestTreeHead implements store.Store.
func (s *Store) LatestTreeHead(ctx context.Context, caseID string) (store.TreeHead, error) {
	h, err := scanTreeHead(caseID, s.read.QueryRowContext(ctx, s.q(`SELECT size, root, note FROM tree_heads
		WHERE case_id = $1 ORDER BY size DESC LIMIT 1`), caseID))
	if errors.Is(err, sql.ErrNoRows) {
		if err := s.caseExists(ctx, caseID); err != nil {
			return store.TreeHead{}, err
		}
		return store.TreeHead{}, shuttle.Errorf(shuttle.ENotFound, "case %q has no tree head yet", caseID)
	}
	if err != nil {
		return store.TreeHead{}, dbErr("read tree head", err)
	}
	return h, nil
}

// TreeHeads implements store.Store.
func (s *Store) TreeHeads(ctx context.Context, caseID string) ([]store.TreeHead, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT size, root, note FROM tree_heads WHERE case_id = $1 ORDER BY size`), caseID)
	if err != nil {
		return nil, dbErr("read tree heads", err)
	}
	defer rows.Close()
	var hs []store.TreeHead
	for rows.Next() {
		h, err := scanTreeHead(caseID, rows)
		if err != nil {
			return nil, dbErr("read tree heads", err)
		}
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("read tree heads", err)
	}
	if len(hs) == 0 {
		return nil, s.caseExists(ctx, caseID)
	}
	return hs, nil
}
