package geniusweb

import (
	"io"
	"path/filepath"
	"testing"
)

func BenchmarkReadFolder(b *testing.B) {
	dir := filepath.Join("testdata", "anl2023", "domain12")
	for b.Loop() {
		if _, _, err := ReadFolder(dir); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadSpecials(b *testing.B) {
	dir := filepath.Join("testdata", "anl2023", "domain12")
	d, err := ReadDomain(filepath.Join(dir, "domain12.json"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ReadSpecials(filepath.Join(dir, "specials.json"), d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadProfileRanges reads a profile of seven range issues.
func BenchmarkReadProfileRanges(b *testing.B) {
	path := filepath.Join("testdata", "geniusweb-python-tests", "7issues", "7issues1.json")
	for b.Loop() {
		if _, err := ReadProfile(path, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteProfile(b *testing.B) {
	p, bid, err := ReadProfileBid(filepath.Join("testdata", "geniusweb-python-tests", "japantrip", "japantrip1.json"), nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := WriteProfile(io.Discard, p, bid); err != nil {
			b.Fatal(err)
		}
	}
}
