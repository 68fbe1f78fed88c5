package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Hash is a SHA-256 hash of the log's tree: a leaf, an interior node or a
// root. Its String method gives standard base64, as tree heads write it.
type Hash = tlog.Hash

// A Key is the ed25519 key of a mediator's installation. It signs tree
// heads and archive headers, and it implements note.Signer.
type Key struct {
	name     string
	priv     ed25519.PrivateKey
	verifier note.Verifier
	vkey     string
}

// NewKey makes the installation key called name from an ed25519 private
// key. The name follows the signed-note rules (non-empty UTF-8 without
// spaces or '+') and is part of every log origin the key signs for.
func NewKey(name string, priv ed25519.PrivateKey) (*Key, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, shuttle.Errorf(shuttle.EInvalid, "ledger key %q: private key of %d bytes, want %d", name, len(priv), ed25519.PrivateKeySize)
	}
	vkey, err := note.NewEd25519VerifierKey(name, priv.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, Message: fmt.Sprintf("ledger key %q", name), Err: err}
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, Message: fmt.Sprintf("ledger key %q: want a name without spaces or '+'", name), Err: err}
	}
	return &Key{name: name, priv: priv, verifier: v, vkey: vkey}, nil
}

// Name returns the installation's name.
func (k *Key) Name() string { return k.name }

// KeyHash returns the signed-note key hash of k.
func (k *Key) KeyHash() uint32 {
	if k.verifier == nil {
		return 0 // not made by NewKey; Sign refuses it
	}
	return k.verifier.KeyHash()
}

// Sign signs msg.
func (k *Key) Sign(msg []byte) ([]byte, error) {
	if len(k.priv) != ed25519.PrivateKeySize {
		return nil, errors.New("ledger key not made by NewKey")
	}
	return ed25519.Sign(k.priv, msg), nil
}

// VerifierKey returns the public half of k as a signed-note verifier key,
// "<name>+<hash>+<base64 key>", which is how archives and users name it.
func (k *Key) VerifierKey() string { return k.vkey }

// A TreeHead describes the log at one size.
type TreeHead struct {
	Origin string        // the log's name: "<installation>/case/<case id>"
	Size   int64         // number of entries
	Root   Hash          // RFC 6962 root hash of the first Size entries
	Time   time.Duration // on the case's clock, when the head was made
}

// text returns h as the body of a checkpoint note.
func (h TreeHead) text() string {
	return fmt.Sprintf("%s\n%d\n%s\ntime %d\n", h.Origin, h.Size, h.Root, int64(h.Time))
}

// A SignedHead is a tree head signed by the mediator's installation key.
type SignedHead struct {
	TreeHead
	Note []byte // the signed note, as archives store it and parties save it
}

// signHead signs h with key.
func signHead(h TreeHead, key *Key) (SignedHead, error) {
	msg, err := note.Sign(&note.Note{Text: h.text()}, key)
	if err != nil {
		return SignedHead{}, fmt.Errorf("sign tree head at size %d: %w", h.Size, err)
	}
	return SignedHead{TreeHead: h, Note: msg}, nil
}

// OpenHead checks that msg is a tree head of the log named origin, signed
// by the key verifierKey and by nothing else, in exactly the form the
// package documentation gives, and returns it.
func OpenHead(msg []byte, verifierKey, origin string) (SignedHead, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return SignedHead{}, fmt.Errorf("verifier key: %w", err)
	}
	return openHead(msg, v, origin)
}

func openHead(msg []byte, v note.Verifier, origin string) (SignedHead, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		var bad *note.InvalidSignatureError
		var unverified *note.UnverifiedNoteError
		switch {
		case errors.As(err, &bad):
			return SignedHead{}, errors.New("bad signature")
		case errors.As(err, &unverified):
			return SignedHead{}, fmt.Errorf("not signed by the mediator's key %s", v.Name())
		}
		return SignedHead{}, fmt.Errorf("malformed signed note: %w", err)
	}
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 0 {
		return SignedHead{}, errors.New("signatures other than the mediator's")
	}
	// Open tolerates base64 with stray trailing bits; a strict reader must
	// not, or one head would have several encodings.
	sig, err := base64.StdEncoding.DecodeString(n.Sigs[0].Base64)
	if err != nil || base64.StdEncoding.EncodeToString(sig) != n.Sigs[0].Base64 ||
		!bytes.Equal(msg, []byte(n.Text+"\n— "+n.Sigs[0].Name+" "+n.Sigs[0].Base64+"\n")) {
		return SignedHead{}, errors.New("signed note not in canonical form")
	}
	h, err := parseHeadText(n.Text)
	if err != nil {
		return SignedHead{}, err
	}
	if h.Origin != origin {
		return SignedHead{}, fmt.Errorf("origin %q, want %q", h.Origin, origin)
	}
	return SignedHead{TreeHead: h, Note: msg}, nil
}

// parseHeadText parses the text of a checkpoint note, accepting only the
// form TreeHead.text writes.
func parseHeadText(text string) (TreeHead, error) {
	lines := strings.Split(text, "\n")
	bad := func(what string) (TreeHead, error) {
		return TreeHead{}, fmt.Errorf("tree head text: %s", what)
	}
	if len(lines) != 5 || lines[4] != "" {
		return bad("want 4 lines: origin, size, root hash, time")
	}
	var h TreeHead
	h.Origin = lines[0]
	size, err := parseDecimal([]byte(lines[1]))
	if err != nil {
		return bad("size: " + err.Error())
	}
	h.Size = size
	if h.Root, err = tlog.ParseHash(lines[2]); err != nil {
		return bad("root hash: " + err.Error())
	}
	t, ok := strings.CutPrefix(lines[3], "time ")
	if !ok {
		return bad(`want "time <nanoseconds>" on line 4`)
	}
	ns, err := parseDecimal([]byte(t))
	if err != nil {
		return bad("time: " + err.Error())
	}
	h.Time = time.Duration(ns)
	if h.text() != text {
		return bad("not in canonical form")
	}
	return h, nil
}

// origin is the name of the log of case caseID kept by installation.
func origin(installation, caseID string) string {
	return installation + "/case/" + caseID
}

// checkCaseID enforces the case id syntax: it is part of the origin, a
// one-line name without spaces or '+'.
func checkCaseID(id string) error {
	if id == "" || len(id) > 128 {
		return fmt.Errorf("case id %q: want 1 to 128 characters", id)
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._~-", c) >= 0) {
			return fmt.Errorf("case id %q: character %q not allowed (letters, digits, '.', '_', '~', '-')", id, c)
		}
	}
	return nil
}
