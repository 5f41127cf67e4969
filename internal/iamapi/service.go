package iamapi

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
)

// Namespace is the XML namespace of IAM's responses; Version is the API version clients send.
const (
	Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	Version   = "2010-05-08"
)

// api holds what every operation needs: the domain.
type api struct{ svc *iam.Service }

// Service returns the IAM query service: signing name "iam", IAM's namespace, one signed
// Operation per supported action and IAM's error catalogue. Each operation expects the
// dispatcher to have authenticated the call and put the *iam.Principal in Call.Caller.
func Service(svc *iam.Service) awsquery.Service {
	a := &api{svc: svc}
	return awsquery.Service{Name: "iam", Namespace: Namespace, Error: Error, Operations: map[string]awsquery.Operation{
		"CreateOpenIDConnectProvider":             {Run: a.createOpenIDConnectProvider},
		"GetOpenIDConnectProvider":                {Run: a.getOpenIDConnectProvider},
		"ListOpenIDConnectProviders":              {Run: a.listOpenIDConnectProviders},
		"DeleteOpenIDConnectProvider":             {Run: a.deleteOpenIDConnectProvider},
		"AddClientIDToOpenIDConnectProvider":      {Run: a.addClientID},
		"RemoveClientIDFromOpenIDConnectProvider": {Run: a.removeClientID},
		"UpdateOpenIDConnectProviderThumbprint":   {Run: a.updateThumbprint},
		"TagOpenIDConnectProvider":                {Run: a.tagOpenIDConnectProvider},
		"UntagOpenIDConnectProvider":              {Run: a.untagOpenIDConnectProvider},
		"ListOpenIDConnectProviderTags":           {Run: a.listOpenIDConnectProviderTags},

		"CreateRole":                    {Run: a.createRole},
		"GetRole":                       {Run: a.getRole},
		"ListRoles":                     {Run: a.listRoles},
		"DeleteRole":                    {Run: a.deleteRole},
		"UpdateRole":                    {Run: a.updateRole},
		"UpdateAssumeRolePolicy":        {Run: a.updateAssumeRolePolicy},
		"TagRole":                       {Run: a.tagRole},
		"UntagRole":                     {Run: a.untagRole},
		"ListRoleTags":                  {Run: a.listRoleTags},
		"PutRolePermissionsBoundary":    {Run: a.putRolePermissionsBoundary},
		"DeleteRolePermissionsBoundary": {Run: a.deleteRolePermissionsBoundary},
		"RevokeRoleSessions":            {Run: a.revokeRoleSessions},

		"PutRolePolicy":    {Run: a.putRolePolicy},
		"GetRolePolicy":    {Run: a.getRolePolicy},
		"ListRolePolicies": {Run: a.listRolePolicies},
		"DeleteRolePolicy": {Run: a.deleteRolePolicy},

		"CreatePolicy":             {Run: a.createPolicy},
		"GetPolicy":                {Run: a.getPolicy},
		"GetPolicyVersion":         {Run: a.getPolicyVersion},
		"ListPolicies":             {Run: a.listPolicies},
		"DeletePolicy":             {Run: a.deletePolicy},
		"AttachRolePolicy":         {Run: a.attachRolePolicy},
		"DetachRolePolicy":         {Run: a.detachRolePolicy},
		"ListAttachedRolePolicies": {Run: a.listAttachedRolePolicies},
	}}
}

// errNoCaller means the dispatcher ran a signed operation without an authenticated caller:
// a server bug, answered as ServiceFailure.
var errNoCaller = errors.New("iamapi: signed operation called without an *iam.Principal")

// allow authorizes the caller for iam:<action> on resource, with the request's network
// keys and any extra condition keys (lower-cased names).
func (a *api) allow(ctx context.Context, c *awsquery.Call, action, resource string, extra policy.Keys) error {
	p, ok := c.Caller.(*iam.Principal)
	if !ok || p == nil {
		return errNoCaller
	}
	keys := policy.Keys{"aws:securetransport": {strconv.FormatBool(c.Secure)}}
	if c.SourceIP.IsValid() {
		keys["aws:sourceip"] = []string{c.SourceIP.String()}
	}
	for k, v := range extra {
		keys[k] = v
	}
	return a.svc.Authorize(ctx, p, &iam.AccessRequest{Action: "iam:" + action, Resource: resource, Keys: keys})
}

// tagKeys are the condition keys of a request that sets tags: aws:RequestTag/<key> for each
// and aws:TagKeys for all.
func tagKeys(tags []store.Tag) policy.Keys {
	if len(tags) == 0 {
		return nil
	}
	k := policy.Keys{}
	names := make([]string, len(tags))
	for i, t := range tags {
		k["aws:requesttag/"+strings.ToLower(t.Key)] = []string{t.Value}
		names[i] = t.Key
	}
	k["aws:tagkeys"] = names
	return k
}

// allResources is the resource of actions that list the account's entities.
const allResources = "*"
