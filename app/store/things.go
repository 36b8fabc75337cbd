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

// ThingByID loads a thing by its row id.
func (s *Things) ThingByID(ctx context.Context, id int64) (*app.Thing, error) {
	var r thingRow
	if err := s.conn(ctx).Where("id = ?", id).First(&r).Error; err != nil {
		return nil, translate(err, "thing")
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

// RecountThing recomputes one thing's counts of month (see
// RecountThings) and returns them.
func (s *Things) RecountThing(ctx context.Context, uri, month string, now time.Time) (app.ThingCounts, error) {
	if err := s.RecountThings(ctx, []app.ThingMonth{{URI: uri, Month: month}}, now); err != nil {
		return app.ThingCounts{}, err
	}
	return s.ThingCounts(ctx, uri, month)
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

// RecipientsOf lists the co-creators of each of subjectURIs that has a
// split, by subject and then by recipient.
func (s *Things) RecipientsOf(ctx context.Context, subjectURIs []string) (map[string][]app.Recipient, error) {
	out := map[string][]app.Recipient{}
	for from := 0; from < len(subjectURIs); from += sqliteBulkRows {
		var rows []recipientRow
		err := s.conn(ctx).Where("subject_uri IN ?", subjectURIs[from:min(from+sqliteBulkRows, len(subjectURIs))]).
			Order("subject_uri, recipient_uri").Find(&rows).Error
		if err != nil {
			return nil, translate(err, "recipients")
		}
		for _, r := range rows {
			out[r.SubjectURI] = append(out[r.SubjectURI], app.Recipient{SubjectURI: r.SubjectURI, RecipientURI: r.RecipientURI, Share: r.Share})
		}
	}
	return out, nil
}
