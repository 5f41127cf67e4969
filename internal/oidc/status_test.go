package oidc_test

import (
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/oidc/oidctest"
)

func TestStatusNamesTheFetchedKeysAndTellsAnOutageServedFromCache(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	if _, ok := e.v.Status(e.p.URL); ok {
		t.Fatal("an issuer never used has a status")
	}
	e.mustVerify(t, e.token())
	st, ok := e.v.Status(e.p.URL)
	if !ok || len(st.Keys) != 1 || st.Keys[0].Kid != e.iss.SigningKey().ID || !st.Fetched.Equal(e.clock.Now()) || st.Stale || st.LastError != "" {
		t.Fatalf("after a fetch: %+v", st)
	}
	e.obs.drain()
	e.iss.SetOutage(oidctest.JWKS, oidctest.Fail500)
	e.iss.SetOutage(oidctest.Discovery, oidctest.Fail500)
	e.clock.Advance(time.Hour + time.Second)
	e.mustVerify(t, e.token())
	if err := e.obs.awaitFetch(t, oidc.ResourceDiscovery); err == nil {
		t.Fatal("the refresh during the outage succeeded")
	}
	if st, _ := e.v.Status(e.p.URL); !st.Stale || st.LastError == "" || len(st.Keys) != 1 {
		t.Fatalf("during the outage: %+v", st)
	}
}
