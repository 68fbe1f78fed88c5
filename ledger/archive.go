package ledger

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/shuttle-mediation/shuttle"
	"golang.org/x/mod/sumdb/tlog"
)

// archiveFormat names the archive format in headers; a reader refuses
// other values.
const archiveFormat = "shuttle-ledger/1"

// headerContext starts the message the mediator signs over an archive
// header, so that the signature cannot be taken for another kind.
const headerContext = "shuttle ledger header v1\n"

// maxLine bounds an archive line, so that a damaged file cannot make a
// reader buffer without limit.
const maxLine = 64 << 20

// A header is the first line of an archive.
type header struct {
	caseID   string
	heads    []int64 // sizes of the signed tree heads in the archive
	mediator string  // verifier key
	parties  []party // in canonical name order
	sig      []byte  // the mediator's signature over the rest
	sigs     []AgreementSignature
}

type party struct {
	name string
	pub  ed25519.PublicKey
}

// appendJSON appends h as a canonical JSON object. Without signatures it is
// what the mediator signs: the parties' signatures are left out so that a
// bad one is reported as such, while the list of who signed what stays
// bound to the header.
func (h *header) appendJSON(dst []byte, withSigs bool) []byte {
	dst = append(dst, `{"case":`...)
	dst = appendString(dst, h.caseID)
	dst = append(dst, `,"format":`...)
	dst = appendString(dst, archiveFormat)
	dst = append(dst, `,"heads":[`...)
	for i, s := range h.heads {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendNumber(dst, float64(s))
	}
	dst = append(dst, `],"mediator":`...)
	dst = appendString(dst, h.mediator)
	dst = append(dst, `,"parties":{`...)
	for i, p := range h.parties {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, p.name)
		dst = append(dst, ':')
		dst = appendBase64(dst, p.pub)
	}
	dst = append(dst, '}')
	if withSigs {
		dst = append(dst, `,"sig":`...)
		dst = appendBase64(dst, h.sig)
	}
	dst = append(dst, `,"signatures":[`...)
	for i, s := range h.sigs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"entry":`...)
		dst = appendNumber(dst, float64(s.Entry))
		dst = append(dst, `,"party":`...)
		dst = appendString(dst, s.Party)
		if withSigs {
			dst = append(dst, `,"sig":`...)
			dst = appendBase64(dst, s.Sig)
		}
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

// signedMessage returns what the mediator signs for h.
func (h *header) signedMessage() []byte {
	return h.appendJSON([]byte(headerContext), false)
}

func appendBase64(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

// strictBase64 rejects stray bits after the last full byte. Decode still
// skips line breaks, which decodeBase64 rules out by the length.
var strictBase64 = base64.StdEncoding.Strict()

// decodeBase64 fills dst, at most 64 bytes, from its one standard base64
// encoding s: padded, no stray bits, no line breaks.
func decodeBase64(dst, s []byte) bool {
	var buf [66]byte // room for a stray byte of a malformed s
	if len(dst) > 64 || len(s) != base64.StdEncoding.EncodedLen(len(dst)) {
		return false
	}
	n, err := strictBase64.Decode(buf[:], s)
	if err != nil || n != len(dst) {
		return false
	}
	copy(dst, buf[:n])
	return true
}

// Line prefixes of the archive records other than the header.
const (
	entryPrefix = `{"entry":`
	leafInfix   = `,"leaf":`
	headPrefix  = `{"head":`
)

func appendEntryLine(dst, canonical []byte, leaf Hash) []byte {
	dst = append(dst, entryPrefix...)
	dst = append(dst, canonical...)
	dst = append(dst, leafInfix...)
	dst = appendBase64(dst, leaf[:])
	return append(dst, "}\n"...)
}

func appendHeadLine(dst []byte, h SignedHead) []byte {
	dst = append(dst, headPrefix...)
	dst = appendString(dst, h.Note)
	return append(dst, "}\n"...)
}

// Export writes the log as an archive (see the package documentation): a
// header signed by the installation key, then every entry with the signed
// tree heads in place. The last signed head must cover every entry; call
// Checkpoint first.
func (l *Log) Export(w io.Writer) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	n := int64(len(l.entries))
	if k := len(l.heads); k == 0 || l.heads[k-1].Size != n {
		covered := int64(0)
		if k > 0 {
			covered = l.heads[k-1].Size
		}
		return shuttle.Errorf(shuttle.EConflict, "ledger %s: export: the last signed tree head covers %d of %d entries; call Checkpoint first", l.origin, covered, n)
	}
	h := header{caseID: l.caseID, mediator: l.key.VerifierKey(), sigs: l.sigs}
	for _, sh := range l.heads {
		h.heads = append(h.heads, sh.Size)
	}
	for name, pub := range l.parties {
		h.parties = append(h.parties, party{name, pub})
	}
	slices.SortFunc(h.parties, func(a, b party) int { return compareNames(a.name, b.name) })
	sig, err := l.key.Sign(h.signedMessage())
	if err != nil {
		return fmt.Errorf("ledger %s: export: sign header: %w", l.origin, err)
	}
	h.sig = sig

	bw := bufio.NewWriterSize(w, 1<<16)
	buf := append(append([]byte(`{"header":`), h.appendJSON(nil, true)...), "}\n"...)
	bw.Write(buf)
	heads := l.heads
	for i := int64(0); ; i++ {
		for len(heads) > 0 && heads[0].Size == i {
			buf = appendHeadLine(buf[:0], heads[0])
			bw.Write(buf)
			heads = heads[1:]
		}
		if i == n {
			break
		}
		buf = appendEntryLine(buf[:0], l.encoding(i), l.hashes[tlog.StoredHashIndex(0, i)])
		bw.Write(buf) // a write error sticks and Flush reports it
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("ledger %s: export: %w", l.origin, err)
	}
	return nil
}

// A lineReader reads newline-terminated lines and counts them.
type lineReader struct {
	r    *bufio.Reader
	max  int    // longest line accepted, without its newline
	line int    // number of the line last returned
	long []byte // assembles lines longer than the buffer
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 1<<16), max: max}
}

// errNoNewline reports a last line without its terminating newline.
var errNoNewline = errors.New("last line does not end with a newline (truncated?)")

// errLongLine reports a line over the limit.
var errLongLine = errors.New("line too long")

// next returns the next line without its newline; the slice is valid until
// the following call. It returns io.EOF after the last line.
func (lr *lineReader) next() ([]byte, error) {
	b, err := lr.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		lr.long = append(lr.long[:0], b...)
		for err == bufio.ErrBufferFull && len(lr.long) <= lr.max {
			b, err = lr.r.ReadSlice('\n')
			lr.long = append(lr.long, b...)
		}
		b = lr.long
	}
	if err == io.EOF && len(b) == 0 {
		return nil, io.EOF
	}
	lr.line++
	if len(bytes.TrimSuffix(b, []byte("\n"))) > lr.max {
		return nil, fmt.Errorf("%w: over %d bytes", errLongLine, lr.max)
	}
	if err == io.EOF {
		return nil, errNoNewline
	}
	if err != nil {
		return nil, err
	}
	return b[:len(b)-1], nil
}
