package devidp

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/store/sqlstore"
	"github.com/inkan-dev/inkan/internal/store/storetest"
)

// countingBlobs is a node's handle on the shared store, counting its reads.
type countingBlobs struct {
	*sqlstore.Store
	gets atomic.Int64
}

func (c *countingBlobs) GetBlob(ctx context.Context, name string) ([]byte, int64, error) {
	c.gets.Add(1)
	return c.Store.GetBlob(ctx, name)
}

// openNode opens one more handle on the store file, as another inkan node would.
func openNode(t *testing.T, db string) *countingBlobs {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &countingBlobs{Store: st}
}

func openShared(t *testing.T, blobs Blobs, clock *fakeClock) *KeySet {
	t.Helper()
	ks, err := OpenSharedKeySet(blobs, KeySetOptions{Clock: clock.Now, SharedRefresh: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func activeKid(t *testing.T, ks *KeySet) string {
	t.Helper()
	infos, err := ks.Keys()
	if err != nil || len(infos) == 0 || !infos[0].Active {
		t.Fatalf("Keys = %+v, %v", infos, err)
	}
	return infos[0].KeyID
}

func TestARotationOnOneNodeIsSeenByAnotherWithinTheRefresh(t *testing.T) {
	db := filepath.Join(t.TempDir(), "inkan.db")
	clock := newFakeClock()
	one, three := openShared(t, openNode(t, db), clock), openShared(t, openNode(t, db), clock)
	first := activeKid(t, one)
	if activeKid(t, three) != first {
		t.Fatal("two nodes on one store opened different keys")
	}
	rotated, err := one.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if rotated.KeyID == first || activeKid(t, one) != rotated.KeyID {
		t.Fatalf("the rotating node does not sign with its new key at once: %+v", rotated)
	}
	clock.Advance(time.Second)
	if activeKid(t, three) != rotated.KeyID {
		t.Fatal("the other node still signs with the old key after the refresh")
	}
	set, err := three.JWKS()
	if err != nil || len(set.Keys) != 2 || set.Keys[0].KeyID != rotated.KeyID || set.Keys[1].KeyID != first {
		t.Fatalf("the other node's JWKS: %+v, %v; want the new key and the replaced one", set.Keys, err)
	}
	s1, _ := one.requestSecret()
	s3, _ := three.requestSecret()
	if string(s1) != string(s3) {
		t.Fatal("the nodes sign runner request tokens with different secrets")
	}
}

func TestASharedKeySetTrustsItsCopyWithinTheRefreshAndReparsesOnlyOnChange(t *testing.T) {
	db := filepath.Join(t.TempDir(), "inkan.db")
	clock := newFakeClock()
	node := openNode(t, db)
	ks := openShared(t, node, clock)
	state, _ := ks.current()
	before := node.gets.Load()
	for range 100 {
		ks.JWKS()
	}
	if n := node.gets.Load() - before; n != 0 {
		t.Fatalf("%d store reads within the refresh period", n)
	}
	clock.Advance(time.Second)
	again, _ := ks.current()
	if node.gets.Load()-before != 1 || again != state {
		t.Fatal("after the refresh period: want one store read and the same parsed keys (the version did not change)")
	}
}

func TestNodesInitialisingTheSharedKeysAtOnceAgreeOnOneWinner(t *testing.T) {
	db := filepath.Join(t.TempDir(), "inkan.db")
	clock := newFakeClock()
	const nodes = 4
	var handles [nodes]*countingBlobs
	for i := range nodes {
		handles[i] = openNode(t, db)
	}
	var (
		wg   sync.WaitGroup
		kids [nodes]string
		errs [nodes]error
	)
	for i := range nodes {
		wg.Go(func() {
			ks, err := OpenSharedKeySet(handles[i], KeySetOptions{Clock: clock.Now})
			if errs[i] = err; err == nil {
				infos, err := ks.Keys()
				if errs[i] = err; err == nil {
					kids[i] = infos[0].KeyID
				}
			}
		})
	}
	wg.Wait()
	for i := range nodes {
		if errs[i] != nil || kids[i] != kids[0] {
			t.Fatalf("node %d: kid %q, %v; node 0: %q", i, kids[i], errs[i], kids[0])
		}
	}
	_, version, err := handles[0].Store.GetBlob(context.Background(), keysBlob)
	if err != nil || version != 1 {
		t.Fatalf("blob version %d, %v: want exactly one write", version, err)
	}
}

func TestATokenMintedOnOneNodeVerifiesWithAnotherNodesKeys(t *testing.T) {
	db := filepath.Join(t.TempDir(), "inkan.db")
	clock := newFakeClock()
	one, two := openShared(t, openNode(t, db), clock), openShared(t, openNode(t, db), clock)
	if _, err := one.Rotate(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	issuer := newTestIssuer(t, "http://127.0.0.1:8750/idp", one, clock)
	token, err := issuer.Mint(TokenRequest{JobContext: JobContext{Job: Job{Repository: "acme/app", Ref: "refs/heads/main"}},
		TokenOptions: TokenOptions{Audience: AudienceSTS}})
	if err != nil {
		t.Fatal(err)
	}
	nodeTwo := startServerOn(t, two, clock)
	verifyWithJWKS(t, nodeTwo.issuerURL()+"/.well-known/jwks", issuer.URL(), token, clock.Now())
}

func TestWithTheStoreDownASharedKeySetKeepsServingTheKeysItHolds(t *testing.T) {
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "inkan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	outage := storetest.NewOutage(st)
	clock := newFakeClock()
	ks := openShared(t, outage, clock)
	kid := activeKid(t, ks)
	outage.SetDown(true)
	clock.Advance(10 * time.Second)
	if got := activeKid(t, ks); got != kid {
		t.Fatalf("with the store down the active key became %s, want %s", got, kid)
	}
	jwks, err := ks.JWKS()
	if err != nil || len(jwks.Keys) == 0 || jwks.Keys[0].KeyID != kid {
		t.Fatalf("JWKS with the store down = %+v, %v; want the held key %s", jwks, err, kid)
	}
	if outage.Calls() == 0 {
		t.Fatal("the key set never asked the store, so the outage was not exercised")
	}
	outage.SetDown(false)
	clock.Advance(10 * time.Second)
	if got := activeKid(t, ks); got != kid {
		t.Fatalf("after recovery the active key is %s, want %s", got, kid)
	}
}
