package sigv4

import (
	"encoding/hex"
	"strconv"
	"time"
)

// PostForm is the signature part of a browser POST upload form: the fields
// x-amz-algorithm, x-amz-credential, x-amz-date, x-amz-signature and
// x-amz-security-token, and the base64 policy they sign, as sent
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-authentication-HTTPPOST.html).
type PostForm struct {
	Algorithm, Credential, Date, Signature, SecurityToken, Policy string
}

// ParsePost reads the claims of a POST form, unverified. A form naming another algorithm
// is ErrUnsupportedAlgorithm; a malformed credential or date is ErrIncomplete.
func ParsePost(f PostForm) (*Auth, error) {
	if f.Algorithm != Algorithm {
		return nil, fail(ErrUnsupportedAlgorithm, "The form's x-amz-algorithm "+strconv.Quote(f.Algorithm)+" is not supported; expecting "+Algorithm+".")
	}
	a := &Auth{Signature: f.Signature, SecurityToken: f.SecurityToken}
	if err := a.setCredential(f.Credential, ErrIncomplete); err != nil {
		return nil, err
	}
	t, err := time.Parse(amzDateFormat, f.Date)
	if err != nil {
		return nil, fail(ErrIncomplete, `The form's x-amz-date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'".`)
	}
	a.Time = t
	return a, nil
}

// VerifyPost checks that the policy of a POST form was signed with secret: the string to
// sign is the base64 policy exactly as sent, the key the usual derivation for the
// credential scope, which must name S3, the form's date and o.Region when set
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html). The clock is
// not checked here: the policy's expiration bounds a form's life, and the caller checks it.
// The signature is compared in constant time.
func VerifyPost(a *Auth, policy, secret string, o Options) error {
	o.S3, o.Service = true, "s3"
	if _, err := o.check(a, secret); err != nil {
		return err
	}
	if err := checkScope(a, o, "s3"); err != nil {
		return err
	}
	key := derivedKeys.signingKey(secret, a.Date, a.Region, a.Service)
	if !signatureMatches(key, policy, a.Signature) {
		e := fail(ErrSignatureMismatch, mismatchMessage(true))
		e.StringToSign = policy
		return e
	}
	return nil
}

// SignPost returns the x-amz-signature of a POST form's base64 policy for the credential
// scope date/region/s3: what generate_presigned_post and createPresignedPost compute.
func SignPost(secret, date, region, policy string) string {
	return hex.EncodeToString(hmacSHA256(signingKey(secret, date, region, "s3"), policy))
}
