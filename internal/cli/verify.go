package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/ledger"
)

func newVerify() *cobra.Command {
	var (
		asJSON bool
		heads  []string
		key    string
	)
	cmd := &cobra.Command{
		Use:   "verify EXPORT",
		Short: "Check an exported case archive offline",
		Long: `Verify checks a case archive written by simulate --export or by a server:
every entry's hash, every signed tree head, the header's signature and the
parties' signatures of the agreement, and that each tree head a party saved
(--head) describes a prefix of the archive. A failure names the first line
and entry, head or signature that does not check. Without --key the
mediator's key is read from the archive itself, and the report says so.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := ledger.Options{File: args[0], Mediator: key}
			for _, h := range heads {
				note, err := os.ReadFile(h)
				if err != nil {
					return &shuttle.Error{Code: shuttle.ENotFound, File: h, Message: "cannot read", Err: unwrapPath(err)}
				}
				opts.SavedHeads = append(opts.SavedHeads, ledger.SavedHead{Name: h, Note: note})
			}
			f, err := os.Open(args[0])
			if err != nil {
				return &shuttle.Error{Code: shuttle.ENotFound, File: args[0], Message: "cannot read", Err: unwrapPath(err)}
			}
			defer f.Close()
			rep, err := ledger.Verify(f, opts)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), rep)
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), rep)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable report")
	cmd.Flags().StringArrayVar(&heads, "head", nil, "a signed tree head a party saved, to check against the archive (repeatable)")
	cmd.Flags().StringVar(&key, "key", "", "the mediator installation's published verifier key, to check the archive's against")
	return cmd
}
