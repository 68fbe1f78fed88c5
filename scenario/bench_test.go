package scenario

import (
	"os"
	"testing"
)

func BenchmarkParseTruce(b *testing.B) {
	data, err := os.ReadFile("../examples/truce.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseInline("truce.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
