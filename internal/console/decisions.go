package console

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/explain"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/decisionlog"
)

// pageSize is the number of decisions on one page of the Decisions page.
const pageSize = 50

// decisionQuery is the Decisions page's filter form, as the URL carries it.
type decisionQuery struct {
	Outcome, Service, Role, Subject, SourceIP, RequestID, Since, Until string
	Before                                                             int64
}

func parseDecisionQuery(q url.Values) decisionQuery {
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	return decisionQuery{Outcome: q.Get("outcome"), Service: q.Get("service"), Role: strings.TrimSpace(q.Get("role")),
		Subject: strings.TrimSpace(q.Get("subject")), SourceIP: strings.TrimSpace(q.Get("source_ip")),
		RequestID: strings.TrimSpace(q.Get("request_id")), Since: q.Get("since"), Until: q.Get("until"), Before: before}
}

// filter turns the form into the store's filter; a role is matched by name and by ARN.
func (c *Console) filter(q decisionQuery) (store.DecisionFilter, error) {
	f := store.DecisionFilter{Outcome: q.Outcome, Service: q.Service, Subject: q.Subject, SourceIP: q.SourceIP,
		RequestID: q.RequestID, Before: q.Before, Limit: pageSize + 1}
	f.Role = store.RoleName(q.Role)
	var err error
	if f.Since, err = parseTime(q.Since, c.o.Now()); err != nil {
		return f, err
	}
	f.Until, err = parseTime(q.Until, c.o.Now())
	return f, err
}

// parseTime reads a filter's time: empty, an RFC 3339 time, a datetime-local value
// (2006-01-02T15:04, UTC), or an age such as 1h or 7d (that long before now).
func parseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return time.Time{}, nil
	case strings.HasSuffix(s, "d"):
		if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("a time is an RFC 3339 time such as 2026-03-14T15:09:26Z, a date, or an age such as 1h or 7d")
}

type decisionsData struct {
	Query     decisionQuery
	Decisions []decisionlog.Listed
	// Next is the URL of the next (older) page, "" on the last.
	Next string
}

func (c *Console) decisions(w http.ResponseWriter, r *http.Request, _ sealed) {
	q := parseDecisionQuery(r.URL.Query())
	d := &decisionsData{Query: q}
	p := &page{Title: "Decisions", Nav: "decisions", Data: d}
	f, err := c.filter(q)
	if err != nil {
		p.Error = err.Error()
		c.render(w, r, http.StatusBadRequest, "decisions", p)
		return
	}
	list, err := c.o.Decisions.List(r.Context(), f)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if len(list) > pageSize {
		list = list[:pageSize]
		next := r.URL.Query()
		next.Set("before", strconv.FormatInt(list[pageSize-1].Seq, 10))
		d.Next = "/console/decisions?" + next.Encode()
	}
	d.Decisions = list
	c.render(w, r, http.StatusOK, "decisions", p)
}

// decisionData is a decision's page: the record, its trace's failures, and the text
// `inkan explain` prints for it.
type decisionData struct {
	Record   *audit.Record
	Verdict  string
	Failures []failure
	Claims   []claim
	Text     string
}

// failure is a failing (or, for an explicit deny, matching) condition in words.
type failure struct {
	Title, Statement, Policy, Operator, Key, Expected, Presented string
}

type claim struct{ Name, Value string }

func (c *Console) decision(w http.ResponseWriter, r *http.Request, _ sealed) {
	id := r.PathValue("id")
	rec, err := c.o.Decisions.Find(r.Context(), id)
	if errors.Is(err, audit.ErrNotFound) {
		c.render(w, r, http.StatusNotFound, "error", &page{Title: "Not found", Nav: "decisions",
			Error: "No decision was recorded with request id " + id + " (the decision log keeps a bounded history)."})
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := &decisionData{Record: rec, Verdict: explain.RecordVerdict(rec), Claims: claimsOf(rec.Claims)}
	if len(rec.Trace) > 0 {
		if t, err := explain.ParseTrace(rec.Trace); err == nil {
			d.Failures = failuresOf(t)
		}
	}
	var text bytes.Buffer
	if err := explain.WriteRecord(&text, rec); err != nil {
		text.WriteString("\n(the recorded trace does not parse: " + err.Error() + ")")
	}
	d.Text = text.String()
	c.render(w, r, http.StatusOK, "decision", &page{Title: "Decision " + rec.RequestID, Nav: "decisions", Data: d})
}

func failuresOf(t *explain.Trace) []failure {
	title := "Failing condition"
	if t.Decision.Effect == "ExplicitDeny" {
		title = "Matching condition"
	}
	var out []failure
	for _, f := range t.Failures() {
		out = append(out, failure{Title: title, Statement: f.Statement, Policy: f.Policy, Operator: f.Condition.Operator,
			Key: f.Condition.Key, Expected: explain.Expected(&f.Condition), Presented: explain.Presented(&f.Condition)})
	}
	return out
}
