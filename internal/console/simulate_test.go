package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/store"
)

const ghIssuer = "https://token.actions.githubusercontent.com"

// withRole registers GitHub's issuer (claim tag repository) and a role trusting acme/app
// whose sessions may read objects of a bucket named by their repository tag.
func withRole(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	svc := f.c.o.Domain.(*iam.Service)
	if _, err := svc.CreateOpenIDConnectProvider(ctx, &iam.CreateProviderInput{URL: ghIssuer, ClientIDs: []string{"sts.amazonaws.com"},
		ClaimTags: []store.ClaimTag{{Claim: "repository", Tag: "repo"}}}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
	  "Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"},
	  "Action":"sts:AssumeRoleWithWebIdentity","Condition":{
	    "StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
	    "StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}}]}`
	if _, err := svc.CreateRole(ctx, &iam.CreateRoleInput{Name: "deploy", TrustPolicy: trust}); err != nil {
		t.Fatal(err)
	}
	if err := svc.PutRolePolicy(ctx, "deploy", "read", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
	  "Action":"s3:GetObject","Resource":"arn:aws:s3:::site/${aws:PrincipalTag/repo}/*"}]}`); err != nil {
		t.Fatal(err)
	}
}

func TestTheSimulatorDecidesAJobsExchangeAndThenItsSessionsRequest(t *testing.T) {
	f := newFixture(t)
	withRole(t, f)
	f.signIn(t, testSecret)
	cases := []struct{ repo, resource, want string }{
		{"evil/app", "", `denied: token.actions.githubusercontent.com:sub "repo:evil/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"]`},
		{"acme/app", "arn:aws:s3:::site/acme/app/index.html", "allowed: allowed by Statement[0] (identity policy"},
		{"acme/app", "arn:aws:s3:::site/acme/web/index.html", "denied: no statement allows s3:GetObject"},
	}
	for _, c := range cases {
		form := url.Values{"csrf": {f.csrf}, "role": {"deploy"}, "mode": {"job"}, "provider": {"arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"},
			"repository": {c.repo}, "ref": {"refs/heads/main"}, "audience": {"sts.amazonaws.com"}}
		if c.resource != "" {
			form.Set("action", "s3:GetObject")
			form.Set("resource", c.resource)
		}
		w := f.do(http.MethodPost, "/console/simulate", form)
		body := strings.ReplaceAll(w.Body.String(), "&#34;", `"`)
		if w.Code != http.StatusOK || !strings.Contains(body, c.want) {
			t.Errorf("%s %s: %d, want %q in\n%s", c.repo, c.resource, w.Code, c.want, body)
		}
	}
}
