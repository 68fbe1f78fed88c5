package ledger

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"pgregory.net/rapid"
)

// The RFC 6962 (section 2.1) definitions, computed recursively and
// independently of tlog, as the oracle for the log's roots and proofs.

func rfcNode(l, r Hash) Hash { return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...)) }

// rfcSplit is the largest power of two smaller than n.
func rfcSplit(n int) int {
	k := 1
	for k<<1 < n {
		k <<= 1
	}
	return k
}

func rfcRoot(leaves []Hash) Hash {
	switch n := len(leaves); n {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	default:
		k := rfcSplit(n)
		return rfcNode(rfcRoot(leaves[:k]), rfcRoot(leaves[k:]))
	}
}

func rfcPath(m int, leaves []Hash) []Hash {
	n := len(leaves)
	if n == 1 {
		return nil
	}
	k := rfcSplit(n)
	if m < k {
		return append(rfcPath(m, leaves[:k]), rfcRoot(leaves[k:]))
	}
	return append(rfcPath(m-k, leaves[k:]), rfcRoot(leaves[:k]))
}

func rfcSubproof(m int, leaves []Hash, complete bool) []Hash {
	n := len(leaves)
	if m == n {
		if complete {
			return nil
		}
		return []Hash{rfcRoot(leaves)}
	}
	k := rfcSplit(n)
	if m <= k {
		return append(rfcSubproof(m, leaves[:k], complete), rfcRoot(leaves[k:]))
	}
	return append(rfcSubproof(m-k, leaves[k:], false), rfcRoot(leaves[:k]))
}

func hashBytes(hs []Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

func TestLogMatchesRFC6962(t *testing.T) {
	key := installationKey(t, "shuttle-test", 9)
	rapid.Check(t, func(t *rapid.T) {
		l, err := NewLog("prop", key)
		if err != nil {
			t.Fatal(err)
		}
		n := rapid.IntRange(1, 130).Draw(t, "entries")
		var leaves []Hash
		for i := range n {
			e := Entry{Time: time.Duration(i), Kind: "k", Body: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))}
			if _, err := l.Append(e); err != nil {
				t.Fatal(err)
			}
			e.Seq = int64(i)
			enc, err := e.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			leaves = append(leaves, LeafHash(enc))
		}
		if got, want := l.Head().Root, rfcRoot(leaves); got != want {
			t.Fatalf("Head().Root = %s, want %s", got, want)
		}
		size := rapid.IntRange(0, n).Draw(t, "size")
		root, err := l.Root(int64(size))
		if err != nil || root != rfcRoot(leaves[:size]) {
			t.Fatalf("Root(%d) = %s, %v; want %s", size, root, err, rfcRoot(leaves[:size]))
		}
		if size == 0 {
			return
		}

		index := rapid.IntRange(0, size-1).Draw(t, "index")
		incl, err := l.InclusionProof(int64(index), int64(size))
		if err != nil {
			t.Fatal(err)
		}
		if want := rfcPath(index, leaves[:size]); fmt.Sprint(incl) != fmt.Sprint(want) {
			t.Fatalf("InclusionProof(%d, %d) = %v, want %v", index, size, incl, want)
		}
		if err := CheckInclusion(incl, int64(index), int64(size), leaves[index], root); err != nil {
			t.Fatal(err)
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(index), uint64(size), leaves[index][:], hashBytes(incl), root[:]); err != nil {
			t.Fatalf("transparency-dev rejects InclusionProof(%d, %d): %v", index, size, err)
		}
		other := leaves[(index+1)%n]
		if other != leaves[index] && CheckInclusion(incl, int64(index), int64(size), other, root) == nil {
			t.Fatalf("inclusion proof of entry %d accepted for another leaf", index)
		}

		old := rapid.IntRange(1, size).Draw(t, "old")
		oldRoot := rfcRoot(leaves[:old])
		cons, err := l.ConsistencyProof(int64(old), int64(size))
		if err != nil {
			t.Fatal(err)
		}
		if want := rfcSubproof(old, leaves[:size], true); fmt.Sprint(cons) != fmt.Sprint(want) {
			t.Fatalf("ConsistencyProof(%d, %d) = %v, want %v", old, size, cons, want)
		}
		if err := CheckConsistency(cons, int64(old), oldRoot, int64(size), root); err != nil {
			t.Fatal(err)
		}
		if err := proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(old), uint64(size), hashBytes(cons), oldRoot[:], root[:]); err != nil {
			t.Fatalf("transparency-dev rejects ConsistencyProof(%d, %d): %v", old, size, err)
		}
		if len(cons) > 0 {
			cons[0][0] ^= 1
			if CheckConsistency(cons, int64(old), oldRoot, int64(size), root) == nil {
				t.Fatalf("altered consistency proof %d -> %d accepted", old, size)
			}
		}
	})
}

func TestLogErrors(t *testing.T) {
	key := installationKey(t, "shuttle-test", 9)
	l, err := NewLog("errors", key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(Entry{Time: time.Second, Kind: "k"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func() error
		code string
		msg  string
	}{
		{"seq not next", func() error { _, err := l.Append(Entry{Seq: 5, Time: time.Second, Kind: "k"}); return err }, shuttle.EConflict, "the next index is 1"},
		{"time backwards", func() error { _, err := l.Append(Entry{Time: time.Millisecond, Kind: "k"}); return err }, shuttle.EConflict, "before the log's last time"},
		{"encoded seq not next", func() error { return appendEncoded(l, Entry{Seq: 5, Time: time.Second, Kind: "k"}) }, shuttle.EConflict, "the next index is 1"},
		{"encoded time backwards", func() error { return appendEncoded(l, Entry{Seq: 1, Time: time.Millisecond, Kind: "k"}) }, shuttle.EConflict, "before the log's last time"},
		{"bad body", func() error {
			_, err := l.Append(Entry{Time: time.Second, Kind: "k", Body: json.RawMessage(`{"a":}`)})
			return err
		}, shuttle.EInvalid, "ledger shuttle-test/case/errors: entry 1: body: offset 5"},
		{"inclusion index beyond size", func() error { _, err := l.InclusionProof(1, 1); return err }, shuttle.ENotFound, "no entry 1"},
		{"inclusion size beyond log", func() error { _, err := l.InclusionProof(0, 2); return err }, shuttle.ENotFound, "no tree of size 2"},
		{"consistency from 0", func() error { _, err := l.ConsistencyProof(0, 1); return err }, shuttle.EInvalid, "want 1 <= old <= new"},
		{"consistency backwards", func() error { _, err := l.ConsistencyProof(2, 1); return err }, shuttle.EInvalid, "want 1 <= old <= new"},
		{"root beyond log", func() error { _, err := l.Root(2); return err }, shuttle.ENotFound, "no tree of size 2"},
		{"entry beyond log", func() error { _, err := l.Entry(1); return err }, shuttle.ENotFound, "no entry 1"},
		{"checkpoint in the past", func() error { _, err := l.Checkpoint(0); return err }, shuttle.EConflict, "before the log's last time"},
		{"export without final head", func() error { return l.Export(new(strings.Builder)) }, shuttle.EConflict, "covers 0 of 1 entries"},
		{"party without name", func() error { return l.AddParty("", seedKey(2).Public().(ed25519.PublicKey)) }, shuttle.EInvalid, "party name"},
		{"party key too short", func() error { return l.AddParty("a", make([]byte, 31)) }, shuttle.EInvalid, "public key of 31 bytes"},
		{"signature of unknown party", func() error { return l.AddSignature("nobody", 0, nil) }, shuttle.ENotFound, `no key for party "nobody"`},
		{"bad case id", func() error { _, err := NewLog("a b", key); return err }, shuttle.EInvalid, `character ' ' not allowed`},
		{"empty case id", func() error { _, err := NewLog("", key); return err }, shuttle.EInvalid, "1 to 128 characters"},
		{"bad key name", func() error { _, err := NewKey("a+b", seedKey(1)); return err }, shuttle.EInvalid, "without spaces or '+'"},
		{"short private key", func() error { _, err := NewKey("a", make([]byte, 32)); return err }, shuttle.EInvalid, "private key of 32 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil || shuttle.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v (code %q), want code %q and %q", err, shuttle.ErrorCode(err), tt.code, tt.msg)
			}
		})
	}
	if l.Len() != 1 {
		t.Fatalf("failed appends changed the log: Len() = %d", l.Len())
	}
	if _, err := NewLog("zero-key", &Key{}); shuttle.ErrorCode(err) != shuttle.EInvalid {
		t.Fatalf("NewLog with a zero Key: %v", err)
	}
	if _, err := (&Key{}).Sign([]byte("x")); err == nil {
		t.Fatal("a zero Key signed")
	}
}

func appendEncoded(l *Log, e Entry) error {
	x, err := Encode(e)
	if err != nil {
		return err
	}
	_, err = l.AppendEncoded(x)
	return err
}

// TestEncode checks that Encode gives what CanonicalJSON, Canonical and
// LeafHash give separately, and that a log of encoded entries is the log
// of the same entries appended.
func TestEncode(t *testing.T) {
	key := installationKey(t, "shuttle-test", 9)
	plain, _ := NewLog("plain", key)
	encoded, _ := NewLog("plain", key)
	for i, e := range []Entry{
		{Kind: "case.created"},
		{Time: 3, Kind: "negotiate.text", From: "mediator", To: []string{"bob", "alice"}, Body: json.RawMessage(`{ "z": 1, "a": [true, "\u00e9"] }`)},
		{Time: 3, Wall: time.Unix(1_800_000_000, 5).UTC(), Kind: "deal.delivered", Body: json.RawMessage(`{}`)},
	} {
		e.Seq = int64(i)
		x, err := Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		body := e.Body
		if body == nil {
			body = json.RawMessage(`{}`)
		}
		wantBody, _ := CanonicalJSON(body)
		enc, _ := e.Canonical()
		if !bytes.Equal(x.Body(), wantBody) || x.Leaf() != LeafHash(enc) {
			t.Errorf("entry %d: Encode gives body %s and leaf %v, want %s and %v", i, x.Body(), x.Leaf(), wantBody, LeafHash(enc))
		}
		if _, err := plain.Append(e); err != nil {
			t.Fatal(err)
		}
		if _, err := encoded.AppendEncoded(x); err != nil {
			t.Fatal(err)
		}
	}
	if plain.Head().Root != encoded.Head().Root {
		t.Error("the roots of the same entries appended and appended encoded differ")
	}
	if _, err := Encode(Entry{Kind: "k", Body: json.RawMessage(`[1]`)}); err == nil {
		t.Error("Encode of a body that is not an object: no error")
	}
}

// TestConcurrentUse appends from several goroutines while others read
// heads and proofs; run it with -race.
func TestConcurrentUse(t *testing.T) {
	l, err := NewLog("concurrent", installationKey(t, "shuttle-test", 9))
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				body := json.RawMessage(fmt.Sprintf(`{"writer":%d,"i":%d}`, w, i))
				if _, err := l.Append(Entry{Time: time.Second, Kind: "k", Body: body}); err != nil {
					t.Error(err)
					return
				}
			}
		})
		wg.Go(func() {
			for range each {
				h := l.Head()
				if h.Size == 0 {
					continue
				}
				p, err := l.InclusionProof(h.Size-1, h.Size)
				if err != nil {
					t.Error(err)
					return
				}
				e, err := l.Entry(h.Size - 1)
				if err != nil {
					t.Error(err)
					return
				}
				enc, err := e.Canonical()
				if err != nil {
					t.Error(err)
					return
				}
				if err := CheckInclusion(p, h.Size-1, h.Size, LeafHash(enc), h.Root); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if l.Len() != writers*each {
		t.Fatalf("Len() = %d, want %d", l.Len(), writers*each)
	}
}

func mustSign(t *testing.T, priv ed25519.PrivateKey, origin string, index int64, h Hash) []byte {
	t.Helper()
	sig, err := SignAgreement(priv, origin, index, h)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestAgreementSignatures(t *testing.T) {
	s := newSample(t)
	l := s.log
	agreed, err := l.Entry(s.agreement)
	if err != nil {
		t.Fatal(err)
	}
	h := AgreementHash(agreed.Body)
	if err := l.AddParty("east", seedKey(4).Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		party string
		entry int64
		sig   []byte
		code  string
	}{
		{"signed by another key", "east", s.agreement, mustSign(t, seedKey(5), l.Origin(), s.agreement, h), shuttle.EInvalid},
		{"signed for another entry", "east", s.agreement - 1, mustSign(t, seedKey(4), l.Origin(), s.agreement, h), shuttle.EInvalid},
		{"signed for another case", "east", s.agreement, mustSign(t, seedKey(4), "mediation.example.org/case/other", s.agreement, h), shuttle.EInvalid},
		{"signed another text", "east", s.agreement, mustSign(t, seedKey(4), l.Origin(), s.agreement, AgreementHash([]byte("{}"))), shuttle.EInvalid},
		{"entry beyond the log", "east", 99, mustSign(t, seedKey(4), l.Origin(), 99, h), shuttle.ENotFound},
		{"already signed", "north", s.agreement, mustSign(t, s.parties["north"], l.Origin(), s.agreement, h), shuttle.EConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := l.AddSignature(tt.party, tt.entry, tt.sig)
			if shuttle.ErrorCode(err) != tt.code {
				t.Fatalf("AddSignature = %v, want code %q", err, tt.code)
			}
		})
	}
	if _, err := SignAgreement(make([]byte, 10), l.Origin(), 0, h); shuttle.ErrorCode(err) != shuttle.EInvalid {
		t.Fatalf("SignAgreement with a short key: %v", err)
	}
	if err := l.AddParty("north", seedKey(6).Public().(ed25519.PublicKey)); shuttle.ErrorCode(err) != shuttle.EConflict {
		t.Fatalf("replacing a party's key: %v, want a conflict", err)
	}
	if err := l.AddSignature("east", s.agreement, mustSign(t, seedKey(4), l.Origin(), s.agreement, h)); err != nil {
		t.Fatal(err)
	}
}

func TestCheckpointAndOpenHead(t *testing.T) {
	key := installationKey(t, "shuttle-test", 9)
	l, err := NewLog("heads", key)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.LastHead(); ok {
		t.Fatal("LastHead of a log without heads: ok")
	}
	empty, err := l.Checkpoint(0)
	if err != nil {
		t.Fatal(err)
	}
	if empty.Size != 0 || empty.Root != sha256.Sum256(nil) {
		t.Fatalf("empty head = %+v", empty.TreeHead)
	}
	if _, err := l.Append(Entry{Time: 5, Kind: "k"}); err != nil {
		t.Fatal(err)
	}
	h1, err := l.Checkpoint(7)
	if err != nil {
		t.Fatal(err)
	}
	again, err := l.Checkpoint(9)
	if err != nil || string(again.Note) != string(h1.Note) {
		t.Fatalf("Checkpoint with no new entries = %q, %v; want the last head again", again.Note, err)
	}
	if got := len(l.Heads()); got != 2 {
		t.Fatalf("len(Heads()) = %d, want 2", got)
	}
	if last, ok := l.LastHead(); !ok || last.TreeHead != h1.TreeHead {
		t.Fatalf("LastHead = %+v, %v; want %+v", last.TreeHead, ok, h1.TreeHead)
	}
	want := "shuttle-test/case/heads\n1\n" + h1.Root.String() + "\ntime 7\n\n— shuttle-test "
	if !strings.HasPrefix(string(h1.Note), want) {
		t.Fatalf("note = %q, want prefix %q", h1.Note, want)
	}
	got, err := OpenHead(h1.Note, key.VerifierKey(), l.Origin())
	if err != nil || got.TreeHead != h1.TreeHead {
		t.Fatalf("OpenHead = %+v, %v; want %+v", got.TreeHead, err, h1.TreeHead)
	}

	other := installationKey(t, "shuttle-test", 10)
	forged, err := signHead(h1.TreeHead, other)
	if err != nil {
		t.Fatal(err)
	}
	stranger := installationKey(t, "elsewhere", 11)
	cosigned := append([]byte(nil), h1.Note...)
	extra, err := signHead(h1.TreeHead, stranger)
	if err != nil {
		t.Fatal(err)
	}
	cosigned = append(cosigned, extra.Note[len(h1.text())+1:]...)
	rejects := []struct {
		name, msg, vkey, origin, err string
	}{
		{"another key of the same name", string(forged.Note), key.VerifierKey(), l.Origin(), "not signed by the mediator's key"},
		{"another log", string(h1.Note), key.VerifierKey(), "shuttle-test/case/other", "origin"},
		{"a second signature", string(cosigned), key.VerifierKey(), l.Origin(), "signatures other than the mediator's"},
		{"altered size", strings.Replace(string(h1.Note), "\n1\n", "\n2\n", 1), key.VerifierKey(), l.Origin(), "bad signature"},
		{"not a note", "hello", key.VerifierKey(), l.Origin(), "malformed"},
		{"bad verifier key", string(h1.Note), "x", l.Origin(), "verifier key"},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenHead([]byte(tt.msg), tt.vkey, tt.origin)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("OpenHead = %v, want error containing %q", err, tt.err)
			}
		})
	}
}

func TestParseHeadText(t *testing.T) {
	root := Hash{1}
	good := TreeHead{Origin: "i/case/c", Size: 12, Root: root, Time: 34}.text()
	tests := []struct{ name, text, err string }{
		{"good", good, ""},
		{"missing time", "i/case/c\n12\n" + root.String() + "\n", "want 4 lines"},
		{"extra line", good + "x\n", "want 4 lines"},
		{"size with sign", strings.Replace(good, "\n12\n", "\n+12\n", 1), "size"},
		{"size with leading zero", strings.Replace(good, "\n12\n", "\n012\n", 1), "size"},
		{"short root", strings.Replace(good, root.String(), "AAAA", 1), "root hash"},
		{"time keyword", strings.Replace(good, "time 34", "timestamp 34", 1), "time"},
		{"time leading zero", strings.Replace(good, "time 34", "time 034", 1), "time"},
		{"double space", strings.Replace(good, "time 34", "time  34", 1), "time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseHeadText(tt.text)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("parseHeadText(%q) = %v, want error %q", tt.text, err, tt.err)
			}
		})
	}
}

// TestLogChunks checks that a short log holds a small chunk and a long one
// chunks of at most 64 KiB.
func TestLogChunks(t *testing.T) {
	l, err := NewLog("chunks", installationKey(t, "shuttle-test", 9))
	if err != nil {
		t.Fatal(err)
	}
	body := json.RawMessage(`{"text":"` + strings.Repeat("x", 300) + `"}`)
	if _, err := l.Append(Entry{Kind: "k", Body: body}); err != nil {
		t.Fatal(err)
	}
	if got := cap(l.chunks[0]); got != 4<<10 {
		t.Fatalf("first chunk of %d bytes, want 4 KiB", got)
	}
	for range 2000 {
		if _, err := l.Append(Entry{Kind: "k", Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range l.chunks {
		if want := min(4<<10<<i, 64<<10); cap(c) != want {
			t.Errorf("chunk %d of %d bytes, want %d", i, cap(c), want)
		}
	}
}
