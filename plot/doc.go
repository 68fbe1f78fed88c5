// Package plot draws self-contained SVG pictures for negotiation research:
// the utility plane of two parties (Plane), one plane per pair of parties for
// three or more (Grid), bar charts with confidence intervals (Bars) and line
// charts over time (Lines).
//
// The package depends on nothing else in shuttle: callers copy their numbers
// into plot's types. Every chart checks its input and returns an error naming
// the offending field rather than drawing nonsense (NaN, a utility outside
// [0,1], mismatched lengths). The output is standalone XML with a viewBox, all
// text escaped, and it is byte-identical for identical input, so that pictures
// can be compared in tests and kept under version control.
package plot
