package awsquery

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// MaxBody bounds a query request body: the largest legal parameters (a 131,072-character
// policy document, URL-encoded) fit comfortably.
const MaxBody = 1 << 20

// ErrTooLarge is returned by Decode for a body over MaxBody.
var ErrTooLarge = errors.New("awsquery: request body too large")

// Request is a decoded query request.
type Request struct {
	Params url.Values
	// Body is the raw body as received, for the SigV4 payload hash.
	Body []byte
}

// Action returns the Action parameter.
func (r *Request) Action() string { return r.Params.Get("Action") }

// IsQuery reports whether r looks like a query-protocol request: a POST whose form body holds
// an Action, or a GET / with an Action parameter. S3 requests never do.
func IsQuery(r *http.Request) bool {
	if r.URL.Path != "/" {
		return false
	}
	switch r.Method {
	case http.MethodGet:
		return r.URL.Query().Has("Action")
	case http.MethodPost:
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		return ct == "application/x-www-form-urlencoded"
	}
	return false
}

// Decode reads the parameters of r: the URL query merged with a form body (body wins).
func Decode(r *http.Request) (*Request, error) {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
		if err != nil {
			return nil, fmt.Errorf("awsquery: reading body: %w", err)
		}
		if len(b) > MaxBody {
			return nil, ErrTooLarge
		}
		body = b
	}
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("awsquery: query string: %w", err)
	}
	if r.Method == http.MethodPost && len(body) > 0 {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("awsquery: form body: %w", err)
		}
		for k, v := range form {
			params[k] = v
		}
	}
	return &Request{Params: params, Body: body}, nil
}

// List returns the members of a list parameter (Name.member.1, Name.member.2, …) in index
// order, and ok=false when an index is malformed or a value is repeated.
func (r *Request) List(name string) ([]string, bool) {
	prefix := name + ".member."
	type item struct {
		i int
		v string
	}
	var items []item
	for k, vs := range r.Params {
		rest, found := strings.CutPrefix(k, prefix)
		if !found {
			continue
		}
		i, err := strconv.Atoi(rest)
		if err != nil || i < 1 || len(vs) != 1 {
			return nil, false
		}
		items = append(items, item{i, vs[0]})
	}
	sort.Slice(items, func(a, b int) bool { return items[a].i < items[b].i })
	out := make([]string, len(items))
	for j, it := range items {
		out[j] = it.v
	}
	return out, true
}

// Structs returns the members of a list of structures (Name.member.N.Field) in index order,
// each a map from field to value.
func (r *Request) Structs(name string) ([]map[string]string, bool) {
	prefix := name + ".member."
	byIndex := map[int]map[string]string{}
	for k, vs := range r.Params {
		rest, found := strings.CutPrefix(k, prefix)
		if !found {
			continue
		}
		idx, field, ok := strings.Cut(rest, ".")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || i < 1 || len(vs) != 1 {
			return nil, false
		}
		if byIndex[i] == nil {
			byIndex[i] = map[string]string{}
		}
		byIndex[i][field] = vs[0]
	}
	idx := make([]int, 0, len(byIndex))
	for i := range byIndex {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]map[string]string, len(idx))
	for j, i := range idx {
		out[j] = byIndex[i]
	}
	return out, true
}

// Error is one error of a query service's catalogue.
type Error struct {
	Code    string
	Message string
	Status  int
	// Receiver marks a server fault (Type Receiver); otherwise Sender.
	Receiver bool
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Error     errorBody
	RequestID string `xml:"RequestId"`
}

type errorBody struct {
	Type    string
	Code    string
	Message string
}

// WriteError renders e as the query protocol's ErrorResponse, with the request id as a sibling
// of Error, in namespace ns.
func WriteError(w http.ResponseWriter, ns string, e *Error, requestID string) {
	typ := "Sender"
	if e.Receiver {
		typ = "Receiver"
	}
	writeXML(w, e.Status, errorResponse{Xmlns: ns, Error: errorBody{typ, e.Code, e.Message}, RequestID: requestID})
}

type metadata struct {
	RequestID string `xml:"RequestId"`
}

type response struct {
	XMLName  xml.Name
	Xmlns    string `xml:"xmlns,attr"`
	Result   any
	Metadata metadata `xml:"ResponseMetadata"`
}

// resultElem wraps a result so that it is rendered as <ActionResult>.
type resultElem struct {
	name  string
	inner any
}

func (r resultElem) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.EncodeElement(r.inner, xml.StartElement{Name: xml.Name{Local: r.name}})
}

// WriteResult renders a successful response <ActionResponse xmlns=ns><ActionResult>…
// </ActionResult><ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>. A nil
// result renders no Result element, as operations without output do.
func WriteResult(w http.ResponseWriter, ns, action string, result any, requestID string) {
	if a, ok := result.(Appender); ok {
		writeAppended(w, ns, action, a, requestID)
		return
	}
	resp := response{XMLName: xml.Name{Local: action + "Response"}, Xmlns: ns, Metadata: metadata{requestID}}
	if result != nil {
		resp.Result = resultElem{action + "Result", result}
	}
	writeXML(w, http.StatusOK, resp)
}

func writeXML(w http.ResponseWriter, status int, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, "internal error rendering the response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(out)))
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	w.Write(out)
}

// Appender is a result that renders its own XML content (the elements inside
// <ActionResult>), for hot paths where reflection costs too much. Its output must equal what
// encoding/xml renders for it; a test of each implementation compares them.
type Appender interface {
	AppendXML(b []byte) []byte
}

// AppendElement appends <name>escaped text</name>, escaping as encoding/xml does.
func AppendElement(b []byte, name, text string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = appendEscaped(b, text)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		// Plain printable ASCII is written as is; anything else goes through encoding/xml so
		// the output stays identical to what it renders.
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\'' || c == '&' || c == '<' || c == '>' {
			var buf bytes.Buffer
			xml.EscapeText(&buf, []byte(s))
			return append(b, buf.Bytes()...)
		}
	}
	return append(b, s...)
}

// writeAppended renders an Appender result without reflection.
func writeAppended(w http.ResponseWriter, ns, action string, result Appender, requestID string) {
	b := make([]byte, 0, 4096)
	b = append(b, xml.Header...)
	b = append(b, '<')
	b = append(b, action...)
	b = append(b, `Response xmlns="`...)
	b = appendEscaped(b, ns)
	b = append(b, `"><`...)
	b = append(b, action...)
	b = append(b, "Result>"...)
	b = result.AppendXML(b)
	b = append(b, "</"...)
	b = append(b, action...)
	b = append(b, "Result><ResponseMetadata>"...)
	b = AppendElement(b, "RequestId", requestID)
	b = append(b, "</ResponseMetadata></"...)
	b = append(b, action...)
	b = append(b, "Response>"...)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}
