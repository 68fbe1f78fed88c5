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
	var addr, db string
	cmd := &cobra.Command{
		Use:   "serve [--addr A] [--db DSN]",
		Short: "Run the live mediation server",
		Long: `Serve runs the live mediation server: the HTTP API of docs/api.md on
--addr, with its cases in --db, a SQLite file by default or a postgres://
URL. On the first start on a database it prints a mediator token once;
"shuttle token" mints more. Open cases resume where they stopped.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			st, err := server.OpenStore(ctx, db)
			if err != nil {
				return fmt.Errorf("open %s: %w", db, err)
			}
			logger := slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), nil))
			srv, err := server.New(ctx, server.Config{Addr: addr, Store: st, Logger: logger})
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
	return cmd
}
