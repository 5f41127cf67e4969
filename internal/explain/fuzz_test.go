package explain

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// FuzzDecodeToken: decoding never panics, refuses with ErrNotDecodable, never quotes the
// token in its error, and round-trips a payload it accepted.
func FuzzDecodeToken(f *testing.F) {
	seg := base64.RawURLEncoding.EncodeToString
	f.Add("e30." + seg([]byte(`{"sub":"repo:acme/app:ref:refs/heads/main","aud":["a","b"],"n":12345678901234567890}`)) + ".c2ln")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("e30." + seg([]byte(`{"a":1} {"b":2}`)) + ".x")
	f.Add("e30." + seg([]byte(`null`)) + ".x")
	f.Fuzz(func(t *testing.T, token string) {
		claims, err := DecodeToken(token)
		if err != nil {
			if !errors.Is(err, ErrNotDecodable) {
				t.Fatalf("error %v does not wrap ErrNotDecodable", err)
			}
			if len(token) > 8 && strings.Contains(err.Error(), token) {
				t.Fatalf("the error quotes the token: %v", err)
			}
			return
		}
		if claims == nil {
			t.Fatal("nil claims without an error")
		}
		payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(strings.TrimSpace(token), ".")[1])
		again, err := ParseClaims(payload)
		if err != nil || len(again) != len(claims) {
			t.Fatalf("the payload does not parse the same way again: %v", err)
		}
	})
}

// FuzzLocate: any document and path give a position inside the document (or none).
func FuzzLocate(f *testing.F) {
	f.Add([]byte(`{"Statement":[{"Condition":{"StringLike":{"a.b:sub":["x","y"]}}}]}`), "Statement[0].Condition.StringLike.a.b:sub[1]")
	f.Add([]byte("{\"a\": \"\U0001F600\",\n\"b\": [1, {\"c\": 2}]}"), "b[1].c")
	f.Add([]byte(`{"a": [`), "a[0]")
	f.Add([]byte(`[[[]]]`), "[0][0]")
	f.Fuzz(func(t *testing.T, doc []byte, path string) {
		p := Locate(doc, path)
		if p == (Position{}) {
			return
		}
		lines := strings.Count(string(doc), "\n") + 1
		if p.Line < 1 || p.Line > lines || p.Column < 1 || p.Column > 2*len(doc)+1 {
			t.Fatalf("position %+v outside a document of %d lines and %d bytes", p, lines, len(doc))
		}
	})
}

// FuzzDescribeSubject: every value gets words, and a pattern that the production matcher
// finds matching a subject of an unnamed owner is always reported unscoped.
func FuzzDescribeSubject(f *testing.F) {
	for _, s := range []string{"repo:acme/app:*", "repo:*", "repo:acme/*", "*", "repo:a@1/b@2:environment:p", "repo::", "repo:/", "repo:?/?:?"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, value string, like bool) {
		if !utf8.ValidString(value) {
			return
		}
		words, unscoped := DescribeSubject(value, like)
		if words == "" {
			t.Fatalf("no words for %q", value)
		}
		if like && !unscoped {
			p := condition.CompilePattern(value, false)
			for _, s := range probeSubjects {
				if p.Match(s) {
					t.Fatalf("%q matches %q but is not reported unscoped (%s)", value, s, words)
				}
			}
		}
		if unscoped && !strings.HasSuffix(words, "unscoped!") {
			t.Fatalf("%q is unscoped but the words do not say so: %s", value, words)
		}
	})
}
