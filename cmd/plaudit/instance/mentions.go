package instance

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/web"

	"github.com/plaudit/plaudit/app"
	appmentions "github.com/plaudit/plaudit/app/mentions"
	"github.com/plaudit/plaudit/federation/inbox"
	fedmentions "github.com/plaudit/plaudit/federation/mentions"
)

// ensureFlattrActor makes the flattr actor's account when it is missing:
// a local user with a random password nobody knows.
func (inst *Instance) ensureFlattrActor(ctx context.Context) error {
	handle := inst.config.FlattrHandle
	if handle == "" {
		return nil
	}
	_, err := inst.store.UserByUsername(ctx, handle)
	if err == nil || app.ErrorCode(err) != app.ENOTFOUND {
		return err
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	_, err = inst.accounts.CreateUser(ctx, handle, base64.RawURLEncoding.EncodeToString(secret), false)
	if app.ErrorCode(err) == app.ECONFLICT {
		return nil // another process made it
	}
	if err != nil {
		return fmt.Errorf("flattr actor %s: %w", handle, err)
	}
	return nil
}

// createdAll tells each of its Created of every object a Create stored.
type createdAll []inbox.Created

func (c createdAll) Received(ctx context.Context, actorURI, objectURI string) error {
	var errs []error
	for _, x := range c {
		errs = append(errs, x.Received(ctx, actorURI, objectURI))
	}
	return errors.Join(errs...)
}

// created is what the inbox tells of stored objects: connected blogs,
// and the flattr actor when it is on.
func (f *federationParts) created(inst *Instance) inbox.Created {
	handle := inst.config.FlattrHandle
	if handle == "" {
		return f.Blogs
	}
	actor := f.URLs.Actor(handle)
	svc := appmentions.New(appmentions.Deps{
		Tx: inst.store.Database, Store: inst.store, Flattrs: f.Likes, Wallets: inst.money.Funding,
		Replier: &fedmentions.Replier{Publisher: f.Publisher, FlattrActor: actor, Names: f.Fetcher},
		Base:    inst.config.BaseURL(),
	})
	f.Mentions = svc
	return createdAll{f.Blogs, &fedmentions.Handler{Objects: inst.store, FlattrActor: actor, Mentions: svc}}
}

// linkCodes is the mentions use case for the web, or nil when the flattr
// actor is off.
func (inst *Instance) linkCodes() web.LinkCodes {
	if inst.federation.Mentions == nil {
		return nil
	}
	return inst.federation.Mentions
}
