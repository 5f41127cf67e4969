package policy

import (
	"strings"
	"testing"
)

// BenchmarkEvaluateSeedTrustPolicy is the acceptance case: the seed's trust policy
// (StringEquals on :aud, StringLike on :sub) against a GitHub token's claims.
func BenchmarkEvaluateSeedTrustPolicy(b *testing.B) {
	set := &Set{Resource: mustParse(b, seedTrust, Trust)}
	r := githubRequest("repo:acme/app:ref:refs/heads/main")
	b.ReportAllocs()
	for b.Loop() {
		if Evaluate(r, set).Effect != Allow {
			b.Fatal("denied")
		}
	}
}

// s3Policy is a 10-statement S3 permission policy of the kind claim templates make
// possible, with policy variables in resources and conditions.
const s3Policy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"ListOwnPrefix","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::artifacts",
  "Condition":{"StringLike":{"s3:prefix":["","${aws:PrincipalTag/repository}/*"]}}},
 {"Sid":"ReadShared","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::shared/*"},
 {"Sid":"ReadOwn","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::artifacts/${aws:PrincipalTag/repository}/*"},
 {"Sid":"WriteOwn","Effect":"Allow","Action":["s3:PutObject","s3:AbortMultipartUpload","s3:ListMultipartUploadParts"],
  "Resource":"arn:aws:s3:::artifacts/${aws:PrincipalTag/repository}/*"},
 {"Sid":"CacheOwn","Effect":"Allow","Action":"s3:*Object","Resource":"arn:aws:s3:::cache/${aws:PrincipalTag/repository}/${aws:PrincipalTag/ref, 'default'}/*"},
 {"Sid":"Logs","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/${aws:userid}/*"},
 {"Sid":"Location","Effect":"Allow","Action":["s3:GetBucketLocation","s3:ListAllMyBuckets"],"Resource":"*"},
 {"Sid":"TLSOnly","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
 {"Sid":"NoDeleteReleases","Effect":"Deny","Action":"s3:DeleteObject*","Resource":"arn:aws:s3:::artifacts/*/releases/*"},
 {"Sid":"OfficeOnly","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}}]}`

// BenchmarkEvaluateS3PolicyWithVariables is the acceptance case: the 10-statement policy
// above against a PutObject of the session's own repository.
func BenchmarkEvaluateS3PolicyWithVariables(b *testing.B) {
	set := &Set{Identity: []*Policy{mustParse(b, s3Policy, Identity)}}
	r := session("s3:PutObject", object, "repository", "acme/app", "ref", "main")
	r.Context.(Keys).Set("aws:securetransport", "true")
	r.Context.(Keys).Set("aws:sourceip", "192.0.2.7")
	b.ReportAllocs()
	for b.Loop() {
		if Evaluate(r, set).Effect != Allow {
			b.Fatal("denied")
		}
	}
}

// BenchmarkEvaluateAdversarialStringLike is the acceptance case: a trust policy whose
// StringLike is '*a*a*…b' (200 stars) against a 20,000-character claim. "fails" ends
// without the 'b'; "matches" ends with it, so that every segment is searched for.
func BenchmarkEvaluateAdversarialStringLike(b *testing.B) {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + githubProvider + `"},
	  "Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"` +
		strings.Repeat("*a", 200) + `*b"}}}]}`
	set := &Set{Resource: mustParse(b, trust, Trust)}
	for _, c := range []struct {
		name string
		sub  string
		want Effect
	}{{"fails", strings.Repeat("a", 20000), ImplicitDeny}, {"matches", strings.Repeat("a", 20000) + "b", Allow}} {
		b.Run(c.name, func(b *testing.B) {
			r := githubRequest(c.sub)
			b.ReportAllocs()
			for b.Loop() {
				if Evaluate(r, set).Effect != c.want {
					b.Fatal("wrong decision")
				}
			}
		})
	}
}

// BenchmarkExplainSeedTrustPolicy is the price of a trace, paid on denials.
func BenchmarkExplainSeedTrustPolicy(b *testing.B) {
	set := &Set{Resource: mustParse(b, seedTrust, Trust)}
	r := githubRequest("repo:evil/app:ref:refs/heads/main")
	b.ReportAllocs()
	for b.Loop() {
		if _, tr := Explain(r, set); tr.Reason() == "" {
			b.Fatal("no reason")
		}
	}
}

// BenchmarkParseSeedTrustPolicy is the price of compiling, paid once per policy.
func BenchmarkParseSeedTrustPolicy(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse([]byte(seedTrust), Trust); err != nil {
			b.Fatal(err)
		}
	}
}
