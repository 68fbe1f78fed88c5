package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shuttle-mediation/shuttle/store/internal/rules"
	"github.com/shuttle-mediation/shuttle/store/internal/sqlstore"
)

// maxGroup bounds how many writes share one commit, so that the last of
// them does not wait too long for the others. A variable so that a
// benchmark can show what committing one write at a time costs.
var maxGroup = 512

// lingerFor is how long a busy committer waits for company; see linger.
const lingerFor = 500 * time.Microsecond

// A committer runs every write of a store on its one connection and
// commits them in groups. A durable commit costs an fsync, a millisecond
// or more on most disks, and SQLite commits one transaction at a time, so
// committing each write alone would cap a store at a few hundred writes a
// second whatever the number of cases. Instead, the writes that arrive
// while a commit is flushing are run together in the next transaction,
// each inside its own savepoint so that one failing undoes only itself,
// and one fsync acknowledges them all. Under load the groups grow and the
// rate of fsyncs stays what the disk allows; alone, a write waits for no
// one.
//
// The connection is the committer's alone, so it keeps every statement it
// runs prepared: parsing SQL would otherwise cost more than running it.
type committer struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
	reqs  chan *request // unbuffered: a request received is a request answered
	quit  chan struct{}
	done  chan struct{}
}

type request struct {
	ctx context.Context
	fn  sqlstore.TxFunc
	err chan error // buffered, so that the committer never waits on a caller
}

var errClosed = errors.New("store closed")

func newCommitter(ctx context.Context, db *sql.DB) (*committer, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	c := &committer{
		conn:  conn,
		stmts: map[string]*sql.Stmt{},
		reqs:  make(chan *request),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go c.run()
	return c, nil
}

// write implements sqlstore.Writer.
func (c *committer) write(ctx context.Context, fn sqlstore.TxFunc) error {
	r := &request{ctx: ctx, fn: fn, err: make(chan error, 1)}
	select {
	case c.reqs <- r:
	case <-c.quit:
		return rules.Internal("write", errClosed)
	case <-ctx.Done():
		return fmt.Errorf("write: %w", ctx.Err())
	}
	select {
	case err := <-r.err:
		return err
	case <-ctx.Done():
		// The write may still be committed; see the package
		// documentation of store.
		return fmt.Errorf("write: %w", ctx.Err())
	}
}

// stop lets the group being committed finish, refuses later writes and
// releases the connection. It is called once.
func (c *committer) stop() error {
	close(c.quit)
	<-c.done
	for _, st := range c.stmts {
		st.Close()
	}
	return c.conn.Close()
}

func (c *committer) run() {
	defer close(c.done)
	group := make([]*request, 0, maxGroup)
	prev := 0 // the last group's size
	for {
		select {
		case r := <-c.reqs:
			group = append(group[:0], r)
		case <-c.quit:
			return
		}
	gather:
		for len(group) < maxGroup {
			select {
			case r := <-c.reqs:
				group = append(group, r)
			default:
				break gather
			}
		}
		if prev > 1 {
			c.linger(&group)
		}
		prev = len(group)
		c.commit(group)
	}
}

// linger waits up to lingerFor for more writes to join the group. It is
// called only when the last group had company: then writers are many, a
// commit's fsync and log frames cost far more than the wait, and sharing
// them among more writes leaves the machine more time for everything else.
// A lone writer never waits.
func (c *committer) linger(group *[]*request) {
	t := time.NewTimer(lingerFor)
	defer t.Stop()
	for len(*group) < maxGroup {
		select {
		case r := <-c.reqs:
			*group = append(*group, r)
		case <-t.C:
			return
		}
	}
}

// ExecContext runs a statement of the transaction being committed.
func (c *committer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryRowContext runs a query of the transaction being committed.
func (c *committer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, query)
	if err != nil {
		// A Row carries its error to Scan; a query that cannot be
		// prepared fails the same way when the connection runs it.
		return c.conn.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (c *committer) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

// commit runs a group of writes in one transaction and answers each.
//
// Writes rarely fail (a stale sequence number, a duplicate key), so the
// group first runs as it is, with no savepoint around each write, which
// would double the statements a write costs. If a write fails, the
// transaction is undone and the group run again with each write inside a
// savepoint of its own, so that the failure undoes only that write.
func (c *committer) commit(group []*request) {
	errs := make([]error, len(group))
	defer func() {
		for i, r := range group {
			r.err <- errs[i]
		}
	}()
	if c.try(group, errs, false) {
		return
	}
	clear(errs)
	c.try(group, errs, true)
}

// try runs group in one transaction, each write in a savepoint if isolate
// is set, and commits unless a write failed without one. It reports
// whether the group is done: committed, or failed as a whole.
func (c *committer) try(group []*request, errs []error, isolate bool) bool {
	// The transaction outlives any one caller's context: a caller that
	// gives up must not undo the others' writes.
	ctx := context.Background()
	// abort undoes the whole transaction, failing every write in it.
	abort := func(op string, err error) bool {
		c.ExecContext(ctx, `ROLLBACK`)
		for i := range errs {
			if errs[i] == nil {
				errs[i] = rules.Internal(op, err)
			}
		}
		return true
	}
	if _, err := c.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return abort("begin write", err)
	}
	for i, r := range group {
		if err := r.ctx.Err(); err != nil {
			errs[i] = fmt.Errorf("write: %w", err)
			continue
		}
		if !isolate {
			if errs[i] = r.fn(ctx, c); errs[i] != nil {
				c.ExecContext(ctx, `ROLLBACK`)
				return false
			}
			continue
		}
		if _, err := c.ExecContext(ctx, `SAVEPOINT write`); err != nil {
			return abort("write", err)
		}
		if errs[i] = r.fn(ctx, c); errs[i] != nil {
			if _, err := c.ExecContext(ctx, `ROLLBACK TO write`); err != nil {
				return abort("write", err)
			}
		}
		if _, err := c.ExecContext(ctx, `RELEASE write`); err != nil {
			return abort("write", err)
		}
	}
	if _, err := c.ExecContext(ctx, `COMMIT`); err != nil {
		return abort("commit", err)
	}
	return true
}
