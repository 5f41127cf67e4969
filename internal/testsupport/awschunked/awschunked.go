// Package awschunked owns framing aws-chunked request bodies signed chunk by chunk
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD and its -TRAILER form), which no Go SDK sends, so
// that tests can send them, and tamper with them, the same way everywhere. It knows no
// inkan package: the chain is seeded from a request already signed by any SigV4 signer.
// See https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html.
package awschunked

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
)

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Signer signs chunks in a chain seeded by the request's header signature.
type Signer struct {
	key         []byte
	date, scope string
	prev        string
}

// NewSigner reads the seed signature, date and scope from req's Authorization and
// X-Amz-Date headers and derives the signing key from secret.
func NewSigner(req *http.Request, secret string) *Signer {
	auth := req.Header.Get("Authorization")
	sig := auth[strings.LastIndex(auth, "Signature=")+len("Signature="):]
	cred := auth[strings.Index(auth, "Credential=")+len("Credential=") : strings.Index(auth, ",")]
	scope := cred[strings.Index(cred, "/")+1:]
	parts := strings.Split(scope, "/")
	k := mac([]byte("AWS4"+secret), parts[0])
	for _, p := range parts[1:] {
		k = mac(k, p)
	}
	return &Signer{key: k, date: req.Header.Get("X-Amz-Date"), scope: scope, prev: sig}
}

func mac(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Chunk frames one chunk; the final, empty chunk of a trailer body ends at its header line,
// the trailer lines following at once.
func (s *Signer) Chunk(data []byte) string {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + s.date + "\n" + s.scope + "\n" + s.prev + "\n" + emptySHA256 + "\n" + sha256Hex(data)
	s.prev = hex.EncodeToString(mac(s.key, sts))
	head := strconv.FormatInt(int64(len(data)), 16) + ";chunk-signature=" + s.prev + "\r\n"
	if len(data) == 0 {
		return head
	}
	return head + string(data) + "\r\n"
}

// Trailer frames the trailer line (name:value) with its signature and the body's end.
func (s *Signer) Trailer(line string) string {
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + s.date + "\n" + s.scope + "\n" + s.prev + "\n" + sha256Hex([]byte(line+"\n"))
	return line + "\r\n" + "x-amz-trailer-signature:" + hex.EncodeToString(mac(s.key, sts)) + "\r\n\r\n"
}

// CRC32 is data's x-amz-checksum-crc32 value.
func CRC32(data []byte) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], crc32.ChecksumIEEE(data))
	return base64.StdEncoding.EncodeToString(b[:])
}
