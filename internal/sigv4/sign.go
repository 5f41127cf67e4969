package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// EmptyPayloadHash is the hex SHA-256 of an empty body.
const EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// PayloadHash returns the hex SHA-256 of body: what a query service caller passes in
// Options.PayloadHash after reading the (bounded) body.
func PayloadHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signingKey derives kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region),
// service), "aws4_request").
func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, scopeTerminator)
}

// derivedKeys remembers the signing keys Verify derived: a client signs every request of a
// day with the same key, and deriving it again costs four HMACs of the request's five.
var derivedKeys = keyCache{m: make(map[[sha256.Size]byte][]byte)}

// maxDerivedKeys bounds derivedKeys (32 bytes of key each); beyond it an arbitrary entry
// makes room.
const maxDerivedKeys = 4096

// keyCache maps the SHA-256 of (secret, date, region, service) to their signing key. The
// digest, never the secret, is the map key: a lookup compares digests in variable time,
// which tells a caller nothing about a secret.
type keyCache struct {
	mu sync.RWMutex
	m  map[[sha256.Size]byte][]byte
}

func (c *keyCache) signingKey(secret, date, region, service string) []byte {
	var buf [192]byte
	b := buf[:0]
	for _, f := range [...]string{secret, date, region, service} { // length-prefixed: unambiguous
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	id := sha256.Sum256(b)
	c.mu.RLock()
	k, ok := c.m[id]
	c.mu.RUnlock()
	if ok {
		return k
	}
	k = signingKey(secret, date, region, service)
	c.mu.Lock()
	if len(c.m) >= maxDerivedKeys {
		for old := range c.m { // map iteration order is random
			delete(c.m, old)
			break
		}
	}
	c.m[id] = k
	c.mu.Unlock()
	return k
}

// stringToSign joins the algorithm line, the ISO 8601 time, the scope and the hex SHA-256 of
// the canonical text, one per line. Chunk and trailer strings to sign insert more lines
// before the hash; their callers pass them in middle.
func stringToSign(algorithm, amzDate, scope string, middle []string, hashed string) string {
	s := algorithm + "\n" + amzDate + "\n" + scope + "\n"
	for _, m := range middle {
		s += m + "\n"
	}
	return s + hashed
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// signatureMatches compares the hex signature a client sent with the one computed, in
// constant time.
func signatureMatches(key []byte, sts, claimed string) bool {
	want := hex.EncodeToString(hmacSHA256(key, sts))
	return hmac.Equal([]byte(want), []byte(claimed))
}

// Credentials are what a client signs with: an access key, its secret, and the session
// token of temporary credentials ("" for long-term keys).
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// isUnsignedHeader reports the headers a signer leaves out, as aws-sdk-go-v2 does: they are
// rewritten or dropped by proxies and transports, carry the signature (authorization), or
// are signed from elsewhere (host from r.Host, content-length from r.ContentLength).
func isUnsignedHeader(lower string) bool {
	switch lower {
	case "authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "host", "content-length":
		return true
	}
	return false
}

// Sign signs r for service in region with the Authorization header form of SigV4, as a
// client, at now. It is the counterpart of Verify and shares its canonicalisation, so
// everything Sign produces verifies.
//
// payloadHash is the payload line: the hex SHA-256 of the body (PayloadHash(body), or
// EmptyPayloadHash for none); for S3 also UnsignedPayload. It is required: Sign never reads
// r.Body. For service "s3" Sign sends it as x-amz-content-sha256, as S3 requires; query
// services (sts, iam) and inkan's own API sign the body's hash without the header.
//
// Sign sets X-Amz-Date, X-Amz-Security-Token when creds carry a session token, and
// Authorization, replacing any earlier values, so signing twice is signing once. It signs
// host, content-length when r.ContentLength > 0, and every header r carries except
// authorization, user-agent, x-amzn-trace-id, expect and transfer-encoding — the same set
// as aws-sdk-go-v2's signer — so headers must be set before Sign and left alone after. A
// Content-Length header is dropped: net/http sends r.ContentLength, which is what is signed.
// S3 paths are signed as they travel; other services' paths are normalised and encoded
// once more, as AWS requires.
func Sign(r *http.Request, creds Credentials, region, service, payloadHash string, now time.Time) error {
	return sign(r, creds, region, service, payloadHash, now, signingKey)
}

// Signer is Sign for a client that signs many requests with the same keys: it keeps the
// signing key of the last secret, date, region and service, so a request costs one HMAC
// of its string to sign instead of five. The zero Signer is ready; it is safe for
// concurrent use.
type Signer struct {
	mu                            sync.Mutex
	secret, date, region, service string
	key                           []byte
}

// Sign signs r as the package's Sign does.
func (s *Signer) Sign(r *http.Request, creds Credentials, region, service, payloadHash string, now time.Time) error {
	return sign(r, creds, region, service, payloadHash, now, s.signingKey)
}

func (s *Signer) signingKey(secret, date, region, service string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil || s.secret != secret || s.date != date || s.region != region || s.service != service {
		s.key = signingKey(secret, date, region, service)
		s.secret, s.date, s.region, s.service = secret, date, region, service
	}
	return s.key
}

func sign(r *http.Request, creds Credentials, region, service, payloadHash string, now time.Time,
	keyOf func(secret, date, region, service string) []byte) error {
	if err := checkSignInput(r, creds, region, service, payloadHash); err != nil {
		return err
	}
	s3 := service == "s3"
	t := now.UTC().Truncate(time.Second)
	r.Header.Del("Content-Length")
	r.Header.Set("X-Amz-Date", t.Format(amzDateFormat))
	if creds.SessionToken != "" {
		r.Header.Set(paramToken, creds.SessionToken)
	} else {
		r.Header.Del(paramToken)
	}
	if s3 {
		r.Header.Set(headerContentSHA, payloadHash)
	}
	a := &Auth{AccessKeyID: creds.AccessKeyID, Date: t.Format(scopeDateFormat), Region: region,
		Service: service, SignedHeaders: headersToSign(r), Time: t}
	sts := a.stringToSign(r, canon{s3: s3, payloadHash: payloadHash})
	a.Signature = hex.EncodeToString(hmacSHA256(keyOf(creds.SecretAccessKey, a.Date, region, service), sts))
	r.Header.Set("Authorization", Algorithm+" Credential="+a.AccessKeyID+"/"+a.Scope()+
		", SignedHeaders="+strings.Join(a.SignedHeaders, ";")+", Signature="+a.Signature)
	return nil
}

// checkSignInput refuses what would produce a signature no server accepts.
func checkSignInput(r *http.Request, creds Credentials, region, service, payloadHash string) error {
	switch {
	case r == nil || r.URL == nil:
		return errors.New("sigv4: Sign needs a request with a URL")
	case r.Host == "" && r.URL.Host == "":
		return errors.New("sigv4: Sign needs the request's host")
	case creds.AccessKeyID == "" || creds.SecretAccessKey == "":
		return errors.New("sigv4: Sign needs an access key id and a secret access key")
	case region == "" || service == "":
		return errors.New("sigv4: Sign needs a region and a service")
	case isHexSHA256(payloadHash), service == "s3" && payloadHash == UnsignedPayload:
		return nil
	}
	return fmt.Errorf("sigv4: Sign: payload hash %q is neither a hex SHA-256 nor, for S3, %s", payloadHash, UnsignedPayload)
}

// headersToSign lists, lower case and sorted, the headers Sign signs.
func headersToSign(r *http.Request) []string {
	names := []string{"host"}
	if r.ContentLength > 0 {
		names = append(names, "content-length")
	}
	for name := range r.Header {
		lower := strings.ToLower(name)
		if !isUnsignedHeader(lower) {
			names = append(names, lower)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
