package ledger

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shuttle-mediation/shuttle"
)

// The sample archive (testdata/case.jsonl), line by line:
//
//	1       header
//	2-5     entries 0-3
//	6       tree head at size 4
//	7-11    entries 4-8 (8 is the agreement, line 11)
//	12      tree head at size 9
//	13-16   entries 9-12
//	17      tree head at size 13, the final one
func sampleArchive(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "case.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExportGolden(t *testing.T) {
	s := newSample(t)
	archive := s.export(t)
	golden(t, "case.jsonl", archive)
	r, err := Verify(bytes.NewReader(archive), Options{File: "case.jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "case.report.txt", []byte(r.String()))
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "case.report.json", append(js, '\n'))
}

// editLines applies f to the archive's lines (without their newlines).
func editLines(f func(ls []string) []string) func([]byte) []byte {
	return func(b []byte) []byte {
		ls := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		return []byte(strings.Join(f(ls), "\n") + "\n")
	}
}

// replaceIn replaces the first old with new in line i (0-based).
func replaceIn(i int, old, new string) func([]byte) []byte {
	return editLines(func(ls []string) []string {
		if !strings.Contains(ls[i], old) {
			panic("test mutation: " + old + " not in line " + ls[i])
		}
		ls[i] = strings.Replace(ls[i], old, new, 1)
		return ls
	})
}

// rewriteEntry replaces old with new in the entry on line i and recomputes
// its leaf hash, as someone who knows the format would.
func rewriteEntry(i int, old, new string) func([]byte) []byte {
	return editLines(func(ls []string) []string {
		line := strings.Replace(ls[i], old, new, 1)
		canonical := line[len(entryPrefix):strings.LastIndex(line, leafInfix)]
		ls[i] = strings.TrimSuffix(string(appendEntryLine(nil, []byte(canonical), LeafHash([]byte(canonical)))), "\n")
		return ls
	})
}

// flipChar changes the character n places before the end of the JSON
// string value that follows key in line i to another base64 character.
func flipChar(i int, key string, n int) func([]byte) []byte {
	return editLines(func(ls []string) []string {
		start := strings.Index(ls[i], key) + len(key)
		end := start + strings.IndexByte(ls[i][start:], '"')
		b := []byte(ls[i])
		if b[end-n] == 'A' {
			b[end-n] = 'B'
		} else {
			b[end-n] = 'A'
		}
		ls[i] = string(b)
		return ls
	})
}

func TestTamper(t *testing.T) {
	good := sampleArchive(t)
	lines := strings.Split(strings.TrimSuffix(string(good), "\n"), "\n")
	extraEntry := strings.TrimSuffix(string(appendEntryLine(nil,
		[]byte(`{"body":{},"from":"mediator","kind":"note","seq":13,"time":"190800000000000","to":[]}`),
		LeafHash([]byte(`{"body":{},"from":"mediator","kind":"note","seq":13,"time":"190800000000000","to":[]}`)))), "\n")
	northSig := lines[0][strings.Index(lines[0], `{"entry":8,"party":"north"`):strings.Index(lines[0], `{"entry":8,"party":"south"`)]
	tests := []struct {
		name   string
		mutate func([]byte) []byte
		line   int
		field  string
		msg    string
	}{
		// Any field of any event.
		{"change body", replaceIn(7, "telephone", "telegraph"), 8, "entry 5", "the entry or its leaf hash was altered"},
		{"change kind", replaceIn(8, `"accept"`, `"reject"`), 9, "entry 6", "leaf hash"},
		{"change from", replaceIn(9, `"from":"north"`, `"from":"south"`), 10, "entry 7", "leaf hash"},
		{"change recipients", replaceIn(13, `["mediator","verifier"]`, `["mediator"]`), 14, "entry 10", "leaf hash"},
		{"change time", replaceIn(2, `"90000000000"`, `"90000000001"`), 3, "entry 1", "leaf hash"},
		{"change wall time", replaceIn(1, "07:00:00Z", "07:00:01Z"), 2, "entry 0", "leaf hash"},
		{"time goes backwards", replaceIn(3, `"time":"120000000000"`, `"time":"1"`), 4, "entry 2", "before the previous entry's"},
		{"change seq", replaceIn(6, `"seq":4,`, `"seq":14,`), 7, "entry 4", "sequence number 14 out of place: entries 4 to 13 are missing"},
		{"change leaf hash", flipChar(9, `"leaf":"`, 3), 10, "entry 7", "leaf hash"},
		{"leaf hash of another entry", editLines(func(ls []string) []string {
			ls[2] = ls[2][:strings.LastIndex(ls[2], leafInfix)] + ls[3][strings.LastIndex(ls[3], leafInfix):]
			return ls
		}), 3, "entry 1", "leaf hash"},
		{"rewrite an entry with its leaf hash", rewriteEntry(7, "telephone", "telegraph"), 12, "tree head at size 9", "entries 4 to 8 were altered"},
		{"rewrite the last entry with its leaf hash", rewriteEntry(15, "-5e-8", "0"), 17, "tree head at size 13", "entries 9 to 12 were altered"},
		{"rewrite the agreement with its leaf hash", rewriteEntry(10, `"ratio":3`, `"ratio":4`), 11, "signature of party north on entry 8", "does not verify"},
		{"rewrite an entry and every later hash is not possible without the key", rewriteEntry(1, "shuttle", "single-text"), 6, "tree head at size 4", "entries 0 to 3"},

		// Remove, reorder, insert, truncate.
		{"remove an entry", editLines(func(ls []string) []string { return slices.Delete(ls, 7, 8) }), 8, "entry 5", "sequence number 6 out of place"},
		{"remove the first entry", editLines(func(ls []string) []string { return slices.Delete(ls, 1, 2) }), 2, "entry 0", "sequence number 1 out of place"},
		{"reorder entries", editLines(func(ls []string) []string { ls[12], ls[13] = ls[13], ls[12]; return ls }), 13, "entry 9", "sequence number 10 out of place"},
		{"insert a copy of an entry", editLines(func(ls []string) []string { return slices.Insert(ls, 4, ls[3]) }), 5, "entry 3", "sequence number 2 out of place: an entry was removed, reordered or inserted"},
		{"insert an entry before the final head", editLines(func(ls []string) []string { return slices.Insert(ls, 16, extraEntry) }), 17, "entry 13", "beyond the final tree head at size 13"},
		{"append an entry", editLines(func(ls []string) []string { return append(ls, extraEntry) }), 18, "entry 13", "beyond the final tree head"},
		{"remove the final head", editLines(func(ls []string) []string { return ls[:16] }), 17, "end of archive", "truncated"},
		{"truncate after entry 6", editLines(func(ls []string) []string { return ls[:9] }), 10, "end of archive", "after 7 entries and 1 tree heads"},
		{"truncate mid-line", func(b []byte) []byte { return b[:len(b)-40] }, 17, "", "does not end with a newline"},
		{"no final newline", func(b []byte) []byte { return b[:len(b)-1] }, 17, "", "does not end with a newline"},

		// Tree heads.
		{"remove a head", editLines(func(ls []string) []string { return slices.Delete(ls, 5, 6) }), 6, "tree head at size 4", "missing before this line"},
		{"replace the final head with an older one", editLines(func(ls []string) []string { ls[16] = ls[11]; return ls }), 17, "tree head at size 13", "the head has size 9"},
		{"swap heads", editLines(func(ls []string) []string { ls[5], ls[11] = ls[11], ls[5]; return ls }), 6, "tree head at size 4", "the head has size 9"},
		{"repeat a head", editLines(func(ls []string) []string { return slices.Insert(ls, 6, ls[5]) }), 7, "tree head at size 9", "the head has size 4"},
		{"move a head earlier", editLines(func(ls []string) []string {
			h := ls[11]
			return slices.Insert(slices.Delete(ls, 11, 12), 9, h)
		}), 10, "tree head at size 9", "comes after 7 entries"},
		{"flip a head signature", flipChar(11, `"head":"`, 8), 12, "tree head at size 9", "bad signature"},
		{"change a head's root", replaceIn(11, "ozZOfgP5", "ozZOfgP6"), 12, "tree head at size 9", "bad signature"},
		{"change a head's time", replaceIn(5, `time 7200123456789`, `time 7200123456788`), 6, "tree head at size 4", "bad signature"},
		{"change a head's origin", replaceIn(16, `case-2023-11\n13`, `case-2023-12\n13`), 17, "tree head at size 13", "bad signature"},

		// Header, keys and signatures.
		{"flip the header signature", flipChar(0, `"sig":"`, 5), 1, "header.sig", "does not verify"},
		{"change a party's key", flipChar(0, `"north":"`, 5), 1, "header.sig", "the header was altered"},
		{"change the mediator key", flipChar(0, `"mediator":"`, 5), 1, "header.mediator", "verifier key"},
		{"change the case id", replaceIn(0, `"case":"case-2023-11"`, `"case":"case-2023-12"`), 1, "header.sig", "the header was altered"},
		{"drop a party's signature", replaceIn(0, northSig, ""), 1, "header.sig", "the header was altered"},
		{"drop a tree head size", replaceIn(0, `"heads":[4,9,13]`, `"heads":[4,13]`), 1, "header.sig", "the header was altered"},
		{"flip a party's signature", flipChar(0, `"party":"north","sig":"`, 5), 11, "signature of party north on entry 8", "does not verify"},
		{"give a signature to another party", replaceIn(0, `"party":"north"`, `"party":"nort"`), 1, "header.signatures[0]", "want a party listed"},
		{"signatures out of order", editLines(func(ls []string) []string {
			i, j := strings.Index(ls[0], `{"entry":8,"party":"north"`), strings.Index(ls[0], `{"entry":8,"party":"south"`)
			k := strings.Index(ls[0][j:], "}") + j + 1
			ls[0] = ls[0][:i] + ls[0][j:k] + "," + ls[0][i:j-1] + ls[0][k:]
			return ls
		}), 1, "header.signatures[1]", "not in order"},

		// Form.
		{"whitespace in an entry", replaceIn(2, `{"entry":`, `{"entry": `), 3, "", "record after entry 0: not canonical JSON: offset 9: unexpected character ' '"},
		{"member order in a body", replaceIn(4, `"direction":"down","issue":"ratio"`, `"issue":"ratio","direction":"down"`), 5, "", `offset 34: member "direction" not in canonical order`},
		{"number spelled differently", replaceIn(6, `"seq":4,`, `"seq":4.0,`), 7, "", "number 4.0 not in canonical form 4"},
		{"escaped letter in a hash", replaceIn(2, `"leaf":"5`, `"leaf":"\u0035`), 3, "", `escape \u0035 not in canonical form`},
		{"CRLF line ends", func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) }, 1, "header", "data after the JSON value"},
		{"empty line", editLines(func(ls []string) []string { return slices.Insert(ls, 3, "") }), 4, "", "record after entry 1: not canonical JSON: offset 0: unexpected end"},
		{"header missing", editLines(func(ls []string) []string { return ls[1:] }), 1, "header", "the first line must be the archive header"},
		{"second header", editLines(func(ls []string) []string { return slices.Insert(ls, 1, ls[0]) }), 2, "", "want an entry"},
		{"unknown member in an entry", replaceIn(2, `:30Z"}`, `:30Z","x":1}`), 3, "entry 1", "want an object with members"},
		{"unknown member in a line", editLines(func(ls []string) []string { ls[2] = strings.TrimSuffix(ls[2], "}") + `,"x":1}`; return ls }), 3, "", "want an entry"},
		{"empty archive", func([]byte) []byte { return nil }, 0, "header", "empty archive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := tt.mutate(bytes.Clone(good))
			if bytes.Equal(bad, good) {
				t.Fatal("mutation changed nothing")
			}
			_, err := Verify(bytes.NewReader(bad), Options{File: "case.jsonl"})
			var e *shuttle.Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify = %v, want a *shuttle.Error", err)
			}
			if e.File != "case.jsonl" || e.Line != tt.line || e.Field != tt.field || !strings.Contains(e.Message, tt.msg) || e.Code != shuttle.EInvalid {
				t.Fatalf("Verify:\n got %v (line %d, field %q, code %s)\nwant line %d, field %q, message containing %q", err, e.Line, e.Field, e.Code, tt.line, tt.field, tt.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

func TestUnsupportedFormat(t *testing.T) {
	bad := replaceIn(0, `"format":"shuttle-ledger/1"`, `"format":"shuttle-ledger/9"`)(sampleArchive(t))
	_, err := Verify(bytes.NewReader(bad), Options{})
	if shuttle.ErrorCode(err) != shuttle.EUnsupported || !strings.Contains(err.Error(), `"shuttle-ledger/9"`) {
		t.Fatalf("Verify = %v, want an unsupported-format error", err)
	}
}

// TestEveryByte changes each byte of the sample archive in turn; no change
// may leave it valid.
func TestEveryByte(t *testing.T) {
	good := sampleArchive(t)
	step := 1
	if raceEnabled {
		step = 7 // the race detector makes each verification ten times slower
	}
	for i := 0; i < len(good); i += step {
		for _, x := range []byte{0x01, 0x20} {
			bad := bytes.Clone(good)
			bad[i] ^= x
			if _, err := Verify(bytes.NewReader(bad), Options{}); err == nil {
				t.Fatalf("byte %d changed from %q to %q and the archive still verifies", i, good[i], bad[i])
			}
		}
	}
}

func TestReadArchive(t *testing.T) {
	s := newSample(t)
	a, r, err := ReadArchive(bytes.NewReader(s.export(t)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Entries != int64(len(a.Entries)) || a.Case != "case-2023-11" || a.Origin != s.log.Origin() || a.Mediator != s.key.VerifierKey() {
		t.Fatalf("archive %s %s %s with %d entries, report %+v", a.Case, a.Origin, a.Mediator, len(a.Entries), r)
	}
	for i, got := range a.Entries {
		want, err := s.log.Entry(int64(i))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("entry %d (-log +archive):\n%s", i, diff)
		}
	}
	if diff := cmp.Diff(s.log.Heads(), a.Heads); diff != "" {
		t.Errorf("heads (-log +archive):\n%s", diff)
	}
	for name, priv := range s.parties {
		if !a.Parties[name].Equal(priv.Public()) {
			t.Errorf("party %s: key %x", name, a.Parties[name])
		}
	}
	if len(a.Signatures) != 2 || a.Signatures[0].Party != "north" || a.Signatures[1].Party != "south" {
		t.Errorf("signatures %+v", a.Signatures)
	}
	for _, h := range s.log.Heads() {
		if err := a.VerifyConsistency(h.Note); err != nil {
			t.Errorf("head at size %d: %v", h.Size, err)
		}
	}
	if _, _, err := ReadArchive(bytes.NewReader(nil), Options{}); err == nil {
		t.Error("ReadArchive accepted an empty archive")
	}
}

// forkedHeads returns heads signed by the sample's key for logs that the
// sample's archive must not be consistent with.
func forkedHeads(t *testing.T) (rewritten, longer SignedHead) {
	// The same case, with entry 2 told differently.
	s := newSample(t)
	fork, err := NewLog("case-2023-11", s.key)
	if err != nil {
		t.Fatal(err)
	}
	for i := range int64(5) {
		e, err := s.log.Entry(i)
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			e.Body = json.RawMessage(`{"round":1,"text":{}}`)
		}
		if _, err := fork.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	if rewritten, err = fork.Checkpoint(11 * time.Hour); err != nil {
		t.Fatal(err)
	}
	// The same case, one entry further than the archive.
	if _, err := s.log.Append(Entry{Time: 60 * time.Hour, Kind: "phase.started", From: "mediator", Body: json.RawMessage(`{"phase":2}`)}); err != nil {
		t.Fatal(err)
	}
	if longer, err = s.log.Checkpoint(60 * time.Hour); err != nil {
		t.Fatal(err)
	}
	return rewritten, longer
}

func TestSavedHeads(t *testing.T) {
	s := newSample(t)
	archive := s.export(t)
	heads := s.log.Heads()
	rewritten, longer := forkedHeads(t)
	other := newSample(t)
	otherKey := installationKey(t, "mediation.example.org", 99)
	if other.log, _ = NewLog("case-2023-11", otherKey); other.log == nil {
		t.Fatal("NewLog failed")
	}
	foreign, err := other.log.Checkpoint(0)
	if err != nil {
		t.Fatal(err)
	}

	saved := func(name string, h SignedHead) SavedHead { return SavedHead{Name: name, Note: h.Note} }
	r, err := Verify(bytes.NewReader(archive), Options{SavedHeads: []SavedHead{saved("north.head", heads[2]), saved("south.head", heads[0])}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.SavedHeads, []int64{4, 13}) || !strings.Contains(r.String(), "saved heads: 2 consistent with the final log (sizes 4, 13)") {
		t.Fatalf("report: %v\n%s", r.SavedHeads, r)
	}

	tests := []struct {
		name  string
		head  SignedHead
		field string
		msg   string
	}{
		{"rewritten since", rewritten, "saved tree head at size 5", "the log was rewritten since"},
		{"entries removed since", longer, "saved tree head at size 14", "entries were removed since"},
		{"signed by another key", foreign, "saved tree head", "not signed by the mediator's key"},
	}
	a, _, err := ReadArchive(bytes.NewReader(archive), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(bytes.NewReader(archive), Options{File: "case.jsonl", SavedHeads: []SavedHead{saved("mine.head", tt.head)}})
			var e *shuttle.Error
			if !errors.As(err, &e) || e.File != "mine.head" || e.Field != tt.field || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("Verify = %v, want %s: %s…%s", err, "mine.head", tt.field, tt.msg)
			}
			err = a.VerifyConsistency(tt.head.Note)
			if !errors.As(err, &e) || e.Field != tt.field || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("VerifyConsistency = %v, want %s…%s", err, tt.field, tt.msg)
			}
		})
	}
}

func TestTrustedMediator(t *testing.T) {
	s := newSample(t)
	archive := s.export(t)
	r, err := Verify(bytes.NewReader(archive), Options{Mediator: s.key.VerifierKey()})
	if err != nil || !r.MediatorTrusted || !strings.Contains(r.String(), "(the trusted key)") {
		t.Fatalf("Verify with the trusted key = %v, %v", r, err)
	}
	// An impostor who re-signs everything with its own key of the same name.
	impostor := newSample(t)
	impostor.key = installationKey(t, "mediation.example.org", 42)
	fake, err := NewLog("case-2023-11", impostor.key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.Checkpoint(0); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := fake.Export(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(&buf, Options{Mediator: s.key.VerifierKey()}); err == nil || !strings.Contains(err.Error(), "is not the trusted key") {
		t.Fatalf("Verify of an impostor's archive = %v", err)
	}
}

func TestEmptyLog(t *testing.T) {
	l, err := NewLog("empty", installationKey(t, "shuttle-test", 9))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AddParty("a", seedKey(2).Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Checkpoint(0); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := l.Export(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := Verify(&buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Entries != 0 || r.Heads != 1 || r.Root != emptyRoot.String() || !strings.Contains(r.String(), "no signatures (parties with keys: a)") {
		t.Fatalf("report %+v\n%s", r, r)
	}
}

// TestDeepestBody checks that a body as deep as Append accepts still fits
// the nesting limit of the archive line that carries it.
func TestDeepestBody(t *testing.T) {
	l, err := NewLog("deep", installationKey(t, "shuttle-test", 9))
	if err != nil {
		t.Fatal(err)
	}
	depth := maxDepth - bodyDepth
	body := strings.Repeat(`{"a":`, depth-1) + "[]" + strings.Repeat("}", depth-1)
	if _, err := l.Append(Entry{Kind: "k", Body: json.RawMessage(body)}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Checkpoint(0); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := l.Export(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(&buf, Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyFile(t *testing.T) {
	s := newSample(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "case.jsonl")
	headPath := filepath.Join(dir, "north.head")
	if err := os.WriteFile(path, s.export(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(headPath, s.log.Heads()[1].Note, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := VerifyFile(path, headPath)
	if err != nil || r.Entries != 13 || !slices.Equal(r.SavedHeads, []int64{9}) {
		t.Fatalf("VerifyFile = %+v, %v", r, err)
	}
	for _, tt := range []struct {
		name        string
		path, saved string
	}{
		{"no archive", filepath.Join(dir, "missing.jsonl"), headPath},
		{"no saved head", path, filepath.Join(dir, "missing.head")},
	} {
		if _, err := VerifyFile(tt.path, tt.saved); shuttle.ErrorCode(err) != shuttle.ENotFound || !strings.Contains(err.Error(), "missing") {
			t.Errorf("%s: VerifyFile = %v, want not found naming the file", tt.name, err)
		}
	}
}

func TestLineReader(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		lines []string
		err   string
		line  int
	}{
		{"lines", "a\n\nbcd\n", []string{"a", "", "bcd"}, "", 3},
		{"empty input", "", nil, "", 0},
		{"at the limit", strings.Repeat("x", 20) + "\n", []string{strings.Repeat("x", 20)}, "", 1},
		{"over the limit", "a\n" + strings.Repeat("x", 21) + "\nb\n", []string{"a"}, "line too long: over 20 bytes", 2},
		{"far over the limit", strings.Repeat("x", 1000), nil, "line too long", 1},
		{"no final newline", "a\nb", []string{"a"}, "does not end with a newline", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := newLineReader(strings.NewReader(tt.in), 20)
			lr.r = bufio.NewReaderSize(strings.NewReader(tt.in), 16) // smaller than a line
			var got []string
			var err error
			for {
				var b []byte
				if b, err = lr.next(); err != nil {
					break
				}
				got = append(got, string(b))
			}
			if tt.err == "" && err != io.EOF || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error %v, want %q", err, tt.err)
			}
			if !slices.Equal(got, tt.lines) || lr.line != tt.line {
				t.Fatalf("lines %q (last %d), want %q (last %d)", got, lr.line, tt.lines, tt.line)
			}
		})
	}
}
