package s3

import (
	"bytes"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// CORS (reference §6, https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html): a
// bucket's rules are stored as a bucket setting ("cors") and served from the domain's
// snapshot, so checking a browser request costs no store round trip. A preflight OPTIONS is
// answered from the rules without authentication; an actual request carrying Origin gets
// the matching rule's headers before it is served, so that its errors carry them too, as
// S3's do.

// corsSetting is the bucket setting that holds the CORS configuration.
const corsSetting = "cors"

// S3's limits on a CORS configuration.
const (
	maxCORSRules = 100
	maxCORSSize  = 64 << 10
	maxCORSID    = 255
)

var (
	opPutCORS = operation{"PutBucketCors", "s3:PutBucketCORS", nil, (*Handler).putBucketCors}
	opGetCORS = operation{"GetBucketCors", "s3:GetBucketCORS", nil, (*Handler).getBucketCors}
	// DeleteBucketCors is authorized as s3:PutBucketCORS, as S3 documents it.
	opDeleteCORS = operation{"DeleteBucketCors", "s3:PutBucketCORS", nil, (*Handler).deleteBucketCors}
)

type corsConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	Xmlns   string     `xml:"xmlns,attr,omitempty"`
	Rules   []corsRule `xml:"CORSRule"`
}

type corsRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds"`
}

// putBucketCors validates and stores the configuration, in the form GetBucketCors answers.
func (h *Handler) putBucketCors(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	if !c.hasBodyChecksum() {
		return errMissingContentMD5.because("PutBucketCors needs Content-MD5 or an x-amz-checksum-* header or trailer", nil)
	}
	var cfg corsConfiguration
	return h.putSetting(c, corsSetting, maxCORSSize, &cfg, &cfg.Xmlns)
}

// settingDocument is the XML document of a bucket setting, validated before it is stored.
type settingDocument interface{ check() error }

// putSetting reads the request's document of at most maxSize bytes into doc, validates it
// and stores it as the bucket's setting name, in the form its GET answers (with the S3
// namespace, set through ns).
func (h *Handler) putSetting(c *call, name string, maxSize int64, doc settingDocument, ns *string) error {
	p, err := c.payload()
	if err != nil {
		return err
	}
	if err := decodeXML(io.LimitReader(p, maxSize+1), doc); err != nil {
		return err
	}
	if err := doc.check(); err != nil {
		return err
	}
	*ns = xmlns
	var out bytes.Buffer
	out.WriteString(xml.Header)
	if err := xml.NewEncoder(&out).Encode(doc); err != nil {
		return err
	}
	if err := h.o.Auth.PutBucketSetting(c.ctx, c.bucket, name, out.String()); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// check applies S3's rules: 1 to 100 rules, each with an origin and a method among GET,
// PUT, HEAD, POST and DELETE, at most one "*" per origin and per allowed header, an ID of
// at most 255 characters and a non-negative MaxAgeSeconds.
func (cfg *corsConfiguration) check() error {
	if n := len(cfg.Rules); n == 0 || n > maxCORSRules {
		return errMalformedXML.because("a CORS configuration holds 1 to 100 rules, not "+strconv.Itoa(n), nil)
	}
	for i, r := range cfg.Rules {
		where := "CORS rule " + strconv.Itoa(i+1)
		if len(r.AllowedOrigins) == 0 || len(r.AllowedMethods) == 0 || len(r.ID) > maxCORSID {
			return errMalformedXML.because(where+" needs an AllowedOrigin and an AllowedMethod, and an ID of at most 255 characters", nil)
		}
		for _, m := range r.AllowedMethods {
			switch m {
			case "GET", "PUT", "HEAD", "POST", "DELETE":
			default:
				e := errInvalidRequest.because(where+" names method "+strconv.Quote(m), nil)
				e.Message = "Found unsupported HTTP method in CORS config. Unsupported method is " + m
				return e
			}
		}
		for _, p := range append(append([]string(nil), r.AllowedOrigins...), r.AllowedHeaders...) {
			if strings.Count(p, "*") > 1 {
				e := errInvalidRequest.because(where+" has a pattern with more than one wildcard: "+strconv.Quote(p), nil)
				e.Message = `AllowedOrigin "` + p + `" can not have more than one wildcard.`
				return e
			}
		}
		if r.MaxAgeSeconds != nil && *r.MaxAgeSeconds < 0 {
			return errMalformedXML.because(where+" has a negative MaxAgeSeconds", nil)
		}
	}
	return nil
}

// getBucketCors answers the stored configuration, or NoSuchCORSConfiguration.
func (h *Handler) getBucketCors(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	doc, ok := h.o.Auth.BucketSetting(c.bucket, corsSetting)
	if !ok {
		return errNoSuchCORS.because("bucket "+c.bucket+" has no CORS configuration", nil).with(Field{"BucketName", c.bucket})
	}
	return writeRaw(c.w, doc)
}

// deleteBucketCors removes the configuration; 204 whether there was one or not.
func (h *Handler) deleteBucketCors(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	if err := h.o.Auth.DeleteBucketSetting(c.ctx, c.bucket, corsSetting); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// corsRules returns the bucket's rules, nil when it has none. A stored document that no
// longer parses counts as none: CORS only ever widens what a browser may read.
func (h *Handler) corsRules(bucket string) []corsRule {
	doc, ok := h.o.Auth.BucketSetting(bucket, corsSetting)
	return h.cors.rules(bucket, doc, ok, h.o.Logger)
}

// corsCache keeps each bucket's parsed rules with the document they came from, so that a
// browser's every request does not parse XML again; an entry is replaced when the document
// changes and dropped when the bucket has none, so it holds only configured buckets.
type corsCache struct {
	mu sync.Mutex
	m  map[string]parsedCORS
}

type parsedCORS struct {
	doc   string
	rules []corsRule
}

func (c *corsCache) rules(bucket, doc string, ok bool, log *slog.Logger) []corsRule {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !ok {
		delete(c.m, bucket)
		return nil
	}
	if e, hit := c.m[bucket]; hit && e.doc == doc {
		return e.rules
	}
	var cfg corsConfiguration
	if err := xml.Unmarshal([]byte(doc), &cfg); err != nil {
		log.Error("stored CORS configuration does not parse; the bucket answers no CORS request", "bucket", bucket, "err", err)
	}
	if c.m == nil {
		c.m = map[string]parsedCORS{}
	}
	c.m[bucket] = parsedCORS{doc: doc, rules: cfg.Rules}
	return cfg.Rules
}

// match returns the first rule allowing origin, method and every requested header.
func matchCORS(rules []corsRule, origin, method string, headers []string) *corsRule {
	for i := range rules {
		r := &rules[i]
		if r.allows(origin, method, headers) {
			return r
		}
	}
	return nil
}

func (r *corsRule) allows(origin, method string, headers []string) bool {
	if !anyMatch(r.AllowedOrigins, origin, false) {
		return false
	}
	if !containsString(r.AllowedMethods, method) {
		return false
	}
	for _, hd := range headers {
		if !anyMatch(r.AllowedHeaders, hd, true) {
			return false
		}
	}
	return true
}

// anyMatch reports whether v matches one of the patterns, each holding at most one "*".
// Header names compare case-insensitively; origins exactly (decision: S3 documents no
// folding of origins, and browsers send them in lower case).
func anyMatch(patterns []string, v string, fold bool) bool {
	if fold {
		v = strings.ToLower(v)
	}
	for _, p := range patterns {
		if fold {
			p = strings.ToLower(p)
		}
		prefix, suffix, wild := strings.Cut(p, "*")
		if !wild && p == v || wild && len(v) >= len(prefix)+len(suffix) && strings.HasPrefix(v, prefix) && strings.HasSuffix(v, suffix) {
			return true
		}
	}
	return false
}

func containsString(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// setCORSHeaders writes the headers of a matching rule: the allowed origin ("*" when the
// rule allows any origin, then without credentials), the rule's methods, exposed headers
// and max age, and Vary. Decision: Vary names Origin and both request headers on every
// answer to a CORS request of a bucket with rules, as S3 is observed to answer
// (scality/cloudserver#518), so that no cache serves one origin's answer to another.
func setCORSHeaders(h http.Header, r *corsRule, origin string) {
	h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
	if r == nil {
		return
	}
	if containsString(r.AllowedOrigins, "*") {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
	if len(r.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
	}
	if r.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(*r.MaxAgeSeconds))
	}
}

// corsActual adds the CORS headers to the answer of a request carrying Origin, before it
// is served: its method must be allowed for its origin; its headers are not checked (the
// preflight did that).
func (h *Handler) corsActual(c *call) {
	origin := c.header("Origin")
	if origin == "" || c.bucket == "" {
		return
	}
	rules := h.corsRules(c.bucket)
	if rules == nil {
		return
	}
	setCORSHeaders(c.w.Header(), matchCORS(rules, origin, c.r.Method, nil), origin)
}

// preflight answers OPTIONS from the bucket's rules, unauthenticated, as S3 does.
func (h *Handler) preflight(c *call) error {
	origin, method := c.header("Origin"), c.header("Access-Control-Request-Method")
	if c.bucket == "" {
		return errBadPreflight.because("a preflight names a bucket", nil)
	}
	if origin == "" {
		return errBadPreflight.because("the preflight has no Origin", nil)
	}
	if method == "" {
		e := errBadPreflight.because("the preflight has no Access-Control-Request-Method", nil)
		e.Message = "Invalid Access-Control-Request-Method: null"
		return e
	}
	rules := h.corsRules(c.bucket)
	if rules == nil {
		return errCORSDisabled.because("bucket "+c.bucket+" has no CORS configuration", nil)
	}
	var requested []string
	for _, v := range c.r.Header.Values("Access-Control-Request-Headers") {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				requested = append(requested, name)
			}
		}
	}
	r := matchCORS(rules, origin, method, requested)
	if r == nil {
		kind := "BUCKET"
		if c.key != "" {
			kind = "OBJECT"
		}
		return errCORSForbidden.because("no CORS rule of bucket "+c.bucket+" allows this origin, method and headers", nil).
			with(Field{"Method", method}, Field{"ResourceType", kind})
	}
	hdr := c.w.Header()
	setCORSHeaders(hdr, r, origin)
	if len(requested) > 0 {
		hdr.Set("Access-Control-Allow-Headers", strings.Join(requested, ", "))
	}
	hdr.Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
	return nil
}
