package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// s3Cases are the S3 requests of the hostile suite.
func (h *hostile) s3Cases() []hostileCase {
	var cs []hostileCase
	cs = append(cs, h.authCases()...)
	cs = append(cs, h.presignCases()...)
	cs = append(cs, h.keyCases()...)
	cs = append(cs, h.bucketNameCases()...)
	cs = append(cs, h.xmlCases()...)
	cs = append(cs, h.chunkedCases()...)
	cs = append(cs, h.headerCases()...)
	cs = append(cs, h.framingCases()...)
	return cs
}

// s3Target is a request the auth and presign forms are applied to.
type s3Target struct {
	name, method, path string
	body               []byte
}

var authTargets = []s3Target{
	{"ListObjectsV2", http.MethodGet, "/hostile?list-type=2", nil},
	{"PutObject", http.MethodPut, "/hostile/new-object", []byte("must not be stored")},
	{"DeleteObject", http.MethodDelete, "/hostile/seed", nil},
	{"ListBuckets", http.MethodGet, "/", nil},
	{"HeadObject", http.MethodHead, "/hostile/seed", nil},
}

// authForm turns a correctly signed request into a malformed one (or signs it badly).
type authForm struct {
	name   string
	status int
	code   string
	build  func(h *hostile, t s3Target) *http.Request
}

// signedAs is target t signed for S3, then changed by mutate.
func signedAs(h *hostile, t s3Target, mutate func(r *http.Request)) *http.Request {
	r := h.sign(h.req(t.method, t.path, nil, t.body), "s3", hashHex(t.body), time.Time{}, "")
	if mutate != nil {
		mutate(r)
	}
	return r
}

// setAuth replaces the Authorization header's text old with new.
func setAuth(old, new string) func(r *http.Request) {
	return func(r *http.Request) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
	}
}

// editSignedHeaders rewrites the SignedHeaders list of the Authorization header.
func editSignedHeaders(edit func([]string) []string) func(r *http.Request) {
	return func(r *http.Request) {
		a := r.Header.Get("Authorization")
		start := strings.Index(a, "SignedHeaders=") + len("SignedHeaders=")
		end := start + strings.Index(a[start:], ",")
		names := edit(strings.Split(a[start:end], ";"))
		r.Header.Set("Authorization", a[:start]+strings.Join(names, ";")+a[end:])
	}
}

func withAuth(value string) func(h *hostile, t s3Target) *http.Request {
	return func(h *hostile, t s3Target) *http.Request {
		return signedAs(h, t, func(r *http.Request) { r.Header["Authorization"] = []string{value} })
	}
}

func mutated(m func(r *http.Request)) func(h *hostile, t s3Target) *http.Request {
	return func(h *hostile, t s3Target) *http.Request { return signedAs(h, t, m) }
}

var authForms = []authForm{
	{"an empty Authorization", 400, "InvalidArgument", withAuth("")},
	{"a Bearer token", 400, "InvalidArgument", withAuth("Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln")},
	{"Basic credentials", 400, "InvalidArgument", withAuth("Basic dXNlcjpwYXNz")},
	{"a JWT without a scheme", 400, "InvalidArgument", withAuth("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")},
	{"AWS4-HMAC-SHA512", 400, "InvalidArgument", mutated(setAuth("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"))},
	{"SigV4a", 400, "InvalidRequest", mutated(setAuth("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"))},
	{"Signature Version 2", 400, "InvalidRequest", withAuth("AWS " + rootAccessKeyID + ":c2lnbmF0dXJl")},
	{"the scheme alone", 400, "AuthorizationHeaderMalformed", withAuth("AWS4-HMAC-SHA256")},
	{"no Signature", 400, "AuthorizationHeaderMalformed", mutated(func(r *http.Request) {
		a := r.Header.Get("Authorization")
		r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
	})},
	{"no Credential", 400, "AuthorizationHeaderMalformed", mutated(func(r *http.Request) {
		a := r.Header.Get("Authorization")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 "+a[strings.Index(a, "SignedHeaders="):])
	})},
	{"no SignedHeaders", 400, "AuthorizationHeaderMalformed", mutated(setAuth("SignedHeaders=", "Signed="))},
	{"an unknown field", 400, "AuthorizationHeaderMalformed", mutated(setAuth(", Signature=", ", Extra=1, Signature="))},
	{"a field repeated", 400, "AuthorizationHeaderMalformed", mutated(setAuth(", SignedHeaders=", ", Credential=x/y, SignedHeaders="))},
	{"a three-part credential", 400, "AuthorizationHeaderMalformed", mutated(setAuth("/s3/aws4_request", "/aws4_request"))},
	{"a scope for STS", 400, "AuthorizationHeaderMalformed", mutated(setAuth("/s3/aws4_request", "/sts/aws4_request"))},
	{"a bad terminator", 400, "AuthorizationHeaderMalformed", mutated(setAuth("/aws4_request", "/aws5_request"))},
	{"a malformed scope date", 400, "AuthorizationHeaderMalformed", mutated(func(r *http.Request) {
		setAuth("Credential="+rootAccessKeyID+"/", "Credential="+rootAccessKeyID+"/2020")(r)
	})},
	{"an unknown access key", 403, "InvalidAccessKeyId", func(h *hostile, t s3Target) *http.Request {
		return h.sign(h.req(t.method, t.path, nil, t.body), "s3", hashHex(t.body), time.Time{}, "AKIAUNKNOWNKEY000000")
	}},
	{"a tampered signature", 403, "SignatureDoesNotMatch", mutated(func(r *http.Request) {
		a := r.Header.Get("Authorization")
		last := a[len(a)-1]
		flip := byte('0')
		if last == '0' {
			flip = '1'
		}
		r.Header.Set("Authorization", a[:len(a)-1]+string(flip))
	})},
	{"a signature that is not hex", 403, "SignatureDoesNotMatch", mutated(func(r *http.Request) {
		a := r.Header.Get("Authorization")
		r.Header.Set("Authorization", a[:strings.Index(a, "Signature=")]+"Signature=not-hex-at-all")
	})},
	{"a date an hour ahead", 403, "RequestTimeTooSkewed", func(h *hostile, t s3Target) *http.Request {
		return h.sign(h.req(t.method, t.path, nil, t.body), "s3", hashHex(t.body), time.Now().Add(time.Hour), "")
	}},
	{"a date a day behind", 403, "RequestTimeTooSkewed", func(h *hostile, t s3Target) *http.Request {
		return h.sign(h.req(t.method, t.path, nil, t.body), "s3", hashHex(t.body), time.Now().Add(-24*time.Hour), "")
	}},
	{"a malformed X-Amz-Date", 400, "AuthorizationHeaderMalformed", mutated(func(r *http.Request) { r.Header.Set("X-Amz-Date", "2026-12-03T10:00:00Z") })},
	{"no date", 400, "AuthorizationHeaderMalformed", mutated(func(r *http.Request) { r.Header.Del("X-Amz-Date") })},
	{"no x-amz-content-sha256", 400, "InvalidRequest", mutated(func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") })},
	{"an x-amz-content-sha256 that is no hash", 400, "InvalidArgument", func(h *hostile, t s3Target) *http.Request {
		return h.sign(h.req(t.method, t.path, nil, t.body), "s3", "not-a-sha256", time.Time{}, "")
	}},
	{"a body that is not the signed one", 400, "XAmzContentSHA256Mismatch", func(h *hostile, t s3Target) *http.Request {
		return h.sign(h.req(t.method, t.path, nil, t.body), "s3", hashHex([]byte("another body")), time.Time{}, "")
	}},
	{"two Authorization headers", 400, "AuthorizationHeaderMalformed", mutated(func(r *http.Request) {
		r.Header["Authorization"] = append(r.Header["Authorization"], r.Header.Get("Authorization"))
	})},
	{"a header and a presigned query", 400, "InvalidArgument", mutated(func(r *http.Request) {
		r.URL.RawQuery += "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00"
		r.URL.RawQuery = strings.TrimPrefix(r.URL.RawQuery, "&")
	})},
	{"the host not signed", 400, "AuthorizationHeaderMalformed", mutated(editSignedHeaders(func(names []string) []string {
		var out []string
		for _, n := range names {
			if n != "host" {
				out = append(out, n)
			}
		}
		return out
	}))},
	{"upper-case signed headers", 400, "AuthorizationHeaderMalformed", mutated(editSignedHeaders(func(names []string) []string {
		for i := range names {
			names[i] = strings.ToUpper(names[i])
		}
		return names
	}))},
	{"a garbage session token", 400, "InvalidToken", func(h *hostile, t s3Target) *http.Request {
		return h.sign(h.req(t.method, t.path, http.Header{"X-Amz-Security-Token": {"garbage-token"}}, t.body), "s3", hashHex(t.body), time.Time{}, "")
	}},
	{"another expected bucket owner", 403, "AccessDenied", func(h *hostile, t s3Target) *http.Request {
		return h.sign(h.req(t.method, t.path, http.Header{"X-Amz-Expected-Bucket-Owner": {"999999999999"}}, t.body), "s3", hashHex(t.body), time.Time{}, "")
	}},
}

func (h *hostile) authCases() []hostileCase {
	var cs []hostileCase
	for _, f := range authForms {
		for _, t := range authTargets {
			c := hostileCase{name: "S3 " + t.name + " with " + f.name, raw: h.bytes(f.build(h, t)), status: f.status, code: f.code}
			if t.method == http.MethodHead {
				c.code = ""
			}
			cs = append(cs, c)
		}
	}
	return cs
}

// presignForm changes a presigned request's query.
type presignForm struct {
	name   string
	status int
	code   string
	build  func(h *hostile, t s3Target) *http.Request
}

// presigned presigns t at now+offset (taken when the case is built, not when the table is).
func presigned(offset, expires time.Duration, edit func(q string) string) func(h *hostile, t s3Target) *http.Request {
	return func(h *hostile, t s3Target) *http.Request {
		r := h.presign(h.req(t.method, t.path, nil, t.body), time.Now().Add(offset), expires)
		if edit != nil {
			r.URL.RawQuery = edit(r.URL.RawQuery)
		}
		return r
	}
}

// dropParam removes a query parameter from a raw query.
func dropParam(name string) func(q string) string {
	return func(q string) string {
		var keep []string
		for p := range strings.SplitSeq(q, "&") {
			if !strings.HasPrefix(p, name+"=") {
				keep = append(keep, p)
			}
		}
		return strings.Join(keep, "&")
	}
}

func replaceParam(name, value string) func(q string) string {
	return func(q string) string { return dropParam(name)(q) + "&" + name + "=" + value }
}

var presignForms = []presignForm{
	{"no X-Amz-Signature", 400, "AuthorizationQueryParametersError", presigned(0, time.Minute, dropParam("X-Amz-Signature"))},
	{"no X-Amz-Credential", 400, "AuthorizationQueryParametersError", presigned(0, time.Minute, dropParam("X-Amz-Credential"))},
	{"no X-Amz-Date", 400, "AuthorizationQueryParametersError", presigned(0, time.Minute, dropParam("X-Amz-Date"))},
	{"no X-Amz-SignedHeaders", 400, "AuthorizationQueryParametersError", presigned(0, time.Minute, dropParam("X-Amz-SignedHeaders"))},
	{"no X-Amz-Expires", 400, "AuthorizationQueryParametersError", presigned(0, time.Minute, dropParam("X-Amz-Expires"))},
	{"X-Amz-Algorithm AWS4-HMAC-SHA512", 400, "AuthorizationQueryParametersError", presigned(0, time.Minute, replaceParam("X-Amz-Algorithm", "AWS4-HMAC-SHA512"))},
	{"X-Amz-Algorithm SigV4a", 400, "AuthorizationQueryParametersError", presigned(0, time.Minute, replaceParam("X-Amz-Algorithm", "AWS4-ECDSA-P256-SHA256"))},
	{"X-Amz-Expires past seven days", 400, "AuthorizationQueryParametersError", presigned(0, 604801*time.Second, nil)},
	{"X-Amz-Expires negative", 400, "AuthorizationQueryParametersError", presigned(0, time.Minute, replaceParam("X-Amz-Expires", "-1"))},
	{"X-Amz-Expires not a number", 400, "AuthorizationQueryParametersError", presigned(0, time.Minute, replaceParam("X-Amz-Expires", "soon"))},
	{"an expired URL", 403, "AccessDenied", presigned(-2*time.Hour, time.Minute, nil)},
	{"a URL dated tomorrow", 403, "AccessDenied", presigned(24*time.Hour, time.Minute, nil)},
	{"a tampered signature", 403, "SignatureDoesNotMatch", presigned(0, time.Minute, replaceParam("X-Amz-Signature", strings.Repeat("0", 64)))},
	{"an unknown access key", 403, "InvalidAccessKeyId", presigned(0, time.Minute, func(q string) string {
		return strings.Replace(q, rootAccessKeyID, "AKIAUNKNOWNKEY000000", 1)
	})},
	{"a malformed credential", 400, "AuthorizationQueryParametersError", presigned(0, time.Minute, replaceParam("X-Amz-Credential", "garbage"))},
	{"two signatures", 400, "AuthorizationQueryParametersError", presigned(0, time.Minute, func(q string) string { return q + "&X-Amz-Signature=00" })},
	{"a Signature Version 2 query", 400, "InvalidRequest", func(h *hostile, t s3Target) *http.Request {
		r := h.req(t.method, t.path, nil, t.body)
		r.URL.RawQuery = strings.TrimPrefix(r.URL.RawQuery+"&AWSAccessKeyId="+rootAccessKeyID+"&Expires=9999999999&Signature=c2ln", "&")
		return r
	}},
}

func (h *hostile) presignCases() []hostileCase {
	var cs []hostileCase
	for _, f := range presignForms {
		for _, t := range authTargets[:3] {
			cs = append(cs, hostileCase{name: "S3 presigned " + t.name + " with " + f.name, raw: h.bytes(f.build(h, t)), status: f.status, code: f.code})
		}
	}
	return cs
}

// badKeyBytes are escaped key bytes that are not UTF-8 or hold NUL.
var badKeyBytes = []string{"%FF", "a%FFb", "%00", "a%00b", "%C0%AF", "a%C0%AFb", "%ED%A0%80", "a%ED%A0%80b", "%E2%82", "a%E2%82",
	"%80", "x%BFy", "%F8%88%80%80%80", "%FE", "%C3", "%F0%9F%98", "%ED%BF%BF", "%F4%90%80%80"}

func (h *hostile) keyCases() []hostileCase {
	var cs []hostileCase
	signed := func(method, target string, body []byte) []byte {
		return h.bytes(h.sign(h.req(method, target, nil, body), "s3", hashHex(body), time.Time{}, ""))
	}
	for _, k := range badKeyBytes {
		for _, m := range []struct{ name, method, suffix string }{
			{"PutObject", http.MethodPut, ""}, {"GetObject", http.MethodGet, ""}, {"DeleteObject", http.MethodDelete, ""},
			{"CreateMultipartUpload", http.MethodPost, "?uploads"}, {"HeadObject", http.MethodHead, ""},
		} {
			var body []byte
			if m.method == http.MethodPut {
				body = []byte("x")
			}
			c := hostileCase{name: fmt.Sprintf("S3 %s of key %s", m.name, k), raw: signed(m.method, "/hostile/"+k+m.suffix, body), status: 400, code: "InvalidURI"}
			if m.method == http.MethodHead {
				c.code = ""
			}
			cs = append(cs, c)
		}
		for _, p := range []string{"prefix", "delimiter", "start-after"} {
			cs = append(cs, hostileCase{name: fmt.Sprintf("S3 ListObjectsV2 with %s %s", p, k), raw: signed(http.MethodGet, "/hostile?list-type=2&"+p+"="+k, nil), status: 400, code: "InvalidURI"})
		}
	}
	long := strings.Repeat("k", 1025)
	cs = append(cs,
		hostileCase{name: "S3 PutObject of a 1025-byte key", raw: signed(http.MethodPut, "/hostile/"+long, []byte("x")), status: 400, code: "KeyTooLongError"},
		hostileCase{name: "S3 CreateMultipartUpload of a 1025-byte key", raw: signed(http.MethodPost, "/hostile/"+long+"?uploads", nil), status: 400, code: "KeyTooLongError"},
		hostileCase{name: "S3 ListMultipartUploads with key-marker %FF", raw: signed(http.MethodGet, "/hostile?uploads&key-marker=%FF", nil), status: 400, code: "InvalidURI"},
		hostileCase{name: "S3 ListObjects with marker %00", raw: signed(http.MethodGet, "/hostile?marker=%00", nil), status: 400, code: "InvalidURI"},
		hostileCase{name: "S3 CopyObject from a key %FF", raw: h.bytes(h.sign(h.req(http.MethodPut, "/hostile/copy", http.Header{"X-Amz-Copy-Source": {"/hostile/%FF"}}, nil), "s3", "", time.Time{}, "")), status: 400, code: "InvalidArgument"},
		hostileCase{name: "S3 CopyObject from no key", raw: h.bytes(h.sign(h.req(http.MethodPut, "/hostile/copy", http.Header{"X-Amz-Copy-Source": {"hostile"}}, nil), "s3", "", time.Time{}, "")), status: 400, code: "InvalidArgument"},
	)
	return cs
}

var badBucketNames = []string{"ab", strings.Repeat("b", 64), "UpperCase", "under_score", "192.168.1.1", "xn--punycode", "sthree-bucket",
	"ends-", "-starts", "two..dots", "bucket-s3alias", "bucket--ol-s3", "name.mrap", "dir--x-s3", "tab--table-s3", "space%20name", "amzn-s3-demo-x"}

func (h *hostile) bucketNameCases() []hostileCase {
	var cs []hostileCase
	for _, b := range badBucketNames {
		for _, m := range []struct{ name, method, suffix string }{
			{"CreateBucket", http.MethodPut, ""}, {"ListObjectsV2", http.MethodGet, "?list-type=2"}, {"PutObject", http.MethodPut, "/key"},
		} {
			cs = append(cs, hostileCase{name: fmt.Sprintf("S3 %s in bucket %q", m.name, b),
				raw: h.bytes(h.sign(h.req(m.method, "/"+b+m.suffix, nil, nil), "s3", "", time.Time{}, "")), status: 400, code: "InvalidBucketName"})
		}
	}
	return cs
}
