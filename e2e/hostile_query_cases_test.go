package e2e

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// form is a query-protocol POST body.
func form(kv ...string) []byte {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return []byte(v.Encode())
}

// unsigned is a query POST without a signature.
func (h *hostile) unsigned(body []byte) []byte {
	return h.bytes(h.req(http.MethodPost, "/", formHeader(), body))
}

// signedQuery is a query POST signed for service by root (or keyID) at time at.
func (h *hostile) signedQuery(service string, body []byte, at time.Time, keyID string) []byte {
	return h.bytes(h.sign(h.req(http.MethodPost, "/", formHeader(), body), service, hashHex(body), at, keyID))
}

func (h *hostile) queryCases() []hostileCase {
	web := func(kv ...string) []byte {
		return form(append([]string{"Action", "AssumeRoleWithWebIdentity", "Version", "2011-06-15"}, kv...)...)
	}
	role := "arn:aws:iam::" + testAccount + ":role/none"
	token := "eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJzdWIiOiJ4In0.c2ln"
	q := func(name string, raw []byte, status int, code string) hostileCase {
		return hostileCase{name: name, raw: raw, status: status, code: code, proto: protoQuery}
	}
	iamCall := func(kv ...string) []byte {
		return h.signedQuery("iam", form(append([]string{"Version", "2010-05-08"}, kv...)...), time.Time{}, "")
	}
	stsCall := func(kv ...string) []byte {
		return h.signedQuery("sts", form(append([]string{"Version", "2011-06-15"}, kv...)...), time.Time{}, "")
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	identity := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	getIdentity := form("Action", "GetCallerIdentity", "Version", "2011-06-15")
	cs := []hostileCase{
		q("STS AssumeRoleWithWebIdentity without a token", h.unsigned(web("RoleArn", role, "RoleSessionName", "sess")), 400, "ValidationError"),
		q("STS AssumeRoleWithWebIdentity without a role", h.unsigned(web("WebIdentityToken", token, "RoleSessionName", "sess")), 400, "ValidationError"),
		q("STS AssumeRoleWithWebIdentity without a session name", h.unsigned(web("WebIdentityToken", token, "RoleArn", role)), 400, "ValidationError"),
		q("STS AssumeRoleWithWebIdentity with a token that is not a JWT", h.unsigned(web("WebIdentityToken", "not-a-jwt", "RoleArn", role, "RoleSessionName", "sess")), 400, "InvalidIdentityToken"),
		q("STS AssumeRoleWithWebIdentity with a 30,000-byte token", h.unsigned(web("WebIdentityToken", strings.Repeat("a", 30000), "RoleArn", role, "RoleSessionName", "sess")), 400, "ValidationError"),
		q("STS AssumeRoleWithWebIdentity with a token of a JWT's shape", h.unsigned(web("WebIdentityToken", token, "RoleArn", role, "RoleSessionName", "sess")), 400, "InvalidIdentityToken"),
		q("STS AssumeRoleWithWebIdentity with a malformed role ARN", h.unsigned(web("WebIdentityToken", token, "RoleArn", "arn:aws:iam::bad", "RoleSessionName", "sess")), 400, "ValidationError"),
		q("STS AssumeRoleWithWebIdentity for 10 seconds", h.unsigned(web("WebIdentityToken", token, "RoleArn", role, "RoleSessionName", "sess", "DurationSeconds", "10")), 400, "ValidationError"),
		q("STS AssumeRoleWithWebIdentity for 200,000 seconds", h.unsigned(web("WebIdentityToken", token, "RoleArn", role, "RoleSessionName", "sess", "DurationSeconds", "200000")), 400, "ValidationError"),
		q("STS AssumeRoleWithWebIdentity for a duration that is no number", h.unsigned(web("WebIdentityToken", token, "RoleArn", role, "RoleSessionName", "sess", "DurationSeconds", "long")), 400, "ValidationError"),
		q("STS AssumeRoleWithWebIdentity with a session name of spaces", h.unsigned(web("WebIdentityToken", token, "RoleArn", role, "RoleSessionName", "a b c")), 400, "ValidationError"),
		q("STS AssumeRoleWithWebIdentity with a 65-character session name", h.unsigned(web("WebIdentityToken", token, "RoleArn", role, "RoleSessionName", strings.Repeat("s", 65))), 400, "ValidationError"),
		q("STS AssumeRoleWithWebIdentity with a bad token and a session policy that is not JSON", h.unsigned(web("WebIdentityToken", token, "RoleArn", role, "RoleSessionName", "sess", "Policy", "not json")), 400, "InvalidIdentityToken"),
		q("STS AssumeRoleWithWebIdentity with a 3 MB body", h.unsigned(web("WebIdentityToken", strings.Repeat("a", 3<<20))), 413, "RequestEntityTooLarge"),
		q("STS a body that is not a form", h.unsigned([]byte("Action=%zz&Version=2011-06-15")), 400, "MalformedQueryString"),
		q("STS an unknown action", h.unsigned(form("Action", "BecomeRoot", "Version", "2011-06-15")), 400, "InvalidAction"),
		q("STS no action", h.unsigned(form("Version", "2011-06-15")), 400, "InvalidAction"),
		q("STS AssumeRole unsigned", h.unsigned(form("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", role, "RoleSessionName", "sess")), 403, "MissingAuthenticationToken"),
		q("STS GetCallerIdentity unsigned", h.unsigned(getIdentity), 403, "MissingAuthenticationToken"),
		q("STS GetCallerIdentity with a Bearer token", h.bytes(h.req(http.MethodPost, "/", http.Header{"Content-Type": formHeader()["Content-Type"], "Authorization": {"Bearer abc"}}, getIdentity)), 400, "IncompleteSignature"),
		q("STS GetCallerIdentity with Signature Version 2", h.bytes(h.req(http.MethodPost, "/", http.Header{"Content-Type": formHeader()["Content-Type"], "Authorization": {"AWS " + rootAccessKeyID + ":c2ln"}}, getIdentity)), 403, "InvalidClientTokenId"),
		q("STS GetCallerIdentity with an unknown key", h.signedQuery("sts", getIdentity, time.Time{}, "AKIAUNKNOWNKEY000000"), 403, "InvalidClientTokenId"),
		q("STS GetCallerIdentity signed a day ago", h.signedQuery("sts", getIdentity, time.Now().Add(-24*time.Hour), ""), 400, "RequestExpired"),
		q("STS GetCallerIdentity signed for IAM", h.signedQuery("iam", getIdentity, time.Time{}, ""), 403, "SignatureDoesNotMatch"),
		q("STS GetCallerIdentity with a tampered body", []byte(strings.Replace(string(h.signedQuery("sts", getIdentity, time.Time{}, "")), "GetCallerIdentity", "GetCallerIdentitx", 1)), 400, "InvalidAction"),
		q("STS AssumeRole of a malformed ARN", stsCall("Action", "AssumeRole", "RoleArn", "not-an-arn", "RoleSessionName", "sess"), 400, "ValidationError"),
		q("STS AssumeRole with a session policy of 20,000 characters", stsCall("Action", "AssumeRole", "RoleArn", role, "RoleSessionName", "sess", "Policy", strings.Repeat("[", 10000)+strings.Repeat("]", 10000)), 400, "ValidationError"),
		q("STS AssumeRole of a missing role with a session policy nested 300 deep", stsCall("Action", "AssumeRole", "RoleArn", role, "RoleSessionName", "sess", "Policy", strings.Repeat(`{"a":`, 300)+"1"+strings.Repeat("}", 300)), 403, "AccessDenied"),
		q("STS AssumeRole of a missing role with a session policy that is not JSON", stsCall("Action", "AssumeRole", "RoleArn", role, "RoleSessionName", "sess", "Policy", "not json"), 403, "AccessDenied"),
		q("STS AssumeRole with 60 session tags", stsCall(append([]string{"Action", "AssumeRole", "RoleArn", role, "RoleSessionName", "sess"}, manyTags(60)...)...), 400, "ValidationError"),
		q("STS AssumeRole with a tag list index of 0", stsCall("Action", "AssumeRole", "RoleArn", role, "RoleSessionName", "sess", "Tags.member.0.Key", "k", "Tags.member.0.Value", "v"), 400, "ValidationError"),
		q("IAM CreateRole without a name", iamCall("Action", "CreateRole", "AssumeRolePolicyDocument", trust), 400, "ValidationError"),
		q("IAM CreateRole named with a space", iamCall("Action", "CreateRole", "RoleName", "bad name", "AssumeRolePolicyDocument", trust), 400, "ValidationError"),
		q("IAM CreateRole with a 65-character name", iamCall("Action", "CreateRole", "RoleName", strings.Repeat("r", 65), "AssumeRolePolicyDocument", trust), 400, "ValidationError"),
		q("IAM CreateRole with a path without slashes", iamCall("Action", "CreateRole", "RoleName", "r1", "Path", "nope", "AssumeRolePolicyDocument", trust), 400, "ValidationError"),
		q("IAM CreateRole with a trust policy that is not JSON", iamCall("Action", "CreateRole", "RoleName", "r2", "AssumeRolePolicyDocument", "not json"), 400, "MalformedPolicyDocument"),
		q("IAM CreateRole with a trust policy nested 10,000 deep", iamCall("Action", "CreateRole", "RoleName", "r3", "AssumeRolePolicyDocument", strings.Repeat(`{"a":`, 10000)+"1"+strings.Repeat("}", 10000)), 400, "MalformedPolicyDocument"),
		q("IAM CreateRole with an unknown policy field", iamCall("Action", "CreateRole", "RoleName", "r4", "AssumeRolePolicyDocument", strings.Replace(trust, `"Effect"`, `"Colour":"blue","Effect"`, 1)), 400, "MalformedPolicyDocument"),
		q("IAM CreateRole with policy version 2099", iamCall("Action", "CreateRole", "RoleName", "r5", "AssumeRolePolicyDocument", strings.Replace(trust, "2012-10-17", "2099-01-01", 1)), 400, "MalformedPolicyDocument"),
		q("IAM CreateRole with a 200 KB trust policy", iamCall("Action", "CreateRole", "RoleName", "r6", "AssumeRolePolicyDocument", strings.Replace(trust, "sts:AssumeRole", "sts:AssumeRole"+strings.Repeat(" ", 200<<10), 1)), 400, "ValidationError"),
		q("IAM CreateRole for 100 hours", iamCall("Action", "CreateRole", "RoleName", "r7", "AssumeRolePolicyDocument", trust, "MaxSessionDuration", "360000"), 400, "ValidationError"),
		q("IAM GetRole of a missing role", iamCall("Action", "GetRole", "RoleName", "no-such-role"), 404, "NoSuchEntity"),
		q("IAM DeleteRole of a missing role", iamCall("Action", "DeleteRole", "RoleName", "no-such-role"), 404, "NoSuchEntity"),
		q("IAM PutRolePolicy on a missing role", iamCall("Action", "PutRolePolicy", "RoleName", "no-such-role", "PolicyName", "p", "PolicyDocument", identity), 404, "NoSuchEntity"),
		q("IAM PutRolePolicy with a principal in an identity policy", iamCall("Action", "PutRolePolicy", "RoleName", "no-such-role", "PolicyName", "p", "PolicyDocument", trust), 400, "MalformedPolicyDocument"),
		q("IAM CreateOpenIDConnectProvider with an ftp URL", iamCall("Action", "CreateOpenIDConnectProvider", "Url", "ftp://issuer.example", "ClientIDList.member.1", "sts.amazonaws.com"), 400, "InvalidInput"),
		q("IAM CreateOpenIDConnectProvider with a URL of 300 bytes", iamCall("Action", "CreateOpenIDConnectProvider", "Url", "https://"+strings.Repeat("a", 300)+".example", "ClientIDList.member.1", "x"), 400, "ValidationError"),
		q("IAM CreateOpenIDConnectProvider with a thumbprint that is not hex", iamCall("Action", "CreateOpenIDConnectProvider", "Url", "https://issuer.example", "ThumbprintList.member.1", "zz"), 400, "InvalidInput"),
		q("IAM ListRoles with MaxItems 0", iamCall("Action", "ListRoles", "MaxItems", "0"), 400, "ValidationError"),
		q("IAM ListRoles with MaxItems that is no number", iamCall("Action", "ListRoles", "MaxItems", "many"), 400, "ValidationError"),
		q("IAM an unknown action", iamCall("Action", "BecomeRoot"), 400, "InvalidAction"),
		q("IAM ListRoles unsigned", h.unsigned(form("Action", "ListRoles", "Version", "2010-05-08")), 403, "MissingAuthenticationToken"),
		q("IAM ListRoles with a repeated member index", iamCall("Action", "TagRole", "RoleName", "x", "Tags.member.1.Key", "a", "Tags.member.1.Key", "b"), 400, "ValidationError"),
	}
	return cs
}

func manyTags(n int) []string {
	var kv []string
	for i := 1; i <= n; i++ {
		idx := strconv.Itoa(i)
		kv = append(kv, "Tags.member."+idx+".Key", "k"+idx, "Tags.member."+idx+".Value", "v")
	}
	return kv
}
