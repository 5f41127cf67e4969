package iamapi

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// These tests drive the operations with aws-sdk-go-v2's IAM client end to end: the SDK's
// request encoding (lists, empty lists, tags, optional members) through awsquery.Decode and
// the operations, and the responses back through the SDK's deserializers.

func TestProvidersRoundTripThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	c := sdkClient(newFixture(t).server(t).URL)
	created, err := c.CreateOpenIDConnectProvider(ctx, &sdkiam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"},
		ThumbprintList: []string{}, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("")}}})
	noErr(t, err)
	arn := created.OpenIDConnectProviderArn
	want(t, aws.ToString(arn) == ghProviderARN, created)

	_, err = c.AddClientIDToOpenIDConnectProvider(ctx, &sdkiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("second")})
	noErr(t, err)
	_, err = c.UpdateOpenIDConnectProviderThumbprint(ctx, &sdkiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: arn, ThumbprintList: []string{thumbA}})
	noErr(t, err)
	_, err = c.TagOpenIDConnectProvider(ctx, &sdkiam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn,
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	noErr(t, err)
	_, err = c.UntagOpenIDConnectProvider(ctx, &sdkiam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, TagKeys: []string{"team"}})
	noErr(t, err)
	got, err := c.GetOpenIDConnectProvider(ctx, &sdkiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	noErr(t, err)
	want(t, aws.ToString(got.Url) == "token.actions.githubusercontent.com" && slices.Equal(got.ClientIDList, []string{"sts.amazonaws.com", "second"}) &&
		slices.Equal(got.ThumbprintList, []string{thumbA}) && len(got.Tags) == 1 && aws.ToString(got.Tags[0].Key) == "env", got)

	// An empty list is sent as "ThumbprintList=": it clears the thumbprints.
	_, err = c.UpdateOpenIDConnectProviderThumbprint(ctx, &sdkiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: arn, ThumbprintList: []string{}})
	noErr(t, err)
	got, err = c.GetOpenIDConnectProvider(ctx, &sdkiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	noErr(t, err)
	want(t, len(got.ThumbprintList) == 0, got)

	list, err := c.ListOpenIDConnectProviders(ctx, &sdkiam.ListOpenIDConnectProvidersInput{})
	noErr(t, err)
	want(t, len(list.OpenIDConnectProviderList) == 1, list)
	_, err = c.DeleteOpenIDConnectProvider(ctx, &sdkiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	noErr(t, err)
	_, err = c.GetOpenIDConnectProvider(ctx, &sdkiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	var missing *types.NoSuchEntityException
	if !errors.As(err, &missing) {
		t.Fatalf("after delete: %v, want NoSuchEntityException", err)
	}
}

func TestRolesAndPoliciesRoundTripThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	c := sdkClient(newFixture(t).server(t).URL)
	pol, err := c.CreatePolicy(ctx, &sdkiam.CreatePolicyInput{PolicyName: aws.String("ReadArtifacts"), Path: aws.String("/ci/"),
		PolicyDocument: aws.String(readPolicy), Description: aws.String("Reads build artifacts")})
	noErr(t, err)
	for _, name := range []string{"deploy", "audit", "build"} {
		_, err := c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trustPolicy),
			MaxSessionDuration: aws.Int32(7200), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ci")}}})
		noErr(t, err)
	}
	var names []string
	pages := sdkiam.NewListRolesPaginator(c, &sdkiam.ListRolesInput{MaxItems: aws.Int32(1)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		noErr(t, err)
		for _, r := range page.Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
	}
	want(t, slices.Equal(names, []string{"audit", "build", "deploy"}), names)

	_, err = c.UpdateRole(ctx, &sdkiam.UpdateRoleInput{RoleName: aws.String("deploy"), Description: aws.String("deploys")})
	noErr(t, err)
	_, err = c.PutRolePermissionsBoundary(ctx, &sdkiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("deploy"), PermissionsBoundary: pol.Policy.Arn})
	noErr(t, err)
	_, err = c.PutRolePolicy(ctx, &sdkiam.PutRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readPolicy)})
	noErr(t, err)
	_, err = c.AttachRolePolicy(ctx, &sdkiam.AttachRolePolicyInput{RoleName: aws.String("deploy"), PolicyArn: pol.Policy.Arn})
	noErr(t, err)

	role, err := c.GetRole(ctx, &sdkiam.GetRoleInput{RoleName: aws.String("deploy")})
	noErr(t, err)
	want(t, aws.ToString(role.Role.Description) == "deploys" && aws.ToInt32(role.Role.MaxSessionDuration) == 7200 &&
		decoded(t, role.Role.AssumeRolePolicyDocument) == trustPolicy && role.Role.PermissionsBoundary != nil, role.Role)
	inline, err := c.GetRolePolicy(ctx, &sdkiam.GetRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("read")})
	noErr(t, err)
	want(t, decoded(t, inline.PolicyDocument) == readPolicy, inline)
	attached, err := c.ListAttachedRolePolicies(ctx, &sdkiam.ListAttachedRolePoliciesInput{RoleName: aws.String("deploy")})
	noErr(t, err)
	want(t, len(attached.AttachedPolicies) == 1 && aws.ToString(attached.AttachedPolicies[0].PolicyArn) == aws.ToString(pol.Policy.Arn), attached)
	policies, err := c.ListPolicies(ctx, &sdkiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, OnlyAttached: true})
	noErr(t, err)
	want(t, len(policies.Policies) == 1 && aws.ToInt32(policies.Policies[0].AttachmentCount) == 1, policies)

	_, err = c.DeleteRole(ctx, &sdkiam.DeleteRoleInput{RoleName: aws.String("deploy")})
	var conflict *types.DeleteConflictException
	if !errors.As(err, &conflict) || aws.ToString(conflict.Message) != "Cannot delete entity, must delete policies first." {
		t.Fatalf("DeleteRole with policies: %v", err)
	}
	_, err = c.CreateRole(ctx, &sdkiam.CreateRoleInput{RoleName: aws.String("Deploy"), AssumeRolePolicyDocument: aws.String(trustPolicy)})
	var exists *types.EntityAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("CreateRole twice: %v", err)
	}
	_, err = c.PutRolePolicy(ctx, &sdkiam.PutRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("trust"), PolicyDocument: aws.String(trustPolicy)})
	var malformed *types.MalformedPolicyDocumentException
	if !errors.As(err, &malformed) {
		t.Fatalf("PutRolePolicy of a trust policy: %v", err)
	}

	_, err = c.DeleteRolePolicy(ctx, &sdkiam.DeleteRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("read")})
	noErr(t, err)
	_, err = c.DetachRolePolicy(ctx, &sdkiam.DetachRolePolicyInput{RoleName: aws.String("deploy"), PolicyArn: pol.Policy.Arn})
	noErr(t, err)
	_, err = c.DeleteRolePermissionsBoundary(ctx, &sdkiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("deploy")})
	noErr(t, err)
	_, err = c.DeleteRole(ctx, &sdkiam.DeleteRoleInput{RoleName: aws.String("deploy")})
	noErr(t, err)
	_, err = c.DeletePolicy(ctx, &sdkiam.DeletePolicyInput{PolicyArn: pol.Policy.Arn})
	noErr(t, err)
}
