package server

import (
	"encoding/json"
	"slices"
	"sync"
	"time"
)

// presence is when a case's participants were last heard from and how many
// event streams each holds open: what lets a mediator tell a party that is
// thinking from one that has gone. It is kept in memory only; a restarted
// server has heard from no one yet.
type presence struct {
	mu      sync.Mutex
	seen    map[string]time.Time
	streams map[string]int
}

// presenceJSON is a participant's presence as the mediator is shown it.
type presenceJSON struct {
	Connected bool       `json:"connected"`           // an event stream is open now
	LastSeen  *time.Time `json:"last_seen,omitempty"` // its last request, if any since the server started
}

// touch notes a request from name.
func (p *presence) touch(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen == nil {
		p.seen = map[string]time.Time{}
	}
	p.seen[name] = time.Now().UTC()
}

// open notes a stream opened by name; the function it returns notes its
// close.
func (p *presence) open(name string) func() {
	p.touch(name)
	p.mu.Lock()
	if p.streams == nil {
		p.streams = map[string]int{}
	}
	p.streams[name]++
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.streams[name]--
		p.seen[name] = time.Now().UTC()
	}
}

func (p *presence) of(name string) presenceJSON {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := presenceJSON{Connected: p.streams[name] > 0}
	if t, ok := p.seen[name]; ok {
		out.LastSeen = &t
	}
	return out
}

// describe is name's presence in words, as of now.
func (p *presence) describe(name string, now time.Time) string {
	switch pj := p.of(name); {
	case pj.Connected:
		return "connected now"
	case pj.LastSeen == nil:
		return "not heard from"
	default:
		return "last seen " + now.Sub(*pj.LastSeen).Round(time.Second).String() + " ago"
	}
}

// peopleLocked is everyone who takes part in the case in person: the parties
// people answer for, then those invited, in the order of their invitations.
func (c *liveCase) peopleLocked() []string {
	people := slices.Clone(c.humans)
	for _, e := range c.events.all(0) {
		if e.Kind != kindInvited {
			continue
		}
		var inv struct{ Name string }
		if json.Unmarshal(e.Body, &inv) == nil && !slices.Contains(people, inv.Name) {
			people = append(people, inv.Name)
		}
	}
	return people
}
