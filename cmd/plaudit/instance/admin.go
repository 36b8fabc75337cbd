package instance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/hibiken/asynqmon"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/payouts"
	appsettlement "github.com/plaudit/plaudit/app/settlement"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/configs"
	"github.com/plaudit/plaudit/payments/sepa"
	"github.com/plaudit/plaudit/web"
)

// queuesPath is where the job queues' UI (asynqmon) is mounted.
const queuesPath = "/admin/queues"

// adminWeb is what the admin pages use: the money and settlement use
// cases, the queues' UI on this instance's Redis (embedded or not) and the
// settings.
func (inst *Instance) adminWeb() web.AdminPages {
	inst.queues = asynqmon.New(asynqmon.Options{RootPath: queuesPath, RedisConnOpt: inst.redis.Opt})
	a := web.AdminPages{
		Wallets:  inst.money.Funding,
		Payouts:  &adminPayouts{Service: inst.money.Payouts, store: inst.store.Payouts, debtor: inst.money.SEPADebtor},
		Settings: adminSettings(inst.config),
		Queues:   inst.queues,
	}
	if inst.federation != nil && inst.federation.Settlement != nil {
		a.Peers = adminPeers{Service: inst.federation.Settlement, hosts: inst.store.Hosts}
	}
	return a
}

// adminPayouts are the payout use cases with the batch list and the
// exports of `plaudit payout export`.
type adminPayouts struct {
	*payouts.Service
	store  *store.Payouts
	debtor sepa.Debtor
}

// Batches lists the latest batches, newest first.
func (p *adminPayouts) Batches(ctx context.Context, limit int) ([]*app.PayoutBatch, error) {
	return p.store.Batches(ctx, limit)
}

// Run runs the payouts and returns the batch made.
func (p *adminPayouts) Run(ctx context.Context) (*app.PayoutBatch, error) {
	res, err := p.Service.Run(ctx)
	if err != nil {
		return nil, err
	}
	return res.Batch, nil
}

// Export writes batch id as CSV or as a pain.001.001.03 file.
func (p *adminPayouts) Export(ctx context.Context, w io.Writer, id, format string) (string, string, error) {
	b, err := p.Batch(ctx, id)
	if err != nil {
		return "", "", err
	}
	var buf bytes.Buffer
	switch format {
	case "csv":
		if err := payouts.WriteCSV(&buf, b); err != nil {
			return "", "", err
		}
		_, err = w.Write(buf.Bytes())
		return "plaudit-payouts-" + b.ID + ".csv", "text/csv; charset=utf-8", err
	case "pain001":
		if err := sepa.Write(&buf, b, p.debtor, time.Now()); err != nil {
			return "", "", err
		}
		_, err = w.Write(buf.Bytes())
		return "plaudit-payouts-" + b.ID + ".xml", "application/xml", err
	}
	return "", "", app.Errorf(app.EINVALID, "the export format %q must be csv or pain001", format)
}

// adminPeers are the settlement use cases with the hosts' reachability.
type adminPeers struct {
	*appsettlement.Service
	hosts *store.Hosts
}

// RemoteHost is what deliveries learnt of host's reachability.
func (p adminPeers) RemoteHost(ctx context.Context, host string) (*app.RemoteHost, error) {
	return p.hosts.RemoteHostByName(ctx, host)
}

// secretSettings are the keys never shown on the settings page: secrets,
// and URLs that may carry a password.
var secretSettings = []string{"secret", "token", "key", "database_url", "redis_url", "iban"}

// adminSettings lists cfg's settings by their keys, with their help,
// leaving secrets out.
func adminSettings(cfg configs.Config) []web.AdminSetting {
	var out []web.AdminSetting
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			key := f.Tag.Get("koanf")
			if key == "" {
				continue
			}
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Duration]() {
				walk(prefix+key+".", v.Field(i))
				continue
			}
			value := fmt.Sprint(v.Field(i).Interface())
			for _, s := range secretSettings {
				if strings.Contains(key, s) && value != "" {
					value = "(set, not shown)"
				}
			}
			out = append(out, web.AdminSetting{Key: prefix + key, Value: value, Help: f.Tag.Get("help")})
		}
	}
	walk("", reflect.ValueOf(cfg))
	return out
}
