package instance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/escrow"
	"github.com/plaudit/plaudit/app/funding"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/app/months"
	"github.com/plaudit/plaudit/app/payouts"
	appsettlement "github.com/plaudit/plaudit/app/settlement"
	"github.com/plaudit/plaudit/app/statements"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/things"
	"github.com/plaudit/plaudit/configs"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/jobs"
	"github.com/plaudit/plaudit/payments/sepa"
	"github.com/plaudit/plaudit/payments/stripe"
)

// Money are the ledger, the month close and the top-ups of an instance.
type Money struct {
	Ledger  *ledger.Service
	Months  *months.Service
	Funding *funding.Service
	// Stripe is nil unless money.stripe_secret_key is set.
	Stripe *stripe.Checkout
	escrow months.EscrowStore
	cfg    configs.Config
	// settlement is nil in the command line's Money, which closes months
	// but sends no statements.
	settlement      *appsettlement.Service
	settlementStore *store.Settlements
	// Escrow releases escrow on claims and tells owners of it; nil in
	// the command line's Money.
	Escrow       *escrow.Service
	escrowNotice app.Money
	// Payouts pay creators through money.payout_provider; Statements
	// show funders and creators their money.
	Payouts    *payouts.Service
	Statements *statements.Service
	// SEPADebtor is the instance's account for pain.001 exports.
	SEPADebtor sepa.Debtor
}

// CloseMonth closes month as the hourly job does: the servers of its
// flattred creators are asked whether they settle, the month is closed
// (early allows the running month or one in its grace period), and its
// statements to peers are written and offered.
func (inst *Instance) CloseMonth(ctx context.Context, month string, early bool, progress months.Progress) (*app.MonthClose, error) {
	m := inst.money
	if err := m.discoverPeers(ctx, month); err != nil {
		return nil, err
	}
	c, err := m.Months.Close(ctx, month, early, progress)
	if err != nil {
		return nil, err
	}
	return c, m.sendStatements(ctx, month, inst.logger)
}

// Settlement is the instance's settlement use case.
func (inst *Instance) Settlement() *appsettlement.Service { return inst.federation.Settlement }

// StartTopUp starts a top-up through Stripe (web.TopUps).
func (m *Money) StartTopUp(ctx context.Context, username string, amount app.Money) (string, error) {
	var checkout funding.Checkout
	if m.Stripe != nil {
		checkout = m.Stripe
	}
	return m.Funding.StartTopUp(ctx, checkout, username, amount)
}

// NewMoney makes the money use cases on st, as serve and the command line
// use them; owner names the process in a close's lease.
func NewMoney(cfg configs.Config, st *store.Store, th *things.Service, owner string) (*Money, error) {
	l, err := ledger.New(st.Database, st.Ledger, cfg.Currency)
	if err != nil {
		return nil, err
	}
	minBudget, err := app.ParseMoney(cfg.Money.MinBudget, cfg.Currency)
	if err != nil {
		return nil, fmt.Errorf("config money.min_budget: %w", err)
	}
	escrowNotice, err := app.ParseMoney(cfg.Money.EscrowNotice, cfg.Currency)
	if err != nil {
		return nil, fmt.Errorf("config money.escrow_notice: %w", err)
	}
	urls := federation.NewURLs(cfg.BaseURL())
	if th == nil {
		th = things.New(things.Deps{Tx: st.Database, Store: st.Things, Recipients: st.Things, URLs: urls})
	}
	m := months.New(months.Deps{
		Tx: st.Database, Store: st.Months, Ledger: l, Things: th, URLs: urls,
		Peers:     appsettlement.Peers{Store: st.Settlements, Currency: cfg.Currency},
		MinBudget: minBudget, FeePercent: cfg.Money.FeePercent, GraceDays: cfg.Money.GraceDays, Owner: owner,
	})
	money := &Money{Ledger: l, Months: m, Funding: funding.New(l, st.Users, urls), escrow: st.Months, cfg: cfg, escrowNotice: escrowNotice}
	if cfg.Money.StripeSecretKey != "" {
		money.Stripe, err = stripe.New(stripe.Options{
			SecretKey: cfg.Money.StripeSecretKey, WebhookSecret: cfg.Money.StripeWebhookSecret,
			APIURL: cfg.Money.StripeAPIURL, BaseURL: cfg.BaseURL(),
		}, money.Funding)
		if err != nil {
			return nil, err
		}
	}
	if money.Payouts, err = newPayouts(cfg, st, l); err != nil {
		return nil, err
	}
	money.Statements = statements.New(st.Statements, st.Payouts, l)
	money.SEPADebtor = sepa.Debtor{Name: cfg.Money.SEPADebtorName, IBAN: cfg.Money.SEPADebtorIBAN, BIC: cfg.Money.SEPADebtorBIC}
	return money, nil
}

// newPayouts makes the payout use cases with money.payout_provider.
func newPayouts(cfg configs.Config, st *store.Store, l *ledger.Service) (*payouts.Service, error) {
	threshold, err := app.ParseMoney(cfg.Money.PayoutThreshold, cfg.Currency)
	if err != nil {
		return nil, fmt.Errorf("config money.payout_threshold: %w", err)
	}
	var provider payouts.Provider = payouts.Manual{}
	if cfg.Money.PayoutProvider == stripe.ConnectProvider {
		if provider, err = stripe.NewConnect(stripe.Options{SecretKey: cfg.Money.StripeSecretKey, APIURL: cfg.Money.StripeAPIURL}); err != nil {
			return nil, err
		}
	}
	p, err := payouts.New(payouts.Deps{Tx: st.Database, Store: st.Payouts, Balances: st.Ledger, Ledger: l, Provider: provider, Threshold: threshold})
	if err != nil {
		return nil, fmt.Errorf("config money.payout_threshold: %w", err)
	}
	return p, nil
}

// closeDue closes the month before this one once its grace period is
// over, then returns escrow held longer than money.escrow_months: the body
// of the periodic months:close job. A close already done changes nothing;
// one held by another worker is left to it.
func (money *Money) closeDue(ctx context.Context, logger *slog.Logger) error {
	prev := previousMonth(time.Now())
	wait := false
	if money.settlement != nil {
		unreachable, err := money.discover(ctx, prev)
		if err != nil {
			return err
		}
		_, end, _ := app.MonthBounds(prev)
		if len(unreachable) > 0 && time.Now().Before(end.AddDate(0, 0, money.cfg.Money.GraceDays).Add(peerWait)) {
			logger.WarnContext(ctx, "month close waits for servers that could not be asked whether they settle", "month", prev, "hosts", unreachable)
			wait = true
		}
	}
	if !wait {
		if err := closePrevious(ctx, money.Months, logger); err != nil {
			return err
		}
	}
	if money.settlement != nil {
		if err := money.sendStatements(ctx, prev, logger); err != nil {
			return err
		}
	}
	if money.Escrow != nil {
		released, err := money.Escrow.Release(ctx)
		if released > 0 {
			logger.InfoContext(ctx, "escrow released to creators who claimed it", "debts", released)
		}
		if err != nil {
			return err
		}
		if _, err := money.Escrow.Notify(ctx); err != nil {
			return err
		}
		if _, err := money.Escrow.AnnounceClaims(ctx); err != nil {
			return err
		}
	}
	n, err := money.Months.ReturnEscrow(ctx, money.escrow, money.cfg.Money.EscrowMonths)
	if n > 0 {
		logger.InfoContext(ctx, "escrow returned to funders", "debts", n)
	}
	return err
}

// closePrevious closes the previous month once its grace period is over.
func closePrevious(ctx context.Context, m *months.Service, logger *slog.Logger) error {
	prev := previousMonth(time.Now())
	due, err := m.Closed(ctx, prev)
	if err != nil || !due {
		return err
	}
	c, err := m.Close(ctx, prev, false, nil)
	switch {
	case errors.Is(err, months.ErrBusy):
		logger.InfoContext(ctx, "month close held by another worker", "month", prev)
		return nil
	case err != nil:
		return err
	}
	logger.InfoContext(ctx, "month closed", "month", c.Month, "funders", c.Funders)
	return nil
}

func previousMonth(now time.Time) string {
	now = now.UTC()
	return app.MonthOf(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0))
}

// discoverPeers asks the servers of the things flattred in month whether
// they settle flattrs, before the month's close reads the answers.
func (money *Money) discoverPeers(ctx context.Context, month string) error {
	_, err := money.discover(ctx, month)
	return err
}

// discover asks the servers of the creators flattred in month whether
// they settle, and returns those that could not be asked and were never
// known.
func (money *Money) discover(ctx context.Context, month string) ([]string, error) {
	if done, err := money.Months.CloseDone(ctx, month); err != nil || done {
		return nil, err
	}
	creators, err := money.settlementStore.FlattredCreators(ctx, month)
	if err != nil {
		return nil, err
	}
	return money.settlement.DiscoverAll(ctx, creators)
}

// peerWait is how long past its grace period a close waits for servers
// that could not be asked whether they settle: money for their creators
// would otherwise go to escrow.
const peerWait = 24 * time.Hour

// sendStatements writes and offers month's statements once it is
// closed, and offers again those a peer has not answered within the hour.
func (money *Money) sendStatements(ctx context.Context, month string, logger *slog.Logger) error {
	done, err := money.Months.CloseDone(ctx, month)
	if err != nil {
		return err
	}
	if done {
		made, err := money.settlement.Prepare(ctx, month)
		if err != nil {
			return err
		}
		if len(made) > 0 {
			logger.InfoContext(ctx, "statements sent to peers", "month", month, "statements", len(made))
		}
	}
	_, err = money.settlement.Reoffer(ctx, time.Hour)
	return err
}

// registerMoneyJobs adds the month close job: hourly, so that a month is
// closed within an hour of its grace period's end, and a failed close is
// resumed an hour later; and, with Stripe Connect payouts, the daily
// payout run.
func (inst *Instance) registerMoneyJobs(w *jobs.Worker) {
	w.Handle(jobs.TypeCloseMonth, jobs.HandleCloseMonthTask(func(ctx context.Context) error {
		return inst.money.closeDue(ctx, inst.logger)
	}))
	w.Periodic("@every 1h", time.Hour, jobs.QueueCritical, jobs.NewCloseMonthTask())
	if inst.money.Payouts.Sends() {
		w.Handle(jobs.TypeRunPayouts, jobs.HandleRunPayoutsTask(func(ctx context.Context) error {
			return inst.money.runPayouts(ctx, inst.logger)
		}))
		w.Periodic("@every 24h", 24*time.Hour, jobs.QueueCritical, jobs.NewRunPayoutsTask())
	}
}

// runPayouts is the body of the daily payouts:run job, with a provider
// that pays by itself (Stripe Connect); manual batches are made by an
// admin with plaudit payout run.
func (money *Money) runPayouts(ctx context.Context, logger *slog.Logger) error {
	res, err := money.Payouts.Run(ctx)
	if res != nil && len(res.Batch.Payouts) > 0 {
		logger.InfoContext(ctx, "payout run", "batch", res.Batch.ID, "payouts", len(res.Batch.Payouts), "state", res.Batch.State)
	}
	return err
}
