// Package ledger is the tamper-evident record of a case. Every event of a
// case, negotiation and implementation alike, is an Entry appended to the
// case's Log, a Merkle tree hashed as in RFC 6962 (Certificate
// Transparency). The mediator's installation signs tree heads with its
// ed25519 Key; each party signs the agreement with its own ed25519 key.
// Log.Export writes the whole record as an archive, which Verify checks
// offline, naming the first entry, head or signature that fails, and which
// a tree head a party saved earlier can be checked against.
//
// Everything below is specified so that anyone can re-check an archive
// with other tools.
//
// # Canonical JSON
//
// Entries, archive lines and agreement texts are hashed as canonical JSON:
// RFC 8785 (the JSON Canonicalization Scheme), with stricter input rules.
//
//   - No whitespace outside strings.
//   - Object members sorted by name, comparing names as sequences of UTF-16
//     code units; duplicate names are rejected.
//   - Strings in UTF-8. Only these are escaped: '"' as \", '\' as \\,
//     U+0008 \b, U+0009 \t, U+000A \n, U+000C \f, U+000D \r, and the other
//     characters below U+0020 as \u00xx with lowercase hex. Everything else,
//     U+007F and U+2028 included, stands for itself. Invalid UTF-8 and
//     unpaired surrogates are rejected.
//   - Numbers are IEEE 754 doubles written as ECMAScript's
//     Number.prototype.toString writes them (RFC 8785, section 3.2.2.3):
//     shortest round-trip digits, plain for 1e-6 <= |x| < 1e21, otherwise
//     d.ddde±n; -0 is 0. So that no integer is silently rounded, an
//     integer written without fraction or exponent must lie within ±2^53,
//     and a number whose magnitude is above 2^53 and below 1e21 (which
//     would be written as integer digits) is rejected; write such values as
//     strings (RFC 7493, section 2.2). Numbers that overflow a double are
//     rejected; those too small for one are 0, as any reader of doubles
//     takes them.
//   - true, false and null as themselves; nesting at most 100 deep.
//
// CanonicalJSON converts any JSON text to this form.
//
// # Entries and the tree
//
// The canonical encoding of an entry is the canonical JSON of the object
//
//	{"body":{...},"from":"A","kind":"offer","seq":7,"time":"1500000000","to":["B"],"wall":"2024-01-02T03:04:05.123456789Z"}
//
// with members body (the event's content, a JSON object), from (the
// participant who caused it, "" for the case itself), kind (non-empty), seq
// (the 0-based position in the log), time (nanoseconds since the case
// started on the case's clock, as a decimal string without sign or leading
// zeros, because it may exceed 2^53), to (the recipients, a set written in
// the member-name order without repeats; empty means everyone), and wall
// (the wall-clock time in RFC 3339 UTC with 'Z' and no trailing zeros in
// the fraction, present only when the case runs on wall time). Times never
// decrease along the log.
//
// The leaf hash of an entry is SHA-256(0x00 || encoding), interior nodes
// are SHA-256(0x01 || left || right), and the root of n entries is built
// as in RFC 6962, section 2.1; the empty tree's root is SHA-256 of nothing.
// Inclusion and consistency proofs are RFC 6962's, as golang.org/x/mod's
// tlog package makes and checks them.
//
// # Tree heads
//
// A signed tree head is a checkpoint (C2SP tlog-checkpoint) in a signed
// note (golang.org/x/mod/sumdb/note):
//
//	<installation>/case/<case id>
//	<size>
//	<root hash, standard base64>
//	time <nanoseconds on the case's clock>
//
//	— <installation> <base64 of key hash and ed25519 signature>
//
// The first line is the log's origin; the installation is the name of the
// mediator's Key, and a case id is 1 to 128 letters, digits, '.', '_', '~'
// or '-'. The signature is the note's: ed25519 over the four text lines.
// The key is published as a note verifier key, "<installation>+<key
// hash>+<base64 key>". A reader accepts a head only in exactly this form
// with exactly this one signature. A party keeps such a note to check
// later that the log has only grown since.
//
// # Agreement signatures
//
// An agreement is recorded as the body of an entry, and its canonical bytes
// are that body's canonical JSON. A party accepts it by signing, with its
// own ed25519 key, the statement
//
//	shuttle agreement v1
//	<origin>
//	<entry index>
//	<base64 SHA-256 of the agreement's canonical bytes>
//
// (four lines, each ending in a newline; see AgreementStatement), so that
// the signature cannot be moved to another case or entry.
//
// # Archives
//
// An archive is one file of lines, each a canonical JSON object ending in
// a single "\n" and nothing else. The first line is the header:
//
//	{"header":{"case":"c-7","format":"shuttle-ledger/1","heads":[100,250],
//	 "mediator":"<verifier key>","parties":{"A":"<base64 key>",...},
//	 "sig":"<base64>","signatures":[{"entry":240,"party":"A","sig":"<base64>"},...]}}
//
// (on one line). heads lists the sizes of the signed tree heads in the
// archive, increasing; the last is the number of entries. parties maps each
// party to its ed25519 public key. signatures are the agreement signatures,
// ordered by entry, then party. sig is the mediator's ed25519 signature over
// "shuttle ledger header v1\n" followed by the canonical JSON of the header
// object without any sig member: neither its own nor those of the
// signatures, which the parties' keys check.
//
// Then come the entries in order, {"entry":<canonical entry>,"leaf":"<base64
// leaf hash>"}, with each tree head {"head":"<signed note>"} right after the
// last entry it covers (a head of size 0 comes first); the head covering all
// entries is the last line.
//
// Every line must be byte for byte the canonical form of what it says, and
// every part of the archive is bound by a hash or a signature, so that no
// change to an archive, however small, leaves it valid. The verifier
// streams: it keeps only the tree's compact range, and memory does not
// grow with the number of entries. What it cannot know by itself is
// whether the mediator's key is genuine: pass the key published by the
// installation as Options.Mediator, or check the one the report prints.
package ledger
