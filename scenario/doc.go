// Package scenario reads scenario files: one negotiation case in YAML, with
// its domain, its parties (profile, strategy, what they confide, their
// channel to the mediator), the mediator, the protocol and the template of
// the implementation plan. Every fault in a file is reported on one line
// with the file, the line and the path of the element, such as
//
//	case.yaml:12: parties[1].profile.weights.price: must be a non-negative number
//
// Paths count list items from 0.
//
// # Domain
//
// Issues are written inline, in order, under domain.issues: a list of
// values is a discrete issue; {type: integer, min, max} an integer issue;
// {type: real, min, max, steps} a real issue discretised into steps points
// (default 101). Instead, domain: {genius: file.xml} or {geniusweb:
// file.json} reads the domain from a file, relative to the scenario file.
//
// # Profiles
//
// An inline profile rates each issue under values and weighs the issues
// under weights:
//
//   - A discrete issue maps values to ratings, any non-negative numbers;
//     values left out rate 0. Ratings are divided by the largest
//     rating, so the best value evaluates to 1.
//   - A numeric issue takes prefer: high (0 at min rising linearly to 1 at
//     max) or prefer: low (the reverse), or points: {value: rating}, the
//     piecewise linear function through the points, flat beyond the
//     outermost ones, divided by the largest rating.
//   - Weights are non-negative numbers divided by their sum. Without
//     weights every issue under values weighs the same. An issue under
//     values needs a weight (0 to ignore it) and a positive weight needs
//     values; issues under neither are ignored.
//
// So {weights: {price: 3, colour: 1}} gives price 0.75 and colour 0.25, and
// {red: 10, green: 5} evaluates red 1, green 0.5 and any other colour 0.
//
// Instead of weights and values a profile may reference a file, {genius:
// file.xml} or {geniusweb: file.json}, over the scenario's domain. Either
// way a profile may add reservation (utility of no agreement, in [0,1],
// default 0 or the file's), discount (in (0,1], default 1 or the file's)
// and must: hard constraints per issue, a list of allowed values or, for a
// numeric issue, {min, max} bounds (either may be left out).
//
// # Plan
//
// The plan template is described by type Plan. Its quantities and
// conditions are expressions (type Expr) compiled when the file is read;
// their variables are the agreed values as Values gives them.
package scenario
