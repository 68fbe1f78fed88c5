// Package negotiate is shuttle's negotiation engine: a Session runs one
// negotiation between parties and, except in direct alternating offers, a
// mediator, under one of four protocols (shuttle, single-text, alternating
// offers, blind bidding), optionally followed by a post-settlement round.
//
// The same protocol code serves simulation and live cases. Time comes from a
// Clock (virtual in simulation, so that a seed reproduces a run byte for byte;
// wall time on a server). A Party answers Questions; a built-in strategy
// answers at once, a person behind an API answers later through
// Session.Answer. Every step is an Event, in order; the Visible function
// alone decides who may see which event.
//
// Built-in parties and mediator strategies live in package strategy.
package negotiate
