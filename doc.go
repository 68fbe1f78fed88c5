// Package shuttle is mediated negotiation as software. This root package
// holds what every other package shares: the Error type with its stable
// codes, and the one place those codes are mapped to process exit codes and
// HTTP statuses.
//
// The concepts live in their own packages: space (issues and outcomes),
// utility (profiles), analysis (frontier and bargaining points),
// formats/genius and formats/geniusweb (file formats), scenario, negotiate,
// strategy, plot and the cmd/shuttle CLI.
package shuttle
