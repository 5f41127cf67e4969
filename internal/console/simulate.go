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
	// Action and Resource, when given, are a request of the session to decide too.
	Action, Resource string
}

type simData struct {
	Form      simForm
	Roles     []store.Role
	Providers []store.Provider
	Result    *explain.Result
	// Session is the decision of the session's request (Action on Resource), when asked.
	Session         *explain.Result
	SessionFailures []failure
	Failures        []failure
	Claims          []claim
	Text            string
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
		Ref: v("ref"), Environment: v("environment"), Workflow: v("workflow"), Event: v("event"), Actor: v("actor"), SourceIP: v("source_ip"),
		Action: v("action"), Resource: v("resource")}
	d, err := c.simData(r, f)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	p := &page{Title: "Simulator", Nav: "simulate", Data: d}
	var in *simInput
	if d.Result, in, err = c.runSimulation(r, &d.Form, d.Providers, v("token")); err == nil && d.Result.Allowed && f.Action != "" {
		d.Session, err = c.simulateSession(r.Context(), &in.role, in.prov, in.claims, in.claimTags, f.Action, f.Resource)
	}
	if err != nil {
		p.Error = err.Error()
		c.render(w, r, http.StatusBadRequest, "simulate", p)
		return
	}
	if d.Session != nil && d.Session.Trace != nil {
		d.SessionFailures = failuresOf(d.Session.Trace)
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

// simInput is what a simulated exchange was decided on, for the session's request.
type simInput struct {
	role      store.Role
	prov      explain.Provider
	claims    map[string]any
	claimTags []store.ClaimTag
}

func (c *Console) runSimulation(r *http.Request, f *simForm, provs []store.Provider, token string) (*explain.Result, *simInput, error) {
	role, err := c.o.Domain.GetRole(r.Context(), f.Role)
	if err != nil {
		return nil, nil, errorf("pick a role: %s", domainMessage(err))
	}
	trust, err := policy.Parse([]byte(role.TrustPolicy), policy.Trust)
	if err != nil {
		return nil, nil, err
	}
	in, err := c.simClaims(f, provs, token)
	if err != nil {
		return nil, nil, err
	}
	in.role = role
	res, err := explain.SimulateWebIdentity(&explain.WebIdentity{Account: c.o.Domain.Account(), RoleARN: role.ARN, Trust: trust,
		Provider: in.prov, Claims: in.claims, SessionName: "console-simulation", SourceIP: f.SourceIP, Secure: c.o.Secure, Now: c.o.Now()})
	return res, in, err
}

// simClaims are the claims of the form's token or job, and the provider that issues them.
func (c *Console) simClaims(f *simForm, provs []store.Provider, token string) (*simInput, error) {
	var err error
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
	in := &simInput{prov: prov, claims: claims}
	for _, p := range provs {
		if p.ARN == prov.ARN {
			in.claimTags = p.ClaimTags
		}
	}
	return in, nil
}
