// Package analysis computes what is possible in a negotiation: the Pareto
// frontier of a set of profiles and the bargaining points on it (Nash,
// Kalai–Smorodinsky, egalitarian, maximum welfare), and distances of any
// outcome to them.
package analysis
