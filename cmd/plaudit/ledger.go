package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/funding"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/cmd/plaudit/instance"
	"github.com/plaudit/plaudit/configs"
	"github.com/plaudit/plaudit/federation"
)

// withLedger opens the database and runs fn with the ledger.
func withLedger(cmd *cobra.Command, e *env, fn func(ctx context.Context, cfg configs.Config, st *store.Store, l *ledger.Service) error) error {
	cfg, err := loadConfig(cmd, e)
	if err != nil {
		return err
	}
	if err := cfg.EnsureDataDir(); err != nil {
		return err
	}
	st, err := instance.OpenStore(cmd.Context(), cfg, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	l, err := ledger.New(st.Database, st.Ledger, cfg.Currency)
	if err != nil {
		return err
	}
	return fn(cmd.Context(), cfg, st, l)
}

func newLedgerCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "ledger", Short: "Inspect the double-entry ledger"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Prove the ledger: every transaction balances, cached balances match the postings, invariants hold",
		Long: `Prove the ledger: every transaction's postings sum to zero, every cached
balance equals the sum of its account's postings, no wallet, fee, escrow,
creator, payable or payout account is below zero (no money-in or receivable
account above it), and money in = wallets + fees + escrow + creator balances
and pending + payable − receivable + money out. Prints the balance of each
kind of account; exits non-zero on any violation, naming it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withLedger(cmd, e, func(ctx context.Context, _ configs.Config, _ *store.Store, l *ledger.Service) error {
				r, err := l.Check(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%d accounts, in %s\n", r.Accounts, r.Currency)
				for _, kind := range app.AccountKinds {
					m := app.Money{Minor: r.ByKind[kind], Currency: r.Currency}
					if app.SourceKind(kind) {
						m.Minor = -m.Minor
					}
					fmt.Fprintf(e.stdout, "%-16s %s\n", kind, m.Decimal())
				}
				if len(r.Violations) == 0 {
					fmt.Fprintln(e.stdout, "ledger ok")
					return nil
				}
				var names []string
				for _, v := range r.Violations {
					fmt.Fprintln(e.stderr, "violation:", v.Error())
					names = append(names, v.Rule)
				}
				return fmt.Errorf("ledger check failed: %d violations (%s)", len(r.Violations), strings.Join(names, ", "))
			})
		},
	})
	return cmd
}

func newWalletCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "wallet", Short: "Manage funders' wallets"}
	var ref string
	credit := &cobra.Command{
		Use:   "credit USERNAME AMOUNT",
		Short: "Record a payment received by hand into a funder's wallet (idempotent by --ref)",
		Long: `Record a payment an admin received by hand (a bank transfer, cash) into
USERNAME's wallet: AMOUNT in the instance currency, such as 10.00. The
payment's reference --ref makes it idempotent: crediting the same ref again
changes nothing; the same ref with another amount is refused.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withLedger(cmd, e, func(ctx context.Context, cfg configs.Config, st *store.Store, l *ledger.Service) error {
				amount, err := app.ParseMoney(args[1], l.Currency())
				if err != nil {
					return err
				}
				f := funding.New(l, st.Users, federation.NewURLs(cfg.BaseURL()))
				t, err := f.Credit(ctx, args[0], amount, "manual", ref)
				if err != nil {
					return err
				}
				balance, err := f.Balance(ctx, args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "credited %s to %s (transaction %s); wallet %s\n", amount, args[0], t.Key, balance)
				return nil
			})
		},
	}
	credit.Flags().StringVar(&ref, "ref", "", "the payment's reference (required)")
	_ = credit.MarkFlagRequired("ref")
	cmd.AddCommand(credit)
	return cmd
}

func newMonthCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "month", Short: "Close months: split each funder's budget over their flattrs"}
	var (
		month string
		early bool
	)
	closeCmd := &cobra.Command{
		Use:   "close",
		Short: "Close a month (default: the previous one) and write its split to the ledger",
		Long: `Close a month: each funder's budget (or what their wallet holds, when less)
is split over the month's flattrs by weight, less the instance fee, and
written to the ledger, one transaction per funder. The servers of the
creators flattred are asked first whether they settle flattrs with this one,
and after the close its statements to them are written and offered (the
running server's worker delivers them). The worker does all this by itself
every month after money.grace_days; this command does it by hand.
Running it again changes nothing; after a crash it resumes where it stopped.
Closing a month before its grace period has ended (or the running month)
needs --early.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, e)
			if err != nil {
				return err
			}
			if month == "" {
				now := time.Now().UTC()
				month = app.MonthOf(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0))
			}
			inst, err := instance.Open(cmd.Context(), cfg, instance.Options{Logger: newLogger(cfg, e.stderr)})
			if err != nil {
				return err
			}
			defer inst.Close()
			tty := isTerminal(e.stdout)
			c, err := inst.CloseMonth(cmd.Context(), month, early, func(done int) {
				if tty {
					fmt.Fprintf(e.stdout, "\rclosing %s: %d funders", month, done)
				}
			})
			if tty {
				fmt.Fprintln(e.stdout)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s closed: %d funders\n", c.Month, c.Funders)
			return nil
		},
	}
	closeCmd.Flags().StringVar(&month, "month", "", "the month to close, YYYY-MM (default: the previous month)")
	closeCmd.Flags().BoolVar(&early, "early", false, "close before the grace period ends, even the running month (trials and tests)")
	cmd.AddCommand(closeCmd)
	return cmd
}

// isTerminal tells whether w is a terminal (for the progress line).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
