package awsclient

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}}]}`

// roleAnswer is inkan's golden GetRole/CreateRole answer: the trust policy URL-encoded.
func roleAnswer(action string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<` + action + `Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><` + action + `Result><Role><Path>/ci/</Path><RoleName>deploy</RoleName><RoleId>AROAAPPJ2VRSMGHW2YWG</RoleId><Arn>arn:aws:iam::123456789012:role/ci/deploy</Arn><CreateDate>2026-11-25T10:00:00.123Z</CreateDate><AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Federated%22%3A%22arn%3Aaws%3Aiam%3A%3A123456789012%3Aoidc-provider%2Ftoken.actions.githubusercontent.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRoleWithWebIdentity%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22token.actions.githubusercontent.com%3Aaud%22%3A%22sts.amazonaws.com%22%7D%2C%22StringLike%22%3A%7B%22token.actions.githubusercontent.com%3Asub%22%3A%22repo%3Aacme%2Fapp%3A%2A%22%7D%7D%7D%5D%7D</AssumeRolePolicyDocument><Description>Deploys acme/app</Description><MaxSessionDuration>7200</MaxSessionDuration><PermissionsBoundary><PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType><PermissionsBoundaryArn>arn:aws:iam::123456789012:policy/ci/ReadArtifacts</PermissionsBoundaryArn></PermissionsBoundary></Role></` + action + `Result><ResponseMetadata><RequestId>rid-` + action + `</RequestId></ResponseMetadata></` + action + `Response>`
}

func noResult(action string) http.HandlerFunc {
	return xmlReply(`<` + action + `Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></` + action + `Response>`)
}

func TestRolesAreCreatedAndReadWithTheirTrustPolicyDecoded(t *testing.T) {
	f := newFake(t, map[string]http.HandlerFunc{
		"iam:CreateRole": xmlReply(roleAnswer("CreateRole")),
		"iam:GetRole":    xmlReply(roleAnswer("GetRole")),
	})
	c := f.client()
	created, err := c.CreateRole(context.Background(), CreateRoleInput{RoleName: "deploy", AssumeRolePolicyDocument: trustPolicy,
		Path: "/ci/", Description: "Deploys acme/app", MaxSessionDuration: 7200})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetRole(context.Background(), "deploy")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*Role{created, got} {
		if r.AssumeRolePolicyDocument != trustPolicy {
			t.Fatalf("trust policy = %s", r.AssumeRolePolicyDocument)
		}
		if r.Arn != "arn:aws:iam::123456789012:role/ci/deploy" || r.RoleID != "AROAAPPJ2VRSMGHW2YWG" || r.MaxSessionDuration != 7200 ||
			r.PermissionsBoundaryArn != "arn:aws:iam::123456789012:policy/ci/ReadArtifacts" || r.CreateDate.IsZero() {
			t.Fatalf("role = %+v", r)
		}
	}
	reqs := f.requests()
	create := reqs[0].form
	if create.Get("AssumeRolePolicyDocument") != trustPolicy || create.Get("Path") != "/ci/" || create.Get("MaxSessionDuration") != "7200" ||
		create.Get("Version") != "2010-05-08" {
		t.Fatalf("CreateRole form = %v", create)
	}
	for _, s := range reqs {
		mustBeSigned(t, s, "iam")
	}
}

func TestInlinePoliciesArePutListedReadAndDeleted(t *testing.T) {
	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}]}`
	f := newFake(t, map[string]http.HandlerFunc{
		"iam:PutRolePolicy":    noResult("PutRolePolicy"),
		"iam:DeleteRolePolicy": noResult("DeleteRolePolicy"),
		"iam:DeleteRole":       noResult("DeleteRole"),
		"iam:GetRolePolicy":    xmlReply(`<GetRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRolePolicyResult><RoleName>deploy</RoleName><PolicyName>read-artifacts</PolicyName><PolicyDocument>%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22s3%3AGetObject%22%2C%20%22Resource%22%3A%20%22arn%3Aaws%3As3%3A%3A%3Aartifacts%2F%2A%22%7D%5D%7D</PolicyDocument></GetRolePolicyResult><ResponseMetadata><RequestId>rid-GetRolePolicy</RequestId></ResponseMetadata></GetRolePolicyResponse>`),
		"iam:ListRolePolicies": func(w http.ResponseWriter, r *http.Request) {
			if r.FormValue("Marker") == "" {
				xmlReply(`<ListRolePoliciesResponse><ListRolePoliciesResult><PolicyNames><member>a</member><member>b</member></PolicyNames><IsTruncated>true</IsTruncated><Marker>m1</Marker></ListRolePoliciesResult></ListRolePoliciesResponse>`)(w, r)
				return
			}
			xmlReply(`<ListRolePoliciesResponse><ListRolePoliciesResult><PolicyNames><member>c</member></PolicyNames><IsTruncated>false</IsTruncated></ListRolePoliciesResult></ListRolePoliciesResponse>`)(w, r)
		},
	})
	c := f.client()
	ctx := context.Background()
	if err := c.PutRolePolicy(ctx, "deploy", "read-artifacts", doc); err != nil {
		t.Fatal(err)
	}
	p, err := c.GetRolePolicy(ctx, "deploy", "read-artifacts")
	if err != nil {
		t.Fatal(err)
	}
	if p.PolicyDocument != doc || p.PolicyName != "read-artifacts" || p.RequestID != "rid-GetRolePolicy" {
		t.Fatalf("policy = %+v", p)
	}
	names, err := c.ListRolePolicies(ctx, "deploy")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "a,b,c" {
		t.Fatalf("names over two pages = %v", names)
	}
	if err := c.DeleteRolePolicy(ctx, "deploy", "read-artifacts"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRole(ctx, "deploy"); err != nil {
		t.Fatal(err)
	}
	if got := f.requests()[0].form.Get("PolicyDocument"); got != doc {
		t.Fatalf("PutRolePolicy sent %q", got)
	}
}

func TestManagedPoliciesAndProvidersAreRead(t *testing.T) {
	f := newFake(t, map[string]http.HandlerFunc{
		"iam:ListAttachedRolePolicies":   xmlReply(`<ListAttachedRolePoliciesResponse><ListAttachedRolePoliciesResult><AttachedPolicies><member><PolicyName>ReadArtifacts</PolicyName><PolicyArn>arn:aws:iam::123456789012:policy/ci/ReadArtifacts</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated></ListAttachedRolePoliciesResult></ListAttachedRolePoliciesResponse>`),
		"iam:GetPolicy":                  xmlReply(`<GetPolicyResponse><GetPolicyResult><Policy><PolicyName>ReadArtifacts</PolicyName><PolicyId>ANPA</PolicyId><Arn>arn:aws:iam::123456789012:policy/ci/ReadArtifacts</Arn><Path>/ci/</Path><DefaultVersionId>v2</DefaultVersionId></Policy></GetPolicyResult></GetPolicyResponse>`),
		"iam:GetPolicyVersion":           xmlReply(`<GetPolicyVersionResponse><GetPolicyVersionResult><PolicyVersion><Document>%7B%22a%22%3A%20%22b%2Bc%22%7D</Document><VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion></GetPolicyVersionResult></GetPolicyVersionResponse>`),
		"iam:ListOpenIDConnectProviders": xmlReply(`<ListOpenIDConnectProvidersResponse><ListOpenIDConnectProvidersResult><OpenIDConnectProviderList><member><Arn>arn:aws:iam::123456789012:oidc-provider/127.0.0.1:8750/idp</Arn></member></OpenIDConnectProviderList></ListOpenIDConnectProvidersResult></ListOpenIDConnectProvidersResponse>`),
		"iam:GetOpenIDConnectProvider":   xmlReply(`<GetOpenIDConnectProviderResponse><GetOpenIDConnectProviderResult><Url>127.0.0.1:8750/idp</Url><ClientIDList><member>sts.amazonaws.com</member></ClientIDList><CreateDate>2026-11-25T10:00:00.123Z</CreateDate></GetOpenIDConnectProviderResult></GetOpenIDConnectProviderResponse>`),
	})
	c := f.client()
	ctx := context.Background()
	attached, err := c.ListAttachedRolePolicies(ctx, "deploy")
	if err != nil || len(attached) != 1 || attached[0].PolicyArn != "arn:aws:iam::123456789012:policy/ci/ReadArtifacts" {
		t.Fatalf("attached = %+v, %v", attached, err)
	}
	p, err := c.GetPolicy(ctx, attached[0].PolicyArn)
	if err != nil || p.DefaultVersionID != "v2" || p.Path != "/ci/" {
		t.Fatalf("policy = %+v, %v", p, err)
	}
	v, err := c.GetPolicyVersion(ctx, p.Arn, p.DefaultVersionID)
	if err != nil || v.Document != `{"a": "b+c"}` || !v.IsDefaultVersion {
		t.Fatalf("version = %+v, %v", v, err)
	}
	arns, err := c.ListOpenIDConnectProviders(ctx)
	if err != nil || len(arns) != 1 {
		t.Fatalf("providers = %v, %v", arns, err)
	}
	prov, err := c.GetOpenIDConnectProvider(ctx, arns[0])
	if err != nil || prov.URL != "127.0.0.1:8750/idp" || len(prov.ClientIDs) != 1 || prov.ClientIDs[0] != "sts.amazonaws.com" {
		t.Fatalf("provider = %+v, %v", prov, err)
	}
	if got := f.requests()[4].form.Get("OpenIDConnectProviderArn"); got != arns[0] {
		t.Fatalf("GetOpenIDConnectProvider asked for %q", got)
	}
}

func TestAMissingRoleIsNoSuchEntity(t *testing.T) {
	f := newFake(t, map[string]http.HandlerFunc{"iam:GetRole": queryError(404, "NoSuchEntity", "The role with name ghost cannot be found.")})
	_, err := f.client().GetRole(context.Background(), "ghost")
	var e *Error
	if !errors.As(err, &e) || e.Code != "NoSuchEntity" || e.Status != 404 || IsRetryable(err) {
		t.Fatalf("err = %v", err)
	}
}
