-- +goose Up
-- Serving a local object (GET /objects/{id}) looks up the activities about
-- it by object id.
CREATE INDEX IF NOT EXISTS activities_object_uri_idx ON activities (object_uri);

-- +goose Down
DROP INDEX IF EXISTS activities_object_uri_idx;
