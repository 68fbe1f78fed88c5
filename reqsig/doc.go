// Package reqsig signs and checks HTTP requests with ed25519 keys, the
// alternative to a bearer token for a participant of a live case: the
// participant registers its public key once and signs each request, so no
// secret ever crosses the network.
//
// A signed request carries
//
//	Authorization: Signature keyId="CASE/NAME",created="UNIX",nonce="N",signature="BASE64"
//
// where the signature is over Message: a version line, the method, the
// request target (path and query as sent), the creation time in Unix
// seconds, the nonce and the hex SHA-256 of the body, one per line. The
// server that checks it decides how old a signature may be and remembers
// nonces for that long, so that a request cannot be replayed.
package reqsig
