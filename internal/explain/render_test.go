package explain

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// simulate runs the seed's exchange for a repository's main branch.
func simulate(t *testing.T, trust, repo string) *Result {
	t.Helper()
	res, err := SimulateWebIdentity(webIdentity(t, trust, claimsOf(t, job(repo, "refs/heads/main"))))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestASimulatedDenialRendersItsTraceAsText(t *testing.T) {
	text := rendered(t, "simulate-seed-evil.txt", func(w io.Writer) error { return WriteResult(w, simulate(t, seedTrust, "evil/app")) })
	for _, want := range []string{
		"failing condition in Statement[0] of the trust policy\n  StringLike token.actions.githubusercontent.com:sub\n" +
			`  expected   one of ["repo:acme/app:*"]` + "\n" + `  presented  "repo:evil/app:ref:refs/heads/main"`,
		"condition  holds: StringEquals token.actions.githubusercontent.com:aud",
		"condition  FAILS: StringLike token.actions.githubusercontent.com:sub",
	} {
		if !strings.Contains(text, want) {
			t.Fatalf("the text lacks %q:\n%s", want, text)
		}
	}
}

func TestASimulatedDecisionRendersAsJSONWithItsTraceAndContext(t *testing.T) {
	res := simulate(t, seedTrust, "acme/app")
	js := rendered(t, "simulate-seed-acme.json", func(w io.Writer) error { return WriteJSON(w, res) })
	var back Result
	if err := json.Unmarshal([]byte(js), &back); err != nil {
		t.Fatal(err)
	}
	if !back.Allowed || back.Trace.Decision.Effect != "Allow" || back.Context["token.actions.githubusercontent.com:repository"][0] != "acme/app" {
		t.Fatalf("the JSON does not read back: %+v", back)
	}
}

func TestAnExplicitDenyShowsTheConditionsThatMadeItApply(t *testing.T) {
	c := trustCases()[10] // an explicit Deny beating an Allow
	w := webIdentity(t, c.trust, claimsOf(t, c.job))
	res, err := SimulateWebIdentity(w)
	if err != nil {
		t.Fatal(err)
	}
	fs := res.Trace.Failures()
	if len(fs) != 1 || fs[0].Statement != `Statement[1] "NotFromMain"` || fs[0].Condition.Key != "token.actions.githubusercontent.com:ref" {
		t.Fatalf("failures = %+v", fs)
	}
	rendered(t, "simulate-explicit-deny.txt", func(w io.Writer) error { return WriteTrace(w, res.Trace) })
}

func TestExpectedValuesAreSaidInWordsForEveryOperatorShape(t *testing.T) {
	cases := []struct {
		op     string
		values []string
		want   string
	}{
		{"StringLike", []string{"a*"}, `one of ["a*"]`},
		{"StringNotEquals", []string{"a", "b"}, `none of ["a", "b"]`},
		{"ForAllValues:StringEquals", []string{"a"}, `every value one of ["a"]`},
		{"ForAnyValue:StringLike", []string{"a"}, `at least one value one of ["a"]`},
		{"ForAnyValue:StringNotLike", []string{"a"}, `at least one value matching none of ["a"]`},
		{"StringEqualsIfExists", []string{"a"}, `one of ["a"], or absent`},
		{"Null", []string{"true"}, "absent"},
		{"Null", []string{"false"}, "present"},
	}
	for _, c := range cases {
		r := condResult(c.op, c.values)
		if got := Expected(&r); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.op, c.values, got, c.want)
		}
	}
}

func condResult(op string, values []string) (r condition.Result) {
	r.Operator, r.Key, r.PolicyValues = op, "k", values
	return r
}

func TestAnAuditRecordRendersItsFailingConditionAndClaims(t *testing.T) {
	res := simulate(t, seedTrust, "evil/app")
	raw, err := json.Marshal(res.Trace)
	if err != nil {
		t.Fatal(err)
	}
	rec := &audit.Record{Time: time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC), RequestID: "req-1", Service: "sts",
		Action: "sts:AssumeRoleWithWebIdentity", Role: roleARN, SourceIP: "127.0.0.1", Outcome: "deny", Code: "AccessDenied",
		Reason: res.Trace.Reason, Claims: map[string]any{"sub": "repo:evil/app:ref:refs/heads/main", "repository": "evil/app"}, Trace: raw}
	text := rendered(t, "explain-record.txt", func(w io.Writer) error { return WriteRecord(w, rec) })
	if !strings.Contains(text, `presented  "repo:evil/app:ref:refs/heads/main"`) {
		t.Fatalf("no presented value:\n%s", text)
	}
	var b bytes.Buffer
	if err := WriteRecordJSON(&b, rec); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Verdict   string          `json:"verdict"`
		RequestID string          `json:"request_id"`
		Trace     json.RawMessage `json:"trace"`
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.RequestID != "req-1" || back.Verdict != res.Verdict || len(back.Trace) == 0 {
		t.Fatalf("record JSON %s: %v", b.String(), err)
	}
}

func TestARecordWithoutTraceRendersItsOutcomeAndReason(t *testing.T) {
	cases := []struct {
		rec  audit.Record
		want string
	}{
		{audit.Record{Outcome: "error", Code: "InvalidIdentityToken", Reason: "no OIDC provider is registered for issuer \"x\""},
			`failed (InvalidIdentityToken): no OIDC provider is registered for issuer "x"`},
		{audit.Record{Outcome: "deny", Code: "AccessDenied", Reason: "role arn:aws:iam::1:role/x does not exist in account 1"},
			"denied: role arn:aws:iam::1:role/x does not exist in account 1"},
		{audit.Record{Outcome: "allow"}, "allowed"},
	}
	for _, c := range cases {
		if got := RecordVerdict(&c.rec); got != c.want {
			t.Errorf("verdict %q, want %q", got, c.want)
		}
		var b bytes.Buffer
		if err := WriteRecord(&b, &c.rec); err != nil || !strings.Contains(b.String(), c.want) {
			t.Errorf("text %q (%v) lacks %q", b.String(), err, c.want)
		}
	}
}

func TestARecordedTraceWithoutDecisionIsRefused(t *testing.T) {
	if _, err := ParseTrace([]byte(`{"reason":"x"}`)); err == nil {
		t.Fatal("a trace without decision was accepted")
	}
	if _, err := ParseTrace([]byte(`[`)); err == nil {
		t.Fatal("a broken trace was accepted")
	}
}

func TestADomainTraceReadsBackFromItsJSON(t *testing.T) {
	w := webIdentity(t, seedTrust, claimsOf(t, job("evil/app", "refs/heads/main")))
	res, err := SimulateWebIdentity(w)
	if err != nil {
		t.Fatal(err)
	}
	if res.Trace.Decision.Effect != "ImplicitDeny" || res.Trace.Decision.Source != "resource" || len(res.Trace.Policies) != 1 ||
		res.Trace.Policies[0].Kind != "trust" || len(res.Trace.Policies[0].Statements[0].Conditions) != 2 {
		t.Fatalf("trace = %+v", res.Trace)
	}
}
