package awsquery

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestListsAreReadInIndexOrder(t *testing.T) {
	req := httptest.NewRequest("POST", "/", strings.NewReader(
		"Action=CreateOpenIDConnectProvider&ClientIDList.member.2=b&ClientIDList.member.10=c&ClientIDList.member.1=a"+
			"&Tags.member.1.Key=team&Tags.member.1.Value=x&Tags.member.2.Key=env&Tags.member.2.Value="))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if !IsQuery(req) {
		t.Fatal("a form POST to / is a query request")
	}
	q, err := Decode(req)
	if err != nil {
		t.Fatal(err)
	}
	ids, ok := q.List("ClientIDList")
	if !ok || strings.Join(ids, ",") != "a,b,c" {
		t.Fatalf("List = %v %v", ids, ok)
	}
	tags, ok := q.Structs("Tags")
	if !ok || len(tags) != 2 || tags[0]["Key"] != "team" || tags[1]["Value"] != "" {
		t.Fatalf("Structs = %v %v", tags, ok)
	}
	bad, _ := Decode(formRequest("ClientIDList.member.x=a"))
	if _, ok := bad.List("ClientIDList"); ok {
		t.Fatal("a non-numeric member index was accepted")
	}
}

func formRequest(body string) *http.Request {
	req := httptest.NewRequest("POST", "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func TestOversizedBodiesAreRefused(t *testing.T) {
	if _, err := Decode(formRequest(strings.Repeat("a", MaxBody+1))); err != ErrTooLarge {
		t.Fatalf("Decode = %v", err)
	}
}

func TestErrorsRenderWithTheRequestIDBesideError(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteError(rec, "https://sts.amazonaws.com/doc/2011-06-15/", &Error{Code: "AccessDenied", Message: "Not authorized to perform sts:AssumeRoleWithWebIdentity", Status: 403}, "RID")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>RID</RequestId></ErrorResponse>`
	if rec.Code != 403 || rec.Body.String() != want {
		t.Fatalf("got %d %s", rec.Code, rec.Body.String())
	}
}

func TestResultsWithoutOutputHaveNoResultElement(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteResult(rec, "ns", "DeleteRole", nil, "RID")
	if !strings.HasSuffix(rec.Body.String(), `<DeleteRoleResponse xmlns="ns"><ResponseMetadata><RequestId>RID</RequestId></ResponseMetadata></DeleteRoleResponse>`) {
		t.Fatalf("got %s", rec.Body.String())
	}
}
