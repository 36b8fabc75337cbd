package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// Settlements persists peers, statements and settlements between
// instances.
type Settlements struct{ *Database }

type peerRow struct {
	Host            string `gorm:"primaryKey"`
	InstanceActor   string
	Inbox           string
	Currency        string
	Settles         bool
	ProtocolVersion int
	CheckedAt       time.Time
}

func (peerRow) TableName() string { return "peers" }

func (r *peerRow) peer() *app.Peer {
	return &app.Peer{Host: r.Host, InstanceActor: r.InstanceActor, Inbox: r.Inbox, Currency: r.Currency, Settles: r.Settles,
		ProtocolVersion: r.ProtocolVersion, CheckedAt: r.CheckedAt.UTC()}
}

type statementRow struct {
	URI        string `gorm:"primaryKey"`
	Direction  string
	PeerHost   string
	Month      string
	Version    int
	Supersedes string
	Currency   string
	Total      int64
	Lines      int64
	State      string
	Reasons    string
	Document   string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (statementRow) TableName() string { return "statements" }

func (r *statementRow) statement() (*app.Statement, error) {
	st := &app.Statement{URI: r.URI, Direction: r.Direction, PeerHost: r.PeerHost, Month: r.Month, Version: r.Version,
		Supersedes: r.Supersedes, Currency: r.Currency, Total: r.Total, LineCount: r.Lines, State: r.State,
		Document: []byte(r.Document), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.Reasons != "" {
		if err := json.Unmarshal([]byte(r.Reasons), &st.Reasons); err != nil {
			return nil, app.Errorf(app.EINTERNAL, "statement %s: stored reasons: %v", r.URI, err)
		}
	}
	return st, nil
}

type statementLineRow struct {
	StatementURI string `gorm:"primaryKey"`
	Idx          int    `gorm:"primaryKey"`
	LikeURI      string
	ThingURI     string
	Amount       int64
	Claimant     string
}

func (statementLineRow) TableName() string { return "statement_lines" }

type statementEventRow struct {
	ID           int64
	StatementURI string
	State        string
	Note         string
	At           time.Time
}

func (statementEventRow) TableName() string { return "statement_events" }

type statementCreditRow struct {
	StatementURI string `gorm:"primaryKey"`
	CreatorURI   string `gorm:"primaryKey"`
	Amount       int64
}

func (statementCreditRow) TableName() string { return "statement_credits" }

type settlementRow struct {
	PeerHost    string `gorm:"primaryKey"`
	Month       string `gorm:"primaryKey"`
	Currency    string
	Outgoing    int64
	Incoming    int64
	Net         int64
	Reference   string
	URI         string
	ConfirmedBy string
	LedgerKey   string
	Document    string
	CreatedAt   time.Time
}

func (settlementRow) TableName() string { return "settlements" }

func (r *settlementRow) settlement() *app.Settlement {
	return &app.Settlement{PeerHost: r.PeerHost, Month: r.Month, Currency: r.Currency, Outgoing: r.Outgoing, Incoming: r.Incoming,
		Net: r.Net, Reference: r.Reference, URI: r.URI, ConfirmedBy: r.ConfirmedBy, LedgerKey: r.LedgerKey,
		Document: []byte(r.Document), CreatedAt: r.CreatedAt.UTC()}
}

// SavePeer stores what a peer's NodeInfo said.
func (s *Settlements) SavePeer(ctx context.Context, p *app.Peer) error {
	r := peerRow{Host: p.Host, InstanceActor: p.InstanceActor, Inbox: p.Inbox, Currency: p.Currency, Settles: p.Settles,
		ProtocolVersion: p.ProtocolVersion, CheckedAt: p.CheckedAt.UTC()}
	err := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "host"}}, UpdateAll: true}).Create(&r).Error
	return translate(err, "peer "+p.Host)
}

// Peer loads what is known of host; app.ENOTFOUND when nothing.
func (s *Settlements) Peer(ctx context.Context, host string) (*app.Peer, error) {
	var r peerRow
	if err := s.conn(ctx).Where("host = ?", host).First(&r).Error; err != nil {
		return nil, translate(err, "peer "+host)
	}
	return r.peer(), nil
}

// PayableHosts lists the peers a month's statements owe money to: its
// close, and escrow released to their creators.
func (s *Settlements) PayableHosts(ctx context.Context, month string) ([]string, error) {
	var hosts []string
	err := s.conn(ctx).Raw(`SELECT account_key FROM month_close_lines WHERE month = ? AND account_kind = ?
UNION SELECT peer_host FROM peer_escrow_lines WHERE statement_month = ? ORDER BY 1`, month, app.AccountPayable, month).Scan(&hosts).Error
	return hosts, translate(err, "payable hosts of "+month)
}

// PayableLines adds up what month's statement owes host, per Like and
// thing, in Like order: the close's shares, and escrow released to
// creators who claimed their accounts there.
func (s *Settlements) PayableLines(ctx context.Context, month, host string) ([]app.StatementLine, error) {
	var lines []app.StatementLine
	err := s.conn(ctx).Raw(`SELECT like_uri, thing_uri, claimant, SUM(amount) AS amount FROM (
  SELECT activity_uri AS like_uri, thing_uri, '' AS claimant, amount FROM month_close_lines
  WHERE month = ? AND account_kind = ? AND account_key = ?
  UNION ALL
  SELECT activity_uri, thing_uri, claimant, amount FROM peer_escrow_lines WHERE statement_month = ? AND peer_host = ?
) x GROUP BY like_uri, thing_uri, claimant ORDER BY like_uri, thing_uri, claimant`,
		month, app.AccountPayable, host, month, host).Scan(&lines).Error
	return lines, translate(err, "payable lines of "+month+" to "+host)
}

type claimNoticeRow struct {
	ClaimID  int64  `gorm:"primaryKey"`
	PeerHost string `gorm:"primaryKey"`
	SentAt   time.Time
}

func (claimNoticeRow) TableName() string { return "claim_notices" }

// RecordClaimNotice stores that peer was told of claim id; false when it
// was told already.
func (s *Settlements) RecordClaimNotice(ctx context.Context, id int64, peer string, at time.Time) (bool, error) {
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&claimNoticeRow{ClaimID: id, PeerHost: peer, SentAt: at.UTC()})
	if res.Error != nil {
		return false, translate(res.Error, "claim notice")
	}
	return res.RowsAffected == 1, nil
}

// PeersToTell lists, per verified claim of an account elsewhere made
// here, the settling peers not told of it yet (claim id → hosts).
func (s *Settlements) PeersToTell(ctx context.Context, currency string) (map[int64][]string, error) {
	var rows []struct {
		ID   int64
		Host string
	}
	err := s.conn(ctx).Raw(`SELECT c.id, p.host FROM claims c CROSS JOIN peers p
WHERE c.kind = ? AND c.state = ? AND p.settles AND p.currency = ? AND p.instance_actor <> ''
  AND NOT EXISTS (SELECT 1 FROM claim_notices n WHERE n.claim_id = c.id AND n.peer_host = p.host)
ORDER BY c.id, p.host`, app.ClaimActor, app.ClaimVerified, currency).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "claims to tell peers of")
	}
	out := map[int64][]string{}
	for _, r := range rows {
		out[r.ID] = append(out[r.ID], r.Host)
	}
	return out, nil
}

type peerClaimRow struct {
	Subject   string `gorm:"primaryKey"`
	PeerHost  string `gorm:"primaryKey"`
	Claimant  string
	URI       string
	CheckedAt time.Time
}

func (peerClaimRow) TableName() string { return "peer_claims" }

// SavePeerClaim stores a checked claim a peer told of.
func (s *Settlements) SavePeerClaim(ctx context.Context, c *app.PeerClaim, at time.Time) error {
	err := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "subject"}, {Name: "peer_host"}}, UpdateAll: true}).
		Create(&peerClaimRow{Subject: c.Subject, PeerHost: c.PeerHost, Claimant: c.Claimant, URI: c.URI, CheckedAt: at.UTC()}).Error
	return translate(err, "peer claim of "+c.Subject)
}

// InsertPeerEscrowLines stores escrow released to a peer's creator, to
// travel in the peer's statement of month.
func (s *Settlements) InsertPeerEscrowLines(ctx context.Context, month, peer, claimant string, lines []app.CloseLine) error {
	for _, l := range lines {
		err := s.conn(ctx).Exec(`INSERT INTO peer_escrow_lines (statement_month, peer_host, activity_uri, thing_uri, claimant, amount) VALUES (?, ?, ?, ?, ?, ?)`,
			month, peer, l.ActivityURI, l.ThingURI, claimant, l.Amount).Error
		if err != nil {
			return translate(err, "escrow line to "+peer)
		}
	}
	return nil
}

// VerifiedClaimsOf lists the verified actor claims of a local creator.
func (s *Settlements) VerifiedClaimsOf(ctx context.Context, actorURI string) ([]app.Claim, error) {
	var rows []claimRow
	if err := s.conn(ctx).Where("actor_uri = ? AND kind = ? AND state = ?", actorURI, app.ClaimActor, app.ClaimVerified).Find(&rows).Error; err != nil {
		return nil, translate(err, "claims of "+actorURI)
	}
	out := make([]app.Claim, len(rows))
	for i := range rows {
		out[i] = *rows[i].claim()
	}
	return out, nil
}

// InsertStatement stores st with its lines and its first event; false
// when a statement with its URI exists.
func (s *Settlements) InsertStatement(ctx context.Context, st *app.Statement, note string) (bool, error) {
	reasons, err := reasonsJSON(st.Reasons)
	if err != nil {
		return false, err
	}
	r := statementRow{URI: st.URI, Direction: st.Direction, PeerHost: st.PeerHost, Month: st.Month, Version: st.Version,
		Supersedes: st.Supersedes, Currency: st.Currency, Total: st.Total, Lines: int64(len(st.Lines)), State: st.State,
		Reasons: reasons, Document: string(st.Document), CreatedAt: st.CreatedAt.UTC(), UpdatedAt: st.UpdatedAt.UTC()}
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	if res.Error != nil {
		return false, translate(res.Error, "statement "+st.URI)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	if len(st.Lines) > 0 {
		rows := make([]statementLineRow, len(st.Lines))
		for i, l := range st.Lines {
			rows[i] = statementLineRow{StatementURI: st.URI, Idx: i, LikeURI: l.LikeURI, ThingURI: l.ThingURI, Amount: l.Amount, Claimant: l.Claimant}
		}
		if err := s.conn(ctx).CreateInBatches(rows, 1000).Error; err != nil {
			return false, translate(err, "lines of statement "+st.URI)
		}
	}
	return true, s.addEvent(ctx, st.URI, st.State, note, st.CreatedAt)
}

func reasonsJSON(ds []app.Dispute) (string, error) {
	if len(ds) == 0 {
		return "", nil
	}
	b, err := json.Marshal(ds)
	if err != nil {
		return "", app.Errorf(app.EINTERNAL, "dispute reasons: %v", err)
	}
	return string(b), nil
}

func (s *Settlements) addEvent(ctx context.Context, uri, state, note string, at time.Time) error {
	return translate(s.conn(ctx).Create(&statementEventRow{StatementURI: uri, State: state, Note: note, At: at.UTC()}).Error,
		"history of statement "+uri)
}

// Statement loads a statement (with its lines when lines is true).
func (s *Settlements) Statement(ctx context.Context, uri string, lines bool) (*app.Statement, error) {
	var r statementRow
	if err := s.conn(ctx).Where("uri = ?", uri).First(&r).Error; err != nil {
		return nil, translate(err, "statement "+uri)
	}
	st, err := r.statement()
	if err != nil || !lines {
		return st, err
	}
	var rows []statementLineRow
	if err := s.conn(ctx).Where("statement_uri = ?", uri).Order("idx").Find(&rows).Error; err != nil {
		return nil, translate(err, "lines of statement "+uri)
	}
	st.Lines = make([]app.StatementLine, len(rows))
	for i, l := range rows {
		st.Lines[i] = app.StatementLine{LikeURI: l.LikeURI, ThingURI: l.ThingURI, Amount: l.Amount, Claimant: l.Claimant}
	}
	return st, nil
}

// Statements lists the statements of a direction with host for month,
// newest version first (every month and host when they are "").
func (s *Settlements) Statements(ctx context.Context, direction, host, month string) ([]app.Statement, error) {
	q := s.conn(ctx).Where("direction = ?", direction)
	if host != "" {
		q = q.Where("peer_host = ?", host)
	}
	if month != "" {
		q = q.Where("month = ?", month)
	}
	var rows []statementRow
	if err := q.Order("month, peer_host, version DESC").Find(&rows).Error; err != nil {
		return nil, translate(err, "statements")
	}
	out := make([]app.Statement, 0, len(rows))
	for i := range rows {
		st, err := rows[i].statement()
		if err != nil {
			return nil, err
		}
		out = append(out, *st)
	}
	return out, nil
}

// SetStatementState records a statement's new state, its reasons and a
// history event.
func (s *Settlements) SetStatementState(ctx context.Context, uri, state string, reasons []app.Dispute, note string, at time.Time) error {
	rs, err := reasonsJSON(reasons)
	if err != nil {
		return err
	}
	res := s.conn(ctx).Model(&statementRow{}).Where("uri = ?", uri).
		Updates(map[string]any{"state": state, "reasons": rs, "updated_at": at.UTC()})
	if res.Error != nil {
		return translate(res.Error, "statement "+uri)
	}
	if res.RowsAffected == 0 {
		return app.Errorf(app.ENOTFOUND, "no statement %s", uri)
	}
	return s.addEvent(ctx, uri, state, note, at)
}

// StatementHistory lists a statement's events, oldest first.
func (s *Settlements) StatementHistory(ctx context.Context, uri string) ([]app.StatementEvent, error) {
	var rows []statementEventRow
	if err := s.conn(ctx).Where("statement_uri = ?", uri).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "history of statement "+uri)
	}
	out := make([]app.StatementEvent, len(rows))
	for i, r := range rows {
		out[i] = app.StatementEvent{State: r.State, Note: r.Note, At: r.At.UTC()}
	}
	return out, nil
}

// InsertCredits stores what an accepted incoming statement gave each
// creator.
func (s *Settlements) InsertCredits(ctx context.Context, uri string, cs []app.Credit) error {
	if len(cs) == 0 {
		return nil
	}
	rows := make([]statementCreditRow, len(cs))
	for i, c := range cs {
		rows[i] = statementCreditRow{StatementURI: uri, CreatorURI: c.CreatorURI, Amount: c.Amount}
	}
	return translate(s.conn(ctx).CreateInBatches(rows, 1000).Error, "credits of statement "+uri)
}

// CreditsOf adds up, per creator, what the accepted statements received
// from host for month credited.
func (s *Settlements) CreditsOf(ctx context.Context, host, month string) ([]app.Credit, error) {
	var out []app.Credit
	err := s.conn(ctx).Raw(`SELECT c.creator_uri, SUM(c.amount) AS amount FROM statement_credits c
JOIN statements st ON st.uri = c.statement_uri
WHERE st.direction = ? AND st.peer_host = ? AND st.month = ? AND st.state = ?
GROUP BY c.creator_uri ORDER BY c.creator_uri`, app.StatementIn, host, month, app.StatementAccepted).Scan(&out).Error
	return out, translate(err, "credits from "+host+" for "+month)
}

// Nettings adds up, per peer and month, the statements both ways (the
// superseded left out), with the settlement when there is one; host and
// month narrow it when not "".
func (s *Settlements) Nettings(ctx context.Context, host, month string) ([]app.Netting, error) {
	q := `SELECT peer_host, month, MIN(currency) AS currency,
  SUM(CASE WHEN direction = 'out' AND state = 'accepted' THEN total ELSE 0 END) AS outgoing,
  SUM(CASE WHEN direction = 'in' AND state = 'accepted' THEN total ELSE 0 END) AS incoming,
  SUM(CASE WHEN state = 'offered' THEN 1 ELSE 0 END) AS open,
  SUM(CASE WHEN state = 'disputed' THEN 1 ELSE 0 END) AS disputed
FROM statements WHERE state <> 'superseded'`
	var args []any
	if host != "" {
		q += " AND peer_host = ?"
		args = append(args, host)
	}
	if month != "" {
		q += " AND month = ?"
		args = append(args, month)
	}
	q += " GROUP BY peer_host, month ORDER BY month, peer_host"
	var rows []struct {
		PeerHost, Month, Currency          string
		Outgoing, Incoming, Open, Disputed int64
	}
	if err := s.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "nettings")
	}
	out := make([]app.Netting, len(rows))
	for i, r := range rows {
		out[i] = app.Netting{PeerHost: r.PeerHost, Month: r.Month, Currency: r.Currency, Outgoing: r.Outgoing, Incoming: r.Incoming,
			Open: int(r.Open), Disputed: int(r.Disputed)}
		out[i].Net = out[i].Outgoing - out[i].Incoming
		st, err := s.Settlement(ctx, out[i].PeerHost, out[i].Month)
		switch {
		case err == nil:
			out[i].Settlement = st
		case app.ErrorCode(err) != app.ENOTFOUND:
			return nil, err
		}
	}
	return out, nil
}

// InsertSettlement stores a settlement; false when the month with that
// peer is settled already.
func (s *Settlements) InsertSettlement(ctx context.Context, st *app.Settlement) (bool, error) {
	r := settlementRow{PeerHost: st.PeerHost, Month: st.Month, Currency: st.Currency, Outgoing: st.Outgoing, Incoming: st.Incoming,
		Net: st.Net, Reference: st.Reference, URI: st.URI, ConfirmedBy: st.ConfirmedBy, LedgerKey: st.LedgerKey,
		Document: string(st.Document), CreatedAt: st.CreatedAt.UTC()}
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	if res.Error != nil {
		return false, translate(res.Error, "settlement of "+st.Month+" with "+st.PeerHost)
	}
	return res.RowsAffected == 1, nil
}

// Settlement loads the settlement of month with host; app.ENOTFOUND when
// not settled.
func (s *Settlements) Settlement(ctx context.Context, host, month string) (*app.Settlement, error) {
	var r settlementRow
	if err := s.conn(ctx).Where("peer_host = ? AND month = ?", host, month).First(&r).Error; err != nil {
		return nil, translate(err, "settlement of "+month+" with "+host)
	}
	return r.settlement(), nil
}

// ReceivedFlattrs loads the stored flattrs among activityURIs, by
// activity URI.
func (s *Settlements) ReceivedFlattrs(ctx context.Context, activityURIs []string) (map[string]*app.Flattr, error) {
	out := make(map[string]*app.Flattr, len(activityURIs))
	for start := 0; start < len(activityURIs); start += 5000 {
		end := min(start+5000, len(activityURIs))
		var rows []flattrRow
		if err := s.conn(ctx).Where("activity_uri IN ?", activityURIs[start:end]).Find(&rows).Error; err != nil {
			return nil, translate(err, "flattrs")
		}
		for i := range rows {
			out[rows[i].ActivityURI] = rows[i].flattr()
		}
	}
	return out, nil
}

// ThingsAmong loads the stored things among uris, by URI, in chunks.
func (s *Settlements) ThingsAmong(ctx context.Context, uris []string) (map[string]*app.Thing, error) {
	out := make(map[string]*app.Thing, len(uris))
	for start := 0; start < len(uris); start += 5000 {
		end := min(start+5000, len(uris))
		var rows []thingRow
		if err := s.conn(ctx).Where("uri IN ?", uris[start:end]).Find(&rows).Error; err != nil {
			return nil, translate(err, "things")
		}
		for i := range rows {
			out[rows[i].URI] = rows[i].thing()
		}
	}
	return out, nil
}

// RecipientsAmong loads the co-creators of the subjects among uris, by
// subject, each by recipient.
func (s *Settlements) RecipientsAmong(ctx context.Context, uris []string) (map[string][]app.Recipient, error) {
	out := map[string][]app.Recipient{}
	for start := 0; start < len(uris); start += 5000 {
		end := min(start+5000, len(uris))
		var rows []recipientRow
		if err := s.conn(ctx).Where("subject_uri IN ?", uris[start:end]).Order("subject_uri, recipient_uri").Find(&rows).Error; err != nil {
			return nil, translate(err, "recipients")
		}
		for _, r := range rows {
			out[r.SubjectURI] = append(out[r.SubjectURI], app.Recipient{SubjectURI: r.SubjectURI, RecipientURI: r.RecipientURI, Share: r.Share})
		}
	}
	return out, nil
}

// FlattredCreators lists who local funders' flattrs of month pay: the
// owners and co-creators of the things flattred.
func (s *Settlements) FlattredCreators(ctx context.Context, month string) ([]string, error) {
	var out []string
	err := s.conn(ctx).Raw(`SELECT t.owner_uri FROM flattrs f JOIN things t ON t.uri = f.thing_uri
WHERE f.local AND f.month = ? AND t.owner_uri <> ''
UNION
SELECT r.recipient_uri FROM flattrs f JOIN recipients r ON r.subject_uri = f.thing_uri
WHERE f.local AND f.month = ?`, month, month).Scan(&out).Error
	return out, translate(err, "creators flattred in "+month)
}

// LikesInAccepted tells which of likeURIs are lines of a statement
// accepted before (by statement URI), so that no Like is paid twice.
func (s *Settlements) LikesInAccepted(ctx context.Context, direction, host string, likeURIs []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(likeURIs); start += 5000 {
		end := min(start+5000, len(likeURIs))
		var rows []struct{ LikeURI, StatementURI string }
		err := s.conn(ctx).Raw(`SELECT l.like_uri, l.statement_uri FROM statement_lines l JOIN statements st ON st.uri = l.statement_uri
WHERE st.direction = ? AND st.peer_host = ? AND st.state = ? AND l.like_uri IN ?`, direction, host, app.StatementAccepted, likeURIs[start:end]).Scan(&rows).Error
		if err != nil {
			return nil, translate(err, "Likes in accepted statements")
		}
		for _, r := range rows {
			out[r.LikeURI] = r.StatementURI
		}
	}
	return out, nil
}

// FundersOfLikes tells whose close each of likeURIs was paid from (the
// Like's funder, by its close lines).
func (s *Settlements) FundersOfLikes(ctx context.Context, likeURIs []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(likeURIs); start += 5000 {
		end := min(start+5000, len(likeURIs))
		var rows []struct{ ActivityURI, FunderURI string }
		if err := s.conn(ctx).Raw(`SELECT DISTINCT activity_uri, funder_uri FROM month_close_lines WHERE activity_uri IN ?`, likeURIs[start:end]).Scan(&rows).Error; err != nil {
			return nil, translate(err, "funders of Likes")
		}
		for _, r := range rows {
			out[r.ActivityURI] = r.FunderURI
		}
	}
	return out, nil
}
