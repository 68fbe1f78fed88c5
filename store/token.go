package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// A TokenHash is the SHA-256 of a participant's token, which is all the
// store keeps of it.
type TokenHash [32]byte

// HashToken returns the hash under which a token is stored and looked up.
func HashToken(token string) TokenHash {
	return sha256.Sum256([]byte(token))
}

// NewToken returns a new bearer token of 256 random bits, in unpadded
// base64url so that it fits in URLs and headers, and its hash. The token
// is shown to its participant once; only the hash is stored.
func NewToken() (token string, h TokenHash) {
	var b [32]byte
	rand.Read(b[:]) // never fails: see crypto/rand.Read
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}
