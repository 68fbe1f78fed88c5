// Package cli is the shuttle command line: one cobra command per
// subcommand, each a thin layer that loads input, calls the packages that do
// the work and renders their results as text, JSON or SVG. Errors leave
// through Main as one line and an exit code from shuttle.ExitCode.
package cli
