package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plaudit/plaudit/app"
	appsettlement "github.com/plaudit/plaudit/app/settlement"
	"github.com/plaudit/plaudit/cmd/plaudit/instance"
)

// withSettlement opens the instance (database, queue, federation; no
// HTTP, no worker) and runs fn with its settlement use case. Messages it
// sends are stored as deliveries; the running server's worker delivers
// them (at once with an external Redis, else within a minute, on its
// sweep).
func withSettlement(cmd *cobra.Command, e *env, fn func(ctx context.Context, s *appsettlement.Service, currency string) error) error {
	cfg, err := loadConfig(cmd, e)
	if err != nil {
		return err
	}
	inst, err := instance.Open(cmd.Context(), cfg, instance.Options{Logger: newLogger(cfg, e.stderr)})
	if err != nil {
		return err
	}
	defer inst.Close()
	return fn(cmd.Context(), inst.Settlement(), cfg.Currency)
}

func newSettlementCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "settlement", Short: "Settle flattrs with peer instances: statements, netting, transfers"}
	var month string
	list := &cobra.Command{
		Use:   "list",
		Short: "Show, per peer and month, the accepted statements both ways, the net and who pays whom",
		Long: `Show, per peer instance and month, the total of the accepted statements this
instance sent (OWED: it owes the peer) and received (DUE: the peer owes it),
the net, who pays whom, statements still unanswered or disputed, and the
settlement once confirmed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withSettlement(cmd, e, func(ctx context.Context, s *appsettlement.Service, currency string) error {
				ns, err := s.Nettings(ctx, "", month)
				if err != nil {
					return err
				}
				if len(ns) == 0 {
					fmt.Fprintln(e.stdout, "no statements")
					return nil
				}
				w := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(w, "MONTH\tPEER\tOWED\tDUE\tNET\tWHO PAYS\tOPEN\tDISPUTED\tSETTLED")
				for _, n := range ns {
					m := func(v int64) string { return app.Money{Minor: v, Currency: currency}.Decimal() }
					net, who := n.Net, "this instance pays "+n.PeerHost
					switch {
					case net < 0:
						net, who = -net, n.PeerHost+" pays this instance"
					case net == 0:
						who = "nothing moves"
					}
					settled := "no"
					if n.Settlement != nil {
						settled = "ref " + n.Settlement.Reference + " (" + n.Settlement.ConfirmedBy + ")"
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", n.Month, n.PeerHost, m(n.Outgoing), m(n.Incoming), m(net), who, n.Open, n.Disputed, settled)
				}
				return w.Flush()
			})
		},
	}
	list.Flags().StringVar(&month, "month", "", "only this month, YYYY-MM")
	var ref, amount string
	confirm := &cobra.Command{
		Use:   "confirm PEER MONTH --amount AMOUNT --ref REF",
		Short: "Record that the net of MONTH with PEER was transferred, on both sides",
		Long: `Record that the net of MONTH with the peer instance PEER (its host, as
settlement list shows it) was transferred: AMOUNT is what moved (without
sign; it must be the net), REF the transfer's reference. The payable and
receivable of the month with the peer are cleared, the creators' pending
earnings from the peer become their balances, and the peer is told in a
signed message, on which it records the same. Confirming again changes
nothing; an amount that is not the net is refused.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSettlement(cmd, e, func(ctx context.Context, s *appsettlement.Service, currency string) error {
				m, err := app.ParseMoney(amount, currency)
				if err != nil {
					return err
				}
				st, err := s.Confirm(ctx, args[0], args[1], m, ref)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "settled %s with %s: net %s, ref %s\n", st.Month, st.PeerHost, app.Money{Minor: st.Net, Currency: currency}, st.Reference)
				return nil
			})
		},
	}
	confirm.Flags().StringVar(&ref, "ref", "", "the transfer's reference (required)")
	confirm.Flags().StringVar(&amount, "amount", "", "the amount transferred, such as 12.34 (required)")
	_ = confirm.MarkFlagRequired("ref")
	_ = confirm.MarkFlagRequired("amount")
	correct := &cobra.Command{
		Use:   "correct PEER MONTH",
		Short: "Answer a dispute: send the next version of the statement without the refused lines",
		Long: `Answer PEER's dispute of this instance's statement of MONTH: the next
version supersedes it, without the lines the peer refused (every line, when
it refused the statement as a whole), and what the refused lines carried
goes back to the wallets of the funders whose Likes they were.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSettlement(cmd, e, func(ctx context.Context, s *appsettlement.Service, currency string) error {
				st, err := s.Correct(ctx, args[0], args[1])
				if err != nil {
					return err
				}
				if st == nil {
					fmt.Fprintf(e.stdout, "nothing is left to state to %s for %s: every line went back to its funder\n", args[0], args[1])
					return nil
				}
				fmt.Fprintf(e.stdout, "sent %s: %d lines, %s\n", st.URI, len(st.Lines), app.Money{Minor: st.Total, Currency: currency})
				return nil
			})
		},
	}
	cmd.AddCommand(list, confirm, correct)
	return cmd
}
