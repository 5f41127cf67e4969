package policy

import (
	"encoding/json"
	"testing"
)

const (
	account    = "123456789012"
	roleARN    = "arn:aws:iam::123456789012:role/deploy"
	sessionARN = "arn:aws:sts::123456789012:assumed-role/deploy/ci"
	object     = "arn:aws:s3:::artifacts/acme/app/build.tgz"
)

// session is a role session calling S3, with the principal tags claim templates give it.
func session(action, resource string, tags ...string) *Request {
	k := Keys{}
	for i := 0; i+1 < len(tags); i += 2 {
		k.Set("aws:principaltag/"+tags[i], tags[i+1])
	}
	k.Set("aws:userid", "AROAEXAMPLE:ci")
	return &Request{
		Principal: Principal{Type: "AWS", IDs: []string{sessionARN, roleARN}, Account: account},
		Action:    action, Resource: resource, Context: k,
	}
}

// doc builds a policy document from statements.
func doc(statements ...string) string {
	out := `{"Version":"2012-10-17","Statement":[`
	for i, s := range statements {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out + "]}"
}

const (
	allowAll       = `{"Effect":"Allow","Action":"*","Resource":"*"}`
	allowGet       = `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::artifacts/*"}`
	allowPut       = `{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::artifacts/*"}`
	denyDeleteProd = `{"Sid":"DenyProd","Effect":"Deny","Action":"s3:Delete*","Resource":"arn:aws:s3:::artifacts/*"}`
)

type evalCase struct {
	name string
	req  *Request
	set  func(t *testing.T) *Set
	want Effect
	src  Source
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.set(t)
			d := Evaluate(c.req, s)
			if d.Effect != c.want || d.Source != c.src {
				t.Fatalf("Evaluate = %+v, want %v from %v", d, c.want, c.src)
			}
			d2, tr := Explain(c.req, s)
			if d2 != d {
				t.Fatalf("Explain decided %+v, Evaluate %+v", d2, d)
			}
			if tr.Reason() == "" {
				t.Fatal("the trace has no reason")
			}
			if _, err := json.Marshal(tr); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func identity(t *testing.T, statements ...string) *Policy {
	return mustParse(t, doc(statements...), Identity)
}

func TestEvaluateTrustPolicies(t *testing.T) {
	seed := func(t *testing.T) *Set { return &Set{Resource: mustParse(t, seedTrust, Trust)} }
	other := githubRequest("repo:acme/app:ref:refs/heads/main")
	other.Principal.IDs = []string{"arn:aws:iam::123456789012:oidc-provider/gitlab.com"}
	wrongAud := githubRequest("repo:acme/app:ref:refs/heads/main")
	wrongAud.Context.(Keys).Set("token.actions.githubusercontent.com:aud", "https://github.com/acme")
	assumeRole := githubRequest("repo:acme/app:ref:refs/heads/main")
	assumeRole.Action = "sts:AssumeRole"
	caller := session("sts:AssumeRole", "arn:aws:iam::123456789012:role/target")
	trustAccount := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}`
	trustRole := `{"Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"sts:AssumeRole"}`
	trustOther := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/other"},"Action":"sts:AssumeRole"}`
	runEvalCases(t, []evalCase{
		{"the seed trusts its repository", githubRequest("repo:acme/app:ref:refs/heads/main"), seed, Allow, SourceResource},
		{"the seed refuses another repository", githubRequest("repo:evil/app:ref:refs/heads/main"), seed, ImplicitDeny, SourceResource},
		{"the seed refuses another audience", wrongAud, seed, ImplicitDeny, SourceResource},
		{"the seed refuses another provider", other, seed, ImplicitDeny, SourceResource},
		{"the seed allows only AssumeRoleWithWebIdentity", assumeRole, seed, ImplicitDeny, SourceResource},
		{"an identity policy alone never lets anyone assume a role", caller,
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)}, Resource: mustParse(t, doc(trustOther), Trust)}
			}, ImplicitDeny, SourceResource},
		{"a trust policy naming the account needs the caller's identity policy", caller,
			func(t *testing.T) *Set { return &Set{Resource: mustParse(t, doc(trustAccount), Trust)} }, ImplicitDeny, SourceIdentity},
		{"a trust policy naming the account and an identity policy allow", caller,
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)}, Resource: mustParse(t, doc(trustAccount), Trust)}
			}, Allow, SourceIdentity},
		{"a trust policy naming the caller's role grants on its own", caller,
			func(t *testing.T) *Set { return &Set{Resource: mustParse(t, doc(trustRole), Trust)} }, Allow, SourceResource},
		{"a session policy limits a trust policy naming the role", caller,
			func(t *testing.T) *Set {
				return &Set{Resource: mustParse(t, doc(trustRole), Trust), Session: []*Policy{mustParse(t, doc(allowGet), Session)}}
			}, ImplicitDeny, SourceSession},
	})
}

func TestEvaluateIdentityBoundaryAndSessionPolicies(t *testing.T) {
	put := session("s3:PutObject", object)
	runEvalCases(t, []evalCase{
		{"an identity policy allows", put, func(t *testing.T) *Set { return &Set{Identity: []*Policy{identity(t, allowPut)}} }, Allow, SourceIdentity},
		{"nothing allows", put, func(t *testing.T) *Set { return &Set{Identity: []*Policy{identity(t, allowGet)}} }, ImplicitDeny, SourceIdentity},
		{"an empty set allows nothing", put, func(t *testing.T) *Set { return &Set{} }, ImplicitDeny, SourceNone},
		{"actions match case-insensitively", session("S3:putobject", object),
			func(t *testing.T) *Set { return &Set{Identity: []*Policy{identity(t, allowPut)}} }, Allow, SourceIdentity},
		{"an explicit deny beats an allow", session("s3:DeleteObject", object),
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll), identity(t, denyDeleteProd)}}
			}, ExplicitDeny, SourceIdentity},
		{"a boundary that does not allow denies", put,
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)}, Boundary: identity(t, allowGet)}
			}, ImplicitDeny, SourceBoundary},
		{"a boundary never grants", put,
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowGet)}, Boundary: identity(t, allowAll)}
			}, ImplicitDeny, SourceIdentity},
		{"identity and boundary together allow", put,
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)}, Boundary: identity(t, allowPut)}
			}, Allow, SourceIdentity},
		{"a deny in the boundary wins", session("s3:DeleteObject", object),
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)}, Boundary: identity(t, allowAll, denyDeleteProd)}
			}, ExplicitDeny, SourceBoundary},
		{"a session policy that does not allow denies", put,
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)}, Session: []*Policy{mustParse(t, doc(allowGet), Session)}}
			}, ImplicitDeny, SourceSession},
		{"identity and session policies together allow", put,
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)}, Session: []*Policy{mustParse(t, doc(allowGet), Session), mustParse(t, doc(allowPut), Session)}}
			}, Allow, SourceIdentity},
		{"a session that had policies none of which loaded allows nothing", put,
			func(t *testing.T) *Set { return &Set{Identity: []*Policy{identity(t, allowAll)}, HasSession: true} }, ImplicitDeny, SourceSession},
		{"a deny in a session policy wins", session("s3:DeleteObject", object),
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)}, Session: []*Policy{mustParse(t, doc(allowAll, denyDeleteProd), Session)}}
			}, ExplicitDeny, SourceSession},
		{"NotAction allows every other action", session("s3:GetObject", object),
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, `{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)}}
			}, Allow, SourceIdentity},
		{"NotAction does not allow what it lists", session("iam:CreateUser", "*"),
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, `{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)}}
			}, ImplicitDeny, SourceIdentity},
		{"NotResource denies every other resource", session("s3:GetObject", "arn:aws:s3:::secrets/x"),
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll, `{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::artifacts/*"}`)}}
			}, ExplicitDeny, SourceIdentity},
	})
}

func TestEvaluateResourcePolicies(t *testing.T) {
	get := session("s3:GetObject", object)
	bucket := func(principal string) string {
		return `{"Effect":"Allow","Principal":` + principal + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::artifacts/*"}`
	}
	res := func(t *testing.T, statements ...string) *Policy { return mustParse(t, doc(statements...), Resource) }
	runEvalCases(t, []evalCase{
		{"a bucket policy naming the role grants on its own", get,
			func(t *testing.T) *Set { return &Set{Resource: res(t, bucket(`{"AWS":"`+roleARN+`"}`))} }, Allow, SourceResource},
		{"a bucket policy naming the account needs an identity policy", get,
			func(t *testing.T) *Set { return &Set{Resource: res(t, bucket(`{"AWS":"`+account+`"}`))} }, ImplicitDeny, SourceIdentity},
		{"a bucket policy naming the root ARN needs an identity policy", get,
			func(t *testing.T) *Set {
				return &Set{Resource: res(t, bucket(`{"AWS":"arn:aws:iam::`+account+`:root"}`))}
			}, ImplicitDeny, SourceIdentity},
		{"an identity policy alone allows within the account", get,
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowGet)}, Resource: res(t, bucket(`{"AWS":"arn:aws:iam::999999999999:root"}`))}
			}, Allow, SourceIdentity},
		{"Principal * grants on its own", get, func(t *testing.T) *Set { return &Set{Resource: res(t, bucket(`"*"`))} }, Allow, SourceResource},
		{"AWS * is the same as *", get, func(t *testing.T) *Set { return &Set{Resource: res(t, bucket(`{"AWS":"*"}`))} }, Allow, SourceResource},
		{"a Service principal does not match a role", get,
			func(t *testing.T) *Set { return &Set{Resource: res(t, bucket(`{"Service":"ec2.amazonaws.com"}`))} }, ImplicitDeny, SourceIdentity},
		{"a bucket policy naming the role is limited by the boundary", get,
			func(t *testing.T) *Set {
				return &Set{Resource: res(t, bucket(`{"AWS":"`+roleARN+`"}`)), Boundary: identity(t, allowPut)}
			}, ImplicitDeny, SourceBoundary},
		{"a bucket policy naming the session is not limited by the boundary", get,
			func(t *testing.T) *Set {
				return &Set{Resource: res(t, bucket(`{"AWS":"`+sessionARN+`"}`)), Boundary: identity(t, allowPut)}
			}, Allow, SourceResource},
		{"a bucket policy naming the session is not limited by session policies", get,
			func(t *testing.T) *Set {
				return &Set{Resource: res(t, bucket(`{"AWS":"`+sessionARN+`"}`)), HasSession: true}
			}, Allow, SourceResource},
		{"a deny in the bucket policy beats the identity policy", session("s3:DeleteObject", object),
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)}, Resource: res(t, `{"Effect":"Deny","Principal":"*","Action":"s3:Delete*","Resource":"*"}`)}
			}, ExplicitDeny, SourceResource},
		{"a NotPrincipal deny listing only the role still denies its sessions", session("s3:DeleteObject", object),
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)},
					Resource: res(t, `{"Effect":"Deny","NotPrincipal":{"AWS":"`+roleARN+`"},"Action":"s3:Delete*","Resource":"*"}`)}
			}, ExplicitDeny, SourceResource},
		{"a NotPrincipal deny listing role, session and account exempts the session", session("s3:DeleteObject", object),
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)},
					Resource: res(t, `{"Effect":"Deny","NotPrincipal":{"AWS":["`+roleARN+`","`+sessionARN+`","`+account+`"]},"Action":"s3:Delete*","Resource":"*"}`)}
			}, Allow, SourceIdentity},
		{"a NotPrincipal allow needs the identity policies", get,
			func(t *testing.T) *Set {
				return &Set{Resource: res(t, `{"Effect":"Allow","NotPrincipal":{"AWS":"999999999999"},"Action":"*","Resource":"*"}`)}
			},
			ImplicitDeny, SourceIdentity},
	})
}

func TestEvaluatePolicyVariablesInResources(t *testing.T) {
	perRepo := `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::artifacts/${aws:PrincipalTag/repository}/*"}`
	withDefault := `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::artifacts/${aws:PrincipalTag/repository, 'shared'}/*"}`
	set := func(st string, version string) func(t *testing.T) *Set {
		return func(t *testing.T) *Set {
			d := `{"Version":"` + version + `","Statement":[` + st + `]}`
			if version == "" {
				d = `{"Statement":[` + st + `]}`
			}
			return &Set{Identity: []*Policy{mustParse(t, d, Identity)}}
		}
	}
	runEvalCases(t, []evalCase{
		{"the session's repository tag opens its prefix", session("s3:PutObject", object, "repository", "acme/app"), set(perRepo, Version2012), Allow, SourceIdentity},
		{"another repository's prefix stays closed", session("s3:PutObject", "arn:aws:s3:::artifacts/evil/x/y", "repository", "acme/app"), set(perRepo, Version2012), ImplicitDeny, SourceIdentity},
		{"a tag of '*' is no wildcard", session("s3:PutObject", object, "repository", "*"), set(perRepo, Version2012), ImplicitDeny, SourceIdentity},
		{"without the tag the resource matches nothing", session("s3:PutObject", object), set(perRepo, Version2012), ImplicitDeny, SourceIdentity},
		{"a default stands in for a missing tag", session("s3:PutObject", "arn:aws:s3:::artifacts/shared/x"), set(withDefault, Version2012), Allow, SourceIdentity},
		{"in the 2008 language a variable is text", session("s3:PutObject", "arn:aws:s3:::artifacts/${aws:PrincipalTag/repository}/x", "repository", "acme/app"),
			set(perRepo, Version2008), Allow, SourceIdentity},
		{"without Version a variable is text", session("s3:PutObject", object, "repository", "acme/app"), set(perRepo, VersionNone), ImplicitDeny, SourceIdentity},
	})
}

func TestDecisionNamesTheDecidingStatement(t *testing.T) {
	deny := identity(t, allowAll, denyDeleteProd).Named("guard")
	d := Evaluate(session("s3:DeleteObject", object), &Set{Identity: []*Policy{identity(t, allowGet), deny}})
	want := Decision{Effect: ExplicitDeny, Source: SourceIdentity, Policy: "guard", Statement: 1, Sid: "DenyProd"}
	if d != want {
		t.Fatalf("Decision = %+v, want %+v", d, want)
	}
	if deny.Name() != "guard" || identity(t, allowAll).Name() != "" {
		t.Fatal("Named changed the original")
	}
}

func TestEvaluateDoesNotAllocateForTheSeedTrustPolicy(t *testing.T) {
	set := &Set{Resource: mustParse(t, seedTrust, Trust)}
	allow, deny := githubRequest("repo:acme/app:ref:refs/heads/main"), githubRequest("repo:evil/app:ref:refs/heads/main")
	n := testing.AllocsPerRun(200, func() {
		if Evaluate(allow, set).Effect != Allow || Evaluate(deny, set).Effect != ImplicitDeny {
			t.Fatal("wrong decision")
		}
	})
	if n != 0 {
		t.Fatalf("Evaluate allocates %v times", n)
	}
}

func TestEvaluateAcceptsANilContext(t *testing.T) {
	r := session("s3:GetObject", object)
	r.Context = nil
	if d := Evaluate(r, &Set{Identity: []*Policy{identity(t, allowGet)}}); d.Effect != Allow {
		t.Fatalf("Evaluate = %+v", d)
	}
}
