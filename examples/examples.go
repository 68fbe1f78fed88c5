// Package examples embeds the bundled scenarios in the shuttle binary, so
// that the default simulation runs with no file at hand.
package examples

import _ "embed"

// Truce is truce.yaml: the mediated truce negotiation of November 2023 and
// its phased implementation, the scenario shuttle simulates by default.
//
//go:embed truce.yaml
var Truce []byte

// TruceFile is the name errors in Truce are reported under.
const TruceFile = "examples/truce.yaml"
