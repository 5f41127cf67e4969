package console

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/explain"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/reqid"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/decisionlog"
)

func (c *Console) roles(w http.ResponseWriter, r *http.Request, _ sealed) {
	roles, err := c.o.Domain.ListRoles(r.Context(), "")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "roles", &page{Title: "Roles", Nav: "roles", Data: roles})
}

// roleData is a role's page.
type roleData struct {
	Role store.Role
	// Lines are the trust policy's lines with the linter's findings beside them.
	Lines    []line
	Findings []explain.Located
	WhoCan   string
	Inline   []store.RolePolicy
	Managed  []store.ManagedPolicy
	Boundary string
	Recent   []decisionlog.Listed
	// Draft is the trust policy in the editor: the saved one, or an edit being previewed.
	Draft string
	// Preview is the replay of Draft against the role's recorded exchanges, when asked.
	Preview *explain.ReplayReport
	// DraftFindings are the linter's findings on Draft.
	DraftFindings []explain.Located
	Since         string
}

// line is one line of a policy document and the findings that point at it.
type line struct {
	N        int
	Text     string
	Findings []explain.Located
}

func (c *Console) role(w http.ResponseWriter, r *http.Request, _ sealed) {
	d, err := c.roleData(r.Context(), r.PathValue("name"))
	if err != nil {
		c.roleError(w, r, err)
		return
	}
	p := &page{Title: "Role " + d.Role.Name, Nav: "roles", Data: d}
	switch r.URL.Query().Get("saved") {
	case "trust":
		p.Notice = "Trust policy saved; it decides the next exchange."
	case "revoked":
		p.Notice = "Every session of this role issued until now is revoked."
	}
	c.render(w, r, http.StatusOK, "role", p)
}

func (c *Console) roleError(w http.ResponseWriter, r *http.Request, err error) {
	if iam.KindOf(err) == iam.KindNoSuchEntity {
		c.render(w, r, http.StatusNotFound, "error", &page{Title: "Not found", Nav: "roles", Error: "There is no role " + r.PathValue("name") + "."})
		return
	}
	c.fail(w, r, err)
}

// roleData gathers a role's page through the domain's calls.
func (c *Console) roleData(ctx context.Context, name string) (*roleData, error) {
	role, err := c.o.Domain.GetRole(ctx, name)
	if err != nil {
		return nil, err
	}
	d := &roleData{Role: role, Draft: role.TrustPolicy, Since: "7d"}
	d.Findings, d.Lines = c.lintLines(role.TrustPolicy)
	if p, err := policy.Parse([]byte(role.TrustPolicy), policy.Trust); err == nil {
		var buf bytes.Buffer
		explain.WriteAnalysis(&buf, explain.WhoCanAssume(p, c.o.Domain.TrustLintOptions()))
		d.WhoCan = buf.String()
	}
	if d.Inline, err = c.inlinePolicies(ctx, name); err != nil {
		return nil, err
	}
	if d.Managed, err = c.o.Domain.ListAttachedRolePolicies(ctx, name, ""); err != nil {
		return nil, err
	}
	if role.PermissionsBoundary != "" {
		if b, err := c.o.Domain.GetPolicy(ctx, role.PermissionsBoundary); err == nil {
			d.Boundary = b.Document
		}
	}
	d.Recent, err = c.o.Decisions.List(ctx, store.DecisionFilter{Role: role.Name, Limit: 10})
	return d, err
}

// lintLines lints a trust policy and places each finding beside its line.
func (c *Console) lintLines(doc string) ([]explain.Located, []line) {
	rep := explain.LintDocument("trust policy", []byte(doc), policy.Trust, c.o.Domain.TrustLintOptions())
	var lines []line
	for i, t := range strings.Split(doc, "\n") {
		lines = append(lines, line{N: i + 1, Text: t})
	}
	for _, f := range rep.Findings {
		i := min(max(f.Line, 1), len(lines)) - 1
		lines[i].Findings = append(lines[i].Findings, f)
	}
	return rep.Findings, lines
}

// editTrust previews (action=preview) or saves (action=save) an edited trust policy. Both
// lint it and replay the role's recorded exchanges against it; saving goes through
// UpdateAssumeRolePolicy, as the IAM API does, and is recorded like it.
func (c *Console) editTrust(w http.ResponseWriter, r *http.Request, s sealed) {
	ctx := r.Context()
	name := r.PathValue("name")
	d, err := c.roleData(ctx, name)
	if err != nil {
		c.roleError(w, r, err)
		return
	}
	d.Draft = r.PostFormValue("document")
	d.Since = firstNonEmpty(r.PostFormValue("since"), "7d")
	p := &page{Title: "Role " + d.Role.Name, Nav: "roles", Data: d}
	d.DraftFindings, _ = c.lintLines(d.Draft)
	if d.Preview, err = c.replay(ctx, &d.Role, d.Draft, d.Since); err != nil {
		p.Error = err.Error()
	}
	if r.PostFormValue("action") != "save" || p.Error != "" {
		c.render(w, r, http.StatusOK, "role", p)
		return
	}
	err = c.o.Domain.UpdateAssumeRolePolicy(ctx, d.Role.Name, d.Draft)
	c.audit(r, s, "iam:UpdateAssumeRolePolicy", d.Role.Name, err)
	if err != nil {
		p.Error = "Not saved: " + domainMessage(err)
		c.render(w, r, http.StatusUnprocessableEntity, "role", p)
		return
	}
	http.Redirect(w, r, "/console/roles/"+urlPathEscape(d.Role.Name)+"?saved=trust", http.StatusSeeOther)
}

// replay evaluates the role's recorded exchanges since the given age against doc.
func (c *Console) replay(ctx context.Context, role *store.Role, doc, since string) (*explain.ReplayReport, error) {
	trust, err := policy.Parse([]byte(doc), policy.Trust)
	if err != nil {
		return nil, err
	}
	from, err := parseTime(since, c.o.Now())
	if err != nil {
		return nil, err
	}
	provs, err := c.o.Domain.ListOpenIDConnectProviders(ctx)
	if err != nil {
		return nil, err
	}
	records, err := roleExchanges(ctx, c.o.Decisions.List, role, from)
	if err != nil {
		return nil, err
	}
	rp := &explain.Replay{Account: c.o.Domain.Account(), RoleARN: role.ARN, Trust: trust, Providers: providerMap(provs), Secure: c.o.Secure}
	return rp.Run(records)
}

// lister lists decision records; decisionlog.Trail.List is one.
type lister func(ctx context.Context, f store.DecisionFilter) ([]decisionlog.Listed, error)

// maxReplay bounds the records one replay reads.
const maxReplay = 20 * store.MaxDecisionPage

// roleExchanges returns the role's recorded STS decisions since from, newest first, at most
// maxReplay of them.
func roleExchanges(ctx context.Context, list lister, role *store.Role, from time.Time) ([]*audit.Record, error) {
	f := store.DecisionFilter{Service: "sts", Role: role.Name, Since: from, Limit: store.MaxDecisionPage}
	var out []*audit.Record
	for len(out) < maxReplay {
		page, err := list(ctx, f)
		if err != nil {
			return nil, err
		}
		for i := range page {
			out = append(out, &page[i].Record)
		}
		if len(page) < store.MaxDecisionPage {
			break
		}
		f.Before = page[len(page)-1].Seq
	}
	return out, nil
}

// providerMap indexes registered providers by ARN, as explain.Replay takes them.
func providerMap(provs []store.Provider) map[string]explain.Provider {
	m := map[string]explain.Provider{}
	for _, p := range provs {
		m[p.ARN] = explain.Provider{URL: p.URL, ARN: p.ARN, ClientIDs: p.ClientIDs}
	}
	return m
}

// revoke voids every session of the role issued until now, once the form's confirmation
// box is ticked; through RevokeRoleSessions, as the IAM API's extension does.
func (c *Console) revoke(w http.ResponseWriter, r *http.Request, s sealed) {
	name := r.PathValue("name")
	if r.PostFormValue("confirm") != "yes" {
		d, err := c.roleData(r.Context(), name)
		if err != nil {
			c.roleError(w, r, err)
			return
		}
		c.render(w, r, http.StatusBadRequest, "role", &page{Title: "Role " + d.Role.Name, Nav: "roles", Data: d,
			Error: "Tick the confirmation box to revoke the sessions."})
		return
	}
	_, err := c.o.Domain.RevokeRoleSessions(r.Context(), name)
	c.audit(r, s, "iam:RevokeRoleSessions", name, err)
	if err != nil {
		c.roleError(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/roles/"+urlPathEscape(name)+"?saved=revoked", http.StatusSeeOther)
}

// audit records a change made from the console as the IAM API records its calls.
func (c *Console) audit(r *http.Request, s sealed, action, role string, err error) {
	if c.o.Audit == nil {
		return
	}
	rec := &audit.Record{Time: c.o.Now().UTC(), RequestID: reqid.From(r.Context()), Service: "iam", Action: action,
		Caller: "arn:aws:iam::" + c.o.Domain.Account() + ":root", Role: role, SourceIP: clientAddr(r), Outcome: "allow",
		Reason: "from the console"}
	if err != nil {
		rec.Outcome, rec.Reason = "error", domainMessage(err)
	}
	if aerr := c.o.Audit.Append(rec); aerr != nil {
		c.o.Logger.Error("audit append failed", "request_id", rec.RequestID, "err", aerr)
	}
}

// domainMessage is what a domain refusal says to the operator: its reason when it has one.
func domainMessage(err error) string {
	var e *iam.Error
	if errors.As(err, &e) {
		if e.Reason != "" {
			return e.Message + " (" + e.Reason + ")"
		}
		return e.Message
	}
	return err.Error()
}
