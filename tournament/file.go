package tournament

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/shuttle-mediation/shuttle"
)

// RunFile runs the tournament (or opt.Shard of it) into the rows file at
// path, in the format its name says (see FormatOf), and returns the summary
// of every row in the file. Rows are written as they come, so memory does
// not grow with the number of negotiations. When ctx ends, the rows done so
// far are written out and the error says how many.
//
// With resume, the rows already in the file are checked to be this
// tournament's and this shard's, in order; a last line cut short (by a
// crash) is dropped, and the run continues with the next job, so that the
// file ends up as an uninterrupted run would have written it (time column
// aside). A missing file starts afresh.
func (t *Tournament) RunFile(ctx context.Context, path string, resume bool, opt Options) (*Summary, error) {
	sum := NewSummary()
	format := FormatOf(path)
	var (
		f      *os.File
		header bool // the file already has a CSV header
		err    error
	)
	if resume {
		f, opt.Skip, header, err = t.reopen(path, format, opt, sum)
	} else {
		f, err = os.Create(path)
	}
	if err != nil {
		return nil, err
	}
	w := NewWriter(f, format, opt.Time, header)
	runErr := t.Run(ctx, opt, func(r *Row) error {
		sum.Add(r)
		return w.Write(r)
	})
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if runErr != nil {
		total := opt.Shard.Size(t.Jobs())
		if errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded) {
			return sum, &interrupted{fmt.Sprintf("%s: interrupted: %d of %d negotiations kept; continue with --resume", path, sum.Negotiations(), total), runErr}
		}
		return sum, fmt.Errorf("%s: %d of %d negotiations kept: %w", path, sum.Negotiations(), total, runErr)
	}
	return sum, nil
}

// interrupted is the error of a run stopped by its context: it says what
// was kept and how to go on, and unwraps to the context's error.
type interrupted struct {
	msg string
	err error
}

func (e *interrupted) Error() string { return e.msg }
func (e *interrupted) Unwrap() error { return e.err }

// reopen opens a rows file to resume: it drops a last line cut short,
// checks the rows, counts them into sum and leaves the file positioned at
// its end. It returns how many of the shard's jobs are done and whether the
// file has its CSV header.
func (t *Tournament) reopen(path string, format Format, opt Options, sum *Summary) (f *os.File, done int, header bool, err error) {
	f, err = os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		f, err = os.Create(path)
		return f, 0, false, err
	}
	if err != nil {
		return nil, 0, false, &shuttle.Error{Code: shuttle.EInvalid, File: path, Message: "cannot open", Err: unwrapPath(err)}
	}
	defer func() {
		if err != nil {
			f.Close()
			f = nil
		}
	}()
	end, err := completeLines(f)
	if err != nil {
		return nil, 0, false, fmt.Errorf("read %s: %w", path, err)
	}
	if err := f.Truncate(end); err != nil {
		return nil, 0, false, fmt.Errorf("truncate %s: %w", path, err)
	}
	if end == 0 {
		return f, 0, false, nil
	}
	rd, err := NewReader(io.NewSectionReader(f, 0, end), path, format)
	if err != nil {
		return nil, 0, false, err
	}
	if format == CSV && rd.Time() != opt.Time {
		return nil, 0, false, timeMismatch(path, 1, rd.Time())
	}
	shard := opt.Shard.norm()
	total := shard.Size(t.Jobs())
	for {
		r, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, false, err
		}
		switch {
		case r.Tournament != t.id:
			return nil, 0, false, shuttle.InFile(path, rd.line, "tournament", "rows of another tournament (%s, this one is %s): another configuration, other domain files or another version of shuttle", r.Tournament, t.id)
		case done >= total || r.Job != shard.job(done):
			return nil, 0, false, shuttle.InFile(path, rd.line, "job", "job %d where shard %s expects job %d next: a file of another shard, or edited", r.Job, shard, shard.job(done))
		case rd.Time() != opt.Time:
			return nil, 0, false, timeMismatch(path, rd.line, rd.Time())
		}
		sum.Add(r)
		done++
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		return nil, 0, false, fmt.Errorf("seek %s: %w", path, err)
	}
	return f, done, format == CSV, nil
}

// timeMismatch refuses to resume a file with the time column in the other
// state.
func timeMismatch(path string, line int, fileHasTime bool) error {
	if fileHasTime {
		return shuttle.InFile(path, line, "time", "the file has the time column; resume without --no-time")
	}
	return shuttle.InFile(path, line, "time", "the file has no time column; resume with --no-time")
}

// completeLines is the length of f up to and including its last line
// break: what a crash cannot have cut short.
func completeLines(f *os.File) (int64, error) {
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 4096)
	for end := size; end > 0; {
		n := min(int64(len(buf)), end)
		if _, err := f.ReadAt(buf[:n], end-n); err != nil {
			return 0, err
		}
		for i := n - 1; i >= 0; i-- {
			if buf[i] == '\n' {
				return end - n + i + 1, nil
			}
		}
		end -= n
	}
	return 0, nil
}

// Merge joins the rows files of a tournament's shards into the file at out,
// which then holds what a run of the whole tournament on one machine would
// have written (time column aside), and returns its summary. The shards must
// come from one tournament (the same ID), hold every job exactly once
// between them, and agree on the time column. The output is written to a
// temporary file and renamed, so a failed merge leaves nothing behind.
func Merge(out string, shards []string) (*Summary, error) {
	if len(shards) == 0 {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, Message: "no shard files to merge"}
	}
	type input struct {
		path string
		rd   *Reader
		f    *os.File
		row  *Row // the next row, nil at the end
	}
	ins := make([]*input, len(shards))
	defer func() {
		for _, in := range ins {
			if in != nil {
				in.f.Close()
			}
		}
	}()
	absOut, _ := filepath.Abs(out)
	for i, p := range shards {
		if a, _ := filepath.Abs(p); a == absOut {
			return nil, shuttle.InFile(p, 0, "", "is also the output file")
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, &shuttle.Error{Code: shuttle.ENotFound, File: p, Message: "cannot read", Err: unwrapPath(err)}
		}
		ins[i] = &input{path: p, f: f}
		if ins[i].rd, err = NewReader(f, p, FormatOf(p)); err != nil {
			return nil, err
		}
	}
	// advance reads in's next row, which must come after its last one.
	advance := func(in *input) error {
		prev := in.row
		r, err := in.rd.Read()
		if err == io.EOF {
			in.row = nil
			return nil
		}
		if err != nil {
			return err
		}
		if prev != nil && r.Job <= prev.Job {
			return shuttle.InFile(in.path, in.rd.line, "job", "job %d after job %d: rows out of order", r.Job, prev.Job)
		}
		in.row = r
		return nil
	}
	for _, in := range ins {
		if err := advance(in); err != nil {
			return nil, err
		}
		if in.row == nil {
			return nil, shuttle.InFile(in.path, 0, "", "holds no rows")
		}
	}
	first := ins[0]
	for _, in := range ins[1:] {
		switch {
		case in.row.Tournament != first.row.Tournament || in.row.Jobs != first.row.Jobs:
			return nil, shuttle.InFile(in.path, in.rd.line, "tournament", "rows of tournament %s (%d jobs), but %s holds tournament %s (%d jobs): shards of different configurations", in.row.Tournament, in.row.Jobs, first.path, first.row.Tournament, first.row.Jobs)
		case in.rd.Time() != first.rd.Time():
			return nil, shuttle.InFile(in.path, 0, "time", "the time column is in the rows of one of this file and %s, not in the other's", first.path)
		}
	}
	id, jobs := first.row.Tournament, first.row.Jobs
	sum := NewSummary()
	err := writeAtomic(out, func(w io.Writer) error {
		rw := NewWriter(w, FormatOf(out), first.rd.Time(), false)
		for want := 0; want < jobs; want++ {
			var next *input
			for _, in := range ins {
				switch {
				case in.row == nil:
				case in.row.Tournament != id || in.row.Jobs != jobs:
					return shuttle.InFile(in.path, in.rd.line, "tournament", "row of tournament %s (%d jobs) among rows of %s (%d jobs)", in.row.Tournament, in.row.Jobs, id, jobs)
				case in.row.Job != want:
				case next != nil:
					return shuttle.InFile(in.path, in.rd.line, "job", "job %d is also in %s", want, next.path)
				default:
					next = in
				}
			}
			if next == nil {
				return &shuttle.Error{Code: shuttle.EInvalid, Message: fmt.Sprintf("job %d of %d is in none of the shards: a shard is missing or unfinished (finish it with --resume)", want, jobs)}
			}
			sum.Add(next.row)
			if err := rw.Write(next.row); err != nil {
				return err
			}
			if err := advance(next); err != nil {
				return err
			}
		}
		return rw.Flush()
	})
	if err != nil {
		return nil, err
	}
	return sum, nil
}

// writeAtomic writes path through fill, leaving no partial file behind on
// failure.
func writeAtomic(path string, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".shuttle-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := fill(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
