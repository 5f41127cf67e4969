package sts

import (
	"encoding/xml"
	"errors"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".xml")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs from the golden file:\n got %s\nwant %s", name, got, want)
	}
}

func sampleWebIdentity(packed *int, sourceID string) *webIdentityResult {
	return &webIdentityResult{
		Credentials: credentialsXML{AccessKeyID: "ASIAEXAMPLEEXAMPLE01", SecretAccessKey: "c2VjcmV0LWV4YW1wbGUtZXhhbXBsZS1leGFtcGxl",
			SessionToken: "IQAAAAexample", Expiration: "2026-09-01T12:00:00Z"},
		SubjectFromWebIdentityToken: "repo:acme/app:ref:refs/heads/deploy",
		AssumedRoleUser:             assumedRoleUser{AssumedRoleID: "AROAEXAMPLEID0000001:GitHubActions", Arn: "arn:aws:sts::000000000000:assumed-role/deploy/GitHubActions"},
		PackedPolicySize:            packed,
		Provider:                    "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com",
		Audience:                    "sts.amazonaws.com",
		SourceIdentity:              sourceID,
		tokenSize:                   newTokenSize("IQAAAAexample"),
	}
}

func render(action string, result any) string {
	rec := httptest.NewRecorder()
	awsquery.WriteResult(rec, Namespace, action, result, "c6104cbe-af31-11e0-8154-cbc7ccf896c7")
	return rec.Body.String()
}

func TestResponsesMatchTheirGoldenFiles(t *testing.T) {
	seven := 7
	cases := map[string]struct {
		action string
		result any
	}{
		"assume-role-with-web-identity":                {"AssumeRoleWithWebIdentity", sampleWebIdentity(nil, "")},
		"assume-role-with-web-identity-packed-sourced": {"AssumeRoleWithWebIdentity", sampleWebIdentity(&seven, "alice")},
		"assume-role": {"AssumeRole", &assumeRoleResult{Credentials: sampleWebIdentity(nil, "").Credentials,
			AssumedRoleUser: assumedRoleUser{AssumedRoleID: "AROAEXAMPLEID0000002:chained", Arn: "arn:aws:sts::000000000000:assumed-role/second/chained"},
			tokenSize:       newTokenSize("IQAAAAexample")}},
		"get-caller-identity": {"GetCallerIdentity", &callerIdentityResult{UserID: "AROAEXAMPLEID0000001:GitHubActions",
			Account: "000000000000", Arn: "arn:aws:sts::000000000000:assumed-role/deploy/GitHubActions"}},
		"decode-authorization-message": {"DecodeAuthorizationMessage", &decodedMessageResult{DecodedMessage: `{"outcome":"deny","reason":"x < y & \"z\""}`}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, render(c.action, c.result)) })
	}
}

// The hand-written renderer must say exactly what encoding/xml says, for awkward text too.
func TestTheFastRendererAgreesWithEncodingXML(t *testing.T) {
	seven := 7
	for _, r := range []*webIdentityResult{
		sampleWebIdentity(nil, ""),
		sampleWebIdentity(&seven, "alice"),
		{SubjectFromWebIdentityToken: "repo:a/b:environment:<prod> & \"q\" 'x'\ttab\nnl\rcr é \x01", Audience: "a&b"},
	} {
		fast := r.AppendXML(nil)
		slow, err := xml.Marshal(struct {
			XMLName xml.Name `xml:"R"`
			*webIdentityResult
		}{webIdentityResult: r})
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(strings.TrimPrefix(string(slow), "<R>"), "</R>")
		if string(fast) != want {
			t.Fatalf("fast renderer:\n got %s\nwant %s", fast, want)
		}
	}
}

func TestErrorsMatchTheirGoldenFiles(t *testing.T) {
	cases := map[string]error{
		"error-access-denied":          &iam.Error{Kind: iam.KindAccessDenied, Message: "Not authorized to perform sts:AssumeRoleWithWebIdentity", Reason: "secret detail"},
		"error-invalid-identity-token": &iam.Error{Kind: iam.KindInvalidIdentityToken, Message: "Incorrect token audience"},
		"error-expired-token":          &iam.Error{Kind: iam.KindExpiredIdentityToken, Message: "Token expired: current date/time 1731098245 must be before the expiration date/time 1731095240"},
		"error-internal":               errors.New("disk on fire"),
		"error-unavailable":            &iam.Error{Kind: iam.KindUnavailable, Message: "The service is temporarily unavailable. Try again.", Reason: "secret detail"},
	}
	for name, err := range cases {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			awsquery.WriteError(rec, Namespace, errorFor(err), "c6104cbe-af31-11e0-8154-cbc7ccf896c7")
			golden(t, name, rec.Body.String())
			if strings.Contains(rec.Body.String(), "secret detail") || strings.Contains(rec.Body.String(), "disk on fire") {
				t.Fatal("an operator-only detail reached the caller")
			}
		})
	}
}
