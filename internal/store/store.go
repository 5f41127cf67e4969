package store

import (
	"context"
	"errors"
	"time"
)

// Store is the whole persistence contract: the small interfaces below, a
// consistent Snapshot, a write Generation, and Close. A package that needs only
// part of it (the session sealer needs only SealingKeys) should take only that
// part.
//
// Every method is safe for concurrent use. Every write is one transaction:
// it happens entirely or not at all, and a successful write increases
// Generation. Functions passed to a Store (Update*'s fn, admit) run inside the
// write transaction: they must be quick and must not call the Store, which
// would deadlock.
type Store interface {
	Providers
	Roles
	RolePolicies
	ManagedPolicies
	SealingKeys
	BucketPolicies
	BucketSettings
	Blobs
	Decisions

	// Snapshot reads all providers, roles, inline policies, managed policies,
	// attachments, bucket policies and bucket settings in one consistent read, with the
	// Generation they reflect. The result is the caller's to keep and modify.
	Snapshot(ctx context.Context) (*Snapshot, error)

	// Generation returns a counter that every successful configuration write
	// increases and that survives restarts (decision records and blobs are not
	// configuration: AppendDecisions, PruneDecisions and PutBlob leave it
	// unchanged). A node that holds a Snapshot of generation g
	// knows its snapshot is current while Generation returns g. Failed writes
	// and reads leave it unchanged.
	Generation(ctx context.Context) (int64, error)

	// Close releases the store. It is safe to call more than once; no other
	// method may be called after it.
	Close() error
}

// Providers keeps OIDC identity providers, keyed by ARN, unique by URL.
type Providers interface {
	// CreateProvider adds p; ErrExists if its ARN or URL is taken, ErrInvalid
	// if p.Check fails.
	CreateProvider(ctx context.Context, p Provider) error
	// GetProvider returns the provider with this ARN; ErrNotFound if none.
	GetProvider(ctx context.Context, arn string) (Provider, error)
	// GetProviderByURL returns the provider whose URL is url, compared byte
	// for byte; ErrNotFound if none.
	GetProviderByURL(ctx context.Context, url string) (Provider, error)
	// ListProviders returns every provider, ordered by ARN.
	ListProviders(ctx context.Context) ([]Provider, error)
	// UpdateProvider reads the provider with this ARN, passes it to fn and
	// writes back what fn leaves, all in one transaction. ErrNotFound if none;
	// fn's error unchanged (nothing written); ErrInvalid if fn changed ARN or
	// URL or left an unstorable record.
	UpdateProvider(ctx context.Context, arn string, fn func(*Provider) error) error
	// DeleteProvider removes the provider with this ARN; ErrNotFound if none
	// (the domain decides whether AWS answers that as success). Roles whose
	// trust policies name it are left as they are.
	DeleteProvider(ctx context.Context, arn string) error
}

// DeleteMode says what DeleteRole does with the role's inline policies and
// managed-policy attachments.
type DeleteMode int

const (
	// Restrict refuses with ErrConflict while the role has inline policies
	// or attached managed policies, as AWS DeleteRole refuses with
	// DeleteConflict. The domain normally checks first to word the refusal.
	Restrict DeleteMode = iota
	// Cascade removes the role's inline policies and attachments with it, in
	// the same transaction (used when the domain itself decided to remove
	// them, e.g. a declarative configuration dropping a role).
	Cascade
)

// Roles keeps IAM roles, keyed by ID, unique by name case-insensitively.
type Roles interface {
	// CreateRole adds r; ErrExists if its ID or ARN is taken or its name is
	// taken case-insensitively, ErrInvalid if r.Check fails.
	CreateRole(ctx context.Context, r Role) error
	// GetRole returns the role whose name equals name case-insensitively;
	// ErrNotFound if none.
	GetRole(ctx context.Context, name string) (Role, error)
	// ListRoles returns every role, ordered by FoldName(Name).
	ListRoles(ctx context.Context) ([]Role, error)
	// UpdateRole reads the role named name (case-insensitively), passes it to
	// fn and writes back what fn leaves, all in one transaction. ErrNotFound
	// if none; fn's error unchanged (nothing written); ErrInvalid if fn
	// changed ID, Name, Path or ARN or left an unstorable record.
	UpdateRole(ctx context.Context, name string, fn func(*Role) error) error
	// DeleteRole removes the role named name (case-insensitively), handling
	// its inline policies and attachments as mode says. ErrNotFound if none;
	// ErrConflict under Restrict while it has any.
	DeleteRole(ctx context.Context, name string, mode DeleteMode) error
}

// RolePolicies keeps the inline policies of roles. Role names are matched
// case-insensitively, policy names exactly.
type RolePolicies interface {
	// PutRolePolicy adds p to its role, or replaces the role's policy of the
	// same name. ErrNotFound if the role does not exist; ErrInvalid if p.Check
	// fails. If admit is not nil it is called first, inside the transaction,
	// with the role's other inline policies (all but the one being replaced);
	// an error from it is returned unchanged and nothing is written, which lets
	// the domain enforce the aggregate size quota atomically.
	PutRolePolicy(ctx context.Context, p RolePolicy, admit func(others []RolePolicy) error) error
	// GetRolePolicy returns one inline policy; ErrNotFound if the role or the
	// policy does not exist.
	GetRolePolicy(ctx context.Context, roleName, policyName string) (RolePolicy, error)
	// ListRolePolicies returns the role's inline policies ordered by name
	// (nil if it has none); ErrNotFound if the role does not exist.
	ListRolePolicies(ctx context.Context, roleName string) ([]RolePolicy, error)
	// DeleteRolePolicy removes one inline policy; ErrNotFound if the role or
	// the policy does not exist.
	DeleteRolePolicy(ctx context.Context, roleName, policyName string) error
}

// ManagedPolicies keeps customer managed policies, keyed by ARN, unique by ID
// and by name case-insensitively, and their attachments to roles.
type ManagedPolicies interface {
	// CreateManagedPolicy adds p; ErrExists if its ARN or ID is taken or its
	// name is taken case-insensitively, ErrInvalid if p.Check fails.
	CreateManagedPolicy(ctx context.Context, p ManagedPolicy) error
	// GetManagedPolicy returns the policy with this ARN; ErrNotFound if none.
	GetManagedPolicy(ctx context.Context, arn string) (ManagedPolicy, error)
	// ListManagedPolicies returns every managed policy, ordered by
	// FoldName(Name).
	ListManagedPolicies(ctx context.Context) ([]ManagedPolicy, error)
	// UpdateManagedPolicy reads the policy with this ARN, passes it to fn and
	// writes back what fn leaves, all in one transaction. ErrNotFound if none;
	// fn's error unchanged (nothing written); ErrInvalid if fn changed ARN,
	// ID, Name or Path or left an unstorable record.
	UpdateManagedPolicy(ctx context.Context, arn string, fn func(*ManagedPolicy) error) error
	// DeleteManagedPolicy removes the policy with this ARN; ErrNotFound if
	// none, ErrConflict while it is attached to any role.
	DeleteManagedPolicy(ctx context.Context, arn string) error

	// AttachRolePolicy attaches the policy to the role. ErrNotFound if either
	// does not exist. Attaching an attached policy again succeeds and changes
	// nothing (admit is not called). Otherwise, if admit is not nil it is
	// called first, inside the transaction, with the ARNs already attached to
	// the role; an error from it is returned unchanged and nothing is written.
	AttachRolePolicy(ctx context.Context, roleName, policyARN string, admit func(attached []string) error) error
	// DetachRolePolicy detaches the policy from the role; ErrNotFound if the
	// role or the policy does not exist or the policy is not attached to it.
	DetachRolePolicy(ctx context.Context, roleName, policyARN string) error
	// ListAttachedRolePolicies returns the managed policies attached to the
	// role, ordered by FoldName(Name) (nil if none); ErrNotFound if the role
	// does not exist.
	ListAttachedRolePolicies(ctx context.Context, roleName string) ([]ManagedPolicy, error)
	// ListEntitiesForPolicy returns the names of the roles the policy is
	// attached to, ordered by FoldName (nil if none); ErrNotFound if the
	// policy does not exist.
	ListEntitiesForPolicy(ctx context.Context, policyARN string) ([]string, error)
}

// SealingKeys keeps the keys that seal session tokens.
type SealingKeys interface {
	// AddSealingKey adds k; ErrExists if its ID is taken, ErrInvalid if
	// k.Check fails.
	AddSealingKey(ctx context.Context, k SealingKey) error
	// ListSealingKeys returns every key, active and retired, ordered by
	// CreateDate then ID. Each Secret is the caller's own copy.
	ListSealingKeys(ctx context.Context) ([]SealingKey, error)
	// RetireSealingKey sets the key's RetireDate to at; ErrNotFound if there
	// is no such key. Retiring a retired key succeeds and keeps the earlier
	// RetireDate.
	RetireSealingKey(ctx context.Context, id string, at time.Time) error
	// DeleteSealingKey removes a key for good (once no unexpired token can
	// name it); ErrNotFound if there is no such key.
	DeleteSealingKey(ctx context.Context, id string) error
}

// BucketPolicies keeps the resource policies of S3 buckets.
type BucketPolicies interface {
	// PutBucketPolicy sets the bucket's policy, replacing any; ErrInvalid if
	// p.Check fails.
	PutBucketPolicy(ctx context.Context, p BucketPolicy) error
	// GetBucketPolicy returns the bucket's policy; ErrNotFound if it has none.
	GetBucketPolicy(ctx context.Context, bucket string) (BucketPolicy, error)
	// DeleteBucketPolicy removes the bucket's policy; ErrNotFound if it has
	// none (the domain decides whether S3 answers that as success).
	DeleteBucketPolicy(ctx context.Context, bucket string) error
}

// BucketSettings keeps the configuration documents of S3 buckets other than
// their policies (CORS…), one per bucket and name. They are configuration:
// writes increase Generation and Snapshot holds them.
type BucketSettings interface {
	// PutBucketSetting sets the bucket's setting s.Name, replacing any;
	// ErrInvalid if s.Check fails.
	PutBucketSetting(ctx context.Context, s BucketSetting) error
	// GetBucketSetting returns the bucket's setting; ErrNotFound if it has none.
	GetBucketSetting(ctx context.Context, bucket, name string) (BucketSetting, error)
	// DeleteBucketSetting removes the bucket's setting; ErrNotFound if it has
	// none.
	DeleteBucketSetting(ctx context.Context, bucket, name string) error
}

// Blobs keeps small named documents that every node sharing the store must
// agree on, opaque to the store: the generated root credentials, the test
// identity provider's key file. A blob is at most MaxBlobSize bytes. Writes
// are compare-and-swap on a version that every PutBlob increases, so two
// nodes initialising one blob at once agree on a single winner.
type Blobs interface {
	// GetBlob returns the blob's bytes (the caller's own copy) and its
	// version; ErrNotFound if there is none.
	GetBlob(ctx context.Context, name string) (data []byte, version int64, err error)
	// PutBlob writes the blob if its current version is ifVersion (0: the
	// blob must not exist yet) and returns the new version. ErrConflict if
	// the version differs (another writer got there first: read it again);
	// ErrInvalid for an empty or unstorable name or data over MaxBlobSize.
	// It does not change Generation.
	PutBlob(ctx context.Context, name string, data []byte, ifVersion int64) (version int64, err error)
}

// MaxBlobSize bounds a blob's data.
const MaxBlobSize = 1 << 20

// Decisions keeps the decision log: one record per STS, IAM or S3 decision,
// so that a decision made on any node can be explained through any other.
// Records are written in batches off the request path and never change
// Generation.
type Decisions interface {
	// AppendDecisions stores the records in one transaction; ErrInvalid if a
	// record fails Check (nothing is written). Appending a record whose
	// RequestID is already stored keeps both.
	AppendDecisions(ctx context.Context, records []Decision) error
	// GetDecision returns the newest record (by Time, then insertion) with
	// this request id; ErrNotFound if none.
	GetDecision(ctx context.Context, requestID string) (Decision, error)
	// PruneDecisions removes every record whose Time is before before, then
	// all but the keep most recently appended (keep <= 0: no count limit),
	// and returns how many it removed.
	PruneDecisions(ctx context.Context, before time.Time, keep int) (int64, error)
	// CountDecisions returns how many records are stored.
	CountDecisions(ctx context.Context) (int64, error)
	// ListDecisions returns the records f selects, newest appended first (descending Seq),
	// at most f.Limit of them; none is not an error. Seq is set on each.
	ListDecisions(ctx context.Context, f DecisionFilter) ([]Decision, error)
}

// ErrUnavailable marks a failure to reach the database, or a transient
// failure of it (a dropped connection, a server shutting down, a timeout):
// the caller may retry. Implementations wrap their driver's error in it; the
// message names no host, user or password. A read that fails with it read
// nothing; a write that fails before commit wrote nothing, and one whose
// connection dropped during commit may have been applied, so callers retry
// writes that are idempotent and report the others as retryable failures.
var ErrUnavailable = errors.New("store unavailable")

// Notifier is implemented by stores that can tell a process that the
// configuration changed, including through another process (PostgreSQL's
// LISTEN/NOTIFY). It is optional: callers poll Generation as well, as the
// safety net for a notification lost with a connection.
type Notifier interface {
	// Changes returns a channel that receives a value soon after any
	// committed configuration write (news of many writes may be coalesced
	// into one) and after the listening connection was re-established (a
	// change may have been missed meanwhile). The channel is closed when
	// ctx ends. Safe to call more than once; each call has its own channel.
	Changes(ctx context.Context) <-chan struct{}
}
