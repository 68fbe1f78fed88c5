package cli

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// root is the repository root, found before any test changes directory.
var root = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Join(wd, "..", "..")
}()

// run calls Main as the shell would, from the repository root so that
// paths read as in the README.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Chdir(root)
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(root, "internal", "cli", "testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from its golden file (go test ./internal/cli -update rewrites it)\ngot:\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"analyze-laptop-json", []string{"analyze", "examples/genius/Laptop", "--json"}},
		{"analyze-laptop-yaml", []string{"analyze", "examples/laptop.yaml"}},
		{"analyze-anl2023-json", []string{"analyze", "internal/cli/testdata/anl2023-domain09", "--json"}},
		{"analyze-labour-json", []string{"analyze", "examples/labour.yaml", "--json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := run(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			golden(t, tt.name, out)
		})
	}
}

// TestBadInput checks that every failure is one line on stderr naming what
// is at fault, with a non-zero exit and nothing on stdout.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	badYAML := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badYAML, []byte("name: x\ndomain:\n  issues:\n    price: {type: integer, min: 5, max: 1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badXML := filepath.Join(dir, "xml")
	os.Mkdir(badXML, 0o755)
	os.WriteFile(filepath.Join(badXML, "d.xml"), []byte("<negotiation_template><utility_space>\n<objective><issue name="), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"analyze", filepath.Join(dir, "missing.yaml")}, "missing.yaml: cannot read"},
		{[]string{"analyze"}, "accepts 1 arg"},
		{[]string{"analyze", "--nope", "x"}, "unknown flag: --nope"},
		{[]string{"analyze", badYAML}, "bad.yaml:4"},
		{[]string{"analyze", badXML}, "d.xml"},
		{[]string{"analyze", "README.md"}, "README.md: not a scenario"},
		{[]string{"nonsense"}, "unknown command"},
	}
	for _, tt := range tests {
		wantFailure(t, tt.args, tt.want)
	}
}

func TestAnalyzeSVG(t *testing.T) {
	for _, path := range []string{"examples/laptop.yaml", "examples/labour.yaml"} {
		svg := filepath.Join(t.TempDir(), "plane.svg")
		_, errs, code := run(t, "analyze", path, "--svg", svg)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", path, code, errs)
		}
		if n := xmlTokens(t, svg); n < 100 {
			t.Errorf("%s: SVG has only %d tokens", path, n)
		}
	}
}

// wantFailure runs args and checks the contract of every failure: a
// non-zero exit, nothing on stdout, and one line on stderr containing want.
func wantFailure(t *testing.T, args []string, want string) {
	t.Helper()
	out, errs, code := run(t, args...)
	if code == 0 || out != "" {
		t.Errorf("%v: exit %d, stdout %q", args, code, out)
	}
	if strings.Count(errs, "\n") != 1 || !strings.Contains(errs, want) {
		t.Errorf("%v: stderr %q, want one line containing %q", args, errs, want)
	}
}

// xmlTokens fails the test unless the file at path is well-formed XML, and
// returns how many tokens it holds.
func xmlTokens(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	n := 0
	for {
		_, err := d.Token()
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", path, err)
		}
		n++
	}
}
