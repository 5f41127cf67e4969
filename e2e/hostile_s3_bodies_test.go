package e2e

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// signedBody is a request signed with its body's SHA-256.
func (h *hostile) signedBody(method, target string, header http.Header, body []byte) []byte {
	return h.bytes(h.sign(h.req(method, target, header, body), "s3", hashHex(body), time.Time{}, ""))
}

func contentMD5(body []byte) http.Header {
	sum := md5.Sum(body)
	return http.Header{"Content-Md5": {base64.StdEncoding.EncodeToString(sum[:])}}
}

func deepXML(root, inner string, depth int) string {
	return "<" + root + ">" + strings.Repeat("<"+inner+">", depth) + strings.Repeat("</"+inner+">", depth) + "</" + root + ">"
}

const billionLaughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
	`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>`

func (h *hostile) xmlCases() []hostileCase {
	var cs []hostileCase
	create := map[string]string{
		"100,000 nested unknown elements":   deepXML("CreateBucketConfiguration", "a", 100_000),
		"an unknown element":                "<CreateBucketConfiguration><Colour>blue</Colour></CreateBucketConfiguration>",
		"an unknown element in Location":    "<CreateBucketConfiguration><Location><Floor>3</Floor></Location></CreateBucketConfiguration>",
		"nesting inside LocationConstraint": "<CreateBucketConfiguration><LocationConstraint><a><b/></a></LocationConstraint></CreateBucketConfiguration>",
		"an unclosed document":              "<CreateBucketConfiguration><LocationConstraint>",
		"text that is not XML":              "location=us-east-1",
		"another root element":              "<Delete><Object><Key>seed</Key></Object></Delete>",
		"an entity expansion":               billionLaughs + "<CreateBucketConfiguration><LocationConstraint>&lol3;</LocationConstraint></CreateBucketConfiguration>",
		"an undefined entity":               "<CreateBucketConfiguration><LocationConstraint>&xxe;</LocationConstraint></CreateBucketConfiguration>",
		"a NUL byte":                        "<CreateBucketConfiguration>\x00</CreateBucketConfiguration>",
	}
	i := 0
	for name, body := range create {
		i++
		cs = append(cs, hostileCase{name: "S3 CreateBucket with " + name, raw: h.signedBody(http.MethodPut, fmt.Sprintf("/xml-bucket-%d", i), nil, []byte(body)),
			status: 400, code: "MalformedXML"})
	}
	del := map[string]string{
		"a malformed document":              "<Delete><Object><Key>seed</Key></Object>",
		"100,000 nested elements":           deepXML("Delete", "Object", 100_000),
		"more than 1,000 keys":              "<Delete>" + strings.Repeat("<Object><Key>seed</Key></Object>", 1001) + "</Delete>",
		"no object":                         "<Delete></Delete>",
		"an entity expansion":               billionLaughs + "<Delete><Object><Key>&lol3;</Key></Object></Delete>",
		"another root element":              "<CompleteMultipartUpload></CompleteMultipartUpload>",
		"an empty body":                     "",
		"an object without a key, deep too": "<Delete><Object><Key><a><b><c><d><e><f><g>x</g></f></e></d></c></b></a></Key></Object></Delete>",
	}
	for name, body := range del {
		cs = append(cs, hostileCase{name: "S3 DeleteObjects with " + name, raw: h.signedBody(http.MethodPost, "/hostile?delete", contentMD5([]byte(body)), []byte(body)),
			status: 400, code: "MalformedXML"})
	}
	seedOnly := []byte("<Delete><Object><Key>seed</Key></Object></Delete>")
	cs = append(cs,
		hostileCase{name: "S3 DeleteObjects without Content-MD5", raw: h.signedBody(http.MethodPost, "/hostile?delete", nil, seedOnly), status: 400, code: "InvalidRequest"},
		hostileCase{name: "S3 DeleteObjects with another body's Content-MD5", raw: h.signedBody(http.MethodPost, "/hostile?delete", contentMD5([]byte("other")), seedOnly), status: 400, code: "BadDigest"},
	)
	complete := "/hostile/pending?uploadId=" + h.uploadID
	for _, c := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"a malformed document", "<CompleteMultipartUpload><Part>", 400, "MalformedXML"},
		{"100,000 nested elements", deepXML("CompleteMultipartUpload", "Part", 100_000), 400, "MalformedXML"},
		{"no part", "<CompleteMultipartUpload></CompleteMultipartUpload>", 400, "MalformedXML"},
		{"a part never uploaded", `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"0123456789abcdef0123456789abcdef"</ETag></Part></CompleteMultipartUpload>`, 400, "InvalidPart"},
		{"parts out of order", `<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>"a"</ETag></Part><Part><PartNumber>1</PartNumber><ETag>"b"</ETag></Part></CompleteMultipartUpload>`, 400, "InvalidPartOrder"},
		{"part number 0", `<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>`, 400, "InvalidArgument"},
		{"part number 10001", `<CompleteMultipartUpload><Part><PartNumber>10001</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>`, 400, "InvalidArgument"},
		{"a part number that is no number", `<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>`, 400, "MalformedXML"},
		{"an entity expansion", billionLaughs + "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&lol3;</ETag></Part></CompleteMultipartUpload>", 400, "MalformedXML"},
	} {
		cs = append(cs, hostileCase{name: "S3 CompleteMultipartUpload with " + c.name, raw: h.signedBody(http.MethodPost, complete, nil, []byte(c.body)), status: c.status, code: c.code})
	}
	cs = append(cs, hostileCase{name: "S3 CompleteMultipartUpload of an unknown upload", raw: h.signedBody(http.MethodPost, "/hostile/pending?uploadId=not-an-upload", nil,
		[]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>`)), status: 404, code: "NoSuchUpload"})
	for name, body := range map[string]string{
		"text that is not JSON":   "not json",
		"JSON nested 10,000 deep": strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		"an unknown field":        `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::hostile/*","Colour":"blue"}]}`,
		"an unknown version":      `{"Version":"2099-01-01","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::hostile/*"}]}`,
		"an empty document":       "",
		"a bare string":           `"policy"`,
	} {
		cs = append(cs, hostileCase{name: "S3 PutBucketPolicy with " + name, raw: h.signedBody(http.MethodPut, "/hostile?policy", nil, []byte(body)), status: 400, code: "MalformedPolicy"})
	}
	return cs
}

// streaming is a PutObject signed for an aws-chunked body, with the raw body as given.
func (h *hostile) streaming(key, sha string, header http.Header, body string) []byte {
	if header == nil {
		header = http.Header{}
	}
	header.Set("Content-Encoding", "aws-chunked")
	r := h.sign(h.req(http.MethodPut, "/hostile/"+key, header, []byte(body)), "s3", sha, time.Time{}, "")
	return h.bytes(r)
}

func (h *hostile) chunkedCases() []hostileCase {
	sig := strings.Repeat("0", 64)
	decoded := func(n string) http.Header { return http.Header{"X-Amz-Decoded-Content-Length": {n}} }
	return []hostileCase{
		{name: "S3 aws-chunked without x-amz-decoded-content-length", raw: h.streaming("c1", streamingSHA, nil, "5;chunk-signature="+sig+"\r\nhello\r\n"), status: 411, code: "MissingContentLength"},
		{name: "S3 aws-chunked with a decoded length that is no number", raw: h.streaming("c2", streamingSHA, decoded("five"), "5;chunk-signature="+sig+"\r\nhello\r\n"), status: 411, code: "MissingContentLength"},
		{name: "S3 aws-chunked with a chunk size that is no hex", raw: h.streaming("c3", streamingSHA, decoded("5"), "zz;chunk-signature="+sig+"\r\nhello\r\n"), status: 400, code: "InvalidRequest"},
		{name: "S3 aws-chunked with a wrong chunk signature", raw: h.streaming("c4", streamingSHA, decoded("5"), "5;chunk-signature="+sig+"\r\nhello\r\n0;chunk-signature="+sig+"\r\n\r\n"), status: 403, code: "SignatureDoesNotMatch"},
		{name: "S3 aws-chunked without chunk signatures", raw: h.streaming("c5", streamingSHA, decoded("5"), "5\r\nhello\r\n0\r\n\r\n"), status: 400, code: "InvalidRequest"},
		{name: "S3 aws-chunked with a huge chunk size", raw: h.streaming("c6", streamingSHA, decoded("5"), "ffffffffffffffff;chunk-signature="+sig+"\r\nhello\r\n"), status: 400, code: "InvalidRequest"},
		{name: "S3 aws-chunked that ends early", raw: h.streaming("c7", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", decoded("100"), "5\r\nhello\r\n"), status: 400, code: "IncompleteBody"},
		{name: "S3 unsigned aws-chunked with garbage framing", raw: h.streaming("c8", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", decoded("5"), "hello world, no framing at all"), status: 400, code: "IncompleteBody"},
		{name: "S3 unsigned aws-chunked with a malformed trailer", raw: h.streaming("c9", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", http.Header{"X-Amz-Decoded-Content-Length": {"5"}, "X-Amz-Trailer": {"x-amz-checksum-crc32"}}, "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:not base64!\r\n\r\n"), status: 400, code: "InvalidRequest"},
		{name: "S3 an unknown STREAMING payload", raw: h.streaming("c10", "STREAMING-AWS4-HMAC-SHA512-PAYLOAD", decoded("5"), "5\r\nhello\r\n0\r\n\r\n"), status: 400, code: "InvalidArgument"},
		{name: "S3 aws-chunked longer than declared", raw: h.streaming("c11", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", decoded("2"), "5\r\nhello\r\n0\r\n\r\n"), status: 400, code: "InvalidRequest"},
	}
}

func (h *hostile) headerCases() []hostileCase {
	body := []byte("x")
	put := func(key string, header http.Header) []byte {
		return h.signedBody(http.MethodPut, "/hostile/"+key, header, body)
	}
	get := func(target string, header http.Header) []byte {
		return h.signedBody(http.MethodGet, target, header, nil)
	}
	bigMeta := http.Header{"X-Amz-Meta-Big": {strings.Repeat("m", 3000)}}
	huge := strings.Replace(string(h.bytes(h.sign(h.req(http.MethodPut, "/hostile/huge", nil, nil), "s3", "UNSIGNED-PAYLOAD", time.Time{}, ""))),
		"Content-Length: 0", "Content-Length: 6442450944", 1)
	return []hostileCase{
		{name: "S3 PutObject with a Content-MD5 that is not base64", raw: put("h1", http.Header{"Content-Md5": {"not base64!"}}), status: 400, code: "InvalidDigest"},
		{name: "S3 PutObject with a Content-MD5 of 8 bytes", raw: put("h2", http.Header{"Content-Md5": {"AAAAAAAAAAA="}}), status: 400, code: "InvalidDigest"},
		{name: "S3 PutObject with another body's Content-MD5", raw: put("h3", contentMD5([]byte("y"))), status: 400, code: "BadDigest"},
		{name: "S3 PutObject with a CRC32 that is not base64", raw: put("h4", http.Header{"X-Amz-Checksum-Crc32": {"!!!"}}), status: 400, code: "InvalidRequest"},
		{name: "S3 PutObject with another body's CRC32", raw: put("h5", http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA=="}}), status: 400, code: "BadDigest"},
		{name: "S3 PutObject with two checksum headers", raw: put("h6", http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA=="}, "X-Amz-Checksum-Sha1": {"AAAAAAAAAAAAAAAAAAAAAAAAAAA="}}), status: 400, code: "InvalidRequest"},
		{name: "S3 PutObject asking for an unknown checksum algorithm", raw: put("h7", http.Header{"X-Amz-Sdk-Checksum-Algorithm": {"MD7"}}), status: 400, code: "InvalidRequest"},
		{name: "S3 PutObject with 3 KB of metadata", raw: put("h8", bigMeta), status: 400, code: "MetadataTooLarge"},
		{name: "S3 PutObject declaring 6 GiB", raw: []byte(huge), status: 400, code: "EntityTooLarge"},
		{name: "S3 CopyObject from a missing bucket", raw: put("h9", http.Header{"X-Amz-Copy-Source": {"/no-such-bucket/seed"}}), status: 404, code: "NoSuchBucket"},
		{name: "S3 CopyObject from a missing key", raw: put("h10", http.Header{"X-Amz-Copy-Source": {"/hostile/no-such-key"}}), status: 404, code: "NoSuchKey"},
		{name: "S3 UploadPart number 0", raw: put("pending?partNumber=0&uploadId="+h.uploadID, nil), status: 400, code: "InvalidArgument"},
		{name: "S3 UploadPart number 10001", raw: put("pending?partNumber=10001&uploadId="+h.uploadID, nil), status: 400, code: "InvalidArgument"},
		{name: "S3 UploadPart number that is no number", raw: put("pending?partNumber=one&uploadId="+h.uploadID, nil), status: 400, code: "InvalidArgument"},
		{name: "S3 UploadPart to an unknown upload", raw: put("pending?partNumber=1&uploadId=not-an-upload", nil), status: 404, code: "NoSuchUpload"},
		{name: "S3 ListObjectsV2 with max-keys -1", raw: get("/hostile?list-type=2&max-keys=-1", nil), status: 400, code: "InvalidArgument"},
		{name: "S3 ListObjectsV2 with max-keys that is no number", raw: get("/hostile?list-type=2&max-keys=many", nil), status: 400, code: "InvalidArgument"},
		{name: "S3 ListObjectsV2 with a forged continuation token", raw: get("/hostile?list-type=2&continuation-token=forged%21", nil), status: 400, code: "InvalidArgument"},
		{name: "S3 ListObjectsV2 with encoding-type base64", raw: get("/hostile?list-type=2&encoding-type=base64", nil), status: 400, code: "InvalidArgument"},
		{name: "S3 ListParts with max-parts -5", raw: get("/hostile/pending?uploadId="+h.uploadID+"&max-parts=-5", nil), status: 400, code: "InvalidArgument"},
		{name: "S3 GetObject of a range past the end", raw: get("/hostile/seed", http.Header{"Range": {"bytes=9999-"}}), status: 416, code: "InvalidRange"},
		{name: "S3 GetObject if-match another ETag", raw: get("/hostile/seed", http.Header{"If-Match": {`"0000"`}}), status: 412, code: "PreconditionFailed"},
		{name: "S3 GetObject of a missing key", raw: get("/hostile/no-such-key", nil), status: 404, code: "NoSuchKey"},
		{name: "S3 ListObjectsV2 of a missing bucket", raw: get("/no-such-bucket?list-type=2", nil), status: 404, code: "NoSuchBucket"},
		{name: "S3 DeleteBucket that is not empty", raw: h.signedBody(http.MethodDelete, "/hostile", nil, nil), status: 409, code: "BucketNotEmpty"},
		{name: "S3 CreateBucket that exists", raw: h.signedBody(http.MethodPut, "/hostile", nil, nil), status: 409, code: "BucketAlreadyOwnedByYou"},
		{name: "S3 anonymous PutObject", raw: h.bytes(h.req(http.MethodPut, "/hostile/anonymous", nil, body)), status: 403, code: "AccessDenied"},
		{name: "S3 anonymous ListBuckets", raw: h.bytes(h.req(http.MethodGet, "/", nil, nil)), status: 403, code: "AccessDenied"},
	}
}

// framingCases are requests net/http itself cannot parse: it answers them with its own
// plain-text 4xx before any protocol is known.
func (h *hostile) framingCases() []hostileCase {
	host := "Host: " + h.host + "\r\n"
	signedPut := string(h.signedBody(http.MethodPut, "/hostile/framed", nil, []byte("hello")))
	head, _, _ := strings.Cut(signedPut, "\r\n\r\n")
	// Signed without Content-Length (an empty UNSIGNED-PAYLOAD PUT), then framed as chunked.
	unsignedPut := string(h.bytes(h.sign(h.req(http.MethodPut, "/hostile/framed", nil, nil), "s3", "UNSIGNED-PAYLOAD", time.Time{}, "")))
	chunkedHead, _, _ := strings.Cut(strings.Replace(unsignedPut, "Content-Length: 0\r\n", "Transfer-Encoding: chunked\r\n", 1), "\r\n\r\n")
	cases := map[string]string{
		"no Host header":                     "GET /hostile HTTP/1.1\r\n\r\n",
		"a header without a colon":           "GET /hostile HTTP/1.1\r\n" + host + "NoColonHere\r\n\r\n",
		"a space before a header's colon":    "GET /hostile HTTP/1.1\r\n" + host + "X-Bad : 1\r\n\r\n",
		"a negative Content-Length":          "PUT /hostile/framed HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n",
		"a Content-Length that is no number": "PUT /hostile/framed HTTP/1.1\r\n" + host + "Content-Length: five\r\n\r\n",
		"two different Content-Lengths":      "PUT /hostile/framed HTTP/1.1\r\n" + host + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
		"a 70 KB header":                     "GET /hostile HTTP/1.1\r\n" + host + "X-Big: " + strings.Repeat("b", 70<<10) + "\r\n\r\n",
		"a NUL in a header value":            "GET /hostile HTTP/1.1\r\n" + host + "X-Nul: a\x00b\r\n\r\n",
		"a TLS ClientHello":                  "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + strings.Repeat("\x00", 40) + "\r\n\r\n",
		"a malformed escape in the path":     "GET /hostile/%zz HTTP/1.1\r\n" + host + "\r\n",
		"an obsolete folded header":          "GET /hostile HTTP/1.1\r\n" + host + "X-Folded: a\r\n b\r\n\r\n",
		"a request line of one word":         "GARBAGE\r\n\r\n",
	}
	var cs []hostileCase
	for name, raw := range cases {
		c := hostileCase{name: "HTTP " + name, raw: []byte(raw), status: 400, proto: protoHTTP}
		switch name {
		case "a 70 KB header":
			c.status = 431
		case "an obsolete folded header": // net/http unfolds it: an anonymous request S3 refuses
			c.status, c.code, c.proto = 403, "AccessDenied", protoS3
		}
		cs = append(cs, c)
	}
	// A signed PUT whose chunked framing breaks: the handler reads a broken body.
	cs = append(cs,
		hostileCase{name: "S3 PutObject with a chunk size that is no hex", raw: []byte(chunkedHead + "\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"), status: 400, code: "IncompleteBody"},
		hostileCase{name: "S3 PutObject whose chunked body stops early", raw: []byte(chunkedHead + "\r\n\r\n5\r\nhel"), status: 400, code: "IncompleteBody", halfClose: true},
		hostileCase{name: "S3 PutObject whose body is shorter than its Content-Length", raw: []byte(head + "\r\n\r\nhel"), status: 400, code: "IncompleteBody", halfClose: true},
	)
	return cs
}
