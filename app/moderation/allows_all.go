package moderation

import (
	"context"
	"fmt"
)

// Sender is a remote actor and the host it is on.
type Sender struct {
	Host     string
	ActorURI string
}

// AllowsAll answers Allows for many senders at once: one domain-block
// query per distinct host and one actor-block query for all the distinct
// actors. The result holds every sender, true when allowed.
func (s *Service) AllowsAll(ctx context.Context, senders []Sender) (map[Sender]bool, error) {
	rejected := map[string]bool{}
	var actors []string
	seen := map[string]bool{}
	for _, snd := range senders {
		if _, done := rejected[snd.Host]; !done {
			r, err := s.Rejects(ctx, snd.Host)
			if err != nil {
				return nil, err
			}
			rejected[snd.Host] = r
		}
		if snd.ActorURI != "" && !seen[snd.ActorURI] {
			seen[snd.ActorURI] = true
			actors = append(actors, snd.ActorURI)
		}
	}
	blocked, err := s.store.ActorsBlockedBy(ctx, s.instanceActor, actors)
	if err != nil {
		return nil, fmt.Errorf("actor blocks of %d actors: %w", len(actors), err)
	}
	out := make(map[Sender]bool, len(senders))
	for _, snd := range senders {
		out[snd] = !rejected[snd.Host] && !blocked[snd.ActorURI]
	}
	return out, nil
}
