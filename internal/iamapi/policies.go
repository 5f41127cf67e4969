package iamapi

import (
	"context"
	"strings"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/store"
)

func (a *api) putRolePolicy(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	policyName, doc := in.required("PolicyName"), in.required("PolicyDocument")
	name, err := a.roleName(ctx, c, in, "PutRolePolicy", nil)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.PutRolePolicy(ctx, name, policyName, doc)
}

type getRolePolicyResult struct {
	RoleName       string
	PolicyName     string
	PolicyDocument string
}

func (a *api) getRolePolicy(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	policyName := in.required("PolicyName")
	name, err := a.roleName(ctx, c, in, "GetRolePolicy", nil)
	if err != nil {
		return nil, err
	}
	rp, err := a.svc.GetRolePolicy(ctx, name, policyName)
	if err != nil {
		return nil, err
	}
	return getRolePolicyResult{RoleName: rp.RoleName, PolicyName: rp.Name, PolicyDocument: encodeDocument(rp.Document)}, nil
}

type listRolePoliciesResult struct {
	PolicyNames list[string]
	paged
}

func (a *api) listRolePolicies(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	pr := in.page()
	name, err := a.roleName(ctx, c, in, "ListRolePolicies", nil)
	if err != nil {
		return nil, err
	}
	names, err := a.svc.ListRolePolicies(ctx, name)
	if err != nil {
		return nil, err
	}
	items, pg := pageOf(names, func(n string) string { return n }, pr)
	return listRolePoliciesResult{PolicyNames: items, paged: pg}, nil
}

func (a *api) deleteRolePolicy(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	policyName := in.required("PolicyName")
	name, err := a.roleName(ctx, c, in, "DeleteRolePolicy", nil)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteRolePolicy(ctx, name, policyName)
}

type policyResult struct{ Policy policyXML }

func (a *api) createPolicy(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	req := iam.CreatePolicyInput{Name: in.required("PolicyName"), Path: in.optional("Path"),
		Description: in.optional("Description"), Document: in.required("PolicyDocument"), Tags: in.tags("Tags")}
	if in.err != nil {
		return nil, in.err
	}
	if err := a.allow(ctx, c, "CreatePolicy", a.svc.PolicyARN(req.Path, req.Name), tagKeys(req.Tags)); err != nil {
		return nil, err
	}
	p, err := a.svc.CreatePolicy(ctx, &req)
	if err != nil {
		return nil, err
	}
	return policyResult{newPolicy(p, 0, true)}, nil
}

// policyARN reads PolicyArn and authorizes action on it.
func (a *api) policyARN(ctx context.Context, c *awsquery.Call, in *params, action string) (string, error) {
	arn := in.required("PolicyArn")
	if in.err != nil {
		return "", in.err
	}
	return arn, a.allow(ctx, c, action, arn, nil)
}

func (a *api) getPolicy(ctx context.Context, c *awsquery.Call) (any, error) {
	arn, err := a.policyARN(ctx, c, newParams(c), "GetPolicy")
	if err != nil {
		return nil, err
	}
	p, err := a.svc.GetPolicy(ctx, arn)
	if err != nil {
		return nil, err
	}
	return policyResult{newPolicy(p, a.svc.BoundaryUsage(p.ARN), true)}, nil
}

type policyVersionXML struct {
	Document         string
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

type getPolicyVersionResult struct{ PolicyVersion policyVersionXML }

func (a *api) getPolicyVersion(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	version := in.required("VersionId")
	arn, err := a.policyARN(ctx, c, in, "GetPolicyVersion")
	if err != nil {
		return nil, err
	}
	p, err := a.svc.GetPolicyVersion(ctx, arn, version)
	if err != nil {
		return nil, err
	}
	return getPolicyVersionResult{policyVersionXML{Document: encodeDocument(p.Document), VersionId: p.DefaultVersionID,
		IsDefaultVersion: true, CreateDate: isoTime(p.UpdateDate)}}, nil
}

type listPoliciesResult struct {
	Policies list[policyXML]
	paged
}

// listPolicies lists the account's own policies: Scope AWS lists none, as inkan has no
// AWS managed policies.
func (a *api) listPolicies(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	scope, prefix, onlyAttached, pr := in.optional("Scope"), in.optional("PathPrefix"), in.boolean("OnlyAttached"), in.page()
	usage := in.optional("PolicyUsageFilter")
	if in.err == nil && scope != "" && scope != "All" && scope != "AWS" && scope != "Local" {
		in.fail("1 validation error detected: Value '" + scope + "' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]")
	}
	if in.err == nil && usage != "" && usage != "PermissionsPolicy" && usage != "PermissionsBoundary" {
		in.fail("1 validation error detected: Value '" + usage + "' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]")
	}
	if in.err != nil {
		return nil, in.err
	}
	if err := a.allow(ctx, c, "ListPolicies", allResources, nil); err != nil {
		return nil, err
	}
	all, err := a.svc.ListPolicies(ctx, prefix, onlyAttached)
	if err != nil || scope == "AWS" {
		return listPoliciesResult{}, err
	}
	items, pg := pageOf(all, func(p store.ManagedPolicy) string { return strings.ToLower(p.Name) }, pr)
	out := make(list[policyXML], len(items))
	for i, p := range items {
		out[i] = newPolicy(p, a.svc.BoundaryUsage(p.ARN), false)
	}
	return listPoliciesResult{Policies: out, paged: pg}, nil
}

func (a *api) deletePolicy(ctx context.Context, c *awsquery.Call) (any, error) {
	arn, err := a.policyARN(ctx, c, newParams(c), "DeletePolicy")
	if err != nil {
		return nil, err
	}
	return nil, a.svc.DeletePolicy(ctx, arn)
}

func (a *api) attachRolePolicy(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	arn := in.required("PolicyArn")
	name, err := a.roleName(ctx, c, in, "AttachRolePolicy", withKey(nil, "iam:policyarn", arn))
	if err != nil {
		return nil, err
	}
	return nil, a.svc.AttachRolePolicy(ctx, name, arn)
}

func (a *api) detachRolePolicy(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	arn := in.required("PolicyArn")
	name, err := a.roleName(ctx, c, in, "DetachRolePolicy", withKey(nil, "iam:policyarn", arn))
	if err != nil {
		return nil, err
	}
	return nil, a.svc.DetachRolePolicy(ctx, name, arn)
}

type attachedPolicyXML struct {
	PolicyName string
	PolicyArn  string
}

type listAttachedResult struct {
	AttachedPolicies list[attachedPolicyXML]
	paged
}

func (a *api) listAttachedRolePolicies(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	prefix, pr := in.optional("PathPrefix"), in.page()
	name, err := a.roleName(ctx, c, in, "ListAttachedRolePolicies", nil)
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListAttachedRolePolicies(ctx, name, prefix)
	if err != nil {
		return nil, err
	}
	items, pg := pageOf(all, func(p store.ManagedPolicy) string { return strings.ToLower(p.Name) }, pr)
	out := make(list[attachedPolicyXML], len(items))
	for i, p := range items {
		out[i] = attachedPolicyXML{PolicyName: p.Name, PolicyArn: p.ARN}
	}
	return listAttachedResult{AttachedPolicies: out, paged: pg}, nil
}
