package autoflattr

import "testing"

func TestSealer(t *testing.T) {
	s, err := NewSealer("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Seal("plt_secret"), s.Seal("plt_secret")
	if a == b {
		t.Fatal("two seals of one token are equal: the nonce is not fresh")
	}
	if got, err := s.Open(a); err != nil || got != "plt_secret" {
		t.Fatalf("open = %q, %v", got, err)
	}
	tampered := []byte(a)
	tampered[len(tampered)-2] ^= 1
	if _, err := s.Open(string(tampered)); err == nil {
		t.Fatal("a tampered seal opened")
	}
	other, _ := NewSealer("ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=")
	if _, err := other.Open(a); err == nil {
		t.Fatal("a seal opened with another key")
	}
	for _, bad := range []string{"", "short", "bm90IDMyIGJ5dGVz"} {
		if _, err := NewSealer(bad); err == nil {
			t.Errorf("NewSealer(%q) took a bad key", bad)
		}
	}
}
