// Package space describes what is being negotiated: a Domain of Issues, each
// with a finite (or finitely discretised) set of values, and Outcomes, one
// value per issue.
//
// An Outcome is a slice of value indices, one per issue, so that utility
// tables can be indexed directly. The domain is a mixed-radix number system
// over those indices: Decode, Encode and Next address, enumerate and sample
// outcomes without allocating, and Count gives the exact size of spaces far
// beyond 2^64.
package space
