package awsclient

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// API versions of the Query-protocol services.
const (
	stsVersion = "2011-06-15"
	iamVersion = "2010-05-08"
)

// Query calls a Query-protocol action (STS or IAM: service "sts" or "iam"), signed, with
// params (Action and Version are added), and decodes the <ActionResult> element of the
// answer into result (a pointer to a struct with encoding/xml tags; nil to ignore it). It
// returns the request id. Use it for the actions this package has no method for.
func (c *Client) Query(ctx context.Context, service, action string, params url.Values, result any) (string, error) {
	return c.query(ctx, service, action, params, true, result)
}

// Metadata is what every answer carries besides its result.
type Metadata struct {
	RequestID string `xml:"-"`
}

func (m *Metadata) setRequestID(id string) { m.RequestID = id }

// queryOut calls action and returns its decoded result with the request id set, or nil
// and the error.
func queryOut[T any, PT interface {
	*T
	setRequestID(string)
}](ctx context.Context, c *Client, service, action string, p url.Values, signed bool) (*T, error) {
	out := PT(new(T))
	id, err := c.query(ctx, service, action, p, signed, out)
	if err != nil {
		return nil, err
	}
	out.setRequestID(id)
	return out, nil
}

func (c *Client) query(ctx context.Context, service, action string, params url.Values, signed bool, result any) (string, error) {
	version := iamVersion
	if service == "sts" {
		version = stsVersion
	}
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("Action", action)
	form.Set("Version", version)
	req := request{
		op:     service + ":" + action,
		method: http.MethodPost,
		path:   "/",
		header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}},
		body:   []byte(form.Encode()),
	}
	if signed {
		req.service = service
	}
	resp, err := c.do(ctx, req)
	if err != nil {
		return "", err
	}
	id, err := decodeQueryResult(resp.body, action, result)
	if err != nil {
		return id, fmt.Errorf("%s: reading the answer: %w", req.op, err)
	}
	return id, nil
}

// decodeQueryResult walks <ActionResponse>, decoding <ActionResult> into result and
// returning <RequestId> from <ResponseMetadata>. Actions without output have no result
// element; a missing one is an error only when result is non-nil.
func decodeQueryResult(body []byte, action string, result any) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var requestID string
	found := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return requestID, err
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch start.Name.Local {
		case action + "Result":
			found = true
			if result != nil {
				if err := dec.DecodeElement(result, &start); err != nil {
					return requestID, err
				}
			}
		case "RequestId":
			if err := dec.DecodeElement(&requestID, &start); err != nil {
				return requestID, err
			}
		}
	}
	if result != nil && !found {
		return requestID, fmt.Errorf("no %sResult element", action)
	}
	return requestID, nil
}
