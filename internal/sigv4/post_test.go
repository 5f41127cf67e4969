package sigv4

import (
	"errors"
	"testing"
)

func TestAPostFormVerifiesOnlyWithItsSecretScopeAndPolicy(t *testing.T) {
	const secret, policy = "post-secret", "eyJleHBpcmF0aW9uIjoiMjAzMC0wMS0wMVQwMDowMDowMFoiLCJjb25kaXRpb25zIjpbXX0="
	form := PostForm{Algorithm: Algorithm, Credential: "AKIDPOST/20261203/eu-west-1/s3/aws4_request", Date: "20261203T221500Z",
		Signature: SignPost(secret, "20261203", "eu-west-1", policy), Policy: policy}
	parse := func(f PostForm) *Auth {
		a, err := ParsePost(f)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if err := VerifyPost(parse(form), policy, secret, Options{Region: "eu-west-1"}); err != nil {
		t.Fatalf("the signed form: %v", err)
	}
	for _, tc := range []struct {
		name   string
		policy string
		secret string
		opts   Options
		edit   func(f *PostForm)
		want   error
	}{
		{"another secret", policy, "other", Options{}, nil, ErrSignatureMismatch},
		{"another policy", policy + "x", secret, Options{}, nil, ErrSignatureMismatch},
		{"a pinned region the scope does not name", policy, secret, Options{Region: "us-east-1"}, nil, ErrScope},
		{"a scope date other than x-amz-date's", policy, secret, Options{}, func(f *PostForm) { f.Date = "20261204T000000Z" }, ErrScope},
		{"a scope for another service", policy, secret, Options{}, func(f *PostForm) { f.Credential = "AKIDPOST/20261203/eu-west-1/sts/aws4_request" }, ErrScope},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := form
			if tc.edit != nil {
				tc.edit(&f)
			}
			if err := VerifyPost(parse(f), tc.policy, tc.secret, tc.opts); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	for _, bad := range []PostForm{
		{Algorithm: "AWS4-HMAC-SHA1", Credential: form.Credential, Date: form.Date},
		{Algorithm: Algorithm, Credential: "AKIDPOST/2026/eu-west-1/s3/aws4_request", Date: form.Date},
		{Algorithm: Algorithm, Credential: form.Credential, Date: "2026-12-03"},
	} {
		if _, err := ParsePost(bad); err == nil {
			t.Errorf("ParsePost(%+v) succeeded", bad)
		}
	}
}
