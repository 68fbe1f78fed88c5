package tournament

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/strategy"
)

// Pairings: how strategies are seated in the roles of a scenario.
const (
	// OneVsRest seats each strategy in each role against each strategy
	// (itself included) in all the other roles. With two parties that is
	// every ordered pair.
	OneVsRest = "one-vs-rest"
	// AllCombinations seats every combination of strategies, one per role:
	// s^n negotiations for s strategies and n parties.
	AllCombinations = "all-combinations"
)

// Pairings lists the pairings, the default first.
var Pairings = []string{OneVsRest, AllCombinations}

// Defaults of a Config's fields.
const (
	DefaultReps   = 1
	DefaultRounds = 100
)

// MaxConfigSize bounds the configuration files LoadConfig reads.
const MaxConfigSize = 1 << 20

// Config describes a tournament: what is played, not how it is run (workers,
// shard and output are options of Run). The zero value of a field means its
// default.
type Config struct {
	// Domains are scenario files (.yaml), folders of GENIUS or GeniusWeb
	// files, or folders searched for them (see New).
	Domains []string
	// Protocols are the names of negotiate's protocols; default all four.
	Protocols []string
	// Mediators are played on every mediated protocol; default the
	// "confided" mediator aiming at the Nash point.
	Mediators []Mediator
	// Strategies are the party strategies; default every built-in one.
	Strategies []Strategy
	// Pairing is OneVsRest (default) or AllCombinations.
	Pairing string
	// Reps is how many times each pairing is played, each with its own seed.
	Reps int
	// Seed determines every negotiation's seed (see Job.Seed); 0 is a seed
	// like any other.
	Seed uint64
	// Rounds is the deadline of negotiations on domain folders; a scenario
	// keeps its own deadline.
	Rounds int
	// PostSettlement adds a post-settlement round on domain folders (and
	// makes alternating offers mediated, for that round).
	PostSettlement bool
	// MaxParties leaves out domains with more parties (0: no limit):
	// pairings grow with the number of roles.
	MaxParties int

	// file is the configuration file, line the line of an element in it.
	file string
	line func(path []any) int
}

// Strategy is a party strategy in a tournament: a built-in strategy of
// package strategy with parameters, under a name of its own.
type Strategy struct {
	// Name is how rows and the summary call it; default Strategy.
	Name string `yaml:"name"`
	// Strategy is one of strategy.Parties; default Name.
	Strategy string             `yaml:"strategy"`
	Params   map[string]float64 `yaml:"params"`
	// Confide is what the party tells the mediator ("full", "weights",
	// "musthaves" or "none"); "" keeps what a scenario says, full on domain
	// folders.
	Confide string `yaml:"confide"`
}

// Mediator is a mediator strategy in a tournament, under a name of its own.
type Mediator struct {
	// Name is how rows and the summary call it; default Strategy.
	Name string `yaml:"name"`
	// Strategy is one of strategy.Mediators; default Name.
	Strategy string             `yaml:"strategy"`
	Target   string             `yaml:"target"` // "nash" (default) or "kalai"
	Params   map[string]float64 `yaml:"params"`
}

// UnmarshalYAML reads a strategy written as its name alone or in full.
func (s *Strategy) UnmarshalYAML(unmarshal func(any) error) error {
	if unmarshal(&s.Name) == nil {
		return nil
	}
	type full Strategy
	return unmarshal((*full)(s))
}

// UnmarshalYAML reads a mediator written as its name alone or in full.
func (m *Mediator) UnmarshalYAML(unmarshal func(any) error) error {
	if unmarshal(&m.Name) == nil {
		return nil
	}
	type full Mediator
	return unmarshal((*full)(m))
}

// fileConfig is the YAML form of a Config. Whole numbers are read as
// float64 so that 2.5 rounds is an error rather than 2.
type fileConfig struct {
	Domains        []string   `yaml:"domains"`
	Protocols      []string   `yaml:"protocols"`
	Mediators      []Mediator `yaml:"mediators"`
	Strategies     []Strategy `yaml:"strategies"`
	Pairing        string     `yaml:"pairing"`
	Reps           *float64   `yaml:"reps"`
	Seed           *float64   `yaml:"seed"`
	Rounds         *float64   `yaml:"rounds"`
	PostSettlement bool       `yaml:"post_settlement"`
	MaxParties     *float64   `yaml:"max_parties"`
}

// LoadConfig reads a tournament configuration file. Domain paths in it are
// relative to its folder.
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.ENotFound, File: path, Message: "cannot read", Err: unwrapPath(err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, File: path, Message: "cannot read", Err: unwrapPath(err)}
	}
	return ParseConfig(path, data)
}

// ParseConfig reads a configuration from data; file names it in errors and
// is where relative domain paths start. Every error is one line naming the
// file, the line and the element at fault.
func ParseConfig(file string, data []byte) (*Config, error) {
	if len(data) > MaxConfigSize {
		return nil, &shuttle.Error{Code: shuttle.ETooLarge, File: file, Message: fmt.Sprintf("larger than %d bytes", MaxConfigSize)}
	}
	var (
		f  *ast.File
		fc fileConfig
	)
	if err := guard(func() (err error) {
		if f, err = parser.ParseBytes(data, 0); err != nil || len(f.Docs) != 1 || f.Docs[0].Body == nil {
			return err
		}
		return yaml.NodeToValue(f.Docs[0].Body, &fc, yaml.Strict(), yaml.DisallowUnknownField())
	}); err != nil {
		return nil, yamlError(file, err)
	}
	if len(f.Docs) > 1 {
		return nil, shuttle.InFile(file, 0, "", "a tournament file holds one YAML document")
	}
	c := &Config{
		Protocols:      fc.Protocols,
		Mediators:      fc.Mediators,
		Strategies:     fc.Strategies,
		Pairing:        fc.Pairing,
		PostSettlement: fc.PostSettlement,
		file:           file,
		line:           func(path []any) int { return lineOf(f, path) },
	}
	for _, d := range fc.Domains {
		if d != "" && !filepath.IsAbs(d) {
			d = filepath.Join(filepath.Dir(file), d)
		}
		c.Domains = append(c.Domains, d)
	}
	ints := []struct {
		key string
		v   *float64
		min float64
		dst func(float64)
	}{
		{"reps", fc.Reps, 1, func(x float64) { c.Reps = int(x) }},
		{"seed", fc.Seed, 0, func(x float64) { c.Seed = uint64(x) }},
		{"rounds", fc.Rounds, 1, func(x float64) { c.Rounds = int(x) }},
		{"max_parties", fc.MaxParties, 1, func(x float64) { c.MaxParties = int(x) }},
	}
	for _, n := range ints {
		if n.v == nil {
			continue
		}
		if x := *n.v; x != math.Trunc(x) || x < n.min || x > 1<<53 {
			return nil, c.errorAt([]any{n.key}, "must be a whole number from %g to 2^53", n.min)
		}
		n.dst(*n.v)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// guard runs the YAML library, turning a panic of its own on odd input
// into an error.
func guard(read func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("a construct the YAML reader cannot handle (%v)", r)
		}
	}()
	return read()
}

// yamlError turns a YAML syntax or type error into one line at its line.
func yamlError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return shuttle.InFile(file, tokenLine(te.Token), "", "%s", typeMessage(te))
	}
	var ye interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if errors.As(err, &ye) {
		return shuttle.InFile(file, tokenLine(ye.GetToken()), "", "YAML: %s", ye.GetMessage())
	}
	return shuttle.InFile(file, 0, "", "YAML: %v", err)
}

func tokenLine(tk *token.Token) int {
	if tk == nil || tk.Position == nil {
		return 0
	}
	return tk.Position.Line
}

// typeMessage says what a value should have been, in the user's terms
// rather than Go's.
func typeMessage(te *yaml.TypeError) string {
	want := "of another type"
	switch t := te.DstType; t.Kind() {
	case reflect.Float64, reflect.Pointer:
		want = "a number"
	case reflect.String:
		want = "text"
	case reflect.Bool:
		want = "true or false"
	case reflect.Slice:
		want = "a list"
	case reflect.Map, reflect.Struct:
		want = "a mapping (key: value)"
	}
	v := ""
	if te.Token != nil {
		v = strconv.Quote(te.Token.Value) + " "
	}
	return fmt.Sprintf("value %smust be %s", v, want)
}

// Validate checks the fields, defaults aside, and that names are unique.
// Errors name the element at fault: its line when the configuration came
// from a file, its field otherwise.
func (c *Config) Validate() error {
	if c.Reps < 0 || c.Rounds < 0 || c.MaxParties < 0 {
		return c.errorAt(nil, "reps, rounds and max_parties must not be negative")
	}
	if c.Pairing != "" && !slices.Contains(Pairings, c.Pairing) {
		return c.errorAt([]any{"pairing"}, "unknown pairing %q (want %s)", c.Pairing, strings.Join(Pairings, " or "))
	}
	for i, d := range c.Domains {
		if d == "" {
			return c.errorAt([]any{"domains", i}, "empty path")
		}
	}
	for i, p := range c.Protocols {
		if _, err := negotiate.ParseProtocol(p); err != nil {
			return c.errorAt([]any{"protocols", i}, "%v", err)
		}
		if slices.Contains(c.Protocols[:i], p) {
			return c.errorAt([]any{"protocols", i}, "protocol %q listed twice", p)
		}
	}
	names := map[string]bool{}
	for i := range c.Strategies {
		s := &c.Strategies[i]
		if err := s.check(); err != nil {
			return c.errorAt([]any{"strategies", i}, "%v", err)
		}
		if names[s.name()] {
			return c.errorAt([]any{"strategies", i}, "strategy name %q used twice", s.name())
		}
		names[s.name()] = true
	}
	clear(names)
	for i := range c.Mediators {
		m := &c.Mediators[i]
		if err := m.check(); err != nil {
			return c.errorAt([]any{"mediators", i}, "%v", err)
		}
		if names[m.name()] {
			return c.errorAt([]any{"mediators", i}, "mediator name %q used twice", m.name())
		}
		names[m.name()] = true
	}
	return nil
}

// errorAt is an invalid-input error at path, an element of the
// configuration such as ["strategies", 2, "params"].
func (c *Config) errorAt(path []any, format string, args ...any) error {
	field := pathString(path)
	if c.file == "" {
		return &shuttle.Error{Code: shuttle.EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	return shuttle.InFile(c.file, c.line(path), field, format, args...)
}

func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		}
	}
	return b.String()
}

// lineOf is the line of the element at path in f, or of the nearest
// enclosing element found.
func lineOf(f *ast.File, path []any) int {
	for ; len(path) > 0; path = path[:len(path)-1] {
		b := (&yaml.PathBuilder{}).Root()
		for _, p := range path {
			switch p := p.(type) {
			case int:
				b = b.Index(uint(p))
			case string:
				b = b.Child(p)
			}
		}
		if n, err := b.Build().FilterFile(f); err == nil && n != nil {
			if tk := n.GetToken(); tk != nil && tk.Position != nil {
				return tk.Position.Line
			}
		}
	}
	return 0
}

func (s *Strategy) name() string { return cmp.Or(s.Name, s.Strategy) }
func (s *Strategy) kind() string { return cmp.Or(s.Strategy, s.Name) }

func (s *Strategy) check() error {
	if err := checkName(s.name()); err != nil {
		return err
	}
	names, err := strategy.ParamNames(s.kind())
	if err != nil {
		return err
	}
	for _, p := range slices.Sorted(maps.Keys(s.Params)) {
		if !slices.Contains(names, p) {
			return fmt.Errorf("strategy %q has no parameter %q (it has %s)", s.kind(), p, strings.Join(names, ", "))
		}
	}
	if s.Confide != "" {
		if _, err := negotiate.ParseLevel(s.Confide); err != nil {
			return err
		}
	}
	return nil
}

func (m *Mediator) name() string { return cmp.Or(m.Name, m.Strategy) }
func (m *Mediator) kind() string { return cmp.Or(m.Strategy, m.Name) }

func (m *Mediator) check() error {
	if err := checkName(m.name()); err != nil {
		return err
	}
	if !slices.Contains(strategy.Mediators, m.kind()) {
		return fmt.Errorf("unknown mediator strategy %q (want %s)", m.kind(), strings.Join(strategy.Mediators, ", "))
	}
	if m.Target != "" && !slices.Contains(strategy.Targets, m.Target) {
		return fmt.Errorf("unknown mediator target %q (want %s)", m.Target, strings.Join(strategy.Targets, " or "))
	}
	return nil
}

// checkName refuses names that would not survive a row: lists of names are
// joined with listSep.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("needs a name or a strategy")
	case name == noMediator:
		return fmt.Errorf("the name %q is reserved for direct negotiation", noMediator)
	case strings.ContainsAny(name, listSep+"\n\r\t"):
		return fmt.Errorf("name %q holds a %q, a tab or a line break", name, listSep)
	}
	return nil
}

// SelectStrategies replaces the strategies with those named: a name defined
// in the configuration keeps its definition, any other is a built-in
// strategy with its default parameters. It serves command lines that pick
// among a file's definitions; an error names the selection's element, not
// the file's.
func (c *Config) SelectStrategies(names []string) error {
	sel := make([]Strategy, len(names))
	for i, n := range names {
		sel[i] = Strategy{Name: n}
		for _, s := range c.Strategies {
			if s.name() == n {
				sel[i] = s
			}
		}
	}
	if err := (&Config{Strategies: sel}).Validate(); err != nil {
		return err
	}
	c.Strategies = sel
	return nil
}

// SelectMediators is SelectStrategies for mediators.
func (c *Config) SelectMediators(names []string) error {
	sel := make([]Mediator, len(names))
	for i, n := range names {
		sel[i] = Mediator{Name: n}
		for _, m := range c.Mediators {
			if m.name() == n {
				sel[i] = m
			}
		}
	}
	if err := (&Config{Mediators: sel}).Validate(); err != nil {
		return err
	}
	c.Mediators = sel
	return nil
}

// withDefaults is c with every zero field set to its default.
func (c *Config) withDefaults() Config {
	d := *c
	if len(d.Protocols) == 0 {
		d.Protocols = slices.Clone(protocolNames)
	}
	if len(d.Mediators) == 0 {
		d.Mediators = []Mediator{{Name: strategy.Mediators[0]}}
	}
	if len(d.Strategies) == 0 {
		for _, s := range strategy.Parties {
			d.Strategies = append(d.Strategies, Strategy{Name: s})
		}
	}
	d.Pairing = cmp.Or(d.Pairing, OneVsRest)
	if d.Reps == 0 {
		d.Reps = DefaultReps
	}
	if d.Rounds == 0 {
		d.Rounds = DefaultRounds
	}
	return d
}

// protocolNames are negotiate's protocols in their order.
var protocolNames = []string{
	negotiate.Shuttle.String(),
	negotiate.SingleText.String(),
	negotiate.AlternatingOffers.String(),
	negotiate.BlindBidding.String(),
}

// unwrapPath drops the *PathError wrapper whose path the message repeats.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
