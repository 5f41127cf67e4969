package policy

import "testing"

func TestReasonNamesTheDecisiveElement(t *testing.T) {
	env := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
	  "Principal":{"Federated":"` + githubProvider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
	  "Condition":{"StringLike":{"token.actions.githubusercontent.com:environment":"prod*"}}}]}`
	// The first statement stops at its action, the second in its conditions: the second
	// got furthest and is the one reported.
	furthest := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Principal":{"Federated":"` + githubProvider + `"},"Action":"sts:TagSession"},
	  {"Effect":"Allow","Principal":{"Federated":"` + githubProvider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
	   "Condition":{"StringEquals":{"token.actions.githubusercontent.com:repository":"acme/web"}}}]}`
	otherProvider := githubRequest("repo:acme/app:ref:refs/heads/main")
	otherProvider.Principal.IDs = []string{"arn:aws:iam::1:oidc-provider/x"}
	put := session("s3:PutObject", "arn:aws:s3:::b/k")
	ipAllow := `{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`
	putFrom := session("s3:PutObject", "arn:aws:s3:::b/k")
	putFrom.Context.(Keys).Set("aws:sourceip", "192.0.2.7")
	cases := []struct {
		name string
		req  *Request
		set  func(t *testing.T) *Set
		want string
	}{
		{"a subject from another repository", githubRequest("repo:evil/app:ref:refs/heads/main"),
			func(t *testing.T) *Set { return &Set{Resource: mustParse(t, seedTrust, Trust)} },
			`token.actions.githubusercontent.com:sub "repo:evil/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"] (StringLike, Statement[0])`},
		{"an absent claim", githubRequest("repo:acme/app:ref:refs/heads/main"),
			func(t *testing.T) *Set { return &Set{Resource: mustParse(t, env, Trust)} },
			`token.actions.githubusercontent.com:environment is absent; StringLike requires a value (Statement[0])`},
		{"an untrusted provider", otherProvider,
			func(t *testing.T) *Set { return &Set{Resource: mustParse(t, seedTrust, Trust)} },
			`principal arn:aws:iam::1:oidc-provider/x is not trusted by any statement`},
		{"the statement that got furthest", githubRequest("repo:acme/app:ref:refs/heads/main"),
			func(t *testing.T) *Set { return &Set{Resource: mustParse(t, furthest, Trust)} },
			`token.actions.githubusercontent.com:repository "acme/app" matches none of ["acme/web"] (StringEquals, Statement[1])`},
		{"a trusted principal asking for another action", func() *Request {
			r := githubRequest("repo:acme/app:ref:refs/heads/main")
			r.Action = "sts:AssumeRole"
			return r
		}(), func(t *testing.T) *Set { return &Set{Resource: mustParse(t, seedTrust, Trust)} },
			`no statement of the trust policy allows sts:AssumeRole for ` + githubProvider},
		{"an explicit deny", session("s3:DeleteObject", object),
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll, denyDeleteProd).Named("x")}}
			},
			`explicitly denied by Statement[1] "DenyProd" (identity policy "x")`},
		{"no identity statement", put,
			func(t *testing.T) *Set { return &Set{Identity: []*Policy{identity(t, allowGet)}} },
			`no statement allows s3:PutObject on arn:aws:s3:::b/k (identity policies)`},
		{"an identity condition", putFrom,
			func(t *testing.T) *Set { return &Set{Identity: []*Policy{identity(t, ipAllow).Named("office")}} },
			`aws:SourceIp "192.0.2.7" matches none of ["10.0.0.0/8"] (IpAddress, Statement[0], identity policy "office")`},
		{"the session policy", put,
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)}, Session: []*Policy{mustParse(t, doc(allowGet), Session)}}
			}, `the session policy does not allow s3:PutObject on arn:aws:s3:::b/k`},
		{"the permissions boundary", put,
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)}, Boundary: identity(t, allowGet)}
			},
			`the permissions boundary does not allow s3:PutObject on arn:aws:s3:::b/k`},
		{"a condition in the permissions boundary", putFrom,
			func(t *testing.T) *Set {
				return &Set{Identity: []*Policy{identity(t, allowAll)}, Boundary: identity(t, ipAllow)}
			},
			`the permissions boundary does not allow s3:PutObject on arn:aws:s3:::b/k: aws:SourceIp "192.0.2.7" matches none of ["10.0.0.0/8"] (IpAddress, Statement[0], permissions boundary)`},
		{"an allow", githubRequest("repo:acme/app:ref:refs/heads/main"),
			func(t *testing.T) *Set { return &Set{Resource: mustParse(t, seedTrust, Trust)} },
			`allowed by Statement[0] (trust policy)`},
		{"an empty set", put, func(t *testing.T) *Set { return &Set{} },
			`no policy applies, so nothing allows s3:PutObject on arn:aws:s3:::b/k`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, tr := Explain(c.req, c.set(t))
			if got := tr.Reason(); got != c.want {
				t.Fatalf("Reason =\n  %s\nwant\n  %s", got, c.want)
			}
			if tr.Decision != d {
				t.Fatalf("trace decision %+v, returned %+v", tr.Decision, d)
			}
		})
	}
}

func TestTraceRecordsEveryStatementAndCondition(t *testing.T) {
	set := &Set{Identity: []*Policy{identity(t, allowGet, denyDeleteProd).Named("a")}, Resource: mustParse(t, seedTrust, Trust)}
	_, tr := Explain(githubRequest("repo:evil/app:x"), set)
	if len(tr.Policies) != 2 || len(tr.Policies[0].Statements) != 2 || len(tr.Policies[1].Statements) != 1 {
		t.Fatalf("trace policies = %+v", tr.Policies)
	}
	st := tr.Policies[1].Statements[0]
	if st.Principal == nil || !*st.Principal || !st.Action || !st.Resource || st.Applies || len(st.Conditions) != 2 {
		t.Fatalf("trust statement trace = %+v", st)
	}
	if !st.Conditions[0].Satisfied || st.Conditions[1].Satisfied {
		t.Fatalf("conditions = %+v", st.Conditions)
	}
	if tr.Policies[0].Name != "a" || tr.Policies[0].Source != SourceIdentity || tr.Policies[1].Kind != "trust" {
		t.Fatalf("policy labels = %+v", tr.Policies)
	}
}
