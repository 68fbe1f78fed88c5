package genius

import (
	"io"
	"path/filepath"
	"testing"
)

func BenchmarkReadFolder(b *testing.B) {
	for _, name := range []string{"Laptop", "10issues", "neighbours"} {
		b.Run(name, func(b *testing.B) {
			dir := filepath.Join("testdata", name)
			for b.Loop() {
				if _, _, err := ReadFolder(dir); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWriteProfile(b *testing.B) {
	for _, name := range []string{"Laptop", "10issues"} {
		b.Run(name, func(b *testing.B) {
			_, ps, err := ReadFolder(filepath.Join("testdata", name))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := WriteProfile(io.Discard, ps[0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
