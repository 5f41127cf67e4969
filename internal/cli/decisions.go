package cli

import (
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/console"
	"github.com/inkan-dev/inkan/internal/server"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/decisionlog"
)

// openTrail opens the node's audit trail: the JSON-lines audit file in the data directory
// and the decision log in the store, which every node sharing it reads. Both are closed
// with the app, the writer first so that it drains before the store closes.
func (a *app) openTrail(st store.Decisions, metrics *server.Metrics, logger *slog.Logger) (*decisionlog.Trail, error) {
	file, err := audit.Open(filepath.Join(a.cfg.DataDir, "audit"), a.cfg.Audit.MaxFileBytes, a.cfg.Audit.MaxFiles, time.Now)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, file.Close)
	d := a.cfg.Decisions
	writer := decisionlog.NewWriter(st, decisionlog.Options{QueueSize: d.QueueSize, MaxAge: time.Duration(d.MaxAge),
		MaxRecords: d.MaxRecords, Logger: logger, Observer: metrics})
	a.closers = append(a.closers, writer.Close)
	return decisionlog.NewTrail(file, writer), nil
}

// s3AuditAllow picks the allowed S3 requests to record, per decisions.s3_allows; sampling
// needs no cryptographic randomness.
func (a *app) s3AuditAllow() func() bool { return auditAllow(a.cfg.Decisions, rand.Float64) }

// auditAllow is the S3 handler's choice of allowed requests to record, per the
// decisions.s3_allows setting: nil for off, every one for all, a share rate of them drawn
// with random for sampled.
func auditAllow(d config.Decisions, random func() float64) func() bool {
	switch d.S3Allows {
	case "all":
		return func() bool { return true }
	case "sampled":
		rate := d.S3AllowRate
		return func() bool { return random() < rate }
	}
	return nil
}

// console builds the operator console, or nil with --console off.
func (a *app) console(trail *decisionlog.Trail, objects console.Objects, counts console.Counts, logger *slog.Logger) (http.Handler, error) {
	if a.cfg.Console == "off" {
		return nil, nil
	}
	o := console.Options{Domain: a.iam, Decisions: trail, Audit: trail, Objects: objects, Counts: counts, PublicURL: a.cfg.PublicURL,
		Region: a.cfg.Region, Secure: a.cfg.TLS.Cert != "", Logger: logger}
	if a.idp != nil {
		o.DevIssuer = a.idp.URL()
	}
	c, err := console.New(o)
	if err != nil {
		return nil, err
	}
	return c, nil
}
