package tournament

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/shuttle-mediation/shuttle"
)

// Shard is a slice of a tournament for one machine: shard i of n plays
// the jobs j with j mod n = i-1, which spreads slow scenarios evenly. The
// zero value is the whole tournament.
type Shard struct{ Index, Count int }

// ParseShard reads "i/n", 1 ≤ i ≤ n.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, &shuttle.Error{Code: shuttle.EInvalid, Field: "shard", Message: fmt.Sprintf("%q is not i/n with 1 ≤ i ≤ n", s)}
	}
	return Shard{i, n}, nil
}

func (s Shard) String() string {
	s = s.norm()
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

func (s Shard) norm() Shard {
	if s.Count == 0 {
		return Shard{1, 1}
	}
	return s
}

// Size is how many of a tournament's jobs the shard plays.
func (s Shard) Size(jobs int) int {
	s = s.norm()
	return (jobs - (s.Index - 1) + s.Count - 1) / s.Count
}

// job is the tournament's index of the shard's k-th job.
func (s Shard) job(k int) int {
	s = s.norm()
	return s.Index - 1 + k*s.Count
}

// Options say how a tournament is run; they change no row but its time.
type Options struct {
	// Workers is the number of negotiations played at once; 0 means
	// GOMAXPROCS.
	Workers int
	Shard   Shard
	// Skip is the number of the shard's jobs already done: Run starts
	// with the next one.
	Skip int
	// Time records each negotiation's wall time in its row.
	Time bool
	// Progress, if not nil, is called after each row is emitted with the
	// shard's rows done (skipped ones included) and its total.
	Progress func(done, total int)
}

// window bounds, per worker, how far play may run ahead of the oldest row
// not yet emitted: rows finished out of order wait in a buffer that size.
const window = 256

// batchSize is how many rows a worker hands the writer at once.
const batchSize = 16

// Run plays the shard's jobs from opt.Skip on, in parallel, and calls emit
// with each row in job order, from one goroutine. It returns the first
// error of a job or of emit, or the cause of ctx's end; rows emitted before
// then are complete and contiguous, so that a run stopped by ctx can be
// resumed with Skip set to their count.
func (t *Tournament) Run(ctx context.Context, opt Options, emit func(*Row) error) error {
	shard := opt.Shard.norm()
	if shard.Index < 1 || shard.Index > shard.Count {
		return &shuttle.Error{Code: shuttle.EInvalid, Field: "shard", Message: fmt.Sprintf("shard %s does not exist", shard)}
	}
	total := shard.Size(t.Jobs())
	if opt.Skip < 0 || opt.Skip > total {
		return fmt.Errorf("skip %d of the shard's %d jobs", opt.Skip, total)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(min(workers, total-opt.Skip), 1)
	buffered := window * workers

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type result struct {
		k   int
		row *Row
		err error
	}
	// Workers take jobs in order from a counter, each after taking a
	// credit, which the writer gives back when it emits a row; so no more
	// than buffered jobs are ever played and not yet emitted, and their
	// rows fit in the ring below. Rows go to the writer in batches, to wake
	// it less often; a worker sends what it holds before it waits for a
	// credit, for the writer may be waiting for one of those rows.
	credits := make(chan struct{}, buffered)
	results := make(chan []result, workers)
	var next atomic.Int64
	next.Store(int64(opt.Skip))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var batch []result
			defer func() {
				if len(batch) > 0 {
					results <- batch
				}
			}()
			for ctx.Err() == nil {
				select {
				case credits <- struct{}{}:
				default:
					if len(batch) > 0 {
						results <- batch
						batch = nil
					}
					select {
					case credits <- struct{}{}:
					case <-ctx.Done():
						return
					}
				}
				k := int(next.Add(1) - 1)
				if k >= total {
					return
				}
				row, err := t.Play(ctx, shard.job(k), opt.Time)
				if batch = append(batch, result{k, row, err}); len(batch) == batchSize || err != nil {
					results <- batch
					batch = nil
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	pending := make([]*Row, buffered)
	done := opt.Skip
	var failure error
	for batch := range results {
		for _, res := range batch {
			if res.err != nil {
				// A job stopped by the end of ctx is no error of its own.
				if failure == nil && ctx.Err() == nil {
					failure = res.err
					cancel(res.err)
				}
				continue
			}
			if failure == nil {
				pending[res.k%buffered] = res.row
			}
		}
		for failure == nil && done < total && pending[done%buffered] != nil {
			r := pending[done%buffered]
			pending[done%buffered] = nil
			if err := emit(r); err != nil {
				failure = err
				cancel(err)
				break
			}
			done++
			<-credits
			if opt.Progress != nil {
				opt.Progress(done, total)
			}
		}
	}
	if failure != nil {
		return failure
	}
	if done < total {
		return context.Cause(ctx)
	}
	return nil
}
