package iam

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/sqlstore"
)

// The helpers below serve every CRUD test of the package: a Service on a real SQLite store
// in a temporary directory, a settable clock and seeded randomness.

const testAccount = "123456789012"

// testClock is a settable clock.
type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time { return c.t }

func newCRUDService(t *testing.T, edit ...func(*Options)) (*Service, *testClock) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "inkan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &testClock{t: time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)}
	o := Options{Store: st, Verifier: oidc.NewVerifier(oidc.Options{}), Account: testAccount,
		Now: clock.Now, Rand: rand.NewChaCha8([32]byte{7})}
	for _, e := range edit {
		e(&o)
	}
	s, err := New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	return s, clock
}

// wantError fails unless err is an *Error of kind whose message contains msg.
func wantError(t *testing.T, err error, kind Kind, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want an *iam.Error of kind %d", err, err, kind)
	}
	if e.Kind != kind || !strings.Contains(e.Message, msg) {
		t.Fatalf("got kind %d message %q, want kind %d with %q", e.Kind, e.Message, kind, msg)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const ghURL = "https://token.actions.githubusercontent.com"

// ghTrust is a GitHub trust policy scoped to one repository, which the linter accepts.
const ghTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
 "Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
 "Action":"sts:AssumeRoleWithWebIdentity",
 "Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
  "StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}}]}`

// identityDoc returns an identity policy allowing s3:GetObject on a resource padded so that
// the document's whitespace-free size is exactly size characters.
func identityDoc(t *testing.T, size int) string {
	t.Helper()
	const head = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/`
	const tail = `"}]}`
	pad := size - len(head) - len(tail)
	if pad < 1 {
		t.Fatalf("size %d too small", size)
	}
	return head + strings.Repeat("k", pad) + tail
}

func TestNewIDsAreAPrefixAndSixteenUpperCaseBase32Characters(t *testing.T) {
	s, _ := newCRUDService(t)
	seen := map[string]bool{}
	for range 100 {
		id, err := s.newID("AROA")
		must(t, err)
		rest, ok := strings.CutPrefix(id, "AROA")
		if !ok || len(rest) != 16 || strings.Trim(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Fatalf("id %q is not AROA + 16 base32 characters", id)
		}
		if seen[id] {
			t.Fatalf("id %q repeated", id)
		}
		seen[id] = true
	}
}

func TestTagsAreValidatedAsIAMValidatesThem(t *testing.T) {
	many := make([]store.Tag, 51)
	for i := range many {
		many[i] = store.Tag{Key: "k" + strings.Repeat("x", i)}
	}
	cases := []struct {
		name string
		tags []store.Tag
		kind Kind
		msg  string
	}{
		{"an empty key", []store.Tag{{Key: ""}}, KindValidation, "at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"a key of 129 characters", []store.Tag{{Key: strings.Repeat("k", 129)}}, KindValidation, "Member must have length less than or equal to 128"},
		{"a value of 257 characters", []store.Tag{{Key: "k", Value: strings.Repeat("v", 257)}}, KindValidation, "at 'tags.1.member.value'"},
		{"a key with a comma", []store.Tag{{Key: "a,b"}}, KindValidation, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`},
		{"a value with a semicolon", []store.Tag{{Key: "k", Value: "x;y"}}, KindValidation, "at 'tags.1.member.value'"},
		{"keys equal but for case", []store.Tag{{Key: "Team"}, {Key: "team"}}, KindInvalidInput, "Duplicate tag keys found"},
		{"a key in the aws: namespace", []store.Tag{{Key: "AWS:x"}}, KindInvalidInput, "can't start with 'aws:'"},
		{"51 tags", many, KindValidation, "Member must have length less than or equal to 50"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, checkTags(c.tags), c.kind, c.msg)
		})
	}
	if err := checkTags([]store.Tag{{Key: "repo", Value: "acme/app"}, {Key: "ünï cødé", Value: ""}}); err != nil {
		t.Fatalf("valid tags refused: %v", err)
	}
}

func TestMergingTagsOverwritesKeysCaseInsensitivelyAndStopsAtFifty(t *testing.T) {
	merged, err := mergeTags([]store.Tag{{Key: "Team", Value: "a"}, {Key: "env", Value: "dev"}}, []store.Tag{{Key: "team", Value: "b"}}, "TagsPerRole")
	if err != nil {
		t.Fatal(err)
	}
	if len(merged) != 2 || !hasTagKey(merged, "env") || merged[1] != (store.Tag{Key: "team", Value: "b"}) {
		t.Fatalf("merged = %v", merged)
	}
	full := make([]store.Tag, 50)
	for i := range full {
		full[i] = store.Tag{Key: "k" + strings.Repeat("x", i)}
	}
	_, err = mergeTags(full, []store.Tag{{Key: "one-more"}}, "TagsPerRole")
	wantError(t, err, KindLimitExceeded, "Cannot exceed quota for TagsPerRole: 50")
	if left := removeTags(merged, []string{"TEAM", "absent"}); len(left) != 1 || left[0].Key != "env" {
		t.Fatalf("removeTags = %v", left)
	}
}

func TestPathsFollowTheModelPattern(t *testing.T) {
	for _, ok := range []string{"", "/", "/ci/", "/a/b-c/"} {
		if err := checkPath(ok); err != nil {
			t.Errorf("path %q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"ci", "/ci", "ci/", "/c i/", "/" + strings.Repeat("a", 511) + "/"} {
		if checkPath(bad) == nil {
			t.Errorf("path %q accepted", bad)
		}
	}
}

func TestPolicyDocumentsOutsideTheModelAlphabetAreRefused(t *testing.T) {
	wantError(t, checkDocumentText("", "policyDocument"), KindValidation, "Member must have length between 1 and 131072")
	wantError(t, checkDocumentText(`{"a":"`+"\x01"+`"}`, "policyDocument"), KindValidation, `[\u0009\u000A\u000D\u0020-\u00FF]+`)
	wantError(t, checkDocumentText(`{"a":"€"}`, "policyDocument"), KindValidation, "failed to satisfy constraint")
	if err := checkDocumentText("{\n\t\"a\": \"é\"\r\n}", "policyDocument"); err != nil {
		t.Fatalf("a Latin-1 document was refused: %v", err)
	}
}
