package iamapi

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	smithy "github.com/aws/smithy-go"
)

// sdkClient is aws-sdk-go-v2's IAM client pointed at endpoint, without retries.
func sdkClient(endpoint string) *sdkiam.Client {
	return sdkiam.New(sdkiam.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      aws.NopRetryer{},
	})
}

// goldenServer answers every request with the golden file named by *current, with status
// *status, whatever the request: it checks how the SDK reads our bodies.
func goldenServer(t *testing.T, current *string, status *int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := os.ReadFile(filepath.Join("testdata", *current+".xml"))
		if err != nil {
			t.Errorf("golden %s: %v", *current, err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(*status)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// sdkReads checks, per golden success file, that the SDK's deserializer reads the fields
// inkan sets. Every success golden of the scenario must have an entry.
var sdkReads = map[string]func(ctx context.Context, t *testing.T, c *sdkiam.Client){
	"create-open-id-connect-provider": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.CreateOpenIDConnectProvider(ctx, &sdkiam.CreateOpenIDConnectProviderInput{Url: aws.String("x")})
		noErr(t, err)
		want(t, aws.ToString(out.OpenIDConnectProviderArn) == ghProviderARN && len(out.Tags) == 2 && aws.ToString(out.Tags[0].Key) == "env", out)
	},
	"get-open-id-connect-provider": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.GetOpenIDConnectProvider(ctx, &sdkiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("x")})
		noErr(t, err)
		want(t, aws.ToString(out.Url) == "token.actions.githubusercontent.com" && slices.Equal(out.ClientIDList, []string{"sts.amazonaws.com", "https://github.com/acme"}) &&
			slices.Equal(out.ThumbprintList, []string{thumbA, thumbB}) && out.CreateDate.Equal(testNow.Truncate(1e6)) && len(out.Tags) == 2, out)
	},
	"list-open-id-connect-providers": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.ListOpenIDConnectProviders(ctx, &sdkiam.ListOpenIDConnectProvidersInput{})
		noErr(t, err)
		want(t, len(out.OpenIDConnectProviderList) == 1 && aws.ToString(out.OpenIDConnectProviderList[0].Arn) == ghProviderARN, out)
	},
	"list-open-id-connect-provider-tags": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.ListOpenIDConnectProviderTags(ctx, &sdkiam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String("x")})
		noErr(t, err)
		want(t, len(out.Tags) == 2 && aws.ToString(out.Tags[1].Value) == "platform" && !out.IsTruncated, out)
	},
	"create-policy": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.CreatePolicy(ctx, &sdkiam.CreatePolicyInput{PolicyName: aws.String("x"), PolicyDocument: aws.String("{}")})
		noErr(t, err)
		checkPolicy(t, out.Policy, 0)
	},
	"get-policy": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.GetPolicy(ctx, &sdkiam.GetPolicyInput{PolicyArn: aws.String("x")})
		noErr(t, err)
		checkPolicy(t, out.Policy, 0)
		want(t, aws.ToInt32(out.Policy.PermissionsBoundaryUsageCount) == 1, out.Policy)
	},
	"get-policy-version": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.GetPolicyVersion(ctx, &sdkiam.GetPolicyVersionInput{PolicyArn: aws.String("x"), VersionId: aws.String("v1")})
		noErr(t, err)
		want(t, decoded(t, out.PolicyVersion.Document) == readPolicy && aws.ToString(out.PolicyVersion.VersionId) == "v1" && out.PolicyVersion.IsDefaultVersion, out.PolicyVersion)
	},
	"list-policies": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.ListPolicies(ctx, &sdkiam.ListPoliciesInput{})
		noErr(t, err)
		want(t, len(out.Policies) == 1 && !out.IsTruncated, out)
		checkPolicy(t, &out.Policies[0], 1)
	},
	"create-role": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String("{}")})
		noErr(t, err)
		checkRole(t, out.Role, "Deploys acme/app", 7200)
	},
	"create-role-minimal": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String("{}")})
		noErr(t, err)
		want(t, aws.ToString(out.Role.RoleName) == "audit" && aws.ToString(out.Role.Path) == "/" && out.Role.Description == nil &&
			out.Role.PermissionsBoundary == nil && len(out.Role.Tags) == 0 && aws.ToInt32(out.Role.MaxSessionDuration) == 3600, out.Role)
	},
	"get-role": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.GetRole(ctx, &sdkiam.GetRoleInput{RoleName: aws.String("x")})
		noErr(t, err)
		checkRole(t, out.Role, "Deploys acme/app", 7200)
	},
	"list-roles-first-page": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.ListRoles(ctx, &sdkiam.ListRolesInput{})
		noErr(t, err)
		want(t, len(out.Roles) == 1 && aws.ToString(out.Roles[0].RoleName) == "audit" && out.IsTruncated && aws.ToString(out.Marker) != "", out)
	},
	"list-roles-second-page": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.ListRoles(ctx, &sdkiam.ListRolesInput{})
		noErr(t, err)
		want(t, len(out.Roles) == 1 && aws.ToString(out.Roles[0].RoleName) == "deploy" && !out.IsTruncated && out.Marker == nil, out)
	},
	"list-roles-by-path": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.ListRoles(ctx, &sdkiam.ListRolesInput{})
		noErr(t, err)
		want(t, len(out.Roles) == 1 && aws.ToString(out.Roles[0].Arn) == "arn:aws:iam::123456789012:role/ci/deploy", out)
		want(t, decoded(t, out.Roles[0].AssumeRolePolicyDocument) == trustPolicy, out.Roles[0])
	},
	"update-role": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		_, err := c.UpdateRole(ctx, &sdkiam.UpdateRoleInput{RoleName: aws.String("x")})
		noErr(t, err)
	},
	"list-role-tags": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.ListRoleTags(ctx, &sdkiam.ListRoleTagsInput{RoleName: aws.String("x")})
		noErr(t, err)
		want(t, len(out.Tags) == 1 && aws.ToString(out.Tags[0].Key) == "env" && aws.ToString(out.Tags[0].Value) == "prod", out)
	},
	"get-role-policy": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.GetRolePolicy(ctx, &sdkiam.GetRolePolicyInput{RoleName: aws.String("x"), PolicyName: aws.String("y")})
		noErr(t, err)
		want(t, aws.ToString(out.RoleName) == "deploy" && aws.ToString(out.PolicyName) == "read-artifacts" && decoded(t, out.PolicyDocument) == readPolicy, out)
	},
	"list-role-policies": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.ListRolePolicies(ctx, &sdkiam.ListRolePoliciesInput{RoleName: aws.String("x")})
		noErr(t, err)
		want(t, slices.Equal(out.PolicyNames, []string{"read-artifacts"}), out)
	},
	"list-attached-role-policies": func(ctx context.Context, t *testing.T, c *sdkiam.Client) {
		out, err := c.ListAttachedRolePolicies(ctx, &sdkiam.ListAttachedRolePoliciesInput{RoleName: aws.String("x")})
		noErr(t, err)
		want(t, len(out.AttachedPolicies) == 1 && aws.ToString(out.AttachedPolicies[0].PolicyName) == "ReadArtifacts", out)
	},
}

// noOutput are the actions whose responses carry no result; the SDK must accept them.
var noOutput = map[string]func(ctx context.Context, c *sdkiam.Client) error{
	"add-client-id-to-open-id-connect-provider": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.AddClientIDToOpenIDConnectProvider(ctx, &sdkiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("x"), ClientID: aws.String("y")})
		return err
	},
	"remove-client-id-from-open-id-connect-provider": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.RemoveClientIDFromOpenIDConnectProvider(ctx, &sdkiam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("x"), ClientID: aws.String("y")})
		return err
	},
	"update-open-id-connect-provider-thumbprint": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.UpdateOpenIDConnectProviderThumbprint(ctx, &sdkiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String("x"), ThumbprintList: []string{}})
		return err
	},
	"tag-open-id-connect-provider": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.TagOpenIDConnectProvider(ctx, &sdkiam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("x"), Tags: []types.Tag{}})
		return err
	},
	"untag-open-id-connect-provider": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.UntagOpenIDConnectProvider(ctx, &sdkiam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("x"), TagKeys: []string{}})
		return err
	},
	"update-assume-role-policy": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.UpdateAssumeRolePolicy(ctx, &sdkiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("x"), PolicyDocument: aws.String("{}")})
		return err
	},
	"tag-role": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.TagRole(ctx, &sdkiam.TagRoleInput{RoleName: aws.String("x"), Tags: []types.Tag{}})
		return err
	},
	"untag-role": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.UntagRole(ctx, &sdkiam.UntagRoleInput{RoleName: aws.String("x"), TagKeys: []string{}})
		return err
	},
	"delete-role-permissions-boundary": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.DeleteRolePermissionsBoundary(ctx, &sdkiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("x")})
		return err
	},
	"put-role-permissions-boundary": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.PutRolePermissionsBoundary(ctx, &sdkiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("x"), PermissionsBoundary: aws.String("y")})
		return err
	},
	"put-role-policy": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.PutRolePolicy(ctx, &sdkiam.PutRolePolicyInput{RoleName: aws.String("x"), PolicyName: aws.String("y"), PolicyDocument: aws.String("{}")})
		return err
	},
	"attach-role-policy": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.AttachRolePolicy(ctx, &sdkiam.AttachRolePolicyInput{RoleName: aws.String("x"), PolicyArn: aws.String("y")})
		return err
	},
	"detach-role-policy": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.DetachRolePolicy(ctx, &sdkiam.DetachRolePolicyInput{RoleName: aws.String("x"), PolicyArn: aws.String("y")})
		return err
	},
	"delete-role-policy": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.DeleteRolePolicy(ctx, &sdkiam.DeleteRolePolicyInput{RoleName: aws.String("x"), PolicyName: aws.String("y")})
		return err
	},
	"delete-role": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.DeleteRole(ctx, &sdkiam.DeleteRoleInput{RoleName: aws.String("x")})
		return err
	},
	"delete-open-id-connect-provider": func(ctx context.Context, c *sdkiam.Client) error {
		_, err := c.DeleteOpenIDConnectProvider(ctx, &sdkiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("x")})
		return err
	},
}

// inkanOnly are golden success files of actions the SDK does not have.
var inkanOnly = map[string]bool{"revoke-role-sessions": true}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("the SDK refused the response: %v", err)
	}
}

func want(t *testing.T, ok bool, got any) {
	t.Helper()
	if !ok {
		t.Fatalf("the SDK read %+v", got)
	}
}

// decoded URL-decodes a policy document as SDK users must.
func decoded(t *testing.T, doc *string) string {
	t.Helper()
	s, err := url.QueryUnescape(aws.ToString(doc))
	if err != nil {
		t.Fatalf("document %q is not URL-encoded: %v", aws.ToString(doc), err)
	}
	return s
}

func checkRole(t *testing.T, r *types.Role, description string, maxSession int32) {
	t.Helper()
	want(t, aws.ToString(r.RoleName) == "deploy" && aws.ToString(r.Path) == "/ci/" && strings.HasPrefix(aws.ToString(r.RoleId), "AROA") &&
		aws.ToString(r.Arn) == "arn:aws:iam::123456789012:role/ci/deploy" && r.CreateDate.Equal(testNow.Truncate(1e6)) &&
		aws.ToString(r.Description) == description && aws.ToInt32(r.MaxSessionDuration) == maxSession &&
		decoded(t, r.AssumeRolePolicyDocument) == trustPolicy && len(r.Tags) == 1 &&
		r.PermissionsBoundary != nil && r.PermissionsBoundary.PermissionsBoundaryType == types.PermissionsBoundaryAttachmentTypePolicy &&
		aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn) == "arn:aws:iam::123456789012:policy/ci/ReadArtifacts", r)
}

func checkPolicy(t *testing.T, p *types.Policy, attachments int32) {
	t.Helper()
	want(t, aws.ToString(p.PolicyName) == "ReadArtifacts" && strings.HasPrefix(aws.ToString(p.PolicyId), "ANPA") &&
		aws.ToString(p.Arn) == "arn:aws:iam::123456789012:policy/ci/ReadArtifacts" && aws.ToString(p.DefaultVersionId) == "v1" &&
		aws.ToInt32(p.AttachmentCount) == attachments && p.IsAttachable && aws.ToString(p.Description) == "Reads build artifacts" &&
		p.UpdateDate.Equal(testNow.Truncate(1e6)), p)
}

func TestTheSDKReadsEveryGoldenResponse(t *testing.T) {
	ctx := context.Background()
	var current string
	status := http.StatusOK
	c := sdkClient(goldenServer(t, &current, &status).URL)
	for _, s := range scenario {
		t.Run(s.golden, func(t *testing.T) {
			current, status = s.golden, s.status
			if s.status != http.StatusOK {
				checkSDKError(ctx, t, c, s.golden)
				return
			}
			if read, ok := sdkReads[s.golden]; ok {
				read(ctx, t, c)
				return
			}
			if run, ok := noOutput[s.golden]; ok {
				if err := run(ctx, c); err != nil {
					t.Fatalf("the SDK refused the response: %v", err)
				}
				return
			}
			if !inkanOnly[s.golden] {
				t.Fatalf("no SDK check for golden %s", s.golden)
			}
		})
	}
}

// checkSDKError reads an error golden through the SDK (on any operation) and compares the
// code and message the SDK reports with those in the file.
func checkSDKError(ctx context.Context, t *testing.T, c *sdkiam.Client, golden string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", golden+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Error struct{ Code, Message string }
	}
	if err := xml.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRole(ctx, &sdkiam.GetRoleInput{RoleName: aws.String("x")})
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want an API error", err)
	}
	if ae.ErrorCode() != file.Error.Code || ae.ErrorMessage() != file.Error.Message {
		t.Fatalf("the SDK read %s %q, the file says %s %q", ae.ErrorCode(), ae.ErrorMessage(), file.Error.Code, file.Error.Message)
	}
}
