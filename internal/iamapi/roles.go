package iamapi

import (
	"context"
	"strings"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
)

type roleResult struct{ Role roleXML }

func (a *api) createRole(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	req := iam.CreateRoleInput{Name: in.required("RoleName"), Path: in.optional("Path"),
		TrustPolicy: in.required("AssumeRolePolicyDocument"), Description: in.optional("Description"),
		MaxSessionDuration: in.integer("MaxSessionDuration"), PermissionsBoundary: in.optional("PermissionsBoundary"),
		Tags: in.tags("Tags")}
	if in.err != nil {
		return nil, in.err
	}
	keys := tagKeys(req.Tags)
	if req.PermissionsBoundary != "" {
		keys = withKey(keys, "iam:permissionsboundary", req.PermissionsBoundary)
	}
	if err := a.allow(ctx, c, "CreateRole", a.svc.RoleARNAt(req.Path, req.Name), keys); err != nil {
		return nil, err
	}
	r, err := a.svc.CreateRole(ctx, &req)
	if err != nil {
		return nil, err
	}
	return roleResult{newRole(r, true)}, nil
}

func withKey(k policy.Keys, key, value string) policy.Keys {
	if k == nil {
		k = policy.Keys{}
	}
	k[key] = []string{value}
	return k
}

// roleName reads RoleName and authorizes action on the role's ARN.
func (a *api) roleName(ctx context.Context, c *awsquery.Call, in *params, action string, keys policy.Keys) (string, error) {
	name := in.required("RoleName")
	if in.err != nil {
		return "", in.err
	}
	return name, a.allow(ctx, c, action, a.svc.RoleARN(name), keys)
}

func (a *api) getRole(ctx context.Context, c *awsquery.Call) (any, error) {
	name, err := a.roleName(ctx, c, newParams(c), "GetRole", nil)
	if err != nil {
		return nil, err
	}
	r, err := a.svc.GetRole(ctx, name)
	if err != nil {
		return nil, err
	}
	return roleResult{newRole(r, true)}, nil
}

type listRolesResult struct {
	Roles list[roleXML]
	paged
}

func (a *api) listRoles(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	prefix, pr := in.optional("PathPrefix"), in.page()
	if in.err != nil {
		return nil, in.err
	}
	if err := a.allow(ctx, c, "ListRoles", allResources, nil); err != nil {
		return nil, err
	}
	all, err := a.svc.ListRoles(ctx, prefix)
	if err != nil {
		return nil, err
	}
	items, pg := pageOf(all, func(r store.Role) string { return strings.ToLower(r.Name) }, pr)
	out := make(list[roleXML], len(items))
	for i, r := range items {
		out[i] = newRole(r, false)
	}
	return listRolesResult{Roles: out, paged: pg}, nil
}

func (a *api) deleteRole(ctx context.Context, c *awsquery.Call) (any, error) {
	name, err := a.roleName(ctx, c, newParams(c), "DeleteRole", nil)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteRole(ctx, name)
}

// emptyResult renders <ActionResult/> for actions whose output shape has no members.
type emptyResult struct{}

func (a *api) updateRole(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	desc, maxSession := in.optionalPtr("Description"), in.integer("MaxSessionDuration")
	name, err := a.roleName(ctx, c, in, "UpdateRole", nil)
	if err != nil {
		return nil, err
	}
	if err := a.svc.UpdateRole(ctx, &iam.UpdateRoleInput{Name: name, Description: desc, MaxSessionDuration: maxSession}); err != nil {
		return nil, err
	}
	return emptyResult{}, nil
}

func (a *api) updateAssumeRolePolicy(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	doc := in.required("PolicyDocument")
	name, err := a.roleName(ctx, c, in, "UpdateAssumeRolePolicy", nil)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.UpdateAssumeRolePolicy(ctx, name, doc)
}

func (a *api) tagRole(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	tags := in.tags("Tags")
	name, err := a.roleName(ctx, c, in, "TagRole", tagKeys(tags))
	if err != nil {
		return nil, err
	}
	return nil, a.svc.TagRole(ctx, name, tags)
}

func (a *api) untagRole(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	keys := in.list("TagKeys", true)
	name, err := a.roleName(ctx, c, in, "UntagRole", untagKeys(keys))
	if err != nil {
		return nil, err
	}
	return nil, a.svc.UntagRole(ctx, name, keys)
}

func (a *api) listRoleTags(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	pr := in.page()
	name, err := a.roleName(ctx, c, in, "ListRoleTags", nil)
	if err != nil {
		return nil, err
	}
	tags, err := a.svc.ListRoleTags(ctx, name)
	if err != nil {
		return nil, err
	}
	return tagPage(tags, pr), nil
}

func (a *api) putRolePermissionsBoundary(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	arn := in.required("PermissionsBoundary")
	name, err := a.roleName(ctx, c, in, "PutRolePermissionsBoundary", withKey(nil, "iam:permissionsboundary", arn))
	if err != nil {
		return nil, err
	}
	return nil, a.svc.PutRolePermissionsBoundary(ctx, name, arn)
}

func (a *api) deleteRolePermissionsBoundary(ctx context.Context, c *awsquery.Call) (any, error) {
	name, err := a.roleName(ctx, c, newParams(c), "DeleteRolePermissionsBoundary", nil)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteRolePermissionsBoundary(ctx, name)
}

type revokeResult struct {
	SessionsValidAfter string
}

// revokeRoleSessions is inkan's extension (see the package doc): authorized as
// iam:PutRolePolicy, the permission AWS's own revocation needs.
func (a *api) revokeRoleSessions(ctx context.Context, c *awsquery.Call) (any, error) {
	name, err := a.roleName(ctx, c, newParams(c), "PutRolePolicy", nil)
	if err != nil {
		return nil, err
	}
	at, err := a.svc.RevokeRoleSessions(ctx, name)
	if err != nil {
		return nil, err
	}
	return revokeResult{SessionsValidAfter: isoTime(at)}, nil
}
