// Package geniusweb reads and writes the JSON domains and profiles of
// GeniusWeb, the successor of GENIUS used by the ANL competitions since
// 2020: a domain file ({"name", "issuesValues"}) and LinearAdditiveUtilitySpace
// profiles that embed their domain and name a reservation bid.
//
// Semantics are GeniusWeb's: value utilities and weights are used as
// written (not max-normalised, unlike GENIUS XML); a range issue's utility is
// linear between two points and 0 outside them; the reservation value is the
// profile's utility of its reservation bid, an issue the bid leaves out being
// worth 0. Discrete issues become space.Discrete issues; a range of integers
// in steps of 1 becomes a space.Integer issue, any other range a space.Real
// issue with one value per point of the range. Utilities and bids are
// matched against the range's exact decimals (Issue.Number may differ from
// them in the last bits); a range whose points need more than 40 digits or
// are not distinct float64 numbers is refused as unsupported.
//
// ReadFolder loads a folder as the ANL and CSE3210 distributions lay it out,
// telling files apart by content; ReadSpecials reads the organisers' Pareto
// front and bargaining points (specials.json) for comparison with shuttle's
// analysis. Errors name the file, the line and the JSON path at fault.
//
// ReadProfileBid also returns the reservation bid (a Bid: value indices,
// Absent where the bid is silent), which WriteProfile needs to write the
// reservation back. WriteDomain and WriteProfile write files that read back
// to the same utility for every outcome.
package geniusweb
