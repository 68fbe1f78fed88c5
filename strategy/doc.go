// Package strategy holds shuttle's built-in negotiators: parties that
// concede over time in the style of Faratin et al. (Boulware, linear,
// conceder), a hardliner, tit-for-tat, a reservation-value acceptor and a
// random baseline, each able to answer every protocol of package
// negotiate and to confide its profile to the mediator fully, partly or not
// at all; and mediators that aim at a fair point from confided profiles,
// learn from objections alone, or anneal on votes alone.
//
// Parties search their own profiles without enumerating them: additive
// profiles greedily, one issue at a time; small non-additive spaces through
// a sorted outcome list built once per profile and shared through a Cache.
package strategy
