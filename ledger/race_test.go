//go:build race

package ledger

// raceEnabled lets slow exhaustive tests thin out under the race detector.
const raceEnabled = true
