package explain

import (
	"testing"

	"github.com/inkan-dev/inkan/internal/devidp"
)

// trustCase is one way an AssumeRoleWithWebIdentity is refused, with GitHub-shaped claims.
type trustCase struct {
	name   string
	trust  string
	job    devidp.JobContext
	edit   func(w *WebIdentity) // optional changes to the exchange
	reason string               // the verdict, after "denied: "
}

const (
	subAcme   = `"token.actions.githubusercontent.com:sub"`
	audSTS    = `"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"`
	otherProv = "arn:aws:iam::" + account + ":oidc-provider/gitlab.com"
)

func setClaim(name string, v any) func(*WebIdentity) {
	return func(w *WebIdentity) { w.Claims[name] = v }
}

func trustCases() []trustCase {
	main := job("acme/app", "refs/heads/main")
	withEnv := job("acme/app", "refs/heads/main")
	withEnv.Environment = "prod"
	pr := job("acme/app", "refs/pull/7/merge")
	tag := job("acme/app", "refs/tags/v1.2.0")
	immutable := job("acme/app", "refs/heads/main")
	immutable.Immutable = true
	immutable.RepositoryOwnerID, immutable.RepositoryID = "9919", "740219485"
	selfHosted := job("acme/app", "refs/heads/main")
	selfHosted.RunnerEnvironment = "self-hosted"
	reusable := job("acme/app", "refs/heads/main")
	reusable.JobWorkflowRef = "acme/app/.github/workflows/ci.yml@refs/heads/main"
	return []trustCase{
		{"a token from another repository", seedTrust, job("evil/app", "refs/heads/main"), nil,
			`token.actions.githubusercontent.com:sub "repo:evil/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"] (StringLike, Statement[0])`},
		{"a token from another branch than the one pinned", trustWith(`{"StringEquals":{` + audSTS + `,` + subAcme + `:"repo:acme/app:ref:refs/heads/deploy"}}`), main, nil,
			`token.actions.githubusercontent.com:sub "repo:acme/app:ref:refs/heads/main" matches none of ["repo:acme/app:ref:refs/heads/deploy"] (StringEquals, Statement[0])`},
		{"a token whose audience is not a client ID of the provider", seedTrust, main, setClaim("aud", "https://github.com/acme"),
			`the token's aud ["https://github.com/acme"] holds none of the provider's client IDs ["sts.amazonaws.com"] (InvalidIdentityToken: Incorrect token audience)`},
		{"a registered audience that the trust policy does not accept", seedTrust, main, func(w *WebIdentity) {
			w.Provider.ClientIDs = append(w.Provider.ClientIDs, "inkan")
			w.Claims["aud"] = "inkan"
		}, `token.actions.githubusercontent.com:aud "inkan" matches none of ["sts.amazonaws.com"] (StringEquals, Statement[0])`},
		{"a case difference in the repository name", trustWith(`{"StringLike":{` + subAcme + `:"repo:Acme/App:*"}}`), main, nil,
			`token.actions.githubusercontent.com:sub "repo:acme/app:ref:refs/heads/main" matches none of ["repo:Acme/App:*"] (StringLike, Statement[0])`},
		{"a claim the token lacks under StringLike", trustWith(`{"StringLike":{"token.actions.githubusercontent.com:environment":"prod*"}}`), main, nil,
			`token.actions.githubusercontent.com:environment is absent; StringLike requires a value (Statement[0])`},
		{"ForAnyValue on a claim the token lacks", trustWith(`{"ForAnyValue:StringEquals":{"token.actions.githubusercontent.com:groups":["deployers"]}}`), main, nil,
			`token.actions.githubusercontent.com:groups is absent; ForAnyValue:StringEquals requires a value (Statement[0])`},
		{"a Deny with ForAllValues that holds because the claim is absent", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"Federated":"` + ghProvider + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{` + subAcme + `:"repo:acme/app:*"}}},
			{"Sid":"OnlyDeployers","Effect":"Deny","Principal":{"Federated":"` + ghProvider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
			 "Condition":{"ForAllValues:StringNotEquals":{"token.actions.githubusercontent.com:groups":["deployers"]}}}]}`, main, nil,
			`explicitly denied by Statement[1] "OnlyDeployers" (trust policy) because token.actions.githubusercontent.com:groups is absent, which ForAllValues:StringNotEquals accepts`},
		{"ForAllValues with a value outside the list", trustWith(`{"ForAllValues:StringEquals":{"token.actions.githubusercontent.com:groups":["deployers"]}}`), main,
			setClaim("groups", []any{"deployers", "interns"}),
			`token.actions.githubusercontent.com:groups value "interns" matches none of ["deployers"] (ForAllValues:StringEquals, Statement[0])`},
		{"a statement with NotAction, which allows every other action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"Federated":"` + ghProvider + `"},"NotAction":"sts:AssumeRoleWithWebIdentity"}]}`, main, nil,
			`no statement of the trust policy allows sts:AssumeRoleWithWebIdentity for ` + ghProvider},
		{"an explicit Deny beating an Allow", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"Federated":"` + ghProvider + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{` + subAcme + `:"repo:acme/app:*"}}},
			{"Sid":"NotFromMain","Effect":"Deny","Principal":{"Federated":"` + ghProvider + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:ref":"refs/heads/main"}}}]}`,
			main, nil, `explicitly denied by Statement[1] "NotFromMain" (trust policy) because token.actions.githubusercontent.com:ref "refs/heads/main" satisfies StringEquals ["refs/heads/main"]`},
		{"an environment-scoped subject against a branch pattern", trustWith(`{"StringLike":{` + subAcme + `:"repo:acme/app:ref:refs/heads/*"}}`), withEnv, nil,
			`token.actions.githubusercontent.com:sub "repo:acme/app:environment:prod" matches none of ["repo:acme/app:ref:refs/heads/*"] (StringLike, Statement[0])`},
		{"an immutable-format subject against a name-based policy", seedTrust, immutable, nil,
			`token.actions.githubusercontent.com:sub "repo:acme@9919/app@740219485:ref:refs/heads/main" matches none of ["repo:acme/app:*"] (StringLike, Statement[0])`},
		{"a typo in the provider ARN of the trust policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"Federated":"arn:aws:iam::` + account + `:oidc-provider/token.actions.githubusercontent.co"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, main, nil,
			`principal ` + ghProvider + ` is not trusted by any statement`},
		{"a provider of another account", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"Federated":"arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, main, nil,
			`principal ` + ghProvider + ` is not trusted by any statement`},
		{"a trust policy for another provider only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"Federated":"` + otherProv + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"gitlab.com:sub":"project_path:acme/app:*"}}}]}`, main, nil,
			`principal ` + ghProvider + ` is not trusted by any statement`},
		{"a trust policy for AWS principals only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`, main, nil,
			`principal ` + ghProvider + ` is not trusted by any statement`},
		{"a pull request against a branch pattern", trustWith(`{"StringLike":{` + subAcme + `:"repo:acme/app:ref:refs/heads/*"}}`), pr, nil,
			`token.actions.githubusercontent.com:sub "repo:acme/app:pull_request" matches none of ["repo:acme/app:ref:refs/heads/*"] (StringLike, Statement[0])`},
		{"a tag against a branch pattern", trustWith(`{"StringLike":{` + subAcme + `:"repo:acme/app:ref:refs/heads/*"}}`), tag, nil,
			`token.actions.githubusercontent.com:sub "repo:acme/app:ref:refs/tags/v1.2.0" matches none of ["repo:acme/app:ref:refs/heads/*"] (StringLike, Statement[0])`},
		{"StringEquals with a wildcard, compared literally", trustWith(`{"StringEquals":{` + subAcme + `:"repo:acme/app:*"}}`), main, nil,
			`token.actions.githubusercontent.com:sub "repo:acme/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"] (StringEquals, Statement[0])`},
		{"a reusable workflow that is not the one pinned", trustWith(`{"StringEquals":{"token.actions.githubusercontent.com:job_workflow_ref":"acme/shared/.github/workflows/deploy.yml@refs/heads/main"}}`), reusable, nil,
			`token.actions.githubusercontent.com:job_workflow_ref "acme/app/.github/workflows/ci.yml@refs/heads/main" matches none of ["acme/shared/.github/workflows/deploy.yml@refs/heads/main"] (StringEquals, Statement[0])`},
		{"a pull-request event where only pushes are trusted", trustWith(`{"StringEquals":{"token.actions.githubusercontent.com:event_name":"push"}}`), pr, nil,
			`token.actions.githubusercontent.com:event_name "pull_request" matches none of ["push"] (StringEquals, Statement[0])`},
		{"a self-hosted runner where GitHub-hosted ones are required", trustWith(`{"StringEquals":{"token.actions.githubusercontent.com:runner_environment":"github-hosted"}}`), selfHosted, nil,
			`token.actions.githubusercontent.com:runner_environment "self-hosted" matches none of ["github-hosted"] (StringEquals, Statement[0])`},
		{"a repository id that is not the one pinned", trustWith(`{"StringEquals":{"token.actions.githubusercontent.com:repository_id":"74"}}`), immutable, nil,
			`token.actions.githubusercontent.com:repository_id "740219485" matches none of ["74"] (StringEquals, Statement[0])`},
		{"Null false on a claim the token lacks", trustWith(`{"Null":{"token.actions.githubusercontent.com:environment":"false"}}`), main, nil,
			`token.actions.githubusercontent.com:environment is absent; Null "false" requires it (Statement[0])`},
		{"an excluded subject under StringNotLike", trustWith(`{"StringLike":{` + subAcme + `:"repo:acme/*"},"StringNotLike":{` + subAcme + `:"repo:acme/app:*"}}`), main, nil,
			`token.actions.githubusercontent.com:sub "repo:acme/app:ref:refs/heads/main" matches "repo:acme/app:*" (StringNotLike, Statement[0])`},
		{"a trust that expired", trustWith(`{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`), main, nil,
			`aws:CurrentTime "2026-09-01T12:00:00Z" matches none of ["2026-01-01T00:00:00Z"] (DateLessThan, Statement[0])`},
		{"a source address outside the allowed network", trustWith(`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`), main, func(w *WebIdentity) { w.SourceIP = "192.0.2.7" },
			`aws:SourceIp "192.0.2.7" matches none of ["10.0.0.0/8"] (IpAddress, Statement[0])`},
		{"a request without TLS where TLS is required", trustWith(`{"Bool":{"aws:SecureTransport":"true"}}`), main, func(w *WebIdentity) { w.Secure = false },
			`aws:SecureTransport "false" matches none of ["true"] (Bool, Statement[0])`},
		{"a session name outside the pattern", trustWith(`{"StringLike":{"sts:RoleSessionName":"deploy-*"}}`), main, nil,
			`sts:RoleSessionName "GitHubActions" matches none of ["deploy-*"] (StringLike, Statement[0])`},
		{"a token from another issuer than the provider", seedTrust, main, setClaim("iss", "https://token.actions.githubusercontent.com/acme-enterprise"),
			`the token's issuer "https://token.actions.githubusercontent.com/acme-enterprise" is not the provider's URL "https://token.actions.githubusercontent.com" (InvalidIdentityToken: No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com/acme-enterprise)`},
		{"a token whose azp is not a client ID", seedTrust, main, setClaim("azp", "other-client"),
			`the token's azp "other-client" is none of the provider's client IDs ["sts.amazonaws.com"] (InvalidIdentityToken: Incorrect token audience)`},
	}
}

func TestEveryDenialCauseOfATrustPolicyHasItsOneSentenceReason(t *testing.T) {
	for _, c := range trustCases() {
		t.Run(c.name, func(t *testing.T) {
			w := webIdentity(t, c.trust, claimsOf(t, c.job))
			if c.edit != nil {
				c.edit(w)
			}
			res, err := SimulateWebIdentity(w)
			if err != nil {
				t.Fatal(err)
			}
			if res.Allowed {
				t.Fatalf("allowed: %s", res.Verdict)
			}
			if want := "denied: " + c.reason; res.Verdict != want {
				t.Fatalf("verdict\n  %s\nwant\n  %s", res.Verdict, want)
			}
		})
	}
}

func TestTheSeedTrustAdmitsItsRepositoryOnAnyRef(t *testing.T) {
	for _, j := range []devidp.JobContext{job("acme/app", "refs/heads/main"), job("acme/app", "refs/tags/v1"), job("acme/app", "refs/pull/3/merge")} {
		res, err := SimulateWebIdentity(webIdentity(t, seedTrust, claimsOf(t, j)))
		if err != nil {
			t.Fatal(err)
		}
		if !res.Allowed || res.Verdict != "allowed: allowed by Statement[0] (trust policy)" {
			t.Fatalf("%s %s: %s", j.Repository, j.Ref, res.Verdict)
		}
	}
}
