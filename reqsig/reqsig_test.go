package reqsig

import (
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	other, _, _ := ed25519.GenerateKey(nil)
	body := []byte(`{"question": 4, "kind": "accept"}`)
	r, _ := http.NewRequest("POST", "http://example.org/v1/cases/c-1/answers?x=1", nil)
	if err := Sign(r, body, "c-1/alice", priv, time.Unix(1_800_000_000, 0)); err != nil {
		t.Fatal(err)
	}
	params, ok := strings.CutPrefix(r.Header.Get("Authorization"), Scheme+" ")
	if !ok {
		t.Fatalf("Authorization %q", r.Header.Get("Authorization"))
	}
	s, err := Parse(params)
	if err != nil {
		t.Fatal(err)
	}
	if s.KeyID != "c-1/alice" || s.Case() != "c-1" || s.Name() != "alice" || s.Created != 1_800_000_000 {
		t.Fatalf("parsed %+v", s)
	}
	if !s.Verify(r, body, pub) {
		t.Fatal("the signature does not verify")
	}
	for name, check := range map[string]func() bool{
		"another key":    func() bool { return s.Verify(r, body, other) },
		"another body":   func() bool { return s.Verify(r, []byte(`{"question": 4, "kind": "walk-away"}`), pub) },
		"another method": func() bool { r2 := r.Clone(r.Context()); r2.Method = "PUT"; return s.Verify(r2, body, pub) },
		"another query": func() bool {
			r2, _ := http.NewRequest("POST", "http://example.org/v1/cases/c-1/answers?x=2", nil)
			return s.Verify(r2, body, pub)
		},
		"another nonce": func() bool { s2 := s; s2.Nonce = "0123456789"; return s2.Verify(r, body, pub) },
		"another time":  func() bool { s2 := s; s2.Created++; return s2.Verify(r, body, pub) },
		"a short key":   func() bool { return s.Verify(r, body, pub[:31]) },
	} {
		if check() {
			t.Errorf("%s: the signature verifies", name)
		}
	}
	if err := Sign(r, body, "alice", priv, time.Now()); err == nil {
		t.Error("Sign with a key id without a case: no error")
	}
	if err := Sign(r, body, "c/alice", priv[:10], time.Now()); err == nil {
		t.Error("Sign with a short private key: no error")
	}
}

func TestParse(t *testing.T) {
	sig := strings.Repeat("A", 86) + "=="
	ok := `keyId="c/a",created="5",nonce="abcdefgh",signature="` + sig + `"`
	if _, err := Parse(ok); err != nil {
		t.Fatalf("Parse(%s): %v", ok, err)
	}
	for _, tt := range []struct{ in, want string }{
		{``, "name=\"value\""},
		{`keyId="c/a",created="5",nonce="abcdefgh"`, "no signature"},
		{`keyId="c/a",created="5",signature="` + sig + `"`, "no nonce"},
		{`keyId=c/a,created="5",nonce="abcdefgh",signature="` + sig + `"`, "name=\"value\""},
		{`keyId="ca",created="5",nonce="abcdefgh",signature="` + sig + `"`, "keyId"},
		{`keyId="c/a",created="-5",nonce="abcdefgh",signature="` + sig + `"`, "created"},
		{`keyId="c/a",created="soon",nonce="abcdefgh",signature="` + sig + `"`, "created"},
		{`keyId="c/a",created="5",nonce="short",signature="` + sig + `"`, "nonce"},
		{`keyId="c/a",created="5",nonce="abc defgh",signature="` + sig + `"`, "nonce"},
		{`keyId="c/a",created="5",nonce="abcdefgh",signature="AAAA"`, "signature"},
		{`keyId="c/a",created="5",nonce="abcdefgh",signature="!!"`, "signature"},
		{`keyId="c/a",keyId="c/b",created="5",nonce="abcdefgh",signature="` + sig + `"`, "twice"},
		{`keyId="c/a",created="5",nonce="abcdefgh",signature="` + sig + `",algorithm="rsa"`, "unknown parameter"},
		{`keyId="c/\"a",created="5",nonce="abcdefgh",signature="` + sig + `"`, "quotes"},
	} {
		_, err := Parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%s) = %v, want an error with %q", tt.in, err, tt.want)
		}
	}
}

// FuzzParse checks that Parse never panics and that what it accepts is
// well-formed.
func FuzzParse(f *testing.F) {
	f.Add(`keyId="c/a",created="5",nonce="abcdefgh",signature="` + strings.Repeat("A", 86) + `=="`)
	f.Add(`keyId="",created="0"`)
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Parse(in)
		if err != nil {
			return
		}
		if s.Case() == "" || s.Name() == "" || s.Created <= 0 || len(s.Sig) != ed25519.SignatureSize || checkNonce(s.Nonce) != nil {
			t.Fatalf("Parse(%q) accepted %+v", in, s)
		}
	})
}

func TestKeyFile(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	data, err := EncodeKey(key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeKey(data)
	if err != nil || !got.Equal(key) {
		t.Fatalf("DecodeKey(EncodeKey(key)) = %x, %v", got, err)
	}
	// What "openssl genpkey -algorithm ed25519" writes.
	openssl := "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIKwf/LcUjgUpJqxuSH5QY0x3nEbr0eNJt2Qxf6k0OHyE\n-----END PRIVATE KEY-----\n"
	if _, err := DecodeKey([]byte(openssl)); err != nil {
		t.Errorf("an OpenSSL key: %v", err)
	}
	for _, tt := range []struct{ name, data, want string }{
		{"empty", "", "no PEM block"},
		{"public key", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n", "want PRIVATE KEY"},
		{"trailing data", string(data) + "more", "after the PEM block"},
		{"not PKCS #8", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "asn1"},
	} {
		if _, err := DecodeKey([]byte(tt.data)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}

// FuzzDecodeKey checks that DecodeKey never panics and that a key it
// accepts encodes back to a key it reads the same.
func FuzzDecodeKey(f *testing.F) {
	_, key, _ := ed25519.GenerateKey(nil)
	data, _ := EncodeKey(key)
	f.Add(data)
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := DecodeKey(data)
		if err != nil {
			return
		}
		again, err := EncodeKey(key)
		if err != nil {
			t.Fatal(err)
		}
		if k2, err := DecodeKey(again); err != nil || !k2.Equal(key) {
			t.Fatalf("re-encoded key reads as %x, %v", k2, err)
		}
	})
}
