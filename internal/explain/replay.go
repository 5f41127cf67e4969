package explain

import (
	"io"
	"strings"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/policy"
)

// Replay is a trust-policy edit to check against recorded traffic.
type Replay struct {
	Account string
	RoleARN string
	// Trust is the edited trust policy.
	Trust *policy.Policy
	// Providers are the registered OIDC providers, by ARN: a record whose provider is not
	// among them is skipped (its token would be refused before the trust policy).
	Providers map[string]Provider
	// Secure is aws:SecureTransport (the record does not keep it): whether the server is
	// reached over TLS.
	Secure bool
}

// Flip is a recorded decision whose outcome the edited policy changes.
type Flip struct {
	Record *audit.Record `json:"record"`
	// Was is the recorded outcome (allow or deny); Now the replay's result, with its trace.
	Was string  `json:"was"`
	Now *Result `json:"now"`
}

// ReplayReport is what a replay found.
type ReplayReport struct {
	// Replayed counts the records evaluated again; Skipped those that could not be (another
	// action, an error before the trust policy, no claims recorded, an unknown provider).
	Replayed int    `json:"replayed"`
	Skipped  int    `json:"skipped"`
	Flips    []Flip `json:"flips"`
}

// Run evaluates every recorded AssumeRoleWithWebIdentity of records against the edited trust
// policy, with the claims, source address and time each record holds, as SimulateWebIdentity
// does, and reports those whose outcome would flip (allow to deny, deny to allow). The
// session name is the one an allowed record's session ARN carries ("" for a denial).
func (r *Replay) Run(records []*audit.Record) (*ReplayReport, error) {
	rep := &ReplayReport{Flips: []Flip{}}
	for _, rec := range records {
		prov, ok := r.Providers[rec.Provider]
		if rec.Action != "sts:AssumeRoleWithWebIdentity" || (rec.Outcome != "allow" && rec.Outcome != "deny") ||
			len(rec.Claims) == 0 || !ok {
			rep.Skipped++
			continue
		}
		res, err := SimulateWebIdentity(&WebIdentity{Account: r.Account, RoleARN: r.RoleARN, Trust: r.Trust, Provider: prov,
			Claims: rec.Claims, SessionName: sessionNameOf(rec.Caller), SourceIP: rec.SourceIP, Secure: r.Secure, Now: rec.Time})
		if err != nil {
			rep.Skipped++
			continue
		}
		rep.Replayed++
		if res.Allowed != (rec.Outcome == "allow") {
			rep.Flips = append(rep.Flips, Flip{Record: rec, Was: rec.Outcome, Now: res})
		}
	}
	return rep, nil
}

// sessionNameOf returns the session name of an assumed-role ARN, "" for anything else.
func sessionNameOf(arn string) string {
	if !strings.Contains(arn, ":assumed-role/") {
		return ""
	}
	return arn[strings.LastIndexByte(arn, '/')+1:]
}

// FlipWords says what a flip does, e.g. "allow → deny".
func (f *Flip) FlipWords() string {
	now := "deny"
	if f.Now.Allowed {
		now = "allow"
	}
	return f.Was + " → " + now
}

// WriteReplay renders a replay report as text: a summary line, then each flip with its
// request, subject and the new verdict.
func WriteReplay(out io.Writer, rep *ReplayReport) error {
	w := &writer{w: out}
	w.printf("replayed %d %s (%d skipped): %d would flip\n", rep.Replayed, plural(rep.Replayed, "decision", "decisions"),
		rep.Skipped, len(rep.Flips))
	for i := range rep.Flips {
		f := &rep.Flips[i]
		w.printf("\n%s  %s\n", f.FlipWords(), f.Record.RequestID)
		w.field("  ", "time", f.Record.Time.UTC().Format("2006-01-02T15:04:05Z"))
		if f.Record.Subject != "" {
			w.field("  ", "subject", f.Record.Subject)
		}
		w.field("  ", "verdict", f.Now.Verdict)
	}
	return w.err
}
