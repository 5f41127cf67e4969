package e2e

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Bucket versioning (issue 13, Build 1) through real clients, on the local backend and in
// front of SeaweedFS, to which the upstream backend forwards versioning.

func enableVersioning(ctx context.Context, c *s3.Client, bucket string) error {
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	return err
}

func versionsErrCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestVersioningWithAWSSDKGoV2(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		ctx := context.Background()
		srv := b.start(t)
		createBuckets(t, srv, "versioned")
		root := rootS3(srv)
		if err := enableVersioning(ctx, root, "versioned"); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, body := range []string{"one", "two"} {
			out, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k"), Body: strings.NewReader(body)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, aws.ToString(out.VersionId))
		}
		read := func(c *s3.Client, vid string) (string, error) {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k"), VersionId: aws.String(vid)})
			if err != nil {
				return "", err
			}
			defer out.Body.Close()
			b, err := io.ReadAll(out.Body)
			return string(b), err
		}
		if body, err := read(root, ids[0]); err != nil || body != "one" {
			t.Fatalf("GET version %s = %q, %v", ids[0], body, err)
		}
		del, err := root.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k")})
		if err != nil || !aws.ToBool(del.DeleteMarker) {
			t.Fatalf("DeleteObject = %+v, %v", del, err)
		}
		if _, err := root.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k")}); versionsErrCode(err) != "NoSuchKey" {
			t.Fatalf("GET of a deleted key: %v", err)
		}
		list, err := root.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("versioned")})
		if err != nil || len(list.Versions) != 2 || len(list.DeleteMarkers) != 1 || !aws.ToBool(list.DeleteMarkers[0].IsLatest) {
			t.Fatalf("ListObjectVersions = %+v, %v", list, err)
		}

		// A session whose policy allows s3:GetObject but not s3:GetObjectVersion reads the
		// current version only; one allowed s3:GetObjectVersion reads old versions.
		if _, err := root.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k"),
			VersionId: del.VersionId}); err != nil {
			t.Fatal(err)
		}
		current := sessionS3(srv, sessionEnv(t, srv, "current-only", policyDoc(
			`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::versioned/*"}`)))
		out, err := current.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("versioned"), Key: aws.String("k")})
		if err != nil {
			t.Fatalf("s3:GetObject of the current version: %v", err)
		}
		out.Body.Close()
		if _, err := read(current, ids[0]); versionsErrCode(err) != "AccessDenied" {
			t.Fatalf("GET of a version without s3:GetObjectVersion: %v", err)
		}
		versions := sessionS3(srv, sessionEnv(t, srv, "versions", policyDoc(
			`{"Effect":"Allow","Action":"s3:GetObjectVersion","Resource":"arn:aws:s3:::versioned/*"}`)))
		if body, err := read(versions, ids[0]); err != nil || body != "one" {
			t.Fatalf("GET of a version with s3:GetObjectVersion: %q, %v", body, err)
		}
	})
}

func TestTheAWSCLIPutsBucketVersioningAndListsObjectVersions(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t)
		createBuckets(t, srv, "cli-versions")
		env := sessionEnv(t, srv, "cli-versioning", policyDoc(
			`{"Effect":"Allow","Action":["s3:PutBucketVersioning","s3:GetBucketVersioning","s3:ListBucketVersions","s3:PutObject","s3:GetObject","s3:GetObjectVersion","s3:DeleteObject","s3:DeleteObjectVersion"],"Resource":["arn:aws:s3:::cli-versions","arn:aws:s3:::cli-versions/*"]}`))
		mustS3CLI(t, srv, env, "s3api", "put-bucket-versioning", "--bucket", "cli-versions", "--versioning-configuration", "Status=Enabled")
		var status struct{ Status string }
		s3apiJSON(t, srv, env, &status, "get-bucket-versioning", "--bucket", "cli-versions")
		if status.Status != "Enabled" {
			t.Fatalf("get-bucket-versioning: %+v", status)
		}
		var put struct{ VersionId string }
		for i := range 3 {
			s3apiJSON(t, srv, env, &put, "put-object", "--bucket", "cli-versions", "--key", "doc.txt", "--body", writeTemp(t, "body.txt", strings.Repeat("v", i+1)))
		}
		mustS3CLI(t, srv, env, "s3api", "delete-object", "--bucket", "cli-versions", "--key", "doc.txt")
		var list struct {
			Versions []struct {
				Key, VersionId string
				IsLatest       bool
				Size           int64
			}
			DeleteMarkers []struct {
				Key, VersionId string
				IsLatest       bool
			}
		}
		s3apiJSON(t, srv, env, &list, "list-object-versions", "--bucket", "cli-versions")
		if len(list.Versions) != 3 || len(list.DeleteMarkers) != 1 || !list.DeleteMarkers[0].IsLatest ||
			list.Versions[0].VersionId != put.VersionId || list.Versions[0].Size != 3 {
			t.Fatalf("list-object-versions: %+v", list)
		}
		// --max-items pages with the CLI's own pagination token over max-keys pages.
		var paged struct {
			Versions  []struct{ VersionId string }
			NextToken string
		}
		s3apiJSON(t, srv, env, &paged, "list-object-versions", "--bucket", "cli-versions", "--page-size", "1", "--max-items", "2")
		if len(paged.Versions) != 2 || paged.NextToken == "" {
			t.Fatalf("paged list-object-versions: %+v", paged)
		}
		dst := t.TempDir() + "/old.txt"
		mustS3CLI(t, srv, env, "s3api", "get-object", "--bucket", "cli-versions", "--key", "doc.txt",
			"--version-id", list.Versions[2].VersionId, dst)
		if got, err := os.ReadFile(dst); err != nil || string(got) != "v" {
			t.Fatalf("get-object --version-id read %q, %v", got, err)
		}
	})
}

func TestBoto3DeletesVersionsAndPagesThroughTheirListing(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t)
		createBuckets(t, srv, "boto3-versions")
		env := map[string]string{"INKAN_BUCKET": "boto3-versions"}
		if b.upstream != nil {
			// SeaweedFS keeps a suspended bucket's null version beside the previous one
			// (docs/upstream.md): the script skips that check there.
			env["INKAN_UPSTREAM"] = "seaweedfs"
		}
		out, err := runBoto3(t, srv, "versioning.py", env)
		if err != nil {
			t.Fatalf("boto3: %v\n%s\nserver log:\n%s", err, out, srv.stderr.String())
		}
		t.Log(out)
	})
}
