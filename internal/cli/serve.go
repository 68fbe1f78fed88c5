package cli

import (
	"fmt"
	"log/slog"
	"net/url"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/shuttle-mediation/shuttle/server"
)

func newServe() *cobra.Command {
	var (
		addr, db string
		rate     float64
		burst    int
		maxBody  int64
	)
	cmd := &cobra.Command{
		Use:   "serve [--addr A] [--db DSN] [--rate R] [--burst B] [--max-body N]",
		Short: "Run the live mediation server",
		Long: `Serve runs the live mediation server: the HTTP API of docs/api.md on
--addr, with its cases in --db, a SQLite file by default or a postgres://
URL. On the first start on a database it prints a mediator token once;
"shuttle token" mints more. Open cases resume where they stopped.
Each token may make --rate requests a second, --burst at once; a request
body may be --max-body bytes.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case !(rate > 0):
				return fmt.Errorf("--rate: want requests a second above 0, got %v", rate)
			case burst < 1:
				return fmt.Errorf("--burst: want at least 1 request, got %d", burst)
			case maxBody < 1:
				return fmt.Errorf("--max-body: want at least 1 byte, got %d", maxBody)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			st, err := server.OpenStore(ctx, db)
			if err != nil {
				return fmt.Errorf("open %s: %w", db, err)
			}
			logger := slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), nil))
			srv, err := server.New(ctx, server.Config{Addr: addr, Store: st, Logger: logger,
				Rate: rate, Burst: burst, MaxBody: maxBody})
			if err != nil {
				st.Close()
				return err
			}
			defer srv.Close()
			if tok := srv.AdminToken(); tok != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "mediator token (shown once): %s\n", tok)
				fmt.Fprintf(cmd.OutOrStdout(), "mediator console: http://%s/ui/join?token=%s\n", srv.Addr(), url.QueryEscape(tok))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "listening on http://%s\ninstallation key: %s\n", srv.Addr(), srv.InstallationKey())
			return srv.Run(ctx)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", server.DefaultAddr, "address to listen on")
	cmd.Flags().StringVar(&db, "db", "shuttle.db", "SQLite file, or a postgres:// URL")
	cmd.Flags().Float64Var(&rate, "rate", server.DefaultRate, "requests a second each token may make, sustained")
	cmd.Flags().IntVar(&burst, "burst", server.DefaultBurst, "requests each token may make at once")
	cmd.Flags().Int64Var(&maxBody, "max-body", server.DefaultMaxBody, "largest request body accepted, in bytes")
	return cmd
}
