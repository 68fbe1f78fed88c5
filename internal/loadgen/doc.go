// Package loadgen drives a live mediation server (package server) through
// its HTTP API the way many people at once would: it opens cases whose
// parties are all answered by the generator, answers every question as soon
// as it is put, and measures how many answers the server acknowledges and
// how long each took. The server's crash test and scripts/bench-server use
// it.
package loadgen
