package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
