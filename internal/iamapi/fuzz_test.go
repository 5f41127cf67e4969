package iamapi

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzOperations sends arbitrary parameters to every operation as root. Whatever the input,
// an operation must not panic, must answer with a rendered result or an error of IAM's
// catalogue, and must never blame itself (ServiceFailure): bad input is the caller's fault.
//
// Run it longer with: go test -run '^$' -fuzz FuzzOperations -fuzztime 10m ./internal/iamapi
func FuzzOperations(f *testing.F) {
	for _, s := range scenario {
		f.Add(s.query)
	}
	f.Add("Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%00")
	f.Add("Action=TagRole&RoleName=deploy&Tags.member.1.Key=%FF&Tags.member.1.Value=v")
	f.Add("Action=ListRoles&Marker=AAAA&MaxItems=2")
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, query string) {
		params, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		for action := range fx.api.Operations {
			params.Set("Action", action)
			rec := httptest.NewRecorder()
			fx.serve(rec, params, root, "rid")
			body := rec.Body.String()
			if rec.Code >= 500 || strings.Contains(body, "ServiceFailure") {
				t.Fatalf("%s with %q: %d %s", action, params.Encode(), rec.Code, body)
			}
			if !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`) {
				t.Fatalf("%s with %q: not XML: %s", action, params.Encode(), body)
			}
		}
	})
}
