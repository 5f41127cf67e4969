package storetest

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/store"
)

func keyTests() []test {
	ctx := context.Background()
	return []test{
		{"sealing keys list by creation date then ID, secrets byte for byte", func(t *testing.T, s store.Store) {
			k1, k2, k3 := sampleKey("k-b", 1), sampleKey("k-a", 1), sampleKey("k-0", 2)
			for _, k := range []store.SealingKey{k3, k1, k2} {
				must(t, s.AddSealingKey(ctx, k), "AddSealingKey "+k.ID)
			}
			ks, err := s.ListSealingKeys(ctx)
			must(t, err, "ListSealingKeys")
			equal(t, "sealing keys", ks, []store.SealingKey{k2, k1, k3})
			for _, k := range ks {
				if !k.Active() {
					t.Fatalf("key %s is not active after Add", k.ID)
				}
			}
		}},
		{"a listed secret is the caller's own copy", func(t *testing.T, s store.Store) {
			k := sampleKey("k", 0)
			must(t, s.AddSealingKey(ctx, k), "AddSealingKey")
			ks, err := s.ListSealingKeys(ctx)
			must(t, err, "ListSealingKeys")
			ks[0].Secret[0] ^= 0xff
			ks, err = s.ListSealingKeys(ctx)
			must(t, err, "ListSealingKeys again")
			equal(t, "secret after the caller changed its copy", ks[0].Secret, k.Secret)
		}},
		{"adding a sealing key whose ID is taken fails with ErrExists, without the secret in the error", func(t *testing.T, s store.Store) {
			k := sampleKey("k", 0)
			must(t, s.AddSealingKey(ctx, k), "AddSealingKey")
			other := sampleKey("k", 9)
			err := s.AddSealingKey(ctx, other)
			wantErr(t, err, store.ErrExists, "second AddSealingKey")
			msg := err.Error()
			if strings.Contains(msg, string(other.Secret)) || strings.Contains(msg, hex.EncodeToString(other.Secret)) {
				t.Fatalf("error %q carries the secret", msg)
			}
		}},
		{"a sealing key of the wrong length or with an empty ID is refused with ErrInvalid", func(t *testing.T, s store.Store) {
			short := sampleKey("short", 0)
			short.Secret = short.Secret[:16]
			wantErr(t, s.AddSealingKey(ctx, short), store.ErrInvalid, "16-byte secret")
			wantErr(t, s.AddSealingKey(ctx, sampleKey("", 0)), store.ErrInvalid, "empty ID")
			ks, err := s.ListSealingKeys(ctx)
			must(t, err, "ListSealingKeys")
			equal(t, "keys stored", len(ks), 0)
		}},
		{"retiring a key sets its retire date once; retiring it again keeps the first date", func(t *testing.T, s store.Store) {
			must(t, s.AddSealingKey(ctx, sampleKey("old", 0)), "AddSealingKey old")
			must(t, s.AddSealingKey(ctx, sampleKey("new", 1)), "AddSealingKey new")
			must(t, s.RetireSealingKey(ctx, "old", at(3)), "RetireSealingKey")
			must(t, s.RetireSealingKey(ctx, "old", at(4)), "RetireSealingKey again")
			ks, err := s.ListSealingKeys(ctx)
			must(t, err, "ListSealingKeys")
			equal(t, "old key's retire date", ks[0].RetireDate, at(3))
			if ks[0].Active() || !ks[1].Active() {
				t.Fatalf("active = %v, %v; want only the new key active", ks[0].Active(), ks[1].Active())
			}
			wantErr(t, s.RetireSealingKey(ctx, "missing", at(3)), store.ErrNotFound, "retire a missing key")
		}},
		{"a key added already retired lists as retired", func(t *testing.T, s store.Store) {
			k := sampleKey("k", 0)
			k.RetireDate = at(1)
			must(t, s.AddSealingKey(ctx, k), "AddSealingKey")
			ks, err := s.ListSealingKeys(ctx)
			must(t, err, "ListSealingKeys")
			equal(t, "keys", ks, []store.SealingKey{k})
		}},
		{"a deleted sealing key is gone and deleting it again fails with ErrNotFound", func(t *testing.T, s store.Store) {
			must(t, s.AddSealingKey(ctx, sampleKey("k", 0)), "AddSealingKey")
			must(t, s.DeleteSealingKey(ctx, "k"), "DeleteSealingKey")
			ks, err := s.ListSealingKeys(ctx)
			must(t, err, "ListSealingKeys")
			equal(t, "keys after delete", len(ks), 0)
			wantErr(t, s.DeleteSealingKey(ctx, "k"), store.ErrNotFound, "second DeleteSealingKey")
		}},
		{"a bucket policy reads back, putting it again replaces it, and deleting it twice fails with ErrNotFound", func(t *testing.T, s store.Store) {
			_, err := s.GetBucketPolicy(ctx, "artifacts")
			wantErr(t, err, store.ErrNotFound, "GetBucketPolicy before Put")
			p := store.BucketPolicy{Bucket: "artifacts", Document: `{"Version":"2012-10-17","Statement":[]}`}
			must(t, s.PutBucketPolicy(ctx, p), "PutBucketPolicy")
			p.Document = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`
			must(t, s.PutBucketPolicy(ctx, p), "PutBucketPolicy again")
			got, err := s.GetBucketPolicy(ctx, "artifacts")
			must(t, err, "GetBucketPolicy")
			equal(t, "bucket policy", got, p)
			must(t, s.DeleteBucketPolicy(ctx, "artifacts"), "DeleteBucketPolicy")
			_, err = s.GetBucketPolicy(ctx, "artifacts")
			wantErr(t, err, store.ErrNotFound, "GetBucketPolicy after delete")
			wantErr(t, s.DeleteBucketPolicy(ctx, "artifacts"), store.ErrNotFound, "second DeleteBucketPolicy")
			wantErr(t, s.PutBucketPolicy(ctx, store.BucketPolicy{Document: "{}"}), store.ErrInvalid, "empty bucket name")
		}},
		{"a bucket setting reads back by bucket and name, putting it again replaces it, and deleting it twice fails with ErrNotFound", func(t *testing.T, s store.Store) {
			_, err := s.GetBucketSetting(ctx, "artifacts", "cors")
			wantErr(t, err, store.ErrNotFound, "GetBucketSetting before Put")
			b := store.BucketSetting{Bucket: "artifacts", Name: "cors", Document: "<CORSConfiguration/>"}
			must(t, s.PutBucketSetting(ctx, b), "PutBucketSetting")
			other := store.BucketSetting{Bucket: "artifacts", Name: "lifecycle", Document: "<LifecycleConfiguration/>"}
			must(t, s.PutBucketSetting(ctx, other), "PutBucketSetting lifecycle")
			b.Document = "<CORSConfiguration><CORSRule/></CORSConfiguration>"
			must(t, s.PutBucketSetting(ctx, b), "PutBucketSetting again")
			got, err := s.GetBucketSetting(ctx, "artifacts", "cors")
			must(t, err, "GetBucketSetting")
			equal(t, "bucket setting", got, b)
			must(t, s.DeleteBucketSetting(ctx, "artifacts", "cors"), "DeleteBucketSetting")
			_, err = s.GetBucketSetting(ctx, "artifacts", "cors")
			wantErr(t, err, store.ErrNotFound, "GetBucketSetting after delete")
			wantErr(t, s.DeleteBucketSetting(ctx, "artifacts", "cors"), store.ErrNotFound, "second DeleteBucketSetting")
			got, err = s.GetBucketSetting(ctx, "artifacts", "lifecycle")
			must(t, err, "GetBucketSetting lifecycle")
			equal(t, "the other setting", got, other)
			wantErr(t, s.PutBucketSetting(ctx, store.BucketSetting{Bucket: "b", Document: "x"}), store.ErrInvalid, "empty setting name")
		}},
	}
}
