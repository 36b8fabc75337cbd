package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/app/payouts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/cmd/plaudit/instance"
	"github.com/plaudit/plaudit/configs"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/payments/sepa"
)

// withMoney opens the database and runs fn with the instance's money use
// cases.
func withMoney(cmd *cobra.Command, e *env, fn func(ctx context.Context, cfg configs.Config, m *instance.Money) error) error {
	return withLedger(cmd, e, func(ctx context.Context, cfg configs.Config, st *store.Store, _ *ledger.Service) error {
		host, _ := os.Hostname()
		m, err := instance.NewMoney(cfg, st, nil, fmt.Sprintf("cli@%s/%d", host, os.Getpid()))
		if err != nil {
			return err
		}
		return fn(ctx, cfg, m)
	})
}

func newPayoutCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "payout", Short: "Pay creators their balances: run a batch, export it, mark it paid or a payout failed"}
	cmd.AddCommand(newPayoutRunCommand(e), newPayoutExportCommand(e), newPayoutPaidCommand(e), newPayoutFailedCommand(e))
	return cmd
}

func newPayoutRunCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Make a batch of every creator whose balance is at or above money.payout_threshold",
		Long: `Make a payout batch of every creator whose balance is at or above
money.payout_threshold and who gave payout details the provider can pay
(money.payout_provider): each balance moves to the provider's payouts in
flight. With the stripe provider each payout is sent as a Stripe Connect
transfer at once; with manual, export the batch, pay it at the bank and
mark it paid. Running it again changes nothing until creators earn again;
after a crash it finishes the batch the crashed run began.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withMoney(cmd, e, func(ctx context.Context, _ configs.Config, m *instance.Money) error {
				res, err := m.Payouts.Run(ctx)
				if res != nil {
					printBatch(e, res.Batch)
					for _, c := range res.Waiting {
						fmt.Fprintf(e.stdout, "waiting for payout details: %s\n", c)
					}
				}
				return err
			})
		},
	}
}

// printBatch writes a batch and its payouts.
func printBatch(e *env, b *app.PayoutBatch) {
	total := app.Money{Minor: b.Total(), Currency: b.Currency}
	fmt.Fprintf(e.stdout, "batch %s (%s, %s): %d payouts, %s\n", b.ID, b.Provider, b.State, len(b.Payouts), total)
	for _, p := range b.Payouts {
		fmt.Fprintf(e.stdout, "  %s  %-8s %12s  %s\n", p.Key, p.State, p.Amount, p.CreatorURI)
	}
}

func newPayoutExportCommand(e *env) *cobra.Command {
	var format, output string
	cmd := &cobra.Command{
		Use:   "export BATCH",
		Short: "Write a batch as CSV or as a SEPA credit-transfer file (pain.001.001.03)",
		Long: `Write payout batch BATCH as CSV (--format csv) or as a SEPA
credit-transfer file, ISO 20022 pain.001.001.03 (--format pain001), to
upload to the instance's bank. The SEPA file needs money.sepa_debtor_name
and money.sepa_debtor_iban and an instance kept in EUR; failed payouts are
left out. With -o the file is written whole or not at all.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withMoney(cmd, e, func(ctx context.Context, _ configs.Config, m *instance.Money) error {
				b, err := m.Payouts.Batch(ctx, args[0])
				if err != nil {
					return err
				}
				var buf bytes.Buffer
				switch format {
				case "csv":
					err = payouts.WriteCSV(&buf, b)
				case "pain001":
					err = sepa.Write(&buf, b, m.SEPADebtor, time.Now())
				default:
					err = app.Errorf(app.EINVALID, "--format %q must be csv or pain001", format)
				}
				if err != nil {
					return err
				}
				if output == "" || output == "-" {
					_, err = e.stdout.Write(buf.Bytes())
					return err
				}
				return writeFileWhole(output, buf.Bytes())
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "csv", "csv or pain001")
	cmd.Flags().StringVarP(&output, "output", "o", "", "the file to write (default: standard output)")
	return cmd
}

// writeFileWhole writes data to path through a temporary file beside it,
// so that path holds all of it or is left as it was.
func writeFileWhole(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".plaudit-export-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func newPayoutPaidCommand(e *env) *cobra.Command {
	var ref string
	cmd := &cobra.Command{
		Use:   "paid BATCH",
		Short: "Record that a batch was paid at the bank (idempotent)",
		Long: `Record that payout batch BATCH was paid, under the bank's reference --ref:
its pending payouts become paid and their money moves from payouts in
flight to paid out. Marking a paid batch again changes nothing.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withMoney(cmd, e, func(ctx context.Context, _ configs.Config, m *instance.Money) error {
				before, err := m.Payouts.Batch(ctx, args[0])
				if err != nil {
					return err
				}
				b, err := m.Payouts.MarkPaid(ctx, before.ID, ref)
				if err != nil {
					return err
				}
				if before.State == app.BatchPaid {
					fmt.Fprintf(e.stdout, "batch %s was paid already (ref %s); nothing changed\n", b.ID, b.Ref)
					return nil
				}
				printBatch(e, b)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&ref, "ref", "", "the bank's or provider's reference of the payment (required)")
	_ = cmd.MarkFlagRequired("ref")
	return cmd
}

func newPayoutFailedCommand(e *env) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "failed BATCH CREATOR",
		Short: "Record that a creator's payout failed: its money goes back to their balance",
		Long: `Record that CREATOR's payout in batch BATCH failed (the bank returned
it, the account is closed), for --reason: its money goes back to the
creator's balance, to be paid in a later run. CREATOR is a local username
or an actor URI. Failing it again changes nothing; a payout already marked
paid cannot fail.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withMoney(cmd, e, func(ctx context.Context, cfg configs.Config, m *instance.Money) error {
				creator := args[1]
				if !strings.Contains(creator, "://") {
					creator = federation.NewURLs(cfg.BaseURL()).Actor(creator)
				}
				p, err := m.Payouts.Fail(ctx, args[0], creator, reason)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "payout %s failed (%s): %s back to %s\n", p.Key, p.Reason, p.Amount, p.CreatorURI)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why it failed (required)")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}
