package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/shuttle-mediation/shuttle/store/internal/rules"
	"github.com/shuttle-mediation/shuttle/store/internal/sqlstore"
)

// maxGroup bounds how many writes share one commit, so that the last of
// them does not wait too long for the others.
const maxGroup = 512

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
type committer struct {
	db   *sql.DB
	reqs chan *request // unbuffered: a request received is a request answered
	quit chan struct{}
	done chan struct{}
}

type request struct {
	ctx context.Context
	fn  sqlstore.TxFunc
	err chan error // buffered, so that the committer never waits on a caller
}

var errClosed = errors.New("store closed")

func newCommitter(db *sql.DB) *committer {
	c := &committer{db: db, reqs: make(chan *request), quit: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
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

// stop lets the group being committed finish and refuses later writes.
// It is called once.
func (c *committer) stop() {
	close(c.quit)
	<-c.done
}

func (c *committer) run() {
	defer close(c.done)
	group := make([]*request, 0, maxGroup)
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
		c.commit(group)
	}
}

// commit runs a group of writes in one transaction and answers each.
func (c *committer) commit(group []*request) {
	errs := make([]error, len(group))
	answer := func() {
		for i, r := range group {
			r.err <- errs[i]
		}
	}
	fail := func(err error) {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
		answer()
	}
	// The transaction outlives any one caller's context: a caller that
	// gives up must not undo the others' writes.
	ctx := context.Background()
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		fail(rules.Internal("begin write", err))
		return
	}
	for i, r := range group {
		if err := r.ctx.Err(); err != nil {
			errs[i] = fmt.Errorf("write: %w", err)
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT write`); err != nil {
			tx.Rollback()
			fail(rules.Internal("write", err))
			return
		}
		if errs[i] = r.fn(ctx, tx); errs[i] != nil {
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO write`); err != nil {
				tx.Rollback()
				fail(rules.Internal("write", err))
				return
			}
		}
		if _, err := tx.ExecContext(ctx, `RELEASE write`); err != nil {
			tx.Rollback()
			fail(rules.Internal("write", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(rules.Internal("commit", err))
		return
	}
	answer()
}
