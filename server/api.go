package server

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/ledger"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/reqsig"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/store"
)

// caller is the participant a request's bearer token belongs to.
type caller struct {
	p     store.Participant
	admin bool
}

// in is who the caller is in case c; false if it has no part in it.
func (a *caller) in(c *liveCase) (viewer, bool) {
	if a.admin {
		return viewer{name: negotiate.MediatorName, role: store.RoleMediator}, true
	}
	if a.p.Case != c.id {
		return viewer{}, false
	}
	return viewer{name: a.p.Name, role: a.p.Role}, true
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, a *caller) error

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "cases": s.openCases()})
	})
	mux.Handle("GET /metrics", s.metricsHandler())
	handle := func(pattern string, h handlerFunc) {
		route := pattern
		mux.Handle(pattern, s.api(route, h))
	}
	handle("POST /v1/cases", s.createCase)
	handle("GET /v1/cases", s.listCases)
	handle("GET /v1/cases/{id}", s.getCase)
	handle("POST /v1/cases/{id}/invites", s.invite)
	handle("POST /v1/cases/{id}/key", s.registerKey)
	handle("POST /v1/cases/{id}/start", s.start)
	handle("GET /v1/cases/{id}/question", s.question)
	handle("POST /v1/cases/{id}/answers", s.answer)
	handle("GET /v1/cases/{id}/agreement", s.agreement)
	handle("POST /v1/cases/{id}/signatures", s.sign)
	handle("POST /v1/cases/{id}/actions", s.action)
	handle("GET /v1/cases/{id}/implementation", s.implementation)
	handle("GET /v1/cases/{id}/analysis", s.analysis)
	handle("GET /v1/cases/{id}/drafts", s.drafts)
	handle("POST /v1/cases/{id}/drafts", s.postDraft)
	handle("DELETE /v1/cases/{id}/drafts", s.deleteDraft)
	handle("GET /v1/cases/{id}/events", s.eventList)
	handle("GET /v1/cases/{id}/stream", s.stream)
	handle("GET /v1/cases/{id}/head", s.head)
	handle("GET /v1/cases/{id}/proofs/inclusion", s.inclusion)
	handle("GET /v1/cases/{id}/proofs/consistency", s.consistency)
	handle("GET /v1/cases/{id}/export", s.export)
	s.webRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, shuttle.Errorf(shuttle.ENotFound, "no route %s %s", r.Method, r.URL.Path))
	})
	return mux
}

// statusWriter remembers the status written, for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// api authenticates, rate-limits, bounds the body, runs h and writes its
// error, logging and counting every request.
func (s *Server) api(route string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBody)
		err := s.serve(sw, r, h)
		if err != nil {
			// A client that went away is no fault of the server's.
			if shuttle.ErrorCode(err) == shuttle.EInternal && r.Context().Err() == nil {
				s.log.Error("request failed", "route", route, "err", err)
			}
			writeError(sw, err)
		}
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.metrics.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		s.log.Debug("request", "route", route, "path", r.URL.Path, "status", sw.status, "duration", time.Since(start))
	})
}

// participant finds the holder of the token with hash h. Participants are
// never removed and their case, name and role never change, so each is kept
// after its first look-up, sparing a read of the store on every request;
// the kept copy leaves out the public key, which may be set later.
func (s *Server) participant(ctx context.Context, h store.TokenHash) (store.Participant, error) {
	if p, ok := s.known.Load(h); ok {
		return p.(store.Participant), nil
	}
	p, err := s.st.ParticipantByTokenHash(ctx, h)
	if err != nil {
		return p, err
	}
	p.PublicKey = nil
	s.known.Store(h, p)
	return p, nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, h handlerFunc) error {
	auth := r.Header.Get("Authorization")
	if params, ok := strings.CutPrefix(auth, reqsig.Scheme+" "); ok {
		p, err := s.signedCaller(r, params)
		if err != nil {
			return err
		}
		return h(w, r, &caller{p: p})
	}
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || tok == "" {
		return shuttle.Errorf(shuttle.EUnauthorized, "missing bearer token or request signature")
	}
	hash := store.HashToken(tok)
	if !s.limits.allow(hash) {
		return shuttle.Errorf(shuttle.ERateLimited, "too many requests for this token; slow down")
	}
	p, err := s.participant(r.Context(), hash)
	if shuttle.ErrorCode(err) == shuttle.ENotFound {
		return shuttle.Errorf(shuttle.EUnauthorized, "unknown token")
	} else if err != nil {
		return err
	}
	return h(w, r, &caller{p: p, admin: p.Case == adminCase})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// writeError writes err in the API's error form. Internal errors are not
// described to clients: the log has them.
func writeError(w http.ResponseWriter, err error) {
	code := shuttle.ErrorCode(err)
	msg := err.Error()
	if code == shuttle.EInternal {
		msg = "internal error"
	}
	var e *shuttle.Error
	if errors.As(err, &e) && e.Code == code && e.Message != "" && e.File == "" && e.Field == "" && e.Err == nil {
		msg = e.Message
	}
	writeJSON(w, shuttle.HTTPStatus(code), map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// decode reads a JSON request body into v, strictly.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return shuttle.Errorf(shuttle.EInvalid, "request body: data after the JSON value")
	}
	return nil
}

func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return shuttle.Errorf(shuttle.ETooLarge, "request body over %d bytes", tooLarge.Limit)
	}
	return shuttle.Errorf(shuttle.EInvalid, "request body: %v", err)
}

func notFound(id string) error { return shuttle.Errorf(shuttle.ENotFound, "no case %q", id) }

// lookup finds a case the caller takes part in, loading it from the store
// if the server has not yet (a closed case, or one a restart skipped).
// lookupAsMediator is lookup for the routes only the mediator may call.
func (s *Server) lookupAsMediator(r *http.Request, a *caller) (*liveCase, viewer, error) {
	c, v, err := s.lookup(r, a)
	if err != nil {
		return nil, viewer{}, err
	}
	if err := requireMediator(v); err != nil {
		return nil, viewer{}, err
	}
	return c, v, nil
}

func (s *Server) lookup(r *http.Request, a *caller) (*liveCase, viewer, error) {
	id := r.PathValue("id")
	if !a.admin && a.p.Case != id {
		return nil, viewer{}, notFound(id)
	}
	c := s.caseByID(id)
	if c == nil {
		sc, err := s.st.GetCase(r.Context(), id)
		if err != nil || id == adminCase {
			return nil, viewer{}, notFound(id)
		}
		s.mu.Lock()
		stopped := s.stopped[id]
		s.mu.Unlock()
		if stopped {
			return nil, viewer{}, stoppedError(id)
		}
		if c, err = s.resume(r.Context(), sc); err != nil {
			s.markStopped(id, err)
			if errors.Is(err, errDiverged) {
				s.log.Error("resume case", "case", id, "err", err)
				return nil, viewer{}, stoppedError(id)
			}
			return nil, viewer{}, err
		}
		s.mu.Lock()
		if c2 := s.cases[id]; c2 != nil {
			c = c2
		} else {
			s.cases[id] = c
		}
		s.mu.Unlock()
	}
	v, ok := a.in(c)
	if !ok {
		return nil, viewer{}, notFound(id)
	}
	if v.role != store.RoleMediator {
		c.presence.touch(v.name)
	}
	return c, v, nil
}

func requireMediator(v viewer) error {
	if v.role != store.RoleMediator {
		return shuttle.Errorf(shuttle.ENotFound, "no such resource")
	}
	return nil
}

func requireParty(v viewer) error {
	if v.role != store.RoleParty {
		return shuttle.Errorf(shuttle.EConflict, "only a party may do this")
	}
	return nil
}

func (s *Server) createCase(w http.ResponseWriter, r *http.Request, a *caller) error {
	if !a.admin {
		return shuttle.Errorf(shuttle.EUnauthorized, "creating cases takes a mediator token")
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err)
	}
	var idb [8]byte
	rand.Read(idb[:])
	id := "c-" + hex.EncodeToString(idb[:])
	sc, err := parseScenario("scenario", data)
	if err != nil {
		return err
	}
	var humans []string
	if h := r.URL.Query().Get("humans"); h != "" {
		humans = strings.Split(h, ",")
	}
	for _, h := range humans {
		if sc.PartyIndex(h) < 0 {
			return shuttle.Errorf(shuttle.EInvalid, "humans: the scenario has no party %q", h)
		}
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = sc.Name
	}
	now := time.Now()
	c, err := newCase(s, id, now, sc, humans)
	if err != nil {
		return err
	}
	if err := s.st.CreateCase(r.Context(), store.Case{ID: id, Name: name, Created: now, State: stateOpen, Scenario: data}); err != nil {
		return err
	}
	c.mu.Lock()
	e, err := c.serverEvent(kindCreated, "", nil, createdBody{Name: name, Humans: humans})
	if err == nil {
		_, err = c.appendLocked(r.Context(), e)
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.cases[id] = c
	s.mu.Unlock()
	s.log.Info("case created", "case", id, "name", name, "humans", humans)
	writeJSON(w, http.StatusCreated, s.summary(c, viewer{name: negotiate.MediatorName, role: store.RoleMediator}))
	return nil
}

type caseSummary struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	State   string   `json:"state"`
	Events  int      `json:"events"`
	Parties []string `json:"parties"`
	Humans  []string `json:"humans"`
	You     string   `json:"you"`
	Role    string   `json:"role"`
	// Presence is, for the mediator, each person taking part in the case:
	// the human parties and the participants invited.
	Presence map[string]presenceJSON `json:"presence,omitempty"`
}

func (s *Server) summary(c *liveCase, v viewer) caseSummary {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, e := range c.events.all(0) {
		if visible(&e, v) {
			n++
		}
	}
	var parties []string
	for _, p := range c.sc.Parties {
		parties = append(parties, p.Name)
	}
	cs := caseSummary{ID: c.id, Name: c.sc.Name, State: c.state, Events: n, Parties: parties, Humans: c.humans, You: v.name, Role: string(v.role)}
	if v.role == store.RoleMediator {
		cs.Presence = map[string]presenceJSON{}
		for _, name := range c.peopleLocked() {
			cs.Presence[name] = c.presence.of(name)
		}
	}
	return cs
}

func (s *Server) listCases(w http.ResponseWriter, r *http.Request, a *caller) error {
	ids := []string{a.p.Case}
	if a.admin {
		all, err := s.st.ListCases(r.Context())
		if err != nil {
			return err
		}
		ids = ids[:0]
		for _, c := range all {
			if c.ID != adminCase {
				ids = append(ids, c.ID)
			}
		}
	}
	out := []caseSummary{}
	for _, id := range ids {
		r.SetPathValue("id", id)
		c, v, err := s.lookup(r, a)
		if err != nil {
			s.log.Error("list case", "case", id, "err", err)
			continue
		}
		out = append(out, s.summary(c, v))
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": out})
	return nil
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, v, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.summary(c, v))
	return nil
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, _, err := s.lookupAsMediator(r, a)
	if err != nil {
		return err
	}
	var req struct {
		Name string     `json:"name"`
		Role store.Role `json:"role"`
		// PublicKey, if given, is the key with which the participant will
		// sign its requests: it then gets no token.
		PublicKey []byte `json:"public_key,omitempty"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	var pub ed25519.PublicKey
	if req.PublicKey != nil {
		if pub, err = parsePublicKey(req.PublicKey); err != nil {
			return err
		}
		if err := checkKeyName(req.Name); err != nil {
			return err
		}
	}
	switch req.Role {
	case store.RoleParty:
		if !c.isHuman(req.Name) {
			return shuttle.Errorf(shuttle.EInvalid, "name: %q is not a party answered by a person in this case", req.Name)
		}
	case store.RoleVerifier:
		if c.sc.Plan == nil || !slices.ContainsFunc(c.sc.Plan.Verifiers, func(vf scenario.Verifier) bool { return vf.Name == req.Name }) {
			return shuttle.Errorf(shuttle.EInvalid, "name: %q is not a verifier of this case's plan", req.Name)
		}
	case store.RoleObserver:
		if req.Name == "" || req.Name == negotiate.MediatorName || c.sc.PartyIndex(req.Name) >= 0 {
			return shuttle.Errorf(shuttle.EInvalid, "name: %q cannot name an observer", req.Name)
		}
	default:
		return shuttle.Errorf(shuttle.EInvalid, "role: want party, verifier or observer")
	}
	tok, h := store.NewToken()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usableLocked(); err != nil {
		return err
	}
	// A participant with a key gets no token: the hash kept is of one that
	// no one is given.
	if err := s.st.AddParticipant(r.Context(), store.Participant{Case: c.id, Name: req.Name, Role: req.Role, TokenHash: h, PublicKey: pub}); err != nil {
		return err
	}
	e, err := c.serverEvent(kindInvited, "", []string{negotiate.MediatorName}, req)
	if err != nil {
		return err
	}
	if _, err := c.appendLocked(r.Context(), e); err != nil {
		return err
	}
	out := map[string]string{"name": req.Name, "role": string(req.Role), "token": tok}
	if pub != nil {
		delete(out, "token")
		out["key_id"] = reqsig.KeyID(c.id, req.Name)
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) start(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, _, err := s.lookupAsMediator(r, a)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usableLocked(); err != nil {
		return err
	}
	if c.state != stateOpen {
		return shuttle.Errorf(shuttle.EConflict, "the case is %s, not open", c.state)
	}
	e, err := c.serverEvent(kindStarted, "", nil, struct{}{})
	if err != nil {
		return err
	}
	evs, err := c.appendLocked(r.Context(), e)
	if err != nil {
		return err
	}
	c.negStart = evs[0].Time
	c.state = stateNegotiating
	c.setStateLocked(stateNegotiating, false)
	if err := c.launch(s.ctx, nil); err != nil {
		c.breakLocked(err)
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"state": c.state, "seq": evs[0].Seq})
	return nil
}

// questionJSON is an open question as a party sees it.
type questionJSON struct {
	ID       uint64              `json:"id"`
	Kind     string              `json:"kind"`
	Round    int                 `json:"round"`
	Rounds   int                 `json:"rounds,omitempty"`
	Deadline string              `json:"deadline,omitempty"`
	Text     map[string]string   `json:"text,omitempty"`
	Current  map[string]string   `json:"current,omitempty"`
	Packages []map[string]string `json:"packages,omitempty"`
}

func (s *Server) question(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, v, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	if err := requireParty(v); err != nil {
		return err
	}
	wait, err := durationParam(r, "wait", maxQuestionWait)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.open[v.name]
	if q == nil && wait > 0 {
		q = c.awaitQuestionLocked(r.Context(), v.name, wait)
	}
	if q == nil {
		writeJSON(w, http.StatusOK, map[string]any{"question": nil, "state": c.state})
		return nil
	}
	qj := questionJSON{ID: q.ID, Kind: q.Kind.String(), Round: q.Round, Rounds: q.Rounds,
		Text: c.outcomeLabels(q.Text), Current: c.outcomeLabels(q.Current)}
	if q.Deadline > 0 {
		qj.Deadline = q.Deadline.String()
	}
	for _, p := range q.Packages {
		qj.Packages = append(qj.Packages, c.outcomeLabels(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"question": qj, "state": c.state})
	return nil
}

// answerRequest is a party's answer; the fields besides question and kind
// are those of the negotiation's event JSON.
type answerRequest struct {
	Question   uint64            `json:"question"`
	Kind       string            `json:"kind"`
	Outcome    map[string]string `json:"outcome,omitempty"`
	Objections json.RawMessage   `json:"objections,omitempty"`
	Yes        *bool             `json:"yes,omitempty"`
	Picks      []int             `json:"picks,omitempty"`
	Level      string            `json:"level,omitempty"` // confide: full, weights, musthaves or none
	// Confided is, for confide, a profile the party wrote, as the event's
	// "confided" field; see parseConfide.
	Confided json.RawMessage `json:"confided,omitempty"`
}

func (c *liveCase) parseAnswer(party string, req *answerRequest) (negotiate.Answer, error) {
	k, err := negotiate.ParseKind(req.Kind)
	if err != nil || !isAnswer(negotiationPrefix+req.Kind) {
		return negotiate.Answer{}, shuttle.Errorf(shuttle.EInvalid, "kind: %q is not an answer", req.Kind)
	}
	if k == negotiate.KindConfide {
		return c.parseConfide(party, req)
	}
	// The event decoder checks labels against the domain exactly as the
	// log is read back.
	ev := map[string]any{"seq": 0, "time": "0s", "round": 0, "to": negotiate.MediatorName, "kind": req.Kind}
	if req.Outcome != nil {
		ev["outcome"] = req.Outcome
	}
	if req.Objections != nil {
		ev["objections"] = req.Objections
	}
	if req.Yes != nil {
		ev["yes"] = *req.Yes
	}
	if req.Picks != nil {
		ev["picks"] = req.Picks
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return negotiate.Answer{}, err
	}
	e, err := negotiate.UnmarshalEvent(c.sc.Domain, b)
	if err != nil {
		return negotiate.Answer{}, shuttle.Errorf(shuttle.EInvalid, "answer: %v", err)
	}
	return negotiate.Answer{Kind: e.Kind, Outcome: e.Outcome, Objections: e.Objections, Yes: e.Yes, Picks: e.Picks}, nil
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, v, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	if err := requireParty(v); err != nil {
		return err
	}
	var req answerRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	ans, err := c.parseAnswer(v.name, &req)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if err := c.usableLocked(); err != nil {
		c.mu.Unlock()
		return err
	}
	q := c.open[v.name]
	if q == nil || q.ID != req.Question || c.acks[v.name] != nil {
		c.mu.Unlock()
		return shuttle.Errorf(shuttle.EConflict, "question %d is not open for %s", req.Question, v.name)
	}
	ch := make(chan ack, 1)
	c.acks[v.name] = ch
	clock, done := c.clock, c.done
	c.mu.Unlock()
	d := delivery{party: v.name, id: q.ID, a: ans, res: make(chan error, 1)}
	var err2 error
	select {
	case clock.inbox <- d:
		err2 = <-d.res
	case <-done:
		err2 = shuttle.Errorf(shuttle.EConflict, "the negotiation has ended")
	case <-r.Context().Done():
		err2 = r.Context().Err()
	}
	if err2 != nil {
		c.mu.Lock()
		delete(c.acks, v.name)
		c.mu.Unlock()
		if shuttle.ErrorCode(err2) == shuttle.EInternal {
			err2 = shuttle.Errorf(shuttle.EInvalid, "%v", err2)
		}
		return err2
	}
	select {
	case res := <-ch:
		if res.err != nil {
			return res.err
		}
		writeJSON(w, http.StatusOK, map[string]any{"seq": res.seq})
		return nil
	case <-r.Context().Done():
		return r.Context().Err()
	case <-s.ctx.Done():
		return shuttle.Errorf(shuttle.EInternal, "server closing")
	}
}

func (s *Server) agreement(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, _, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.result == nil || c.result.Agreement == nil {
		return shuttle.Errorf(shuttle.ENotFound, "the case has no agreement")
	}
	h := c.agreementHash()
	signed := []string{}
	for _, p := range c.sc.Parties {
		if c.signed[p.Name] {
			signed = append(signed, p.Name)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"entry": c.agreeAt, "origin": c.log.Origin(), "hash": base64.StdEncoding.EncodeToString(h[:]),
		"statement": string(ledger.AgreementStatement(c.log.Origin(), c.agreeAt, h)),
		"outcome":   c.outcomeLabels(c.result.Agreement), "signed": signed,
	})
	return nil
}

func (s *Server) sign(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, v, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	if err := requireParty(v); err != nil {
		return err
	}
	var req struct {
		PublicKey []byte `json:"public_key"`
		Signature []byte `json:"signature"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usableLocked(); err != nil {
		return err
	}
	if c.state != stateSigning {
		return shuttle.Errorf(shuttle.EConflict, "the case is %s: there is no agreement awaiting signatures", c.state)
	}
	if c.signed[v.name] {
		return shuttle.Errorf(shuttle.EConflict, "%s has already signed", v.name)
	}
	if err := c.signLocked(r.Context(), v.name, req.PublicKey, req.Signature); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"state": c.state, "seq": c.events.len()})
	return nil
}

func (s *Server) action(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, v, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	var req action
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.By != "" || req.At != 0 {
		return shuttle.Errorf(shuttle.EInvalid, "by and at are set by the server")
	}
	evs, err := c.act(r.Context(), v, &req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": viewOf(evs, v)})
	return nil
}

func (s *Server) implementation(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, _, err := s.lookupAsMediator(r, a)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.impl == nil {
		return shuttle.Errorf(shuttle.ENotFound, "the case has no implementation")
	}
	writeJSON(w, http.StatusOK, map[string]any{"report": c.impl.Report(), "schedule": c.impl.Schedule(), "breaches": c.impl.Breaches()})
	return nil
}

// eventJSON is an event as the API shows it.
type eventJSON struct {
	Seq  int64           `json:"seq"`
	Time string          `json:"time"`
	Wall time.Time       `json:"wall"`
	Kind string          `json:"kind"`
	From string          `json:"from,omitempty"`
	To   []string        `json:"to,omitempty"`
	Body json.RawMessage `json:"body"`
}

func toJSON(e *store.Event) eventJSON {
	return eventJSON{Seq: e.Seq, Time: e.Time.String(), Wall: e.Wall, Kind: e.Kind, From: e.From, To: e.To, Body: e.Body}
}

// viewOf is the part of evs v may see.
func viewOf(evs []store.Event, v viewer) []eventJSON {
	out := []eventJSON{}
	for i := range evs {
		if visible(&evs[i], v) {
			out = append(out, toJSON(&evs[i]))
		}
	}
	return out
}

// maxQuestionWait bounds how long GET question waits, below the time
// proxies commonly allow an idle response.
const maxQuestionWait = 60 * time.Second

// durationParam reads the query parameter name as a Go duration from 0 to
// limit; 0 if it is absent.
func durationParam(r *http.Request, name string, limit time.Duration) (time.Duration, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > limit {
		return 0, shuttle.Errorf(shuttle.EInvalid, "%s: want a duration from 0s to %v, such as 30s; got %q", name, limit, s)
	}
	return d, nil
}

// awaitQuestionLocked waits up to wait for a question to be open for
// party, while the negotiation can still put one, and returns it; nil if
// none came. It releases c.mu while it waits.
func (c *liveCase) awaitQuestionLocked(ctx context.Context, party string, wait time.Duration) *negotiate.Question {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for c.open[party] == nil && (c.state == stateOpen || c.state == stateNegotiating) && c.broken == nil {
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			c.mu.Lock()
			return c.open[party]
		case <-ctx.Done():
			c.mu.Lock()
			return nil
		case <-c.srv.ctx.Done():
			c.mu.Lock()
			return nil
		}
		c.mu.Lock()
	}
	return c.open[party]
}

func intParam(r *http.Request, name string, def int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, shuttle.Errorf(shuttle.EInvalid, "%s: want a non-negative integer, got %q", name, s)
	}
	return n, nil
}

func (s *Server) eventList(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, v, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	after, err := intParam(r, "after", 0)
	if err != nil {
		return err
	}
	c.mu.Lock()
	out := viewOf(c.events.slice(min(after, c.events.len())), v)
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"events": out})
	return nil
}

// stream sends the events v may see as Server-Sent Events, each with its
// seq as id, from Last-Event-ID (or ?after=) on, until the client leaves.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, v, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	after, err := intParam(r, "after", 0)
	if err != nil {
		return err
	}
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		if after, err = strconv.ParseInt(id, 10, 64); err != nil || after < 0 {
			return shuttle.Errorf(shuttle.EInvalid, "Last-Event-ID: want a non-negative integer, got %q", id)
		}
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		return shuttle.Errorf(shuttle.EInternal, "streaming unsupported")
	}
	if v.role != store.RoleMediator {
		defer c.presence.open(v.name)()
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	heartbeat := time.NewTicker(15 * time.Second)
	defer heartbeat.Stop()
	for {
		c.mu.Lock()
		var frames [][]byte
		for i, e := range c.events.all(min(after, c.events.len())) {
			if visible(&e, v) {
				frames = append(frames, c.events.frame(i))
			}
		}
		after = c.events.len()
		changed := c.changed
		c.mu.Unlock()
		for _, f := range frames {
			if _, err := w.Write(f); err != nil {
				return nil
			}
		}
		flusher.Flush()
		select {
		case <-changed:
		case <-heartbeat.C:
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			flusher.Flush()
		case <-r.Context().Done():
			return nil
		case <-s.ctx.Done():
			return nil
		}
	}
}

func (s *Server) head(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, _, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checkpointLocked(r.Context())
	h, ok := c.log.LastHead()
	if !ok {
		return shuttle.Errorf(shuttle.ENotFound, "no signed tree head yet")
	}
	writeJSON(w, http.StatusOK, map[string]any{"size": h.Size, "root": h.Root.String(), "time": h.Time.String(),
		"note": string(h.Note), "origin": c.log.Origin(), "verifier_key": s.key.VerifierKey()})
	return nil
}

func hashes(hs []ledger.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.String()
	}
	return out
}

func (s *Server) inclusion(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, v, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	seq, err := intParam(r, "seq", 0)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.events.len()
	size, err := intParam(r, "size", n)
	if err != nil {
		return err
	}
	// An event the caller may not see does not exist for it.
	if seq < 1 || seq > n {
		return shuttle.Errorf(shuttle.ENotFound, "no event %d", seq)
	}
	e := c.events.at(seq - 1)
	if !visible(&e, v) {
		return shuttle.Errorf(shuttle.ENotFound, "no event %d", seq)
	}
	if size < seq || size > n {
		return shuttle.Errorf(shuttle.EInvalid, "size: want %d to %d", seq, n)
	}
	proof, err := c.log.InclusionProof(seq-1, size)
	if err != nil {
		return err
	}
	root, err := c.log.Root(size)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"seq": seq, "index": seq - 1, "size": size,
		"leaf": ledger.Hash(e.Leaf).String(), "root": root.String(), "proof": hashes(proof)})
	return nil
}

func (s *Server) consistency(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, _, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.events.len()
	old, err := intParam(r, "old", 0)
	if err != nil {
		return err
	}
	nw, err := intParam(r, "new", n)
	if err != nil {
		return err
	}
	if old > nw || nw > n {
		return shuttle.Errorf(shuttle.EInvalid, "want old <= new <= %d", n)
	}
	proof, err := c.log.ConsistencyProof(old, nw)
	if err != nil {
		return err
	}
	oldRoot, _ := c.log.Root(old)
	newRoot, _ := c.log.Root(nw)
	writeJSON(w, http.StatusOK, map[string]any{"old": old, "new": nw, "old_root": oldRoot.String(),
		"new_root": newRoot.String(), "proof": hashes(proof)})
	return nil
}

// export writes the case's whole archive. It holds every event, so only the
// mediator may have it; parties check their own events by inclusion proofs.
func (s *Server) export(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, _, err := s.lookupAsMediator(r, a)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checkpointLocked(r.Context())
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", c.id+".jsonl"))
	return c.log.Export(w)
}
