// Package utility holds what a party wants: a Profile maps every outcome of
// a domain to a utility in [0,1], with a reservation value (the utility of no
// agreement), a discount factor for time pressure and hard constraints
// (outcomes the party will never accept, whatever their utility).
//
// Two utility functions are provided: Additive, the linear additive form of
// GENIUS and GeniusWeb (a weighted sum of per-issue evaluations), and
// Hyper, the nonlinear sum of hyperrectangle constraints of ANAC 2014. The
// analysis package recognises Additive and exploits its structure; any other
// Function is analysed by enumeration or search.
package utility
