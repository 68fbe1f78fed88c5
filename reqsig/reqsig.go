package reqsig

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Scheme is the Authorization scheme of a signed request.
const Scheme = "Signature"

// version starts every signed message, so that a signature made for one
// layout cannot be taken for another.
const version = "shuttle-request-v1"

// A Signature is the parsed Authorization header of a signed request.
type Signature struct {
	KeyID   string // who signs: "CASE/NAME"
	Created int64  // Unix seconds
	Nonce   string // 8 to 64 letters, digits, '-' or '_'
	Sig     []byte // ed25519 signature of Message
}

// Message is what a request's signature covers.
func Message(method, target string, created int64, nonce string, body []byte) []byte {
	sum := sha256.Sum256(body)
	return fmt.Appendf(nil, "%s\n%s\n%s\n%d\n%s\n%s", version, method, target, created, nonce, hex.EncodeToString(sum[:]))
}

// Target is r's request target as signed: its path and query as sent.
func Target(r *http.Request) string { return r.URL.RequestURI() }

// Sign sets r's Authorization header to a signature by key, as the
// participant keyID, of r with body (which must be what r sends), made at
// now with a fresh nonce.
func Sign(r *http.Request, body []byte, keyID string, key ed25519.PrivateKey, now time.Time) error {
	if len(key) != ed25519.PrivateKeySize {
		return fmt.Errorf("sign request: private key of %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	if err := checkKeyID(keyID); err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	var b [16]byte
	rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	created := now.Unix()
	sig := ed25519.Sign(key, Message(r.Method, Target(r), created, nonce, body))
	r.Header.Set("Authorization", fmt.Sprintf(`%s keyId=%q,created="%d",nonce=%q,signature=%q`,
		Scheme, keyID, created, nonce, base64.StdEncoding.EncodeToString(sig)))
	return nil
}

// Parse parses the parameters of a Signature Authorization header, what
// follows "Signature ". It fails, naming the parameter, unless keyId,
// created, nonce and signature are each given once and well-formed.
func Parse(params string) (Signature, error) {
	var s Signature
	seen := map[string]bool{}
	for part := range strings.SplitSeq(params, ",") {
		name, quoted, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(quoted) < 2 || quoted[0] != '"' || quoted[len(quoted)-1] != '"' {
			return Signature{}, fmt.Errorf("signature: want name=\"value\" pairs separated by commas, got %q", part)
		}
		value := quoted[1 : len(quoted)-1]
		if strings.ContainsAny(value, `"\`) {
			return Signature{}, fmt.Errorf("signature: %s: quotes and backslashes are not allowed", name)
		}
		if seen[name] {
			return Signature{}, fmt.Errorf("signature: %s given twice", name)
		}
		seen[name] = true
		var err error
		switch name {
		case "keyId":
			s.KeyID, err = value, checkKeyID(value)
		case "created":
			s.Created, err = strconv.ParseInt(value, 10, 64)
			if err == nil && s.Created <= 0 {
				err = errors.New("not a positive number of seconds")
			}
		case "nonce":
			s.Nonce, err = value, checkNonce(value)
		case "signature":
			s.Sig, err = base64.StdEncoding.DecodeString(value)
			if err == nil && len(s.Sig) != ed25519.SignatureSize {
				err = fmt.Errorf("%d bytes, want %d", len(s.Sig), ed25519.SignatureSize)
			}
		default:
			return Signature{}, fmt.Errorf("signature: unknown parameter %q", name)
		}
		if err != nil {
			return Signature{}, fmt.Errorf("signature: %s: %v", name, err)
		}
	}
	for _, name := range []string{"keyId", "created", "nonce", "signature"} {
		if !seen[name] {
			return Signature{}, fmt.Errorf("signature: no %s", name)
		}
	}
	return s, nil
}

// Verify reports whether s is pub's signature of r with body.
func (s Signature) Verify(r *http.Request, body []byte, pub ed25519.PublicKey) bool {
	if len(pub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(pub, Message(r.Method, Target(r), s.Created, s.Nonce, body), s.Sig)
}

// Case and Name split s's key id.
func (s Signature) Case() string { c, _, _ := strings.Cut(s.KeyID, "/"); return c }

// Name is the participant's name within its case.
func (s Signature) Name() string { _, n, _ := strings.Cut(s.KeyID, "/"); return n }

// KeyID is the key id of participant name in case caseID.
func KeyID(caseID, name string) string { return caseID + "/" + name }

func checkKeyID(id string) error {
	c, n, ok := strings.Cut(id, "/")
	if !ok || c == "" || n == "" {
		return fmt.Errorf("key id %q: want CASE/NAME", id)
	}
	return nil
}

func checkNonce(n string) error {
	if len(n) < 8 || len(n) > 64 {
		return fmt.Errorf("%d characters, want 8 to 64", len(n))
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("%q not allowed: letters, digits, '-' and '_' only", r)
		}
	}
	return nil
}
