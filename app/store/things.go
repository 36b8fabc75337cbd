package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// thingRow is a thing as stored: payment links as JSON, counts cached.
type thingRow struct {
	ID               int64
	URI              string
	OwnerURI         string
	OwnerConfirmed   bool
	Kind             string
	Title            string
	Summary          string
	URL              string
	Host             string
	Local            bool
	ApprovalRequired bool
	PaymentLinks     string
	FlattrsAllTime   int64
	CheersAllTime    int64
	Funders          int64
	CountsAt         *time.Time
	DeletedAt        *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (thingRow) TableName() string { return "things" }

func (r *thingRow) thing() *app.Thing {
	t := &app.Thing{
		ID: r.ID, URI: r.URI, OwnerURI: r.OwnerURI, OwnerConfirmed: r.OwnerConfirmed, Kind: r.Kind,
		Title: r.Title, Summary: r.Summary, URL: r.URL, Host: r.Host, Local: r.Local,
		ApprovalRequired: r.ApprovalRequired, DeletedAt: r.DeletedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.PaymentLinks != "" {
		// Written by UpsertThing only; a row that does not parse shows
		// no links rather than failing the read.
		_ = json.Unmarshal([]byte(r.PaymentLinks), &t.PaymentLinks)
	}
	return t
}

// thingCountRow is a thing's counts in one month.
type thingCountRow struct {
	ThingURI  string `gorm:"primaryKey"`
	Month     string `gorm:"primaryKey"`
	Flattrs   int64
	Cheers    int64
	Weight    int64
	UpdatedAt time.Time
}

func (thingCountRow) TableName() string { return "thing_counts" }

// recipientRow is one co-creator's share.
type recipientRow struct {
	SubjectURI   string `gorm:"primaryKey"`
	RecipientURI string `gorm:"primaryKey"`
	Share        int
}

func (recipientRow) TableName() string { return "recipients" }

// UpsertThing stores a thing by its URI: new, or its description and owner
// updated (its counts and creation time are kept). It sets t.ID.
func (s *Things) UpsertThing(ctx context.Context, t *app.Thing) error {
	now := time.Now().UTC()
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now
	}
	t.UpdatedAt = now
	links := ""
	if len(t.PaymentLinks) > 0 {
		b, err := json.Marshal(t.PaymentLinks)
		if err != nil {
			return err
		}
		links = string(b)
	}
	r := thingRow{
		URI: t.URI, OwnerURI: t.OwnerURI, OwnerConfirmed: t.OwnerConfirmed, Kind: t.Kind, Title: t.Title,
		Summary: t.Summary, URL: t.URL, Host: t.Host, Local: t.Local, ApprovalRequired: t.ApprovalRequired, PaymentLinks: links,
		DeletedAt: t.DeletedAt, CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt,
	}
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "uri"}},
		DoUpdates: clause.AssignmentColumns([]string{
			"owner_uri", "owner_confirmed", "kind", "title", "summary", "url", "host", "local", "approval_required",
			"payment_links", "deleted_at", "updated_at",
		}),
	}).Create(&r).Error
	if err != nil {
		return translate(err, "thing "+t.URI)
	}
	if r.ID == 0 {
		var got thingRow
		if err := s.conn(ctx).Select("id").Where("uri = ?", t.URI).First(&got).Error; err != nil {
			return translate(err, "thing "+t.URI)
		}
		r.ID = got.ID
	}
	t.ID = r.ID
	return nil
}

// ThingByURI loads a thing by its canonical id.
func (s *Things) ThingByURI(ctx context.Context, uri string) (*app.Thing, error) {
	var r thingRow
	if err := s.conn(ctx).Where("uri = ?", uri).First(&r).Error; err != nil {
		return nil, translate(err, "thing "+uri)
	}
	return r.thing(), nil
}

// ThingByURL loads a thing by its canonical id or, failing that, by its
// display link (a post's web page).
func (s *Things) ThingByURL(ctx context.Context, url string) (*app.Thing, error) {
	var r thingRow
	err := s.conn(ctx).Where("uri = ?", url).Or("url = ?", url).Order("id").First(&r).Error
	if err != nil {
		return nil, translate(err, "thing "+url)
	}
	return r.thing(), nil
}

// ThingsOwnedBy lists ownerURI's things, newest first, at most limit.
func (s *Things) ThingsOwnedBy(ctx context.Context, ownerURI string, limit int) ([]app.Thing, error) {
	var rows []thingRow
	err := s.conn(ctx).Where("owner_uri = ? AND deleted_at IS NULL", ownerURI).Order("id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "things of "+ownerURI)
	}
	out := make([]app.Thing, len(rows))
	for i := range rows {
		out[i] = *rows[i].thing()
	}
	return out, nil
}

// MarkThingDeleted records that a thing was deleted at its origin; its
// flattrs and counts are kept.
func (s *Things) MarkThingDeleted(ctx context.Context, uri string, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&thingRow{}).Where("uri = ? AND deleted_at IS NULL", uri).
		Updates(map[string]any{"deleted_at": at.UTC(), "updated_at": at.UTC()})
	return res.RowsAffected > 0, translate(res.Error, "delete thing "+uri)
}

// LockThing holds the thing's row until the transaction ctx carries ends,
// so that recounts of one thing run one at a time (PostgreSQL; SQLite's
// transactions hold the whole database already).
func (s *Things) LockThing(ctx context.Context, uri string) error {
	if s.dialect != Postgres {
		return nil
	}
	var r thingRow
	err := s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Where("uri = ?", uri).Limit(1).Find(&r).Error
	return translate(err, "lock thing "+uri)
}

// recount is what RecountThing reads in one statement.
type recount struct {
	FlattrsMonth, WeightMonth, CheersMonth, FlattrsAll, CheersAll, Funders int64
}

// RecountThing computes a thing's counts for month from its flattrs and
// cheers (plain likes, without a reaction) and stores them, in the
// thing's row (all time) and in thing_counts (the month). Call it in the
// transaction that changed a flattr or like, after LockThing.
func (s *Things) RecountThing(ctx context.Context, uri, month string, now time.Time) (app.ThingCounts, error) {
	start, end, err := app.MonthBounds(month)
	if err != nil {
		return app.ThingCounts{}, err
	}
	// One pass over the thing's flattrs and one over its likes, each on
	// its index (flattrs_thing_idx, likes_object_idx).
	var c recount
	err = s.conn(ctx).Raw(`SELECT f.flattrs_month, f.weight_month, f.flattrs_all, f.funders, l.cheers_month, l.cheers_all
FROM (SELECT
    count(*) FILTER (WHERE month = @month AND state = 'active') AS flattrs_month,
    coalesce(sum(weight) FILTER (WHERE month = @month AND state = 'active'), 0) AS weight_month,
    count(*) FILTER (WHERE state = 'active') AS flattrs_all,
    count(DISTINCT funder_key) FILTER (WHERE state = 'active') AS funders
  FROM flattrs WHERE thing_uri = @uri) f,
 (SELECT
    count(*) FILTER (WHERE created_at >= @start AND created_at < @end) AS cheers_month,
    count(*) AS cheers_all
  FROM likes WHERE object_uri = @uri AND content = '') l`,
		map[string]any{"uri": uri, "month": month, "start": start, "end": end}).Scan(&c).Error
	if err != nil {
		return app.ThingCounts{}, translate(err, "recount "+uri)
	}
	now = now.UTC()
	row := thingCountRow{ThingURI: uri, Month: month, Flattrs: c.FlattrsMonth, Cheers: c.CheersMonth, Weight: c.WeightMonth, UpdatedAt: now}
	err = s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "thing_uri"}, {Name: "month"}},
		DoUpdates: clause.AssignmentColumns([]string{"flattrs", "cheers", "weight", "updated_at"}),
	}).Create(&row).Error
	if err != nil {
		return app.ThingCounts{}, translate(err, "counts of "+uri)
	}
	err = s.conn(ctx).Model(&thingRow{}).Where("uri = ?", uri).Updates(map[string]any{
		"flattrs_all_time": c.FlattrsAll, "cheers_all_time": c.CheersAll, "funders": c.Funders, "counts_at": now,
	}).Error
	if err != nil {
		return app.ThingCounts{}, translate(err, "counts of "+uri)
	}
	return app.ThingCounts{
		Month: month, FlattrsMonth: c.FlattrsMonth, FlattrsAllTime: c.FlattrsAll, CheersMonth: c.CheersMonth,
		CheersAllTime: c.CheersAll, Funders: c.Funders, UpdatedAt: now,
	}, nil
}

// countsRow is what ThingCounts reads.
type countsRow struct {
	FlattrsAllTime, CheersAllTime, Funders int64
	CountsAt                               *time.Time
	Flattrs, Cheers                        *int64
	MonthAt                                *time.Time
}

// ThingCounts reads a thing's cached counts for month in one query. A
// thing never counted has zero counts; an unknown one is app.ENOTFOUND.
func (s *Things) ThingCounts(ctx context.Context, uri, month string) (app.ThingCounts, error) {
	var rows []countsRow
	err := s.conn(ctx).Raw(`SELECT t.flattrs_all_time, t.cheers_all_time, t.funders, t.counts_at,
  c.flattrs, c.cheers, c.updated_at AS month_at
FROM things t LEFT JOIN thing_counts c ON c.thing_uri = t.uri AND c.month = ?
WHERE t.uri = ?`, month, uri).Scan(&rows).Error
	if err != nil {
		return app.ThingCounts{}, translate(err, "counts of "+uri)
	}
	if len(rows) == 0 {
		return app.ThingCounts{}, translate(errNotFound, "thing "+uri)
	}
	r := rows[0]
	c := app.ThingCounts{Month: month, FlattrsAllTime: r.FlattrsAllTime, CheersAllTime: r.CheersAllTime, Funders: r.Funders}
	if r.Flattrs != nil {
		c.FlattrsMonth, c.CheersMonth = *r.Flattrs, *r.Cheers
	}
	if r.CountsAt != nil {
		c.UpdatedAt = r.CountsAt.UTC()
	}
	return c, nil
}

// TopThings lists the things with the most flattrs in month, at most limit.
func (s *Things) TopThings(ctx context.Context, month string, limit int) ([]app.Thing, error) {
	var rows []thingRow
	err := s.conn(ctx).Table("things").Select("things.*").
		Joins("JOIN thing_counts c ON c.thing_uri = things.uri AND c.month = ?", month).
		Where("c.flattrs > 0 AND things.deleted_at IS NULL").Order("c.flattrs DESC, things.id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "top things of "+month)
	}
	out := make([]app.Thing, len(rows))
	for i := range rows {
		out[i] = *rows[i].thing()
	}
	return out, nil
}

// SetRecipients replaces the co-creators of subjectURI (a thing or a
// creator's actor); none removes the split.
func (s *Things) SetRecipients(ctx context.Context, subjectURI string, rs []app.Recipient) error {
	if err := s.conn(ctx).Where("subject_uri = ?", subjectURI).Delete(&recipientRow{}).Error; err != nil {
		return translate(err, "recipients of "+subjectURI)
	}
	if len(rs) == 0 {
		return nil
	}
	rows := make([]recipientRow, len(rs))
	for i, r := range rs {
		rows[i] = recipientRow{SubjectURI: subjectURI, RecipientURI: r.RecipientURI, Share: r.Share}
	}
	return translate(s.conn(ctx).Create(&rows).Error, "recipients of "+subjectURI)
}

// Recipients lists the co-creators of subjectURI, by recipient.
func (s *Things) Recipients(ctx context.Context, subjectURI string) ([]app.Recipient, error) {
	var rows []recipientRow
	if err := s.conn(ctx).Where("subject_uri = ?", subjectURI).Order("recipient_uri").Find(&rows).Error; err != nil {
		return nil, translate(err, "recipients of "+subjectURI)
	}
	out := make([]app.Recipient, len(rows))
	for i, r := range rows {
		out[i] = app.Recipient{SubjectURI: r.SubjectURI, RecipientURI: r.RecipientURI, Share: r.Share}
	}
	return out, nil
}
