package awsclient

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// Role is an IAM role as IAM returns it, with its trust policy already URL-decoded.
type Role struct {
	Path                     string    `xml:"Path"`
	RoleName                 string    `xml:"RoleName"`
	RoleID                   string    `xml:"RoleId"`
	Arn                      string    `xml:"Arn"`
	CreateDate               time.Time `xml:"CreateDate"`
	AssumeRolePolicyDocument string    `xml:"AssumeRolePolicyDocument"` // JSON
	Description              string    `xml:"Description"`
	MaxSessionDuration       int       `xml:"MaxSessionDuration"`
	PermissionsBoundaryArn   string    `xml:"PermissionsBoundary>PermissionsBoundaryArn"`
}

type roleResult struct {
	Role Role `xml:"Role"`
	Metadata
}

// CreateRoleInput is the request of CreateRole. Path "" means "/"; MaxSessionDuration 0
// means the default (3600 s).
type CreateRoleInput struct {
	RoleName                 string
	AssumeRolePolicyDocument string // the trust policy, JSON
	Path                     string
	Description              string
	MaxSessionDuration       int
}

// CreateRole creates a role; an existing name is EntityAlreadyExists.
func (c *Client) CreateRole(ctx context.Context, in CreateRoleInput) (*Role, error) {
	p := url.Values{"RoleName": {in.RoleName}, "AssumeRolePolicyDocument": {in.AssumeRolePolicyDocument}}
	setNonEmpty(p, "Path", in.Path)
	setNonEmpty(p, "Description", in.Description)
	setOptional(p, "MaxSessionDuration", in.MaxSessionDuration)
	return roleCall(ctx, c, "CreateRole", p)
}

// GetRole returns a role; a missing one is NoSuchEntity.
func (c *Client) GetRole(ctx context.Context, name string) (*Role, error) {
	return roleCall(ctx, c, "GetRole", url.Values{"RoleName": {name}})
}

func roleCall(ctx context.Context, c *Client, action string, p url.Values) (*Role, error) {
	out, err := queryOut[roleResult](ctx, c, "iam", action, p, true)
	if err != nil {
		return nil, err
	}
	if out.Role.AssumeRolePolicyDocument, err = decodeDocument(out.Role.AssumeRolePolicyDocument); err != nil {
		return nil, fmt.Errorf("iam:%s: trust policy: %w", action, err)
	}
	return &out.Role, nil
}

// DeleteRole deletes a role that has no policies left (else DeleteConflict).
func (c *Client) DeleteRole(ctx context.Context, name string) error {
	_, err := c.Query(ctx, "iam", "DeleteRole", url.Values{"RoleName": {name}}, nil)
	return err
}

// PutRolePolicy adds or replaces an inline policy of a role.
func (c *Client) PutRolePolicy(ctx context.Context, role, policyName, document string) error {
	p := url.Values{"RoleName": {role}, "PolicyName": {policyName}, "PolicyDocument": {document}}
	_, err := c.Query(ctx, "iam", "PutRolePolicy", p, nil)
	return err
}

// DeleteRolePolicy deletes an inline policy of a role.
func (c *Client) DeleteRolePolicy(ctx context.Context, role, policyName string) error {
	_, err := c.Query(ctx, "iam", "DeleteRolePolicy", url.Values{"RoleName": {role}, "PolicyName": {policyName}}, nil)
	return err
}

// RolePolicy is an inline policy of a role, its document URL-decoded.
type RolePolicy struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"` // JSON
	Metadata
}

// GetRolePolicy returns one inline policy of a role.
func (c *Client) GetRolePolicy(ctx context.Context, role, policyName string) (*RolePolicy, error) {
	out, err := queryOut[RolePolicy](ctx, c, "iam", "GetRolePolicy", url.Values{"RoleName": {role}, "PolicyName": {policyName}}, true)
	if err != nil {
		return nil, err
	}
	if out.PolicyDocument, err = decodeDocument(out.PolicyDocument); err != nil {
		return nil, fmt.Errorf("iam:GetRolePolicy: %w", err)
	}
	return out, nil
}

// page is the pagination part of IAM list results.
type page struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker"`
}

// listAll calls a paginated IAM action until the last page, passing each page's result to
// collect.
func listAll[T any, PT interface {
	*T
	setRequestID(string)
	next() page
}](ctx context.Context, c *Client, action string, p url.Values, collect func(*T)) error {
	for {
		out, err := queryOut[T, PT](ctx, c, "iam", action, p, true)
		if err != nil {
			return err
		}
		collect(out)
		pg := PT(out).next()
		if !pg.IsTruncated || pg.Marker == "" {
			return nil
		}
		p.Set("Marker", pg.Marker)
	}
}

type rolePolicyNames struct {
	Names []string `xml:"PolicyNames>member"`
	page
	Metadata
}

func (r *rolePolicyNames) next() page { return r.page }

// ListRolePolicies returns the names of a role's inline policies, every page.
func (c *Client) ListRolePolicies(ctx context.Context, role string) ([]string, error) {
	var names []string
	err := listAll[rolePolicyNames](ctx, c, "ListRolePolicies", url.Values{"RoleName": {role}},
		func(r *rolePolicyNames) { names = append(names, r.Names...) })
	return names, err
}

// AttachedPolicy names a managed policy attached to a role.
type AttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type attachedPolicies struct {
	Policies []AttachedPolicy `xml:"AttachedPolicies>member"`
	page
	Metadata
}

func (r *attachedPolicies) next() page { return r.page }

// ListAttachedRolePolicies returns the managed policies attached to a role, every page.
func (c *Client) ListAttachedRolePolicies(ctx context.Context, role string) ([]AttachedPolicy, error) {
	var out []AttachedPolicy
	err := listAll[attachedPolicies](ctx, c, "ListAttachedRolePolicies", url.Values{"RoleName": {role}},
		func(r *attachedPolicies) { out = append(out, r.Policies...) })
	return out, err
}

// Policy is a managed policy's metadata; its document is in GetPolicyVersion.
type Policy struct {
	PolicyName       string `xml:"PolicyName"`
	PolicyID         string `xml:"PolicyId"`
	Arn              string `xml:"Arn"`
	Path             string `xml:"Path"`
	DefaultVersionID string `xml:"DefaultVersionId"`
	Description      string `xml:"Description"`
}

type policyResult struct {
	Policy Policy `xml:"Policy"`
	Metadata
}

// GetPolicy returns a managed policy's metadata.
func (c *Client) GetPolicy(ctx context.Context, arn string) (*Policy, error) {
	out, err := queryOut[policyResult](ctx, c, "iam", "GetPolicy", url.Values{"PolicyArn": {arn}}, true)
	if err != nil {
		return nil, err
	}
	return &out.Policy, nil
}

// PolicyVersion is one version of a managed policy, its document URL-decoded.
type PolicyVersion struct {
	Document         string `xml:"Document"` // JSON
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
}

type policyVersionResult struct {
	Version PolicyVersion `xml:"PolicyVersion"`
	Metadata
}

// GetPolicyVersion returns one version of a managed policy.
func (c *Client) GetPolicyVersion(ctx context.Context, arn, versionID string) (*PolicyVersion, error) {
	out, err := queryOut[policyVersionResult](ctx, c, "iam", "GetPolicyVersion",
		url.Values{"PolicyArn": {arn}, "VersionId": {versionID}}, true)
	if err != nil {
		return nil, err
	}
	if out.Version.Document, err = decodeDocument(out.Version.Document); err != nil {
		return nil, fmt.Errorf("iam:GetPolicyVersion: %w", err)
	}
	return &out.Version, nil
}

// OIDCProvider is an IAM OIDC provider. URL has no scheme, as IAM returns it.
type OIDCProvider struct {
	URL        string    `xml:"Url"`
	ClientIDs  []string  `xml:"ClientIDList>member"`
	Thumbprint []string  `xml:"ThumbprintList>member"`
	CreateDate time.Time `xml:"CreateDate"`
	Metadata
}

// GetOpenIDConnectProvider returns the provider with this ARN.
func (c *Client) GetOpenIDConnectProvider(ctx context.Context, arn string) (*OIDCProvider, error) {
	return queryOut[OIDCProvider](ctx, c, "iam", "GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}}, true)
}

type providerList struct {
	Arns []string `xml:"OpenIDConnectProviderList>member>Arn"`
	Metadata
}

// ListOpenIDConnectProviders returns the ARNs of every OIDC provider of the account.
func (c *Client) ListOpenIDConnectProviders(ctx context.Context) ([]string, error) {
	out, err := queryOut[providerList](ctx, c, "iam", "ListOpenIDConnectProviders", nil, true)
	if err != nil {
		return nil, err
	}
	return out.Arns, nil
}

// decodeDocument undoes IAM's RFC 3986 encoding of policy documents (aws-federation.md
// §3.4). '+' stays '+': IAM writes a space as %20.
func decodeDocument(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	return url.PathUnescape(s)
}

func setNonEmpty(p url.Values, name, v string) {
	if v != "" {
		p.Set(name, v)
	}
}
