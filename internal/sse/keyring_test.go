package sse

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/store/sqlstore"
)

func openStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "inkan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func customer(t *testing.T, b byte) CustomerKey {
	t.Helper()
	raw := bytes.Repeat([]byte{b}, 32)
	sum := md5.Sum(raw)
	c, err := ParseCustomerKey("AES256", base64.StdEncoding.EncodeToString(raw), base64.StdEncoding.EncodeToString(sum[:]))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDataKeysOpenOnAnotherNodeAndAfterRotation seals on one keyring, opens
// on a second one sharing the store, rotates on the second, and checks that
// the first seals with the new master key once it refreshes while the old
// objects stay readable.
func TestDataKeysOpenOnAnotherNodeAndAfterRotation(t *testing.T) {
	st := openStore(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a, err := Open(t.Context(), Options{Blobs: st, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(t.Context(), Options{Blobs: st, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if ida, _ := a.ActiveKey(); ida == "" || ida != mustActive(b) {
		t.Fatalf("two nodes of one store must share the first master key")
	}
	old, err := a.NewSSES3(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	newID, err := b.Rotate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	fresh, err := a.NewSSES3(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := mustActive(a); got != newID {
		t.Fatalf("after the refresh node a seals with %s, want the rotated key %s", got, newID)
	}
	for _, dk := range []*objstore.DataKey{old, fresh} {
		for _, k := range []*Keyring{a, b} {
			key, err := k.Open(t.Context(), dk.Encryption, nil)
			if err != nil || !bytes.Equal(key, dk.Key) {
				t.Fatalf("Open = %x, %v; want the data key", key, err)
			}
		}
	}
	if bytes.Equal(old.Sealed[2:18], fresh.Sealed[2:18]) {
		t.Fatal("the old and the new data key name the same master key")
	}
	// a restart reads the same keys
	c, err := Open(t.Context(), Options{Blobs: st, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if key, err := c.Open(t.Context(), old.Encryption, nil); err != nil || !bytes.Equal(key, old.Key) {
		t.Fatalf("after a restart: %v", err)
	}
}

// TestNodesStartingTogetherAgreeOnOneFirstKey opens keyrings concurrently on an empty
// store: they all use the one key that won the compare-and-swap.
func TestNodesStartingTogetherAgreeOnOneFirstKey(t *testing.T) {
	st := openStore(t)
	ids := make(chan string, 4)
	for range 4 {
		go func() {
			k, err := Open(t.Context(), Options{Blobs: st})
			if err != nil {
				t.Error(err)
				ids <- ""
				return
			}
			ids <- mustActive(k)
		}()
	}
	first := <-ids
	for range 3 {
		if id := <-ids; id != first || id == "" {
			t.Fatalf("nodes use master keys %q and %q", first, id)
		}
	}
}

func mustActive(k *Keyring) string {
	id, _ := k.ActiveKey()
	return id
}

// TestCustomerKeysOpenOnlyTheirOwnObjects checks SSE-C sealing: the right
// key opens, another is ErrWrongKey, none is ErrCustomerKeyRequired, and a
// customer key on an SSE-S3 object is ErrNotCustomerEncrypted.
func TestCustomerKeysOpenOnlyTheirOwnObjects(t *testing.T) {
	k, err := Open(t.Context(), Options{Blobs: openStore(t)})
	if err != nil {
		t.Fatal(err)
	}
	one, two := customer(t, 1), customer(t, 2)
	dk, err := k.NewSSEC(t.Context(), one)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(dk.Sealed, bytes.Repeat([]byte{1}, 32)) {
		t.Fatal("the sealed key holds the customer key")
	}
	if key, err := k.Open(t.Context(), dk.Encryption, &one); err != nil || !bytes.Equal(key, dk.Key) {
		t.Fatalf("the right customer key: %v", err)
	}
	if _, err := k.Open(t.Context(), dk.Encryption, &two); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("another customer key: %v, want ErrWrongKey", err)
	}
	if _, err := k.Open(t.Context(), dk.Encryption, nil); !errors.Is(err, ErrCustomerKeyRequired) {
		t.Fatalf("no customer key: %v", err)
	}
	s3, _ := k.NewSSES3(t.Context())
	if _, err := k.Open(t.Context(), s3.Encryption, &one); !errors.Is(err, ErrNotCustomerEncrypted) {
		t.Fatalf("a customer key on SSE-S3: %v", err)
	}
	// an SSE-S3 sealed key relabelled as SSE-C does not open
	relabelled := objstore.Encryption{Type: objstore.SSEC, Sealed: s3.Sealed}
	if _, err := k.Open(t.Context(), relabelled, &one); err == nil {
		t.Fatal("a relabelled sealed key opened")
	}
}

// TestCustomerKeyHeadersAreCheckedInS3sOrder checks each SSE-C header
// problem.
func TestCustomerKeyHeadersAreCheckedInS3sOrder(t *testing.T) {
	raw := bytes.Repeat([]byte{3}, 32)
	sum := md5.Sum(raw)
	key, md := base64.StdEncoding.EncodeToString(raw), base64.StdEncoding.EncodeToString(sum[:])
	short := base64.StdEncoding.EncodeToString(raw[:16])
	shortSum := md5.Sum(raw[:16])
	for _, tc := range []struct {
		name, alg, key, md5 string
		want                error
	}{
		{"another algorithm", "AES128", key, md, ErrCustomerAlgorithm},
		{"no key", "AES256", "", md, ErrCustomerKeyMissing},
		{"no MD5", "AES256", key, "", ErrCustomerMD5Missing},
		{"a 128-bit key", "AES256", short, base64.StdEncoding.EncodeToString(shortSum[:]), ErrCustomerKeyInvalid},
		{"a key that is not base64", "AES256", "!!", md, ErrCustomerKeyInvalid},
		{"another key's MD5", "AES256", key, base64.StdEncoding.EncodeToString(shortSum[:]), ErrCustomerMD5Mismatch},
		{"a good key", "AES256", key, md, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCustomerKey(tc.alg, tc.key, tc.md5)
			if !errors.Is(err, tc.want) || (err == nil && c.MD5 != md) {
				t.Fatalf("ParseCustomerKey = %v, want %v", err, tc.want)
			}
		})
	}
}
