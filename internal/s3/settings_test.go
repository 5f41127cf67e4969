package s3_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// settingCall is one read of a bucket setting through the SDK, with the S3 error code it
// must answer for a bucket where the setting is not configured ("" for success), and a
// check of the answer.
type settingCall struct {
	name   string
	action string
	code   string
	call   func(ctx context.Context, c *s3sdk.Client, b *string) (any, error)
	check  func(out any) bool
}

func settingCalls() []settingCall {
	return []settingCall{
		{"GetBucketLogging", "s3:GetBucketLogging", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketLogging(ctx, &s3sdk.GetBucketLoggingInput{Bucket: b})
		}, func(out any) bool { return out.(*s3sdk.GetBucketLoggingOutput).LoggingEnabled == nil }},
		{"GetBucketNotificationConfiguration", "s3:GetBucketNotification", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketNotificationConfiguration(ctx, &s3sdk.GetBucketNotificationConfigurationInput{Bucket: b})
		}, func(out any) bool {
			o := out.(*s3sdk.GetBucketNotificationConfigurationOutput)
			return len(o.TopicConfigurations)+len(o.QueueConfigurations)+len(o.LambdaFunctionConfigurations) == 0
		}},
		{"GetBucketAccelerateConfiguration", "s3:GetAccelerateConfiguration", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketAccelerateConfiguration(ctx, &s3sdk.GetBucketAccelerateConfigurationInput{Bucket: b})
		}, func(out any) bool { return out.(*s3sdk.GetBucketAccelerateConfigurationOutput).Status == "" }},
		{"GetBucketRequestPayment", "s3:GetBucketRequestPayment", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketRequestPayment(ctx, &s3sdk.GetBucketRequestPaymentInput{Bucket: b})
		}, func(out any) bool { return out.(*s3sdk.GetBucketRequestPaymentOutput).Payer == types.PayerBucketOwner }},
		{"GetBucketVersioning", "s3:GetBucketVersioning", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketVersioning(ctx, &s3sdk.GetBucketVersioningInput{Bucket: b})
		}, func(out any) bool { return out.(*s3sdk.GetBucketVersioningOutput).Status == "" }},
		{"GetBucketAcl", "s3:GetBucketAcl", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketAcl(ctx, &s3sdk.GetBucketAclInput{Bucket: b})
		}, func(out any) bool {
			o := out.(*s3sdk.GetBucketAclOutput)
			return o.Owner != nil && len(o.Grants) == 1 && o.Grants[0].Permission == types.PermissionFullControl &&
				o.Grants[0].Grantee.Type == types.TypeCanonicalUser && aws.ToString(o.Grants[0].Grantee.ID) == aws.ToString(o.Owner.ID)
		}},
		{"GetBucketOwnershipControls", "s3:GetBucketOwnershipControls", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketOwnershipControls(ctx, &s3sdk.GetBucketOwnershipControlsInput{Bucket: b})
		}, func(out any) bool {
			o := out.(*s3sdk.GetBucketOwnershipControlsOutput)
			return len(o.OwnershipControls.Rules) == 1 && o.OwnershipControls.Rules[0].ObjectOwnership == types.ObjectOwnershipBucketOwnerEnforced
		}},
		{"ListBucketAnalyticsConfigurations", "s3:GetAnalyticsConfiguration", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.ListBucketAnalyticsConfigurations(ctx, &s3sdk.ListBucketAnalyticsConfigurationsInput{Bucket: b})
		}, func(out any) bool {
			o := out.(*s3sdk.ListBucketAnalyticsConfigurationsOutput)
			return len(o.AnalyticsConfigurationList) == 0 && !aws.ToBool(o.IsTruncated)
		}},
		{"ListBucketMetricsConfigurations", "s3:GetMetricsConfiguration", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.ListBucketMetricsConfigurations(ctx, &s3sdk.ListBucketMetricsConfigurationsInput{Bucket: b})
		}, func(out any) bool {
			return len(out.(*s3sdk.ListBucketMetricsConfigurationsOutput).MetricsConfigurationList) == 0
		}},
		{"ListBucketInventoryConfigurations", "s3:GetInventoryConfiguration", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.ListBucketInventoryConfigurations(ctx, &s3sdk.ListBucketInventoryConfigurationsInput{Bucket: b})
		}, func(out any) bool {
			return len(out.(*s3sdk.ListBucketInventoryConfigurationsOutput).InventoryConfigurationList) == 0
		}},
		{"ListBucketIntelligentTieringConfigurations", "s3:GetIntelligentTieringConfiguration", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.ListBucketIntelligentTieringConfigurations(ctx, &s3sdk.ListBucketIntelligentTieringConfigurationsInput{Bucket: b})
		}, func(out any) bool {
			return len(out.(*s3sdk.ListBucketIntelligentTieringConfigurationsOutput).IntelligentTieringConfigurationList) == 0
		}},
		{"GetBucketMetricsConfiguration", "s3:GetMetricsConfiguration", "NoSuchConfiguration", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketMetricsConfiguration(ctx, &s3sdk.GetBucketMetricsConfigurationInput{Bucket: b, Id: aws.String("x")})
		}, nil},
		{"GetBucketWebsite", "s3:GetBucketWebsite", "NoSuchWebsiteConfiguration", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketWebsite(ctx, &s3sdk.GetBucketWebsiteInput{Bucket: b})
		}, nil},
		{"GetBucketReplication", "s3:GetReplicationConfiguration", "ReplicationConfigurationNotFoundError", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketReplication(ctx, &s3sdk.GetBucketReplicationInput{Bucket: b})
		}, nil},
		{"GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration", "ObjectLockConfigurationNotFoundError", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetObjectLockConfiguration(ctx, &s3sdk.GetObjectLockConfigurationInput{Bucket: b})
		}, nil},
		{"GetBucketCors", "s3:GetBucketCORS", "NoSuchCORSConfiguration", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketCors(ctx, &s3sdk.GetBucketCorsInput{Bucket: b})
		}, nil},
		{"GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration", "NoSuchLifecycleConfiguration", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketLifecycleConfiguration(ctx, &s3sdk.GetBucketLifecycleConfigurationInput{Bucket: b})
		}, nil},
		{"GetBucketTagging", "s3:GetBucketTagging", "NoSuchTagSet", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketTagging(ctx, &s3sdk.GetBucketTaggingInput{Bucket: b})
		}, nil},
		// every bucket has the SSE-S3 default, with SSE-C blocked (encryption.go)
		{"GetBucketEncryption", "s3:GetEncryptionConfiguration", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketEncryption(ctx, &s3sdk.GetBucketEncryptionInput{Bucket: b})
		}, func(out any) bool {
			rules := out.(*s3sdk.GetBucketEncryptionOutput).ServerSideEncryptionConfiguration.Rules
			return len(rules) == 1 && rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm == types.ServerSideEncryptionAes256 &&
				rules[0].BlockedEncryptionTypes != nil && len(rules[0].BlockedEncryptionTypes.EncryptionType) == 1 &&
				rules[0].BlockedEncryptionTypes.EncryptionType[0] == types.EncryptionTypeSseC
		}},
		{"GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetPublicAccessBlock(ctx, &s3sdk.GetPublicAccessBlockInput{Bucket: b})
		}, func(out any) bool {
			// A bucket created through inkan starts with every block on (acl.go).
			p := out.(*s3sdk.GetPublicAccessBlockOutput).PublicAccessBlockConfiguration
			return *p.BlockPublicAcls && *p.IgnorePublicAcls && *p.BlockPublicPolicy && *p.RestrictPublicBuckets
		}},
		{"GetBucketPolicyStatus", "s3:GetBucketPolicyStatus", "NoSuchBucketPolicy", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketPolicyStatus(ctx, &s3sdk.GetBucketPolicyStatusInput{Bucket: b})
		}, nil},
		{"GetBucketMetadataTableConfiguration", "s3:GetBucketMetadataTableConfiguration", "MetadataConfigurationNotFound", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketMetadataTableConfiguration(ctx, &s3sdk.GetBucketMetadataTableConfigurationInput{Bucket: b})
		}, nil},
		{"GetBucketAbac", "s3:GetBucketAbac", "", func(ctx context.Context, c *s3sdk.Client, b *string) (any, error) {
			return c.GetBucketAbac(ctx, &s3sdk.GetBucketAbacInput{Bucket: b})
		}, func(out any) bool {
			return out.(*s3sdk.GetBucketAbacOutput).AbacStatus.Status == types.BucketAbacStatusDisabled
		}},
	}
}

// TestBucketSettingsReadAsS3AnswersForAnUnconfiguredBucket pins reference §14: every GET of
// a bucket setting answers what S3 answers where the setting is not configured, never 501;
// each is authorized with its own IAM action, and a missing bucket is NoSuchBucket.
func TestBucketSettingsReadAsS3AnswersForAnUnconfiguredBucket(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	root := e.client(rootCredentials())
	e.role("locator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetBucketLocation","Resource":"arn:aws:s3:::data"}]}`)
	locator := e.client(e.session("locator", 0))
	for i, sc := range settingCalls() {
		out, err := sc.call(e.ctx, root, aws.String("data"))
		switch {
		case sc.code == "" && err != nil:
			t.Errorf("%s: %v", sc.name, err)
		case sc.code == "" && !sc.check(out):
			t.Errorf("%s answered %+v", sc.name, out)
		case sc.code != "":
			requireCode(t, err, sc.code, http.StatusNotFound)
		}
		_, err = sc.call(e.ctx, root, aws.String("nothing"))
		requireCode(t, err, "NoSuchBucket", http.StatusNotFound)

		role := "s" + strconv.Itoa(10+i)
		e.role(role, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"`+sc.action+`","Resource":"arn:aws:s3:::data"}]}`)
		session := e.client(e.session(role, 0))
		if _, err := sc.call(e.ctx, session, aws.String("data")); err != nil && (sc.code == "" || !strings.Contains(err.Error(), sc.code)) {
			t.Errorf("%s with only %s allowed: %v", sc.name, sc.action, err)
		}
		_, err = sc.call(e.ctx, locator, aws.String("data"))
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
	}
}

func TestDeletesOfUnconfiguredSettingsSucceedAndWritesAreNotImplemented(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	b := aws.String("data")
	for name, del := range map[string]func() error{
		"DeleteBucketCors": func() error { _, err := c.DeleteBucketCors(e.ctx, &s3sdk.DeleteBucketCorsInput{Bucket: b}); return err },
		"DeleteBucketLifecycle": func() error {
			_, err := c.DeleteBucketLifecycle(e.ctx, &s3sdk.DeleteBucketLifecycleInput{Bucket: b})
			return err
		},
		"DeleteBucketTagging": func() error {
			_, err := c.DeleteBucketTagging(e.ctx, &s3sdk.DeleteBucketTaggingInput{Bucket: b})
			return err
		},
		"DeleteBucketWebsite": func() error {
			_, err := c.DeleteBucketWebsite(e.ctx, &s3sdk.DeleteBucketWebsiteInput{Bucket: b})
			return err
		},
		"DeleteBucketReplication": func() error {
			_, err := c.DeleteBucketReplication(e.ctx, &s3sdk.DeleteBucketReplicationInput{Bucket: b})
			return err
		},
		"DeleteBucketEncryption": func() error {
			_, err := c.DeleteBucketEncryption(e.ctx, &s3sdk.DeleteBucketEncryptionInput{Bucket: b})
			return err
		},
		"DeletePublicAccessBlock": func() error {
			_, err := c.DeletePublicAccessBlock(e.ctx, &s3sdk.DeletePublicAccessBlockInput{Bucket: b})
			return err
		},
	} {
		if err := del(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err := c.PutBucketLogging(e.ctx, &s3sdk.PutBucketLoggingInput{Bucket: b, BucketLoggingStatus: &types.BucketLoggingStatus{}})
	requireCode(t, err, "NotImplemented", http.StatusNotImplemented)
}

func TestPolicyStatusTellsWhetherTheBucketPolicyIsPublic(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	e.unblock("data")
	c := e.client(rootCredentials())
	for _, tc := range []struct {
		statement string
		public    bool
	}{
		{`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}`, true},
		{`{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}`, true},
		{`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`, false},
		{`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}`, false},
		{`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}`, false},
	} {
		doc := `{"Version":"2012-10-17","Statement":[` + tc.statement + `]}`
		if _, err := c.PutBucketPolicy(e.ctx, &s3sdk.PutBucketPolicyInput{Bucket: aws.String("data"), Policy: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
		out, err := c.GetBucketPolicyStatus(e.ctx, &s3sdk.GetBucketPolicyStatusInput{Bucket: aws.String("data")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToBool(out.PolicyStatus.IsPublic) != tc.public {
			t.Errorf("%s: IsPublic %v, want %v", tc.statement, aws.ToBool(out.PolicyStatus.IsPublic), tc.public)
		}
	}
}

func TestObjectACLsAreTheOwnersFullControl(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObjectAcl(e.ctx, &s3sdk.GetObjectAclInput{Bucket: aws.String("data"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Grants) != 1 || out.Grants[0].Permission != types.PermissionFullControl || aws.ToString(out.Grants[0].Grantee.ID) != aws.ToString(out.Owner.ID) {
		t.Errorf("GetObjectAcl: owner %v, grants %+v", out.Owner, out.Grants)
	}
	_, err = c.GetObjectAcl(e.ctx, &s3sdk.GetObjectAclInput{Bucket: aws.String("data"), Key: aws.String("missing")})
	requireCode(t, err, "NoSuchKey", http.StatusNotFound)
}

func TestObjectVersionsOfAnUnversionedBucketAreTheNullVersions(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	putKeys(t, e, c, "data", []string{"a", "b", "d/x", "d/y", "e"})
	var keys, prefixes []string
	in := &s3sdk.ListObjectVersionsInput{Bucket: aws.String("data"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)}
	for page := 0; ; page++ {
		out, err := c.ListObjectVersions(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Versions {
			if aws.ToString(v.VersionId) != "null" || !aws.ToBool(v.IsLatest) || aws.ToString(v.ETag) == "" {
				t.Errorf("version %+v", v)
			}
			keys = append(keys, aws.ToString(v.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		if len(out.DeleteMarkers) != 0 {
			t.Errorf("delete markers in a bucket never versioned: %v", out.DeleteMarkers)
		}
		if !aws.ToBool(out.IsTruncated) || page > 5 {
			break
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
	if strings.Join(keys, ",") != "a,b,e" || strings.Join(prefixes, ",") != "d/" {
		t.Errorf("versions %v, prefixes %v", keys, prefixes)
	}
	_, err := c.ListObjectVersions(e.ctx, &s3sdk.ListObjectVersionsInput{Bucket: aws.String("data"), VersionIdMarker: aws.String("null")})
	requireCode(t, err, "InvalidArgument", http.StatusBadRequest)
}

// TestObjectACLsThatChangeNothingAreAcceptedAndOthersRefused pins reference §3: under
// BucketOwnerEnforced, PutObjectAcl of the owner's FULL_CONTROL (what s3cmd sends after a
// copy) succeeds, and any grant to others is AccessControlListNotSupported.
func TestObjectACLsThatChangeNothingAreAcceptedAndOthersRefused(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	acl, err := c.GetObjectAcl(e.ctx, &s3sdk.GetObjectAclInput{Bucket: aws.String("data"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	put := func(in *s3sdk.PutObjectAclInput) error {
		in.Bucket, in.Key = aws.String("data"), aws.String("k")
		_, err := c.PutObjectAcl(e.ctx, in)
		return err
	}
	if err := put(&s3sdk.PutObjectAclInput{AccessControlPolicy: &types.AccessControlPolicy{Owner: acl.Owner, Grants: acl.Grants}}); err != nil {
		t.Errorf("putting back the ACL read: %v", err)
	}
	if err := put(&s3sdk.PutObjectAclInput{ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Errorf("bucket-owner-full-control: %v", err)
	}
	requireCode(t, put(&s3sdk.PutObjectAclInput{ACL: types.ObjectCannedACLPublicRead}), "AccessControlListNotSupported", http.StatusBadRequest)
	other := types.Grant{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String("0123456789abcdef")}, Permission: types.PermissionRead}
	requireCode(t, put(&s3sdk.PutObjectAclInput{AccessControlPolicy: &types.AccessControlPolicy{Owner: acl.Owner, Grants: append(acl.Grants, other)}}),
		"AccessControlListNotSupported", http.StatusBadRequest)
	requireCode(t, put(&s3sdk.PutObjectAclInput{GrantRead: aws.String(`uri="http://acs.amazonaws.com/groups/global/AllUsers"`)}),
		"AccessControlListNotSupported", http.StatusBadRequest)
	e.role("reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`)
	_, err = e.client(e.session("reader", 0)).PutObjectAcl(e.ctx, &s3sdk.PutObjectAclInput{Bucket: aws.String("data"), Key: aws.String("k"), ACL: types.ObjectCannedACLPrivate})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
}

func TestLegalHoldsAndRetentionAreRefusedAsInABucketWithoutObjectLock(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetObjectLegalHold(e.ctx, &s3sdk.GetObjectLegalHoldInput{Bucket: aws.String("data"), Key: aws.String("k")})
	requireCode(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = c.GetObjectRetention(e.ctx, &s3sdk.GetObjectRetentionInput{Bucket: aws.String("data"), Key: aws.String("k")})
	requireCode(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = c.PutObjectLegalHold(e.ctx, &s3sdk.PutObjectLegalHoldInput{Bucket: aws.String("data"), Key: aws.String("k"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
	requireCode(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = c.GetObjectRetention(e.ctx, &s3sdk.GetObjectRetentionInput{Bucket: aws.String("nothing"), Key: aws.String("k")})
	requireCode(t, err, "NoSuchBucket", http.StatusNotFound)
}
