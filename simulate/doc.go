// Package simulate runs a scenario end to end in virtual time: it seats the
// scenario's parties as built-in strategies, lets its mediator negotiate
// under the chosen protocol, measures the result against the exact analysis
// of the parties' profiles, and carries an agreement on into the simulated
// implementation of the scenario's plan.
//
// A Result keeps every event of the case, negotiation and implementation, in
// one order. Visible decides which of them a participant may see, and every
// view of a Result (View, Transcript) goes through it. Export records the
// complete case in a signed, tamper-evident archive of package ledger.
//
// A seed fixes the whole run: the same scenario, options and seed give the
// same Result, byte for byte in its JSON form.
package simulate
