package policy

import "testing"

// seedTrust is the trust policy of inkan's seed: a GitHub repository may assume the role.
const seedTrust = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}
    }
  }]
}`

const githubProvider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"

// githubRequest is an AssumeRoleWithWebIdentity request with a GitHub token's claims.
func githubRequest(sub string) *Request {
	k := Keys{}
	k.Set("token.actions.githubusercontent.com:aud", "sts.amazonaws.com")
	k.Set("token.actions.githubusercontent.com:sub", sub)
	k.Set("token.actions.githubusercontent.com:repository", "acme/app")
	k.Set("token.actions.githubusercontent.com:ref", "refs/heads/main")
	k.Set("aws:currenttime", "2026-09-01T12:00:00Z")
	return &Request{
		Principal: Principal{Type: "Federated", IDs: []string{githubProvider}, Account: "123456789012"},
		Action:    "sts:AssumeRoleWithWebIdentity",
		Resource:  "arn:aws:iam::123456789012:role/deploy",
		Context:   k,
	}
}

func mustParse(t testing.TB, doc string, kind Kind) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc), kind)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}
