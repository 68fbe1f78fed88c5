package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/reqsig"
	"github.com/shuttle-mediation/shuttle/store"
)

// signatureWindow is how far a signed request's creation time may be from
// the server's clock, and so how long its nonce is remembered.
const signatureWindow = 5 * time.Minute

// signedCaller authenticates a request signed with a participant's
// registered key (see package reqsig): its body is read here to be checked
// and given back to the handler.
func (s *Server) signedCaller(r *http.Request, params string) (store.Participant, error) {
	sig, err := reqsig.Parse(params)
	if err != nil {
		return store.Participant{}, shuttle.Errorf(shuttle.EUnauthorized, "%v", err)
	}
	if !s.limits.allow(store.HashToken("key " + sig.KeyID)) {
		return store.Participant{}, shuttle.Errorf(shuttle.ERateLimited, "too many requests for this key; slow down")
	}
	p, err := s.keyHolder(r.Context(), sig.Case(), sig.Name())
	if err != nil {
		return store.Participant{}, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return store.Participant{}, bodyError(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !sig.Verify(r, body, p.PublicKey) {
		return store.Participant{}, shuttle.Errorf(shuttle.EUnauthorized, "signature: does not match the request and the key of %s", sig.KeyID)
	}
	now := time.Now()
	if skew := now.Sub(time.Unix(sig.Created, 0)); skew > signatureWindow || skew < -signatureWindow {
		return store.Participant{}, shuttle.Errorf(shuttle.EUnauthorized, "signature: created %v from the server's clock; want within %v", skew.Round(time.Second), signatureWindow)
	}
	if sig.Created < s.nonces.since {
		return store.Participant{}, shuttle.Errorf(shuttle.EUnauthorized, "signature: made before the server started; sign the request again")
	}
	if !s.nonces.fresh(sig.KeyID+"\x00"+sig.Nonce, now) {
		return store.Participant{}, shuttle.Errorf(shuttle.EUnauthorized, "signature: nonce %s already used", sig.Nonce)
	}
	return p, nil
}

// keyHolder finds the participant with a registered key in caseID named
// name. As with tokens, one that does not exist and one without a key are
// the same unknown key; a participant's key never changes once set, so it
// is kept after the first look-up.
func (s *Server) keyHolder(ctx context.Context, caseID, name string) (store.Participant, error) {
	id := reqsig.KeyID(caseID, name)
	if p, ok := s.keyed.Load(id); ok {
		return p.(store.Participant), nil
	}
	unknown := shuttle.Errorf(shuttle.EUnauthorized, "unknown key %s", id)
	if caseID == adminCase {
		return store.Participant{}, unknown
	}
	ps, err := s.st.Participants(ctx, caseID)
	if shuttle.ErrorCode(err) == shuttle.ENotFound {
		return store.Participant{}, unknown
	} else if err != nil {
		return store.Participant{}, err
	}
	for _, p := range ps {
		if p.Name == name && p.PublicKey != nil {
			s.keyed.Store(id, p)
			return p, nil
		}
	}
	return store.Participant{}, unknown
}

// nonces remembers the nonces of signed requests for as long as their
// signatures are accepted, so that no request is accepted twice. They are
// not kept across restarts: instead a server refuses the signatures made
// before it started, whose nonces it cannot know.
type nonces struct {
	since int64 // Unix seconds: when the server started
	mu    sync.Mutex
	seen  map[string]bool
	queue []nonceAt // in the order seen, for forgetting
}

type nonceAt struct {
	key string
	at  time.Time
}

// fresh reports whether key has not been seen in the last two windows (a
// signature is accepted for one window either side of its creation), and
// remembers it.
func (n *nonces) fresh(key string, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	forget := 0
	for forget < len(n.queue) && now.Sub(n.queue[forget].at) > 2*signatureWindow {
		delete(n.seen, n.queue[forget].key)
		forget++
	}
	n.queue = n.queue[forget:]
	if n.seen[key] {
		return false
	}
	n.seen[key] = true
	n.queue = append(n.queue, nonceAt{key, now})
	return true
}

// parsePublicKey checks a public key given in a request.
func parsePublicKey(b []byte) (ed25519.PublicKey, error) {
	if len(b) != ed25519.PublicKeySize {
		return nil, shuttle.Errorf(shuttle.EInvalid, "public_key: want %d bytes in base64, got %d", ed25519.PublicKeySize, len(b))
	}
	return ed25519.PublicKey(b), nil
}

// checkKeyName refuses a name that cannot appear in a key id.
func checkKeyName(name string) error {
	if strings.ContainsAny(name, "\"\\,") {
		return shuttle.Errorf(shuttle.EInvalid, "name: %q cannot sign requests: a key id may not hold quotes, backslashes or commas", name)
	}
	return nil
}

// registerKey records the caller's public key, with which it may then sign
// its requests instead of sending its token.
func (s *Server) registerKey(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, v, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	if a.admin {
		return shuttle.Errorf(shuttle.EUnsupported, "a mediator token is the server's; keys are for the participants of a case")
	}
	var req struct {
		PublicKey []byte `json:"public_key"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	pub, err := parsePublicKey(req.PublicKey)
	if err != nil {
		return err
	}
	if err := checkKeyName(v.name); err != nil {
		return err
	}
	id := reqsig.KeyID(c.id, v.name)
	if p, err := s.keyHolder(r.Context(), c.id, v.name); err == nil && p.PublicKey.Equal(pub) {
		writeJSON(w, http.StatusOK, map[string]string{"key_id": id})
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usableLocked(); err != nil {
		return err
	}
	if err := s.st.SetParticipantKey(r.Context(), c.id, v.name, pub); err != nil {
		return err
	}
	e, err := c.serverEvent(kindKey, v.name, []string{v.name}, keyBody{Name: v.name, PublicKey: pub})
	if err != nil {
		return err
	}
	if _, err := c.appendLocked(r.Context(), e); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"key_id": id})
	return nil
}

type keyBody struct {
	Name      string `json:"name"`
	PublicKey []byte `json:"public_key"`
}
