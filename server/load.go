package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/ledger"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/store"
)

// resume rebuilds an open case from its log: the ledger from the stored
// entries and heads, the negotiation by replaying the session against the
// logged events, the implementation by taking the logged actions again.
// Deadlines that passed while no server ran fall due as soon as it is live.
func (s *Server) resume(ctx context.Context, sc store.Case) (*liveCase, error) {
	scen, err := parseScenario(sc.ID, sc.Scenario)
	if err != nil {
		return nil, err
	}
	events, err := s.st.Events(ctx, sc.ID, 0, 0)
	if err != nil {
		return nil, err
	}
	if len(events) == 0 || events[0].Kind != kindCreated {
		return nil, fmt.Errorf("case %s: log does not start with %s", sc.ID, kindCreated)
	}
	var cb createdBody
	if err := json.Unmarshal(events[0].Body, &cb); err != nil {
		return nil, fmt.Errorf("case %s: event 1: %w", sc.ID, err)
	}
	c, err := newCase(s, sc.ID, sc.Created, scen, cb.Humans)
	if err != nil {
		return nil, err
	}
	if err := c.rebuildLedger(ctx, events); err != nil {
		return nil, err
	}
	c.loading = true
	var neg, post []store.Event
	started := false
	for _, e := range events {
		switch {
		case e.Kind == kindStarted:
			started, c.negStart = true, e.Time
		case strings.HasPrefix(e.Kind, negotiationPrefix):
			neg = append(neg, e)
		case e.Kind == kindSigned || e.Kind == kindAction || strings.HasPrefix(e.Kind, "deal."):
			post = append(post, e)
			if strings.HasPrefix(e.Kind, "deal.") {
				c.dealQ = append(c.dealQ, e)
			}
		}
	}
	if !started {
		c.loading = false
		return c, nil
	}
	c.mu.Lock()
	c.state = stateNegotiating
	err = c.launch(s.ctx, neg)
	c.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", sc.ID, err)
	}
	select {
	case <-c.caughtUp:
	case <-c.done:
	}
	if len(post) > 0 {
		// Signatures come after the negotiation's end, which is logged.
		<-c.done
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return nil, fmt.Errorf("case %s: %w", sc.ID, c.broken)
	}
	if err := c.replayPostLocked(ctx, post); err != nil {
		return nil, fmt.Errorf("case %s: %w", sc.ID, err)
	}
	c.loading = false
	c.afterNegotiationLocked(ctx)
	if c.impl != nil && c.impl.State() == deal.Active {
		c.state = stateImplementing
		if err := c.advanceLocked(ctx); err != nil {
			return nil, fmt.Errorf("case %s: %w", sc.ID, err)
		}
		c.armLocked()
	}
	return c, nil
}

// rebuildLedger appends the stored events to the case's ledger, checking
// each leaf hash, and signs again the heads stored, which ed25519 makes
// identical.
func (c *liveCase) rebuildLedger(ctx context.Context, events []store.Event) error {
	heads, err := c.srv.st.TreeHeads(ctx, c.id)
	if err != nil {
		return err
	}
	h := 0
	for _, e := range events {
		entry := ledger.Entry{Seq: e.Seq - 1, Time: e.Time, Wall: e.Wall, Kind: e.Kind, From: e.From, To: e.To, Body: e.Body}
		enc, err := entry.Canonical()
		if err != nil {
			return fmt.Errorf("case %s: event %d: %w", c.id, e.Seq, err)
		}
		if ledger.LeafHash(enc) != e.Leaf {
			return fmt.Errorf("case %s: event %d: stored leaf hash does not match the event", c.id, e.Seq)
		}
		if _, err := c.log.Append(entry); err != nil {
			return fmt.Errorf("case %s: event %d: %w", c.id, e.Seq, err)
		}
		c.addEventsLocked(e)
		c.last = e.Time
		for ; h < len(heads) && heads[h].Size <= e.Seq; h++ {
			if heads[h].Size < e.Seq {
				continue
			}
			sh, err := ledger.OpenHead(heads[h].Note, c.srv.key.VerifierKey(), c.log.Origin())
			if err != nil {
				return fmt.Errorf("case %s: tree head %d: %w", c.id, heads[h].Size, err)
			}
			if _, err := c.log.Checkpoint(sh.Time); err != nil {
				return fmt.Errorf("case %s: tree head %d: %w", c.id, heads[h].Size, err)
			}
		}
	}
	if len(heads) == 0 || heads[len(heads)-1].Size != int64(len(events)) {
		c.checkpointLocked(ctx)
	}
	return nil
}

// replayPostLocked folds the events after the negotiation: signatures,
// actions and the implementation's own steps.
func (c *liveCase) replayPostLocked(ctx context.Context, post []store.Event) error {
	for i := range post {
		e := &post[i]
		switch {
		case e.Kind == kindSigned:
			var b signedBody
			if err := json.Unmarshal(e.Body, &b); err != nil {
				return fmt.Errorf("event %d: %w", e.Seq, err)
			}
			if err := c.applySignatureLocked(b.Party, b.PublicKey, b.Signature); err != nil {
				return fmt.Errorf("event %d: %w", e.Seq, err)
			}
			if c.state == stateNegotiating {
				c.state = stateSigning
			}
			if len(c.signed) == len(c.sc.Parties) {
				if err := c.startImplementationLocked(ctx, e.Time); err != nil {
					return fmt.Errorf("event %d: %w", e.Seq, err)
				}
			}
		case e.Kind == kindAction:
			if c.impl == nil {
				return fmt.Errorf("event %d: action before the implementation", e.Seq)
			}
			if err := c.replayActionLocked(e); err != nil {
				return fmt.Errorf("event %d: %w", e.Seq, err)
			}
		case len(c.dealQ) > 0 && c.dealQ[0].Seq == e.Seq:
			// Not reproduced by an action: time passing caused it.
			var de deal.Event
			if err := json.Unmarshal(e.Body, &de); err != nil {
				return fmt.Errorf("event %d: %w", e.Seq, err)
			}
			evs, err := c.impl.Do(deal.Advance{To: time.Duration(de.At)})
			if err != nil {
				return fmt.Errorf("event %d: %w", e.Seq, err)
			}
			if err := c.dealEventsLocked(ctx, nil, evs); err != nil {
				return err
			}
			if len(c.dealQ) > 0 && c.dealQ[0].Seq <= e.Seq {
				return fmt.Errorf("%w: event %d (%s) not reproduced", errDiverged, e.Seq, e.Kind)
			}
		}
	}
	if len(c.dealQ) > 0 {
		return fmt.Errorf("%w: event %d (%s) not reproduced", errDiverged, c.dealQ[0].Seq, c.dealQ[0].Kind)
	}
	if c.impl != nil && c.impl.State() != deal.Active {
		c.state = string(c.impl.State())
	}
	return nil
}

// parseScenario reads an uploaded scenario, YAML or the same as JSON (which
// YAML reads too), naming it so that errors say which. Uploads may not
// reference files: the server must not read its own disk on a client's
// behalf.
func parseScenario(name string, data []byte) (*scenario.Scenario, error) {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return scenario.ParseInline(name+".json", data)
	}
	return scenario.ParseInline(name+".yaml", data)
}
