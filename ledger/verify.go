package ledger

import (
	"cmp"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Options adjust verification.
type Options struct {
	// File names the archive in error messages.
	File string
	// Mediator is the verifier key the mediator's installation is known
	// by, obtained independently of the archive. If empty, the key in the
	// archive's header is taken on trust and the report says so.
	Mediator string
	// SavedHeads are signed tree heads that parties saved earlier; each
	// must be consistent with the archive: nothing removed or rewritten
	// since.
	SavedHeads []SavedHead
}

// A SavedHead is a signed tree head kept by a party, as Log.Checkpoint
// returned it (SignedHead.Note).
type SavedHead struct {
	Name string // file or label, for messages
	Note []byte
}

// A Report summarises a verified archive.
type Report struct {
	Case            string           `json:"case"`
	Origin          string           `json:"origin"`
	Mediator        string           `json:"mediator"`         // verifier key
	MediatorTrusted bool             `json:"mediator_trusted"` // matched Options.Mediator
	Entries         int64            `json:"entries"`
	Root            string           `json:"root"`        // base64 root hash of the final tree
	Heads           int              `json:"heads"`       // signed tree heads checked
	SavedHeads      []int64          `json:"saved_heads"` // sizes of the saved heads found consistent
	Parties         []string         `json:"parties"`     // parties with public keys
	Signatures      []SignatureCheck `json:"signatures"`  // agreement signatures checked
}

// A SignatureCheck records one verified agreement signature.
type SignatureCheck struct {
	Party string `json:"party"`
	Entry int64  `json:"entry"`
}

// String returns the report as a few lines for people.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "verified: case %s (log %s)\n", r.Case, r.Origin)
	fmt.Fprintf(&b, "  entries:     %d, final tree root %s\n", r.Entries, r.Root)
	trust := "taken from the archive; compare it with the installation's published key"
	if r.MediatorTrusted {
		trust = "the trusted key"
	}
	fmt.Fprintf(&b, "  tree heads:  %d signed by %s (%s)\n", r.Heads, r.Mediator, trust)
	if len(r.SavedHeads) > 0 {
		sizes := make([]string, len(r.SavedHeads))
		for i, s := range r.SavedHeads {
			sizes[i] = fmt.Sprint(s)
		}
		fmt.Fprintf(&b, "  saved heads: %d consistent with the final log (sizes %s)\n", len(r.SavedHeads), strings.Join(sizes, ", "))
	}
	if len(r.Signatures) == 0 {
		fmt.Fprintf(&b, "  agreement:   no signatures (parties with keys: %s)\n", strings.Join(r.Parties, ", "))
	}
	// Signatures come ordered by entry: one line per signed entry.
	for i := 0; i < len(r.Signatures); {
		var names []string
		j := i
		for ; j < len(r.Signatures) && r.Signatures[j].Entry == r.Signatures[i].Entry; j++ {
			names = append(names, r.Signatures[j].Party)
		}
		fmt.Fprintf(&b, "  agreement:   entry %d signed by %s\n", r.Signatures[i].Entry, strings.Join(names, ", "))
		i = j
	}
	return b.String()
}

// Verify checks an archive read from r entirely offline and in one pass:
// the header's signature, every entry's form, sequence number, time and
// leaf hash, every signed tree head against the entries before it, the
// agreement signatures, and the saved heads in opts. An error is a
// *shuttle.Error naming the first place that fails: the line, and the
// entry, tree head or signature.
func Verify(r io.Reader, opts Options) (*Report, error) {
	v := verifier{opts: opts, lines: parser{strict: true}}
	if err := v.run(r); err != nil {
		return nil, err
	}
	return &v.report, nil
}

// VerifyFile verifies the archive at path, and that each saved head file
// (a signed tree head a party kept) is consistent with it.
func VerifyFile(path string, savedHeads ...string) (*Report, error) {
	opts := Options{File: path}
	for _, p := range savedHeads {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, &shuttle.Error{Code: shuttle.ENotFound, File: p, Message: "read saved tree head", Err: err}
		}
		opts.SavedHeads = append(opts.SavedHeads, SavedHead{Name: p, Note: b})
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.ENotFound, File: path, Message: "open archive", Err: err}
	}
	defer f.Close()
	return Verify(f, opts)
}

// An Archive is a verified archive read into memory.
type Archive struct {
	Case       string
	Origin     string
	Mediator   string // verifier key
	Parties    map[string]ed25519.PublicKey
	Signatures []AgreementSignature
	Entries    []Entry
	Heads      []SignedHead
}

// ReadArchive verifies the archive read from r as Verify does and returns
// its contents.
func ReadArchive(r io.Reader, opts Options) (*Archive, *Report, error) {
	a := &Archive{Parties: make(map[string]ed25519.PublicKey)}
	v := verifier{opts: opts, archive: a, lines: parser{strict: true}}
	if err := v.run(r); err != nil {
		return nil, nil, err
	}
	a.Case, a.Origin, a.Mediator = v.hdr.caseID, v.origin, v.hdr.mediator
	for _, p := range v.hdr.parties {
		a.Parties[p.name] = p.pub
	}
	a.Signatures = v.hdr.sigs
	return a, &v.report, nil
}

// VerifyConsistency checks that savedHead, a signed tree head a party kept,
// is signed by the archive's mediator and describes a prefix of the
// archive's entries: nothing was removed or rewritten since.
func (a *Archive) VerifyConsistency(savedHead []byte) error {
	med, err := note.NewVerifier(a.Mediator)
	if err != nil {
		return &shuttle.Error{Code: shuttle.EInvalid, Field: "archive mediator key", Message: err.Error()}
	}
	sh, err := openHead(savedHead, med, a.Origin)
	if err != nil {
		return &shuttle.Error{Code: shuttle.EInvalid, Field: "saved tree head", Message: err.Error()}
	}
	if err := savedBeyond("", sh, int64(len(a.Entries))); err != nil {
		return err
	}
	tree := newTree()
	for i := range a.Entries[:sh.Size] {
		enc, err := a.Entries[i].Canonical()
		if err != nil {
			return &shuttle.Error{Code: shuttle.EInvalid, Field: fmt.Sprintf("entry %d", i), Message: err.Error()}
		}
		leaf := LeafHash(enc)
		if err := tree.Append(leaf[:], nil); err != nil {
			return fmt.Errorf("ledger: %w", err) // only on a mismatched range, which newTree rules out
		}
	}
	return savedMismatch("", sh, treeRoot(tree))
}

// savedBeyond reports a saved head larger than the archived log.
func savedBeyond(name string, sh SignedHead, entries int64) error {
	if sh.Size > entries {
		return &shuttle.Error{Code: shuttle.EInvalid, File: name, Field: fmt.Sprintf("saved tree head at size %d", sh.Size),
			Message: fmt.Sprintf("the archive has only %d entries: entries were removed since", entries)}
	}
	return nil
}

// savedMismatch reports a saved head whose root is not the archived log's
// at the same size.
func savedMismatch(name string, sh SignedHead, root Hash) error {
	if root != sh.Root {
		return &shuttle.Error{Code: shuttle.EInvalid, File: name, Field: fmt.Sprintf("saved tree head at size %d", sh.Size),
			Message: fmt.Sprintf("root %s, but the archive's first %d entries give %s: the log was rewritten since", sh.Root, sh.Size, root)}
	}
	return nil
}

// treeFactory makes compact ranges that hash as RFC 6962 does, with
// tlog.NodeHash, which hashes on the stack instead of allocating a hasher.
var treeFactory = compact.RangeFactory{Hash: func(left, right []byte) []byte {
	h := tlog.NodeHash(Hash(left), Hash(right))
	return h[:]
}}

func newTree() *compact.Range { return treeFactory.NewEmptyRange(0) }

// treeRoot returns the root of a compact range that starts at 0.
func treeRoot(r *compact.Range) Hash {
	root, err := r.GetRootHash(nil)
	if err != nil || root == nil {
		return emptyRoot // an empty range; ranges here always start at 0
	}
	return Hash(root)
}

// A verifier checks an archive line by line, keeping only the compact
// range of the tree (O(log n) hashes) and what is still to be checked.
type verifier struct {
	opts      Options
	archive   *Archive // if non-nil, collects what was verified
	line      int
	hdr       header
	med       note.Verifier
	origin    string
	tree      *compact.Range
	n         int64         // entries so far
	clock     time.Duration // time of the last entry or head
	head      int           // index in hdr.heads of the next tree head
	sigs      []AgreementSignature
	saved     []savedHead // sorted by size; consumed as the log grows
	lines     parser      // strict: archive lines have exactly one spelling
	leafInput []byte      // 0x00 and an entry's encoding
	report    Report
}

type savedHead struct {
	SignedHead
	name string
}

// fail returns the error for the current line.
func (v *verifier) fail(field, format string, args ...any) error {
	return &shuttle.Error{Code: shuttle.EInvalid, File: v.opts.File, Line: v.line, Field: field, Message: fmt.Sprintf(format, args...)}
}

func (v *verifier) run(r io.Reader) error {
	lr := newLineReader(r, maxLine)
	for {
		line, err := lr.next()
		v.line = lr.line
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, errNoNewline) || errors.Is(err, errLongLine) {
				return v.fail("", "%v", err)
			}
			return fmt.Errorf("read %s: %w", cmp.Or(v.opts.File, "archive"), err)
		}
		if v.line == 1 {
			err = v.header(line)
		} else {
			err = v.record(line)
		}
		if err != nil {
			return err
		}
	}
	return v.finish()
}

// header checks the first line and prepares the checks of the rest.
func (v *verifier) header(line []byte) error {
	n, err := v.lines.parse(line)
	if err != nil {
		return v.fail("header", "not canonical JSON: %v", err)
	}
	if !n.hasKeys("header") {
		return v.fail("header", `the first line must be the archive header {"header":{...}}`)
	}
	h := &n.kids[0]
	if h.kind == kObject {
		if f := h.member("format"); f != nil && f.kind == kString && string(f.str) != archiveFormat {
			return &shuttle.Error{Code: shuttle.EUnsupported, File: v.opts.File, Line: v.line, Field: "header.format",
				Message: fmt.Sprintf("archive format %q, this reader knows %q", f.str, archiveFormat)}
		}
	}
	if !h.hasKeys("case", "format", "heads", "mediator", "parties", "sig", "signatures") {
		return v.fail("header", "want members case, format, heads, mediator, parties, sig and signatures")
	}
	caseID, format, heads, mediator, parties, sig, sigs := &h.kids[0], &h.kids[1], &h.kids[2], &h.kids[3], &h.kids[4], &h.kids[5], &h.kids[6]
	if format.kind != kString {
		return v.fail("header.format", "want %q", archiveFormat)
	}
	if err := v.headerKeys(caseID, mediator, parties); err != nil {
		return err
	}
	if err := v.headerHeads(heads); err != nil {
		return err
	}
	if err := v.headerSignatures(sigs); err != nil {
		return err
	}
	hd := &v.hdr
	hd.sig = make([]byte, ed25519.SignatureSize)
	if sig.kind != kString || !decodeBase64(hd.sig, sig.str) {
		return v.fail("header.sig", "want a base64 ed25519 signature")
	}
	if !v.med.Verify(hd.signedMessage(), hd.sig) {
		return v.fail("header.sig", "the mediator's signature on the header does not verify: the header was altered")
	}
	if err := v.openSaved(); err != nil {
		return err
	}
	v.tree = newTree()
	v.report.Case, v.report.Origin, v.report.Mediator = hd.caseID, v.origin, hd.mediator
	v.report.MediatorTrusted = v.opts.Mediator != ""
	v.report.SavedHeads = []int64{}
	v.report.Signatures = []SignatureCheck{}
	return v.compareSaved()
}

// headerKeys reads the case id, the mediator's key and the parties' keys.
func (v *verifier) headerKeys(caseID, mediator, parties *node) error {
	hd := &v.hdr
	if caseID.kind != kString {
		return v.fail("header.case", "want a string")
	}
	hd.caseID = string(caseID.str)
	if err := checkCaseID(hd.caseID); err != nil {
		return v.fail("header.case", "%v", err)
	}
	if mediator.kind != kString {
		return v.fail("header.mediator", "want a verifier key string")
	}
	hd.mediator = string(mediator.str)
	var err error
	if v.med, err = note.NewVerifier(hd.mediator); err != nil {
		return v.fail("header.mediator", "verifier key %q: %v", hd.mediator, err)
	}
	if v.opts.Mediator != "" && v.opts.Mediator != hd.mediator {
		return v.fail("header.mediator", "key %s is not the trusted key %s", hd.mediator, v.opts.Mediator)
	}
	v.origin = origin(v.med.Name(), hd.caseID)

	if parties.kind != kObject {
		return v.fail("header.parties", "want an object of public keys by party")
	}
	v.report.Parties = []string{}
	for _, kid := range parties.kids {
		pub := make(ed25519.PublicKey, ed25519.PublicKeySize)
		if len(kid.key) == 0 || kid.kind != kString || !decodeBase64(pub, kid.str) {
			return v.fail("header.parties."+string(kid.key), "want a non-empty party name and its base64 ed25519 public key")
		}
		hd.parties = append(hd.parties, party{string(kid.key), pub})
		v.report.Parties = append(v.report.Parties, string(kid.key))
	}
	return nil
}

// headerHeads reads the sizes of the tree heads.
func (v *verifier) headerHeads(heads *node) error {
	if heads.kind != kArray || len(heads.kids) == 0 {
		return v.fail("header.heads", "want a non-empty array of tree sizes")
	}
	for i, s := range heads.kids {
		if s.kind != kNumber || s.num < 0 || s.num != float64(int64(s.num)) || i > 0 && int64(s.num) <= v.hdr.heads[i-1] {
			return v.fail("header.heads", "want increasing non-negative integers")
		}
		v.hdr.heads = append(v.hdr.heads, int64(s.num))
	}
	return nil
}

// headerSignatures reads the agreement signatures, which are checked when
// their entries come.
func (v *verifier) headerSignatures(sigs *node) error {
	hd := &v.hdr
	final := hd.heads[len(hd.heads)-1]
	if sigs.kind != kArray {
		return v.fail("header.signatures", "want an array")
	}
	for i := range sigs.kids {
		s := &sigs.kids[i]
		field := fmt.Sprintf("header.signatures[%d]", i)
		if !s.hasKeys("entry", "party", "sig") {
			return v.fail(field, "want members entry, party and sig")
		}
		e, p, sg := &s.kids[0], &s.kids[1], &s.kids[2]
		if e.kind != kNumber || e.num < 0 || e.num >= float64(final) || e.num != float64(int64(e.num)) {
			return v.fail(field, "entry: want the index of an entry in the log (0 to %d)", final-1)
		}
		if p.kind != kString || !slices.ContainsFunc(hd.parties, func(q party) bool { return q.name == string(p.str) }) {
			return v.fail(field, "party: want a party listed in header.parties")
		}
		sb := make([]byte, ed25519.SignatureSize)
		if sg.kind != kString || !decodeBase64(sb, sg.str) {
			return v.fail(field, "sig: want a base64 ed25519 signature")
		}
		as := AgreementSignature{Party: string(p.str), Entry: int64(e.num), Sig: sb}
		if i > 0 && compareSignatures(hd.sigs[i-1], as) >= 0 {
			return v.fail(field, "signatures not in order of entry and party, or repeated")
		}
		hd.sigs = append(hd.sigs, as)
	}
	v.sigs = hd.sigs
	return nil
}

// openSaved checks the signatures and sizes of the saved heads; their
// roots are compared as the log reaches their sizes.
func (v *verifier) openSaved() error {
	final := v.hdr.heads[len(v.hdr.heads)-1]
	for _, s := range v.opts.SavedHeads {
		sh, err := openHead(s.Note, v.med, v.origin)
		if err != nil {
			return &shuttle.Error{Code: shuttle.EInvalid, File: s.Name, Field: "saved tree head", Message: err.Error()}
		}
		if err := savedBeyond(s.Name, sh, final); err != nil {
			return err
		}
		v.saved = append(v.saved, savedHead{sh, s.Name})
	}
	slices.SortStableFunc(v.saved, func(a, b savedHead) int { return cmp.Compare(a.Size, b.Size) })
	return nil
}

// compareSaved compares the saved heads of the current size with the tree.
func (v *verifier) compareSaved() error {
	for len(v.saved) > 0 && v.saved[0].Size == v.n {
		s := v.saved[0]
		if err := savedMismatch(s.name, s.SignedHead, treeRoot(v.tree)); err != nil {
			return err
		}
		v.report.SavedHeads = append(v.report.SavedHeads, s.Size)
		v.saved = v.saved[1:]
	}
	return nil
}

func (v *verifier) record(line []byte) error {
	n, err := v.lines.parse(line)
	if err != nil {
		return v.fail("", "%s: not canonical JSON: %v", v.where(), err)
	}
	switch {
	case n.hasKeys("entry", "leaf"):
		return v.entry(line, &n)
	case n.hasKeys("head"):
		return v.treeHead(&n.kids[0])
	}
	return v.fail("", `%s: want an entry {"entry":{...},"leaf":"..."} or a tree head {"head":"..."}`, v.where())
}

// where says where in the log the current line is, for lines that are
// not recognisably an entry or a head.
func (v *verifier) where() string {
	if v.n == 0 {
		return "record before entry 0"
	}
	return fmt.Sprintf("record after entry %d", v.n-1)
}

func (v *verifier) entry(line []byte, n *node) error {
	final := v.hdr.heads[len(v.hdr.heads)-1]
	if v.n >= final {
		return v.failEntry("beyond the final tree head at size %d: an entry was inserted or the final head replaced", final)
	}
	if next := v.hdr.heads[v.head]; next == v.n {
		return v.fail(fmt.Sprintf("tree head at size %d", next), "missing before this line")
	}
	f, err := decodeEntry(&n.kids[0])
	if err != nil {
		return v.failEntry("%v", err)
	}
	if f.seq != v.n {
		what := "an entry was removed, reordered or inserted"
		if f.seq > v.n {
			what = fmt.Sprintf("entries %d to %d are missing or out of order", v.n, f.seq-1)
		}
		return v.failEntry("sequence number %d out of place: %s", f.seq, what)
	}
	if f.time < v.clock {
		return v.failEntry("time %v is before the previous entry's or tree head's %v", f.time, v.clock)
	}
	leafNode := &n.kids[1]
	var recorded Hash
	if leafNode.kind != kString || !decodeBase64(recorded[:], leafNode.str) {
		return v.failEntry("leaf: want a base64 SHA-256 hash")
	}
	// The line is canonical, so the entry's encoding is the text between
	// the prefix and the leaf member.
	canonical := line[len(entryPrefix) : len(line)-len(leafInfix)-len(leafNode.str)-3]
	v.leafInput = append(append(v.leafInput[:0], 0), canonical...)
	leaf := Hash(sha256.Sum256(v.leafInput)) // LeafHash without its allocation
	if leaf != recorded {
		return v.failEntry("leaf hash %s, but the entry hashes to %s: the entry or its leaf hash was altered", recorded, leaf)
	}
	if err := v.tree.Append(leaf[:], nil); err != nil {
		return fmt.Errorf("ledger: %w", err) // only on a mismatched range, which newTree rules out
	}
	for len(v.sigs) > 0 && v.sigs[0].Entry == v.n {
		if err := v.agreementSignature(v.sigs[0], &f); err != nil {
			return err
		}
		v.sigs = v.sigs[1:]
	}
	v.clock = f.time
	v.n++
	if v.archive != nil {
		v.archive.Entries = append(v.archive.Entries, f.entry())
	}
	return v.compareSaved()
}

// failEntry returns the error for the entry expected on the current line.
func (v *verifier) failEntry(format string, args ...any) error {
	return v.fail(fmt.Sprintf("entry %d", v.n), format, args...)
}

func (v *verifier) agreementSignature(s AgreementSignature, f *entryFields) error {
	h := AgreementHash(appendCanonical(nil, f.body))
	i := slices.IndexFunc(v.hdr.parties, func(p party) bool { return p.name == s.Party })
	if !ed25519.Verify(v.hdr.parties[i].pub, AgreementStatement(v.origin, s.Entry, h), s.Sig) {
		return v.fail(fmt.Sprintf("signature of party %s on entry %d", s.Party, s.Entry),
			"does not verify over the agreement hash %s: the entry, the key or the signature was altered", h)
	}
	v.report.Signatures = append(v.report.Signatures, SignatureCheck{Party: s.Party, Entry: s.Entry})
	return nil
}

func (v *verifier) treeHead(n *node) error {
	if v.head >= len(v.hdr.heads) {
		return v.fail("tree head", "after the final tree head at size %d", v.hdr.heads[len(v.hdr.heads)-1])
	}
	size := v.hdr.heads[v.head]
	field := fmt.Sprintf("tree head at size %d", size)
	if n.kind != kString {
		return v.fail(field, "want a signed note string")
	}
	sh, err := openHead(n.str, v.med, v.origin)
	if err != nil {
		return v.fail(field, "%v", err)
	}
	if sh.Size != size {
		return v.fail(field, "the head has size %d: heads were removed, reordered or replaced", sh.Size)
	}
	if v.n != size {
		return v.fail(field, "comes after %d entries: entries %d to %d are missing", v.n, v.n, size-1)
	}
	if root := treeRoot(v.tree); root != sh.Root {
		from := int64(0)
		if v.head > 0 {
			from = v.hdr.heads[v.head-1]
		}
		return v.fail(field, "root %s, but the entries give %s: entries %d to %d were altered with their leaf hashes", sh.Root, root, from, size-1)
	}
	if sh.Time < v.clock {
		return v.fail(field, "time %v is before the last entry's %v", sh.Time, v.clock)
	}
	v.clock = sh.Time
	v.head++
	v.report.Heads++
	if v.archive != nil {
		v.archive.Heads = append(v.archive.Heads, SignedHead{TreeHead: sh.TreeHead, Note: append([]byte(nil), sh.Note...)})
	}
	return nil
}

func (v *verifier) finish() error {
	if v.line == 0 {
		return v.fail("header", "empty archive")
	}
	if v.head < len(v.hdr.heads) {
		v.line++
		return v.fail("end of archive", "after %d entries and %d tree heads; the header lists %d heads up to size %d: the archive was truncated",
			v.n, v.head, len(v.hdr.heads), v.hdr.heads[len(v.hdr.heads)-1])
	}
	v.report.Entries = v.n
	v.report.Root = treeRoot(v.tree).String()
	return nil
}
