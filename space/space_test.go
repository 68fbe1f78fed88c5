package space

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func genDomain(t *rapid.T) *Domain {
	n := rapid.IntRange(1, 6).Draw(t, "issues")
	d := &Domain{Name: "d"}
	for i := 0; i < n; i++ {
		name := string(rune('a' + i))
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			k := rapid.IntRange(1, 5).Draw(t, "values")
			vals := make([]string, k)
			for j := range vals {
				vals[j] = name + strings.Repeat("'", j)
			}
			d.Issues = append(d.Issues, Issue{Name: name, Kind: Discrete, Values: vals})
		case 1:
			lo := rapid.Int64Range(-5, 5).Draw(t, "min")
			d.Issues = append(d.Issues, Issue{Name: name, Kind: Integer, Min: lo, Max: lo + rapid.Int64Range(0, 6).Draw(t, "span")})
		default:
			d.Issues = append(d.Issues, Issue{Name: name, Kind: Real, Lo: -1, Hi: 2, Steps: rapid.IntRange(2, 7).Draw(t, "steps")})
		}
	}
	return d
}

func TestIndexingRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := genDomain(t)
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		n, ok := d.Count64()
		if !ok || big.NewInt(0).SetUint64(n).Cmp(d.Count()) != 0 {
			t.Fatalf("Count64 %d disagrees with Count %s", n, d.Count())
		}
		// Next visits every outcome once, in Decode order.
		o, p := d.NewOutcome(), d.NewOutcome()
		var i uint64
		for {
			d.Decode(i, p)
			if !o.Equal(p) {
				t.Fatalf("outcome %d: Next gave %v, Decode %v", i, o, p)
			}
			if got := d.Encode(o); got != i {
				t.Fatalf("Encode(%v) = %d, want %d", o, got, i)
			}
			if got := d.EncodeBig(o); got.Uint64() != i {
				t.Fatalf("EncodeBig(%v) = %s, want %d", o, got, i)
			}
			d.DecodeBig(new(big.Int).SetUint64(i), p)
			if !o.Equal(p) {
				t.Fatalf("DecodeBig(%d) = %v, want %v", i, p, o)
			}
			// Labels and Parse are inverse.
			back, err := d.Parse(d.Labels(o))
			if err != nil || !back.Equal(o) {
				t.Fatalf("Parse(Labels(%v)) = %v, %v", o, back, err)
			}
			i++
			if !d.Next(o) {
				break
			}
		}
		if i != n {
			t.Fatalf("Next visited %d outcomes, want %d", i, n)
		}
	})
}

func TestCountBeyond64Bits(t *testing.T) {
	d := &Domain{Name: "huge"}
	for i := 0; i < 50; i++ {
		d.Issues = append(d.Issues, Issue{Name: string(rune('A' + i)), Kind: Integer, Min: 0, Max: 9})
	}
	want, _ := new(big.Int).SetString("1"+strings.Repeat("0", 50), 10)
	if d.Count().Cmp(want) != 0 {
		t.Fatalf("Count = %s, want 10^50", d.Count())
	}
	if _, ok := d.Count64(); ok {
		t.Fatal("Count64 claims 10^50 fits in 64 bits")
	}
	// The last outcome round-trips through big indexing.
	last := new(big.Int).Sub(want, big.NewInt(1))
	o := d.NewOutcome()
	d.DecodeBig(last, o)
	for i, v := range o {
		if v != 9 {
			t.Fatalf("issue %d = %d, want 9", i, v)
		}
	}
	if d.EncodeBig(o).Cmp(last) != 0 {
		t.Fatal("EncodeBig of the last outcome differs")
	}
}

func TestNoAllocation(t *testing.T) {
	d := &Domain{Name: "d", Issues: []Issue{
		{Name: "a", Kind: Discrete, Values: []string{"x", "y", "z"}},
		{Name: "b", Kind: Integer, Min: 1, Max: 100},
		{Name: "c", Kind: Real, Lo: 0, Hi: 1, Steps: 11},
	}}
	o := d.NewOutcome()
	r := rand.New(rand.NewPCG(1, 2))
	allocs := testing.AllocsPerRun(100, func() {
		d.Decode(1234, o)
		_ = d.Encode(o)
		d.Next(o)
		d.Random(r, o)
	})
	if allocs != 0 {
		t.Fatalf("indexing allocates %v times per call", allocs)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		issue   Issue
		label   string
		want    int
		wantErr string
	}{
		{Issue{Name: "colour", Values: []string{"red", "19'' LCD", "7,000 NIS"}}, "7,000 NIS", 2, ""},
		{Issue{Name: "colour", Values: []string{"red"}}, "blue", 0, `issue "colour" has no value "blue"`},
		{Issue{Name: "n", Kind: Integer, Min: 500, Max: 700}, "650", 150, ""},
		{Issue{Name: "n", Kind: Integer, Min: 500, Max: 700}, "701", 0, "outside 500..700"},
		{Issue{Name: "n", Kind: Integer, Min: 500, Max: 700}, "6.5", 0, "not an integer"},
		{Issue{Name: "x", Kind: Real, Lo: 0, Hi: 1, Steps: 11}, "0.31", 3, ""},
		{Issue{Name: "x", Kind: Real, Lo: 0, Hi: 1, Steps: 11}, "1.5", 0, "outside [0, 1]"},
		{Issue{Name: "x", Kind: Real, Lo: 0, Hi: 1, Steps: 11}, "NaN", 0, "not a number"},
	}
	for _, tt := range tests {
		got, err := tt.issue.Lookup(tt.label)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Lookup(%q) error = %v, want %q", tt.label, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Lookup(%q) = %d, %v; want %d", tt.label, got, err, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		d    Domain
		want string
	}{
		{"empty", Domain{Name: "e"}, "no issues"},
		{"dup issue", Domain{Name: "d", Issues: []Issue{{Name: "a", Values: []string{"x"}}, {Name: "a", Values: []string{"y"}}}}, `issue "a" appears twice`},
		{"dup value", Domain{Name: "d", Issues: []Issue{{Name: "a", Values: []string{"x", "x"}}}}, `lists value "x" twice`},
		{"no values", Domain{Name: "d", Issues: []Issue{{Name: "a"}}}, "has no values"},
		{"bounds", Domain{Name: "d", Issues: []Issue{{Name: "a", Kind: Integer, Min: 3, Max: 1}}}, "below lower bound"},
		{"steps", Domain{Name: "d", Issues: []Issue{{Name: "a", Kind: Real, Lo: 0, Hi: 1, Steps: 1}}}, "at least 2 steps"},
		{"unnamed", Domain{Name: "d", Issues: []Issue{{Values: []string{"x"}}}}, "without a name"},
	}
	for _, tt := range tests {
		err := tt.d.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func BenchmarkNext(b *testing.B) {
	d := &Domain{Name: "d"}
	for i := 0; i < 6; i++ {
		d.Issues = append(d.Issues, Issue{Name: string(rune('a' + i)), Kind: Integer, Min: 0, Max: 9})
	}
	o := d.NewOutcome()
	for b.Loop() {
		d.Next(o)
	}
}
