package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/devidp"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/iamapi"
	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/s3"
	"github.com/inkan-dev/inkan/internal/server"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/sts"
)

// app is one assembled inkan server: every component built from the configuration, and
// the order to close them in.
type app struct {
	cfg     config.Config
	handler http.Handler
	iam     *iam.Service
	idp     *devidp.Issuer
	root    rootCredentials
	closers []func() error
	stop    context.CancelFunc
}

// devClaimTags map the test identity provider's claims to session tags, so that permission
// policies can name ${aws:PrincipalTag/repository} out of the box.
var devClaimTags = []store.ClaimTag{{Claim: "environment", Tag: "environment"}, {Claim: "ref", Tag: "ref"},
	{Claim: "repository", Tag: "repository"}, {Claim: "repository_owner", Tag: "repository_owner"}}

// devAudience is the audience the test identity provider is registered with in --dev.
const devAudience = "sts.amazonaws.com"

// newApp builds the server of cfg. Messages for the operator (generated root credentials)
// go to out.
func newApp(ctx context.Context, cfg config.Config, logger *slog.Logger, out io.Writer) (_ *app, err error) {
	a := &app{cfg: cfg}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	st, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, st.Close)
	if a.root, err = loadRootCredentials(ctx, st, cfg.DataDir, cfg.Root.AccessKeyID, cfg.Root.SecretAccessKey, out, logger); err != nil {
		return nil, fmt.Errorf("root credentials: %w", err)
	}
	metrics := server.NewMetrics()
	verifier := oidc.NewVerifier(oidc.Options{
		Leeway: time.Duration(cfg.OIDC.Leeway), RefreshInterval: time.Duration(cfg.OIDC.RefreshInterval),
		MaxStale: time.Duration(cfg.OIDC.MaxStale), InsecureAllowHTTPLoopback: cfg.Dev,
		Logger: logger, Observer: metrics,
	})
	a.iam, err = iam.New(ctx, iam.Options{Store: st, Verifier: verifier, Account: cfg.AccountID,
		RootAccessKeyID: a.root.AccessKeyID, RootSecretAccessKey: a.root.SecretAccessKey,
		InsecureAllowHTTPLoopbackIssuers: cfg.Dev, LintWarnOnly: cfg.Lint == "warn",
		Rand: rand.Reader, Logger: logger, Observer: metrics})
	if err != nil {
		return nil, err
	}
	auditLog, err := a.openTrail(st, metrics, logger)
	if err != nil {
		return nil, err
	}
	backend, closeBackend, err := openObjects(ctx, cfg, logger, metrics)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, closeBackend)
	s3Keys, err := openKeys(ctx, cfg, st)
	if err != nil {
		return nil, err
	}
	if cfg.Dev {
		if err := a.startDevIDP(ctx, st, logger); err != nil {
			return nil, err
		}
	}
	if err := apply(ctx, a.iam, backend, cfg.Declare); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	reasonToCaller := cfg.Explain == "caller"
	opts := server.Options{
		Query: []awsquery.Service{
			sts.Service(a.iam, sts.Options{Audit: auditLog}),
			iamapi.Service(a.iam),
		},
		Auth: a.iam,
		S3: s3.New(s3.Options{Backend: backend, Auth: a.iam, Policies: iam.NewBucketPolicyCache(a.iam), Audit: auditLog,
			Keys: s3Keys, EncryptByDefault: s3Keys != nil && cfg.Objects.EncryptAtRest, BackendName: backendName(cfg),
			AuditAllow: a.s3AuditAllow(), Region: cfg.Region,
			Domain: cfg.Domain, Explain: reasonToCaller, Logger: logger, Observer: metrics}),
		Admin:          adminAPI(a.iam, auditLog, cfg.Region, s3Keys),
		Audit:          auditLog,
		Metrics:        metrics,
		Logger:         logger,
		Region:         cfg.Region,
		ReasonToCaller: reasonToCaller,
		Limits:         serverLimits(cfg.Limits),
	}
	if a.idp != nil {
		opts.IDP = a.idp.Handler()
	}
	if opts.Console, err = a.console(auditLog, backend, metrics, logger); err != nil {
		return nil, err
	}
	a.handler = server.New(opts)
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stop = stop
	go newRefresher(a.iam, st, metrics, logger, time.Now).run(bg)
	a.startLifecycle(bg, st, backend, auditLog, metrics, logger)
	return a, nil
}

// startDevIDP opens the test identity provider and registers it as an OIDC provider with the
// audience sts.amazonaws.com, so the whole flow works offline out of the box.
func (a *app) startDevIDP(ctx context.Context, st store.Store, logger *slog.Logger) error {
	keys, err := a.openDevKeys(st, sharedStore(a.cfg))
	if err != nil {
		return fmt.Errorf("test identity provider: %w", err)
	}
	a.idp, err = devidp.New(devidp.Config{URL: a.cfg.PublicURL + "/idp", Keys: keys, Logger: logger})
	if err != nil {
		return fmt.Errorf("test identity provider: %w", err)
	}
	_, err = a.iam.GetOpenIDConnectProvider(ctx, a.iam.ProviderARN(a.idp.URL()))
	if isKind(err, iam.KindNoSuchEntity) {
		_, err = a.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateProviderInput{URL: a.idp.URL(),
			ClientIDs: []string{devAudience}, ClaimTags: devClaimTags})
	}
	if err != nil {
		return fmt.Errorf("registering the test identity provider: %w", err)
	}
	return nil
}

// Close releases everything, newest first.
func (a *app) Close() error {
	if a.stop != nil {
		a.stop()
	}
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}
