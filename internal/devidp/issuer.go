package devidp

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// GitHub's token timing (aws-federation.md §7): tokens live 300 s and their nbf is
// ten minutes before iat.
const (
	DefaultLifetime        = 300 * time.Second
	DefaultNotBeforeSkew   = 600 * time.Second
	DefaultRequestTokenTTL = 6 * time.Hour
	maxLifetime            = 24 * time.Hour
)

// AudienceSTS is the audience configure-aws-credentials requests and AWS expects.
const AudienceSTS = "sts.amazonaws.com"

// Config configures an Issuer. URL and Keys are required.
type Config struct {
	// URL is the issuer as clients reach it, e.g. http://127.0.0.1:8750/idp: the iss
	// claim, and the base of the discovery, JWKS and runner URLs. A trailing slash is
	// removed; a query or fragment is refused.
	URL string

	Keys   *KeySet
	Clock  func() time.Time // defaults to time.Now
	Random io.Reader        // for jti; defaults to crypto/rand.Reader
	Logger *slog.Logger     // receives internal errors the handler hides; defaults to discarding

	Lifetime time.Duration // exp − iat; defaults to DefaultLifetime (300 s)

	// NotBeforeSkew is iat − nbf; zero means DefaultNotBeforeSkew (600 s, as GitHub)
	// and a negative value means nbf = iat.
	NotBeforeSkew time.Duration

	RequestTokenTTL time.Duration // life of runner request tokens; defaults to 6 h, as GitHub
}

// Issuer mints GitHub-shaped (and GitLab-shaped) ID tokens and serves the issuer's HTTP
// endpoints. It is safe for concurrent use.
type Issuer struct {
	url        string
	keys       *KeySet
	now        func() time.Time
	random     io.Reader
	log        *slog.Logger
	lifetime   time.Duration
	notBefore  time.Duration
	requestTTL time.Duration
}

// New checks cfg and returns an Issuer.
func New(cfg Config) (*Issuer, error) {
	issuer, err := normaliseIssuerURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Keys == nil {
		return nil, errors.New("devidp: Config.Keys is required")
	}
	i := &Issuer{url: issuer, keys: cfg.Keys, now: cfg.Clock, random: cfg.Random, log: cfg.Logger,
		lifetime: cfg.Lifetime, notBefore: cfg.NotBeforeSkew, requestTTL: cfg.RequestTokenTTL}
	if i.now == nil {
		i.now = time.Now
	}
	if i.random == nil {
		i.random = rand.Reader
	}
	if i.log == nil {
		i.log = slog.New(slog.DiscardHandler)
	}
	i.lifetime = orDefault(i.lifetime, DefaultLifetime)
	i.requestTTL = orDefault(i.requestTTL, DefaultRequestTokenTTL)
	switch {
	case i.notBefore == 0:
		i.notBefore = DefaultNotBeforeSkew
	case i.notBefore < 0:
		i.notBefore = 0
	}
	if i.lifetime < 0 || i.lifetime > maxLifetime || i.requestTTL < 0 {
		return nil, errors.New("devidp: Config.Lifetime must be within 24 h and RequestTokenTTL positive")
	}
	return i, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func normaliseIssuerURL(raw string) (string, error) {
	trimmed := strings.TrimRight(raw, "/")
	u, err := url.Parse(trimmed)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(raw, "?") {
		return "", fmt.Errorf("devidp: issuer URL %q is not an http(s) URL without query or fragment", raw)
	}
	return trimmed, nil
}

// URL returns the GitHub-shaped issuer, the iss claim of Mint's tokens.
func (i *Issuer) URL() string { return i.url }

// Keys returns the issuer's key set, e.g. for `inkan idp rotate-keys`.
func (i *Issuer) Keys() *KeySet { return i.keys }

// TokenOptions are the per-token settings common to both token shapes.
type TokenOptions struct {
	// Audience is the aud claim. For GitHub tokens empty means GitHub's default,
	// https://github.com/<owner>; configure-aws-credentials asks for AudienceSTS.
	Audience string `json:"audience,omitempty"`

	// IssuedAt is the iat claim; zero means now. Set it in the past to make an expired
	// token for a negative test.
	IssuedAt time.Time `json:"issued_at,omitzero"`

	// LifetimeSeconds is exp − iat; zero means the issuer's lifetime (300 s by default).
	LifetimeSeconds int `json:"lifetime_seconds,omitempty"`
}

// TokenRequest asks for one GitHub-shaped token. Its JSON form, the body of POST /mint,
// is flat: the claim names of Job, include_claim_keys, immutable_subject, audience,
// issued_at (RFC 3339) and lifetime_seconds.
type TokenRequest struct {
	JobContext
	TokenOptions
}

// Mint returns a signed GitHub-shaped ID token for the request: header typ JWT, alg
// RS256, kid and x5t of the active key; claims iss, sub, aud, iat, nbf, exp, a random jti
// and every custom claim of the completed job. The error matches ErrInvalidRequest when
// the request is at fault.
func (i *Issuer) Mint(req TokenRequest) (string, error) {
	job, err := req.Job.Complete()
	if err != nil {
		return "", err
	}
	custom := job.claims()
	sub, err := githubSubject(job, custom, req.SubjectTemplate)
	if err != nil {
		return "", err
	}
	aud := req.Audience
	if aud == "" {
		aud = "https://github.com/" + job.RepositoryOwner
	}
	claims := make(map[string]any, len(custom))
	for name, value := range custom {
		claims[name] = value
	}
	return i.sign(i.url, sub, aud, req.TokenOptions, i.notBefore, claims)
}

// sign assembles the standard claims around the custom ones and signs with the active key.
func (i *Issuer) sign(iss, sub, aud string, opts TokenOptions, notBefore time.Duration, custom map[string]any) (string, error) {
	if err := checkAudience(aud); err != nil {
		return "", err
	}
	lifetime, err := i.tokenLifetime(opts.LifetimeSeconds)
	if err != nil {
		return "", err
	}
	jti, err := newUUID(i.random)
	if err != nil {
		return "", fmt.Errorf("devidp: jti: %w", err)
	}
	iat := opts.IssuedAt
	if iat.IsZero() {
		iat = i.now()
	}
	if iat.Unix() < 0 {
		return "", fieldErrorf("issued_at", "%s is before 1970", iat.Format(time.RFC3339))
	}
	claims := make(map[string]any, len(custom)+7)
	for name, value := range custom {
		claims[name] = value
	}
	for name, value := range map[string]any{
		"iss": iss, "sub": sub, "aud": aud, "jti": jti,
		"iat": iat.Unix(), "nbf": iat.Add(-notBefore).Unix(), "exp": iat.Add(lifetime).Unix(),
	} {
		claims[name] = value
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("devidp: encode claims: %w", err)
	}
	key, err := i.keys.active()
	if err != nil {
		return "", err
	}
	signed, err := key.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("devidp: sign: %w", err)
	}
	return signed.CompactSerialize()
}

func (i *Issuer) tokenLifetime(seconds int) (time.Duration, error) {
	if seconds == 0 {
		return i.lifetime, nil
	}
	lifetime := time.Duration(seconds) * time.Second
	if seconds < 0 || lifetime > maxLifetime {
		return 0, fieldErrorf("lifetime_seconds", "%d is not between 1 and %d", seconds, int(maxLifetime.Seconds()))
	}
	return lifetime, nil
}

func checkAudience(aud string) error {
	if err := printable(map[string]string{"audience": aud}); err != nil {
		return err
	}
	if strings.TrimSpace(aud) != aud {
		return fieldErrorf("audience", "%q has leading or trailing spaces", aud)
	}
	return nil
}

// newUUID returns a random (version 4) UUID, the shape of GitHub's jti.
func newUUID(random io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
