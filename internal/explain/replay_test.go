package explain

import (
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/policy"
)

func TestReplayListsTheRecordedExchangesWhoseOutcomeAnEditFlips(t *testing.T) {
	claims := func(repo string) map[string]any {
		c, err := JobClaims(job(repo, "refs/heads/main"), ghIssuer, "sts.amazonaws.com")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	rec := func(id, outcome, repo string) *audit.Record {
		return &audit.Record{RequestID: id, Time: now, Action: "sts:AssumeRoleWithWebIdentity", Outcome: outcome,
			Provider: ghProvider, Claims: claims(repo), Caller: "arn:aws:sts::" + account + ":assumed-role/deploy/gha"}
	}
	records := []*audit.Record{
		rec("kept", "allow", "acme/app"),
		rec("locked-out", "allow", "acme/web"),
		rec("let-in", "deny", "acme/tools"),
		rec("still-refused", "deny", "evil/app"),
		{RequestID: "s3", Action: "s3:GetObject", Outcome: "allow"},
		{RequestID: "no-claims", Action: "sts:AssumeRoleWithWebIdentity", Outcome: "deny", Provider: ghProvider},
		{RequestID: "bad-token", Action: "sts:AssumeRoleWithWebIdentity", Outcome: "error", Provider: ghProvider, Claims: claims("acme/app")},
	}
	edited := trustWith(`{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
	  "StringLike":{"token.actions.githubusercontent.com:sub":["repo:acme/app:*","repo:acme/tools:*"]}}`)
	rp := &Replay{Account: account, RoleARN: roleARN, Trust: mustParse(t, edited, policy.Trust),
		Providers: map[string]Provider{ghProvider: {URL: ghIssuer, ARN: ghProvider, ClientIDs: []string{"sts.amazonaws.com"}}}, Secure: true}
	rep, err := rp.Run(records)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Replayed != 4 || rep.Skipped != 3 || len(rep.Flips) != 2 {
		t.Fatalf("replayed %d, skipped %d, flips %+v", rep.Replayed, rep.Skipped, rep.Flips)
	}
	if f := rep.Flips[0]; f.Record.RequestID != "locked-out" || f.FlipWords() != "allow → deny" || !strings.Contains(f.Now.Verdict, `"repo:acme/web:ref:refs/heads/main" matches none of`) {
		t.Errorf("first flip: %s %s: %s", f.Record.RequestID, f.FlipWords(), f.Now.Verdict)
	}
	if f := rep.Flips[1]; f.Record.RequestID != "let-in" || f.FlipWords() != "deny → allow" {
		t.Errorf("second flip: %s %s", f.Record.RequestID, f.FlipWords())
	}
	var out strings.Builder
	if err := WriteReplay(&out, rep); err != nil || !strings.HasPrefix(out.String(), "replayed 4 decisions (3 skipped): 2 would flip\n") ||
		!strings.Contains(out.String(), "allow → deny  locked-out") {
		t.Errorf("WriteReplay: %v\n%s", err, out.String())
	}
}
