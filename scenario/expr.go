package scenario

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/shuttle-mediation/shuttle/space"
)

// Expr is an expression of the plan template, written in the expr language
// (github.com/expr-lang/expr) and compiled and type-checked when the
// scenario is read.
//
// Its variables are the agreed values (see Values) and, in an obligation's
// quantity or condition, the plan variables phase, phases and extension
// (see PlanVars) and the quantities of the named obligations listed before
// it. An issue whose name is not an identifier is reached as
// $env["issue name"].
type Expr struct {
	Source string
	Line   int
	prog   *vm.Program
}

// Plan variables, set per phase by whoever evaluates obligations.
const (
	VarPhase     = "phase"     // 1-based number of the phase
	VarPhases    = "phases"    // number of phases agreed, before extensions
	VarExtension = "extension" // 0 in agreed phases, k in those the k-th extension adds
)

// PlanVars lists the plan variables.
var PlanVars = []string{VarPhase, VarPhases, VarExtension}

// Number evaluates a numeric expression.
func (x *Expr) Number(vars map[string]any) (float64, error) {
	v, err := x.run(vars)
	if err != nil {
		return 0, err
	}
	f, ok := v.(float64)
	if !ok {
		return 0, fmt.Errorf("expression %q gives %T, not a number", x.Source, v)
	}
	return f, nil
}

// Bool evaluates a condition.
func (x *Expr) Bool(vars map[string]any) (bool, error) {
	v, err := x.run(vars)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("expression %q gives %T, not true or false", x.Source, v)
	}
	return b, nil
}

func (x *Expr) run(vars map[string]any) (v any, err error) {
	if x.prog == nil {
		return nil, errors.New("expression not compiled")
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("expression %q: %v", x.Source, p)
		}
	}()
	v, err = expr.Run(x.prog, vars)
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", x.Source, oneLine(err))
	}
	return v, nil
}

// Values is the environment of expressions for an agreed outcome: integer
// issues as int, real issues as float64, discrete issues as their labels
// (string) — except that a discrete issue whose every label is a number is
// that number (int if every label is an integer, else float64), so that an
// issue with values 1, 2, 3 can be multiplied.
func Values(d *space.Domain, o space.Outcome) map[string]any {
	m := make(map[string]any, len(d.Issues)+len(PlanVars))
	for i := range d.Issues {
		m[d.Issues[i].Name] = value(&d.Issues[i], o[i])
	}
	return m
}

func value(is *space.Issue, v int) any {
	switch is.Kind {
	case space.Integer:
		return int(is.Min) + v
	case space.Real:
		return is.Number(v)
	}
	switch numericLabels(is) {
	case intLabels:
		n, _ := strconv.ParseInt(strings.TrimSpace(is.Values[v]), 10, 64)
		return int(n)
	case floatLabels:
		f, _ := strconv.ParseFloat(strings.TrimSpace(is.Values[v]), 64)
		return f
	}
	return is.Values[v]
}

type labelKind uint8

const (
	textLabels labelKind = iota
	intLabels
	floatLabels
)

// numericLabels says whether every label of a discrete issue is a number.
func numericLabels(is *space.Issue) labelKind {
	k := intLabels
	for _, l := range is.Values {
		l = strings.TrimSpace(l)
		if _, err := strconv.ParseInt(l, 10, 64); err == nil {
			continue
		}
		if _, err := strconv.ParseFloat(l, 64); err != nil {
			return textLabels
		}
		k = floatLabels
	}
	return k
}

// vars is a set of typed variables for type-checking expressions.
type vars map[string]any

func (v vars) has(name string) bool     { _, ok := v[name]; return ok }
func (v vars) add(name string, typ any) { v[name] = typ }
func (v vars) clone() vars {
	c := make(vars, len(v)+4)
	for k, x := range v {
		c[k] = x
	}
	return c
}

// env holds the variables of the two kinds of plan expressions.
type env struct {
	outcome vars // agreed values only: phase counts, extension terms, rules
	phase   vars // agreed values and plan variables: obligations
}

// newEnv makes the variables of a domain's plan expressions; when an issue
// takes the name of a plan variable it gives that name instead.
func newEnv(d *space.Domain) (*env, string) {
	e := &env{outcome: vars(Values(d, d.NewOutcome()))}
	e.phase = e.outcome.clone()
	for _, n := range PlanVars {
		if e.phase.has(n) {
			return nil, n
		}
		e.phase.add(n, 0)
	}
	return e, ""
}

type result uint8

const (
	number result = iota
	boolean
)

// expr compiles the expression at e against the variables v.
func (r *reader) expr(e entry, v vars, want result) (Expr, error) {
	src, err := r.str(e)
	if err != nil {
		return Expr{}, err
	}
	x, err := compile(src, v, want)
	if err != nil {
		return Expr{}, r.fail(e.path, e.val, "%v", err)
	}
	x.Line = r.lines[e.path]
	return x, nil
}

func compile(src string, v vars, want result) (x Expr, err error) {
	if strings.TrimSpace(src) == "" {
		return x, errors.New("empty expression")
	}
	opts := []expr.Option{expr.Env(map[string]any(v)), expr.AsFloat64()}
	what := "a number"
	if want == boolean {
		opts[1], what = expr.AsBool(), "true or false"
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("bad expression %q: %v", src, p)
		}
	}()
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		return x, fmt.Errorf("bad expression %q (it must give %s): %w", src, what, oneLine(err))
	}
	return Expr{Source: src, prog: prog}, nil
}

// count compiles an expression for a number of things. When it names no
// variable its value is known now, and must be a whole number of at least
// least.
func (r *reader) count(e entry, v vars, least int) (Expr, error) {
	x, err := r.expr(e, v, number)
	if err != nil {
		return x, err
	}
	fixed, err := compile(x.Source, nil, number)
	if err != nil {
		return x, nil // it depends on the agreement
	}
	n, err := fixed.Number(nil)
	if err != nil {
		return x, r.fail(e.path, e.val, "%v", err)
	}
	if n != math.Trunc(n) || n < float64(least) || n > 1e6 {
		return x, r.fail(e.path, e.val, "must be a whole number from %d to 1000000, is %g", least, n)
	}
	return x, nil
}

// constant is an expression for a fixed number.
func constant(n float64) Expr {
	x, err := compile(strconv.FormatFloat(n, 'g', -1, 64), nil, number)
	if err != nil {
		panic(err) // a number literal always compiles
	}
	return x
}

// oneLine keeps expr's message without its source snippet.
func oneLine(err error) error {
	var fe *file.Error
	if errors.As(err, &fe) {
		if fe.Column > 0 {
			return fmt.Errorf("%s (column %d)", fe.Message, fe.Column+1)
		}
		return errors.New(fe.Message)
	}
	return err
}

var keywords = map[string]bool{
	"true": true, "false": true, "nil": true, "and": true, "or": true, "not": true, "in": true,
	"matches": true, "contains": true, "startsWith": true, "endsWith": true, "let": true, "if": true, "else": true,
}

// isIdentifier reports whether s can be a variable in expressions.
func isIdentifier(s string) bool {
	if s == "" || keywords[s] {
		return false
	}
	for i, c := range s {
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
