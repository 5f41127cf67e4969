package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
)

// RecordVerdict is the one-sentence verdict of an audit record: the trace's when it has one,
// else its outcome and reason ("denied: …", "allowed", "failed (InvalidIdentityToken): …").
func RecordVerdict(rec *audit.Record) string {
	if len(rec.Trace) > 0 {
		if t, err := ParseTrace(rec.Trace); err == nil {
			return t.Verdict()
		}
	}
	switch rec.Outcome {
	case "allow":
		if rec.Reason == "" {
			return "allowed"
		}
		return verdict(true, rec.Reason)
	case "deny":
		return verdict(false, rec.Reason)
	}
	return "failed (" + rec.Code + "): " + rec.Reason
}

// WriteRecord renders an audit record as text: what was asked and by whom, the verdict,
// then, when the record holds a trace, the failing conditions with their expected and
// presented values and every statement evaluated, and finally the token's claims.
func WriteRecord(out io.Writer, rec *audit.Record) error {
	w := &writer{w: out}
	w.field("", "request", rec.RequestID+" at "+rec.Time.UTC().Format(time.RFC3339))
	w.field("", "action", rec.Action)
	outcome := rec.Outcome
	if rec.Code != "" {
		outcome += " (" + rec.Code + ")"
	}
	w.field("", "outcome", outcome)
	for _, f := range [...]struct{ name, value string }{{"caller", rec.Caller}, {"role", rec.Role},
		{"resource", rec.Resource}, {"provider", rec.Provider}, {"subject", rec.Subject},
		{"audience", rec.Audience}, {"source ip", rec.SourceIP}} {
		if f.value != "" {
			w.field("", f.name, f.value)
		}
	}
	w.field("", "verdict", RecordVerdict(rec))
	if w.err != nil {
		return w.err
	}
	if len(rec.Trace) > 0 {
		t, err := ParseTrace(rec.Trace)
		if err != nil {
			return err
		}
		writeFailures(w, t)
		writeStatements(w, t)
	}
	writeClaims(w, rec.Claims)
	return w.err
}

// writeClaims lists the token's claims, sorted by name, as JSON values.
func writeClaims(w *writer, claims map[string]any) {
	if len(claims) == 0 {
		return
	}
	w.printf("\nclaims of the presented token\n")
	names := make([]string, 0, len(claims))
	width := 0
	for n := range claims {
		names = append(names, n)
		width = max(width, len(n))
	}
	slices.Sort(names)
	for _, n := range names {
		v, err := json.Marshal(claims[n])
		if err != nil {
			v = []byte(fmt.Sprint(claims[n]))
		}
		w.printf("  %s%s  %s\n", n, strings.Repeat(" ", width-len(n)), v)
	}
}

// WriteRecordJSON prints the record as JSON with its verdict beside it.
func WriteRecordJSON(out io.Writer, rec *audit.Record) error {
	return WriteJSON(out, struct {
		Verdict string `json:"verdict"`
		*audit.Record
	}{RecordVerdict(rec), rec})
}
