package iamapi

import (
	"bytes"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// q builds a query string from name, value pairs.
func q(pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v.Encode()
}

const (
	ghProviderARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
	thumbA        = "6938fd4d98bab03faadb97b34396831e3780aea1"
	thumbB        = "1c58a3a8518e8759bf075b76b750d4f2df264fcd"
)

const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
	`"Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},` +
	`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{` +
	`"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},` +
	`"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}}]}`

const readPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}]}`

// step is one request of the golden scenario and the file its response must equal.
type step struct {
	golden string
	caller string // "root", "session" (of role deploy) or "none"
	query  string
	status int
}

// scenario drives every action, in an order that builds the state each needs, and every
// error shape the catalogue has.
var scenario = []step{
	{"create-open-id-connect-provider", "root", q("Action", "CreateOpenIDConnectProvider", "Url", "https://token.actions.githubusercontent.com",
		"ClientIDList.member.1", "sts.amazonaws.com", "ThumbprintList.member.1", thumbA,
		"Tags.member.1.Key", "team", "Tags.member.1.Value", "platform", "Tags.member.2.Key", "env", "Tags.member.2.Value", "prod"), 200},
	{"add-client-id-to-open-id-connect-provider", "root", q("Action", "AddClientIDToOpenIDConnectProvider", "OpenIDConnectProviderArn", ghProviderARN, "ClientID", "https://github.com/acme"), 200},
	{"remove-client-id-from-open-id-connect-provider", "root", q("Action", "RemoveClientIDFromOpenIDConnectProvider", "OpenIDConnectProviderArn", ghProviderARN, "ClientID", "absent"), 200},
	{"update-open-id-connect-provider-thumbprint", "root", q("Action", "UpdateOpenIDConnectProviderThumbprint", "OpenIDConnectProviderArn", ghProviderARN,
		"ThumbprintList.member.1", thumbA, "ThumbprintList.member.2", thumbB), 200},
	{"tag-open-id-connect-provider", "root", q("Action", "TagOpenIDConnectProvider", "OpenIDConnectProviderArn", ghProviderARN, "Tags.member.1.Key", "cost-center", "Tags.member.1.Value", "42"), 200},
	{"untag-open-id-connect-provider", "root", q("Action", "UntagOpenIDConnectProvider", "OpenIDConnectProviderArn", ghProviderARN, "TagKeys.member.1", "env"), 200},
	{"get-open-id-connect-provider", "root", q("Action", "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", ghProviderARN), 200},
	{"list-open-id-connect-providers", "root", q("Action", "ListOpenIDConnectProviders"), 200},
	{"list-open-id-connect-provider-tags", "root", q("Action", "ListOpenIDConnectProviderTags", "OpenIDConnectProviderArn", ghProviderARN), 200},

	{"create-policy", "root", q("Action", "CreatePolicy", "PolicyName", "ReadArtifacts", "Path", "/ci/", "Description", "Reads build artifacts",
		"PolicyDocument", readPolicy, "Tags.member.1.Key", "team", "Tags.member.1.Value", "platform"), 200},
	{"create-role", "root", q("Action", "CreateRole", "RoleName", "deploy", "Path", "/ci/", "AssumeRolePolicyDocument", trustPolicy,
		"Description", "Deploys acme/app", "MaxSessionDuration", "7200", "PermissionsBoundary", "arn:aws:iam::123456789012:policy/ci/ReadArtifacts",
		"Tags.member.1.Key", "team", "Tags.member.1.Value", "platform"), 200},
	{"create-role-minimal", "root", q("Action", "CreateRole", "RoleName", "audit", "AssumeRolePolicyDocument", trustPolicy), 200},
	{"get-role", "root", q("Action", "GetRole", "RoleName", "deploy"), 200},
	{"list-roles-first-page", "root", q("Action", "ListRoles", "MaxItems", "1"), 200},
	{"list-roles-second-page", "root", q("Action", "ListRoles", "MaxItems", "1", "Marker", "ZGVwbG95"), 200},
	{"list-roles-by-path", "root", q("Action", "ListRoles", "PathPrefix", "/ci/"), 200},
	{"update-role", "root", q("Action", "UpdateRole", "RoleName", "deploy", "Description", "Deploys acme/app to production", "MaxSessionDuration", "3600"), 200},
	{"update-assume-role-policy", "root", q("Action", "UpdateAssumeRolePolicy", "RoleName", "deploy", "PolicyDocument", strings.Replace(trustPolicy, "acme/app:*", "acme/app:ref:refs/heads/main", 1)), 200},
	{"tag-role", "root", q("Action", "TagRole", "RoleName", "deploy", "Tags.member.1.Key", "env", "Tags.member.1.Value", "prod"), 200},
	{"untag-role", "root", q("Action", "UntagRole", "RoleName", "deploy", "TagKeys.member.1", "team"), 200},
	{"list-role-tags", "root", q("Action", "ListRoleTags", "RoleName", "deploy"), 200},
	{"delete-role-permissions-boundary", "root", q("Action", "DeleteRolePermissionsBoundary", "RoleName", "deploy"), 200},
	{"put-role-permissions-boundary", "root", q("Action", "PutRolePermissionsBoundary", "RoleName", "deploy", "PermissionsBoundary", "arn:aws:iam::123456789012:policy/ci/ReadArtifacts"), 200},
	{"revoke-role-sessions", "root", q("Action", "RevokeRoleSessions", "RoleName", "audit"), 200},
	{"put-role-policy", "root", q("Action", "PutRolePolicy", "RoleName", "deploy", "PolicyName", "read-artifacts", "PolicyDocument", readPolicy), 200},
	{"get-role-policy", "root", q("Action", "GetRolePolicy", "RoleName", "deploy", "PolicyName", "read-artifacts"), 200},
	{"list-role-policies", "root", q("Action", "ListRolePolicies", "RoleName", "deploy"), 200},
	{"get-policy", "root", q("Action", "GetPolicy", "PolicyArn", "arn:aws:iam::123456789012:policy/ci/ReadArtifacts"), 200},
	{"get-policy-version", "root", q("Action", "GetPolicyVersion", "PolicyArn", "arn:aws:iam::123456789012:policy/ci/ReadArtifacts", "VersionId", "v1"), 200},
	{"attach-role-policy", "root", q("Action", "AttachRolePolicy", "RoleName", "deploy", "PolicyArn", "arn:aws:iam::123456789012:policy/ci/ReadArtifacts"), 200},
	{"list-attached-role-policies", "root", q("Action", "ListAttachedRolePolicies", "RoleName", "deploy"), 200},
	{"list-policies", "root", q("Action", "ListPolicies", "Scope", "Local", "OnlyAttached", "true"), 200},

	{"error-access-denied", "session", q("Action", "GetRole", "RoleName", "audit"), 403},
	{"error-validation", "root", q("Action", "CreateRole", "RoleName", "bad/name", "AssumeRolePolicyDocument", trustPolicy), 400},
	{"error-missing-parameter", "root", q("Action", "GetRole"), 400},
	{"error-no-such-entity", "root", q("Action", "GetRole", "RoleName", "absent"), 404},
	{"error-entity-already-exists", "root", q("Action", "CreateRole", "RoleName", "DEPLOY", "AssumeRolePolicyDocument", trustPolicy), 409},
	{"error-limit-exceeded", "root", q("Action", "PutRolePolicy", "RoleName", "deploy", "PolicyName", "big",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`+strings.Repeat("k", 10240)+`"}]}`), 409},
	{"error-delete-conflict", "root", q("Action", "DeleteRole", "RoleName", "deploy"), 409},
	{"error-malformed-policy-document", "root", q("Action", "PutRolePolicy", "RoleName", "deploy", "PolicyName", "p", "PolicyDocument", trustPolicy), 400},
	{"error-trust-policy-refused-by-linter", "root", q("Action", "CreateRole", "RoleName", "open", "AssumeRolePolicyDocument",
		strings.Replace(trustPolicy, `,"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}`, "", 1)), 400},
	{"error-invalid-input", "root", q("Action", "CreateOpenIDConnectProvider", "Url", "http://idp.example", "ClientIDList.member.1", "a"), 400},
	{"error-service-failure", "none", q("Action", "ListRoles"), 500},

	{"detach-role-policy", "root", q("Action", "DetachRolePolicy", "RoleName", "deploy", "PolicyArn", "arn:aws:iam::123456789012:policy/ci/ReadArtifacts"), 200},
	{"delete-role-policy", "root", q("Action", "DeleteRolePolicy", "RoleName", "deploy", "PolicyName", "read-artifacts"), 200},
	{"delete-role", "root", q("Action", "DeleteRole", "RoleName", "audit"), 200},
	{"delete-open-id-connect-provider", "root", q("Action", "DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", ghProviderARN), 200},
	{"error-delete-conflict-policy", "root", q("Action", "DeletePolicy", "PolicyArn", "arn:aws:iam::123456789012:policy/ci/ReadArtifacts"), 409},
}

func TestEveryResponseAndErrorShapeMatchesItsGoldenFile(t *testing.T) {
	f := newFixture(t)
	for _, s := range scenario {
		t.Run(s.golden, func(t *testing.T) {
			var caller any
			switch s.caller {
			case "root":
				caller = root
			case "session":
				caller = f.sessionOf(t, "deploy")
			}
			rec := f.call(t, caller, s.query)
			if rec.Code != s.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, s.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/xml" {
				t.Fatalf("Content-Type %q", ct)
			}
			checkGolden(t, s.golden, rec.Body.Bytes())
		})
	}
}

// checkGolden compares got with testdata/<name>.xml, or rewrites the file under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".xml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/iamapi -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("response differs from %s\n got: %s\nwant: %s", path, got, want)
	}
}
