package ledger

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"pgregory.net/rapid"
)

func TestStrictParse(t *testing.T) {
	tests := []struct{ in, err string }{
		{`{"a":[1,"x",{"b":null}],"c":true}`, ""},
		{`"\b\t\n\f\r\"\\\u001f\u0000é😀` + "\x7f\"", ""},
		{`[0,-1,1.5,1e-7,1e+21,0.000001,9007199254740992]`, ""},
		{` {}`, "unexpected character ' '"},
		{`{} `, "data after the JSON value"},
		{`{"a" :1}`, "expected ':'"},
		{`{"b":1,"a":2}`, `member "a" not in canonical order`},
		{`{"a":1,"a":2}`, `member "a" not in canonical order (or repeated)`},
		{`{"😀":1,"ﬁ":2}`, ""},
		{`{"ﬁ":1,"😀":2}`, "not in canonical order"},
		{`"\/"`, `escape \/ not in canonical form`},
		{`"\u0041"`, `escape \u0041 not in canonical form`},
		{`"\u001F"`, `escape \u001F not in canonical form`},
		{`"\u000a"`, `escape \u000a not in canonical form`},
		{`"\ud83d\ude00"`, `not in canonical form`},
		{`1.0`, "number 1.0 not in canonical form 1"},
		{`-0`, "number -0 not in canonical form 0"},
		{`1E21`, "number 1E21 not in canonical form 1e+21"},
		{`1e21`, "number 1e21 not in canonical form 1e+21"},
		{`0.10`, "number 0.10 not in canonical form 0.1"},
	}
	for _, tt := range tests {
		p := parser{strict: true}
		_, err := p.parse([]byte(tt.in))
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("strict parse of %s = %v, want error %q", tt.in, err, tt.err)
		}
	}
}

func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{name: "sorted members", in: `{"b":1,"a":2}`, want: `{"a":2,"b":1}`},
		{name: "whitespace dropped", in: " { \"a\" :\t[ 1 ,\n2 ] }\r\n", want: `{"a":[1,2]}`},
		{name: "nested sort", in: `{"z":{"y":1,"x":[{"b":0,"a":0}]},"a":null}`, want: `{"a":null,"z":{"x":[{"a":0,"b":0}],"y":1}}`},
		{name: "literals", in: `[true,false,null]`, want: `[true,false,null]`},
		{name: "empty containers", in: `{"a":{},"b":[]}`, want: `{"a":{},"b":[]}`},
		{name: "escapes minimised", in: `"\u00e9\/\u0041"`, want: `"é/A"`},
		{name: "short escapes", in: `"\u0008\u0009\u000A\u000c\u000D\"\\"`, want: `"\b\t\n\f\r\"\\"`},
		{name: "other controls lowercase hex", in: `"\u001F\u0000"`, want: `"\u001f\u0000"`},
		{name: "DEL and U+2028 literal", in: `"\u007f\u2028"`, want: "\"\x7f\u2028\""},
		{name: "surrogate pair", in: `"\ud83d\ude00"`, want: `"😀"`},
		{name: "html characters literal", in: `"\u003c\u003e\u0026"`, want: `"<>&"`},
		{name: "UTF-16 member order", in: `{"ﬁ":1,"😀":2,"a":3}`, want: `{"a":3,"😀":2,"ﬁ":1}`},
		{name: "integer forms", in: `[1.0,1e2,-0,0.0,10E-1,100]`, want: `[1,100,0,0,1,100]`},
		{name: "fractions", in: `[0.1,0.30000000000000004,-1.5,0.000001,0.0000015]`, want: `[0.1,0.30000000000000004,-1.5,0.000001,0.0000015]`},
		{name: "exponent forms", in: `[1e-7,1E21,123e-20,5e-324,1.7976931348623157e308,9.99999999999999999999e20]`, want: `[1e-7,1e+21,1.23e-18,5e-324,1.7976931348623157e+308,1e+21]`},
		{name: "largest exact integers", in: `[9007199254740992,-9007199254740992]`, want: `[9007199254740992,-9007199254740992]`},
		{name: "integer beyond 2^53", in: `9007199254740993`, err: "beyond 2^53"},
		{name: "exponent into integer digits", in: `1e20`, err: "beyond 2^53"},
		{name: "integer digits beyond 1e21", in: `1000000000000000000001`, err: "beyond 2^53"},
		{name: "huge value in exponent form", in: `1.5e300`, want: `1.5e+300`},
		{name: "overflow", in: `1e400`, err: "out of range"},
		{name: "duplicate member", in: `{"a":1,"b":2,"a":3}`, err: "duplicate member name"},
		{name: "duplicate after escape", in: `{"a":1,"\u0061":2}`, err: "duplicate member name"},
		{name: "unpaired high surrogate", in: `"\ud83d"`, err: "unpaired surrogate"},
		{name: "unpaired low surrogate", in: `"\ude00x"`, err: "unpaired surrogate"},
		{name: "high surrogate then letter", in: `"\ud83d\u0041"`, err: "unpaired surrogate"},
		{name: "invalid UTF-8", in: "\"\xff\"", err: "invalid UTF-8"},
		{name: "encoded surrogate", in: "\"\xed\xa0\x80\"", err: "invalid UTF-8"},
		{name: "raw control character", in: "\"a\tb\"", err: "control character"},
		{name: "bad escape", in: `"\x"`, err: "invalid escape"},
		{name: "short unicode escape", in: `"\u12"`, err: "short \\u escape"},
		{name: "leading zero", in: `01`, err: "leading zero"},
		{name: "bare dot", in: `1.`, err: "invalid number"},
		{name: "plus sign", in: `+1`, err: "unexpected character"},
		{name: "lone minus", in: `-`, err: "invalid number"},
		{name: "trailing data", in: `{} {}`, err: "data after the JSON value"},
		{name: "trailing comma", in: `[1,]`, err: "unexpected character"},
		{name: "unterminated", in: `{"a":"b`, err: "unterminated string"},
		{name: "empty", in: ``, err: "unexpected end"},
		{name: "single quotes", in: `{'a':1}`, err: "expected a member name"},
		{name: "too deep", in: strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), err: "nested deeper"},
		{name: "deep enough", in: strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth), want: strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalJSON([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("CanonicalJSON(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("CanonicalJSON(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// oracleNumber writes f as ECMAScript does, from the definition: plain
// decimal with the shortest round-trip digits inside [1e-6, 1e21), the
// shortest exponent form outside, without a leading zero in the exponent.
func oracleNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	sign, digits := exp[:1], strings.TrimLeft(exp[1:], "0")
	return mant + "e" + sign + digits
}

// oracleEncode is a brute-force canonical encoder for values decoded by
// encoding/json.
func oracleEncode(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return oracleNumber(v)
	case string:
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range v {
			switch {
			case r == '"' || r == '\\':
				b.WriteString(`\` + string(r))
			case r == '\b':
				b.WriteString(`\b`)
			case r == '\t':
				b.WriteString(`\t`)
			case r == '\n':
				b.WriteString(`\n`)
			case r == '\f':
				b.WriteString(`\f`)
			case r == '\r':
				b.WriteString(`\r`)
			case r < 0x20:
				b.WriteString(`\u00` + strconv.FormatInt(int64(r)>>4, 16) + strconv.FormatInt(int64(r)&15, 16))
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('"')
		return b.String()
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = oracleEncode(x)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return slices.Compare(utf16.Encode([]rune(keys[i])), utf16.Encode([]rune(keys[j]))) < 0
		})
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = oracleEncode(k) + ":" + oracleEncode(v[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	panic("oracleEncode: unexpected type")
}

// jsonValue generates JSON values as encoding/json decodes them, with
// numbers away from the rejected band (2^53, 1e21).
func jsonValue(depth int) *rapid.Generator[any] {
	toAny := func(f float64) any { return f }
	number := rapid.OneOf(
		rapid.Map(rapid.IntRange(-1<<53, 1<<53), func(i int) any { return float64(i) }),
		rapid.Map(rapid.Float64Range(-1e15, 1e15), toAny),
		rapid.Map(rapid.Float64Range(-1e-5, 1e-5), toAny),
		rapid.Map(rapid.Float64Range(1e21, math.MaxFloat64), toAny),
	)
	leaf := rapid.OneOf(
		rapid.Just[any](nil),
		rapid.Map(rapid.Bool(), func(b bool) any { return b }),
		rapid.Map(rapid.String(), func(s string) any { return s }),
		number,
	)
	if depth == 0 {
		return leaf
	}
	inner := jsonValue(depth - 1)
	return rapid.OneOf(leaf,
		rapid.Map(rapid.SliceOfN(inner, 0, 4), func(s []any) any { return s }),
		rapid.Map(rapid.MapOfN(rapid.String(), inner, 0, 4), func(m map[string]any) any { return m }),
	)
}

func TestCanonicalJSONMatchesOracle(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := jsonValue(3).Draw(t, "value")
		var in []byte
		var err error
		if rapid.Bool().Draw(t, "indent") {
			in, err = json.MarshalIndent(v, " ", "\t")
		} else {
			in, err = json.Marshal(v)
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := CanonicalJSON(in)
		if err != nil {
			t.Fatalf("CanonicalJSON(%s): %v", in, err)
		}
		if want := oracleEncode(v); string(got) != want {
			t.Fatalf("CanonicalJSON(%s)\n got %s\nwant %s", in, got, want)
		}
		again, err := CanonicalJSON(got)
		if err != nil || !bytes.Equal(again, got) {
			t.Fatalf("not idempotent: %s -> %s, %v", got, again, err)
		}
		strict := parser{strict: true}
		if _, err := strict.parse(got); err != nil {
			t.Fatalf("strict parse rejects canonical %s: %v", got, err)
		}
	})
}

func TestAppendNumberMatchesOracle(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := rapid.Float64().Draw(t, "f")
		if math.IsInf(f, 0) || math.IsNaN(f) {
			t.Skip("not a JSON number")
		}
		got := string(appendNumber(nil, f))
		if want := oracleNumber(f); got != want {
			t.Fatalf("appendNumber(%v) = %s, want %s", f, got, want)
		}
		if back, err := strconv.ParseFloat(got, 64); err != nil || back != f {
			t.Fatalf("appendNumber(%v) = %s does not round-trip: %v, %v", f, got, back, err)
		}
	})
}

func TestCompareUTF16MatchesOracle(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// Mix the ranges where UTF-16 and code point order disagree.
		r := rapid.OneOf(rapid.RuneFrom([]rune{'a', 'b', 0xe000, 0xfb01, 0xffff, 0x10000, 0x1f600, 0x10ffff}), rapid.Rune())
		a := string(rapid.SliceOfN(r, 0, 5).Draw(t, "a"))
		b := string(rapid.SliceOfN(r, 0, 5).Draw(t, "b"))
		want := slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
		if got := compareUTF16([]byte(a), []byte(b)); sign(got) != want {
			t.Fatalf("compareUTF16(%q, %q) = %d, want sign %d", a, b, got, want)
		}
	})
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[true,null,"x"]}`, `"\ud83d\ude00\u001f"`, `[1e-7,1E21,0.1,-0]`, `{"ﬁ":1,"😀":2}`, `9007199254740993`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := CanonicalJSON(in)
		strict := parser{strict: true}
		_, strictErr := strict.parse(in)
		if canonical := err == nil && bytes.Equal(got, in); canonical != (strictErr == nil) {
			t.Fatalf("strict parse of %q: %v, but CanonicalJSON gives %q, %v", in, strictErr, got, err)
		}
		if err != nil {
			return
		}
		if !json.Valid(got) {
			t.Fatalf("CanonicalJSON(%q) = %q, not valid JSON", in, got)
		}
		again, err := CanonicalJSON(got)
		if err != nil || !bytes.Equal(again, got) {
			t.Fatalf("not idempotent: %q -> %q, %v", got, again, err)
		}
		var before, after any
		if err := json.Unmarshal(in, &before); err != nil {
			t.Fatalf("CanonicalJSON accepted %q, which encoding/json rejects: %v", in, err)
		}
		if err := json.Unmarshal(got, &after); err != nil || !reflect.DeepEqual(before, after) {
			t.Fatalf("CanonicalJSON(%q) = %q changes the value", in, got)
		}
	})
}
