package session

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"
)

func testRing(t *testing.T, id uint64) *Ring {
	t.Helper()
	secret := make([]byte, 32)
	secret[0] = byte(id)
	r, err := NewRing(Key{ID: id, Secret: secret}, nil, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSealedClaimsOpenUnchanged(t *testing.T) {
	r := testRing(t, 1)
	akid, secret, err := r.NewCredentials()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(akid, "ASIA") || len(akid) != 20 || len(secret) != 40 {
		t.Fatalf("credentials have the wrong shape: %q (%d), secret length %d", akid, len(akid), len(secret))
	}
	in := &Claims{AccessKeyID: akid, SecretAccessKey: secret, RoleARN: "arn:aws:iam::000000000000:role/deploy",
		SessionName: "GitHubActions", Issued: time.Unix(1700000000, 0).UTC(), Expires: time.Unix(1700003600, 0).UTC(),
		Tags: []Tag{{"repository", "acme/app"}}, Policy: `{"Version":"2012-10-17"}`}
	tok, err := r.Seal(in)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tok, secret) {
		t.Fatal("the token carries the secret in clear")
	}
	out, err := r.Open(tok)
	if err != nil {
		t.Fatal(err)
	}
	if out.RoleARN != in.RoleARN || out.SecretAccessKey != secret || !out.Expires.Equal(in.Expires) || out.Tags[0] != in.Tags[0] || out.Policy != in.Policy {
		t.Fatalf("opened claims differ: %+v", out)
	}
	other := akid[:19] + "X"
	if akid[19] == 'X' {
		other = akid[:19] + "Y"
	}
	if !out.Match(akid) || out.Match(other) {
		t.Fatal("Match does not compare the access key id")
	}
}

func TestAlteredTokensDoNotOpen(t *testing.T) {
	r := testRing(t, 1)
	tok, err := r.Seal(&Claims{AccessKeyID: "ASIAXXXX"})
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]string{
		"empty":             "",
		"no prefix":         tok[2:],
		"truncated":         tok[:len(tok)-3],
		"one byte flipped":  tok[:10] + string(tok[10]^1) + tok[11:],
		"not base64":        "IQ!!!!",
		"too long":          "IQ" + strings.Repeat("A", MaxTokenLen),
		"other ring's seal": mustSeal(t, testRing(t, 2)),
	} {
		if _, err := r.Open(bad); err != ErrInvalid {
			t.Errorf("%s: Open = %v, want ErrInvalid", name, err)
		}
	}
}

func TestRetiredKeysStillOpenAfterRotation(t *testing.T) {
	old := testRing(t, 1)
	tok := mustSeal(t, old)
	secretOld := make([]byte, 32)
	secretOld[0] = 1
	secretNew := make([]byte, 32)
	secretNew[0] = 9
	r, err := NewRing(Key{ID: 9, Secret: secretNew}, []Key{{ID: 1, Secret: secretOld}}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Open(tok); err != nil {
		t.Fatalf("a token sealed before rotation no longer opens: %v", err)
	}
	if err := r.Replace(Key{ID: 9, Secret: secretNew}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Open(tok); err != ErrInvalid {
		t.Fatalf("a token of a removed key still opens: %v", err)
	}
}

// Open remembers opened tokens: the cache must neither let an altered copy of a remembered
// token open nor grow past its bound, and every token must still open once it is full.
func TestOpenedTokensAreRememberedWithinBounds(t *testing.T) {
	r := testRing(t, 1)
	tok := mustSeal(t, r)
	first, err := r.Open(tok)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := r.Open(tok); err != nil || again != first {
		t.Fatalf("a token opened twice: %v, same claims %v", err, again == first)
	}
	if _, err := r.Open(tok[:10] + string(tok[10]^1) + tok[11:]); err != ErrInvalid {
		t.Fatalf("an altered copy of a remembered token: %v", err)
	}
	toks := make([]string, maxOpened+100)
	for i := range toks {
		toks[i] = mustSeal(t, r)
		if _, err := r.Open(toks[i]); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(r.opened); n > maxOpened {
		t.Fatalf("the cache holds %d tokens, over its bound %d", n, maxOpened)
	}
	for _, tok := range toks[:200] { // some were evicted: they open again from the seal
		if _, err := r.Open(tok); err != nil {
			t.Fatal(err)
		}
	}
}

func mustSeal(t *testing.T, r *Ring) string {
	t.Helper()
	tok, err := r.Seal(&Claims{AccessKeyID: "ASIAXXXX"})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func BenchmarkOpen(b *testing.B) {
	secret := make([]byte, 32)
	r, _ := NewRing(Key{ID: 1, Secret: secret}, nil, rand.Reader)
	tok, _ := r.Seal(&Claims{AccessKeyID: "ASIAABCDEFGHIJKLMNOP", SecretAccessKey: strings.Repeat("s", 40),
		RoleARN: "arn:aws:iam::000000000000:role/deploy", SessionName: "GitHubActions", Issued: time.Now(), Expires: time.Now()})
	b.ReportAllocs()
	b.Run("remembered", func(b *testing.B) {
		for b.Loop() {
			if _, err := r.Open(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			r.Replace(Key{ID: 1, Secret: secret}, nil) // forgets what was opened
			if _, err := r.Open(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}
