package app_test

import (
	"math"
	"testing"

	"github.com/plaudit/plaudit/app"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		name, in, code string
		want           int64
		bad            bool
	}{
		{name: "euros and cents", in: "2.50", code: "EUR", want: 250},
		{name: "whole euros", in: "2", code: "eur", want: 200},
		{name: "one decimal", in: "0.5", code: "EUR", want: 50},
		{name: "negative", in: "-1.25", code: "EUR", want: -125},
		{name: "yen has no cents", in: "150", code: "JPY", want: 150},
		{name: "three-digit dinar", in: "1.005", code: "KWD", want: 1005},
		{name: "too many decimals", in: "2.505", code: "EUR", bad: true},
		{name: "yen with decimals", in: "1.5", code: "JPY", bad: true},
		{name: "unknown currency", in: "1", code: "XYZ", bad: true},
		{name: "not a number", in: "two", code: "EUR", bad: true},
		{name: "float notation", in: "1e3", code: "EUR", bad: true},
		{name: "too large", in: "999999999999999999999", code: "EUR", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := app.ParseMoney(tt.in, tt.code)
			if tt.bad {
				if app.ErrorCode(err) != app.EINVALID {
					t.Fatalf("ParseMoney(%q, %s) = %v, %v; want invalid", tt.in, tt.code, m, err)
				}
				return
			}
			if err != nil || m.Minor != tt.want {
				t.Fatalf("ParseMoney(%q, %s) = %v, %v; want %d minor units", tt.in, tt.code, m, err, tt.want)
			}
		})
	}
}

func TestMoneyRefusesMixedCurrencies(t *testing.T) {
	eur, _ := app.NewMoney(250, "EUR")
	usd, _ := app.NewMoney(100, "USD")
	if _, err := eur.Add(usd); err == nil {
		t.Error("EUR + USD succeeded")
	}
	if _, err := eur.Sub(usd); err == nil {
		t.Error("EUR − USD succeeded")
	}
	if _, err := eur.Cmp(usd); err == nil {
		t.Error("EUR compared with USD")
	}
	sum, err := eur.Add(app.Money{Minor: 50, Currency: "EUR"})
	if err != nil || sum.Minor != 300 || sum.String() != "3.00 EUR" {
		t.Errorf("2.50 + 0.50 = %v, %v", sum, err)
	}
	if _, err := (app.Money{Minor: math.MaxInt64, Currency: "EUR"}).Add(app.Money{Minor: 1, Currency: "EUR"}); err == nil {
		t.Error("overflow not refused")
	}
	if _, err := app.NewMoney(1, "EURO"); err == nil {
		t.Error("NewMoney accepted EURO")
	}
}

func TestMoneyFormat(t *testing.T) {
	m := app.Money{Minor: 123456, Currency: "EUR"}
	for locale, want := range map[string]string{"en-US": "€1,234.56", "de-DE": "1.234,56\u00a0€"} {
		if got := m.Format(locale); got != want {
			t.Errorf("Format(%s) = %q, want %q", locale, got, want)
		}
	}
	if got := m.Decimal(); got != "1234.56" {
		t.Errorf("Decimal = %q", got)
	}
}
