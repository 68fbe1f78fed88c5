package ledger

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"

	"github.com/shuttle-mediation/shuttle"
)

// AgreementHash returns the hash a party signs for an agreement whose
// canonical bytes are canonical: plain SHA-256, so that anyone can compute
// it. In a log the agreement is the body of an entry, and its canonical
// bytes are that body's canonical JSON (see CanonicalJSON).
func AgreementHash(canonical []byte) Hash {
	return sha256.Sum256(canonical)
}

// AgreementStatement returns the message a party signs to accept the
// agreement with hash agreement recorded at entry index of the log named
// origin. Naming the log and the entry keeps a signature from being moved
// to another case or to an identical text elsewhere in the log.
func AgreementStatement(origin string, index int64, agreement Hash) []byte {
	return fmt.Appendf(nil, "shuttle agreement v1\n%s\n%d\n%s\n", origin, index, agreement)
}

// SignAgreement signs the statement accepting an agreement with a party's
// own key.
func SignAgreement(priv ed25519.PrivateKey, origin string, index int64, agreement Hash) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, shuttle.Errorf(shuttle.EInvalid, "agreement signature: private key of %d bytes, want %d", len(priv), ed25519.PrivateKeySize)
	}
	return ed25519.Sign(priv, AgreementStatement(origin, index, agreement)), nil
}

// An AgreementSignature is one party's signature accepting the agreement
// recorded at an entry of the log.
type AgreementSignature struct {
	Party string
	Entry int64
	Sig   []byte // ed25519 over AgreementStatement
}
