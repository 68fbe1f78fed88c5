// Package genius reads and writes the XML domains and profiles of GENIUS,
// the negotiation platform of the ANAC competitions, with the semantics
// GENIUS 10.4 gives them: a discrete item is worth its evaluation divided by
// the largest evaluation of its issue, weights are used as written and the
// weighted sum is capped at 1, integer and real issues take linear (or, for
// reals, triangular) evaluators, and the nonlinear profiles of ANAC 2014 sum
// the utilities of hyperrectangles and divide by their declared maximum.
//
// ReadFolder loads a folder as GENIUS pairs it: one domain file and a
// profile file per party, told apart by content rather than by name. Files
// that are not parties (frontier listings, tournament logs, opponent models)
// are skipped; rank-based constraint profiles are refused as unsupported.
// Every decision made on a party's behalf (a missing reservation value,
// weights that do not sum to 1, the point scale of the GeniusBI dialect) is
// recorded in the profile's Notes.
//
// WriteDomain and WriteProfile produce files GENIUS 10.4 loads and that read
// back to the same utility for every outcome.
package genius
