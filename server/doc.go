// Package server is shuttle's live mediation server: an HTTP API (JSON over
// REST, Server-Sent Events) through which a mediator runs cases, parties and
// verifiers take part with their own bearer tokens or by signing requests
// with a registered ed25519 key (package reqsig), and built-in strategies
// sit in for any party.
//
// A case runs the same negotiation engine as a simulation (package negotiate)
// on wall time, then the implementation of its agreement (package deal).
// Every accepted action is appended durably to the store (package store)
// before it is acknowledged, and to the case's Merkle log (package ledger).
// A case's state is a fold over its events: a server that starts resumes every
// open case by replaying its log, deadlines included.
//
// The mediator may put texts of its own instead of its strategy's: a draft
// is logged for the next round not yet drafted, and a restart folds the
// logged drafts in before it replays (see draft.go).
//
// Under /ui/ the same handlers serve a web interface for browsers: pages
// rendered on the server (the mediator's console, a party's or verifier's
// view, an observer's public record) whose forms become the API requests
// they stand for. A browser signs in once with an invite link, which moves
// the token into a cookie; docs/api.md lists the pages.
//
// Which participant may see which event is decided by one function, visible;
// every read path (events, streams, proofs, exports) goes through it, and a
// participant asking for something it may not see is told it does not exist.
package server
