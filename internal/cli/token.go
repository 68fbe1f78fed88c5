package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/shuttle-mediation/shuttle/server"
)

func newToken() *cobra.Command {
	var db string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "token [--db DSN]",
		Short: "Mint another mediator token for a server's database",
		Long: `Token adds a mediator token, valid in every case, to the database a
server runs on, and prints it once: the database keeps only its hash.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := server.OpenStore(cmd.Context(), db)
			if err != nil {
				return fmt.Errorf("open %s: %w", db, err)
			}
			defer st.Close()
			tok, err := server.MintToken(cmd.Context(), st)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), map[string]string{"token": tok})
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), tok)
			return err
		},
	}
	cmd.Flags().StringVar(&db, "db", "shuttle.db", "SQLite file, or a postgres:// URL")
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	return cmd
}
