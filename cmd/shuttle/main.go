// Command shuttle is mediated negotiation as software: analysis of
// negotiation domains, simulation of mediated and direct protocols,
// tournaments, a live mediation server and offline verification of case
// archives. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/shuttle-mediation/shuttle/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
