package cli

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/reqsig"
)

func newKey() *cobra.Command {
	var out string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "key --out FILE",
		Short: "Make an ed25519 key with which to sign requests to a server",
		Long: `Key makes an ed25519 key, writes it to FILE (PEM, PKCS #8, readable by
the owner only) and prints its public key in base64: what a participant
registers, when invited or with POST /v1/cases/{id}/key, to sign its
requests (shuttle request) instead of sending a token.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return &usageError{fmt.Errorf("key: --out is required")}
			}
			pub, priv, err := ed25519.GenerateKey(nil)
			if err != nil {
				return err
			}
			data, err := reqsig.EncodeKey(priv)
			if err != nil {
				return err
			}
			// O_EXCL: an existing key is someone's identity, never overwritten.
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return shuttle.Errorf(shuttle.EInvalid, "write %s: %v", out, err)
			}
			if _, err := f.Write(data); err != nil {
				f.Close()
				return fmt.Errorf("write %s: %w", out, err)
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
			b64 := base64.StdEncoding.EncodeToString(pub)
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), map[string]string{"public_key": b64, "file": out})
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), b64)
			return err
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write the private key to (must not exist)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	return cmd
}

func newRequest() *cobra.Command {
	var keyFile, keyID, data string
	cmd := &cobra.Command{
		Use:   "request --key FILE --key-id CASE/NAME [--data JSON|@FILE] METHOD URL",
		Short: "Send a request to a server, signed with a participant's key",
		Long: `Request sends METHOD URL to a shuttle server with the body given by
--data (JSON, or @FILE to read it from a file), signed with the key in FILE
as the participant CASE/NAME (see "Signed requests" in docs/api.md), and
prints the response body. A refusal exits non-zero with the server's error
code and message.`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if keyFile == "" || keyID == "" {
				return &usageError{fmt.Errorf("request: --key and --key-id are required")}
			}
			pem, err := os.ReadFile(keyFile)
			if err != nil {
				return shuttle.Errorf(shuttle.EInvalid, "read %s: %v", keyFile, err)
			}
			key, err := reqsig.DecodeKey(pem)
			if err != nil {
				return shuttle.Errorf(shuttle.EInvalid, "%s: %v", keyFile, err)
			}
			body := []byte(data)
			if name, ok := strings.CutPrefix(data, "@"); ok {
				if body, err = os.ReadFile(name); err != nil {
					return shuttle.Errorf(shuttle.EInvalid, "read %s: %v", name, err)
				}
			}
			method, url := strings.ToUpper(args[0]), args[1]
			req, err := http.NewRequestWithContext(cmd.Context(), method, url, bytes.NewReader(body))
			if err != nil {
				return shuttle.Errorf(shuttle.EInvalid, "request: %v", err)
			}
			if err := reqsig.Sign(req, body, keyID, key, time.Now()); err != nil {
				return shuttle.Errorf(shuttle.EInvalid, "--key-id: %v", err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return fmt.Errorf("%s %s: %w", method, url, err)
			}
			defer resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				var e struct {
					Error struct{ Code, Message string }
				}
				raw, _ := io.ReadAll(resp.Body)
				if json.Unmarshal(raw, &e) != nil || e.Error.Code == "" {
					return shuttle.Errorf(shuttle.EInternal, "%s %s: status %d: %s", method, url, resp.StatusCode, raw)
				}
				return shuttle.Errorf(e.Error.Code, "%s %s: %s", method, url, e.Error.Message)
			}
			// A stream is printed as it arrives.
			_, err = io.Copy(cmd.OutOrStdout(), resp.Body)
			return err
		},
	}
	cmd.Flags().StringVar(&keyFile, "key", "", "the participant's private key (PEM, as shuttle key writes it)")
	cmd.Flags().StringVar(&keyID, "key-id", "", "who signs: CASE/NAME")
	cmd.Flags().StringVar(&data, "data", "", "request body: JSON, or @FILE")
	return cmd
}
