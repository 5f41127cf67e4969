package s3_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestTheACLsOfReadsAreTheOwnersFullControlInAWSsExactXML pins reference §3's document.
func TestTheACLsOfReadsAreTheOwnersFullControlInAWSsExactXML(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketAcl(e.ctx, &s3sdk.GetBucketAclInput{Bucket: aws.String("data")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.Owner.ID)
	want := `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>` + id + `</ID></Owner><AccessControlList>` +
		`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>` + id + `</ID></Grantee>` +
		`<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`
	for _, path := range []string{"/data?acl", "/data/k?acl"} {
		resp, err := e.server.Client().Do(signed(t, e, rootCredentials(), http.MethodGet, path, nil, emptySHA256, nil))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasSuffix(strings.TrimSpace(string(body)), want) {
			t.Errorf("GET %s = %s, want %s", path, body, want)
		}
	}
}

// TestACLWritesAcceptOnlyTheOwnersFullControl pins reference §3's table of writes. Decision
// (acl.go): x-amz-acl private is accepted on object writes, refused on PutBucketAcl.
func TestACLWritesAcceptOnlyTheOwnersFullControl(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	b := aws.String("data")
	acl, err := c.GetBucketAcl(e.ctx, &s3sdk.GetBucketAclInput{Bucket: b})
	if err != nil {
		t.Fatal(err)
	}
	owner := `id="` + aws.ToString(acl.Owner.ID) + `"`
	put := func(in s3sdk.PutObjectInput) error {
		in.Bucket, in.Key, in.Body = b, aws.String("k"), strings.NewReader("v")
		_, err := c.PutObject(e.ctx, &in)
		return err
	}
	for name, in := range map[string]s3sdk.PutObjectInput{
		"no ACL":                    {},
		"private":                   {ACL: types.ObjectCannedACLPrivate},
		"bucket-owner-full-control": {ACL: types.ObjectCannedACLBucketOwnerFullControl},
		"the owner's FULL_CONTROL":  {GrantFullControl: aws.String(owner)},
	} {
		if err := put(in); err != nil {
			t.Errorf("PutObject with %s: %v", name, err)
		}
	}
	for name, in := range map[string]s3sdk.PutObjectInput{
		"public-read":                 {ACL: types.ObjectCannedACLPublicRead},
		"authenticated-read":          {ACL: types.ObjectCannedACLAuthenticatedRead},
		"a READ grant":                {GrantRead: aws.String(owner)},
		"FULL_CONTROL to someone":     {GrantFullControl: aws.String(`id="someone-else"`)},
		"a grant to the AllUsers URI": {GrantRead: aws.String(`uri="http://acs.amazonaws.com/groups/global/AllUsers"`)},
	} {
		requireMessage(t, "PutObject with "+name, put(in), "AccessControlListNotSupported", "The bucket does not allow ACLs")
	}
	requireMessage(t, "a canned ACL and grants", put(s3sdk.PutObjectInput{ACL: types.ObjectCannedACLPrivate, GrantFullControl: aws.String(owner)}),
		"InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed")

	_, err = c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: b, Key: aws.String("c"), CopySource: aws.String("data/k"), ACL: types.ObjectCannedACLPublicRead})
	requireCode(t, err, "AccessControlListNotSupported", http.StatusBadRequest)
	_, err = c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: b, Key: aws.String("m"), ACL: types.ObjectCannedACLPublicReadWrite})
	requireCode(t, err, "AccessControlListNotSupported", http.StatusBadRequest)
	if _, err := c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: b, Key: aws.String("c"), CopySource: aws.String("data/k"),
		ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Errorf("CopyObject with bucket-owner-full-control: %v", err)
	}

	_, err = c.PutBucketAcl(e.ctx, &s3sdk.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPrivate})
	requireCode(t, err, "AccessControlListNotSupported", http.StatusBadRequest)
	_, err = c.PutBucketAcl(e.ctx, &s3sdk.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPublicRead})
	requireCode(t, err, "AccessControlListNotSupported", http.StatusBadRequest)
	if _, err := c.PutBucketAcl(e.ctx, &s3sdk.PutBucketAclInput{Bucket: b, AccessControlPolicy: &types.AccessControlPolicy{
		Owner: acl.Owner, Grants: acl.Grants}}); err != nil {
		t.Errorf("PutBucketAcl of the ACL GetBucketAcl answered: %v", err)
	}
	_, err = c.PutObjectAcl(e.ctx, &s3sdk.PutObjectAclInput{Bucket: b, Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead})
	requireCode(t, err, "AccessControlListNotSupported", http.StatusBadRequest)

	_, err = c.CreateBucket(e.ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("open"), ACL: types.BucketCannedACLPublicRead})
	requireCode(t, err, "InvalidBucketAclWithObjectOwnership", http.StatusBadRequest)
	if _, err := c.CreateBucket(e.ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("closed"), ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Errorf("CreateBucket with private: %v", err)
	}
}

// TestOwnershipControlsAreStoredButNeverLetAnACLGrant pins the decision of acl.go: a bucket
// may report BucketOwnerPreferred or ObjectWriter, but with one account per deployment an
// ACL can still grant no one else, so ACLs stay refused.
func TestOwnershipControlsAreStoredButNeverLetAnACLGrant(t *testing.T) {
	e := newEnv(t)
	c := e.client(rootCredentials())
	if _, err := c.CreateBucket(e.ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("writer"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	e.bucket("data")
	ownership := func(bucket string) (types.ObjectOwnership, error) {
		out, err := c.GetBucketOwnershipControls(e.ctx, &s3sdk.GetBucketOwnershipControlsInput{Bucket: aws.String(bucket)})
		if err != nil {
			return "", err
		}
		return out.OwnershipControls.Rules[0].ObjectOwnership, nil
	}
	if o, err := ownership("writer"); err != nil || o != types.ObjectOwnershipObjectWriter {
		t.Errorf("a bucket created with ObjectWriter reports %q, %v", o, err)
	}
	if o, err := ownership("data"); err != nil || o != types.ObjectOwnershipBucketOwnerEnforced {
		t.Errorf("a new bucket reports %q, %v", o, err)
	}
	if _, err := c.PutBucketOwnershipControls(e.ctx, &s3sdk.PutBucketOwnershipControlsInput{Bucket: aws.String("data"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}); err != nil {
		t.Fatal(err)
	}
	if o, err := ownership("data"); err != nil || o != types.ObjectOwnershipBucketOwnerPreferred {
		t.Errorf("after PutBucketOwnershipControls: %q, %v", o, err)
	}
	for _, bucket := range []string{"writer", "data"} {
		_, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader("v"),
			ACL: types.ObjectCannedACLPublicRead})
		requireCode(t, err, "AccessControlListNotSupported", http.StatusBadRequest)
	}
	_, err := c.PutBucketOwnershipControls(e.ctx, &s3sdk.PutBucketOwnershipControlsInput{Bucket: aws.String("data"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: "Everyone"}}}})
	requireCode(t, err, "MalformedXML", http.StatusBadRequest)
	if _, err := c.DeleteBucketOwnershipControls(e.ctx, &s3sdk.DeleteBucketOwnershipControlsInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	_, err = ownership("data")
	requireCode(t, err, "OwnershipControlsNotFoundError", http.StatusNotFound)
}

// TestThePublicAccessBlockIsHonouredByBucketPolicies pins BlockPublicPolicy and
// RestrictPublicBuckets, and a new bucket's all-on block.
func TestThePublicAccessBlockIsHonouredByBucketPolicies(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	root := e.client(rootCredentials())
	b := aws.String("data")
	if _, err := root.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`
	_, err := root.PutBucketPolicy(e.ctx, &s3sdk.PutBucketPolicyInput{Bucket: b, Policy: aws.String(public)})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	// A policy that is not public is not blocked.
	restricted := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*",
	 "Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}]}`
	if _, err := root.PutBucketPolicy(e.ctx, &s3sdk.PutBucketPolicyInput{Bucket: b, Policy: aws.String(restricted)}); err != nil {
		t.Fatalf("a policy restricted to an IP range: %v", err)
	}
	if resp := anonymous(t, e, http.MethodGet, "/data/k", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("anonymous GET under a non-public policy: %d", resp.StatusCode)
	}

	setBlock := func(policy, restrict bool) {
		t.Helper()
		if _, err := root.PutPublicAccessBlock(e.ctx, &s3sdk.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
			BlockPublicPolicy: aws.Bool(policy), RestrictPublicBuckets: aws.Bool(restrict)}}); err != nil {
			t.Fatal(err)
		}
	}
	setBlock(false, true)
	if _, err := root.PutBucketPolicy(e.ctx, &s3sdk.PutBucketPolicyInput{Bucket: b, Policy: aws.String(public)}); err != nil {
		t.Fatalf("a public policy without BlockPublicPolicy: %v", err)
	}
	if resp := anonymous(t, e, http.MethodGet, "/data/k", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous GET under RestrictPublicBuckets: %d, want 403", resp.StatusCode)
	}
	e.role("nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)
	member := e.client(e.session("nobody", 0))
	if out, err := member.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: b, Key: aws.String("k")}); err != nil {
		t.Errorf("a principal of the account under RestrictPublicBuckets: %v", err)
	} else {
		out.Body.Close()
	}
	setBlock(false, false)
	if resp := anonymous(t, e, http.MethodGet, "/data/k", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("anonymous GET without RestrictPublicBuckets: %d", resp.StatusCode)
	}
	got, err := root.GetPublicAccessBlock(e.ctx, &s3sdk.GetPublicAccessBlockInput{Bucket: b})
	if err != nil || *got.PublicAccessBlockConfiguration.RestrictPublicBuckets || *got.PublicAccessBlockConfiguration.BlockPublicAcls {
		t.Errorf("GetPublicAccessBlock = %+v, %v", got, err)
	}
	if _, err := root.DeletePublicAccessBlock(e.ctx, &s3sdk.DeletePublicAccessBlockInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = root.GetPublicAccessBlock(e.ctx, &s3sdk.GetPublicAccessBlockInput{Bucket: b})
	requireCode(t, err, "NoSuchPublicAccessBlockConfiguration", http.StatusNotFound)
	status, err := root.GetBucketPolicyStatus(e.ctx, &s3sdk.GetBucketPolicyStatusInput{Bucket: b})
	if err != nil || !*status.PolicyStatus.IsPublic {
		t.Errorf("GetBucketPolicyStatus = %+v, %v", status, err)
	}
}

// TestTheCannedACLIsAConditionKey pins s3:x-amz-acl.
func TestTheCannedACLIsAConditionKey(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	e.role("uploader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*",
	 "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}`)
	c := e.client(e.session("uploader", 0))
	_, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v"),
		ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Errorf("PutObject with the ACL the policy asks for: %v", err)
	}
}
