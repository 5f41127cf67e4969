package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// TestTagConditionsDecideThroughSessionPoliciesWithTheGoSDK is issue 13's aws-sdk-go-v2
// acceptance for tags, on every backend: a web-identity session narrowed by a session
// policy reads only objects whose existing tags allow it (s3:ExistingObjectTag/<key>) and
// writes only the tags it allows (s3:RequestObjectTag/<key>, ForAllValues on
// s3:RequestObjectTagKeys), denied and allowed both ways.
func TestTagConditionsDecideThroughSessionPoliciesWithTheGoSDK(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t)
		ctx := context.Background()
		createBuckets(t, srv, "tagged")
		root := rootS3(srv)
		for key, tagging := range map[string]string{"public.txt": "class=public", "secret.txt": "class=secret&team=storage"} {
			if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tagged"), Key: aws.String(key),
				Body: strings.NewReader(key), Tagging: aws.String(tagging)}); err != nil {
				t.Fatal(err)
			}
		}
		role := createRole(t, srv, "tag-worker", seedTrustPolicy(srv, "repo:"+seedRepo+":*"), 0,
			map[string]string{"s3": policyDoc(`{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::tagged","arn:aws:s3:::tagged/*"]}`)})
		session := policyDoc(
			`{"Effect":"Allow","Action":["s3:GetObject","s3:GetObjectTagging"],"Resource":"arn:aws:s3:::tagged/*",
			  "Condition":{"StringEquals":{"s3:ExistingObjectTag/class":"public"}}}`,
			`{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"arn:aws:s3:::tagged/*",
			  "Condition":{"StringEquals":{"s3:RequestObjectTag/team":"storage"},"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["team","stage"]}}}`)
		out, err := assumeWeb(ctx, srv, role, mintToken(t, srv, map[string]any{"repository": seedRepo, "ref": seedRef}),
			func(in *sts.AssumeRoleWithWebIdentityInput) { in.Policy = aws.String(session) })
		if err != nil {
			t.Fatal(err)
		}
		c := s3.NewFromConfig(sessionConfig(awsCreds(out)), func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })

		get := func(key string) error {
			o, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tagged"), Key: aws.String(key)})
			if err == nil {
				o.Body.Close()
			}
			return err
		}
		if err := get("public.txt"); err != nil {
			t.Errorf("GET of an object tagged class=public: %v", err)
		}
		denied := get("secret.txt")
		wantDenied(t, "GET of an object tagged class=secret", denied)

		put := func(tagging string) error {
			in := &s3.PutObjectInput{Bucket: aws.String("tagged"), Key: aws.String("new.txt"), Body: strings.NewReader("new")}
			if tagging != "" {
				in.Tagging = aws.String(tagging)
			}
			_, err := c.PutObject(ctx, in)
			return err
		}
		if err := put("team=storage&stage=ci"); err != nil {
			t.Errorf("PUT with allowed tags: %v", err)
		}
		wantDenied(t, "PUT with team=web", put("team=web"))
		wantDenied(t, "PUT with a tag key outside the list", put("team=storage&owner=me"))
		wantDenied(t, "PUT without tags", put(""))
		_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tagged"), Key: aws.String("new.txt"),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}})
		wantDenied(t, "PutObjectTagging with team=web", err)
		got, err := root.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tagged"), Key: aws.String("new.txt")})
		if err != nil || len(got.TagSet) != 2 {
			t.Errorf("the tags of the allowed PUT: %+v, %v", got, err)
		}
		// inkan explain names the tag that decided the denial.
		m := requestIDHint.FindStringSubmatch(denied.Error())
		if m == nil {
			t.Fatalf("no request id in the denial: %v", denied)
		}
		env := map[string]string{"INKAN_ROOT_ACCESS_KEY_ID": rootAccessKeyID, "INKAN_ROOT_SECRET_ACCESS_KEY": rootSecretKey}
		if out := mustInkan(t, env, "explain", "--endpoint", srv.URL, m[1]); !strings.Contains(out, `s3:ExistingObjectTag/class "secret" matches none of ["public"]`) {
			t.Errorf("inkan explain of the denied GET:\n%s", out)
		}
	})
}

func wantDenied(t *testing.T, what string, err error) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Errorf("%s: %v, want AccessDenied", what, err)
	}
}

// TestTheAWSCLIPutsAndGetsObjectTags runs s3api put-object-tagging and get-object-tagging
// with a session of inkan's STS, on every backend.
func TestTheAWSCLIPutsAndGetsObjectTags(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t)
		createBuckets(t, srv, "cli-tags")
		env := sessionEnv(t, srv, "cli-tagger", policyDoc(`{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::cli-tags","arn:aws:s3:::cli-tags/*"]}`))
		src := writeTemp(t, "f.txt", "tagged by the CLI\n")
		mustS3CLI(t, srv, env, "s3api", "put-object", "--bucket", "cli-tags", "--key", "f.txt", "--body", src, "--tagging", "stage=ci")
		mustS3CLI(t, srv, env, "s3api", "put-object-tagging", "--bucket", "cli-tags", "--key", "f.txt",
			"--tagging", `{"TagSet":[{"Key":"team","Value":"storage"},{"Key":"cost center","Value":"a+b"}]}`)
		out := mustS3CLI(t, srv, env, "s3api", "get-object-tagging", "--bucket", "cli-tags", "--key", "f.txt")
		if !strings.Contains(out, `"storage"`) || !strings.Contains(out, `"cost center"`) || strings.Contains(out, "stage") {
			t.Errorf("get-object-tagging printed:\n%s", out)
		}
		wantCLIError(t, srv, env, "InvalidTag", "PutObjectTagging", "s3api", "put-object-tagging", "--bucket", "cli-tags", "--key", "f.txt",
			"--tagging", `{"TagSet":[{"Key":"aws:reserved","Value":"x"}]}`)
		mustS3CLI(t, srv, env, "s3api", "delete-object-tagging", "--bucket", "cli-tags", "--key", "f.txt")
		if out := mustS3CLI(t, srv, env, "s3api", "get-object-tagging", "--bucket", "cli-tags", "--key", "f.txt"); strings.Contains(out, "storage") {
			t.Errorf("get-object-tagging after delete-object-tagging printed:\n%s", out)
		}
		noServerFaults(t, srv)
	})
}

// TestBoto3TagsObjectsAndBucketsAndSeesACLsAsAWSHasThem runs testdata/boto3/tagging.py on
// every backend.
func TestBoto3TagsObjectsAndBucketsAndSeesACLsAsAWSHasThem(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t)
		out, err := runBoto3(t, srv, "tagging.py", map[string]string{"INKAN_BUCKET": "boto3-tags"})
		if err != nil {
			t.Fatalf("boto3: %v\n%s\nserver log:\n%s", err, out, srv.stderr.String())
		}
		noServerFaults(t, srv)
	})
}
