package sigv4

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Presign signs r in its query string (IAMUG create-signed-request, "query string"), valid
// for expires from now: it sets X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-Expires, X-Amz-SignedHeaders (host only), X-Amz-Security-Token when creds carry a
// session token, then X-Amz-Signature, and returns the URL. The payload is
// UNSIGNED-PAYLOAD, so it is for S3 (a GET of an object, typically). r's headers are not
// signed and its body is not read.
func Presign(r *http.Request, creds Credentials, region, service string, expires time.Duration, now time.Time) (string, error) {
	if err := checkSignInput(r, creds, region, service, UnsignedPayload); err != nil {
		return "", err
	}
	if service != "s3" {
		return "", errors.New("sigv4: Presign signs S3 requests only")
	}
	if expires <= 0 || expires > MaxPresignExpiry {
		return "", errors.New("sigv4: Presign: expiry must be between 1 second and 7 days")
	}
	t := now.UTC().Truncate(time.Second)
	a := &Auth{AccessKeyID: creds.AccessKeyID, Date: t.Format(scopeDateFormat), Region: region, Service: service,
		SignedHeaders: []string{"host"}, Time: t, Presigned: true}
	q := r.URL.Query()
	q.Set("X-Amz-Algorithm", Algorithm)
	q.Set("X-Amz-Credential", creds.AccessKeyID+"/"+a.Scope())
	q.Set("X-Amz-Date", t.Format(amzDateFormat))
	q.Set("X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10))
	q.Set("X-Amz-SignedHeaders", "host")
	q.Del("X-Amz-Signature")
	if creds.SessionToken != "" {
		q.Set(paramToken, creds.SessionToken)
	}
	r.URL.RawQuery = q.Encode()
	sts := a.stringToSign(r, canon{s3: true, payloadHash: UnsignedPayload})
	sig := hex.EncodeToString(hmacSHA256(signingKey(creds.SecretAccessKey, a.Date, region, service), sts))
	r.URL.RawQuery += "&X-Amz-Signature=" + sig
	return r.URL.String(), nil
}
