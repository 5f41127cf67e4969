package iam

import (
	"log/slog"
	"strings"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
)

// snapshot is the configuration compiled for deciding: every policy parsed once.
type snapshot struct {
	generation int64
	providers  map[string]*provider // by issuer URL, exact
	byARN      map[string]*provider
	roles      map[string]*role // by lower-cased name
	managed    map[string]*managed
	// bucketPolicies holds each bucket's policy document, compiled on first use by
	// BucketPolicyCache.
	bucketPolicies map[string]string
	// bucketSettings holds each bucket's other settings (CORS…), by settingKey.
	bucketSettings map[string]string
}

type provider struct {
	rec  store.Provider
	oidc oidc.Provider
	// keyPrefix is the condition-key prefix: the URL without its scheme, lower-cased.
	keyPrefix string
}

type role struct {
	rec      store.Role
	trust    *policy.Policy
	identity []*policy.Policy
	boundary *policy.Policy
	// broken is set when a stored policy no longer compiles; the role then grants nothing.
	broken string
}

type managed struct {
	rec store.ManagedPolicy
	doc *policy.Policy
}

// compile builds a snapshot. A stored document that does not compile (written by another
// version, say) makes its role unusable rather than failing the whole server: fail closed.
func compile(rec *store.Snapshot, account string, log *slog.Logger) *snapshot {
	s := &snapshot{
		generation:     rec.Generation,
		providers:      make(map[string]*provider, len(rec.Providers)),
		byARN:          make(map[string]*provider, len(rec.Providers)),
		roles:          make(map[string]*role, len(rec.Roles)),
		managed:        make(map[string]*managed, len(rec.ManagedPolicies)),
		bucketPolicies: make(map[string]string, len(rec.BucketPolicies)),
	}
	for _, bp := range rec.BucketPolicies {
		s.bucketPolicies[bp.Bucket] = bp.Document
	}
	s.bucketSettings = make(map[string]string, len(rec.BucketSettings))
	for _, b := range rec.BucketSettings {
		s.bucketSettings[settingKey(b.Bucket, b.Name)] = b.Document
	}
	for _, p := range rec.Providers {
		cp := &provider{rec: p, oidc: oidc.Provider{URL: p.URL, ClientIDs: p.ClientIDs, Thumbprints: p.Thumbprints},
			keyPrefix: ConditionKeyPrefix(p.URL)}
		s.providers[p.URL] = cp
		s.byARN[p.ARN] = cp
	}
	for _, m := range rec.ManagedPolicies {
		doc, err := policy.Parse([]byte(m.Document), policy.Identity)
		if err != nil {
			log.Error("stored managed policy does not compile; it grants nothing", "policy", m.ARN, "err", err)
		} else {
			// Traces and reasons name the policy that decided.
			doc = doc.Named(m.ARN)
		}
		s.managed[m.ARN] = &managed{rec: m, doc: doc}
	}
	for _, r := range rec.Roles {
		cr := &role{rec: r}
		var err error
		if cr.trust, err = policy.Parse([]byte(r.TrustPolicy), policy.Trust); err != nil {
			cr.broken = "its trust policy no longer compiles: " + err.Error()
		}
		if r.PermissionsBoundary != "" {
			if m := s.managed[r.PermissionsBoundary]; m != nil && m.doc != nil {
				cr.boundary = m.doc
			} else {
				cr.broken = "its permissions boundary " + r.PermissionsBoundary + " is missing"
			}
		}
		s.roles[strings.ToLower(r.Name)] = cr
	}
	for _, rp := range rec.RolePolicies {
		r := s.roles[strings.ToLower(rp.RoleName)]
		if r == nil {
			continue
		}
		doc, err := policy.Parse([]byte(rp.Document), policy.Identity)
		if err != nil {
			r.broken = "its inline policy " + rp.Name + " no longer compiles: " + err.Error()
			continue
		}
		r.identity = append(r.identity, doc.Named(rp.Name))
	}
	for _, a := range rec.Attachments {
		r, m := s.roles[strings.ToLower(a.RoleName)], s.managed[a.PolicyARN]
		if r == nil || m == nil {
			continue
		}
		if m.doc == nil {
			r.broken = "its managed policy " + a.PolicyARN + " no longer compiles"
			continue
		}
		r.identity = append(r.identity, m.doc)
	}
	for _, r := range s.roles {
		if r.broken != "" {
			log.Error("role is unusable", "role", r.rec.Name, "why", r.broken)
		}
	}
	return s
}

// ConditionKeyPrefix is how trust policies name an issuer's claims: the issuer URL without
// its scheme, path kept ("token.actions.githubusercontent.com:sub"). Keys are matched
// case-insensitively, so it is lower-cased once here.
func ConditionKeyPrefix(url string) string {
	u := strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
	return strings.ToLower(strings.TrimRight(u, "/"))
}

// roleByARN finds the role an ARN names: arn:aws:iam::<account>:role[/path]/<name>. The
// name is matched case-insensitively, as IAM does; a path, when given, must be the role's.
func (s *snapshot) roleByARN(account, arnText string) (*role, bool) {
	rest, ok := strings.CutPrefix(arnText, "arn:aws:iam::"+account+":role/")
	if !ok {
		return nil, false
	}
	path, name := "/", rest
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		path, name = "/"+rest[:i+1], rest[i+1:]
	}
	r := s.roles[strings.ToLower(name)]
	if r == nil || (path != "/" && path != r.rec.Path) {
		return nil, false
	}
	return r, true
}
