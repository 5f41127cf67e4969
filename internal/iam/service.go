package iam

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/session"
	"github.com/inkan-dev/inkan/internal/store"
)

// Options configures a Service.
type Options struct {
	Store    store.Store
	Verifier *oidc.Verifier
	// Account is the 12-digit account id of every ARN.
	Account string
	// Root holds the administrator's access key; Root may do anything.
	RootAccessKeyID, RootSecretAccessKey string
	// InsecureAllowHTTPLoopbackIssuers admits http:// issuers on loopback hosts (--dev).
	InsecureAllowHTTPLoopbackIssuers bool
	// LintWarnOnly turns the trust-policy linter's refusals into logged warnings.
	LintWarnOnly bool
	Now          func() time.Time
	Rand         io.Reader
	Logger       *slog.Logger
	// Observer receives decision outcomes for metrics; nil = none.
	Observer Observer
}

// Observer is told of every decision, for metrics.
type Observer interface {
	// Decision records one decision of action with outcome "allow", "deny" or "error".
	Decision(action, outcome string)
}

// Service is the domain core. Safe for concurrent use.
type Service struct {
	opt  Options
	ring *session.Ring
	snap atomic.Pointer[snapshot]
	// writeMu serialises writes through this node so each reload sees its own write.
	writeMu  sync.Mutex
	sessions *policyCache
}

// New builds a Service: it loads the sealing keys (creating the first one) and compiles the
// configuration held in the store.
func New(ctx context.Context, o Options) (*Service, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Account == "" || o.Store == nil || o.Verifier == nil || o.Rand == nil {
		return nil, fmt.Errorf("iam: Account, Store, Verifier and Rand are required")
	}
	s := &Service{opt: o, sessions: newPolicyCache(1024)}
	ring, err := s.loadRing(ctx)
	if err != nil {
		return nil, err
	}
	s.ring = ring
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Account returns the account id.
func (s *Service) Account() string { return s.opt.Account }

// Reload recompiles the configuration from the store. Writes through this Service reload on
// their own; a node sharing its store with others calls Refresh periodically.
func (s *Service) Reload(ctx context.Context) error {
	rec, err := s.opt.Store.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("iam: loading configuration: %w", err)
	}
	snap := compile(rec, s.opt.Account, s.opt.Logger)
	s.snap.Store(snap)
	return nil
}

// Refresh reloads the sealing keys and the configuration when the store changed since the
// last load (another node wrote). It runs under the write lock, so that a refresh that read
// the store before a write through this node cannot install its older view after the write's
// own reload.
func (s *Service) Refresh(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	gen, err := s.opt.Store.Generation(ctx)
	if err != nil {
		return err
	}
	if gen == s.snap.Load().generation {
		return nil
	}
	// Sealing keys are not in the snapshot; another node may have rotated them.
	if err := s.ReloadKeys(ctx); err != nil {
		return err
	}
	return s.Reload(ctx)
}

// rootARN is the ARN of the account's root principal.
func (s *Service) rootARN() string { return "arn:aws:iam::" + s.opt.Account + ":root" }

// isRoot reports, in constant time, whether accessKeyID is the root access key.
func (s *Service) isRoot(accessKeyID string) bool {
	return s.opt.RootAccessKeyID != "" &&
		subtle.ConstantTimeCompare([]byte(accessKeyID), []byte(s.opt.RootAccessKeyID)) == 1
}

func (s *Service) observe(action, outcome string) {
	if s.opt.Observer != nil {
		s.opt.Observer.Decision(action, outcome)
	}
}
