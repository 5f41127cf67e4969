package console

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/decisionlog"
)

type overviewData struct {
	Exchanges, Denials, Errors int
	// Counted is set when the three figures are this node's own counters; otherwise they
	// come from the decision log, and Capped is set when the last hour held more
	// decisions than one read counts.
	Counted   bool
	Capped    bool
	Reasons   []reasonCount
	Recent    []decisionlog.Listed
	Providers []providerData
	Roles     int
	// KeyCreated is when the active sealing key was made; KeyAge its age in days.
	KeyCreated time.Time
	KeyAge     int
}

// providerData is a provider with what the verifier knows of its keys.
type providerData struct {
	store.Provider
	Status oidc.IssuerStatus
	// Used is false until a token of the provider was verified since start.
	Used bool
}

// providersData lists the providers with their key status.
func (c *Console) providersData(ctx context.Context) ([]providerData, error) {
	provs, err := c.o.Domain.ListOpenIDConnectProviders(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]providerData, len(provs))
	for i, p := range provs {
		out[i].Provider = p
		out[i].Status, out[i].Used = c.o.Domain.ProviderKeys(p.URL)
	}
	return out, nil
}

type reasonCount struct {
	Reason string
	N      int
}

// overview shows the last hour's exchanges, denials and errors from this node's counters
// (from the decision log when there are none), the top denial reasons and the newest
// decisions from the decision log, and the providers.
func (c *Console) overview(w http.ResponseWriter, r *http.Request, _ sealed) {
	ctx := r.Context()
	hour, err := c.o.Decisions.List(ctx, store.DecisionFilter{Since: c.o.Now().Add(-time.Hour), Limit: store.MaxDecisionPage})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := &overviewData{Capped: len(hour) == store.MaxDecisionPage}
	reasons := map[string]int{}
	for i := range hour {
		rec := &hour[i].Record
		switch rec.Outcome {
		case "deny":
			d.Denials++
			reasons[rec.Reason]++
		case "error":
			d.Errors++
		}
		if rec.Action == "sts:AssumeRoleWithWebIdentity" || rec.Action == "sts:AssumeRole" {
			d.Exchanges++
		}
	}
	if c.o.Counts != nil {
		d.Exchanges, d.Denials, d.Errors = c.o.Counts.DecisionsLastHour()
		d.Counted = true
	}
	for reason, n := range reasons {
		d.Reasons = append(d.Reasons, reasonCount{reason, n})
	}
	slices.SortFunc(d.Reasons, func(a, b reasonCount) int { return cmp.Or(b.N-a.N, cmp.Compare(a.Reason, b.Reason)) })
	d.Reasons = d.Reasons[:min(len(d.Reasons), 5)]
	d.Recent = hour[:min(len(hour), 10)]
	if d.Providers, err = c.providersData(ctx); err != nil {
		c.fail(w, r, err)
		return
	}
	if d.KeyCreated, err = c.o.Domain.SealingKeyCreated(ctx); err != nil {
		c.fail(w, r, err)
		return
	}
	d.KeyAge = int(c.o.Now().Sub(d.KeyCreated).Hours() / 24)
	roles, err := c.o.Domain.ListRoles(ctx, "")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d.Roles = len(roles)
	c.render(w, r, http.StatusOK, "overview", &page{Title: "Overview", Nav: "overview", Data: d})
}

func (c *Console) providers(w http.ResponseWriter, r *http.Request, _ sealed) {
	provs, err := c.providersData(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "providers", &page{Title: "Providers", Nav: "providers", Data: provs})
}

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }

func isUnavailable(err error) bool { return errors.Is(err, store.ErrUnavailable) }

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}
