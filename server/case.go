package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/ledger"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/store"
	"github.com/shuttle-mediation/shuttle/strategy"
)

// Kinds of the events the server writes itself; negotiation events are
// negotiationPrefix followed by negotiate's kind, implementation events
// deal's kinds ("deal.…").
const (
	negotiationPrefix = "negotiate."
	kindCreated       = "case.created" // body: createdBody
	kindInvited       = "case.invited" // body: {name, role, public_key?}, to the mediator
	kindKey           = "case.key"     // body: keyBody; a participant registered its key, to itself
	kindStarted       = "case.started" // the negotiation begins
	kindSigned        = "case.signed"  // body: signedBody
	kindAction        = "case.action"  // body: action; a participant's implementation step
)

// Case states, as the store's summary and the API show them.
const (
	stateOpen         = "open"
	stateNegotiating  = "negotiating"
	stateSigning      = "signing"
	stateFailed       = "failed"
	stateAgreed       = "agreed" // signed, no plan to implement
	stateImplementing = "implementing"
	stateDiverged     = "diverged"
)

var errDiverged = errors.New("replay diverged from the log")

type createdBody struct {
	Name   string   `json:"name"`
	Humans []string `json:"humans"`
}

type signedBody struct {
	Party     string `json:"party"`
	Entry     int64  `json:"entry"`
	PublicKey []byte `json:"public_key"`
	Signature []byte `json:"signature"`
}

// liveCase is a case the server runs. mu serialises every change: appends
// happen in log order under it, and in-memory state changes only after the
// store has the events that justify it.
type liveCase struct {
	srv     *Server
	id      string
	created time.Time
	sc      *scenario.Scenario
	humans  []string
	an      *analysis.Result // of the true profiles; see analysisOf

	presence presence         // who has been heard from; not part of the case's state
	knownAn  *analysis.Result // of the confided profiles; see knownAnalysisLocked

	mu      sync.Mutex
	log     *ledger.Log
	events  *eventList
	last    time.Duration // latest entry time on the case's clock
	changed chan struct{} // closed and replaced at every append
	state   string
	broken  error

	session   *negotiate.Session
	drafts    *drafter // the case's mediator; see draft.go
	clock     *caseClock
	negStart  time.Duration
	asked     map[string]*negotiate.Question // last question Ask put to each human
	open      map[string]*negotiate.Question // asked and recorded, not yet answered
	acks      map[string]chan ack
	staged    []stagedEvent // recorded by the session, not yet appended; see record
	replayQ   []store.Event // logged negotiation events the session has still to reproduce
	caughtUp  chan struct{} // closed when replayQ is empty
	loading   bool
	result    *negotiate.Result
	agreeAt   int64 // entry index of the agreement
	signed    map[string]bool
	impl      *deal.Implementation
	dealStart time.Duration
	dealQ     []store.Event // logged deal events still to reproduce while loading
	botsBusy  bool          // the built-in parties are acting; see botsLocked
	timer     *time.Timer
	headWall  time.Time     // when the last tree head was signed
	done      chan struct{} // closed when the session's Run returns
}

type ack struct {
	seq int64
	err error
}

func newCase(srv *Server, id string, created time.Time, sc *scenario.Scenario, humans []string) (*liveCase, error) {
	l, err := ledger.NewLog(id, srv.key)
	if err != nil {
		return nil, err
	}
	return &liveCase{
		srv: srv, id: id, created: created, sc: sc, humans: humans,
		log: l, events: newEventList(id), changed: make(chan struct{}), state: stateOpen,
		asked: map[string]*negotiate.Question{}, open: map[string]*negotiate.Question{},
		acks: map[string]chan ack{}, signed: map[string]bool{}, caughtUp: make(chan struct{}),
		done: make(chan struct{}),
	}, nil
}

func (c *liveCase) isHuman(party string) bool { return slices.Contains(c.humans, party) }

// now is the time on the case's clock: since the case was created.
func (c *liveCase) now() time.Duration { return time.Since(c.created) }

// appendLocked makes entries durable in the store, after the negotiation
// events staged before them, then adds them all to the ledger, applies the
// staged events' effects and wakes the streams. On error nothing has
// changed in memory.
func (c *liveCase) appendLocked(ctx context.Context, entries ...ledger.Entry) ([]store.Event, error) {
	staged := c.staged
	c.staged = nil
	if len(staged) > 0 {
		all := make([]ledger.Entry, 0, len(staged)+len(entries))
		for _, s := range staged {
			all = append(all, s.entry)
		}
		entries = append(all, entries...)
	}
	if len(entries) == 0 {
		return nil, nil
	}
	evs, err := c.storeLocked(ctx, entries)
	if err != nil {
		if len(staged) > 0 {
			// The session has gone on from events that are now lost: a
			// restart replays it from those in the store.
			c.breakLocked(err)
			c.failStagedLocked(staged, err)
		}
		return nil, err
	}
	for i, s := range staged {
		c.appliedLocked(s.event, evs[i].Seq)
	}
	close(c.changed)
	c.changed = make(chan struct{})
	return evs[len(staged):], nil
}

// addEventsLocked adds stored events to the case in memory.
func (c *liveCase) addEventsLocked(evs ...store.Event) {
	for i := range evs {
		b, err := json.Marshal(toJSON(&evs[i]))
		if err != nil {
			// Only a broken invariant (a body the store took that is not
			// JSON) could get here; the stream shows the event without it.
			b = fmt.Appendf(nil, `{"seq":%d,"kind":%q}`, evs[i].Seq, evs[i].Kind)
		}
		c.events.add(&evs[i], fmt.Appendf(nil, "id: %d\nevent: %s\ndata: %s\n\n", evs[i].Seq, evs[i].Kind, b))
	}
}

// flushLocked makes the staged negotiation events durable.
func (c *liveCase) flushLocked() {
	if len(c.staged) > 0 && c.broken == nil {
		c.appendLocked(context.Background()) // a failure breaks the case
	}
}

// failStagedLocked tells the people whose answers were staged that they
// could not be kept.
func (c *liveCase) failStagedLocked(staged []stagedEvent, err error) {
	for _, s := range staged {
		if ch := c.acks[s.event.From]; ch != nil {
			ch <- ack{err: err}
			delete(c.acks, s.event.From)
		}
	}
}

// storeLocked appends entries to the store and the ledger.
func (c *liveCase) storeLocked(ctx context.Context, entries []ledger.Entry) ([]store.Event, error) {
	last := c.last
	next := c.events.len() + 1
	evs := make([]store.Event, len(entries))
	encoded := make([]ledger.Encoded, len(entries))
	for i := range entries {
		e := &entries[i]
		e.Time = max(e.Time, last)
		last = e.Time
		e.Wall = time.Now().UTC()
		e.Seq = next - 1 + int64(i)
		slices.Sort(e.To)
		x, err := ledger.Encode(*e)
		if err != nil {
			return nil, shuttle.Errorf(shuttle.EInternal, "event %s: %v", e.Kind, err)
		}
		encoded[i] = x
		evs[i] = store.Event{Case: c.id, Seq: next + int64(i), Time: e.Time, Wall: e.Wall, Kind: e.Kind,
			From: e.From, To: e.To, Body: x.Body(), Leaf: x.Leaf()}
	}
	start := time.Now()
	if err := c.srv.st.AppendEvents(ctx, c.id, next, "", evs); err != nil {
		return nil, fmt.Errorf("case %s: append: %w", c.id, err)
	}
	c.srv.metrics.appendSeconds.Observe(time.Since(start).Seconds())
	c.srv.metrics.events.Add(float64(len(evs)))
	for i := range encoded {
		if _, err := c.log.AppendEncoded(encoded[i]); err != nil {
			// The store has it and the ledger refuses it: the case cannot
			// go on consistently; a restart rebuilds both from the store.
			c.breakLocked(fmt.Errorf("ledger refused stored event %d: %w", evs[i].Seq, err))
			return nil, c.broken
		}
	}
	c.addEventsLocked(evs...)
	c.last = last
	switch {
	case slices.ContainsFunc(entries, func(e ledger.Entry) bool { return milestone(e.Kind) }):
		c.checkpointLocked(ctx)
	case c.routineHeadDueLocked():
		// A routine head is saved in the background: saving it here
		// would make the request that happened to call for it wait for a
		// second commit.
		if h, ok := c.signHeadLocked(); ok {
			c.srv.heads <- h
		}
	}
	return evs, nil
}

// How often routine events get a signed tree head. Signing and saving a
// head after every append would be a second durable commit per request;
// proofs do not need it, since they are served from the in-memory ledger up
// to any size. A head is what a party keeps to hold the mediator to the
// log, so one is signed and saved with every milestone (see milestone) and
// whenever someone asks for the head or an export; otherwise one is signed
// at most checkpointEvery events or checkpointAfter after the last, and
// saved in the background. Events after the last saved head are as durable
// as the others: a restart signs a head over them.
const (
	checkpointEvery = 64
	checkpointAfter = time.Second
)

// milestone reports whether an event of kind ends a stage worth a head of
// its own: the negotiation's start and end, a signature, a phase's end, an
// implementation's close.
func milestone(kind string) bool {
	switch kind {
	case kindCreated, kindStarted, kindSigned, negotiationPrefix + negotiate.KindAgreement.String(),
		negotiationPrefix + negotiate.KindFailure.String(), deal.KindScheduled, deal.KindPhaseEnded, deal.KindClosed:
		return true
	}
	return false
}

// routineHeadDueLocked reports whether enough events or time have passed
// since the last head to call for another.
func (c *liveCase) routineHeadDueLocked() bool {
	head, ok := c.log.LastHead()
	if !ok {
		return true
	}
	return c.events.len()-head.Size >= checkpointEvery || time.Since(c.headWall) >= checkpointAfter
}

// checkpointLocked signs a tree head covering every event and keeps it,
// unless the last one does already. It returns once the head is saved: a
// head someone asked for must be in the store before they have it.
func (c *liveCase) checkpointLocked(ctx context.Context) {
	if h, ok := c.signHeadLocked(); ok {
		c.srv.saveHead(ctx, h)
	}
}

// signHeadLocked signs a tree head covering every event, unless the last
// one does already.
func (c *liveCase) signHeadLocked() (store.TreeHead, bool) {
	if head, ok := c.log.LastHead(); ok && head.Size == c.events.len() {
		return store.TreeHead{}, false
	}
	h, err := c.log.Checkpoint(c.last)
	if err != nil {
		c.srv.log.Error("checkpoint", "case", c.id, "err", err)
		return store.TreeHead{}, false
	}
	c.headWall = time.Now()
	return store.TreeHead{Case: c.id, Size: h.Size, Root: h.Root, Note: h.Note}, true
}

func (c *liveCase) breakLocked(err error) {
	if c.broken == nil {
		c.broken = err
		c.state = stateDiverged
		c.srv.log.Error("case stopped", "case", c.id, "err", err)
	}
}

func (c *liveCase) setStateLocked(state string, closed bool) {
	c.state = state
	if err := c.srv.st.SetCaseState(context.Background(), c.id, state, closed); err != nil {
		c.srv.log.Error("set case state", "case", c.id, "err", err)
	}
}

// serverEvent is an entry the server writes at the current time.
func (c *liveCase) serverEvent(kind, from string, to []string, body any) (ledger.Entry, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return ledger.Entry{}, err
	}
	return ledger.Entry{Time: c.now(), Kind: kind, From: from, To: to, Body: b}, nil
}

// seed makes the case's random streams from its id, so that a replay draws
// what the first run drew.
func (c *liveCase) seed(stream uint64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(c.id))
	return rand.New(rand.NewPCG(h.Sum64(), stream))
}

// launch starts the negotiation, replaying the logged negotiation events
// first. The caller holds mu.
func (c *liveCase) launch(ctx context.Context, logged []store.Event) error {
	sc := c.sc
	proto, err := negotiate.ParseProtocol(sc.Protocol.Name)
	if err != nil {
		return err
	}
	profiles := sc.Profiles()
	c.clock = &caseClock{start: c.created.Add(c.negStart)}
	c.replayQ = logged
	for _, e := range logged {
		c.clock.pending++
		if c.isHuman(e.From) && isAnswer(e.Kind) {
			ne, err := negotiate.UnmarshalEvent(sc.Domain, e.Body)
			if err != nil {
				return fmt.Errorf("event %d: %w", e.Seq, err)
			}
			a := negotiate.Answer{Kind: ne.Kind, Outcome: ne.Outcome, Objections: ne.Objections, Yes: ne.Yes, Picks: ne.Picks}
			// What a person confided may be of their own making: the log
			// has it, the scenario does not.
			a.Confided = ne.Confided
			c.clock.script = append(c.clock.script, scripted{party: e.From, at: ne.Time, a: a})
		}
	}
	if len(logged) == 0 {
		close(c.caughtUp)
	}
	c.clock.answer = func(party string, id uint64, a negotiate.Answer) error {
		if id == 0 {
			// A replayed answer goes to the question open now.
			c.mu.Lock()
			q := c.asked[party]
			c.mu.Unlock()
			if q == nil {
				return errDiverged
			}
			id = q.ID
		}
		return c.session.Answer(party, id, a)
	}
	c.clock.inbox = make(chan delivery)
	c.clock.flush = func() {
		c.mu.Lock()
		c.flushLocked()
		c.mu.Unlock()
	}
	// A strategy that cannot be made fails the start, not the opening.
	if _, err := c.mediatorFor(nil); err != nil {
		return err
	}
	if c.drafts, err = c.newDrafterLocked(&lateMediator{c: c}); err != nil {
		return err
	}
	cache := &strategy.Cache{}
	seats := make([]negotiate.Seat, len(sc.Parties))
	for i, p := range sc.Parties {
		seats[i].Name = p.Name
		if c.isHuman(p.Name) {
			seats[i].Party = &human{c: c, name: p.Name}
			continue
		}
		bot, err := strategy.NewParty(strategy.PartyConfig{Strategy: p.Strategy, Params: p.Params, Confide: p.Confide,
			Profile: profiles[i], Rand: c.seed(uint64(i + 1)), Cache: cache})
		if err != nil {
			return err
		}
		seats[i].Party = bot
	}
	// Channels are left direct: on a server the real network is the
	// channel, and a party out of contact is one that has not answered.
	s, err := negotiate.NewSession(negotiate.Spec{
		Domain: sc.Domain, Protocol: proto, Parties: seats, Mediator: c.drafts,
		Rounds: sc.Protocol.Rounds, Deadline: sc.Protocol.Deadline, RoundTime: sc.Protocol.RoundTime,
		EarlyClose: true, Absence: negotiate.Wait, PostSettlement: sc.Protocol.PostSettlement,
		Clock: c.clock, Record: c.record,
	})
	if err != nil {
		return err
	}
	c.session = s
	go func() {
		res, err := s.Run(ctx)
		c.finish(res, err)
	}()
	return nil
}

func isAnswer(kind string) bool {
	k, err := negotiate.ParseKind(strings.TrimPrefix(kind, negotiationPrefix))
	if err != nil {
		return false
	}
	switch k {
	case negotiate.KindConfide, negotiate.KindAccept, negotiate.KindObject, negotiate.KindCounter,
		negotiate.KindOffer, negotiate.KindWalkAway, negotiate.KindVote, negotiate.KindBid:
		return true
	}
	return false
}

func isQuestion(k negotiate.Kind) bool {
	switch k {
	case negotiate.KindAskConfide, negotiate.KindText, negotiate.KindProposal, negotiate.KindPackages, negotiate.KindImprove:
		return true
	}
	return false
}

// human is a party answering through the API: it never answers at once.
type human struct {
	c    *liveCase
	name string
}

func (h *human) Ask(q *negotiate.Question) (negotiate.Answer, bool) {
	cp := *q
	h.c.mu.Lock()
	h.c.asked[h.name] = &cp
	if q.Kind == negotiate.KindTurn {
		// Turns are not recorded: the question is open at once.
		h.c.open[h.name] = &cp
	}
	h.c.mu.Unlock()
	return negotiate.Answer{}, false
}

// stagedEvent is a negotiation event recorded by the session and not yet
// in the store.
type stagedEvent struct {
	entry ledger.Entry
	event negotiate.Event
}

// record is the session's Record: while replaying it checks each event
// against the log; live, it stages the event, to be appended with the
// others of the session's step when the session next waits (see
// caseClock.Wait). A step (an answer taken, the mediator's next texts to
// every party) is then one durable commit instead of one per event, and
// nothing the step did is acknowledged or shown before it is durable.
func (c *liveCase) record(e negotiate.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return
	}
	kind := negotiationPrefix + e.Kind.String()
	to := []string(nil)
	if e.To != negotiate.Everyone {
		to = []string{e.To}
	}
	if len(c.replayQ) == 0 {
		body, err := negotiate.MarshalEvent(c.sc.Domain, &e)
		if err != nil {
			c.breakLocked(err)
			return
		}
		c.staged = append(c.staged, stagedEvent{
			entry: ledger.Entry{Time: c.negStart + e.Time, Kind: kind, From: e.From, To: to, Body: body},
			event: e})
		return
	}
	want := c.replayQ[0]
	c.replayQ = c.replayQ[1:]
	c.clock.reproduced()
	if want.Kind != kind || want.From != e.From || !slices.Equal(want.To, to) {
		c.breakLocked(fmt.Errorf("%w at event %d: logged %s from %q, replayed %s from %q", errDiverged, want.Seq, want.Kind, want.From, kind, e.From))
		return
	}
	// The same step must also say the same: a text, a time or a round that
	// differs means the session is not where the log left it.
	body, err := negotiate.MarshalEvent(c.sc.Domain, &e)
	if err == nil {
		body, err = ledger.CanonicalJSON(body)
	}
	if err != nil || !bytes.Equal(body, want.Body) {
		c.breakLocked(fmt.Errorf("%w at event %d (%s): logged %s, replayed %s", errDiverged, want.Seq, want.Kind, want.Body, body))
		return
	}
	if len(c.replayQ) == 0 {
		close(c.caughtUp)
	}
	c.appliedLocked(e, want.Seq)
}

// appliedLocked takes the effects of negotiation event e, in the log at
// seq: questions open, answers acknowledged, the agreement's place.
func (c *liveCase) appliedLocked(e negotiate.Event, seq int64) {
	switch {
	case isQuestion(e.Kind) && c.isHuman(e.To):
		c.open[e.To] = c.asked[e.To]
	case c.isHuman(e.From):
		delete(c.open, e.From)
		if ch := c.acks[e.From]; ch != nil {
			ch <- ack{seq: seq}
			delete(c.acks, e.From)
		}
	case e.Kind == negotiate.KindAgreement:
		c.agreeAt = seq - 1
	}
	if e.Kind == negotiate.KindAgreement || e.Kind == negotiate.KindFailure {
		clear(c.open)
	}
}

// finish takes the session's result.
func (c *liveCase) finish(res *negotiate.Result, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer close(c.done)
	c.flushLocked()
	clear(c.open)
	for p, ch := range c.acks {
		ch <- ack{err: shuttle.Errorf(shuttle.EConflict, "the negotiation ended")}
		delete(c.acks, p)
	}
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			c.breakLocked(err)
		}
		return
	}
	c.result = res
	if !c.loading {
		c.afterNegotiationLocked(context.Background())
	}
}

// afterNegotiationLocked moves a case whose negotiation ended on: to the
// signatures (the built-in parties sign at once) or to its close.
func (c *liveCase) afterNegotiationLocked(ctx context.Context) {
	if c.result == nil || c.broken != nil {
		return
	}
	if c.result.Agreement == nil {
		c.setStateLocked(stateFailed, true)
		return
	}
	if c.state == stateNegotiating {
		c.state = stateSigning
	}
	for _, p := range c.sc.Parties {
		if c.isHuman(p.Name) || c.signed[p.Name] {
			continue
		}
		// A built-in party's key lives only as long as its signature
		// takes: the public key and signature in the log are what count.
		pub, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			c.breakLocked(err)
			return
		}
		sig, err := ledger.SignAgreement(priv, c.log.Origin(), c.agreeAt, c.agreementHash())
		if err != nil {
			c.breakLocked(err)
			return
		}
		if err := c.signLocked(ctx, p.Name, pub, sig); err != nil {
			c.breakLocked(err)
			return
		}
	}
	switch {
	case len(c.signed) == len(c.sc.Parties) && c.impl == nil && c.state == stateSigning:
		// Signed before a restart that came before the implementation began.
		if err := c.startImplementationLocked(ctx, c.last); err != nil {
			c.breakLocked(err)
		}
	case c.state == stateSigning:
		c.setStateLocked(stateSigning, false)
	}
}

// agreementHash is what the parties sign: the hash of the agreement entry's
// canonical body.
func (c *liveCase) agreementHash() ledger.Hash {
	e, err := c.log.Entry(c.agreeAt)
	if err != nil {
		return ledger.Hash{}
	}
	return ledger.AgreementHash(e.Body)
}

// signLocked records party's signature of the agreement, checked first, and
// starts the implementation once every party has signed.
func (c *liveCase) signLocked(ctx context.Context, party string, pub ed25519.PublicKey, sig []byte) error {
	if _, err := parsePublicKey(pub); err != nil {
		return err
	}
	stmt := ledger.AgreementStatement(c.log.Origin(), c.agreeAt, c.agreementHash())
	if !ed25519.Verify(pub, stmt, sig) {
		return shuttle.Errorf(shuttle.EInvalid, "signature: does not verify for the agreement at entry %d", c.agreeAt)
	}
	// A party that registered a key signs with it: one key is one party.
	p, err := c.srv.keyHolder(ctx, c.id, party)
	switch {
	case err == nil && !p.PublicKey.Equal(pub):
		return shuttle.Errorf(shuttle.EConflict, "public_key: %s registered another key; sign with it", party)
	case err != nil && shuttle.ErrorCode(err) != shuttle.EUnauthorized:
		return err
	}
	e, err := c.serverEvent(kindSigned, party, nil, signedBody{Party: party, Entry: c.agreeAt, PublicKey: pub, Signature: sig})
	if err != nil {
		return err
	}
	if _, err := c.appendLocked(ctx, e); err != nil {
		return err
	}
	if err := c.applySignatureLocked(party, pub, sig); err != nil {
		return err
	}
	if c.isHuman(party) {
		if err := c.srv.st.SetParticipantKey(ctx, c.id, party, pub); err != nil {
			c.srv.log.Error("set participant key", "case", c.id, "party", party, "err", err)
		}
	}
	if len(c.signed) == len(c.sc.Parties) {
		return c.startImplementationLocked(ctx, c.last)
	}
	return nil
}

func (c *liveCase) applySignatureLocked(party string, pub ed25519.PublicKey, sig []byte) error {
	if err := c.log.AddParty(party, pub); err != nil {
		return err
	}
	if err := c.log.AddSignature(party, c.agreeAt, sig); err != nil {
		return err
	}
	c.signed[party] = true
	return nil
}

// startImplementationLocked starts carrying out the signed agreement, signed
// at time at on the case's clock.
func (c *liveCase) startImplementationLocked(ctx context.Context, at time.Duration) error {
	if c.sc.Plan == nil {
		c.setStateLocked(stateAgreed, true)
		return nil
	}
	sched, err := deal.NewSchedule(c.sc, c.result.Agreement)
	if err != nil {
		c.breakLocked(err)
		return err
	}
	impl, evs := deal.New(sched)
	c.impl, c.dealStart = impl, at
	if err := c.dealEventsLocked(ctx, nil, evs); err != nil {
		return err
	}
	c.setStateLocked(stateImplementing, false)
	c.armLocked()
	return nil
}

// dealEventsLocked appends the events of an implementation step, after the
// action that caused it if there is one, and lets the built-in parties act
// on them; while loading it checks them against the log instead.
func (c *liveCase) dealEventsLocked(ctx context.Context, act *ledger.Entry, evs []deal.Event) error {
	if c.loading {
		for _, e := range evs {
			if len(c.dealQ) == 0 || c.dealQ[0].Kind != e.Kind {
				err := fmt.Errorf("%w: implementation event %s not in the log", errDiverged, e.Kind)
				c.breakLocked(err)
				return err
			}
			c.dealQ = c.dealQ[1:]
		}
		return nil
	}
	var entries []ledger.Entry
	if act != nil {
		entries = append(entries, *act)
	}
	for _, e := range evs {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		entries = append(entries, ledger.Entry{Time: c.dealStart + time.Duration(e.At), Kind: e.Kind, From: e.From, To: e.To, Body: b})
	}
	if _, err := c.appendLocked(ctx, entries...); err != nil {
		return err
	}
	if st := c.impl.State(); st != deal.Active {
		c.setStateLocked(string(st), true)
		c.stopTimerLocked()
	}
	c.botsLocked()
	return nil
}

// dealNow is the implementation's time now.
func (c *liveCase) dealNow() time.Duration { return max(c.now()-c.dealStart, c.impl.Now()) }

// armLocked sets the timer for the implementation's next deadline, or the
// next time a built-in party means to act if that comes first.
func (c *liveCase) armLocked() {
	c.stopTimerLocked()
	if c.impl == nil || c.impl.State() != deal.Active || c.broken != nil {
		return
	}
	next, ok := deal.Wake(c.impl, c.botsOf())
	if !ok {
		return
	}
	c.timer = time.AfterFunc(max(next-c.dealNow(), 0), c.tick)
}

func (c *liveCase) stopTimerLocked() {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
}

// tick lets the implementation's time pass up to now.
func (c *liveCase) tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.impl == nil || c.broken != nil || c.srv.closing() {
		return
	}
	if err := c.advanceLocked(context.Background()); err != nil {
		c.srv.log.Error("implementation deadline", "case", c.id, "err", err)
	}
	c.armLocked()
}

func (c *liveCase) advanceLocked(ctx context.Context) error {
	evs, err := c.impl.Do(deal.Advance{To: c.dealNow()})
	if err != nil {
		return err
	}
	return c.dealEventsLocked(ctx, nil, evs)
}

// outcomeLabels is an outcome as JSON shows it.
func (c *liveCase) outcomeLabels(o space.Outcome) map[string]string {
	if o == nil {
		return nil
	}
	return c.sc.Domain.Labels(o)
}
