// Package sepa writes payout batches as SEPA credit-transfer files, ISO
// 20022 pain.001.001.03 (the version most European banks accept), for an
// admin to upload to the instance's bank.
package sepa

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
)

// Namespace is pain.001.001.03's XML namespace.
const Namespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"

// Debtor is the instance's own bank account, that the transfers leave.
type Debtor struct {
	Name string
	IBAN string
	BIC  string // optional
}

// Check refuses a debtor without a name or with a bad IBAN or BIC, and
// returns it normalised.
func (d Debtor) Check() (Debtor, error) {
	d.Name = strings.Join(strings.Fields(d.Name), " ")
	if d.Name == "" || d.IBAN == "" {
		return d, app.Errorf(app.EINVALID, "a SEPA file needs the instance's account: set money.sepa_debtor_name and money.sepa_debtor_iban")
	}
	if len([]rune(d.Name)) > app.MaxPayoutName {
		return d, app.Errorf(app.EINVALID, "money.sepa_debtor_name is longer than %d characters", app.MaxPayoutName)
	}
	var err error
	if d.IBAN, err = app.NormalizeIBAN(d.IBAN); err != nil {
		return d, fmt.Errorf("money.sepa_debtor_iban: %w", err)
	}
	if d.BIC != "" {
		if d.BIC, err = app.NormalizeBIC(d.BIC); err != nil {
			return d, fmt.Errorf("money.sepa_debtor_bic: %w", err)
		}
	}
	return d, nil
}

// Write writes batch b's payouts that have not failed as one
// pain.001.001.03 document from debtor, created at now and to be executed
// on now's date. A batch in another currency than EUR, one with nothing
// to pay, or a payout without an IBAN is refused (app.EINVALID) before
// anything is written.
func Write(w io.Writer, b *app.PayoutBatch, debtor Debtor, now time.Time) error {
	doc, err := build(b, debtor, now)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write pain.001 of batch %s: %w", b.ID, err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write pain.001 of batch %s: %w", b.ID, err)
	}
	_, err = io.WriteString(w, "\n")
	return err
}

func build(b *app.PayoutBatch, debtor Debtor, now time.Time) (*document, error) {
	if b.Currency != "EUR" {
		return nil, app.Errorf(app.EINVALID, "SEPA credit transfers are in EUR only; batch %s is in %s (export it as CSV)", b.ID, b.Currency)
	}
	debtor, err := debtor.Check()
	if err != nil {
		return nil, err
	}
	var txs []creditTransfer
	total := app.Money{Currency: "EUR"}
	for _, p := range b.Payouts {
		if p.State == app.PayoutFailed {
			continue
		}
		if p.Details.IBAN == "" {
			return nil, app.Errorf(app.EINVALID, "payout %s has no IBAN: it cannot go in a SEPA file", p.Key)
		}
		if p.Amount.Currency != "EUR" || p.Amount.Minor <= 0 {
			return nil, app.Errorf(app.EINVALID, "payout %s is %s: a SEPA transfer is a positive amount in EUR", p.Key, p.Amount)
		}
		if total, err = total.Add(p.Amount); err != nil {
			return nil, err
		}
		tx := creditTransfer{
			EndToEndID: p.Key,
			Amount:     amount{Currency: "EUR", Value: p.Amount.Decimal()},
			Creditor:   party{Name: p.Details.Name},
			Account:    account{IBAN: p.Details.IBAN},
			Remittance: "Plaudit payout " + b.ID,
		}
		if p.Details.BIC != "" {
			tx.Agent = &agent{Institution: institution{BIC: p.Details.BIC}}
		}
		txs = append(txs, tx)
	}
	if len(txs) == 0 {
		return nil, app.Errorf(app.EINVALID, "batch %s has nothing to pay", b.ID)
	}
	n := fmt.Sprint(len(txs))
	dbtrAgt := agent{Institution: institution{BIC: debtor.BIC}}
	if debtor.BIC == "" {
		dbtrAgt.Institution.Other = &otherID{ID: "NOTPROVIDED"}
	}
	return &document{Xmlns: Namespace, Initiation: initiation{
		Header: groupHeader{MsgID: b.ID, Created: now.UTC().Format("2006-01-02T15:04:05"), Count: n, Sum: total.Decimal(),
			Initiator: party{Name: debtor.Name}},
		Payment: paymentInfo{
			ID: b.ID, Method: "TRF", Batch: true, Count: n, Sum: total.Decimal(),
			Type:      paymentType{ServiceLevel: "SEPA"},
			Execution: now.UTC().Format("2006-01-02"),
			Debtor:    party{Name: debtor.Name}, DebtorAccount: account{IBAN: debtor.IBAN}, DebtorAgent: dbtrAgt,
			ChargeBearer: "SLEV", Transfers: txs,
		},
	}}, nil
}

// The document's elements, in the order the schema wants them.
type document struct {
	XMLName    xml.Name   `xml:"Document"`
	Xmlns      string     `xml:"xmlns,attr"`
	Initiation initiation `xml:"CstmrCdtTrfInitn"`
}

type initiation struct {
	Header  groupHeader `xml:"GrpHdr"`
	Payment paymentInfo `xml:"PmtInf"`
}

type groupHeader struct {
	MsgID     string `xml:"MsgId"`
	Created   string `xml:"CreDtTm"`
	Count     string `xml:"NbOfTxs"`
	Sum       string `xml:"CtrlSum"`
	Initiator party  `xml:"InitgPty"`
}

type paymentInfo struct {
	ID            string           `xml:"PmtInfId"`
	Method        string           `xml:"PmtMtd"`
	Batch         bool             `xml:"BtchBookg"`
	Count         string           `xml:"NbOfTxs"`
	Sum           string           `xml:"CtrlSum"`
	Type          paymentType      `xml:"PmtTpInf"`
	Execution     string           `xml:"ReqdExctnDt"`
	Debtor        party            `xml:"Dbtr"`
	DebtorAccount account          `xml:"DbtrAcct"`
	DebtorAgent   agent            `xml:"DbtrAgt"`
	ChargeBearer  string           `xml:"ChrgBr"`
	Transfers     []creditTransfer `xml:"CdtTrfTxInf"`
}

type paymentType struct {
	ServiceLevel string `xml:"SvcLvl>Cd"`
}

type party struct {
	Name string `xml:"Nm"`
}

type account struct {
	IBAN string `xml:"Id>IBAN"`
}

type agent struct {
	Institution institution `xml:"FinInstnId"`
}

type institution struct {
	BIC   string   `xml:"BIC,omitempty"`
	Other *otherID `xml:"Othr,omitempty"`
}

// otherID names an agent without a BIC ("NOTPROVIDED", as the EPC's
// implementation guidelines say).
type otherID struct {
	ID string `xml:"Id"`
}

type amount struct {
	Currency string `xml:"Ccy,attr"`
	Value    string `xml:",chardata"`
}

type creditTransfer struct {
	EndToEndID string  `xml:"PmtId>EndToEndId"`
	Amount     amount  `xml:"Amt>InstdAmt"`
	Agent      *agent  `xml:"CdtrAgt,omitempty"`
	Creditor   party   `xml:"Cdtr"`
	Account    account `xml:"CdtrAcct"`
	Remittance string  `xml:"RmtInf>Ustrd"`
}
