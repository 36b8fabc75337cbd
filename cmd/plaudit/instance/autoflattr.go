package instance

import (
	"context"
	"time"

	"github.com/plaudit/plaudit/app/autoflattr"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/federation/homeapi"
	"github.com/plaudit/plaudit/jobs"
	"github.com/plaudit/plaudit/web"
)

// buildAutoFlattr makes the auto-flattr use case when auto_flattr_key is
// set. Call it after buildUseCases.
func (f *federationParts) buildAutoFlattr(inst *Instance) error {
	cfg := inst.config
	if cfg.AutoFlattrKey == "" {
		return nil
	}
	sealer, err := autoflattr.NewSealer(cfg.AutoFlattrKey)
	if err != nil {
		return err
	}
	f.AutoFlattr = autoflattr.New(autoflattr.Deps{
		Store:    inst.store,
		Home:     &homeapi.Client{HTTP: f.Client.HTTPClient(), Name: "Plaudit (" + cfg.Domain + ")", Website: cfg.BaseURL()},
		Flattrs:  f.Likes,
		Sealer:   sealer,
		Callback: cfg.BaseURL() + "/autoflattr/callback",
		Logger:   inst.logger,
	})
	return nil
}

// liked tells auto-flattr of the Likes of local things received (it is
// built after the flattr use case that calls it).
func (f *federationParts) liked(ctx context.Context, likes []flattrs.LocalLike) {
	if f.AutoFlattr != nil {
		f.AutoFlattr.Liked(ctx, likes)
	}
}

// autoFlattrWeb is the use case for the web, or nil when it is off.
func (inst *Instance) autoFlattrWeb() web.AutoFlattr {
	if inst.federation.AutoFlattr == nil {
		return nil
	}
	return inst.federation.AutoFlattr
}

// registerAutoFlattrJobs polls the linked home servers hourly.
func (f *federationParts) registerAutoFlattrJobs(w *jobs.Worker) {
	if f.AutoFlattr == nil {
		return
	}
	w.Handle(jobs.TypePollFavourites, jobs.HandlePollFavouritesTask(f.AutoFlattr.Poll))
	w.Periodic("@every 1h", time.Hour, jobs.QueueLow, jobs.NewPollFavouritesTask())
}
