package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheAWSCLIReadsEveryBucketSettingWithoutA501 reads each bucket setting S3 defines with
// the AWS CLI v2, as s3cmd info, mc stat and the Terraform provider do: each answers what
// S3 answers for a bucket where it is not configured, and the server logs no
// NotImplemented.
func TestTheAWSCLIReadsEveryBucketSettingWithoutA501(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t)
		env := rootEnv()
		const bucket = "settings"
		mustS3CLI(t, srv, env, "s3", "mb", "s3://"+bucket)
		mustS3CLI(t, srv, env, "s3api", "put-object", "--bucket", bucket, "--key", "k")
		for _, cmd := range []string{"get-bucket-logging", "get-bucket-notification-configuration", "get-bucket-accelerate-configuration",
			"get-bucket-request-payment", "get-bucket-versioning", "get-bucket-acl", "get-bucket-ownership-controls",
			"list-bucket-analytics-configurations", "list-bucket-metrics-configurations", "list-bucket-inventory-configurations",
			"list-bucket-intelligent-tiering-configurations", "list-object-versions", "get-bucket-location", "get-public-access-block"} {
			out := mustS3CLI(t, srv, env, "s3api", cmd, "--bucket", bucket)
			switch cmd {
			case "get-bucket-request-payment":
				if !strings.Contains(out, `"BucketOwner"`) {
					t.Errorf("%s printed %s", cmd, out)
				}
			case "get-bucket-acl":
				if !strings.Contains(out, `"FULL_CONTROL"`) {
					t.Errorf("%s printed %s", cmd, out)
				}
			case "get-public-access-block":
				// A bucket created through inkan starts with every block on, as on AWS.
				if !strings.Contains(out, `"BlockPublicPolicy": true`) || !strings.Contains(out, `"RestrictPublicBuckets": true`) {
					t.Errorf("%s printed %s", cmd, out)
				}
			case "list-object-versions":
				if !strings.Contains(out, `"VersionId": "null"`) {
					t.Errorf("%s printed %s", cmd, out)
				}
			}
		}
		for _, c := range []struct{ cmd, op, code string }{
			{"get-bucket-website", "GetBucketWebsite", "NoSuchWebsiteConfiguration"},
			{"get-bucket-replication", "GetBucketReplication", "ReplicationConfigurationNotFoundError"},
			{"get-object-lock-configuration", "GetObjectLockConfiguration", "ObjectLockConfigurationNotFoundError"},
			{"get-bucket-cors", "GetBucketCors", "NoSuchCORSConfiguration"},
			{"get-bucket-lifecycle-configuration", "GetBucketLifecycleConfiguration", "NoSuchLifecycleConfiguration"},
			{"get-bucket-tagging", "GetBucketTagging", "NoSuchTagSet"},
			{"get-bucket-policy-status", "GetBucketPolicyStatus", "NoSuchBucketPolicy"},
		} {
			wantCLIError(t, srv, env, c.code, c.op, "s3api", c.cmd, "--bucket", bucket)
		}
		// Local objects are encrypted with SSE-S3 by default; upstream ones are the
		// upstream's, and inkan claims no default for them (docs/upstream.md).
		if b.upstream == nil {
			if out := mustS3CLI(t, srv, env, "s3api", "get-bucket-encryption", "--bucket", bucket); !strings.Contains(out, `"SSEAlgorithm": "AES256"`) {
				t.Errorf("get-bucket-encryption printed %s", out)
			}
		} else {
			wantCLIError(t, srv, env, "ServerSideEncryptionConfigurationNotFoundError", "GetBucketEncryption", "s3api", "get-bucket-encryption", "--bucket", bucket)
		}
		mustS3CLI(t, srv, env, "s3api", "get-object-acl", "--bucket", bucket, "--key", "k")
		mustS3CLI(t, srv, env, "s3api", "delete-bucket-cors", "--bucket", bucket)
		if log := srv.stderr.String(); strings.Contains(log, "not implemented") {
			t.Errorf("the server logged a NotImplemented:\n%s", log)
		}
	})
}

// TestTheAWSCLIReadsPartsByNumberAndObjectAttributes reads a multipart object by part
// number and asks for its attributes, on both backends (the upstream forwards partNumber;
// it answers ObjectParts with the count only).
func TestTheAWSCLIReadsPartsByNumberAndObjectAttributes(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t)
		env := rootEnv()
		const bucket = "parts"
		mustS3CLI(t, srv, env, "s3", "mb", "s3://"+bucket)
		body := randomBytes(9, 9<<20) // the CLI uploads files of 8 MiB and more in 8 MiB parts
		src := writeTemp(t, "big", string(body))
		mustS3CLI(t, srv, env, "s3", "cp", src, "s3://"+bucket+"/big")
		var part struct {
			ContentRange  string
			ContentLength int64
			PartsCount    int
		}
		dst := filepath.Join(t.TempDir(), "part2")
		s3apiJSON(t, srv, env, &part, "get-object", "--bucket", bucket, "--key", "big", "--part-number", "2", dst)
		data, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("bytes %d-%d/%d", 8<<20, len(body)-1, len(body))
		if part.ContentRange != want || part.PartsCount != 2 || !bytes.Equal(data, body[8<<20:]) {
			t.Errorf("part 2: %+v and %d bytes, want Content-Range %s of 2 parts", part, len(data), want)
		}
		var head struct {
			ContentLength int64
			PartsCount    int
		}
		s3apiJSON(t, srv, env, &head, "head-object", "--bucket", bucket, "--key", "big", "--part-number", "1")
		if head.ContentLength != 8<<20 || head.PartsCount != 2 {
			t.Errorf("head-object --part-number 1 = %+v, want 8 MiB of 2 parts", head)
		}
		wantCLIError(t, srv, env, "InvalidPartNumber", "GetObject", "s3api", "get-object", "--bucket", bucket, "--key", "big", "--part-number", "3", dst)
		var attrs struct {
			ETag         string
			ObjectSize   int64
			StorageClass string
			ObjectParts  struct{ TotalPartsCount int }
		}
		s3apiJSON(t, srv, env, &attrs, "get-object-attributes", "--bucket", bucket, "--key", "big",
			"--object-attributes", "ETag", "ObjectSize", "StorageClass", "ObjectParts")
		if !strings.HasSuffix(attrs.ETag, "-2") || attrs.ObjectSize != int64(len(body)) || attrs.StorageClass != "STANDARD" || attrs.ObjectParts.TotalPartsCount != 2 {
			t.Errorf("get-object-attributes = %+v", attrs)
		}
	})
}
