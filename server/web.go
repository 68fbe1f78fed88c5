package server

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/ledger"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/plot"
	"github.com/shuttle-mediation/shuttle/store"
)

// The web interface is a set of server-rendered pages over the same
// handlers as the JSON API: a browser holds its bearer token in a cookie,
// reads go through visible like every other read path, and every form is
// turned into the API request it stands for and handed to the API's own
// handler, so the two cannot drift apart.

//go:embed web/templates/*.html
var webTemplates embed.FS

//go:embed web/static
var webStatic embed.FS

const tokenCookie = "shuttle_token"

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"pct":  func(f float64) string { return strconv.FormatFloat(100*f, 'f', 0, 64) + "%" },
	"num":  func(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) },
	"join": strings.Join,
	"list": func(v ...string) []string { return v },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}).ParseFS(webTemplates, "web/templates/*.html"))

// webRoutes adds the web interface under /ui/ to mux.
func (s *Server) webRoutes(mux *http.ServeMux) {
	static, _ := fs.Sub(webStatic, "web/static")
	mux.Handle("GET /ui/static/", http.StripPrefix("/ui/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /ui/join", s.join)
	mux.HandleFunc("POST /ui/signout", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: "", Path: "/ui/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
		http.Redirect(w, r, "/ui/join", http.StatusSeeOther)
	})
	mux.Handle("GET /ui/{$}", s.web(s.webHome))
	mux.Handle("GET /ui/cases/{id}", s.web(s.webCase))
	mux.Handle("GET /ui/cases/{id}/stream", s.web(s.stream))
	mux.Handle("GET /ui/cases/{id}/export", s.web(s.export))
	mux.Handle("GET /ui/cases/{id}/plane.svg", s.web(s.webPlane))
	mux.Handle("GET /ui/cases/{id}/exposure.svg", s.web(s.webExposure))
	mux.Handle("POST /ui/cases/{id}/invite", s.web(s.webInvite))
	mux.Handle("POST /ui/cases/{id}/start", s.web(s.webForward("POST", "/start", s.start, nil)))
	mux.Handle("POST /ui/cases/{id}/answer", s.web(s.webForward("POST", "/answers", s.answer, answerForm)))
	mux.Handle("POST /ui/cases/{id}/confide", s.web(s.webConfide))
	mux.Handle("POST /ui/cases/{id}/sign", s.web(s.webForward("POST", "/signatures", s.sign, signForm)))
	mux.Handle("POST /ui/cases/{id}/act", s.web(s.webForward("POST", "/actions", s.action, actionForm)))
	mux.Handle("POST /ui/cases/{id}/draft", s.web(s.webForward("POST", "/drafts", s.postDraft, draftForm)))
	mux.Handle("POST /ui/cases/{id}/draft/withdraw", s.web(s.webForward("DELETE", "/drafts", s.deleteDraft, nil)))
}

// csrfToken binds a form to the session's token: a page from another site
// cannot know it, and it needs no state on the server.
func csrfToken(token string) string {
	h := sha256.Sum256([]byte("shuttle csrf\x00" + token))
	return hex.EncodeToString(h[:16])
}

// join signs a browser in with the token of an invite link, once: the
// token moves from the address into an HttpOnly cookie and the browser
// goes on without it.
func (s *Server) join(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if tok == "" {
		s.render(w, http.StatusUnauthorized, "signin", &webPage{Title: "Sign in"})
		return
	}
	p, err := s.st.ParticipantByTokenHash(r.Context(), store.HashToken(tok))
	if err != nil {
		s.render(w, http.StatusUnauthorized, "signin", &webPage{Title: "Sign in", Error: "This link is not valid: ask the mediator for a new one."})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: tok, Path: "/ui/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	to := "/ui/"
	if p.Case != adminCase {
		to = "/ui/cases/" + url.PathEscape(p.Case)
	}
	// A page of our own rather than a redirect: a browser that followed
	// the link from another site would not send a SameSite=Strict cookie
	// along a redirect of that navigation.
	s.render(w, http.StatusOK, "joined", &webPage{Title: "Signed in", You: p.Name, Notice: to})
}

// web authenticates a page request by its cookie through the API's own
// check, refuses a form without the session's CSRF token, and renders
// errors as a page.
func (s *Server) web(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(tokenCookie)
		if err != nil || ck.Value == "" {
			s.render(w, http.StatusUnauthorized, "signin", &webPage{Title: "Sign in"})
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(csrfToken(ck.Value))) != 1 {
				s.render(w, http.StatusForbidden, "error", &webPage{Title: "Refused", Error: "The form has expired or came from another site; reload the page and try again."})
				return
			}
		}
		r.Header.Set("Authorization", "Bearer "+ck.Value)
		sw := &statusWriter{ResponseWriter: w}
		if err := s.serve(sw, r, h); err != nil {
			if sw.status != 0 {
				return // a stream that had started
			}
			msg := err.Error()
			if shuttle.ErrorCode(err) == shuttle.EInternal {
				s.log.Error("web request failed", "path", r.URL.Path, "err", err)
				msg = "internal error"
			}
			s.render(w, shuttle.HTTPStatus(shuttle.ErrorCode(err)), "error", &webPage{Title: "Error", Error: msg, CSRF: csrfToken(ck.Value)})
		}
	})
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p *webPage) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, p); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// webPage is what every template gets; the fields a page does not use stay
// empty.
type webPage struct {
	Title  string
	Error  string
	Notice string
	CSRF   string
	Cases  []caseSummary
	Case   *caseSummary
	You    string
	Party  *partyView
	Med    *mediatorView
	Events []webEvent
	// LastSeq is the last event on the page, where its live stream
	// resumes.
	LastSeq int64
}

type webEvent struct {
	Seq  int64
	Time string
	Kind string
	From string
	To   string
	Body string
}

func webEvents(evs []eventJSON) []webEvent {
	out := make([]webEvent, len(evs))
	for i, e := range evs {
		t := e.Time
		if d, err := time.ParseDuration(t); err == nil {
			t = d.Round(time.Millisecond).String()
		}
		out[len(evs)-1-i] = webEvent{Seq: e.Seq, Time: t, Kind: e.Kind, From: e.From, To: strings.Join(e.To, ", "), Body: string(e.Body)}
	}
	return out
}

func (s *Server) webHome(w http.ResponseWriter, r *http.Request, a *caller) error {
	if !a.admin {
		http.Redirect(w, r, "/ui/cases/"+url.PathEscape(a.p.Case), http.StatusSeeOther)
		return nil
	}
	ids, err := s.st.ListCases(r.Context())
	if err != nil {
		return err
	}
	p := &webPage{Title: "Cases", CSRF: csrfToken(bearer(r)), You: "mediator"}
	for _, sc := range ids {
		if sc.ID == adminCase {
			continue
		}
		r.SetPathValue("id", sc.ID)
		c, v, err := s.lookup(r, a)
		if err != nil {
			s.log.Error("list case", "case", sc.ID, "err", err)
			continue
		}
		p.Cases = append(p.Cases, s.summary(c, v))
	}
	s.render(w, http.StatusOK, "cases", p)
	return nil
}

func bearer(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// webCase is a case's page: the console for the mediator, the party view
// for a party, and the public record for anyone else.
func (s *Server) webCase(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, v, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	sum := s.summary(c, v)
	p := &webPage{Title: sum.Name, CSRF: csrfToken(bearer(r)), Case: &sum, You: v.name, Notice: r.URL.Query().Get("notice")}
	var an webAnalysis
	if v.role == store.RoleMediator {
		// The API's analysis, as the console's suggestions.
		var rec recorder
		if err := s.analysis(&rec, r, a); err != nil {
			return err
		}
		if err := json.Unmarshal(rec.body.Bytes(), &an); err != nil {
			return err
		}
	}
	c.mu.Lock()
	evs := viewOf(c.events.slice(0), v)
	p.Events = webEvents(evs)
	if len(evs) > 0 {
		p.LastSeq = evs[len(evs)-1].Seq
	}
	switch v.role {
	case store.RoleMediator:
		p.Med = s.mediatorViewLocked(c)
		p.Med.Analysis = an
		p.Med.Draft = c.draftViewLocked(an.Suggestion)
	case store.RoleParty, store.RoleVerifier:
		p.Party = c.partyViewLocked(v)
	}
	c.mu.Unlock()
	s.render(w, http.StatusOK, "case", p)
	return nil
}

// webForward turns a form into the JSON request of the API route it stands
// for and runs that route's handler, then sends the browser back to the
// case page (post, redirect, get).
func (s *Server) webForward(method, route string, h handlerFunc, body func(r *http.Request) (any, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, a *caller) error {
		var data []byte
		if body != nil {
			v, err := body(r)
			if err != nil {
				return shuttle.Errorf(shuttle.EInvalid, "%v", err)
			}
			if data, err = json.Marshal(v); err != nil {
				return err
			}
		}
		id := r.PathValue("id")
		req, err := http.NewRequestWithContext(r.Context(), method, "/v1/cases/"+url.PathEscape(id)+route, bytes.NewReader(data))
		if err != nil {
			return err
		}
		req.SetPathValue("id", id)
		req.Header.Set("Authorization", r.Header.Get("Authorization"))
		var rec recorder
		if err := h(&rec, req, a); err != nil {
			return err
		}
		http.Redirect(w, r, "/ui/cases/"+url.PathEscape(id), http.StatusSeeOther)
		return nil
	}
}

// recorder keeps what an API handler writes, for webForward and
// webInvite.
type recorder struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (r *recorder) Header() http.Header {
	if r.h == nil {
		r.h = http.Header{}
	}
	return r.h
}
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.code = code }

// webInvite invites a participant and shows the mediator the link to send
// it, once: the server keeps only the token's hash.
func (s *Server) webInvite(w http.ResponseWriter, r *http.Request, a *caller) error {
	id := r.PathValue("id")
	data, _ := json.Marshal(map[string]string{"name": strings.TrimSpace(r.PostFormValue("name")), "role": r.PostFormValue("role")})
	req, err := http.NewRequestWithContext(r.Context(), "POST", "/v1/cases/"+url.PathEscape(id)+"/invites", bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.SetPathValue("id", id)
	var rec recorder
	if err := s.invite(&rec, req, a); err != nil {
		return err
	}
	var out struct{ Name, Role, Token string }
	if err := json.Unmarshal(rec.body.Bytes(), &out); err != nil {
		return err
	}
	link := "http://" + r.Host + "/ui/join?token=" + url.QueryEscape(out.Token)
	if r.TLS != nil {
		link = "https" + strings.TrimPrefix(link, "http")
	}
	r.SetPathValue("id", id)
	c, v, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	sum := s.summary(c, v)
	p := &webPage{Title: "Invitation", CSRF: csrfToken(bearer(r)), Case: &sum, You: v.name,
		Notice: fmt.Sprintf("Send this link to %s (%s) by a channel you trust; it is shown only now: %s", out.Name, out.Role, link)}
	s.render(w, http.StatusCreated, "invited", p)
	return nil
}

// answerForm is a party's answer form as the API's answer request.
func answerForm(r *http.Request) (any, error) {
	q, err := strconv.ParseUint(r.PostFormValue("question"), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("question: not a number")
	}
	req := answerRequest{Question: q, Kind: r.PostFormValue("kind"), Level: r.PostFormValue("level")}
	switch req.Kind {
	case "counter":
		req.Outcome = issueFields(r)
	case "object":
		var obs []map[string]any
		for k, vs := range r.PostForm {
			name, ok := strings.CutPrefix(k, "want:")
			if !ok || len(vs) != 1 || vs[0] == "" {
				continue
			}
			// The option carries the direction of the wanted value from the
			// text's, which the page knows and the form cannot compute.
			want, d, ok := strings.Cut(vs[0], "|")
			dir, err := strconv.Atoi(d)
			if !ok || err != nil {
				return nil, fmt.Errorf("want:%s: want a value and a direction", name)
			}
			strength, err := strconv.ParseFloat(r.PostFormValue("strength:"+name), 64)
			if err != nil {
				return nil, fmt.Errorf("strength:%s: not a number", name)
			}
			obs = append(obs, map[string]any{"issue": name, "want": want, "direction": dir, "strength": strength})
		}
		if len(obs) == 0 {
			return nil, fmt.Errorf("an objection names at least one issue and the value wanted instead")
		}
		slices.SortFunc(obs, func(a, b map[string]any) int { return strings.Compare(a["issue"].(string), b["issue"].(string)) })
		raw, err := json.Marshal(obs)
		if err != nil {
			return nil, err
		}
		req.Objections = raw
	}
	return &req, nil
}

// signForm carries a signature made in the browser (or offline) over the
// agreement statement the page shows.
func signForm(r *http.Request) (any, error) {
	pub, err := base64.StdEncoding.DecodeString(strings.TrimSpace(r.PostFormValue("public_key")))
	if err != nil {
		return nil, fmt.Errorf("public_key: not base64")
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(r.PostFormValue("signature")))
	if err != nil {
		return nil, fmt.Errorf("signature: not base64")
	}
	return map[string][]byte{"public_key": pub, "signature": sig}, nil
}

// actionForm is an implementation step as the API's action request.
func actionForm(r *http.Request) (any, error) {
	a := action{Type: r.PostFormValue("type"), Reason: r.PostFormValue("reason"), Note: r.PostFormValue("note")}
	for _, f := range []struct {
		name string
		to   *int
	}{{"phase", &a.Phase}, {"list", &a.List}, {"obligation", &a.Obligation}, {"quantity", &a.Quantity},
		{"delivery", &a.Delivery}, {"counted", &a.Counted}, {"breach", &a.Breach}} {
		v := r.PostFormValue(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("%s: not a number", f.name)
		}
		*f.to = n
	}
	if items := strings.TrimSpace(r.PostFormValue("items")); items != "" {
		for _, it := range strings.Split(items, "\n") {
			if it = strings.TrimSpace(it); it != "" {
				a.Items = append(a.Items, it)
			}
		}
	}
	a.Accept = r.PostFormValue("accept") == "yes"
	switch a.Type {
	case "report_breach":
		// Phase 0 names a standing rule, by its number in the obligation
		// field of the form.
		a.Accused = r.PostFormValue("accused")
		a.Subject = &deal.Subject{Phase: a.Phase, Obligation: a.Obligation}
		if a.Phase == 0 {
			a.Subject = &deal.Subject{Rule: a.Obligation}
		}
		a.Phase, a.Obligation = 0, 0
		a.Evidence = &deal.Evidence{Text: r.PostFormValue("evidence")}
	case "rule":
		a.Verdict = deal.Verdict(r.PostFormValue("verdict"))
		if cb := r.PostFormValue("cure_by"); cb != "" {
			d, err := time.ParseDuration(cb)
			if err != nil {
				return nil, fmt.Errorf("cure_by: want a duration such as 2h, got %q", cb)
			}
			a.CureBy = deal.Duration(d)
		}
	}
	return &a, nil
}

// partyView is what a party's page shows besides its history: only its own
// question, profile and part of the implementation.
type partyView struct {
	Human        bool
	Question     *webQuestion
	Profile      []webIssue
	Reserve      float64
	Statement    string // the agreement statement to sign, "" if none is awaited
	StatementB64 string // the same, exactly, for the page's script
	Signed       bool
	Agreement    []webIssue
	Impl         *webImpl
	// Edit is the party's profile to edit and confide, while the mediator
	// asks what it confides.
	Edit *confideEdit
}

type webQuestion struct {
	ID      uint64
	Kind    string
	Round   int
	Rounds  int
	Issues  []webIssue
	Utility float64
	Above   bool // the text is worth more than the reservation
}

// webIssue is one issue of a text or profile, with what it is worth to the
// reader when it is known.
type webIssue struct {
	Name   string
	Value  string
	Index  int // of Value
	Values []string
	Rating float64
}

func (c *liveCase) partyViewLocked(v viewer) *partyView {
	pv := &partyView{}
	i := c.sc.PartyIndex(v.name)
	d := c.sc.Domain
	if q := c.open[v.name]; q != nil && i >= 0 {
		prof := c.sc.Profiles()[i]
		wq := &webQuestion{ID: q.ID, Kind: q.Kind.String(), Round: q.Round, Rounds: q.Rounds}
		if q.Text != nil {
			wq.Utility = prof.Utility(q.Text)
			wq.Above = wq.Utility >= prof.Reservation
			for j, is := range d.Issues {
				wi := webIssue{Name: is.Name, Value: is.Label(q.Text[j]), Index: q.Text[j]}
				for k := 0; k < is.Size(); k++ {
					wi.Values = append(wi.Values, is.Label(k))
				}
				wq.Issues = append(wq.Issues, wi)
			}
		}
		pv.Question = wq
		if q.Kind == negotiate.KindAskConfide {
			pv.Edit = confideEditOf(prof)
		}
	}
	if i >= 0 {
		pv.Reserve = c.sc.Profiles()[i].Reservation
		pv.Profile = c.profileLocked(i)
	}
	if c.result != nil && c.result.Agreement != nil {
		for j, is := range d.Issues {
			pv.Agreement = append(pv.Agreement, webIssue{Name: is.Name, Value: is.Label(c.result.Agreement[j])})
		}
		pv.Signed = c.signed[v.name]
		if c.state == stateSigning && !pv.Signed && i >= 0 {
			stmt := ledger.AgreementStatement(c.log.Origin(), c.agreeAt, c.agreementHash())
			pv.Statement, pv.StatementB64 = string(stmt), base64.StdEncoding.EncodeToString(stmt)
		}
	}
	if c.impl != nil {
		pv.Impl = c.implViewLocked(v)
	}
	return pv
}

// profileLocked is party i's own profile issue by issue: the weight and
// the rating of each value, where its utility function is additive.
func (c *liveCase) profileLocked(i int) []webIssue {
	prof := c.sc.Profiles()[i]
	d := c.sc.Domain
	base := d.NewOutcome()
	u0 := prof.Utility(base)
	var out []webIssue
	for j, is := range d.Issues {
		// Rating by difference from the all-first outcome is exact for an
		// additive function and a fair guide otherwise.
		for k := 0; k < is.Size(); k++ {
			o := slices.Clone(base)
			o[j] = k
			out = append(out, webIssue{Name: is.Name, Value: is.Label(k), Rating: prof.Utility(o) - u0})
		}
	}
	return out
}

// webImpl is the implementation as one participant sees it: the schedule,
// and its own obligations and deliveries to confirm.
type webImpl struct {
	State   string
	Now     string
	Phases  []webPhase
	Confirm []webDelivery // deliveries awaiting this participant's check
	Active  bool          // whether steps may still be taken
	// Others are the parties a party may accuse of a breach.
	Others   []string
	Lists    []webList
	Breaches []deal.Breach // for the mediator, to rule on
	// Extendable: the plan allows extensions (the mediator may offer one);
	// Offered: an offer awaits this party's answer.
	Extendable, Offered bool
}

type webList struct {
	Phase, Index int
	To           string
	Due          string
}

type webPhase struct {
	Number      int
	Start, End  string
	Obligations []webObligation
}

type webObligation struct {
	Phase    int
	Index    int
	Name     string
	By, To   string
	Kind     string
	Quantity int
	Due      string
	Mine     bool
}

type webDelivery struct {
	ID       int
	By       string
	Quantity int
	Kind     string
}

func (c *liveCase) implViewLocked(v viewer) *webImpl {
	s := c.impl.Schedule()
	active := c.impl.State() == deal.Active
	wi := &webImpl{State: string(c.impl.State()), Now: c.dealNow().Round(time.Millisecond).String(), Active: active,
		Extendable: active && s.Extension != nil}
	me := slices.Index(s.Parties, v.name)
	if active && v.role == store.RoleParty {
		for i, p := range s.Parties {
			if i != me {
				wi.Others = append(wi.Others, p)
			}
		}
	}
	for _, ph := range s.Phases {
		wp := webPhase{Number: ph.Number, Start: ph.Start.String(), End: ph.End.String()}
		for _, o := range ph.Obligations {
			if v.role == store.RoleParty && o.Party != me && o.To != me {
				continue
			}
			wp.Obligations = append(wp.Obligations, webObligation{Phase: ph.Number, Index: o.Index, Name: o.Name, By: s.Parties[o.Party], To: s.Parties[o.To],
				Kind: o.Kind, Quantity: o.Quantity, Due: o.Due.String(), Mine: active && o.Party == me && v.role == store.RoleParty})
		}
		wi.Phases = append(wi.Phases, wp)
		for _, l := range ph.Lists {
			if active && l.Party == me && v.role == store.RoleParty {
				wi.Lists = append(wi.Lists, webList{Phase: ph.Number, Index: l.Index, To: s.Parties[l.To], Due: l.Due.String()})
			}
		}
	}
	if v.role == store.RoleMediator {
		for _, b := range c.impl.Breaches() {
			if b.Verdict == "" && active {
				wi.Breaches = append(wi.Breaches, b)
			}
		}
	}
	if !active || v.role == store.RoleMediator {
		return wi
	}
	// Deliveries awaiting this participant's confirmation, read from the
	// events it may see.
	confirmed := map[int]bool{}
	var pending []webDelivery
	for _, e := range c.events.all(0) {
		if !visible(&e, v) {
			continue
		}
		switch e.Kind {
		case deal.KindDelivered:
			var b struct {
				Phase int
				Body  deal.DeliveryBody
			}
			if json.Unmarshal(e.Body, &b) == nil && e.From != v.name && c.checksLocked(v, b.Phase, b.Body.Obligation) {
				pending = append(pending, webDelivery{ID: b.Body.Delivery, By: e.From, Quantity: b.Body.Quantity, Kind: b.Body.Kind})
			}
		case deal.KindOffered:
			wi.Offered = v.role == store.RoleParty
		case deal.KindAccepted, deal.KindDeclined:
			wi.Offered = wi.Offered && e.From != v.name
		case deal.KindLapsed, deal.KindExtended:
			wi.Offered = false
		case deal.KindConfirmed, deal.KindDisputed:
			var b struct{ Body deal.CheckBody }
			if json.Unmarshal(e.Body, &b) == nil && e.From == v.name {
				confirmed[b.Body.Delivery] = true
			}
		}
	}
	for _, d := range pending {
		if !confirmed[d.ID] {
			wi.Confirm = append(wi.Confirm, d)
		}
	}
	return wi
}

// checksLocked reports whether v must check the deliveries of obligation
// o of phase ph: a receiver that is not among the obligation's verifiers
// hears of a delivery but leaves its check to them.
func (c *liveCase) checksLocked(v viewer, ph, o int) bool {
	by, err := c.actor(v.name, v.role)
	if err != nil {
		return false
	}
	for _, p := range c.impl.Schedule().Phases {
		for _, ob := range p.Obligations {
			if p.Number == ph && ob.Index == o {
				return slices.Contains(ob.Verifiers, by)
			}
		}
	}
	return false
}

// webAnalysis is the part of the API's analysis the console shows.
type webAnalysis struct {
	Suggestion     *suggestionJSON `json:"suggestion"`
	SuggestionNote string          `json:"suggestion_note"`
	Parties        []gapJSON       `json:"parties"`
}

// mediatorView is the console's view of one case.
type mediatorView struct {
	Analysis webAnalysis
	Draft    *webDraft
	Parties  []webParty
	Plane    bool
	Impl     *webImpl
	Report   *deal.Report
	Head     string
	HeadSize int64
	Roles    []string
}

type webParty struct {
	Name       string
	Human      bool
	Confided   string
	Text       string // the last text put to the party
	LastAnswer string
	Waiting    bool   // a question is open and unanswered
	Reach      string // whether the person is connected, or when last heard from
	Signed     bool
}

func (s *Server) mediatorViewLocked(c *liveCase) *mediatorView {
	mv := &mediatorView{Roles: []string{"party", "verifier", "observer"}}
	now := time.Now()
	for _, p := range c.sc.Parties {
		wp := webParty{Name: p.Name, Human: c.isHuman(p.Name), Waiting: c.open[p.Name] != nil, Signed: c.signed[p.Name]}
		if wp.Human {
			wp.Reach = c.presence.describe(p.Name, now)
		}
		for _, e := range c.events.all(0) {
			if e.Kind == negotiationPrefix+"text" && len(e.To) == 1 && e.To[0] == p.Name {
				if ne, err := negotiate.UnmarshalEvent(c.sc.Domain, e.Body); err == nil {
					wp.Text = c.sc.Domain.Format(ne.Outcome)
				}
			}
			if e.From != p.Name || !strings.HasPrefix(e.Kind, negotiationPrefix) {
				continue
			}
			k := strings.TrimPrefix(e.Kind, negotiationPrefix)
			if k == "confide" {
				var b struct {
					Confided struct {
						Level string `json:"level"`
					} `json:"confided"`
				}
				json.Unmarshal(e.Body, &b)
				wp.Confided = b.Confided.Level
			}
			wp.LastAnswer = k
		}
		mv.Parties = append(mv.Parties, wp)
	}
	mv.Plane = len(c.sc.Parties) >= 2
	for _, p := range mv.Parties {
		mv.Plane = mv.Plane && p.Confided == negotiate.Full.String()
	}
	if c.impl != nil {
		mv.Impl = c.implViewLocked(viewer{name: negotiate.MediatorName, role: store.RoleMediator})
		mv.Report = c.impl.Report()
	}
	if h, ok := c.log.LastHead(); ok {
		mv.Head, mv.HeadSize = h.Root.String(), h.Size
	}
	return mv
}

// webPlane draws the utility plane of the case's first two parties: the
// frontier and fair points of the API's analysis, which exists only once
// every party has confided its whole profile, and the texts the mediator
// put to each party.
func (s *Server) webPlane(w http.ResponseWriter, r *http.Request, a *caller) error {
	var rec recorder
	if err := s.analysis(&rec, r, a); err != nil {
		return err
	}
	var an struct {
		Frontier                             []pointJSON
		Nash, Kalai, Egalitarian, MaxWelfare *pointJSON
		Note                                 string
	}
	if err := json.Unmarshal(rec.body.Bytes(), &an); err != nil {
		return err
	}
	if an.Frontier == nil {
		return shuttle.Errorf(shuttle.ENotFound, "%s", an.Note)
	}
	c, _, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	confided, err := c.confidedLocked()
	if err != nil {
		return err
	}
	profs := c.confidedProfiles(confided)
	pt := func(p *pointJSON) *plot.Point {
		if p == nil || len(p.Utilities) < 2 {
			return nil
		}
		return &plot.Point{X: p.Utilities[0], Y: p.Utilities[1]}
	}
	pl := plot.Plane{Parties: [2]string{profs[0].Name, profs[1].Name}, Reservation: [2]float64{profs[0].Reservation, profs[1].Reservation},
		Subtitle: "as confided; the texts put to each party",
		Nash:     pt(an.Nash), Kalai: pt(an.Kalai), Egalitarian: pt(an.Egalitarian), MaxWelfare: pt(an.MaxWelfare)}
	for i := range an.Frontier {
		pl.Frontier = append(pl.Frontier, *pt(&an.Frontier[i]))
	}
	paths := map[string]*plot.Path{}
	var order []string
	for _, e := range c.events.all(0) {
		if e.Kind != negotiationPrefix+"text" {
			continue
		}
		ne, err := negotiate.UnmarshalEvent(c.sc.Domain, e.Body)
		if err != nil {
			return err
		}
		p := paths[ne.To]
		if p == nil {
			p = &plot.Path{Label: "texts to " + ne.To}
			paths[ne.To] = p
			order = append(order, ne.To)
		}
		p.Points = append(p.Points, plot.Point{X: profs[0].Utility(ne.Outcome), Y: profs[1].Utility(ne.Outcome)})
	}
	for _, name := range order {
		pl.Paths = append(pl.Paths, *paths[name])
	}
	if c.result != nil && c.result.Agreement != nil {
		pl.Agreement = &plot.Point{X: profs[0].Utility(c.result.Agreement), Y: profs[1].Utility(c.result.Agreement)}
	}
	return writeSVG(w, pl.WriteSVG)
}

// webExposure draws each party's exposure over the implementation.
func (s *Server) webExposure(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, _, err := s.lookupAsMediator(r, a)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.impl == nil {
		return shuttle.Errorf(shuttle.ENotFound, "the case has no implementation")
	}
	l := exposureLines(c.impl)
	return writeSVG(w, l.WriteSVG)
}

func writeSVG(w http.ResponseWriter, draw func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := draw(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	_, err := buf.WriteTo(w)
	return err
}

// exposureLines charts, for each party, how far it has delivered ahead of
// the others after every implementation event, breaches and rulings
// marked.
func exposureLines(m *deal.Implementation) *plot.Lines {
	s := m.Schedule()
	l := &plot.Lines{Title: "Exposure over time", Subtitle: "how far each party has delivered ahead of the others",
		XLabel: "time since the agreement (s)", YLabel: "exposure"}
	l.Series = make([]plot.Series, len(s.Parties))
	for i, p := range s.Parties {
		l.Series[i] = plot.Series{Label: p, Step: true, Points: []plot.Point{{X: 0, Y: 0}}}
	}
	for _, e := range m.Log() {
		x := time.Duration(e.At).Seconds()
		for i, p := range s.Parties {
			y := 0.0
			for _, ex := range e.Exposure {
				if ex.Party == p {
					y += ex.Value
				}
			}
			l.Series[i].Points = append(l.Series[i].Points, plot.Point{X: x, Y: y})
		}
		switch e.Kind {
		case deal.KindReported, deal.KindRuled:
			l.Events = append(l.Events, plot.Event{X: x, Label: strings.TrimPrefix(e.Kind, "deal.")})
		}
	}
	return l
}
