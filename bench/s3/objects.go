package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

// payloadMode says how a PUT declares its body, as real clients do (aws-clients.md).
type payloadMode string

const (
	// payloadSHA256 signs the body's hex SHA-256 in x-amz-content-sha256: the AWS CLI and
	// the SDKs over plain HTTP. The server hashes every byte to check it.
	payloadSHA256 payloadMode = "sha256"
	// payloadUnsigned sends UNSIGNED-PAYLOAD with an x-amz-checksum-crc32 header, as the
	// SDKs' default checksum behaviour does for a buffered body. The server checks the CRC32.
	payloadUnsigned payloadMode = "unsigned"
)

func parsePayloadMode(s string) (payloadMode, error) {
	switch m := payloadMode(s); m {
	case payloadSHA256, payloadUnsigned:
		return m, nil
	}
	return "", fmt.Errorf("-payload %q: want %s or %s", s, payloadSHA256, payloadUnsigned)
}

// body is an object's bytes with what requests declare about them, computed once so the
// load tool spends its share of the CPU on requests, not on hashing.
type body struct {
	data   []byte
	sha256 string // hex
	crc32  string // base64 of the big-endian CRC32, as x-amz-checksum-crc32 carries it
	etag   string // quoted MD5, the ETag the server must answer
}

// newBody returns size pseudo-random bytes from seed.
func newBody(size int, seed uint64) *body {
	r := rand.New(rand.NewPCG(seed, ^seed))
	data := make([]byte, size+8)
	for i := 0; i < size; i += 8 {
		binary.LittleEndian.PutUint64(data[i:], r.Uint64())
	}
	data = data[:size:size]
	sum := sha256.Sum256(data)
	crc := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
	m := md5.Sum(data)
	return &body{data: data, sha256: hex.EncodeToString(sum[:]), crc32: base64.StdEncoding.EncodeToString(crc),
		etag: `"` + hex.EncodeToString(m[:]) + `"`}
}

// client sends SigV4-signed S3 requests with a session's credentials. It is safe for
// concurrent use.
type client struct {
	s       *session
	http    *http.Client
	mode    payloadMode
	anyETag bool // accept any ETag (-direct-any-etag)
}

// newHTTPClient returns a client keeping conns connections to the endpoint alive, with
// buffers large enough that a 4 KiB PUT leaves in one write and large GETs read in big
// slices.
func newHTTPClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute,
		DisableCompression: true, ReadBufferSize: 64 << 10, WriteBufferSize: 64 << 10}}
}

// request builds and signs a request for key with payload hash hash.
func (c *client) request(ctx context.Context, method, key string, data []byte, hash string, header http.Header) (*http.Request, error) {
	var rd io.Reader = http.NoBody
	if data != nil {
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.s.endpoint+"/"+c.s.bucket+"/"+key, rd)
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(len(data))
	for k, v := range header {
		req.Header[k] = v
	}
	if err := sigv4.Sign(req, c.s.creds, c.s.region, "s3", hash, time.Now()); err != nil {
		return nil, err
	}
	return req, nil
}

// do sends a signed request and returns the answer if it is a success (2xx); the caller
// closes its body.
func (c *client) do(ctx context.Context, method, key string, data []byte, hash string, header http.Header) (*http.Response, error) {
	req, err := c.request(ctx, method, key, data, hash, header)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, statusError(method, resp)
	}
	return resp, nil
}

// put stores b under key and checks the ETag the server answers.
func (c *client) put(ctx context.Context, key string, b *body) error {
	hash, header := b.sha256, http.Header{}
	if c.mode == payloadUnsigned {
		hash = sigv4.UnsignedPayload
		header.Set("X-Amz-Checksum-Crc32", b.crc32)
		header.Set("X-Amz-Sdk-Checksum-Algorithm", "CRC32")
	}
	resp, err := c.do(ctx, http.MethodPut, key, b.data, hash, header)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if got := resp.Header.Get("ETag"); got != b.etag && !c.anyETag {
		return fmt.Errorf("PUT %s: ETag %s, want %s", key, got, b.etag)
	}
	return nil
}

// get reads the whole of key into buf, slice after slice, and checks it holds size bytes.
func (c *client) get(ctx context.Context, key string, size int, buf []byte) error {
	resp, err := c.do(ctx, http.MethodGet, key, nil, sigv4.EmptyPayloadHash, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return readBody(key, resp.Body, size, buf)
}

// delete removes key.
func (c *client) delete(ctx context.Context, key string) error {
	resp, err := c.do(ctx, http.MethodDelete, key, nil, sigv4.EmptyPayloadHash, nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// readBody reads the answer to a GET of key to its end, slice after slice of buf, and
// checks it held size bytes; a reader that verifies what it reads reports a mismatch then.
func readBody(key string, body io.Reader, size int, buf []byte) error {
	n := 0
	for {
		m, err := body.Read(buf)
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("GET %s after %d bytes: %w", key, n, err)
		}
	}
	if n != size {
		return fmt.Errorf("GET %s: %d bytes, want %d", key, n, size)
	}
	return nil
}

// statusError describes an answer that is not 200 by its status and the start of its body
// (S3 error XML: a code and a message, never a secret).
func statusError(op string, resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Errorf("%s: status %d: %s", op, resp.StatusCode, bytes.TrimSpace(data))
}
