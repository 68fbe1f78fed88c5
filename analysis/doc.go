// Package analysis computes what is possible in a negotiation: the Pareto
// frontier of a set of profiles and the bargaining points on it (Nash,
// Kalai–Smorodinsky, egalitarian, maximum welfare), and distances of any
// outcome to them.
//
// Only feasible outcomes count: those that satisfy every party's hard
// constraints. The frontier lists each distinct utility vector once, with a
// representative outcome and the number of outcomes that share it (Ties);
// utilities within Tol of each other are the same utility.
//
// Additive profiles are solved exactly, issue by issue, whatever the size of
// the space: spaces of 10^12 outcomes take milliseconds. Sums of boxes (the
// nonlinear utility.Hyper of ANAC 2014) are enumerated with pruning when
// the space is small enough, and searched otherwise (Result.Exact then says
// the frontier may miss points); the search is deterministic for a given
// Options.Seed.
//
// The bargaining points are frontier points that give every party at least
// its reservation value r_j (the individually rational ones; none when no
// outcome does). With I_j the best utility party j gets among them:
//
//   - Nash maximises the product of gains, Π (u_j − r_j);
//   - Kalai (Kalai–Smorodinsky) maximises the smallest relative gain,
//     min (u_j − r_j)/(I_j − r_j): the point where the line from r towards I
//     leaves the outcomes;
//   - Egalitarian maximises the smallest gain, min (u_j − r_j);
//   - MaxWelfare maximises the sum of utilities.
//
// A party that can gain nothing over its reservation value is left out of
// the products and minima. Ties within Tol go to the larger sum of the
// compared quantities, then to the point listed first.
package analysis
