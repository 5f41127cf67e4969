package devidp

import (
	"crypto/sha1"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func TestOpenKeySetCreatesTheKeyFileOnFirstUse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "devidp")
	keys := openTestKeys(t, dir, newFakeClock())
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("key directory holds %d entries, want only %s (no lock or temp file left)", len(entries), keysFileName)
	}
	infos, err := keys.Keys()
	if err != nil || len(infos) != 1 || !infos[0].Active {
		t.Fatalf("Keys = %+v, %v; want one active key", infos, err)
	}
}

func TestOpenKeySetReusesThePersistedKey(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	first, _ := openTestKeys(t, dir, clock).Keys()
	second, _ := openTestKeys(t, dir, clock).Keys()
	if first[0].KeyID != second[0].KeyID {
		t.Errorf("reopened key %s, want the persisted %s", second[0].KeyID, first[0].KeyID)
	}
}

func TestJWKSPublishesKidAlgUseAndARealX5t(t *testing.T) {
	keys := openTestKeys(t, t.TempDir(), newFakeClock())
	set, err := keys.JWKS()
	if err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS = %+v, %v", set, err)
	}
	k := set.Keys[0]
	if k.Algorithm != "RS256" || k.Use != "sig" || k.KeyID == "" || len(k.Certificates) != 1 {
		t.Fatalf("JWK alg %q use %q kid %q certs %d", k.Algorithm, k.Use, k.KeyID, len(k.Certificates))
	}
	sum := sha1.Sum(k.Certificates[0].Raw)
	infos, _ := keys.Keys()
	if got := base64.RawURLEncoding.EncodeToString(sum[:]); got != infos[0].X5t {
		t.Errorf("x5t %s is not the SHA-1 of the published certificate (%s)", infos[0].X5t, got)
	}
	if !k.Valid() || !k.IsPublic() {
		t.Error("published JWK is not a valid public key")
	}
}

func TestRotationIsVisibleToASecondKeySetOnTheSameDirectory(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	server := openTestKeys(t, dir, clock)
	before, _ := server.Keys()

	cli := openTestKeys(t, dir, clock) // e.g. `inkan idp rotate-keys` in another process
	rotated, err := cli.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	active, err := server.active()
	if err != nil {
		t.Fatal(err)
	}
	if active.kid != rotated.KeyID || active.kid == before[0].KeyID {
		t.Errorf("server signs with %s after rotation to %s (was %s)", active.kid, rotated.KeyID, before[0].KeyID)
	}
	set, _ := server.JWKS()
	if len(set.Keys) != 2 || set.Keys[0].KeyID != rotated.KeyID || set.Keys[1].KeyID != before[0].KeyID {
		t.Errorf("JWKS after rotation lists %v, want new key then old key", kids(set.Keys))
	}
}

func TestAReplacedKeyLeavesTheJWKSAfterItsGracePeriod(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	keys, err := OpenKeySet(dir, KeySetOptions{Clock: clock.Now, Grace: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Rotate(); err != nil {
		t.Fatal(err)
	}
	infos, _ := keys.Keys()
	if len(infos) != 2 || !infos[1].UnpublishAt.Equal(clock.Now().Add(time.Hour)) {
		t.Fatalf("after rotation: %+v, want the old key unpublished in 1 h", infos)
	}
	clock.Advance(time.Hour - time.Second)
	if set, _ := keys.JWKS(); len(set.Keys) != 2 {
		t.Errorf("1 s before the end of grace the JWKS holds %d keys, want 2", len(set.Keys))
	}
	clock.Advance(time.Second)
	if set, _ := keys.JWKS(); len(set.Keys) != 1 {
		t.Errorf("at the end of grace the JWKS holds %d keys, want 1", len(set.Keys))
	}
	if _, err := keys.Rotate(); err != nil {
		t.Fatal(err)
	}
	file, err := readKeyFile(filepath.Join(dir, keysFileName))
	if err != nil || len(file.Keys) != 2 {
		t.Errorf("after a second rotation the file holds %d keys, want the expired one pruned (2)", len(file.Keys))
	}
}

func TestConcurrentFirstUseCreatesOneKey(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	kidsSeen := make([]string, 4)
	var wg sync.WaitGroup
	for n := range kidsSeen {
		wg.Go(func() {
			keys, err := OpenKeySet(dir, KeySetOptions{Clock: clock.Now})
			if err != nil {
				t.Error(err)
				return
			}
			infos, _ := keys.Keys()
			kidsSeen[n] = infos[0].KeyID
		})
	}
	wg.Wait()
	for _, kid := range kidsSeen[1:] {
		if kid != kidsSeen[0] {
			t.Fatalf("concurrent openers saw keys %v, want one", kidsSeen)
		}
	}
}

func TestOpenKeySetRefusesATamperedKeyFile(t *testing.T) {
	cases := map[string]func(string) string{
		"an unknown field":          func(s string) string { return strings.Replace(s, `"version"`, `"extra": 1, "version"`, 1) },
		"a kid that is not the key": func(s string) string { return strings.Replace(s, `"kid": "`, `"kid": "x`, 1) },
		"a short secret":            func(s string) string { return replaceJSONField(s, "request_secret", `"c2hvcnQ="`) },
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			openTestKeys(t, dir, newFakeClock())
			path := filepath.Join(dir, keysFileName)
			raw, _ := os.ReadFile(path)
			if err := os.WriteFile(path, []byte(tamper(string(raw))), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := OpenKeySet(dir, KeySetOptions{}); err == nil {
				t.Error("OpenKeySet accepted a tampered key file")
			}
		})
	}
}

func TestOpenKeySetRefusesANegativeGrace(t *testing.T) {
	if _, err := OpenKeySet(t.TempDir(), KeySetOptions{Grace: -time.Second}); err == nil {
		t.Error("a negative grace period was accepted")
	}
}

func replaceJSONField(doc, field, value string) string {
	start := strings.Index(doc, `"`+field+`": `)
	end := start + strings.Index(doc[start:], ",")
	return doc[:start] + `"` + field + `": ` + value + doc[end:]
}

func kids(keys []jose.JSONWebKey) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.KeyID)
	}
	return out
}
