package devidp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// DefaultGrace is how long Rotate keeps the replaced key published by default: far longer
// than a token lives (300 s), so verifiers that cached the old JWKS keep working.
const DefaultGrace = 24 * time.Hour

// keysFileName is the one file of a key directory; it holds the signing keys and the
// request-token secret, is written 0600 and always replaced atomically by rename.
const keysFileName = "keys.json"

// KeySetOptions configures OpenKeySet and OpenSharedKeySet. The zero value is usable.
type KeySetOptions struct {
	Clock  func() time.Time // defaults to time.Now
	Random io.Reader        // defaults to crypto/rand.Reader
	Grace  time.Duration    // defaults to DefaultGrace; must not be negative
	// SharedRefresh is how long a shared KeySet trusts its copy of the keys; defaults to
	// DefaultSharedRefresh. Unused by OpenKeySet.
	SharedRefresh time.Duration
}

// KeySet is the issuer's signing keys: RSA-2048 keys, each with a self-signed certificate
// so its JWK carries a real x5t, plus the secret that signs runner request tokens. They
// are kept in one directory (OpenKeySet) or in a store that several nodes share
// (OpenSharedKeySet).
//
// Several KeySets, in one process or several, may share a directory or a store: writers
// exclude each other (a lock file, or compare-and-swap), and every read notices keys
// replaced by another KeySet and reloads them (a directory's file at once, by its inode,
// size and modification time; a store's blob within SharedRefresh). A KeySet is safe for
// concurrent use.
type KeySet struct {
	dir    string // "" for a shared KeySet
	src    keySource
	now    func() time.Time
	random io.Reader
	grace  time.Duration

	mu     sync.Mutex
	state  *keyState
	loaded any // the source's tag of the key file state was read from
}

// KeyInfo describes one published key, for listings such as `inkan idp rotate-keys`.
type KeyInfo struct {
	KeyID       string    // the JWS kid: the RFC 7638 SHA-256 thumbprint of the public key
	X5t         string    // base64url SHA-1 of the certificate, as in the JWKS and token headers
	Created     time.Time //
	Active      bool      // the key new tokens are signed with
	UnpublishAt time.Time // zero for the active key; when a replaced key leaves the JWKS
}

// OpenKeySet opens the key directory dir (e.g. <data-dir>/devidp), creating it (0700) and
// a first key and secret (0600) if it holds none. It refuses a key file that other users
// can read, and a key file it cannot parse.
func OpenKeySet(dir string, opts KeySetOptions) (*KeySet, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devidp: create key directory: %w", err)
	}
	return openKeySet(dir, dirSource{dir: dir}, opts)
}

// OpenSharedKeySet opens the keys kept in the store blob devidp-keys, creating a first key
// and secret if there are none (of several nodes starting at once, one creates them and
// the others use them). Every node opening the same store signs and verifies with the
// same keys and sees a rotation made on any node within opts.SharedRefresh.
func OpenSharedKeySet(blobs Blobs, opts KeySetOptions) (*KeySet, error) {
	src := &blobSource{blobs: blobs, now: opts.Clock, refresh: opts.SharedRefresh}
	if src.now == nil {
		src.now = time.Now
	}
	if src.refresh <= 0 {
		src.refresh = DefaultSharedRefresh
	}
	return openKeySet("", src, opts)
}

func openKeySet(dir string, src keySource, opts KeySetOptions) (*KeySet, error) {
	if opts.Grace < 0 {
		return nil, fmt.Errorf("devidp: key grace period %v is negative", opts.Grace)
	}
	ks := &KeySet{dir: dir, src: src, now: opts.Clock, random: opts.Random, grace: opts.Grace}
	if ks.now == nil {
		ks.now = time.Now
	}
	if ks.random == nil {
		ks.random = rand.Reader
	}
	if ks.grace == 0 {
		ks.grace = DefaultGrace
	}
	_, err := ks.current()
	if errors.Is(err, fs.ErrNotExist) {
		if err := ks.update(ks.initialise); err != nil {
			return nil, err
		}
		_, err = ks.current()
	}
	if err != nil {
		return nil, err
	}
	return ks, nil
}

// Dir returns the key directory; "" for a shared KeySet.
func (ks *KeySet) Dir() string { return ks.dir }

// Keys lists the keys published now, the active key first.
func (ks *KeySet) Keys() ([]KeyInfo, error) {
	state, err := ks.current()
	if err != nil {
		return nil, err
	}
	var infos []KeyInfo
	for _, k := range state.published(ks.now()) {
		infos = append(infos, k.info())
	}
	return infos, nil
}

// JWKS returns the public keys published now, the active key first: each with kid, alg
// RS256, use sig, x5c and x5t. A replaced key stays until its grace period ends.
func (ks *KeySet) JWKS() (jose.JSONWebKeySet, error) {
	state, err := ks.current()
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range state.published(ks.now()) {
		set.Keys = append(set.Keys, k.public)
	}
	return set, nil
}

// Rotate makes a new key active. The previous active key stays published for the grace
// period; keys whose grace period is over are dropped. Another KeySet using the same
// directory or store sees the new key on its next read. Rotate returns the new key.
func (ks *KeySet) Rotate() (KeyInfo, error) {
	err := ks.update(func(file *keyFile) (*keyFile, error) {
		if file == nil {
			return nil, fmt.Errorf("devidp: key file: %w", fs.ErrNotExist)
		}
		now := ks.now()
		file.Keys = file.unexpired(now)
		file.Keys[len(file.Keys)-1].UnpublishAt = now.Add(ks.grace).UTC()
		fresh, err := generateKey(ks.random, now)
		if err != nil {
			return nil, err
		}
		file.Keys = append(file.Keys, fresh)
		return file, nil
	})
	if err != nil {
		return KeyInfo{}, err
	}
	state, err := ks.current()
	if err != nil {
		return KeyInfo{}, err
	}
	return state.active().info(), nil
}

// update changes the stored keys through the source, then forgets the parsed copy so that
// the next read sees the change.
func (ks *KeySet) update(fn func(*keyFile) (*keyFile, error)) error {
	if err := ks.src.update(fn); err != nil {
		return err
	}
	ks.mu.Lock()
	ks.state, ks.loaded = nil, nil
	ks.mu.Unlock()
	return nil
}

// active returns the key that signs new tokens.
func (ks *KeySet) active() (*signingKey, error) {
	state, err := ks.current()
	if err != nil {
		return nil, err
	}
	return state.active(), nil
}

// requestSecret returns the HMAC key for runner request tokens.
func (ks *KeySet) requestSecret() ([]byte, error) {
	state, err := ks.current()
	if err != nil {
		return nil, err
	}
	return state.secret, nil
}

// current returns the parsed key file, reloading it when another writer replaced it.
func (ks *KeySet) current() (*keyState, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	file, tag, changed, err := ks.src.load(ks.loaded)
	if err != nil {
		return nil, err
	}
	if !changed && ks.state != nil {
		return ks.state, nil
	}
	state, err := file.parse()
	if err != nil {
		return nil, fmt.Errorf("devidp: key file: %w", err)
	}
	ks.state, ks.loaded = state, tag
	return state, nil
}

// initialise is the update that writes a first key and secret, unless another writer got
// there first.
func (ks *KeySet) initialise(file *keyFile) (*keyFile, error) {
	if file != nil {
		return nil, nil
	}
	secret := make([]byte, requestSecretSize)
	if _, err := io.ReadFull(ks.random, secret); err != nil {
		return nil, fmt.Errorf("devidp: generate request-token secret: %w", err)
	}
	first, err := generateKey(ks.random, ks.now())
	if err != nil {
		return nil, err
	}
	return &keyFile{Version: keyFileVersion, RequestSecret: secret, Keys: []storedKey{first}}, nil
}

func sameFile(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// keyState is a parsed key file: keys oldest first, the last one active.
type keyState struct {
	keys   []*signingKey
	secret []byte
}

func (s *keyState) active() *signingKey { return s.keys[len(s.keys)-1] }

// published returns the keys a verifier may need at now, the active key first.
func (s *keyState) published(now time.Time) []*signingKey {
	out := []*signingKey{s.active()}
	for i := len(s.keys) - 2; i >= 0; i-- {
		if now.Before(s.keys[i].unpublishAt) {
			out = append(out, s.keys[i])
		}
	}
	return out
}
