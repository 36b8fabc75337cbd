package autoflattr

import (
	"context"
	"net/url"
	"strings"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
)

// Liked counts at once the Likes that funders' linked accounts sent to
// things on this server, as the poll would count them once it read them
// among the account's favourites: a flattr of weight 1 under the link's
// cap and exceptions, each thing once (the poll then finds it seen). An
// account is linked by a verified account claim or a link code (the
// mention flow's links): the home server's token, limited to
// read:favourites, does not say whose account it is.
//
// It is told after the Likes' commit (app/flattrs Deps.Liked) and has no
// one to report to: what fails is logged, and the poll counts it later.
func (s *Service) Liked(ctx context.Context, likes []flattrs.LocalLike) {
	if err := s.liked(ctx, likes); err != nil {
		s.d.Logger.WarnContext(ctx, "auto-flattr: a linked account's Likes were not counted; the poll will", "likes", len(likes), "err", err)
	}
}

func (s *Service) liked(ctx context.Context, likes []flattrs.LocalLike) error {
	actors := make([]string, 0, len(likes))
	seen := map[string]bool{}
	for _, l := range likes {
		if !seen[l.ActorURI] {
			seen[l.ActorURI] = true
			actors = append(actors, l.ActorURI)
		}
	}
	linked, err := s.d.Store.LinkedActors(ctx, actors)
	if err != nil || len(linked) == 0 {
		return err
	}
	var userIDs []int64
	for _, id := range linked {
		userIDs = append(userIDs, id)
	}
	links, err := s.d.Store.ActiveAutoFlattrLinksOf(ctx, userIDs)
	if err != nil || len(links) == 0 {
		return err
	}
	month := app.MonthOf(s.d.Now())
	usernames := map[int64]string{}
	for _, l := range likes {
		userID, ok := linked[l.ActorURI]
		if !ok {
			continue
		}
		link := linkFor(links, userID, l.ActorURI)
		if link == nil {
			continue
		}
		name, ok := usernames[userID]
		if !ok {
			u, err := s.d.Store.UserByID(ctx, userID)
			if err != nil {
				return err
			}
			name, usernames[userID] = u.Username, u.Username
		}
		if _, err := s.one(ctx, link, name, month, Favourite{URI: l.ThingURI}); err != nil {
			return err
		}
	}
	return nil
}

// linkFor is the user's active link whose home server is the actor's,
// else the user's first active link; nil when the user has none.
func linkFor(links []app.AutoFlattrLink, userID int64, actorURI string) *app.AutoFlattrLink {
	host := ""
	if u, err := url.Parse(actorURI); err == nil {
		host = strings.ToLower(u.Host)
	}
	var first *app.AutoFlattrLink
	for i := range links {
		l := &links[i]
		if l.UserID != userID {
			continue
		}
		if first == nil {
			first = l
		}
		if u, err := url.Parse(l.Server); err == nil && strings.EqualFold(u.Host, host) {
			return l
		}
	}
	return first
}
