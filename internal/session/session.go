package session

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// ErrInvalid is returned for a session token that does not open: malformed, altered, or sealed
// with a key this ring does not hold.
var ErrInvalid = errors.New("session: invalid session token")

// MaxTokenLen bounds the session tokens Open accepts.
const MaxTokenLen = 16 << 10

// Tag is a session tag.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// Claims is everything a session token carries. Field names are short because the token
// travels with every request.
type Claims struct {
	AccessKeyID     string    `json:"a"`
	SecretAccessKey string    `json:"s"`
	RoleARN         string    `json:"r"`
	RoleID          string    `json:"ri"`
	SessionName     string    `json:"n"`
	Provider        string    `json:"p,omitempty"`   // OIDC provider ARN, web identity sessions
	Subject         string    `json:"sub,omitempty"` // token sub
	Audience        string    `json:"aud,omitempty"`
	SourceIdentity  string    `json:"si,omitempty"`
	Issued          time.Time `json:"i"`
	Expires         time.Time `json:"e"`
	// Policy is the inline session policy, PolicyARNs the managed session policies.
	Policy     string   `json:"sp,omitempty"`
	PolicyARNs []string `json:"spa,omitempty"`
	Tags       []Tag    `json:"t,omitempty"`
	// Transitive lists tag keys that pass to a chained session.
	Transitive []string `json:"tt,omitempty"`
	// Chained is set when the session came from AssumeRole with a session's credentials.
	Chained bool `json:"c,omitempty"`
	// Claims holds the token claims kept for condition keys after the session is created
	// (AWS keeps aud, sub, amr, id).
	Federated map[string][]string `json:"f,omitempty"`
}

// Key is one sealing key.
type Key struct {
	ID     uint64
	Secret []byte // 32 bytes
}

// Ring seals with its active key and opens with any key it holds. Safe for concurrent use.
type Ring struct {
	mu     sync.RWMutex
	active uint64
	aeads  map[uint64]cipher.AEAD
	rand   io.Reader
	// opened remembers the claims of tokens opened recently (see Open); guarded by mu and
	// emptied by Replace, so a token sealed by a removed key stops opening at once.
	opened map[[sha256.Size]byte]*Claims
}

// maxOpened bounds the opened-token cache: about 1 KiB of claims each, a few MiB in all.
// Beyond it, an arbitrary entry makes room, so a fleet of more concurrent sessions still
// opens every token, at the cost of decrypting some of them again.
const maxOpened = 4096

// NewRing returns a ring that seals with active and opens with active and others. rand is the
// source of nonces and of generated credentials.
func NewRing(active Key, others []Key, rand io.Reader) (*Ring, error) {
	r := &Ring{aeads: map[uint64]cipher.AEAD{}, rand: rand}
	if err := r.Replace(active, others); err != nil {
		return nil, err
	}
	return r, nil
}

// Replace swaps the keys of the ring at once (after a rotation).
func (r *Ring) Replace(active Key, others []Key) error {
	aeads := map[uint64]cipher.AEAD{}
	for _, k := range append([]Key{active}, others...) {
		if len(k.Secret) != 32 {
			return fmt.Errorf("session: key %d: secret must be 32 bytes", k.ID)
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return err
		}
		aeads[k.ID] = aead
	}
	r.mu.Lock()
	r.active, r.aeads = active.ID, aeads
	r.opened = make(map[[sha256.Size]byte]*Claims)
	r.mu.Unlock()
	return nil
}

const tokenPrefix = "IQ"

// Seal returns the session token for c.
func (r *Ring) Seal(c *Claims) (string, error) {
	plain, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	r.mu.RLock()
	id, aead := r.active, r.aeads[r.active]
	r.mu.RUnlock()
	buf := make([]byte, 8+aead.NonceSize(), 8+aead.NonceSize()+len(plain)+aead.Overhead())
	binary.BigEndian.PutUint64(buf, id)
	if _, err := io.ReadFull(r.rand, buf[8:]); err != nil {
		return "", fmt.Errorf("session: nonce: %w", err)
	}
	out := aead.Seal(buf, buf[8:], plain, additional(buf[:8]))
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

func additional(keyID []byte) []byte {
	return append([]byte("inkan-session-v1:"), keyID...)
}

// Open returns the claims sealed in token. It does not check expiry: the caller decides what
// an expired session means in its protocol. The claims are shared: callers must not change
// them.
//
// Every request signed by a session carries its token, so a token opened once is
// remembered: decrypting and decoding it again cost about a tenth of a small GET's CPU. The
// cache is keyed by the token's SHA-256, never by the token itself, so that looking a
// token up compares digests a caller cannot steer byte by byte, not secrets (a map compares
// keys in variable time). Only tokens that opened are remembered; a forged token pays the
// full decryption each time, as before.
func (r *Ring) Open(token string) (*Claims, error) {
	if len(token) > MaxTokenLen || !strings.HasPrefix(token, tokenPrefix) {
		return nil, ErrInvalid
	}
	sum := sha256.Sum256([]byte(token))
	r.mu.RLock()
	c, ok := r.opened[sum]
	r.mu.RUnlock()
	if ok {
		return c, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token[len(tokenPrefix):])
	if err != nil || len(raw) < 8+12+16 {
		return nil, ErrInvalid
	}
	id := binary.BigEndian.Uint64(raw[:8])
	r.mu.RLock()
	aead, ok := r.aeads[id]
	r.mu.RUnlock()
	if !ok {
		return nil, ErrInvalid
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, raw[8:8+n], raw[8+n:], additional(raw[:8]))
	if err != nil {
		return nil, ErrInvalid
	}
	c = new(Claims)
	if err := json.Unmarshal(plain, c); err != nil {
		return nil, ErrInvalid
	}
	r.remember(sum, id, c)
	return c, nil
}

// remember caches c under its token's digest, unless the key that opened it was removed
// meanwhile (a Replace between decryption and now).
func (r *Ring) remember(sum [sha256.Size]byte, id uint64, c *Claims) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.aeads[id]; !ok {
		return
	}
	if len(r.opened) >= maxOpened {
		for k := range r.opened { // an arbitrary entry: map iteration order is random
			delete(r.opened, k)
			break
		}
	}
	r.opened[sum] = c
}

// NewCredentials returns a fresh access key id ("ASIA" + 16 characters of base32) and a
// 40-character secret access key.
func (r *Ring) NewCredentials() (accessKeyID, secret string, err error) {
	b := make([]byte, 10+30)
	if _, err := io.ReadFull(r.rand, b); err != nil {
		return "", "", fmt.Errorf("session: credentials: %w", err)
	}
	accessKeyID = "ASIA" + base32.StdEncoding.EncodeToString(b[:10])
	secret = base64.StdEncoding.EncodeToString(b[10:])
	return accessKeyID, secret, nil
}

// Match reports whether the access key id a request was signed with is the one sealed in c,
// in constant time.
func (c *Claims) Match(accessKeyID string) bool {
	return subtle.ConstantTimeCompare([]byte(c.AccessKeyID), []byte(accessKeyID)) == 1
}
