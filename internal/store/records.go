package store

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Tag is a key-value pair on a provider, a role or a managed policy
// (aws-federation.md §3.2). Every Store returns tags sorted by Key.
type Tag struct {
	Key   string
	Value string
}

// ClaimTag is inkan's claim-to-session-tag mapping on a provider: when a web
// identity token from the provider carries Claim, the session gets the tag Tag
// with the claim's value, so one permission policy can name
// ${aws:PrincipalTag/repository}.
type ClaimTag struct {
	Claim string
	Tag   string
}

// Provider is an IAM OIDC identity provider (aws-federation.md §3.2). ARN is its
// key; URL, the full https:// issuer URL, is unique as well (compared
// byte for byte, as AWS treats the URL as case-sensitive).
type Provider struct {
	ARN         string
	URL         string
	ClientIDs   []string
	Thumbprints []string
	Tags        []Tag
	ClaimTags   []ClaimTag
	CreateDate  time.Time
}

// Role is an IAM role (aws-federation.md §3.4). ID (AROA…) is its key; Name is
// unique case-insensitively and looked up case-insensitively, and the store
// keeps the spelling it was created with. ID, Name, Path and ARN never change
// after creation.
type Role struct {
	ID                  string
	Name                string
	Path                string
	ARN                 string
	TrustPolicy         string // the document text exactly as given
	Description         string
	MaxSessionDuration  int    // seconds
	PermissionsBoundary string // a managed policy ARN, or ""
	Tags                []Tag
	CreateDate          time.Time
	// SessionsValidAfter is the revocation marker: sessions issued before it
	// are void. The zero time means no session was ever revoked.
	SessionsValidAfter time.Time
}

// RolePolicy is an inline policy embedded in a role. Within a role, Name is
// matched exactly (case-sensitively): AWS documents case-insensitive
// uniqueness for IAM entities (roles, managed policies), and an inline policy
// is not one, so inkan keeps the simpler, stricter key. RoleName is matched
// case-insensitively and comes back in the role's stored spelling.
type RolePolicy struct {
	RoleName string
	Name     string
	Document string
}

// ManagedPolicy is a customer managed policy with its default version only.
// ARN is its key and is matched exactly; ID (ANPA…) is unique; Name is unique
// case-insensitively across all paths, as in AWS. ARN, ID, Name and Path never
// change after creation.
type ManagedPolicy struct {
	ARN              string
	ID               string
	Name             string
	Path             string
	Description      string
	Document         string // the default version's text exactly as given
	DefaultVersionID string // "v1", "v2", …
	CreateDate       time.Time
	UpdateDate       time.Time
	Tags             []Tag
	// AttachmentCount is how many roles the policy is attached to. The store
	// computes it on every read and ignores it on every write.
	AttachmentCount int
}

// Attachment says that the managed policy PolicyARN is attached to the role
// RoleName (in the role's stored spelling).
type Attachment struct {
	RoleName  string
	PolicyARN string
}

// SealingKeySize is the length in bytes of every SealingKey's Secret.
const SealingKeySize = 32

// SealingKey is a key that seals session tokens. ID is its key and travels in
// each token so that a retired key can still open the tokens it sealed.
type SealingKey struct {
	ID         string
	Secret     []byte // SealingKeySize bytes; never logged, never in an error
	CreateDate time.Time
	RetireDate time.Time // zero while the key is active
}

// Active reports whether k may still seal new tokens.
func (k SealingKey) Active() bool { return k.RetireDate.IsZero() }

// BucketPolicy is the resource policy of one S3 bucket.
type BucketPolicy struct {
	Bucket   string
	Document string
}

// BucketSetting is one configuration document of an S3 bucket, named by the
// sub-resource that sets it ("cors"…), opaque to the store.
type BucketSetting struct {
	Bucket   string
	Name     string
	Document string
}

// Check reports, wrapping ErrInvalid, why s cannot be stored: an empty bucket
// or setting name, or text that is not valid UTF-8 or holds NUL.
func (s BucketSetting) Check() error {
	if err := keys("bucket setting", "Bucket", s.Bucket, "Name", s.Name); err != nil {
		return err
	}
	return texts("bucket setting", s.Bucket+"?"+s.Name, []string{s.Document})
}

// Snapshot is the configuration as of one instant: everything the domain
// compiles and keeps in memory. Generation is the value Generation returned at
// that instant. Lists are in the order of the matching List* methods; bucket
// policies are ordered by Bucket. Sealing keys are not part of it.
type Snapshot struct {
	Generation      int64
	Providers       []Provider
	Roles           []Role
	RolePolicies    []RolePolicy // ordered by role (as ListRoles), then policy name
	ManagedPolicies []ManagedPolicy
	Attachments     []Attachment // ordered by role (as ListRoles), then FoldName(policy name)
	BucketPolicies  []BucketPolicy
	BucketSettings  []BucketSetting // ordered by Bucket, then Name
}

// FoldName is the case-insensitive form of a role or managed policy name under
// which uniqueness and lookups work. Every implementation uses it, so that
// they agree on which names collide.
func FoldName(name string) string { return strings.ToLower(name) }

// SortedTags returns tags sorted by Key in the order every Store returns them,
// as a new slice (nil when tags is empty). Equal keys keep their order.
func SortedTags(tags []Tag) []Tag {
	if len(tags) == 0 {
		return nil
	}
	out := slices.Clone(tags)
	slices.SortStableFunc(out, func(a, b Tag) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// Check reports, wrapping ErrInvalid, why p cannot be stored: an empty ARN or
// URL, or text that is not valid UTF-8 or holds NUL. It checks no AWS rule.
func (p Provider) Check() error {
	if err := keys("provider", "ARN", p.ARN, "URL", p.URL); err != nil {
		return err
	}
	return texts("provider", p.ARN, p.ClientIDs, p.Thumbprints, tagTexts(p.Tags), claimTexts(p.ClaimTags))
}

// Check reports, wrapping ErrInvalid, why r cannot be stored: an empty ID,
// Name or ARN, or text that is not valid UTF-8 or holds NUL.
func (r Role) Check() error {
	if err := keys("role", "ID", r.ID, "Name", r.Name, "ARN", r.ARN); err != nil {
		return err
	}
	return texts("role", r.Name, []string{r.Path, r.TrustPolicy, r.Description, r.PermissionsBoundary}, tagTexts(r.Tags))
}

// Check reports, wrapping ErrInvalid, why p cannot be stored: an empty role or
// policy name, or text that is not valid UTF-8 or holds NUL.
func (p RolePolicy) Check() error {
	if err := keys("role policy", "RoleName", p.RoleName, "Name", p.Name); err != nil {
		return err
	}
	return texts("role policy", p.Name, []string{p.Document})
}

// Check reports, wrapping ErrInvalid, why p cannot be stored: an empty ARN, ID
// or Name, or text that is not valid UTF-8 or holds NUL.
func (p ManagedPolicy) Check() error {
	if err := keys("managed policy", "ARN", p.ARN, "ID", p.ID, "Name", p.Name); err != nil {
		return err
	}
	return texts("managed policy", p.ARN, []string{p.Path, p.Description, p.Document, p.DefaultVersionID}, tagTexts(p.Tags))
}

// Check reports, wrapping ErrInvalid, why k cannot be stored: an empty or
// unstorable ID, or a Secret that is not SealingKeySize bytes long.
func (k SealingKey) Check() error {
	if err := keys("sealing key", "ID", k.ID); err != nil {
		return err
	}
	if len(k.Secret) != SealingKeySize {
		return fmt.Errorf("sealing key %q: secret is %d bytes, want %d: %w", k.ID, len(k.Secret), SealingKeySize, ErrInvalid)
	}
	return nil
}

// Check reports, wrapping ErrInvalid, why p cannot be stored: an empty bucket
// name, or text that is not valid UTF-8 or holds NUL.
func (p BucketPolicy) Check() error {
	if err := keys("bucket policy", "Bucket", p.Bucket); err != nil {
		return err
	}
	return texts("bucket policy", p.Bucket, []string{p.Document})
}

// keys checks name/value pairs of key fields: each must be non-empty and
// storable text. The values are identifiers, never secrets, so they may appear
// in the error.
func keys(kind string, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		field, v := pairs[i], pairs[i+1]
		if v == "" {
			return fmt.Errorf("%s: empty %s: %w", kind, field, ErrInvalid)
		}
		if !storable(v) {
			return fmt.Errorf("%s: %s %q is not storable text: %w", kind, field, v, ErrInvalid)
		}
	}
	return nil
}

// texts checks free text fields. Their values (documents, tag values) stay out
// of the error.
func texts(kind, key string, groups ...[]string) error {
	for _, values := range groups {
		for _, v := range values {
			if !storable(v) {
				return fmt.Errorf("%s %q: a field is not valid UTF-8 or holds NUL: %w", kind, key, ErrInvalid)
			}
		}
	}
	return nil
}

func storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func tagTexts(tags []Tag) []string {
	out := make([]string, 0, 2*len(tags))
	for _, t := range tags {
		out = append(out, t.Key, t.Value)
	}
	return out
}

func claimTexts(claims []ClaimTag) []string {
	out := make([]string, 0, 2*len(claims))
	for _, c := range claims {
		out = append(out, c.Claim, c.Tag)
	}
	return out
}

// Decision is one record of the decision log. Body is the whole record as
// the audit package encodes it (JSON); the other fields are copies of its
// keys, for lookup and retention. Body never holds a token, secret or
// signature.
type Decision struct {
	RequestID string
	Time      time.Time
	Service   string // sts, iam, s3
	Action    string
	Outcome   string // allow, deny, error
	// Role, Subject and SourceIP are the record's role name (RoleName of its role or
	// assumed-role ARN, see RoleName), token subject and source address, "" when it has
	// none: what DecisionFilter filters on besides the keys above.
	Role     string
	Subject  string
	SourceIP string
	Body     []byte
	// Seq is the record's place in the log, set by ListDecisions only (zero elsewhere): a
	// later record has a greater Seq. DecisionFilter.Before pages with it.
	Seq int64
}

// DecisionFilter selects decision records; a zero field selects every record.
type DecisionFilter struct {
	// Role is a role name (see RoleName).
	Outcome, Service, Role, Subject, SourceIP, RequestID string
	// Since and Until bound Time: Since <= Time < Until.
	Since, Until time.Time
	// Before selects records with a Seq below it (the last Seq of the previous page).
	Before int64
	// Limit bounds the records returned; <= 0 or over MaxDecisionPage means MaxDecisionPage.
	Limit int
}

// Match reports whether f selects d, as ListDecisions does (Before and Limit aside): for
// records not stored yet.
func (f DecisionFilter) Match(d Decision) bool {
	for _, eq := range [...][2]string{{f.Outcome, d.Outcome}, {f.Service, d.Service}, {f.Role, d.Role}, {f.Subject, d.Subject},
		{f.SourceIP, d.SourceIP}, {f.RequestID, d.RequestID}} {
		if eq[0] != "" && eq[0] != eq[1] {
			return false
		}
	}
	return (f.Since.IsZero() || !d.Time.Before(f.Since)) && (f.Until.IsZero() || d.Time.Before(f.Until))
}

// RoleName is the role name a decision record's role field names: the name itself, the last
// part of a role ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME) or the role of an assumed-role
// ARN (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION). The decision log keeps it so that
// one equality finds a role's records however each request named the role.
func RoleName(role string) string {
	if !strings.HasPrefix(role, "arn:") {
		return role
	}
	if _, rest, ok := strings.Cut(role, ":assumed-role/"); ok {
		name, _, _ := strings.Cut(rest, "/")
		return name
	}
	return role[strings.LastIndexByte(role, '/')+1:]
}

// MaxDecisionPage bounds the records one ListDecisions returns.
const MaxDecisionPage = 1000

// MaxDecisionSize bounds a decision's Body.
const MaxDecisionSize = 256 << 10

// Check reports, wrapping ErrInvalid, why d cannot be stored: an empty or
// unstorable RequestID, unstorable Service, Action or Outcome, an empty Body
// or one over MaxDecisionSize.
func (d Decision) Check() error {
	if err := keys("decision", "RequestID", d.RequestID); err != nil {
		return err
	}
	if err := texts("decision", d.RequestID, []string{d.Service, d.Action, d.Outcome, d.Role, d.Subject, d.SourceIP}); err != nil {
		return err
	}
	if len(d.Body) == 0 || len(d.Body) > MaxDecisionSize {
		return fmt.Errorf("decision %q: body is %d bytes, want 1..%d: %w", d.RequestID, len(d.Body), MaxDecisionSize, ErrInvalid)
	}
	return nil
}

// CheckBlob reports, wrapping ErrInvalid, why a blob cannot be stored: an
// empty or unstorable name, or data over MaxBlobSize.
func CheckBlob(name string, data []byte) error {
	if err := keys("blob", "name", name); err != nil {
		return err
	}
	if len(data) > MaxBlobSize {
		return fmt.Errorf("blob %q: %d bytes, at most %d: %w", name, len(data), MaxBlobSize, ErrInvalid)
	}
	return nil
}
