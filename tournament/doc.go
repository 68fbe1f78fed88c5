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
// the tournament is created, and the strategies' search tables and the
// mediators' frontier scores once per profile set, shared by all workers.
//
// A configuration file (LoadConfig) is YAML with the fields of Config;
// strategies and mediators are written as names or in full:
//
//	domains: [../shared/domains/anac/y2011, cases/truce.yaml]
//	protocols: [shuttle, alternating-offers]
//	mediators:
//	  - confided
//	  - {name: objections-kalai, strategy: objections, target: kalai}
//	strategies:
//	  - linear
//	  - {name: stubborn, strategy: boulware, params: {e: 0.1}}
//	  - {name: secretive, strategy: conceder, confide: none}
//	pairing: one-vs-rest     # or all-combinations
//	reps: 2
//	seed: 42
//	rounds: 100              # deadline on domain folders
//	post_settlement: false
//	max_parties: 3           # skip domains with more parties
package tournament
