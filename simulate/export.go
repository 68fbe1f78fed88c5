package simulate

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/ledger"
	"github.com/shuttle-mediation/shuttle/negotiate"
)

// Keys sign a case's record: the mediator's installation key signs tree
// heads, and each party signs the agreement with its own key.
type Keys struct {
	Installation *ledger.Key
	Parties      map[string]ed25519.PrivateKey
}

// SimulationInstallation is the installation name of the keys
// SimulationKeys derives.
const SimulationInstallation = "shuttle-simulation"

// SimulationKeys derives the keys of a simulated case from its seed, so
// that the same run exports the same archive, byte for byte. They are for
// simulation only: anyone who knows the seed can derive them, so an
// archive they sign proves nothing about who signed it, only that it has
// not changed since.
func SimulationKeys(r *Result) (*Keys, error) {
	k := &Keys{Parties: make(map[string]ed25519.PrivateKey, len(r.Scenario.Parties))}
	var err error
	if k.Installation, err = ledger.NewKey(SimulationInstallation, derive(r.Seed, "installation", SimulationInstallation)); err != nil {
		return nil, err
	}
	for _, name := range r.PartyNames() {
		k.Parties[name] = derive(r.Seed, "party", name)
	}
	return k, nil
}

// derive is an ed25519 key from a hash of the seed, the key's role and its
// holder's name, each part length-prefixed so that no two inputs collide.
func derive(seed uint64, role, name string) ed25519.PrivateKey {
	h := sha256.New()
	var b [8]byte
	for _, s := range []string{"shuttle simulation key v1", role, name} {
		binary.BigEndian.PutUint64(b[:], uint64(len(s)))
		h.Write(b[:])
		h.Write([]byte(s))
	}
	binary.BigEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	return ed25519.NewKeyFromSeed(h.Sum(nil))
}

// CaseID names the simulated case in its log: the scenario's name, with
// characters a case id may not hold replaced, and the seed.
func (r *Result) CaseID() string {
	name := strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '~', c == '-':
			return c
		}
		return '-'
	}, r.Scenario.Name)
	suffix := "-seed" + strconv.FormatUint(r.Seed, 10)
	if len(name) > 128-len(suffix) {
		name = name[:128-len(suffix)]
	}
	if name == "" {
		name = "case"
	}
	return name + suffix
}

// Ledger records every event of the case, negotiation and implementation,
// in a log signed with k: a tree head when the negotiation ends, one at the
// end of each phase, as parties would save them, and one over the whole
// record; and, after an agreement, each party's signature of it.
func (r *Result) Ledger(k *Keys) (*ledger.Log, error) {
	log, err := ledger.NewLog(r.CaseID(), k.Installation)
	if err != nil {
		return nil, err
	}
	for _, name := range r.PartyNames() {
		priv, ok := k.Parties[name]
		if !ok {
			return nil, fmt.Errorf("ledger %s: no key for party %q", r.CaseID(), name)
		}
		if err := log.AddParty(name, priv.Public().(ed25519.PublicKey)); err != nil {
			return nil, err
		}
	}
	// Heads are signed when the negotiation is over (after any
	// post-settlement round) and at the end of each phase.
	negotiated := 0
	for negotiated < len(r.Events) && r.Events[negotiated].Negotiation != nil {
		negotiated++
	}
	agreement := int64(-1)
	for i, e := range r.Events {
		entry, err := r.entry(e)
		if err != nil {
			return nil, fmt.Errorf("ledger %s: event %d: %w", r.CaseID(), i+1, err)
		}
		idx, err := log.Append(entry)
		if err != nil {
			return nil, err
		}
		if e.Negotiation != nil && e.Negotiation.Kind == negotiate.KindAgreement {
			agreement = idx
		}
		if i+1 == negotiated || e.Deal != nil && e.Deal.Kind == deal.KindPhaseEnded {
			if _, err := log.Checkpoint(e.Time); err != nil {
				return nil, err
			}
		}
	}
	if agreement >= 0 {
		if err := r.sign(log, k, agreement); err != nil {
			return nil, err
		}
	}
	if n := len(r.Events); n > 0 {
		if _, err := log.Checkpoint(r.Events[n-1].Time); err != nil {
			return nil, err
		}
	}
	return log, nil
}

// sign adds every party's signature of the agreement at entry idx.
func (r *Result) sign(log *ledger.Log, k *Keys, idx int64) error {
	e, err := log.Entry(idx)
	if err != nil {
		return err
	}
	h := ledger.AgreementHash(e.Body)
	for _, name := range r.PartyNames() {
		sig, err := ledger.SignAgreement(k.Parties[name], log.Origin(), idx, h)
		if err != nil {
			return fmt.Errorf("ledger %s: %s signs the agreement: %w", log.Origin(), name, err)
		}
		if err := log.AddSignature(name, idx, sig); err != nil {
			return err
		}
	}
	return nil
}

// entry is e as a ledger entry, its body the event's stable JSON form.
func (r *Result) entry(e Event) (ledger.Entry, error) {
	if n := e.Negotiation; n != nil {
		body, err := negotiate.MarshalEvent(r.Scenario.Domain, n)
		if err != nil {
			return ledger.Entry{}, err
		}
		var to []string
		if n.To != negotiate.Everyone {
			to = []string{n.To}
		}
		return ledger.Entry{Time: e.Time, Kind: n.Kind.String(), From: n.From, To: to, Body: body}, nil
	}
	d := e.Deal
	body, err := json.Marshal(d)
	if err != nil {
		return ledger.Entry{}, err
	}
	return ledger.Entry{Time: e.Time, Kind: d.Kind, From: d.From, To: d.To, Body: body}, nil
}

// Export writes the complete record of the case, every event as the
// mediator holds it (confided profiles included), as a signed archive of
// package ledger, for audit; `shuttle verify` checks it.
func (r *Result) Export(w io.Writer, k *Keys) error {
	log, err := r.Ledger(k)
	if err != nil {
		return err
	}
	return log.Export(w)
}
