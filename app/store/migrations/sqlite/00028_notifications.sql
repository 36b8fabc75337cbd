-- +goose Up
-- notifications: what the Mastodon client API lists under
-- /api/v1/notifications for a local actor (recipient_uri): a flattr of one
-- of their things (favourite, with its weight and month) and a follow of
-- them (follow, or follow_request while pending). Rows are written by
-- triggers in the transaction that writes the flattr or the follow, and
-- go away with it (an undone flattr, a rejected or deleted follow).
CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_uri TEXT NOT NULL,
    type          TEXT NOT NULL,
    account_uri   TEXT NOT NULL,
    thing_uri     TEXT NOT NULL DEFAULT '',
    flattr_id     INTEGER UNIQUE,
    follow_id     INTEGER UNIQUE,
    weight        INTEGER NOT NULL DEFAULT 0,
    month         TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL
);
CREATE INDEX notifications_recipient_idx ON notifications (recipient_uri, id);

-- A flattr notifies the thing's owner when it is active and the owner is
-- ours: the flattr came from another server (it was sent to us), or the
-- thing is local.
-- +goose StatementBegin
CREATE TRIGGER flattrs_notify_insert AFTER INSERT ON flattrs
WHEN NEW.state = 'active' AND NEW.owner_uri <> ''
    AND (NOT NEW.local OR EXISTS (SELECT 1 FROM things WHERE uri = NEW.thing_uri AND local))
BEGIN
    INSERT INTO notifications (recipient_uri, type, account_uri, thing_uri, flattr_id, weight, month, created_at)
    VALUES (NEW.owner_uri, 'favourite', NEW.funder_uri, NEW.thing_uri, NEW.id, NEW.weight, NEW.month, NEW.changed_at);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER flattrs_notify_update AFTER UPDATE OF state, weight ON flattrs
BEGIN
    DELETE FROM notifications WHERE flattr_id = NEW.id AND NEW.state <> 'active';
    UPDATE notifications SET weight = NEW.weight WHERE flattr_id = NEW.id;
    INSERT INTO notifications (recipient_uri, type, account_uri, thing_uri, flattr_id, weight, month, created_at)
    SELECT NEW.owner_uri, 'favourite', NEW.funder_uri, NEW.thing_uri, NEW.id, NEW.weight, NEW.month, NEW.changed_at
    WHERE NEW.state = 'active' AND NEW.owner_uri <> ''
        AND (NOT NEW.local OR EXISTS (SELECT 1 FROM things WHERE uri = NEW.thing_uri AND local))
        AND NOT EXISTS (SELECT 1 FROM notifications WHERE flattr_id = NEW.id);
END;
-- +goose StatementEnd

-- A follow notifies its followee when the followee is ours (not a remote
-- actor Plaudit fetched).
-- +goose StatementBegin
CREATE TRIGGER follows_notify_insert AFTER INSERT ON follows
WHEN NEW.state IN ('pending', 'accepted') AND NOT EXISTS (SELECT 1 FROM remote_actors WHERE uri = NEW.followee_uri)
BEGIN
    INSERT INTO notifications (recipient_uri, type, account_uri, follow_id, created_at)
    VALUES (NEW.followee_uri, CASE NEW.state WHEN 'accepted' THEN 'follow' ELSE 'follow_request' END, NEW.follower_uri, NEW.id, NEW.updated_at);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER follows_notify_update AFTER UPDATE OF state ON follows
BEGIN
    DELETE FROM notifications WHERE follow_id = NEW.id AND NEW.state NOT IN ('pending', 'accepted');
    UPDATE notifications SET type = CASE NEW.state WHEN 'accepted' THEN 'follow' ELSE 'follow_request' END WHERE follow_id = NEW.id;
    INSERT INTO notifications (recipient_uri, type, account_uri, follow_id, created_at)
    SELECT NEW.followee_uri, CASE NEW.state WHEN 'accepted' THEN 'follow' ELSE 'follow_request' END, NEW.follower_uri, NEW.id, NEW.updated_at
    WHERE NEW.state IN ('pending', 'accepted') AND NOT EXISTS (SELECT 1 FROM remote_actors WHERE uri = NEW.followee_uri)
        AND NOT EXISTS (SELECT 1 FROM notifications WHERE follow_id = NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER follows_notify_delete AFTER DELETE ON follows
BEGIN
    DELETE FROM notifications WHERE follow_id = OLD.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER follows_notify_delete;
DROP TRIGGER follows_notify_update;
DROP TRIGGER follows_notify_insert;
DROP TRIGGER flattrs_notify_update;
DROP TRIGGER flattrs_notify_insert;
DROP TABLE notifications;
