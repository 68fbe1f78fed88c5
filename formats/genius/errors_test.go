package genius

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle"
)

// A small domain that the profiles below are checked against.
const tinyDomain = `<negotiation_template><utility_space><objective name="tiny">
<issue index="1" name="Colour" type="discrete"><item value="red"/><item value="blue"/></issue>
<issue index="2" name="Count" type="integer" lowerbound="0" upperbound="4"/>
</objective></utility_space></negotiation_template>`

// profile wraps issue and weight elements, one line each, into a profile
// document whose line 3 is the first of them.
func profile(lines ...string) string {
	return "<utility_space>\n<objective name=\"tiny\">\n" + strings.Join(lines, "\n") + "\n</objective>\n</utility_space>"
}

const (
	colour = `<issue index="1" name="Colour"><item value="red" evaluation="1"/><item value="blue" evaluation="2"/></issue>`
	count  = `<issue index="2" name="Count" type="integer" lowerbound="0" upperbound="4"><evaluator ftype="linear" offset="0" slope="0.25"/></issue>`
	w12    = `<weight index="1" value="0.5"/><weight index="2" value="0.5"/>`
)

// nonlinearProfile wraps rectangles into a nonlinear profile over the
// integer issue Count.
func nonlinearProfile(rects string) string {
	return `<utility_space type="nonlinear"><objective>
<issue index="2" name="Count" type="integer" lowerbound="0" upperbound="4"/>
<utility maxutility="10"><ufun type="PlainUfun" weight="1" aggregation="sum">
` + rects + `
</ufun></utility></objective></utility_space>`
}

// TestRefusals feeds malformed and unsupported files to the readers: each
// must give one line naming the file (and the line or element at fault)
// with the right error code, and never panic.
func TestRefusals(t *testing.T) {
	tests := []struct {
		name    string
		profile string // read with ReadProfile over tinyDomain
		code    string
		want    string // part of the message, after the file name
	}{
		{"constraint profile", `<utility_space type="constraint"><objective/></utility_space>`, shuttle.EUnsupported, `:1: <utility_space>: type="constraint" profiles`},
		{"all weights zero", profile(colour, count, `<weight index="1" value="0"/><weight index="2" value="0"/>`), shuttle.EInvalid, ":2: <objective>: every issue weight is zero"},
		{"negative weight", profile(colour, count, `<weight index="1" value="-0.5"/><weight index="2" value="1"/>`), shuttle.EInvalid, `:5: <weight>: weight -0.5 of issue "Colour" is negative`},
		{"missing weight", profile(colour, count, `<weight index="1" value="1"/>`), shuttle.EInvalid, `:4: <issue>: issue "Count" (index 2) has no <weight>`},
		{"weight for no issue", profile(colour, count, w12, `<weight index="7" value="1"/>`), shuttle.EInvalid, `:6: <weight>: weight for index 7, which no issue has`},
		{"weight not a number", profile(colour, count, `<weight index="1" value="half"/><weight index="2" value="1"/>`), shuttle.EInvalid, `:5: <weight>: attribute value="half" is not a number`},
		{"unknown issue", profile(colour, count, `<issue index="3" name="Size"><item value="S" evaluation="1"/></issue>`, w12), shuttle.EInvalid, `:5: <issue>: issue "Size" is not in domain "tiny"`},
		{"unknown value", profile(`<issue index="1" name="Colour"><item value="red" evaluation="1"/><item value="green" evaluation="2"/></issue>`, count, w12), shuttle.EInvalid, `:3: <item>: issue "Colour" has no value "green"`},
		{"value without evaluation", profile(`<issue index="1" name="Colour"><item value="red" evaluation="1"/></issue>`, count, w12), shuttle.EInvalid, `:3: <issue>: issue "Colour" gives no evaluation for value "blue"`},
		{"evaluation not a number", profile(`<issue index="1" name="Colour"><item value="red" evaluation="x"/><item value="blue" evaluation="2"/></issue>`, count, w12), shuttle.EInvalid, `:3: <item>: attribute evaluation="x" is not a number`},
		{"negative evaluation", profile(`<issue index="1" name="Colour"><item value="red" evaluation="-1"/><item value="blue" evaluation="2"/></issue>`, count, w12), shuttle.EInvalid, `:3: <item>: evaluation -1 of "red" in issue "Colour" is negative`},
		{"integer bounds not integers", profile(colour, `<issue index="2" name="Count" type="integer" lowerbound="0" upperbound="4.5"/>`, w12), shuttle.EInvalid, `:4: <issue>: attribute upperbound="4.5" is not an integer`},
		{"integer bounds reversed", profile(colour, `<issue index="2" name="Count" type="integer" lowerbound="4" upperbound="0"/>`, w12), shuttle.EInvalid, `:4: <issue>: upperbound 0 is below lowerbound 4`},
		{"integer bounds disagree", profile(colour, `<issue index="2" name="Count" type="integer" lowerbound="0" upperbound="4"><range lowerbound="1" upperbound="4"/></issue>`, w12), shuttle.EInvalid, `:4: <range>: range 1..4 disagrees with the issue's bounds 0..4`},
		{"issue of another kind", profile(colour, `<issue index="2" name="Count"><item value="1" evaluation="1"/></issue>`, w12), shuttle.EInvalid, `:4: <issue>: issue "Count" is discrete here but integer in domain "tiny"`},
		{"unknown issue type", profile(colour, `<issue index="2" name="Count" type="price"/>`, w12), shuttle.EUnsupported, `:4: <issue>: issue type "price" is not supported`},
		{"unknown integer ftype", profile(colour, `<issue index="2" name="Count" type="integer" lowerbound="0" upperbound="4"><evaluator ftype="faratin"/></issue>`, w12), shuttle.EUnsupported, `:4: <evaluator>: integer evaluator ftype="faratin"`},
		{"issue missing", profile(colour, `<weight index="1" value="1"/>`), shuttle.EInvalid, `:2: <objective>: issue "Count" of domain "tiny" is missing`},
		{"issue twice", profile(colour, colour, count, w12), shuttle.EInvalid, `:4: <issue>: issue "Colour" appears twice`},
		{"nested objective", profile(`<objective name="sub">`, colour, `</objective>`), shuttle.EUnsupported, `:3: <objective>: nested objectives are not supported`},
		{"reservation outside [0,1]", strings.Replace(profile(colour, count, w12), "</utility_space>", `<reservation value="1.5"/></utility_space>`, 1), shuttle.EInvalid, `:7: <reservation>: reservation value 1.5 is outside [0,1]`},
		{"no objective", `<utility_space><weight index="1" value="1"/></utility_space>`, shuttle.EInvalid, `<utility_space>: no <objective> holding the issues`},
		{"malformed XML", profile(colour, count, w12)[:200], shuttle.EInvalid, ": malformed XML: unexpected EOF"},
		{"mismatched tag", "<utility_space>\n<objective>\n</utility_space>", shuttle.EInvalid, ":3: malformed XML: element <objective> closed by </utility_space>"},
		{"second root", "<utility_space/>\n<utility_space/>", shuttle.EInvalid, ":2: utility_space: a second root element"},
		{"not XML", "this is not a profile", shuttle.EInvalid, `:1: not XML, nor a frontier listing`},
		{"a domain", tinyDomain, shuttle.EInvalid, "a domain (no evaluations or weights), not a profile"},
		{"a frontier listing", "0.5, 1\n1, 0.5\n", shuttle.EInvalid, "not a GENIUS profile: a Pareto frontier listing"},
		{"GeniusBI with an integer issue", strings.Replace(profile(colour, count, w12), "</utility_space>", `<weightmultiplyer value="1"/></utility_space>`, 1), shuttle.EUnsupported, `:1: <utility_space>: GeniusBI point scale with integer issue "Count"`},
		{"rectangle bound outside the values", nonlinearProfile(`<hyperRectangle utility="3"><INCLUDES index="2" min="2" max="5"/></hyperRectangle>`), shuttle.EInvalid, `:4: <INCLUDES>: bounds 2..5 of issue "Count" are not within its values 0..4`},
		{"rectangle bounds reversed", nonlinearProfile(`<hyperRectangle utility="3"><INCLUDES index="2" min="3" max="2"/></hyperRectangle>`), shuttle.EInvalid, `:4: <INCLUDES>: bounds 3..2 of issue "Count"`},
		{"rectangle on no issue", nonlinearProfile(`<hyperRectangle utility="3"><INCLUDES index="1" min="0" max="2"/></hyperRectangle>`), shuttle.EInvalid, `:4: <INCLUDES>: index 1 names no issue of this profile`},
		{"rectangle mixing bounds", nonlinearProfile(`<hyperRectangle utility="3"><INCLUDES index="2" min="0" max="2"/><EXCLUDES index="2" min="0" max="1"/></hyperRectangle>`), shuttle.EUnsupported, `:4: <hyperRectangle>: a hyperRectangle mixing INCLUDES and EXCLUDES`},
		{"negative rectangle", nonlinearProfile(`<hyperRectangle utility="-3"></hyperRectangle>`), shuttle.EUnsupported, `:4: <hyperRectangle>: negative rectangle utility -3`},
		{"rectangle utility missing", nonlinearProfile(`<hyperRectangle></hyperRectangle>`), shuttle.EInvalid, `:4: <hyperRectangle>: missing attribute utility`},
		{"product aggregation", strings.Replace(nonlinearProfile(""), `aggregation="sum"`, `aggregation="product"`, 1), shuttle.EUnsupported, `:3: <ufun>: aggregation="product"`},
		{"maxutility zero", strings.Replace(nonlinearProfile(""), `maxutility="10"`, `maxutility="0"`, 1), shuttle.EInvalid, `:3: <utility>: maxutility 0 is not positive`},
		{"nonlinear discrete issue", `<utility_space type="nonlinear"><objective>` + colour + `<utility maxutility="1"><ufun/></utility></objective></utility_space>`, shuttle.EUnsupported, `<issue>: nonlinear profile with discrete issue "Colour"`},
	}
	dir := t.TempDir()
	domain := writeFile(t, dir, "domain.xml", tinyDomain)
	d, err := ReadDomain(domain)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, "p.xml", tt.profile)
			_, err := ReadProfile(path, d)
			checkRefusal(t, err, path, tt.code, tt.want)
		})
	}
}

func checkRefusal(t *testing.T, err error, path, code, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want %s error %q", code, want)
	}
	msg := err.Error()
	if got := shuttle.ErrorCode(err); got != code {
		t.Errorf("code %s, want %s (%s)", got, code, msg)
	}
	if !strings.HasPrefix(msg, path) || !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
		t.Errorf("error %q, want one line starting with %s and containing %q", msg, path, want)
	}
	var e *shuttle.Error
	if !errors.As(err, &e) {
		t.Errorf("error %T is not a *shuttle.Error", err)
	}
}

// TestRealRefusals covers real issues, which need a domain of their own.
func TestRealRefusals(t *testing.T) {
	const domain = `<negotiation_template><utility_space><objective name="r">
<issue index="1" name="Price" type="real"><range lowerbound="0" upperbound="1"/></issue>
</objective></utility_space></negotiation_template>`
	real := func(evaluator string) string {
		return "<utility_space><objective>\n<issue index=\"1\" name=\"Price\" type=\"real\"><range lowerbound=\"0\" upperbound=\"1\"/>\n" +
			evaluator + "</issue><weight index=\"1\" value=\"1\"/></objective></utility_space>"
	}
	tests := []struct {
		name, profile, code, want string
	}{
		{"triangle peaking at its end", real(`<evaluator ftype="triangular" parameter0="0" parameter1="1" parameter2="1"/>`), shuttle.EUnsupported, `:3: <evaluator>: triangular evaluator with peak 1 not in [0, 1)`},
		{"no evaluator", real(""), shuttle.EInvalid, `:2: <issue>: real issue "Price" has no evaluator`},
		{"no ftype", real(`<evaluator parameter0="0"/>`), shuttle.EUnsupported, `:3: <evaluator>: real evaluator ftype=""`},
		{"missing parameter", real(`<evaluator ftype="linear" parameter0="0"/>`), shuttle.EInvalid, `:3: <evaluator>: missing attribute parameter1`},
		{"constant above 1", real(`<evaluator ftype="constant" parameter0="2"/>`), shuttle.EInvalid, `evaluation 2 of "0" is outside [0,1]`},
		{"no bounds", strings.Replace(real(`<evaluator ftype="linear" parameter0="0" parameter1="1"/>`), `<range lowerbound="0" upperbound="1"/>`, "", 1), shuttle.EInvalid, `:2: <issue>: numeric issue without lowerbound and upperbound`},
	}
	dir := t.TempDir()
	d, err := ReadDomain(writeFile(t, dir, "domain.xml", domain))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, "p.xml", tt.profile)
			_, err := ReadProfile(path, d)
			checkRefusal(t, err, path, tt.code, tt.want)
		})
	}
}

// TestFolderRefusals covers what can only go wrong with a whole folder.
func TestFolderRefusals(t *testing.T) {
	p := profile(colour, count, w12)
	tests := []struct {
		name  string
		files map[string]string
		code  string
		want  string
	}{
		{"no domain", map[string]string{"p.xml": p}, shuttle.ENotFound, "no domain file"},
		{"no profile", map[string]string{"d.xml": tinyDomain, "pareto.xml": "0.5, 0.5\n"}, shuttle.ENotFound, "no GENIUS profile in the folder"},
		{"two domains", map[string]string{"a.xml": tinyDomain, "b.xml": strings.Replace(tinyDomain, "blue", "green", 1), "p.xml": p}, shuttle.EInvalid, "two different domain files: a.xml and b.xml"},
		{"profile for another domain", map[string]string{"d.xml": strings.Replace(tinyDomain, `name="Count"`, `name="Amount"`, 1), "p.xml": p},
			shuttle.EInvalid, `p.xml:4: <issue>: issue "Count" is not in domain "tiny"`},
		{"GeniusBI scoring every outcome alike", map[string]string{
			"d.xml": `<negotiation_template><utility_space><objective><issue index="1" name="Colour"><item value="red"/><item value="blue"/></issue></objective></utility_space></negotiation_template>`,
			"p.xml": "<utility_space><objective>\n" + `<issue index="1" name="Colour"><item value="red" evaluation="-3"/><item value="blue" evaluation="-3"/></issue><weight index="1" value="1"/>` +
				"\n</objective><optout value=\"1\"/></utility_space>"},
			shuttle.EInvalid, "p.xml:1: <utility_space>: every outcome scores the same number of points"},
		{"unreadable listing", map[string]string{"d.xml": tinyDomain, "p.xml": p, "pareto.xml": "0.5, x\n"}, shuttle.EInvalid, "pareto.xml:1: not XML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				writeFile(t, dir, name, text)
			}
			_, _, err := ReadFolder(dir)
			checkRefusal(t, err, dir, tt.code, tt.want)
		})
	}
	_, err := ReadPareto(writeFile(t, t.TempDir(), "pareto.xml", "1, 0.5\n0.5\n"))
	if err == nil || !strings.Contains(err.Error(), "pareto.xml:2: 1 utilities where the first line has 2") {
		t.Errorf("ReadPareto: error %v, want the short line named", err)
	}
	_, _, err = ReadFolder(filepath.Join("testdata", "Railway"))
	if shuttle.ErrorCode(err) != shuttle.EUnsupported {
		t.Errorf("Railway: error %v, want unsupported", err)
	}
}
