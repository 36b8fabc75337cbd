-- +goose Up
-- One Like per actor and object: a second Like without an Undo in between
-- is a duplicate, and a flattr must not count twice.
DROP INDEX likes_actor_object_idx;
CREATE UNIQUE INDEX likes_actor_object_key ON likes (actor_uri, object_uri);

-- +goose Down
DROP INDEX likes_actor_object_key;
CREATE INDEX likes_actor_object_idx ON likes (actor_uri, object_uri);
