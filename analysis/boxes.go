package analysis

import (
	"slices"
	"strconv"
	"strings"

	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// model is a set of profiles seen as sums of boxes: each party's utility is
// the capped sum of the weights of its boxes that contain the outcome. A
// utility.Hyper is that already (weights Utility/Max); an additive profile
// is a box per issue value, weighted by its term. Values that every box and
// constraint treats alike form one class, and the model works on classes:
// the ANAC 2014 domains of 10^10 outcomes have about 10^7.5 class vectors.
type model struct {
	k       int
	classes [][]valueClass // per issue
	boxes   []box
	touch   [][]side // per issue, the box sides on it
}

// valueClass is a set of equivalent allowed values of one issue.
type valueClass struct {
	value int    // representative value index
	count uint64 // values in the class
}

type box struct {
	party int
	w     float64
	sides int32 // issues the box constrains
	on    []boxSide
}

// boxSide locates one of a box's sides: m.touch[issue][at].
type boxSide struct{ issue, at int }

// side is a box's constraint on one issue: the classes it admits.
type side struct {
	box int32
	in  []uint64 // bitset over the issue's classes
}

func (s *side) admits(c int32) bool { return s.in[c>>6]>>(c&63)&1 != 0 }

// newModel builds the model of profiles whose functions are all
// utility.Hyper or utility.Additive, over the allowed values; it reports
// false for any other function.
func newModel(profiles []*utility.Profile, allowed [][]int) (*model, bool) {
	type span struct{ issue, lo, hi int }
	type draft struct {
		party int
		w     float64
		spans []span
	}
	var drafts []draft
	for j, p := range profiles {
		switch f := p.Func.(type) {
		case *utility.Hyper:
			for r := range f.Rects {
				rc := &f.Rects[r]
				d := draft{party: j, w: rc.Utility / f.Max}
				for x, i := range rc.Issues {
					d.spans = append(d.spans, span{i, rc.Lo[x], rc.Hi[x]})
				}
				drafts = append(drafts, d)
			}
		case *utility.Additive:
			for i, vals := range allowed {
				for _, v := range vals {
					drafts = append(drafts, draft{party: j, w: f.Term(i, v), spans: []span{{i, v, v}}})
				}
			}
		default:
			return nil, false
		}
	}
	n := len(allowed)
	m := &model{k: len(profiles), classes: make([][]valueClass, n), touch: make([][]side, n)}
	// Boxes that weigh nothing, or that no allowed value of some issue
	// enters, never count.
	spans := make([][]span, n)
	owner := make([][]int, n)
	for _, d := range drafts {
		possible := d.w != 0
		for _, sp := range d.spans {
			possible = possible && slices.ContainsFunc(allowed[sp.issue], func(v int) bool { return v >= sp.lo && v <= sp.hi })
		}
		if !possible {
			continue
		}
		for _, sp := range d.spans {
			spans[sp.issue] = append(spans[sp.issue], sp)
			owner[sp.issue] = append(owner[sp.issue], len(m.boxes))
		}
		m.boxes = append(m.boxes, box{party: d.party, w: d.w, sides: int32(len(d.spans))})
	}
	for i, vals := range allowed {
		// A value's signature is the set of sides that admit it.
		byKey := map[string]int32{}
		of := make([]int32, len(vals))
		var key strings.Builder
		for x, v := range vals {
			key.Reset()
			for s, sp := range spans[i] {
				if v >= sp.lo && v <= sp.hi {
					key.WriteString(strconv.Itoa(s))
					key.WriteByte(',')
				}
			}
			c, ok := byKey[key.String()]
			if !ok {
				c = int32(len(m.classes[i]))
				byKey[key.String()] = c
				m.classes[i] = append(m.classes[i], valueClass{value: v})
			}
			m.classes[i][c].count++
			of[x] = c
		}
		words := (len(m.classes[i]) + 63) / 64
		for s, sp := range spans[i] {
			sd := side{box: int32(owner[i][s]), in: make([]uint64, words)}
			for x, v := range vals {
				if v >= sp.lo && v <= sp.hi {
					sd.in[of[x]>>6] |= 1 << (of[x] & 63)
				}
			}
			b := &m.boxes[sd.box]
			b.on = append(b.on, boxSide{i, len(m.touch[i])})
			m.touch[i] = append(m.touch[i], sd)
		}
	}
	return m, true
}

// size is the number of class vectors, saturating.
func (m *model) size() uint64 {
	n := uint64(1)
	for _, cs := range m.classes {
		n = mulSat(n, uint64(len(cs)))
	}
	return n
}

// outcome is the representative outcome of a class vector.
func (m *model) outcome(c []int32, d *space.Domain) space.Outcome {
	o := d.NewOutcome()
	for i, x := range c {
		o[i] = m.classes[i][x].value
	}
	return o
}

// state is a class vector with what the boxes make of it, updated
// incrementally as issues change.
type state struct {
	m      *model
	c      []int32
	inside []int32   // per box, sides admitting the current classes
	sum    []float64 // per party, weights of the boxes containing c
}

func newState(m *model) *state {
	s := &state{m: m, c: make([]int32, len(m.classes)), inside: make([]int32, len(m.boxes)), sum: make([]float64, m.k)}
	s.reload()
	return s
}

// reload recomputes everything from s.c, which also clears the rounding
// that long runs of incremental updates accumulate.
func (s *state) reload() {
	clear(s.inside)
	clear(s.sum)
	for i, c := range s.c {
		for x := range s.m.touch[i] {
			if sd := &s.m.touch[i][x]; sd.admits(c) {
				s.inside[sd.box]++
			}
		}
	}
	for b, in := range s.inside {
		if in == s.m.boxes[b].sides {
			s.sum[s.m.boxes[b].party] += s.m.boxes[b].w
		}
	}
}

// set moves issue i to class c.
func (s *state) set(i int, c int32) {
	old := s.c[i]
	if old == c {
		return
	}
	s.c[i] = c
	for x := range s.m.touch[i] {
		sd := &s.m.touch[i][x]
		was, now := sd.admits(old), sd.admits(c)
		if was == now {
			continue
		}
		b := &s.m.boxes[sd.box]
		if was {
			if s.inside[sd.box] == b.sides {
				s.sum[b.party] -= b.w
			}
			s.inside[sd.box]--
		} else {
			s.inside[sd.box]++
			if s.inside[sd.box] == b.sides {
				s.sum[b.party] += b.w
			}
		}
	}
}

// utilities writes the capped utilities of the current state to u.
func (s *state) utilities(u []float64) {
	for j, x := range s.sum {
		u[j] = utility.Clamp(x)
	}
}
