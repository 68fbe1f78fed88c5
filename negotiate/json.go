package negotiate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Log keeps every event of a session: use its Record method as Spec.Record.
type Log struct {
	Events []Event
}

// Record appends e.
func (l *Log) Record(e Event) { l.Events = append(l.Events, e) }

// The JSON form of an event. It is a contract: the audit ledger hashes these
// bytes and the server streams them. Outcomes are objects from issue names
// to value labels, as in every other JSON shuttle writes; times are Go
// durations since the start ("36h0m0s").
type eventJSON struct {
	Seq        uint64              `json:"seq"`
	Time       string              `json:"time"`
	Round      int                 `json:"round"`
	From       string              `json:"from,omitempty"`
	To         string              `json:"to"`
	Kind       string              `json:"kind"`
	Outcome    map[string]string   `json:"outcome,omitempty"`
	Outcomes   []map[string]string `json:"outcomes,omitempty"`
	Objections []objectionJSON     `json:"objections,omitempty"`
	Yes        *bool               `json:"yes,omitempty"`
	Picks      []int               `json:"picks,omitzero"`
	Confided   *confidedJSON       `json:"confided,omitempty"`
	Note       string              `json:"note,omitempty"`
}

type objectionJSON struct {
	Issue     string  `json:"issue"`
	Want      string  `json:"want"`
	Direction int     `json:"direction"`
	Strength  float64 `json:"strength"`
}

type confidedJSON struct {
	Level       string                        `json:"level"`
	Weights     map[string]float64            `json:"weights,omitempty"`
	Evaluations map[string]map[string]float64 `json:"evaluations,omitempty"`
	Hyper       *hyperJSON                    `json:"hyper,omitempty"`
	Reservation *float64                      `json:"reservation,omitempty"`
	Constraints []constraintJSON              `json:"constraints,omitempty"`
}

type hyperJSON struct {
	Max   float64    `json:"max"`
	Rects []rectJSON `json:"rects"`
}

type rectJSON struct {
	Utility float64              `json:"utility"`
	Box     map[string][2]string `json:"box"`
}

type constraintJSON struct {
	Issue   string   `json:"issue"`
	Allowed []string `json:"allowed"`
	Text    string   `json:"text,omitempty"`
}

// MarshalEvent is the JSON form of e, whose outcomes belong to domain d.
func MarshalEvent(d *space.Domain, e *Event) ([]byte, error) {
	j := eventJSON{
		Seq: e.Seq, Time: e.Time.String(), Round: e.Round, From: e.From, To: e.To,
		Kind: e.Kind.String(), Picks: e.Picks, Note: e.Note,
	}
	if e.Outcome != nil {
		if err := d.Check(e.Outcome); err != nil {
			return nil, fmt.Errorf("event %d: %w", e.Seq, err)
		}
		j.Outcome = d.Labels(e.Outcome)
	}
	for _, o := range e.Outcomes {
		if err := d.Check(o); err != nil {
			return nil, fmt.Errorf("event %d: %w", e.Seq, err)
		}
		j.Outcomes = append(j.Outcomes, d.Labels(o))
	}
	for _, o := range e.Objections {
		if o.Issue < 0 || o.Issue >= len(d.Issues) || o.Want < 0 || o.Want >= d.Issues[o.Issue].Size() {
			return nil, fmt.Errorf("event %d: objection outside domain %q", e.Seq, d.Name)
		}
		is := &d.Issues[o.Issue]
		j.Objections = append(j.Objections, objectionJSON{is.Name, is.Label(o.Want), o.Direction, o.Strength})
	}
	switch e.Kind {
	case KindVote:
		j.Yes = &e.Yes
	case KindBid:
		if j.Picks == nil {
			j.Picks = []int{}
		}
	}
	if e.Confided != nil {
		c, err := confidedToJSON(d, e.Confided)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", e.Seq, err)
		}
		j.Confided = c
	}
	return json.Marshal(&j)
}

func confidedToJSON(d *space.Domain, c *Confided) (*confidedJSON, error) {
	j := &confidedJSON{Level: c.Level.String()}
	w := c.Weights
	switch f := c.Func.(type) {
	case nil:
	case *utility.Additive:
		w = f.Weights
		j.Evaluations = make(map[string]map[string]float64, len(d.Issues))
		for i := range d.Issues {
			is := &d.Issues[i]
			m := make(map[string]float64, is.Size())
			for v, e := range f.Evals[i] {
				m[is.Label(v)] = e
			}
			j.Evaluations[is.Name] = m
		}
	case *utility.Hyper:
		h := &hyperJSON{Max: f.Max, Rects: make([]rectJSON, len(f.Rects))}
		for k, r := range f.Rects {
			box := make(map[string][2]string, len(r.Issues))
			for n, i := range r.Issues {
				is := &d.Issues[i]
				box[is.Name] = [2]string{is.Label(r.Lo[n]), is.Label(r.Hi[n])}
			}
			h.Rects[k] = rectJSON{Utility: r.Utility, Box: box}
		}
		j.Hyper = h
	default:
		return nil, fmt.Errorf("cannot write a confided utility function of type %T", f)
	}
	if w != nil {
		j.Weights = make(map[string]float64, len(w))
		for i, x := range w {
			j.Weights[d.Issues[i].Name] = x
		}
	}
	if c.Level == Full || c.Level == MustHaves {
		r := c.Reservation
		j.Reservation = &r
	}
	for _, k := range c.Constraints {
		is := &d.Issues[k.Issue]
		cj := constraintJSON{Issue: is.Name, Allowed: []string{}, Text: k.Text}
		for v, ok := range k.Allowed {
			if ok {
				cj.Allowed = append(cj.Allowed, is.Label(v))
			}
		}
		j.Constraints = append(j.Constraints, cj)
	}
	return j, nil
}

// UnmarshalEvent reads the JSON form of an event of domain d. It rejects
// unknown fields and anything outside the domain.
func UnmarshalEvent(d *space.Domain, data []byte) (Event, error) {
	var j eventJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return Event{}, err
	}
	if dec.More() {
		return Event{}, errors.New("data after the event")
	}
	e := Event{Seq: j.Seq, Round: j.Round, From: j.From, To: j.To, Picks: j.Picks, Note: j.Note}
	var err error
	if e.Time, err = time.ParseDuration(j.Time); err != nil {
		return Event{}, fmt.Errorf("time: %w", err)
	}
	if e.Kind, err = ParseKind(j.Kind); err != nil {
		return Event{}, err
	}
	if e.Round < 0 || e.Time < 0 {
		return Event{}, errors.New("negative round or time")
	}
	if j.Outcome != nil {
		if e.Outcome, err = d.Parse(j.Outcome); err != nil {
			return Event{}, fmt.Errorf("outcome: %w", err)
		}
	}
	for k, m := range j.Outcomes {
		o, err := d.Parse(m)
		if err != nil {
			return Event{}, fmt.Errorf("outcomes[%d]: %w", k, err)
		}
		e.Outcomes = append(e.Outcomes, o)
	}
	for k, oj := range j.Objections {
		i := d.IssueIndex(oj.Issue)
		if i < 0 {
			return Event{}, fmt.Errorf("objections[%d]: domain %q has no issue %q", k, d.Name, oj.Issue)
		}
		v, err := d.Issues[i].Lookup(oj.Want)
		if err != nil {
			return Event{}, fmt.Errorf("objections[%d]: %w", k, err)
		}
		if oj.Direction < -1 || oj.Direction > 1 || !(oj.Strength > 0 && oj.Strength <= 1) {
			return Event{}, fmt.Errorf("objections[%d]: direction %d or strength %g out of range", k, oj.Direction, oj.Strength)
		}
		e.Objections = append(e.Objections, Objection{Issue: i, Want: v, Direction: oj.Direction, Strength: oj.Strength})
	}
	if (j.Yes != nil) != (e.Kind == KindVote) {
		return Event{}, errors.New(`"yes" belongs to votes and every vote has it`)
	}
	if j.Yes != nil {
		e.Yes = *j.Yes
	}
	if j.Confided != nil {
		if e.Confided, err = confidedFromJSON(d, j.Confided); err != nil {
			return Event{}, fmt.Errorf("confided: %w", err)
		}
	}
	return e, nil
}

func confidedFromJSON(d *space.Domain, j *confidedJSON) (*Confided, error) {
	l, err := ParseLevel(j.Level)
	if err != nil {
		return nil, err
	}
	c := &Confided{Level: l}
	if j.Weights != nil {
		c.Weights = make([]float64, len(d.Issues))
		var total float64
		for _, name := range sortedKeys(j.Weights) {
			w := j.Weights[name]
			i := d.IssueIndex(name)
			if i < 0 {
				return nil, fmt.Errorf("weights: domain %q has no issue %q", d.Name, name)
			}
			if !(w >= 0) || math.IsInf(w, 0) {
				return nil, fmt.Errorf("weights: issue %q: weight %g is not a non-negative number", name, w)
			}
			c.Weights[i] = w
			total += w
		}
		if total == 0 {
			return nil, errors.New("weights: all issue weights are zero")
		}
	}
	switch {
	case j.Evaluations != nil && j.Hyper != nil:
		return nil, errors.New("both evaluations and hyper")
	case j.Evaluations != nil:
		if c.Weights == nil {
			return nil, errors.New("evaluations without weights")
		}
		a := &utility.Additive{Weights: c.Weights, Evals: make([][]float64, len(d.Issues))}
		for i := range d.Issues {
			is := &d.Issues[i]
			a.Evals[i] = make([]float64, is.Size())
			m, ok := j.Evaluations[is.Name]
			if !ok {
				return nil, fmt.Errorf("evaluations: issue %q missing", is.Name)
			}
			for _, label := range sortedKeys(m) {
				x := m[label]
				v, err := is.Lookup(label)
				if err != nil {
					return nil, fmt.Errorf("evaluations: %w", err)
				}
				a.Evals[i][v] = x
			}
		}
		if len(j.Evaluations) != len(d.Issues) {
			return nil, errors.New("evaluations name an issue outside the domain")
		}
		if err := a.Validate(d); err != nil {
			return nil, fmt.Errorf("evaluations: %w", err)
		}
		c.Func = a
	case j.Hyper != nil:
		h := &utility.Hyper{Max: j.Hyper.Max, Rects: make([]utility.Rect, len(j.Hyper.Rects))}
		for k, rj := range j.Hyper.Rects {
			r := utility.Rect{Utility: rj.Utility}
			for i := range d.Issues {
				b, ok := rj.Box[d.Issues[i].Name]
				if !ok {
					continue
				}
				lo, err := d.Issues[i].Lookup(b[0])
				if err != nil {
					return nil, fmt.Errorf("hyper rects[%d]: %w", k, err)
				}
				hi, err := d.Issues[i].Lookup(b[1])
				if err != nil {
					return nil, fmt.Errorf("hyper rects[%d]: %w", k, err)
				}
				r.Issues, r.Lo, r.Hi = append(r.Issues, i), append(r.Lo, lo), append(r.Hi, hi)
			}
			if len(r.Issues) != len(rj.Box) {
				return nil, fmt.Errorf("hyper rects[%d] names an issue outside the domain", k)
			}
			h.Rects[k] = r
		}
		if err := h.Validate(d); err != nil {
			return nil, fmt.Errorf("hyper: %w", err)
		}
		c.Func = h
	}
	if j.Reservation != nil {
		c.Reservation = *j.Reservation
		if !(c.Reservation >= 0 && c.Reservation <= 1) {
			return nil, fmt.Errorf("reservation %g outside [0,1]", c.Reservation)
		}
	}
	for k, cj := range j.Constraints {
		i := d.IssueIndex(cj.Issue)
		if i < 0 {
			return nil, fmt.Errorf("constraints[%d]: domain %q has no issue %q", k, d.Name, cj.Issue)
		}
		uc := utility.Constraint{Issue: i, Allowed: make([]bool, d.Issues[i].Size()), Text: cj.Text}
		for _, label := range cj.Allowed {
			v, err := d.Issues[i].Lookup(label)
			if err != nil {
				return nil, fmt.Errorf("constraints[%d]: %w", k, err)
			}
			uc.Allowed[v] = true
		}
		c.Constraints = append(c.Constraints, uc)
	}
	if err := checkConfided(d, c); err != nil {
		return nil, err
	}
	return c, nil
}

// WriteLog writes events as JSON lines, one event a line.
func WriteLog(w io.Writer, d *space.Domain, events []Event) error {
	bw := bufio.NewWriter(w)
	for k := range events {
		b, err := MarshalEvent(d, &events[k])
		if err != nil {
			return err
		}
		bw.Write(b)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ReadLog reads the JSON lines WriteLog writes. Events must be numbered 1,
// 2, … in order; errors name file and line.
func ReadLog(file string, r io.Reader, d *space.Domain) ([]Event, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<24)
	var events []Event
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		e, err := UnmarshalEvent(d, sc.Bytes())
		if err != nil {
			return nil, shuttle.InFile(file, line, "", "event: %v", err)
		}
		if want := uint64(len(events) + 1); e.Seq != want {
			return nil, shuttle.InFile(file, line, "seq", "event %d where %d was due", e.Seq, want)
		}
		if n := len(events); n > 0 && e.Time < events[n-1].Time {
			return nil, shuttle.InFile(file, line, "time", "event %d goes back in time", e.Seq)
		}
		events = append(events, e)
	}
	if err := sc.Err(); err != nil {
		return nil, shuttle.InFile(file, line+1, "", "%v", err)
	}
	return events, nil
}

// sortedKeys lists a map's keys in order, so that among several faults
// the same one is reported every time.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
