package sigv4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// The example of https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html, with
// the signatures aws-c-auth's chunked-signing tests pin (tests/sigv4_signing_tests.c): a
// 66,560-byte object of 'a' in a 64 KiB chunk and a 1 KiB chunk.
const (
	docAccessKey   = "AKIAIOSFODNN7EXAMPLE"
	docSecret      = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	docSeed        = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	docChunk1Sig   = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
	docChunk2Sig   = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
	docFinalSig    = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
	docTrailerSig  = "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c"
	docAmzDate     = "20130524T000000Z"
	docScope       = "20130524/us-east-1/s3/aws4_request"
	docSignedHeads = "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class"
)

func docTime() time.Time { return time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC) }

func docBody() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "10000;chunk-signature=%s\r\n%s\r\n", docChunk1Sig, strings.Repeat("a", 65536))
	fmt.Fprintf(&b, "400;chunk-signature=%s\r\n%s\r\n", docChunk2Sig, strings.Repeat("a", 1024))
	fmt.Fprintf(&b, "0;chunk-signature=%s\r\n\r\n", docFinalSig)
	return b.Bytes()
}

func docRequest(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPut, "http://s3.amazonaws.com/examplebucket/chunkObject.txt", bytes.NewReader(body))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+docAccessKey+"/"+docScope+
		", SignedHeaders="+docSignedHeads+", Signature="+docSeed)
	r.Header.Set("X-Amz-Date", docAmzDate)
	r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	r.Header.Set("X-Amz-Content-Sha256", StreamingPayload)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return r
}

func docOptions() Options {
	return Options{Now: docTime, S3: true, Region: "us-east-1"}
}

func TestTheS3DocumentationStreamingExampleVerifies(t *testing.T) {
	body := docBody()
	if len(body) != 66824 {
		t.Fatalf("the example body is %d bytes, the documentation says 66824", len(body))
	}
	r := docRequest(body)
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Verify(r, a, docSecret, docOptions())
	if err != nil {
		t.Fatalf("the seed signature does not verify: %v", err)
	}
	b, err := v.Body(r.Body, r.ContentLength)
	if err != nil {
		t.Fatal(err)
	}
	if b.DecodedLength() != 66560 {
		t.Fatalf("DecodedLength = %d", b.DecodedLength())
	}
	got, err := io.ReadAll(b)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	if !bytes.Equal(got, bytes.Repeat([]byte("a"), 66560)) {
		t.Fatalf("decoded %d bytes that are not the object", len(got))
	}
	if b.Trailers() != nil {
		t.Fatal("a body without trailers reports trailers")
	}
	// The test encoder reproduces the documented body exactly, which anchors its use below.
	s := &chunkSigner{key: v.key, amzDate: docAmzDate, scope: docScope, prev: docSeed}
	if enc := encodeChunked(bytes.Repeat([]byte("a"), 66560), 65536, StreamingPayload, s); !bytes.Equal(enc, body) {
		t.Fatal("the test encoder does not reproduce the documented body")
	}
}

// aws-c-auth signs the trailers first:1st, second:2nd, third:3rd after the example's final
// chunk and publishes the trailer signature.
func TestTheAWSCRTTrailerSignatureVerifies(t *testing.T) {
	body := docBody()
	body = append(body[:len(body)-2], "first:1st\r\nsecond: 2nd \r\nthird:3rd\r\nx-amz-trailer-signature:"+docTrailerSig+"\r\n\r\n"...)
	c := &chunkReader{
		src: bufioReader(body), want: 66560, signedChunks: true, trailer: true, signedTrailer: true,
		key: signingKey(docSecret, "20130524", "us-east-1", "s3"), amzDate: docAmzDate, scope: docScope,
		prev: docSeed, h: sha256New(), declared: []string{"first", "second", "third"},
	}
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	if len(got) != 66560 {
		t.Fatalf("decoded %d bytes", len(got))
	}
	if c.trailers.Get("Second") != "2nd" || len(c.trailers) != 3 {
		t.Fatalf("trailers = %v (the whitespace around a value is not part of it)", c.trailers)
	}
}

// streamRequest signs a streaming PUT's headers with aws-sdk-go-v2 and frames data with
// the test encoder; it returns the request as a server would receive it.
func streamRequest(t *testing.T, data []byte, mode string, chunk int, trailers ...[2]string) (*http.Request, *chunkSigner) {
	t.Helper()
	hdr := http.Header{}
	hdr.Set("X-Amz-Content-Sha256", mode)
	hdr.Set("Content-Encoding", "aws-chunked")
	hdr.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	var names []string
	for _, tr := range trailers {
		names = append(names, tr[0])
	}
	if len(names) > 0 {
		hdr.Set("X-Amz-Trailer", strings.Join(names, ","))
	}
	signed := sdkSign(t, http.MethodPut, "http://127.0.0.1:9000/bucket/streamed", hdr, mode, "s3", sdkCreds(), testTime())
	a, err := Parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	s := &chunkSigner{key: signingKey(testSecret, a.Date, a.Region, a.Service),
		amzDate: a.Time.Format(amzDateFormat), scope: a.Scope(), prev: a.Signature}
	body := encodeChunked(data, chunk, mode, s, trailers...)
	return serverSide(signed, body), s
}

func readStream(t *testing.T, r *http.Request) ([]byte, *Body, error) {
	t.Helper()
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Verify(r, a, testSecret, Options{Now: testTime, S3: true})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	b, err := v.Body(r.Body, r.ContentLength)
	if err != nil {
		return nil, nil, err
	}
	got, err := io.ReadAll(b)
	return got, b, err
}

func TestEveryStreamingModeDecodesAndVerifies(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 10000)
	crc := [2]string{"x-amz-checksum-crc32", "AAAAAA=="}
	cases := []struct {
		mode     string
		chunk    int
		trailers [][2]string
	}{
		{StreamingPayload, 65536, nil},
		{StreamingPayload, len(data), nil},
		{StreamingPayloadTrailer, 8192, [][2]string{crc}},
		{StreamingUnsignedPayloadTrail, 65536, [][2]string{crc}},
		{StreamingUnsignedPayloadTrail, 1 << 20, [][2]string{crc}},
		{StreamingUnsignedPayloadTrail, 1000, nil},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%d", c.mode, c.chunk), func(t *testing.T) {
			r, _ := streamRequest(t, data, c.mode, c.chunk, c.trailers...)
			got, b, err := readStream(t, r)
			if err != nil {
				t.Fatalf("reading: %v", err)
			}
			if !bytes.Equal(got, data) {
				t.Fatal("decoded payload differs")
			}
			for _, tr := range c.trailers {
				if b.Trailers().Get(tr[0]) != tr[1] {
					t.Fatalf("trailer %s = %q", tr[0], b.Trailers().Get(tr[0]))
				}
			}
			if b.Trailers().Get("x-amz-trailer-signature") != "" {
				t.Fatal("the trailer signature is exposed as a trailer")
			}
		})
	}
}

func TestAnEmptyStreamedBodyHasOnlyTheFinalChunk(t *testing.T) {
	for _, mode := range []string{StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrail} {
		r, _ := streamRequest(t, nil, mode, 65536)
		got, _, err := readStream(t, r)
		if err != nil || len(got) != 0 {
			t.Fatalf("%s: %q, %v", mode, got, err)
		}
	}
}

// mutate rewrites a correctly framed streamed request's body.
func mutated(t *testing.T, mode string, trailers [][2]string, edit func([]byte) []byte) error {
	t.Helper()
	data := bytes.Repeat([]byte("x"), 20000)
	r, _ := streamRequest(t, data, mode, 8192, trailers...)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	body = edit(body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	got, _, err := readStream(t, r)
	if err == nil {
		t.Fatalf("the altered body was accepted (%d bytes)", len(got))
	}
	if len(got) > len(data) {
		t.Fatalf("%d bytes were delivered, more than the %d announced", len(got), len(data))
	}
	return err
}

func TestAlteredStreamsNeverReachEOF(t *testing.T) {
	crc := [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}}
	replace := func(old, new string) func([]byte) []byte {
		return func(b []byte) []byte { return bytes.Replace(b, []byte(old), []byte(new), 1) }
	}
	cases := []struct {
		name     string
		mode     string
		trailers [][2]string
		edit     func([]byte) []byte
		want     error
	}{
		{"a changed data byte", StreamingPayload, nil, replace("xxxx", "xxxy"), ErrSignatureMismatch},
		{"a changed chunk signature", StreamingPayload, nil, func(b []byte) []byte {
			i := bytes.Index(b, []byte("chunk-signature=")) + 16
			if b[i] == '0' {
				b[i] = '1'
			} else {
				b[i] = '0'
			}
			return b
		}, ErrSignatureMismatch},
		{"chunks swapped by a changed size", StreamingPayload, nil, replace("2000;", "1fff;"), ErrChunkEncoding},
		{"a changed trailer value", StreamingPayloadTrailer, crc, replace("AAAAAA==", "AAAAAB=="), ErrSignatureMismatch},
		{"a removed trailer signature", StreamingPayloadTrailer, crc, func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-trailer-signature"))
			return append(b[:i], "\r\n"...)
		}, ErrSignatureMismatch},
		{"a cut body", StreamingPayload, nil, func(b []byte) []byte { return b[:len(b)/2] }, ErrIncompleteBody},
		{"a body cut inside a line", StreamingPayload, nil, func(b []byte) []byte {
			return b[:bytes.LastIndex(b, []byte("0;chunk"))+5]
		}, ErrIncompleteBody},
		{"an empty body", StreamingPayload, nil, func([]byte) []byte { return nil }, ErrIncompleteBody},
		{"no empty line after the final chunk", StreamingPayload, nil, func(b []byte) []byte { return b[:len(b)-2] }, ErrIncompleteBody},
		{"data after the final chunk", StreamingPayload, nil, func(b []byte) []byte { return append(b, 'z') }, ErrChunkEncoding},
		{"an undeclared trailer", StreamingUnsignedPayloadTrail, crc, replace("x-amz-checksum-crc32:", "x-amz-checksum-sha256:"), ErrChunkEncoding},
		{"a missing declared trailer", StreamingUnsignedPayloadTrail, crc, func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-checksum-crc32"))
			return append(b[:i], "\r\n"...)
		}, ErrChunkEncoding},
		{"a bare LF", StreamingUnsignedPayloadTrail, crc, replace("\r\n", "\n"), ErrChunkEncoding},
		{"a size that is not hex", StreamingUnsignedPayloadTrail, crc, replace("2000\r\n", "2g00\r\n"), ErrChunkEncoding},
		{"a negative size", StreamingUnsignedPayloadTrail, crc, replace("2000\r\n", "-2000\r\n"), ErrChunkEncoding},
		{"a signed chunk without signature", StreamingPayload, nil, func(b []byte) []byte {
			i := bytes.Index(b, []byte(";chunk-signature="))
			return append(b[:i], b[i+81:]...)
		}, ErrChunkEncoding},
		{"data where the CRLF after a chunk belongs", StreamingUnsignedPayloadTrail, crc, replace("\r\n2000\r\n", "zz2000\r\n"), ErrChunkEncoding},
		{"an endless chunk header", StreamingUnsignedPayloadTrail, crc, func(b []byte) []byte {
			return append([]byte(strings.Repeat("0", 70000)), b...)
		}, ErrChunkEncoding},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := mutated(t, c.mode, c.trailers, c.edit); !errors.Is(err, c.want) {
				t.Fatalf("error = %v, want %v", err, c.want)
			}
		})
	}
}

func TestStreamsTolerateChunkExtensionsTrailerSpacesAndAMissingLastLine(t *testing.T) {
	crc := [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}}
	edits := map[string]func([]byte) []byte{
		"a chunk extension": func(b []byte) []byte {
			return bytes.Replace(b, []byte("2000\r\n"), []byte("2000;ext=1; other\r\n"), 1)
		},
		"spaces around a trailer value": func(b []byte) []byte {
			return bytes.Replace(b, []byte(":AAAAAA=="), []byte(":  AAAAAA==  "), 1)
		},
		"no empty line after the trailers": func(b []byte) []byte { return b[:len(b)-2] },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			data := bytes.Repeat([]byte("y"), 20000)
			r, _ := streamRequest(t, data, StreamingUnsignedPayloadTrail, 8192, crc...)
			body, _ := io.ReadAll(r.Body)
			body = edit(body)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			got, b, err := readStream(t, r)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%d bytes, %v", len(got), err)
			}
			if b.Trailers().Get("X-Amz-Checksum-Crc32") != "AAAAAA==" {
				t.Fatalf("trailers = %v", b.Trailers())
			}
		})
	}
}

func TestAStreamWhoseBodyFailsReturnsThatErrorNotEOF(t *testing.T) {
	data := bytes.Repeat([]byte("z"), 30000)
	r, _ := streamRequest(t, data, StreamingPayload, 8192)
	body, _ := io.ReadAll(r.Body)
	reset := errors.New("connection reset by peer")
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body[:12000]), iotest.ErrReader(reset)))
	_, _, err := readStream(t, r)
	if err != reset {
		t.Fatalf("error = %v, want the body's own error", err)
	}
}

func TestStreamedRequestsWithoutAUsableDecodedLengthAreRefused(t *testing.T) {
	for _, v := range []string{"", "-1", "ten", "1e3"} {
		r, _ := streamRequest(t, []byte("abc"), StreamingUnsignedPayloadTrail, 8192)
		a, _ := Parse(r)
		ver, err := Verify(r, a, testSecret, Options{Now: testTime, S3: true})
		if err != nil {
			t.Fatal(err)
		}
		ver.decodedLength = v
		if _, err := ver.Body(r.Body, r.ContentLength); !errors.Is(err, ErrMissingDecodedLength) {
			t.Errorf("x-amz-decoded-content-length %q: error = %v", v, err)
		}
	}
}

func TestADecodedLengthThatDisagreesWithTheChunksIsRefused(t *testing.T) {
	for _, delta := range []int{-1, +1} {
		data := bytes.Repeat([]byte("q"), 10000)
		r, _ := streamRequest(t, data, StreamingPayload, 4096)
		a, _ := Parse(r)
		v, err := Verify(r, a, testSecret, Options{Now: testTime, S3: true})
		if err != nil {
			t.Fatal(err)
		}
		v.decodedLength = strconv.Itoa(len(data) + delta)
		b, err := v.Body(r.Body, r.ContentLength)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(b)
		if delta < 0 && !errors.Is(err, ErrChunkEncoding) || delta > 0 && !errors.Is(err, ErrIncompleteBody) {
			t.Errorf("announced %+d bytes: error = %v", delta, err)
		}
	}
}

func TestAnEncodedBodyShorterThanItsPayloadIsRefusedAtOnce(t *testing.T) {
	r, _ := streamRequest(t, []byte("hello"), StreamingUnsignedPayloadTrail, 8192)
	a, _ := Parse(r)
	v, err := Verify(r, a, testSecret, Options{Now: testTime, S3: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Body(r.Body, 3); !errors.Is(err, ErrIncompleteBody) {
		t.Fatalf("error = %v", err)
	}
}

func TestMalformedTrailerDeclarationsAreRefused(t *testing.T) {
	for _, decl := range []string{"x-amz-trailer-signature", "x amz", strings.Repeat("a,", 9) + "a"} {
		if _, err := parseDeclaredTrailers(decl); !errors.Is(err, ErrChunkEncoding) {
			t.Errorf("x-amz-trailer %q: error = %v", decl, err)
		}
	}
	got, err := parseDeclaredTrailers(" X-Amz-Checksum-CRC32 , x-amz-checksum-sha256")
	if err != nil || len(got) != 2 || got[0] != "x-amz-checksum-crc32" {
		t.Fatalf("parseDeclaredTrailers = %v, %v", got, err)
	}
}

func TestStripAWSChunkedKeepsOnlyTheRealContentCodings(t *testing.T) {
	cases := map[string]string{
		"aws-chunked":               "",
		"aws-chunked,gzip":          "gzip",
		"gzip, AWS-Chunked, br":     "gzip, br",
		"":                          "",
		"identity":                  "identity",
		" aws-chunked , x-custom":   "x-custom",
		"deflate, gzip":             "deflate, gzip",
		"aws-chunked,deflate, gzip": "deflate, gzip",
	}
	for in, want := range cases {
		if got := StripAWSChunked(in); got != want {
			t.Errorf("StripAWSChunked(%q) = %q, want %q", in, got, want)
		}
	}
}
