// Package sqlite is the embedded store of a shuttle server: one SQLite
// file (through modernc.org/sqlite, pure Go), which Open creates and
// migrates. It implements store.Store.
//
// The file is in WAL mode with synchronous=FULL, so that a write is on
// stable storage when it is acknowledged and readers never wait for the
// writer. Writes go through one connection, which commits the writes that
// arrive together in one transaction: one fsync for many appends, which
// is what lets one disk serve thousands of acknowledged events a second
// (see the benchmarks). Reads use a pool of read-only connections.
package sqlite
