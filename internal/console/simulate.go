package console

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/inkan-dev/inkan/internal/devidp"
	"github.com/inkan-dev/inkan/internal/explain"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
)

// simForm is the simulator's form: a role, and a token or a job of the test identity
// provider's shapes; Token is never rendered back.
type simForm struct {
	Role, Mode, Provider, Audience                       string
	Repository, Ref, Environment, Workflow, Event, Actor string
	SourceIP                                             string
}

type simData struct {
	Form      simForm
	Roles     []store.Role
	Providers []store.Provider
	Result    *explain.Result
	Failures  []failure
	Claims    []claim
	Text      string
}

func (c *Console) simData(r *http.Request, f simForm) (*simData, error) {
	roles, err := c.o.Domain.ListRoles(r.Context(), "")
	if err != nil {
		return nil, err
	}
	provs, err := c.o.Domain.ListOpenIDConnectProviders(r.Context())
	if err != nil {
		return nil, err
	}
	if f.Provider == "" {
		for _, p := range provs {
			if c.o.DevIssuer != "" && p.URL == c.o.DevIssuer {
				f.Provider = p.ARN
			}
		}
	}
	return &simData{Form: f, Roles: roles, Providers: provs}, nil
}

func (c *Console) simulatePage(w http.ResponseWriter, r *http.Request, _ sealed) {
	q := r.URL.Query()
	d, err := c.simData(r, simForm{Role: q.Get("role"), Mode: "job", Audience: "sts.amazonaws.com", Ref: "refs/heads/main"})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "simulate", &page{Title: "Simulator", Nav: "simulate", Data: d})
}

// simulate decides AssumeRoleWithWebIdentity for the form's token or job with the
// production evaluator, and shows the trace.
func (c *Console) simulate(w http.ResponseWriter, r *http.Request, _ sealed) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := simForm{Role: v("role"), Mode: v("mode"), Provider: v("provider"), Audience: v("audience"), Repository: v("repository"),
		Ref: v("ref"), Environment: v("environment"), Workflow: v("workflow"), Event: v("event"), Actor: v("actor"), SourceIP: v("source_ip")}
	d, err := c.simData(r, f)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	p := &page{Title: "Simulator", Nav: "simulate", Data: d}
	if d.Result, err = c.runSimulation(r, &d.Form, d.Providers, v("token")); err != nil {
		p.Error = err.Error()
		c.render(w, r, http.StatusBadRequest, "simulate", p)
		return
	}
	if d.Result.Trace != nil {
		d.Failures = failuresOf(d.Result.Trace)
	}
	d.Claims = claimsOf(d.Result.Claims)
	var text bytes.Buffer
	explain.WriteResult(&text, d.Result)
	d.Text = text.String()
	c.render(w, r, http.StatusOK, "simulate", p)
}

func (c *Console) runSimulation(r *http.Request, f *simForm, provs []store.Provider, token string) (*explain.Result, error) {
	role, err := c.o.Domain.GetRole(r.Context(), f.Role)
	if err != nil {
		return nil, errorf("pick a role: %s", domainMessage(err))
	}
	trust, err := policy.Parse([]byte(role.TrustPolicy), policy.Trust)
	if err != nil {
		return nil, err
	}
	byARN := providerMap(provs)
	var claims map[string]any
	var prov explain.Provider
	if f.Mode == "token" {
		if claims, err = explain.DecodeToken(token); err != nil {
			return nil, err
		}
		iss, _ := claims["iss"].(string)
		for _, p := range byARN {
			if p.URL == iss || p.URL == "https://"+strings.TrimPrefix(iss, "https://") {
				prov = p
			}
		}
		if prov.URL == "" {
			return nil, errorf("no OIDC provider is registered for the token's issuer %q: STS refuses it", iss)
		}
	} else {
		var ok bool
		if prov, ok = byARN[f.Provider]; !ok {
			return nil, errorf("pick a registered provider")
		}
		job := devidp.JobContext{Job: devidp.Job{Repository: f.Repository, Ref: f.Ref, Environment: f.Environment,
			Workflow: f.Workflow, EventName: f.Event, Actor: f.Actor}}
		if claims, err = explain.JobClaims(job, prov.URL, firstNonEmpty(f.Audience, "sts.amazonaws.com")); err != nil {
			return nil, err
		}
	}
	return explain.SimulateWebIdentity(&explain.WebIdentity{Account: c.o.Domain.Account(), RoleARN: role.ARN, Trust: trust,
		Provider: prov, Claims: claims, SessionName: "console-simulation", SourceIP: f.SourceIP, Secure: c.o.Secure, Now: c.o.Now()})
}
