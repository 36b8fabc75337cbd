package instance

import (
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app/blogs"
	"github.com/plaudit/plaudit/app/claims"
	"github.com/plaudit/plaudit/app/things"
	fedclaims "github.com/plaudit/plaudit/federation/claims"
	"github.com/plaudit/plaudit/federation/feeds"
	"github.com/plaudit/plaudit/federation/resolve"
	"github.com/plaudit/plaudit/federation/transport"
	"github.com/plaudit/plaudit/jobs"
)

// thingResolver makes the claims and the resolver chain things use: the
// origin (objects fetched from their own id, pages, fediverse:creator),
// then verified claims deciding owners. Call it before things.New.
func (f *federationParts) thingResolver(inst *Instance) things.Resolver {
	st, cfg := inst.store, inst.config
	wfScheme := "https"
	if cfg.Federation.AllowHTTP {
		wfScheme = "http"
	}
	f.Claims = claims.New(claims.Deps{
		Tx: st.Database, Store: st.Claims, Users: st.Users, URLs: f.URLs,
		Inspector: &fedclaims.Inspector{Actors: f.Fetcher, Client: f.Client},
	})
	return &claims.Resolver{
		Next:   &resolve.Resolver{Objects: f.Fetcher, Actors: f.Fetcher, Client: f.Client, WebFingerScheme: wfScheme},
		Claims: f.Claims,
	}
}

// buildBlogs makes the blogs use cases. Call it after buildUseCases
// (blogs follow, publish and resolve through Follows, Posts and Things)
// and before the inbox (which tells Blogs of Creates).
func (f *federationParts) buildBlogs(inst *Instance) {
	st, cfg := inst.store, inst.config
	// Feeds are public: fetched unsigned, through the same SSRF guard,
	// with a size limit of their own.
	feedClient := transport.New(transport.Options{
		UserAgent:             fmt.Sprintf("Plaudit/%s (+%s; feed reader)", Version, cfg.BaseURL()),
		AllowHTTP:             cfg.Federation.AllowHTTP,
		AllowPrivateAddresses: cfg.Federation.AllowPrivateAddresses,
		MaxBodyBytes:          cfg.Feeds.MaxBytes,
		Logger:                inst.logger,
	})
	reader := &feeds.Reader{Client: feedClient, MaxBytes: cfg.Feeds.MaxBytes}
	backfill := cfg.Feeds.Backfill
	if backfill == 0 {
		backfill = -1 // none; blogs.Settings reads 0 as its default
	}
	f.Blogs = blogs.New(blogs.Deps{
		Tx: st.Database, Store: st.Blogs, Users: st.Users, Discoverer: reader, Feeds: reader,
		Follows: f.Follows, Posts: f.Posts, Owners: f.Claims, Things: f.Things,
		Queue: jobs.BlogQueue{Client: inst.jobs}, URLs: f.URLs,
		Settings: blogs.Settings{Interval: cfg.Feeds.PollInterval, MaxBackoff: cfg.Feeds.MaxBackoff, Backfill: backfill},
	})
}

// registerBlogJobs adds the feed poll handler and its scheduling round.
func (f *federationParts) registerBlogJobs(w *jobs.Worker) {
	w.Handle(jobs.TypeBlogPoll, jobs.HandleRowTask(f.Blogs.Poll))
	w.Handle(jobs.TypeBlogSchedule, jobs.HandleBlogScheduleTask(f.Blogs.ScheduleDue))
	w.Periodic("@every 1m", time.Minute, jobs.QueueLow, jobs.NewBlogScheduleTask())
}
