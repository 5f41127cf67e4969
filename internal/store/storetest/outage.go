package storetest

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// Outage wraps a store.Store with a switch that makes it unreachable: while Down, every
// method but Close fails with store.ErrUnavailable without reaching the wrapped store, and
// is counted. Tests use it to show what goes on during a database outage and which paths
// never touch the store. Safe for concurrent use.
type Outage struct {
	inner store.Store
	down  atomic.Bool
	calls atomic.Int64
}

var _ store.Store = (*Outage)(nil)

// NewOutage wraps s, reachable.
func NewOutage(s store.Store) *Outage { return &Outage{inner: s} }

// SetDown makes the store unreachable (true) or reachable again (false).
func (o *Outage) SetDown(down bool) { o.down.Store(down) }

// Calls returns how many calls failed because the store was down.
func (o *Outage) Calls() int64 { return o.calls.Load() }

// check counts the call and returns ErrUnavailable while the store is down.
func (o *Outage) check() error {
	if o.down.Load() {
		o.calls.Add(1)
		return store.ErrUnavailable
	}
	return nil
}

// pass runs f unless the store is down.
func pass[T any](o *Outage, f func() (T, error)) (T, error) {
	if err := o.check(); err != nil {
		var zero T
		return zero, err
	}
	return f()
}

func (o *Outage) run(f func() error) error {
	if err := o.check(); err != nil {
		return err
	}
	return f()
}

// Snapshot implements store.Store.
func (o *Outage) Snapshot(ctx context.Context) (*store.Snapshot, error) {
	return pass(o, func() (*store.Snapshot, error) { return o.inner.Snapshot(ctx) })
}

// Generation implements store.Store.
func (o *Outage) Generation(ctx context.Context) (int64, error) {
	return pass(o, func() (int64, error) { return o.inner.Generation(ctx) })
}

// Close closes the wrapped store, down or not.
func (o *Outage) Close() error { return o.inner.Close() }

// CreateProvider implements store.Providers.
func (o *Outage) CreateProvider(ctx context.Context, p store.Provider) error {
	return o.run(func() error { return o.inner.CreateProvider(ctx, p) })
}

// GetProvider implements store.Providers.
func (o *Outage) GetProvider(ctx context.Context, arn string) (store.Provider, error) {
	return pass(o, func() (store.Provider, error) { return o.inner.GetProvider(ctx, arn) })
}

// GetProviderByURL implements store.Providers.
func (o *Outage) GetProviderByURL(ctx context.Context, url string) (store.Provider, error) {
	return pass(o, func() (store.Provider, error) { return o.inner.GetProviderByURL(ctx, url) })
}

// ListProviders implements store.Providers.
func (o *Outage) ListProviders(ctx context.Context) ([]store.Provider, error) {
	return pass(o, func() ([]store.Provider, error) { return o.inner.ListProviders(ctx) })
}

// UpdateProvider implements store.Providers.
func (o *Outage) UpdateProvider(ctx context.Context, arn string, fn func(*store.Provider) error) error {
	return o.run(func() error { return o.inner.UpdateProvider(ctx, arn, fn) })
}

// DeleteProvider implements store.Providers.
func (o *Outage) DeleteProvider(ctx context.Context, arn string) error {
	return o.run(func() error { return o.inner.DeleteProvider(ctx, arn) })
}

// CreateRole implements store.Roles.
func (o *Outage) CreateRole(ctx context.Context, r store.Role) error {
	return o.run(func() error { return o.inner.CreateRole(ctx, r) })
}

// GetRole implements store.Roles.
func (o *Outage) GetRole(ctx context.Context, name string) (store.Role, error) {
	return pass(o, func() (store.Role, error) { return o.inner.GetRole(ctx, name) })
}

// ListRoles implements store.Roles.
func (o *Outage) ListRoles(ctx context.Context) ([]store.Role, error) {
	return pass(o, func() ([]store.Role, error) { return o.inner.ListRoles(ctx) })
}

// UpdateRole implements store.Roles.
func (o *Outage) UpdateRole(ctx context.Context, name string, fn func(*store.Role) error) error {
	return o.run(func() error { return o.inner.UpdateRole(ctx, name, fn) })
}

// DeleteRole implements store.Roles.
func (o *Outage) DeleteRole(ctx context.Context, name string, mode store.DeleteMode) error {
	return o.run(func() error { return o.inner.DeleteRole(ctx, name, mode) })
}

// PutRolePolicy implements store.RolePolicies.
func (o *Outage) PutRolePolicy(ctx context.Context, p store.RolePolicy, admit func([]store.RolePolicy) error) error {
	return o.run(func() error { return o.inner.PutRolePolicy(ctx, p, admit) })
}

// GetRolePolicy implements store.RolePolicies.
func (o *Outage) GetRolePolicy(ctx context.Context, roleName, policyName string) (store.RolePolicy, error) {
	return pass(o, func() (store.RolePolicy, error) { return o.inner.GetRolePolicy(ctx, roleName, policyName) })
}

// ListRolePolicies implements store.RolePolicies.
func (o *Outage) ListRolePolicies(ctx context.Context, roleName string) ([]store.RolePolicy, error) {
	return pass(o, func() ([]store.RolePolicy, error) { return o.inner.ListRolePolicies(ctx, roleName) })
}

// DeleteRolePolicy implements store.RolePolicies.
func (o *Outage) DeleteRolePolicy(ctx context.Context, roleName, policyName string) error {
	return o.run(func() error { return o.inner.DeleteRolePolicy(ctx, roleName, policyName) })
}

// CreateManagedPolicy implements store.ManagedPolicies.
func (o *Outage) CreateManagedPolicy(ctx context.Context, p store.ManagedPolicy) error {
	return o.run(func() error { return o.inner.CreateManagedPolicy(ctx, p) })
}

// GetManagedPolicy implements store.ManagedPolicies.
func (o *Outage) GetManagedPolicy(ctx context.Context, arn string) (store.ManagedPolicy, error) {
	return pass(o, func() (store.ManagedPolicy, error) { return o.inner.GetManagedPolicy(ctx, arn) })
}

// ListManagedPolicies implements store.ManagedPolicies.
func (o *Outage) ListManagedPolicies(ctx context.Context) ([]store.ManagedPolicy, error) {
	return pass(o, func() ([]store.ManagedPolicy, error) { return o.inner.ListManagedPolicies(ctx) })
}

// UpdateManagedPolicy implements store.ManagedPolicies.
func (o *Outage) UpdateManagedPolicy(ctx context.Context, arn string, fn func(*store.ManagedPolicy) error) error {
	return o.run(func() error { return o.inner.UpdateManagedPolicy(ctx, arn, fn) })
}

// DeleteManagedPolicy implements store.ManagedPolicies.
func (o *Outage) DeleteManagedPolicy(ctx context.Context, arn string) error {
	return o.run(func() error { return o.inner.DeleteManagedPolicy(ctx, arn) })
}

// AttachRolePolicy implements store.ManagedPolicies.
func (o *Outage) AttachRolePolicy(ctx context.Context, roleName, policyARN string, admit func([]string) error) error {
	return o.run(func() error { return o.inner.AttachRolePolicy(ctx, roleName, policyARN, admit) })
}

// DetachRolePolicy implements store.ManagedPolicies.
func (o *Outage) DetachRolePolicy(ctx context.Context, roleName, policyARN string) error {
	return o.run(func() error { return o.inner.DetachRolePolicy(ctx, roleName, policyARN) })
}

// ListAttachedRolePolicies implements store.ManagedPolicies.
func (o *Outage) ListAttachedRolePolicies(ctx context.Context, roleName string) ([]store.ManagedPolicy, error) {
	return pass(o, func() ([]store.ManagedPolicy, error) { return o.inner.ListAttachedRolePolicies(ctx, roleName) })
}

// ListEntitiesForPolicy implements store.ManagedPolicies.
func (o *Outage) ListEntitiesForPolicy(ctx context.Context, policyARN string) ([]string, error) {
	return pass(o, func() ([]string, error) { return o.inner.ListEntitiesForPolicy(ctx, policyARN) })
}

// AddSealingKey implements store.SealingKeys.
func (o *Outage) AddSealingKey(ctx context.Context, k store.SealingKey) error {
	return o.run(func() error { return o.inner.AddSealingKey(ctx, k) })
}

// ListSealingKeys implements store.SealingKeys.
func (o *Outage) ListSealingKeys(ctx context.Context) ([]store.SealingKey, error) {
	return pass(o, func() ([]store.SealingKey, error) { return o.inner.ListSealingKeys(ctx) })
}

// RetireSealingKey implements store.SealingKeys.
func (o *Outage) RetireSealingKey(ctx context.Context, id string, at time.Time) error {
	return o.run(func() error { return o.inner.RetireSealingKey(ctx, id, at) })
}

// DeleteSealingKey implements store.SealingKeys.
func (o *Outage) DeleteSealingKey(ctx context.Context, id string) error {
	return o.run(func() error { return o.inner.DeleteSealingKey(ctx, id) })
}

// PutBucketPolicy implements store.BucketPolicies.
func (o *Outage) PutBucketPolicy(ctx context.Context, p store.BucketPolicy) error {
	return o.run(func() error { return o.inner.PutBucketPolicy(ctx, p) })
}

// GetBucketPolicy implements store.BucketPolicies.
func (o *Outage) GetBucketPolicy(ctx context.Context, bucket string) (store.BucketPolicy, error) {
	return pass(o, func() (store.BucketPolicy, error) { return o.inner.GetBucketPolicy(ctx, bucket) })
}

// DeleteBucketPolicy implements store.BucketPolicies.
func (o *Outage) DeleteBucketPolicy(ctx context.Context, bucket string) error {
	return o.run(func() error { return o.inner.DeleteBucketPolicy(ctx, bucket) })
}

// PutBucketSetting implements store.BucketSettings.
func (o *Outage) PutBucketSetting(ctx context.Context, s store.BucketSetting) error {
	return o.run(func() error { return o.inner.PutBucketSetting(ctx, s) })
}

// GetBucketSetting implements store.BucketSettings.
func (o *Outage) GetBucketSetting(ctx context.Context, bucket, name string) (store.BucketSetting, error) {
	return pass(o, func() (store.BucketSetting, error) { return o.inner.GetBucketSetting(ctx, bucket, name) })
}

// DeleteBucketSetting implements store.BucketSettings.
func (o *Outage) DeleteBucketSetting(ctx context.Context, bucket, name string) error {
	return o.run(func() error { return o.inner.DeleteBucketSetting(ctx, bucket, name) })
}

// GetBlob implements store.Blobs.
func (o *Outage) GetBlob(ctx context.Context, name string) ([]byte, int64, error) {
	if err := o.check(); err != nil {
		return nil, 0, err
	}
	return o.inner.GetBlob(ctx, name)
}

// PutBlob implements store.Blobs.
func (o *Outage) PutBlob(ctx context.Context, name string, data []byte, ifVersion int64) (int64, error) {
	return pass(o, func() (int64, error) { return o.inner.PutBlob(ctx, name, data, ifVersion) })
}

// AppendDecisions implements store.Decisions.
func (o *Outage) AppendDecisions(ctx context.Context, records []store.Decision) error {
	return o.run(func() error { return o.inner.AppendDecisions(ctx, records) })
}

// GetDecision implements store.Decisions.
func (o *Outage) GetDecision(ctx context.Context, requestID string) (store.Decision, error) {
	return pass(o, func() (store.Decision, error) { return o.inner.GetDecision(ctx, requestID) })
}

// PruneDecisions implements store.Decisions.
func (o *Outage) PruneDecisions(ctx context.Context, before time.Time, keep int) (int64, error) {
	return pass(o, func() (int64, error) { return o.inner.PruneDecisions(ctx, before, keep) })
}

// ListDecisions implements store.Decisions.
func (o *Outage) ListDecisions(ctx context.Context, f store.DecisionFilter) ([]store.Decision, error) {
	return pass(o, func() ([]store.Decision, error) { return o.inner.ListDecisions(ctx, f) })
}

// CountDecisions implements store.Decisions.
func (o *Outage) CountDecisions(ctx context.Context) (int64, error) {
	return pass(o, func() (int64, error) { return o.inner.CountDecisions(ctx) })
}
