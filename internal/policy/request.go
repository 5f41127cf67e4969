package policy

import (
	"strings"

	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// Principal is the caller as resource policies see it.
type Principal struct {
	// Type is "AWS" (users, roles, role sessions, root), "Federated" (a web identity
	// caller, by its provider) or "Service".
	Type string `json:"type"`
	// IDs are every name the caller is known by: for a role session its session ARN
	// (arn:aws:sts::…:assumed-role/…) and its role's ARN; for a web identity caller the
	// OIDC provider's ARN; for a service its service principal name.
	IDs []string `json:"ids"`
	// Account is the caller's account id: Principal {"AWS": "<account>"} and
	// "arn:aws:iam::<account>:root" match it (for Type "AWS" only).
	Account string `json:"account,omitempty"`
}

// Context supplies the request's condition keys, lower-cased; see condition.Context.
type Context = condition.Context

// Keys is a ready Context: a map from lower-cased condition key to its values. Write keys
// lower-cased (or use Set/SetValues, which lower-case them). A nil Keys is an empty Context.
type Keys map[string][]string

// Values implements Context.
func (k Keys) Values(key string) ([]string, bool) {
	v, ok := k[key]
	return v, ok
}

// Set gives key (lower-cased here) the single value v.
func (k Keys) Set(key, v string) { k[strings.ToLower(key)] = []string{v} }

// SetValues gives key (lower-cased here) the values vs, for a multivalued key; an empty vs
// makes the key present without values, which every operator treats as absent.
func (k Keys) SetValues(key string, vs []string) { k[strings.ToLower(key)] = vs }

// Request is what is being authorized.
type Request struct {
	Principal Principal
	Action    string  // "service:Action"; matched case-insensitively
	Resource  string  // an ARN, or "*" for actions without a resource
	Context   Context // nil is an empty Context
}

// Set is the policies that apply to one request
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
type Set struct {
	// Identity are the caller's identity policies: role inline and managed policies (none
	// for AssumeRoleWithWebIdentity, where only the trust policy speaks).
	Identity []*Policy
	// Session are the session policies (inline and managed) the session was created with.
	// They apply when HasSession is true or Session is not empty; HasSession with no policy
	// denies everything (a session policy that could not be loaded grants nothing).
	Session    []*Policy
	HasSession bool
	// Boundary is the permissions boundary; nil means none.
	Boundary *Policy
	// Resource is the resource policy: a role's trust policy (Kind Trust) or a bucket
	// policy (Kind Resource); nil means none.
	Resource *Policy
}
