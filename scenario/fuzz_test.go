package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, that every error is one
// line naming the file, and that whatever loads is consistent.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"../examples/*.yaml", "testdata/bad/*.yaml"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(minimal))
	f.Add([]byte(normalisation))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseInline("fuzz.yaml", data)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.yaml") || strings.Contains(msg, "\n") {
				t.Fatalf("error not one line naming the file: %q", msg)
			}
			return
		}
		if len(s.Parties) < 2 {
			t.Fatalf("loaded with %d parties", len(s.Parties))
		}
		for _, p := range s.Profiles() {
			if err := p.Validate(); err != nil {
				t.Fatalf("loaded an invalid profile: %v", err)
			}
		}
		if s.Protocol.Rounds == 0 && s.Protocol.Deadline == 0 {
			t.Fatal("loaded without a deadline")
		}
		if p := s.Plan; p != nil {
			vars := Values(s.Domain, s.Domain.NewOutcome())
			// Evaluation may fail (a division by zero), but must not panic.
			_, _ = p.Phases.Count.Number(vars)
			for _, o := range p.Obligations {
				if o.Party == o.To {
					t.Fatalf("obligation %q to its own party", o.Kind)
				}
			}
		}
	})
}
