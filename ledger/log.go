package ledger

import (
	"cmp"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/shuttle-mediation/shuttle"
	"golang.org/x/mod/sumdb/tlog"
)

// A Log is the in-memory, append-only record of one case: its entries in a
// Merkle tree, the tree heads signed so far, the parties' public keys and
// their signatures on the agreement. It is safe for concurrent use.
//
// The tree is stored as tlog's stored hashes (every complete subtree, about
// two hashes per entry), so an append costs O(log n) hashing at worst and
// two on average, and a proof reads O(log n) stored hashes.
type Log struct {
	mu      sync.RWMutex
	caseID  string
	origin  string
	key     *Key
	entries []entryRef // canonical encodings, in chunks
	chunks  [][]byte   // filled in turn; a chunk never moves once written
	hashes  storedHash // tlog stored hashes
	parser  parser     // parses bodies, reusing its memory
	scratch []byte     // encodes entries
	clock   time.Duration
	heads   []SignedHead
	parties map[string]ed25519.PublicKey
	sigs    []AgreementSignature
}

// An entryRef says where in the chunks an entry's encoding is. A server
// keeps the logs of all its open cases in memory: with a slice per entry,
// every garbage collection would follow a pointer per entry of every case.
type entryRef struct{ chunk, off, n uint32 }

// storedHash implements tlog.HashReader over a slice.
type storedHash []Hash

func (s *storedHash) ReadHashes(indexes []int64) ([]Hash, error) {
	out := make([]Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(*s)) {
			return nil, fmt.Errorf("stored hash %d not in the log", x)
		}
		out[i] = (*s)[x]
	}
	return out, nil
}

// NewLog starts the log of case caseID, whose heads key signs. The case id
// is 1 to 128 letters, digits, '.', '_', '~' or '-'.
func NewLog(caseID string, key *Key) (*Log, error) {
	if err := checkCaseID(caseID); err != nil {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, Message: err.Error()}
	}
	if key == nil || key.verifier == nil {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, Message: "ledger: no installation key made by NewKey"}
	}
	return &Log{
		caseID:  caseID,
		origin:  origin(key.Name(), caseID),
		key:     key,
		parties: make(map[string]ed25519.PublicKey),
	}, nil
}

// Origin returns the log's name, which its tree heads and the agreement
// statements carry.
func (l *Log) Origin() string { return l.origin }

// Len returns the number of entries.
func (l *Log) Len() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return int64(len(l.entries))
}

// Append adds e as the next entry and returns its index. Append numbers
// the entry itself: e.Seq must be 0 or already the next index. The entry's
// time may not be earlier than the previous entry's or tree head's.
func (l *Log) Append(e Entry) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.Seq == 0 {
		e.Seq = int64(len(l.entries))
	}
	n, err := l.checkNextLocked(e.Seq, e.Time)
	if err != nil {
		return 0, err
	}
	enc, _, err := e.appendCanonical(l.scratch[:0], &l.parser)
	l.scratch = enc[:0]
	if err != nil {
		return 0, &shuttle.Error{Code: shuttle.EInvalid, Message: fmt.Sprintf("ledger %s: entry %d", l.origin, n), Err: err}
	}
	return l.appendLocked(n, e.Time, enc)
}

// AppendEncoded adds an entry Encode encoded, which must have the next
// index, with the same rules as Append.
func (l *Log) AppendEncoded(x Encoded) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.checkNextLocked(x.seq, x.time)
	if err != nil {
		return 0, err
	}
	return l.appendLocked(n, x.time, x.enc)
}

// checkNextLocked checks that an entry numbered seq at time t may come
// next, and returns seq.
func (l *Log) checkNextLocked(seq int64, t time.Duration) (int64, error) {
	n := int64(len(l.entries))
	if seq != n {
		return 0, shuttle.Errorf(shuttle.EConflict, "ledger %s: append entry %d: the next index is %d", l.origin, seq, n)
	}
	if t < l.clock {
		return 0, shuttle.Errorf(shuttle.EConflict, "ledger %s: append entry %d: time %v is before the log's last time %v", l.origin, n, t, l.clock)
	}
	return n, nil
}

// appendLocked adds entry n, encoded as enc, at time t.
func (l *Log) appendLocked(n int64, t time.Duration, enc []byte) (int64, error) {
	hashes, err := tlog.StoredHashes(n, enc, &l.hashes)
	if err != nil {
		return 0, fmt.Errorf("ledger %s: append entry %d: %w", l.origin, n, err)
	}
	l.hashes = append(l.hashes, hashes...)
	l.store(enc)
	l.clock = t
	return n, nil
}

// store copies b into the current chunk as the next entry, so that
// entries do not cost an allocation each.
func (l *Log) store(b []byte) {
	k := len(l.chunks) - 1
	if k < 0 || cap(l.chunks[k])-len(l.chunks[k]) < len(b) {
		// Small at first, for the many short logs, then doubling to
		// 64 KiB, so that a long log's chunks are few.
		size := 4 << 10
		if k >= 0 {
			size = min(2*cap(l.chunks[k]), 64<<10)
		}
		l.chunks = append(l.chunks, make([]byte, 0, max(size, len(b))))
		k++
	}
	l.entries = append(l.entries, entryRef{chunk: uint32(k), off: uint32(len(l.chunks[k])), n: uint32(len(b))})
	l.chunks[k] = append(l.chunks[k], b...)
}

// encoding returns entry i's canonical encoding.
func (l *Log) encoding(i int64) []byte {
	r := l.entries[i]
	return l.chunks[r.chunk][r.off : r.off+r.n : r.off+r.n]
}

// Entry returns entry i, with its body in canonical form.
func (l *Log) Entry(i int64) (Entry, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if err := l.checkIndex(i, int64(len(l.entries))); err != nil {
		return Entry{}, err
	}
	f, err := parseEntry(l.encoding(i))
	if err != nil {
		return Entry{}, fmt.Errorf("ledger %s: entry %d: %w", l.origin, i, err)
	}
	return f.entry(), nil
}

// parseEntry decodes a canonical entry encoding.
func parseEntry(data []byte) (entryFields, error) {
	var p parser
	n, err := p.parse(data)
	if err != nil {
		return entryFields{}, err
	}
	return decodeEntry(&n)
}

func (l *Log) checkIndex(i, size int64) error {
	if i < 0 || i >= size {
		return shuttle.Errorf(shuttle.ENotFound, "ledger %s: no entry %d in a tree of size %d", l.origin, i, size)
	}
	return nil
}

func (l *Log) checkSize(size int64) error {
	if size < 0 || size > int64(len(l.entries)) {
		return shuttle.Errorf(shuttle.ENotFound, "ledger %s: no tree of size %d: the log has %d entries", l.origin, size, len(l.entries))
	}
	return nil
}

// LeafHash returns the RFC 6962 leaf hash of an entry's canonical
// encoding: SHA-256(0x00 || canonical).
func LeafHash(canonical []byte) Hash { return tlog.RecordHash(canonical) }

// Root returns the root hash of the tree of the first size entries.
func (l *Log) Root(size int64) (Hash, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if err := l.checkSize(size); err != nil {
		return Hash{}, err
	}
	return l.root(size), nil
}

// Head returns the current, unsigned tree head.
func (l *Log) Head() TreeHead {
	l.mu.RLock()
	defer l.mu.RUnlock()
	n := int64(len(l.entries))
	return TreeHead{Origin: l.origin, Size: n, Root: l.root(n), Time: l.clock}
}

// root folds the complete subtrees that make up a tree of size entries,
// one per bit set in size, smallest first (RFC 6962, section 2.1).
func (l *Log) root(size int64) Hash {
	if size == 0 {
		return emptyRoot
	}
	var h Hash
	first := true
	for level := 0; size>>level > 0; level++ {
		if size>>level&1 == 0 {
			continue
		}
		sub := l.hashes[tlog.StoredHashIndex(level, size>>level-1)]
		if first {
			h, first = sub, false
		} else {
			h = tlog.NodeHash(sub, h)
		}
	}
	return h
}

// emptyRoot is the root of the empty tree: SHA-256 of nothing.
var emptyRoot Hash = sha256.Sum256(nil)

// InclusionProof proves that entry index is in the tree of the first size
// entries. CheckInclusion verifies it.
func (l *Log) InclusionProof(index, size int64) ([]Hash, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if err := l.checkSize(size); err != nil {
		return nil, err
	}
	if err := l.checkIndex(index, size); err != nil {
		return nil, err
	}
	return tlog.ProveRecord(size, index, &l.hashes)
}

// ConsistencyProof proves that the tree of the first old entries is a
// prefix of the tree of the first new ones. CheckConsistency verifies it.
func (l *Log) ConsistencyProof(old, new int64) ([]Hash, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if err := l.checkSize(new); err != nil {
		return nil, err
	}
	if old < 1 || old > new {
		return nil, shuttle.Errorf(shuttle.EInvalid, "ledger %s: consistency proof from size %d to %d: want 1 <= old <= new", l.origin, old, new)
	}
	return tlog.ProveTree(new, old, &l.hashes)
}

// CheckInclusion checks an inclusion proof that the entry with leaf hash
// leaf is at index in the tree of size entries whose root is root.
func CheckInclusion(proof []Hash, index, size int64, leaf, root Hash) error {
	if err := tlog.CheckRecord(proof, size, root, index, leaf); err != nil {
		return shuttle.Errorf(shuttle.EInvalid, "inclusion proof of entry %d in tree of size %d: %v", index, size, err)
	}
	return nil
}

// CheckConsistency checks a consistency proof that the tree of old entries
// with root oldRoot is a prefix of the tree of new entries with root
// newRoot.
func CheckConsistency(proof []Hash, old int64, oldRoot Hash, new int64, newRoot Hash) error {
	if err := tlog.CheckTree(proof, new, newRoot, old, oldRoot); err != nil {
		return shuttle.Errorf(shuttle.EInvalid, "consistency proof from size %d to %d: %v", old, new, err)
	}
	return nil
}

// Checkpoint signs the current tree head at time now on the case's clock,
// keeps it for the archive and returns it. If no entry was appended since
// the last signed head, it returns that head. now may not be earlier than
// the last entry's time; later entries may not be earlier than now.
//
// Every head signed is kept and exported, and a verifier checks each
// signature (some 50µs), so sign at milestones (a phase completed, the
// agreement, a party asking for a receipt) rather than after every event.
func (l *Log) Checkpoint(now time.Duration) (SignedHead, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k := len(l.heads); k > 0 && l.heads[k-1].Size == int64(len(l.entries)) {
		return l.heads[k-1], nil
	}
	if now < l.clock {
		return SignedHead{}, shuttle.Errorf(shuttle.EConflict, "ledger %s: checkpoint at %v, before the log's last time %v", l.origin, now, l.clock)
	}
	n := int64(len(l.entries))
	h := TreeHead{Origin: l.origin, Size: n, Root: l.root(n), Time: now}
	sh, err := signHead(h, l.key)
	if err != nil {
		return SignedHead{}, err
	}
	l.heads = append(l.heads, sh)
	l.clock = now
	return sh, nil
}

// Heads returns the tree heads signed so far, oldest first.
func (l *Log) Heads() []SignedHead {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return slices.Clone(l.heads)
}

// LastHead returns the latest tree head signed, if there is one.
func (l *Log) LastHead() (SignedHead, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if len(l.heads) == 0 {
		return SignedHead{}, false
	}
	return l.heads[len(l.heads)-1], true
}

// AddParty records the public key with which party signs the agreement.
func (l *Log) AddParty(party string, pub ed25519.PublicKey) error {
	if party == "" || !utf8.ValidString(party) {
		return shuttle.Errorf(shuttle.EInvalid, "ledger %s: party name %q: want non-empty UTF-8", l.origin, party)
	}
	if len(pub) != ed25519.PublicKeySize {
		return shuttle.Errorf(shuttle.EInvalid, "ledger %s: party %s: public key of %d bytes, want %d", l.origin, party, len(pub), ed25519.PublicKeySize)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if old, ok := l.parties[party]; ok && !old.Equal(pub) {
		return shuttle.Errorf(shuttle.EConflict, "ledger %s: party %s already has another key", l.origin, party)
	}
	l.parties[party] = slices.Clone(pub)
	return nil
}

// AddSignature records party's signature accepting the agreement that is
// the body of entry index, after checking it against the party's key.
func (l *Log) AddSignature(party string, index int64, sig []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	pub, ok := l.parties[party]
	if !ok {
		return shuttle.Errorf(shuttle.ENotFound, "ledger %s: no key for party %q", l.origin, party)
	}
	if err := l.checkIndex(index, int64(len(l.entries))); err != nil {
		return err
	}
	f, err := parseEntry(l.encoding(index))
	if err != nil {
		return fmt.Errorf("ledger %s: entry %d: %w", l.origin, index, err)
	}
	h := AgreementHash(appendCanonical(nil, f.body))
	if !ed25519.Verify(pub, AgreementStatement(l.origin, index, h), sig) {
		return shuttle.Errorf(shuttle.EInvalid, "ledger %s: signature of party %s on entry %d does not verify", l.origin, party, index)
	}
	s := AgreementSignature{Party: party, Entry: index, Sig: slices.Clone(sig)}
	i, found := slices.BinarySearchFunc(l.sigs, s, compareSignatures)
	if found {
		return shuttle.Errorf(shuttle.EConflict, "ledger %s: party %s already signed entry %d", l.origin, party, index)
	}
	l.sigs = slices.Insert(l.sigs, i, s)
	return nil
}

// compareSignatures orders signatures as archives list them.
func compareSignatures(a, b AgreementSignature) int {
	return cmp.Or(cmp.Compare(a.Entry, b.Entry), compareNames(a.Party, b.Party))
}
