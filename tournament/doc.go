// Package tournament runs negotiation tournaments: every party strategy
// against every other (and itself) in every role, on every scenario or
// GENIUS/GeniusWeb domain, under every protocol and mediator, repeated, on
// all cores, and it reports one row per negotiation and statistics per
// strategy and per protocol.
//
// Results are deterministic: each negotiation's seed is a hash of the
// tournament seed and the negotiation's index, and rows are emitted in index
// order whatever the number of workers, so that a run on one core, on
// many, or split into shards (Shard) and merged (Merge) writes the same
// rows. Only the time column, the wall time of each negotiation, differs.
// Rows stream to their file: memory holds the scenarios, a bounded buffer of
// rows finished out of order, and the running sums of the summary. A run
// stopped by its context keeps its complete rows, and RunFile resumes it.
//
// The analysis of each scenario (frontier, Nash point) is computed once when
// the tournament is created, and the strategies' search tables once per
// profile, shared by all workers.
package tournament
