package server

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/reqid"
)

// auditable results fill the audit record of a successful call.
type auditable interface{ Audit(*audit.Record) }

// serveQuery is the one dispatcher of the query protocol: decode, pick the operation,
// authenticate signed operations, run, render, audit.
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := reqid.From(ctx)
	q, err := awsquery.Decode(r)
	if err != nil {
		qe := &awsquery.Error{Code: "MalformedQueryString", Message: err.Error(), Status: http.StatusBadRequest}
		switch {
		case errors.Is(err, awsquery.ErrTooLarge):
			qe.Code, qe.Status = "RequestEntityTooLarge", http.StatusRequestEntityTooLarge
		case errors.Is(err, os.ErrDeadlineExceeded):
			// The body stalled past Limits.BodyIdleTimeout; the error names sockets.
			qe.Code, qe.Message = "RequestTimeout", "The request body sent no byte within the idle timeout."
		}
		awsquery.WriteError(w, s.defaultNamespace(), qe, id)
		return
	}
	action := q.Action()
	svc := s.query[action]
	if svc == nil {
		svc = s.defaultService()
		msg := "Could not find operation " + action + " for version " + q.Params.Get("Version")
		if action == "" {
			msg = "The request must contain the parameter Action."
		}
		awsquery.WriteError(w, svc.Namespace, &awsquery.Error{Code: "InvalidAction", Message: msg, Status: http.StatusBadRequest}, id)
		return
	}
	op := svc.Operations[action]
	call := &awsquery.Call{Request: q, RequestID: id, SourceIP: remoteIP(r), Secure: r.TLS != nil}
	rec := &audit.Record{Time: s.o.Now().UTC(), RequestID: id, Service: svc.Name, Action: svc.Name + ":" + action,
		Role: firstNonEmpty(q.Params.Get("RoleArn"), q.Params.Get("RoleName")), SourceIP: call.SourceIP.String()}
	if !op.Unsigned {
		p, qerr := s.authenticate(ctx, r, q, svc)
		if qerr != nil {
			s.fail(w, svc, qerr, rec, nil)
			return
		}
		call.Caller, rec.Caller = p, p.ARN
	}
	res, err := op.Run(ctx, call)
	if err != nil && ctx.Err() != nil {
		// The client went away and the operation stopped with it: not a server failure.
		s.o.Logger.Debug("query request abandoned by the client", "request_id", id, "action", rec.Action, "err", err)
		w.WriteHeader(clientClosed)
		return
	}
	if err != nil {
		s.fail(w, svc, svc.Error(err), rec, err)
		return
	}
	rec.Outcome = "allow"
	if a, ok := res.(auditable); ok {
		a.Audit(rec)
	}
	s.record(rec)
	awsquery.WriteResult(w, svc.Namespace, action, res, id)
}

// fail renders a query error and audits it. Denials carry their request id in the message so
// that the operator can explain them.
func (s *Server) fail(w http.ResponseWriter, svc *awsquery.Service, qe *awsquery.Error, rec *audit.Record, cause error) {
	rec.Outcome, rec.Code = "error", qe.Code
	var de *iam.Error
	if errors.As(cause, &de) {
		rec.Reason, rec.Claims, rec.Provider = de.Reason, de.Claims, de.Provider
		rec.Subject, _ = de.Claims["sub"].(string)
		rec.Audience = audienceOf(de.Claims["aud"])
		if de.Trace != nil {
			if tr, err := json.Marshal(de.Trace); err == nil {
				rec.Trace = tr
			}
		}
		if de.Kind == iam.KindAccessDenied {
			rec.Outcome = "deny"
		}
	}
	if rec.Reason == "" {
		rec.Reason = qe.Message
	}
	// A server-side failure's reason may quote its cause (a path, a driver's error): never shown.
	reasonShown := s.o.ReasonToCaller && qe.Status < 500 && de != nil && de.Reason != "" && !strings.Contains(qe.Message, de.Reason)
	if denied := qe.Status == http.StatusForbidden || rec.Outcome == "deny"; reasonShown || denied {
		copyErr := *qe
		// With --dev the caller reads the reason of any domain refusal, whichever service.
		if reasonShown {
			copyErr.Message += ". inkan: " + de.Reason
		}
		if denied {
			copyErr.Message += reqid.DenialHint(rec.RequestID, s.o.ReasonToCaller)
		}
		qe = &copyErr
	}
	// An unreachable store is logged once a minute by the refresh loop, not per request.
	if cause != nil && qe.Receiver && iam.KindOf(cause) != iam.KindUnavailable {
		s.o.Logger.Error("query operation failed", "request_id", rec.RequestID, "action", rec.Action, "err", cause)
	}
	s.record(rec)
	awsquery.WriteError(w, svc.Namespace, qe, rec.RequestID)
}

func (s *Server) record(rec *audit.Record) {
	if s.o.Audit == nil {
		return
	}
	if err := s.o.Audit.Append(rec); err != nil {
		s.o.Logger.Error("audit append failed", "request_id", rec.RequestID, "err", err)
	}
}

func (s *Server) defaultService() *awsquery.Service {
	if svc := s.byName["sts"]; svc != nil {
		return svc
	}
	for _, svc := range s.byName {
		return svc
	}
	return &awsquery.Service{Name: "sts", Namespace: "https://sts.amazonaws.com/doc/2011-06-15/"}
}

func (s *Server) defaultNamespace() string { return s.defaultService().Namespace }

func remoteIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// audienceOf returns a token's aud claim as one string (the first of a list).
func audienceOf(v any) string {
	switch a := v.(type) {
	case string:
		return a
	case []any:
		if len(a) > 0 {
			s, _ := a[0].(string)
			return s
		}
	}
	return ""
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}
