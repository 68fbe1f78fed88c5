package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompare runs the comparison on the bundled GENIUS domains and checks
// the table, that it does not depend on how many negotiations run at once,
// and that only the part of the README between the markers changes.
func TestCompare(t *testing.T) {
	readme := filepath.Join(t.TempDir(), "README.md")
	before := "# title\n\ntext\n\n## Mediated versus direct negotiation\n\nhow\n\n"
	after := "\n\nmore text\n"
	if err := os.WriteFile(readme, []byte(before+compareStart+"\nold table\n"+compareEnd+after), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := run(t, "compare", "--domains", "examples/genius", "--seeds", "2", "--jobs", "1", "--readme", readme)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, a := range compareArms {
		if !strings.Contains(out, "| "+a.String()+" | 8 | ") {
			t.Errorf("no row of 8 runs for %s in\n%s", a, out)
		}
	}
	if !strings.Contains(out, "2 domains") {
		t.Errorf("the note does not count 2 domains:\n%s", out)
	}
	parallel, _, _ := run(t, "compare", "--domains", "examples/genius", "--seeds", "2", "--jobs", "4")
	if parallel != out {
		t.Error("the table depends on the number of jobs")
	}
	got, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	if want := before + compareStart + "\n" + out + compareEnd + after; string(got) != want {
		t.Errorf("README after splicing:\n%s\nwant:\n%s", got, want)
	}

	if err := os.WriteFile(readme, []byte("no markers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errs, code := run(t, "compare", "--domains", "examples/genius", "--seeds", "1", "--readme", readme); code == 0 || out != "" || !strings.Contains(errs, "lacks the markers") {
		t.Errorf("README without markers: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if _, errs, code := run(t, "compare", "--domains", t.TempDir()); code == 0 || !strings.Contains(errs, "no folder here") {
		t.Errorf("empty tree: exit %d, stderr %q", code, errs)
	}
}
