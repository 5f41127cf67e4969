package e2e

import (
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
			"list-bucket-intelligent-tiering-configurations", "list-object-versions", "get-bucket-location"} {
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
			{"get-bucket-encryption", "GetBucketEncryption", "ServerSideEncryptionConfigurationNotFoundError"},
			{"get-public-access-block", "GetPublicAccessBlock", "NoSuchPublicAccessBlockConfiguration"},
			{"get-bucket-policy-status", "GetBucketPolicyStatus", "NoSuchBucketPolicy"},
		} {
			wantCLIError(t, srv, env, c.code, c.op, "s3api", c.cmd, "--bucket", bucket)
		}
		mustS3CLI(t, srv, env, "s3api", "get-object-acl", "--bucket", bucket, "--key", "k")
		mustS3CLI(t, srv, env, "s3api", "delete-bucket-cors", "--bucket", bucket)
		if log := srv.stderr.String(); strings.Contains(log, "not implemented") {
			t.Errorf("the server logged a NotImplemented:\n%s", log)
		}
	})
}
