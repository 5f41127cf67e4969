package awsclient

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The success answer of aws-federation.md §1.3.
const assumeAnswer = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser><AssumedRoleId>AROAEXAMPLEID:GitHubActions</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions</Arn></AssumedRoleUser>
    <Provider>arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com</Provider>
    <Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret/key</SecretAccessKey>
      <SessionToken>session+token</SessionToken><Expiration>2026-09-01T12:00:00Z</Expiration></Credentials>
    <SubjectFromWebIdentityToken>repo:org/repo:ref:refs/heads/main</SubjectFromWebIdentityToken>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`

const webToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.c2lnbmF0dXJl"

func TestAssumeRoleWithWebIdentityIsSentUnsignedAndItsAnswerIsDecoded(t *testing.T) {
	f := newFake(t, map[string]http.HandlerFunc{"sts:AssumeRoleWithWebIdentity": xmlReply(assumeAnswer)})
	out, err := f.client().AssumeRoleWithWebIdentity(context.Background(), AssumeRoleWithWebIdentityInput{
		RoleArn: "arn:aws:iam::123456789012:role/deploy", RoleSessionName: "GitHubActions",
		WebIdentityToken: webToken, DurationSeconds: 900})
	if err != nil {
		t.Fatal(err)
	}
	s := f.only()
	if s.header.Get("Authorization") != "" || s.header.Get("X-Amz-Security-Token") != "" {
		t.Fatalf("the web identity call was signed: %v", s.header)
	}
	if !strings.HasPrefix(s.header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		t.Fatalf("Content-Type = %q", s.header.Get("Content-Type"))
	}
	want := map[string]string{"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::123456789012:role/deploy",
		"RoleSessionName": "GitHubActions", "WebIdentityToken": webToken, "DurationSeconds": "900"}
	for k, v := range want {
		if got := s.form.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if strings.Contains(s.query, "eyJ") {
		t.Fatal("the token travelled in the URL")
	}
	exp := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	if out.Credentials.AccessKeyID != "ASIAEXAMPLE" || out.Credentials.SecretAccessKey != "secret/key" ||
		out.Credentials.SessionToken != "session+token" || !out.Credentials.Expiration.Equal(exp) {
		t.Errorf("credentials = %+v", out.Credentials)
	}
	if out.AssumedRoleUser.Arn != "arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions" ||
		out.AssumedRoleUser.AssumedRoleID != "AROAEXAMPLEID:GitHubActions" || out.Audience != "sts.amazonaws.com" ||
		out.SubjectFromWebIdentityToken != "repo:org/repo:ref:refs/heads/main" ||
		out.Provider != "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" {
		t.Errorf("answer = %+v", out)
	}
	if out.RequestID != "c6104cbe-af31-11e0-8154-cbc7ccf896c7" {
		t.Errorf("request id = %q", out.RequestID)
	}
}

func TestGetCallerIdentityAndAssumeRoleAreSignedWithTheSessionToken(t *testing.T) {
	f := newFake(t, map[string]http.HandlerFunc{
		"sts:GetCallerIdentity": xmlReply(`<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/deploy/s</Arn>
			<UserId>AROAX:s</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`),
		"sts:AssumeRole": xmlReply(strings.ReplaceAll(assumeAnswer, "AssumeRoleWithWebIdentity", "AssumeRole")),
	})
	c := f.client()
	id, err := c.GetCallerIdentity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != "123456789012" || id.Arn != "arn:aws:sts::123456789012:assumed-role/deploy/s" || id.UserID != "AROAX:s" || id.RequestID != "rid-1" {
		t.Fatalf("identity = %+v", id)
	}
	out, err := c.AssumeRole(context.Background(), AssumeRoleInput{RoleArn: "arn:aws:iam::123456789012:role/next", RoleSessionName: "chained"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Credentials.AccessKeyID != "ASIAEXAMPLE" {
		t.Fatalf("AssumeRole answer = %+v", out)
	}
	reqs := f.requests()
	for _, s := range reqs {
		mustBeSigned(t, s, "sts")
	}
	if got := reqs[1].form.Get("RoleSessionName"); got != "chained" || reqs[1].form.Has("DurationSeconds") {
		t.Fatalf("AssumeRole form = %v", reqs[1].form)
	}
}

func TestAnAnswerWithoutItsResultElementIsAnError(t *testing.T) {
	f := newFake(t, map[string]http.HandlerFunc{"sts:GetCallerIdentity": xmlReply(`<GetCallerIdentityResponse></GetCallerIdentityResponse>`)})
	_, err := f.client().GetCallerIdentity(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no GetCallerIdentityResult element") {
		t.Fatalf("err = %v", err)
	}
}

func TestSignedCallsWithoutCredentialsFailBeforeSendingAnything(t *testing.T) {
	f := newFake(t, map[string]http.HandlerFunc{})
	c := f.client()
	c.Creds.SecretAccessKey = ""
	_, err := c.GetCallerIdentity(context.Background())
	if err == nil || !strings.Contains(err.Error(), "secret access key") {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Fatalf("%d requests were sent", n)
	}
}

func TestTheWebIdentityTokenNeverAppearsInAnError(t *testing.T) {
	// A listener that is closed at once: every attempt is a network error.
	f := newFake(t, map[string]http.HandlerFunc{})
	f.srv.Close()
	c := f.client()
	c.Retry.MaxAttempts = 2
	_, err := c.AssumeRoleWithWebIdentity(context.Background(), AssumeRoleWithWebIdentityInput{
		RoleArn: "arn:aws:iam::123456789012:role/deploy", RoleSessionName: "s", WebIdentityToken: webToken})
	var ne *NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("err = %v, want a network error", err)
	}
	if strings.Contains(err.Error(), webToken) || strings.Contains(err.Error(), "eyJ") {
		t.Fatalf("the error holds the token: %v", err)
	}
}
