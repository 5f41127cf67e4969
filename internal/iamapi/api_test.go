package iamapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
)

func TestEveryDomainKindHasAnIAMCodeAndStatus(t *testing.T) {
	cases := []struct {
		kind   iam.Kind
		code   string
		status int
	}{
		{iam.KindValidation, "ValidationError", 400},
		{iam.KindInvalidInput, "InvalidInput", 400},
		{iam.KindMalformedPolicy, "MalformedPolicyDocument", 400},
		{iam.KindNoSuchEntity, "NoSuchEntity", 404},
		{iam.KindEntityAlreadyExists, "EntityAlreadyExists", 409},
		{iam.KindLimitExceeded, "LimitExceeded", 409},
		{iam.KindDeleteConflict, "DeleteConflict", 409},
		{iam.KindAccessDenied, "AccessDenied", 403},
		{iam.KindInvalidClientTokenID, "InvalidClientTokenId", 403},
		{iam.KindExpiredSession, "ExpiredToken", 403},
		{iam.KindServiceFailure, "ServiceFailure", 500},
		// The store unreachable: retryable by every SDK and the CLI.
		{iam.KindUnavailable, "ServiceFailure", 503},
	}
	for _, c := range cases {
		e := Error(fmt.Errorf("wrapped: %w", &iam.Error{Kind: c.kind, Message: "the message", Reason: "operator detail"}))
		if e.Code != c.code || e.Status != c.status {
			t.Errorf("kind %d: got %s %d, want %s %d", c.kind, e.Code, e.Status, c.code, c.status)
		}
		if c.kind != iam.KindServiceFailure && e.Message != "the message" {
			t.Errorf("kind %d: message %q, want the domain's message", c.kind, e.Message)
		}
		if strings.Contains(e.Message, "operator detail") {
			t.Errorf("kind %d: the reason leaked to the caller", c.kind)
		}
	}
	plain := Error(errors.New("disk on fire"))
	if plain.Code != "ServiceFailure" || plain.Status != 500 || !plain.Receiver || strings.Contains(plain.Message, "disk") {
		t.Fatalf("a plain error became %+v", plain)
	}
	decodeErr := validationError("x")
	if Error(decodeErr) != decodeErr {
		t.Fatal("an *awsquery.Error did not pass through")
	}
}

func TestEveryOperationIsSignedAndRefusesACallWithoutCaller(t *testing.T) {
	f := newFixture(t)
	if f.api.Name != "iam" || f.api.Namespace != "https://iam.amazonaws.com/doc/2010-05-08/" || len(f.api.Operations) != 34 {
		t.Fatalf("service %s %s with %d operations", f.api.Name, f.api.Namespace, len(f.api.Operations))
	}
	for action, op := range f.api.Operations {
		if op.Unsigned {
			t.Errorf("%s is unsigned", action)
		}
	}
	// With every parameter an operation could need, none may run without a caller.
	params := url.Values{}
	for _, p := range []string{"RoleName", "PolicyName", "PolicyArn", "OpenIDConnectProviderArn", "Url", "ClientID",
		"AssumeRolePolicyDocument", "PolicyDocument", "PermissionsBoundary", "VersionId", "ThumbprintList", "TagKeys"} {
		params.Set(p, "x")
	}
	for action, op := range f.api.Operations {
		_, err := op.Run(context.Background(), &awsquery.Call{Request: &awsquery.Request{Params: params}})
		if !errors.Is(err, errNoCaller) {
			t.Errorf("%s without caller: %v", action, err)
		}
	}
}

func TestMalformedParametersAreValidationErrors(t *testing.T) {
	f := newFixture(t)
	cases := []struct{ name, query, message string }{
		{"a list member index that is not a number", q("Action", "CreateOpenIDConnectProvider", "Url", "https://a.example", "ClientIDList.member.x", "a"), "at 'clientIDList'"},
		{"a tag without value", q("Action", "TagRole", "RoleName", "r", "Tags.member.1.Key", "k"), "Value null at 'tags.1.member.value'"},
		{"a tag without key", q("Action", "TagRole", "RoleName", "r", "Tags.member.1.Value", "v"), "Value null at 'tags.1.member.key'"},
		{"a duration that is not a number", q("Action", "UpdateRole", "RoleName", "r", "MaxSessionDuration", "1h"), "Value '1h' at 'maxSessionDuration'"},
		{"MaxItems of zero", q("Action", "ListRoles", "MaxItems", "0"), "greater than or equal to 1"},
		{"MaxItems over 1000", q("Action", "ListRoles", "MaxItems", "1001"), "less than or equal to 1000"},
		{"a marker we did not issue", q("Action", "ListRoles", "Marker", "***"), "at 'marker'"},
		{"OnlyAttached that is not a boolean", q("Action", "ListPolicies", "OnlyAttached", "yes"), "at 'onlyAttached'"},
		{"an unknown scope", q("Action", "ListPolicies", "Scope", "Mine"), "[All, AWS, Local]"},
		{"a missing thumbprint list", q("Action", "UpdateOpenIDConnectProviderThumbprint", "OpenIDConnectProviderArn", ghProviderARN), "Value null at 'thumbprintList'"},
		{"missing tag keys", q("Action", "UntagRole", "RoleName", "r"), "Value null at 'tagKeys'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := f.call(t, root, c.query)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "<Code>ValidationError</Code>") ||
				!strings.Contains(strings.ReplaceAll(rec.Body.String(), "&#39;", "'"), c.message) {
				t.Fatalf("got %d %s, want ValidationError with %q", rec.Code, rec.Body, c.message)
			}
		})
	}
}

func TestPolicyDocumentsAreEncodedAsRFC3986WithPercent20(t *testing.T) {
	doc := `{"a b": "s3:*", "c": "x+y/é~-._"}`
	got := encodeDocument(doc)
	if want := "%7B%22a%20b%22%3A%20%22s3%3A%2A%22%2C%20%22c%22%3A%20%22x%2By%2F%C3%A9~-._%22%7D"; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	back, err := url.PathUnescape(got)
	if err != nil || back != doc {
		t.Fatalf("decoding gives %q, %v", back, err)
	}
}

func TestPagesResumeAfterTheMarkerEvenWhenItsItemWasDeleted(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	key := func(s string) string { return s }
	first, pg := pageOf(items, key, pageRequest{max: 2})
	if strings.Join(first, "") != "ab" || !pg.IsTruncated || pg.Marker == "" {
		t.Fatalf("first page %v %+v", first, pg)
	}
	marker := decodeMarker(t, pg.Marker)
	withoutC := []string{"a", "b", "d", "e"} // c, the marker's item, was deleted meanwhile
	second, pg2 := pageOf(withoutC, key, pageRequest{max: 2, marker: marker})
	if strings.Join(second, "") != "de" || pg2.IsTruncated || pg2.Marker != "" {
		t.Fatalf("second page %v %+v", second, pg2)
	}
}

func decodeMarker(t *testing.T, m string) string {
	t.Helper()
	p := newParams(&awsquery.Call{Request: &awsquery.Request{Params: url.Values{"Marker": {m}}}})
	pr := p.page()
	if p.err != nil {
		t.Fatal(p.err)
	}
	return pr.marker
}

// adminPolicy lets a session read and tag the roles under /ci/, but never tag one env=prod.
const adminPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["iam:GetRole","iam:TagRole"],"Resource":"arn:aws:iam::123456789012:role/ci/*"},
 {"Effect":"Deny","Action":"iam:TagRole","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/env":"prod"}}}]}`

func TestSessionsAreAuthorizedOnTheEntityARNWithTheRequestsConditionKeys(t *testing.T) {
	f := newFixture(t)
	for _, query := range []string{
		q("Action", "CreateRole", "RoleName", "deploy", "Path", "/ci/", "AssumeRolePolicyDocument", trustPolicy),
		q("Action", "CreateRole", "RoleName", "audit", "AssumeRolePolicyDocument", trustPolicy),
		q("Action", "CreateRole", "RoleName", "admin", "AssumeRolePolicyDocument", trustPolicy),
		q("Action", "PutRolePolicy", "RoleName", "admin", "PolicyName", "ci-admin", "PolicyDocument", adminPolicy),
	} {
		if rec := f.call(t, root, query); rec.Code != 200 {
			t.Fatalf("setup: %d %s", rec.Code, rec.Body)
		}
	}
	admin := f.sessionOf(t, "admin")
	cases := []struct {
		name, query string
		status      int
	}{
		{"reading a role under /ci/ (its ARN carries the path)", q("Action", "GetRole", "RoleName", "DEPLOY"), 200},
		{"reading a role elsewhere", q("Action", "GetRole", "RoleName", "audit"), 403},
		{"listing roles (resource *)", q("Action", "ListRoles"), 403},
		{"tagging env=dev", q("Action", "TagRole", "RoleName", "deploy", "Tags.member.1.Key", "env", "Tags.member.1.Value", "dev"), 200},
		{"tagging env=prod, denied on aws:RequestTag/env", q("Action", "TagRole", "RoleName", "deploy", "Tags.member.1.Key", "env", "Tags.member.1.Value", "prod"), 403},
		{"an action the policy does not name", q("Action", "DeleteRole", "RoleName", "deploy"), 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := f.call(t, admin, c.query)
			if rec.Code != c.status {
				t.Fatalf("got %d %s, want %d", rec.Code, rec.Body, c.status)
			}
			if c.status == 403 && !strings.Contains(rec.Body.String(), "<Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/admin/ci is not authorized to perform: iam:") {
				t.Fatalf("denial %s", rec.Body)
			}
		})
	}
	if tags, _ := f.svc.ListRoleTags(context.Background(), "deploy"); len(tags) != 1 || tags[0].Value != "dev" {
		t.Fatalf("tags after the denied request: %v", tags)
	}
}
