package tournament

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/negotiate"
)

// rowVersion changes whenever what a row says for a job changes, so that
// files written by another version are not resumed or merged.
const rowVersion = 1

// listSep joins the elements of a list (strategies, utilities) in a CSV
// field.
const listSep = ";"

// Row is the record of one negotiation, one line of a tournament's output.
type Row struct {
	// Tournament is the tournament's ID, Jobs its number of negotiations,
	// Job this one's index.
	Tournament string
	Jobs, Job  int
	Scenario   string
	Protocol   string
	// Mediator is the mediator's name, "none" in direct negotiation.
	Mediator string
	// Strategies and Utilities are in the scenario's party order.
	Strategies []string
	Rep        int
	Seed       uint64
	Agreement  bool
	// Reason is how the negotiation ended (negotiate.EndAgreement, …).
	Reason string
	// Utilities are the parties' utilities of the agreement, or their
	// reservation values without one; Welfare is their sum and NashProduct
	// the product of their gains over the reservation values.
	Utilities        []float64
	Welfare          float64
	NashProduct      float64
	FrontierDistance float64 // NaN when there is no frontier
	NashDistance     float64 // NaN when there is no Nash point
	Rounds, Messages int
	// Time is the wall time the negotiation took, in seconds; NaN when not
	// recorded. It is the one field that differs between runs.
	Time float64
}

// Columns are the fields of a row, in order: the CSV header and the keys of
// a JSON line. The last, time, is left out when not recorded.
var Columns = []string{
	"tournament", "jobs", "job", "scenario", "protocol", "mediator", "strategies", "rep", "seed",
	"agreement", "reason", "utilities", "welfare", "nash_product", "frontier_distance", "nash_distance",
	"rounds", "messages", "time",
}

// Format is the layout of a rows file.
type Format uint8

const (
	// CSV has a header line, then one row a line; lists are joined by ";"
	// and an undefined distance is an empty field.
	CSV Format = iota
	// JSONLines is one JSON object a line, lists as arrays and an undefined
	// distance as null.
	JSONLines
)

// FormatOf is the format of a file by its name: JSON lines when it ends in
// .jsonl, CSV otherwise.
func FormatOf(path string) Format {
	if strings.EqualFold(filepath.Ext(path), ".jsonl") {
		return JSONLines
	}
	return CSV
}

// Writer writes rows in a format. Rows are buffered: call Flush.
type Writer struct {
	w      *bufio.Writer
	format Format
	time   bool
	header bool // the CSV header still has to be written
	buf    []byte
}

// NewWriter writes rows to w, with the time column when withTime is set. A
// CSV writer starts with the header unless resuming a file that has one.
func NewWriter(w io.Writer, f Format, withTime, resuming bool) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10), format: f, time: withTime, header: f == CSV && !resuming}
}

// Write writes one row.
func (w *Writer) Write(r *Row) error {
	b := w.appendHeader(w.buf[:0])
	if w.format == CSV {
		b = r.appendCSV(b, w.time)
	} else {
		b = r.appendJSON(b, w.time)
	}
	w.buf = b
	_, err := w.w.Write(b)
	return err
}

// Flush writes out the buffered rows, and the CSV header even when there
// are none.
func (w *Writer) Flush() error {
	if w.header {
		if _, err := w.w.Write(w.appendHeader(nil)); err != nil {
			return err
		}
	}
	return w.w.Flush()
}

func (w *Writer) appendHeader(b []byte) []byte {
	if !w.header {
		return b
	}
	w.header = false
	b = append(b, strings.Join(columns(w.time), ",")...)
	return append(b, '\n')
}

func columns(withTime bool) []string {
	if withTime {
		return Columns
	}
	return Columns[:len(Columns)-1]
}

func (r *Row) appendCSV(b []byte, withTime bool) []byte {
	b = append(b, r.Tournament...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(r.Jobs), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(r.Job), 10)
	for _, s := range []string{r.Scenario, r.Protocol, r.Mediator, strings.Join(r.Strategies, listSep)} {
		b = append(b, ',')
		b = appendCSVField(b, s)
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(r.Rep), 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, r.Seed, 10)
	b = append(b, ',')
	b = strconv.AppendBool(b, r.Agreement)
	b = append(b, ',')
	b = appendCSVField(b, r.Reason)
	b = append(b, ',')
	for i, u := range r.Utilities {
		if i > 0 {
			b = append(b, listSep...)
		}
		b = appendFloat(b, u)
	}
	for _, x := range []float64{r.Welfare, r.NashProduct, r.FrontierDistance, r.NashDistance} {
		b = append(b, ',')
		if !math.IsNaN(x) {
			b = appendFloat(b, x)
		}
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(r.Rounds), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(r.Messages), 10)
	if withTime {
		b = append(b, ',')
		b = appendFloat(b, r.Time)
	}
	return append(b, '\n')
}

// appendCSVField quotes a field as RFC 4180 wants when it must.
func appendCSVField(b []byte, s string) []byte {
	if s == "" || !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[len(s)-1] != ' ' {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}

func (r *Row) appendJSON(b []byte, withTime bool) []byte {
	b = append(b, `{"tournament":`...)
	b = appendJSONString(b, r.Tournament)
	b = append(b, `,"jobs":`...)
	b = strconv.AppendInt(b, int64(r.Jobs), 10)
	b = append(b, `,"job":`...)
	b = strconv.AppendInt(b, int64(r.Job), 10)
	b = append(b, `,"scenario":`...)
	b = appendJSONString(b, r.Scenario)
	b = append(b, `,"protocol":`...)
	b = appendJSONString(b, r.Protocol)
	b = append(b, `,"mediator":`...)
	b = appendJSONString(b, r.Mediator)
	b = append(b, `,"strategies":[`...)
	for i, s := range r.Strategies {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	b = append(b, `],"rep":`...)
	b = strconv.AppendInt(b, int64(r.Rep), 10)
	b = append(b, `,"seed":`...)
	b = strconv.AppendUint(b, r.Seed, 10)
	b = append(b, `,"agreement":`...)
	b = strconv.AppendBool(b, r.Agreement)
	b = append(b, `,"reason":`...)
	b = appendJSONString(b, r.Reason)
	b = append(b, `,"utilities":[`...)
	for i, u := range r.Utilities {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFloat(b, u)
	}
	b = append(b, ']')
	for i, x := range []float64{r.Welfare, r.NashProduct, r.FrontierDistance, r.NashDistance} {
		b = append(b, `,"`...)
		b = append(b, Columns[12+i]...)
		b = append(b, `":`...)
		if math.IsNaN(x) {
			b = append(b, "null"...)
		} else {
			b = appendFloat(b, x)
		}
	}
	b = append(b, `,"rounds":`...)
	b = strconv.AppendInt(b, int64(r.Rounds), 10)
	b = append(b, `,"messages":`...)
	b = strconv.AppendInt(b, int64(r.Messages), 10)
	if withTime {
		b = append(b, `,"time":`...)
		b = appendFloat(b, r.Time)
	}
	return append(b, "}\n"...)
}

// appendFloat writes the shortest form that reads back to x.
func appendFloat(b []byte, x float64) []byte {
	return strconv.AppendFloat(b, x, 'g', -1, 64)
}

// appendJSONString quotes s as a JSON string; invalid UTF-8 becomes U+FFFD,
// as encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// Reader reads the rows of a file in either format.
type Reader struct {
	file   string
	format Format
	line   int
	time   bool
	csv    *csv.Reader
	sc     *bufio.Scanner
}

// maxLine bounds a row's line: a row of many parties is still short.
const maxLine = 1 << 20

// NewReader reads rows from r; file names it in errors. It reads the CSV
// header, if any, at once.
func NewReader(r io.Reader, file string, f Format) (*Reader, error) {
	rd := &Reader{file: file, format: f}
	if f == JSONLines {
		rd.sc = bufio.NewScanner(r)
		rd.sc.Buffer(make([]byte, 64<<10), maxLine)
		return rd, nil
	}
	rd.csv = csv.NewReader(r)
	rd.csv.ReuseRecord = true
	head, err := rd.csv.Read()
	if err == io.EOF {
		return nil, shuttle.InFile(file, 1, "", "empty: no CSV header")
	}
	if err != nil {
		return nil, rd.csvError(err)
	}
	switch {
	case slices.Equal(head, Columns):
		rd.time = true
	case slices.Equal(head, columns(false)):
	default:
		return nil, shuttle.InFile(file, 1, "", "not a tournament's rows: the header must be %s", strings.Join(Columns, ","))
	}
	rd.csv.FieldsPerRecord = len(head)
	rd.line = 1
	return rd, nil
}

// Time reports whether the rows read so far carry the time column (for CSV,
// whether the header has it).
func (rd *Reader) Time() bool { return rd.time }

// Read reads the next row; it returns io.EOF after the last one.
func (rd *Reader) Read() (*Row, error) {
	if rd.format == JSONLines {
		return rd.readJSON()
	}
	rec, err := rd.csv.Read()
	if err != nil {
		if err == io.EOF {
			return nil, err
		}
		return nil, rd.csvError(err)
	}
	rd.line, _ = rd.csv.FieldPos(0)
	r, err := rd.parseCSV(rec)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (rd *Reader) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return shuttle.InFile(rd.file, pe.Line, "", "CSV: %v", pe.Err)
	}
	return fmt.Errorf("read %s: %w", rd.file, err)
}

// fieldError reports a bad value in column i of the current line.
func (rd *Reader) fieldError(i int, format string, args ...any) error {
	return shuttle.InFile(rd.file, rd.line, Columns[i], format, args...)
}

func (rd *Reader) parseCSV(rec []string) (*Row, error) {
	r := &Row{Tournament: rec[0], Scenario: rec[3], Protocol: rec[4], Mediator: rec[5], Reason: rec[10], Time: math.NaN()}
	ints := []*int{nil, &r.Jobs, &r.Job, nil, nil, nil, nil, &r.Rep}
	for i, p := range ints {
		if p == nil {
			continue
		}
		n, err := strconv.Atoi(rec[i])
		if err != nil {
			return nil, rd.fieldError(i, "%q is not a whole number", rec[i])
		}
		*p = n
	}
	var err error
	if r.Seed, err = strconv.ParseUint(rec[8], 10, 64); err != nil {
		return nil, rd.fieldError(8, "%q is not a seed", rec[8])
	}
	if r.Agreement, err = strconv.ParseBool(rec[9]); err != nil {
		return nil, rd.fieldError(9, "%q is not true or false", rec[9])
	}
	if rec[6] != "" {
		r.Strategies = strings.Split(rec[6], listSep)
	}
	if rec[11] != "" {
		for u := range strings.SplitSeq(rec[11], listSep) {
			x, err := strconv.ParseFloat(u, 64)
			if err != nil {
				return nil, rd.fieldError(11, "%q is not a number", u)
			}
			r.Utilities = append(r.Utilities, x)
		}
	}
	for i, p := range []*float64{&r.Welfare, &r.NashProduct, &r.FrontierDistance, &r.NashDistance} {
		*p = math.NaN()
		if rec[12+i] == "" && i >= 2 {
			continue
		}
		if *p, err = strconv.ParseFloat(rec[12+i], 64); err != nil {
			return nil, rd.fieldError(12+i, "%q is not a number", rec[12+i])
		}
	}
	for i, p := range []*int{&r.Rounds, &r.Messages} {
		if *p, err = strconv.Atoi(rec[16+i]); err != nil {
			return nil, rd.fieldError(16+i, "%q is not a whole number", rec[16+i])
		}
	}
	if rd.time {
		if r.Time, err = strconv.ParseFloat(rec[18], 64); err != nil {
			return nil, rd.fieldError(18, "%q is not a number of seconds", rec[18])
		}
	}
	return r, rd.check(r)
}

// jsonRow is a row as JSON holds it; a missing field stays nil.
type jsonRow struct {
	Tournament       *string         `json:"tournament"`
	Jobs             *int            `json:"jobs"`
	Job              *int            `json:"job"`
	Scenario         *string         `json:"scenario"`
	Protocol         *string         `json:"protocol"`
	Mediator         *string         `json:"mediator"`
	Strategies       []string        `json:"strategies"`
	Rep              *int            `json:"rep"`
	Seed             *uint64         `json:"seed"`
	Agreement        *bool           `json:"agreement"`
	Reason           *string         `json:"reason"`
	Utilities        []float64       `json:"utilities"`
	Welfare          *float64        `json:"welfare"`
	NashProduct      *float64        `json:"nash_product"`
	FrontierDistance json.RawMessage `json:"frontier_distance"`
	NashDistance     json.RawMessage `json:"nash_distance"`
	Rounds           *int            `json:"rounds"`
	Messages         *int            `json:"messages"`
	Time             *float64        `json:"time"`
}

func (rd *Reader) readJSON() (*Row, error) {
	if !rd.sc.Scan() {
		if err := rd.sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return nil, shuttle.InFile(rd.file, rd.line+1, "", "line longer than %d bytes", maxLine)
			}
			return nil, fmt.Errorf("read %s: %w", rd.file, err)
		}
		return nil, io.EOF
	}
	rd.line++
	line := rd.sc.Bytes()
	var j jsonRow
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, shuttle.InFile(rd.file, rd.line, "", "JSON: %v", err)
	}
	if dec.More() {
		return nil, shuttle.InFile(rd.file, rd.line, "", "JSON: more than one object on the line")
	}
	r := &Row{Strategies: j.Strategies, Utilities: j.Utilities, Time: math.NaN()}
	req := []struct {
		ok   bool
		i    int
		copy func()
	}{
		{j.Tournament != nil, 0, func() { r.Tournament = *j.Tournament }},
		{j.Jobs != nil, 1, func() { r.Jobs = *j.Jobs }},
		{j.Job != nil, 2, func() { r.Job = *j.Job }},
		{j.Scenario != nil, 3, func() { r.Scenario = *j.Scenario }},
		{j.Protocol != nil, 4, func() { r.Protocol = *j.Protocol }},
		{j.Mediator != nil, 5, func() { r.Mediator = *j.Mediator }},
		{j.Strategies != nil, 6, func() {}},
		{j.Rep != nil, 7, func() { r.Rep = *j.Rep }},
		{j.Seed != nil, 8, func() { r.Seed = *j.Seed }},
		{j.Agreement != nil, 9, func() { r.Agreement = *j.Agreement }},
		{j.Reason != nil, 10, func() { r.Reason = *j.Reason }},
		{j.Utilities != nil, 11, func() {}},
		{j.Welfare != nil, 12, func() { r.Welfare = *j.Welfare }},
		{j.NashProduct != nil, 13, func() { r.NashProduct = *j.NashProduct }},
		{j.FrontierDistance != nil, 14, func() {}},
		{j.NashDistance != nil, 15, func() {}},
		{j.Rounds != nil, 16, func() { r.Rounds = *j.Rounds }},
		{j.Messages != nil, 17, func() { r.Messages = *j.Messages }},
	}
	for _, f := range req {
		if !f.ok {
			return nil, rd.fieldError(f.i, "missing")
		}
		f.copy()
	}
	var err error
	if r.FrontierDistance, err = nullable(j.FrontierDistance); err != nil {
		return nil, rd.fieldError(14, "%v", err)
	}
	if r.NashDistance, err = nullable(j.NashDistance); err != nil {
		return nil, rd.fieldError(15, "%v", err)
	}
	if rd.line == 1 {
		rd.time = j.Time != nil
	}
	if (j.Time != nil) != rd.time {
		return nil, rd.fieldError(18, "present in some rows and not in others")
	}
	if j.Time != nil {
		r.Time = *j.Time
	}
	if err := rd.check(r); err != nil {
		return nil, err
	}
	return r, nil
}

// nullable reads a number or null (NaN).
func nullable(m json.RawMessage) (float64, error) {
	if string(m) == "null" {
		return math.NaN(), nil
	}
	var x float64
	if err := json.Unmarshal(m, &x); err != nil {
		return 0, fmt.Errorf("%s is not a number or null", m)
	}
	return x, nil
}

// check refuses rows that no tournament writes.
func (rd *Reader) check(r *Row) error {
	if _, err := hex.DecodeString(r.Tournament); err != nil || len(r.Tournament) != 2*idBytes {
		return rd.fieldError(0, "%q is not a tournament ID", r.Tournament)
	}
	if r.Jobs <= 0 || r.Job < 0 || r.Job >= r.Jobs {
		return rd.fieldError(2, "job %d of %d", r.Job, r.Jobs)
	}
	if _, err := negotiate.ParseProtocol(r.Protocol); err != nil {
		return rd.fieldError(4, "%v", err)
	}
	if len(r.Strategies) < 2 || len(r.Utilities) != len(r.Strategies) {
		return rd.fieldError(11, "%d utilities for %d strategies", len(r.Utilities), len(r.Strategies))
	}
	if r.Scenario == "" || r.Mediator == "" || r.Reason == "" || r.Rep < 0 || r.Rounds < 0 || r.Messages < 0 {
		return shuttle.InFile(rd.file, rd.line, "", "empty name or negative count")
	}
	return nil
}
