package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for benchserver's server process,
// which run starts as its own executable with -child.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-child" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRun makes a short run with its server in a second process and checks
// that the report counts answers, events, writes and stream deliveries.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	var out bytes.Buffer
	if err := run(&out, 2, 4, time.Second, 0, ""); err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{
		`answers acknowledged: (\d+) \(\d+/s\), refused 0, no response 0`,
		`events appended durably: (\d+) `,
		`in (\d+) writes`,
		`stream deliveries: (\d+), p50`,
	} {
		m := regexp.MustCompile(re).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no %q in the report:\n%s", re, out.String())
		}
		if n, _ := strconv.Atoi(m[1]); n == 0 {
			t.Errorf("%q counted nothing:\n%s", re, out.String())
		}
	}
}
