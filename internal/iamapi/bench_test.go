package iamapi

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"testing"
)

// benchFixture holds 100 roles, each with an inline policy: a write reloads all of them.
func benchFixture(b *testing.B) *fixture {
	f := newFixture(b)
	for i := range 100 {
		name := fmt.Sprintf("role-%03d", i)
		for _, query := range []string{
			q("Action", "CreateRole", "RoleName", name, "AssumeRolePolicyDocument", trustPolicy),
			q("Action", "PutRolePolicy", "RoleName", name, "PolicyName", "read", "PolicyDocument", readPolicy),
		} {
			if rec := benchCall(f, query); rec.Code != 200 {
				b.Fatalf("setup: %s", rec.Body)
			}
		}
	}
	return f
}

func benchCall(f *fixture, query string) *httptest.ResponseRecorder {
	params, _ := url.ParseQuery(query)
	rec := httptest.NewRecorder()
	f.serve(rec, params, root, "rid")
	return rec
}

// BenchmarkGetRole is a read: decode, authorize, one store read, render.
func BenchmarkGetRole(b *testing.B) {
	f := benchFixture(b)
	query := q("Action", "GetRole", "RoleName", "role-050")
	for b.Loop() {
		if rec := benchCall(f, query); rec.Code != 200 {
			b.Fatal(rec.Body)
		}
	}
}

// BenchmarkPutRolePolicy is a write: parse, one store transaction (fsync), and the reload
// that recompiles the configuration of 100 roles.
func BenchmarkPutRolePolicy(b *testing.B) {
	f := benchFixture(b)
	query := q("Action", "PutRolePolicy", "RoleName", "role-050", "PolicyName", "read", "PolicyDocument", readPolicy)
	for b.Loop() {
		if rec := benchCall(f, query); rec.Code != 200 {
			b.Fatal(rec.Body)
		}
	}
}
