package cli

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/config"
)

type serveCmd struct{}

// serveFlags are the flags of serve; each overrides its INKAN_* variable and the file.
type serveFlags struct {
	config, addr, dataDir, publicURL, accountID, region, domain, tlsCert, tlsKey, lint, explain, logLevel, console string
	dev                                                                                                            bool
	objects                                                                                                        objectsFlags
	limits                                                                                                         limitsFlags
	lifecycle                                                                                                      lifecycleFlags
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "YAML configuration file (INKAN_CONFIG)")
	fs.StringVar(&f.addr, "addr", "", "listen address (INKAN_ADDR, default 127.0.0.1:8750)")
	fs.StringVar(&f.dataDir, "data-dir", "", "data directory (INKAN_DATA_DIR, default ./inkan-data)")
	fs.StringVar(&f.publicURL, "public-url", "", "URL clients reach this server at (INKAN_PUBLIC_URL, default from --addr)")
	fs.StringVar(&f.accountID, "account-id", "", "12-digit account id of every ARN (INKAN_ACCOUNT_ID, default 000000000000)")
	fs.StringVar(&f.region, "region", "", "the only region clients may sign for (INKAN_REGION, default any)")
	fs.StringVar(&f.domain, "domain", "", "serve virtual-hosted S3 requests for <bucket>.<domain> (INKAN_DOMAIN)")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (INKAN_TLS_CERT)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS key file (INKAN_TLS_KEY)")
	fs.StringVar(&f.lint, "lint", "", "trust policies with linter errors: refuse or warn (INKAN_LINT, default refuse)")
	fs.StringVar(&f.explain, "explain", "", "denial reasons: caller (in the error message) or operator (audit log only) (INKAN_EXPLAIN)")
	fs.StringVar(&f.console, "console", "", "the operator console at /console/: on or off (INKAN_CONSOLE, default on)")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error; request logs are at info")
	fs.String("store", "", "sqlite (the file in --data-dir) or a postgres:// URL (INKAN_STORE, default sqlite)")
	fs.BoolVar(&f.dev, "dev", false, "development mode: test identity provider at /idp, http loopback issuers, reasons to callers (INKAN_DEV)")
	f.objects.register(fs)
	f.limits.register(fs)
	f.lifecycle.register(fs)
}

// load builds the configuration: defaults < file < environment < flags given.
func (f *serveFlags) load(fs *flag.FlagSet, getenv func(string) string) (config.Config, error) {
	cfg := config.Default()
	path := f.config
	if path == "" {
		path = getenv("INKAN_CONFIG")
	}
	if path != "" {
		if err := cfg.LoadFile(path); err != nil {
			return cfg, err
		}
	}
	if err := cfg.ApplyEnv(getenv); err != nil {
		return cfg, err
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for name, dst := range map[string]*string{"addr": &cfg.Addr, "data-dir": &cfg.DataDir, "public-url": &cfg.PublicURL,
		"account-id": &cfg.AccountID, "region": &cfg.Region, "domain": &cfg.Domain, "tls-cert": &cfg.TLS.Cert,
		"tls-key": &cfg.TLS.Key, "lint": &cfg.Lint, "explain": &cfg.Explain, "store": &cfg.Store,
		"console": &cfg.Console} {
		if set[name] {
			*dst = *flagString(fs, name)
		}
	}
	if set["dev"] {
		cfg.Dev = f.dev
	}
	f.objects.apply(set, &cfg.Objects)
	f.limits.apply(set, &cfg.Limits)
	f.lifecycle.apply(set, &cfg.Lifecycle)
	return cfg, cfg.Validate()
}

func flagString(fs *flag.FlagSet, name string) *string {
	v := fs.Lookup(name).Value.String()
	return &v
}

func newLogger(env Env, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usageErrorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: l})), nil
}

// Run starts the server and serves until ctx is cancelled, then shuts down gracefully.
func (c *serveCmd) Run(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("serve", env)
	var f serveFlags
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	cfg, err := f.load(fs, env.Getenv)
	if err != nil {
		return err
	}
	logger, err := newLogger(env, f.logLevel)
	if err != nil {
		return err
	}
	tuneGC(env.Getenv)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if cfg.DerivedPublicURL {
		// With --addr host:0 the port is known only now.
		cfg.PublicURL = strings.Replace(cfg.PublicURL, cfg.Addr, ln.Addr().String(), 1)
	}
	return serveApp(ctx, ln, newStarter(newApp, logger), cfg, env.Stdout)
}

// serveHTTP serves until ctx ends, then drains connections for up to 30 s.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, cfg config.Config, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln = loopbackListener{ln}
	errc := make(chan error, 1)
	go func() {
		if cfg.TLS.Cert != "" {
			errc <- srv.ServeTLS(ln, cfg.TLS.Cert, cfg.TLS.Key)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// defaultGCPercent trades a little memory for CPU: the server's live heap is small (tens of
// MiB) and every exchange allocates a few tens of KiB, so the default GOGC of 100 spends a
// fifth of the CPU of an exchange in the collector. GOGC, when set, wins.
const defaultGCPercent = 400

func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
