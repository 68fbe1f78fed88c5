// Package scenario reads scenario files: one negotiation case in YAML, with
// its domain, its parties (profile, strategy, what they confide, their
// channel to the mediator), the mediator, the protocol and the template of
// the implementation plan. The examples folder of the repository holds
// complete files.
//
// Reading is strict: an unknown key, a value of the wrong type, a name not
// in the fixed lists (Strategies, Confides, MediatorStrategies, Targets,
// Protocols) or a number out of range is an error. Every error is one line
// naming the file, the line and the path of the element, such as
//
//	case.yaml:12: parties[1].profile.weights.price: must be a non-negative number
//
// Paths count list items from 0 and quote keys that are not plain words
// (values["unit price"]). Scenario.Line gives the line of any path, so that
// later stages (a strategy refusing a parameter) can report faults the same
// way through Scenario.Errorf. Anchors, aliases and merge keys (<<) work.
// Durations are Go durations ("90m", "1h30m") with whole days allowed in
// front ("2d", "1d12h").
//
// # Domain
//
// Issues are written inline, in order, under domain.issues: a list of
// values is a discrete issue; {type: integer, min, max} an integer issue;
// {type: real, min, max, steps} a real issue discretised into steps points
// (default 101). Inline numeric issues have at most MaxIssueValues values.
// Instead, domain: {genius: file.xml} or {geniusweb: file.json} reads the
// domain from a file; {genius_folder: dir} or {geniusweb_folder: dir} reads
// a whole folder, from which each party then picks its profile by file
// name, {genius: name.xml}. Other paths are relative to the scenario file.
//
// # Profiles
//
// An inline profile rates each issue under values and weighs the issues
// under weights:
//
//   - A discrete issue maps values to ratings, any non-negative numbers;
//     values left out rate 0. Ratings are divided by the largest
//     rating, so the best value evaluates to 1.
//   - A numeric issue takes prefer: high (0 at its lowest value rising
//     linearly to 1 at its highest) or prefer: low (the reverse), or
//     points: {value: rating}, the piecewise linear function through the
//     points, flat beyond the outermost ones, divided by its largest
//     rating. A discrete issue whose labels are all numbers may be rated
//     either way, by the numbers its labels spell.
//   - Weights are non-negative numbers divided by their sum. Without
//     weights every issue under values weighs the same. An issue under
//     values needs a weight (0 to ignore it) and a positive weight needs
//     values; issues under neither are ignored (weight 0).
//
// So weights {price: 3, colour: 1} give price 0.75 and colour 0.25, and
// ratings {red: 10, green: 5} evaluate red 1, green 0.5, any other colour 0.
//
// Instead of weights and values a profile may reference a file, {genius:
// file.xml} or {geniusweb: file.json}, read over the scenario's domain with
// that format's semantics. Either way a profile may set reservation (utility
// of no agreement, in [0,1]; default the file's, else 0), discount (in
// (0,1]; default the file's, else 1) and must: hard constraints per issue,
// a list of allowed values or, for a numeric issue, {min, max} bounds
// (either may be left out), each becoming a utility.Constraint.
//
// # Plan
//
// plan describes how an agreement is carried out (type Plan): verifiers;
// phases {count, duration, start}; obligations, each {name, by, to, kind,
// quantity, when, due, verified_by}; identification lists {by, to, of,
// before}; standing rules {name, forbids, binds, when, window}; extension
// {phases, of, more, max}; breach {cure, major: {shortfall, late, fouls}};
// and behaviour per party name {late, late_by, short, short_by, foul,
// accept_extension}, all probabilities in [0,1].
//
// Counts, quantities and conditions are expressions in the expr language
// (github.com/expr-lang/expr), compiled and type-checked when the file is
// read, so that a misspelt variable or a condition that is not true/false
// is reported at its line. Their variables are the agreed values (Values):
// integer issues as int, real issues as float64, discrete issues as their
// labels, except that a discrete issue whose every label is a number is
// that number (so [1, 2, 3] multiplies but [red, 2] compares as text).
// Obligations may also use phase, phases and extension (PlanVars) and the
// quantities of named obligations listed before them. An issue whose name
// is not an identifier is $env["issue name"].
package scenario
