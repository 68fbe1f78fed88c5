// Package deal keeps an agreement: it turns a scenario's plan template and
// the agreed outcome into a Schedule, runs the schedule's implementation as a
// deterministic state machine (Implementation) driven by the participants'
// actions and the passing of virtual time, plays built-in participants
// (Bot), and simulates such a run (Simulate). Every accepted action emits
// Events, whose JSON form is stable, so that the case log can record them
// and a live server can replay them.
//
// # Schedule
//
// Phase k (from 1) runs from Start+(k-1)·Duration to Start+k·Duration after
// the agreement. Quantities are whole: within a block of phases (the agreed
// phases, or the phases one extension adds), an obligation's phase quantity
// is its rounded running total minus what the block's earlier phases
// deliver, the running total being the sum of the exact values of its
// quantity expression, rounded half up. So 10 over 4 phases is 3, 2, 3, 2:
// no phase is more than one off its exact share and the block delivers the
// exact total rounded half up. A named obligation's variable is its whole
// quantity in that phase. Obligations whose quantity is 0 are left out. An
// identification list is due Before the start of each phase in which its
// obligation falls, or at the phase's start when the phase was scheduled too
// late for that (an extension accepted shortly before it starts).
//
// # Time
//
// Actions happen at the implementation's clock, which only Advance moves. A
// deadline at t is met by an action taken before t: once the clock reaches
// t, it has lapsed. Events at the same instant come in this order: cure
// deadlines, delivery due times, list deadlines, a pending extension offer
// lapsing at the end of the schedule, phase ends, phase starts.
//
// # Verification
//
// Each delivery is answered by every participant its obligation names
// (the receiver, independent verifiers, or both), each confirming it or
// disputing it with the count it found. Once all have answered, the
// delivery is verified at the lowest count; until then its claimed quantity
// is held for it. A mediator's ruling that a breach report is unfounded
// credits the disputed deliveries of that obligation at their claimed
// quantity.
//
// # Exposure
//
// A party's progress is the mean, over the plan's obligations it owes (one
// term per obligation of the template, whatever its kind or receiver), of
// verified/scheduled, both summed over the phases of the schedule as it
// stands (extensions included). For two parties who both owe something, the
// exposure of A to B is max(0, progress(A) − progress(B)): how far A has
// delivered ahead of B relative to the schedule, as a fraction in [0,1].
// Values are rounded to 12 decimals, so that equal progress made of
// different fractions gives exactly 0. Every event carries the exposures
// that are positive after it; the report gives the peak.
//
// # Rulings
//
// The mediator may rule any open breach as it sees fit; Recommend gives the
// ruling of the evidence-based policy the simulation uses, from the
// scenario's breach thresholds:
//
//   - A report on an obligation compares what its deliveries lack by the
//     counts of the independent verifiers (the receiver's when the
//     obligation names none) — the shortfall — with the scheduled quantity,
//     and what is not yet delivered after its due time — lateness. The
//     breach is major when the shortfall reaches the major shortfall
//     fraction, when the lateness reaches the major delay (if one is set),
//     or when the same obligation of the template, in any phase, was
//     already ruled a minor breach; it is
//     minor, to be cured within the cure time, when anything is short or
//     overdue; and unfounded when nothing is (complete and confirmed, or not
//     yet due), unless a complete delivery came so late that lateness alone
//     is major.
//   - A report of a foul is unfounded when the rule was not in force when
//     the evidence says the act happened (outside its daily window, or
//     outside the implementation period); otherwise the foul is founded,
//     and it is major when it is the accused's MajorFouls-th founded foul,
//     minor otherwise.
//
// A minor breach about an obligation is cured when the obligation has been
// delivered and verified in full; one about a rule when the accused says it
// has stopped. A minor breach not cured by its deadline is ruled major. A
// major ruling collapses the agreement.
//
// # Bots
//
// A Bot plays a party or an independent verifier as the plan's behaviour
// says: it submits its lists, delivers (late or short as it draws),
// confirms or disputes what it verifies, reports what is owed to it and
// overdue or short, cures minor breaches against it and answers extension
// offers (see Bot for the details). It holds no state: what it does is a
// function of the implementation, its clock and a seed, its draws keyed by
// what they decide rather than drawn in turn, so that an implementation
// rebuilt from its logged actions finds its bots where they were. Play has
// players act at the clock until they are done; Wake says when one next
// means to. Simulate plays every participant with bots; a live server
// plays its built-in parties with them, beside people.
//
// # End
//
// When the last phase has ended, nothing is owed or awaiting verification,
// no breach is open and no extension is on offer, the implementation closes
// as completed, or extended if an extension was accepted. It closes as
// collapsed on a major ruling. An Implementation is not safe for concurrent
// use.
package deal
