package devidp

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// RunnerTokenPath is the runner token endpoint, relative to the issuer URL. The runner
// URL carries api-version=2.0 like GitHub's, so clients append "&audience=…".
const RunnerTokenPath = "/actions/idtoken"

// requestTokenPrefix names the format of request tokens; a new format gets a new prefix.
const requestTokenPrefix = "inkanrt1"

// maxRequestTokenBytes bounds what verifyRequestToken reads, before any decoding.
const maxRequestTokenBytes = 32 << 10

// RunnerEnv is what a GitHub runner gives a job allowed to request ID tokens
// (`permissions: id-token: write`). The JSON form is the answer of POST /runner-env.
type RunnerEnv struct {
	RequestURL   string    `json:"ACTIONS_ID_TOKEN_REQUEST_URL"`   // already holds a '?'
	RequestToken string    `json:"ACTIONS_ID_TOKEN_REQUEST_TOKEN"` // a secret: mask it like a password
	ExpiresAt    time.Time `json:"expires_at"`                     // when RequestToken stops working
}

// Environ returns the two variables as NAME=value lines, in the form of os.Environ.
func (e RunnerEnv) Environ() []string {
	return []string{
		"ACTIONS_ID_TOKEN_REQUEST_URL=" + e.RequestURL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN=" + e.RequestToken,
	}
}

// RunnerEnv binds a job context to a new request token. GET on RequestURL with
// "&audience=X" and "Authorization: Bearer <RequestToken>" then answers a token for
// exactly this job, until the request token expires (6 h by default, as GitHub's).
//
// The request token is opaque to clients: the completed job context, the issuer and the
// expiry, signed with HMAC-SHA256 under the secret kept in the key directory, so any
// Issuer on the same directory and URL accepts it, and nobody can change the job.
func (i *Issuer) RunnerEnv(ctx JobContext) (RunnerEnv, error) {
	job, err := ctx.Job.Complete()
	if err != nil {
		return RunnerEnv{}, err
	}
	ctx.Job = job
	if _, err := githubSubject(job, job.claims(), ctx.SubjectTemplate); err != nil {
		return RunnerEnv{}, err // refuse now rather than on every token request
	}
	now := i.now()
	expires := now.Add(i.requestTTL)
	payload, err := json.Marshal(requestClaims{Issuer: i.url, IssuedAt: now.Unix(), Expires: expires.Unix(), Context: ctx})
	if err != nil {
		return RunnerEnv{}, fmt.Errorf("devidp: encode request token: %w", err)
	}
	secret, err := i.keys.requestSecret()
	if err != nil {
		return RunnerEnv{}, err
	}
	body := requestTokenPrefix + "." + base64.RawURLEncoding.EncodeToString(payload)
	return RunnerEnv{
		RequestURL:   i.url + RunnerTokenPath + "?api-version=2.0",
		RequestToken: body + "." + base64.RawURLEncoding.EncodeToString(requestMAC(secret, body)),
		ExpiresAt:    time.Unix(expires.Unix(), 0).UTC(),
	}, nil
}

// requestClaims is the signed payload of a request token.
type requestClaims struct {
	Issuer   string     `json:"iss"`
	IssuedAt int64      `json:"iat"`
	Expires  int64      `json:"exp"`
	Context  JobContext `json:"ctx"`
}

func requestMAC(secret []byte, body string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(body))
	return mac.Sum(nil)
}

// verifyRequestToken checks a request token and returns the job context it binds. The
// MAC is checked, in constant time, before anything inside the token is parsed.
func (i *Issuer) verifyRequestToken(token string) (JobContext, error) {
	if token == "" {
		return JobContext{}, ErrRequestTokenMissing
	}
	secret, err := i.keys.requestSecret()
	if err != nil {
		return JobContext{}, err
	}
	claims, err := openRequestToken(secret, token)
	if err != nil {
		return JobContext{}, err
	}
	if claims.Issuer != i.url {
		return JobContext{}, fmt.Errorf("%w: issued for another issuer", ErrRequestTokenInvalid)
	}
	if !i.now().Before(time.Unix(claims.Expires, 0)) {
		return JobContext{}, ErrRequestTokenExpired
	}
	return claims.Context, nil
}

// openRequestToken authenticates a request token under secret and decodes its payload.
func openRequestToken(secret []byte, token string) (requestClaims, error) {
	if len(token) > maxRequestTokenBytes {
		return requestClaims{}, fmt.Errorf("%w: too long", ErrRequestTokenInvalid)
	}
	cut := strings.LastIndexByte(token, '.')
	if cut < 0 {
		return requestClaims{}, fmt.Errorf("%w: malformed", ErrRequestTokenInvalid)
	}
	body, sig := token[:cut], token[cut+1:]
	prefix, payload, ok := strings.Cut(body, ".")
	if !ok || prefix != requestTokenPrefix {
		return requestClaims{}, fmt.Errorf("%w: malformed", ErrRequestTokenInvalid)
	}
	// Strict decoding: one encoding per token, no variants differing in padding bits.
	mac, err := base64.RawURLEncoding.Strict().DecodeString(sig)
	if err != nil || !hmac.Equal(mac, requestMAC(secret, body)) {
		return requestClaims{}, fmt.Errorf("%w: bad signature", ErrRequestTokenInvalid)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(payload)
	if err != nil {
		return requestClaims{}, fmt.Errorf("%w: malformed payload", ErrRequestTokenInvalid)
	}
	var claims requestClaims
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&claims); err != nil {
		return requestClaims{}, fmt.Errorf("%w: malformed payload", ErrRequestTokenInvalid)
	}
	return claims, nil
}
