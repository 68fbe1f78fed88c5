package ledger

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle"
)

// validArchives returns archives that verify: the sample and an empty case.
func validArchives(t testing.TB) [][]byte {
	l, err := NewLog("empty", installationKey(t, "shuttle-test", 9))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Checkpoint(0); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := l.Export(&buf); err != nil {
		t.Fatal(err)
	}
	return [][]byte{sampleArchive(t), buf.Bytes()}
}

// checkVerifyError checks that a verification failure is a one-line
// shuttle.Error.
func checkVerifyError(t *testing.T, err error) {
	t.Helper()
	var e *shuttle.Error
	if !errors.As(err, &e) || e.Code != shuttle.EInvalid && e.Code != shuttle.EUnsupported {
		t.Fatalf("error %v (%T) is not an invalid-input shuttle.Error", err, err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("error spans lines: %q", err)
	}
}

// FuzzVerify mutates valid archives: Verify must never panic and never
// accept anything but an archive exactly as exported.
func FuzzVerify(f *testing.F) {
	valid := validArchives(f)
	for _, a := range valid {
		f.Add(a)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Verify(bytes.NewReader(data), Options{})
		if err != nil {
			checkVerifyError(t, err)
			return
		}
		for _, a := range valid {
			if bytes.Equal(data, a) {
				return
			}
		}
		t.Fatalf("a changed archive verifies:\n%s", data)
	})
}

// FuzzReadArchive checks that whatever ReadArchive accepts is consistent
// with Verify and with its own tree heads.
func FuzzReadArchive(f *testing.F) {
	for _, a := range validArchives(f) {
		f.Add(a)
	}
	f.Add([]byte(`{"header":{}}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, r, err := ReadArchive(bytes.NewReader(data), Options{})
		if err != nil {
			checkVerifyError(t, err)
			return
		}
		if int64(len(a.Entries)) != r.Entries || len(a.Heads) != r.Heads {
			t.Fatalf("archive has %d entries and %d heads, report %+v", len(a.Entries), len(a.Heads), r)
		}
		for _, h := range a.Heads {
			if err := a.VerifyConsistency(h.Note); err != nil {
				t.Fatalf("the archive's own head at size %d: %v", h.Size, err)
			}
		}
	})
}

// FuzzOpenHead checks that a signed tree head has one accepted spelling.
func FuzzOpenHead(f *testing.F) {
	s := newSample(f)
	heads := s.log.Heads()
	for _, h := range heads {
		f.Add(h.Note)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		h, err := OpenHead(msg, s.key.VerifierKey(), s.log.Origin())
		if err != nil {
			return
		}
		for _, want := range heads {
			if bytes.Equal(msg, want.Note) && h.TreeHead == want.TreeHead {
				return
			}
		}
		t.Fatalf("OpenHead accepted a changed head %q", msg)
	})
}

func FuzzParseHeadText(f *testing.F) {
	f.Add(TreeHead{Origin: "i/case/c", Size: 12, Root: Hash{1}, Time: 34}.text())
	f.Fuzz(func(t *testing.T, text string) {
		h, err := parseHeadText(text)
		if err == nil && h.text() != text {
			t.Fatalf("parseHeadText(%q) accepted a non-canonical spelling of %q", text, h.text())
		}
	})
}

// FuzzParseEntry checks that an accepted entry encoding is canonical and
// survives decoding and re-encoding unchanged.
func FuzzParseEntry(f *testing.F) {
	for _, e := range []Entry{{Kind: "k"}, {Seq: 3, Time: 5, Kind: "offer", From: "m", To: []string{"a", "b"}, Body: []byte(`{"x":[1,"y"]}`)}} {
		enc, err := e.Canonical()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fields, err := parseEntry(data)
		if err != nil {
			return
		}
		e := fields.entry()
		enc, err := e.Canonical()
		if err != nil {
			t.Fatalf("decoded entry %+v does not encode: %v", e, err)
		}
		if want, err := CanonicalJSON(data); err != nil || !bytes.Equal(enc, want) {
			t.Fatalf("entry %q re-encodes as %q, want %q (%v)", data, enc, want, err)
		}
	})
}
