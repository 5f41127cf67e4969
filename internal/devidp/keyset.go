package devidp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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

// KeySetOptions configures OpenKeySet. The zero value is usable.
type KeySetOptions struct {
	Clock  func() time.Time // defaults to time.Now
	Random io.Reader        // defaults to crypto/rand.Reader
	Grace  time.Duration    // defaults to DefaultGrace; must not be negative
}

// KeySet is the issuer's signing keys, persisted in one directory: RSA-2048 keys, each
// with a self-signed certificate so its JWK carries a real x5t, plus the secret that
// signs runner request tokens.
//
// Several KeySets, in one process or several, may share a directory: Rotate takes a
// lock file, and every read notices a file replaced by another KeySet (by its inode,
// size and modification time) and reloads it. A KeySet is safe for concurrent use.
type KeySet struct {
	dir    string
	now    func() time.Time
	random io.Reader
	grace  time.Duration

	mu     sync.Mutex
	state  *keyState
	loaded os.FileInfo // stat of the file state was read from
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
	if opts.Grace < 0 {
		return nil, fmt.Errorf("devidp: key grace period %v is negative", opts.Grace)
	}
	ks := &KeySet{dir: dir, now: opts.Clock, random: opts.Random, grace: opts.Grace}
	if ks.now == nil {
		ks.now = time.Now
	}
	if ks.random == nil {
		ks.random = rand.Reader
	}
	if ks.grace == 0 {
		ks.grace = DefaultGrace
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devidp: create key directory: %w", err)
	}
	_, err := ks.current()
	if errors.Is(err, fs.ErrNotExist) {
		if err := ks.initialise(); err != nil {
			return nil, err
		}
		_, err = ks.current()
	}
	if err != nil {
		return nil, err
	}
	return ks, nil
}

// Dir returns the key directory.
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
// period; keys whose grace period is over are dropped from the file. Another process
// using the same directory sees the new key on its next read. Rotate returns the new key.
func (ks *KeySet) Rotate() (KeyInfo, error) {
	unlock, err := lockDir(ks.dir)
	if err != nil {
		return KeyInfo{}, err
	}
	defer unlock()
	file, err := readKeyFile(ks.path())
	if err != nil {
		return KeyInfo{}, err
	}
	now := ks.now()
	file.Keys = file.unexpired(now)
	file.Keys[len(file.Keys)-1].UnpublishAt = now.Add(ks.grace).UTC()
	fresh, err := generateKey(ks.random, now)
	if err != nil {
		return KeyInfo{}, err
	}
	file.Keys = append(file.Keys, fresh)
	if err := writeKeyFile(ks.dir, file); err != nil {
		return KeyInfo{}, err
	}
	state, err := ks.current()
	if err != nil {
		return KeyInfo{}, err
	}
	return state.active().info(), nil
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

func (ks *KeySet) path() string { return filepath.Join(ks.dir, keysFileName) }

// current returns the parsed key file, reloading it when another writer replaced it.
// A stat per call is cheap next to an RSA signature, and needs no watcher goroutine.
func (ks *KeySet) current() (*keyState, error) {
	info, err := os.Stat(ks.path())
	if err != nil {
		return nil, fmt.Errorf("devidp: key file: %w", err)
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.state != nil && sameFile(ks.loaded, info) {
		return ks.state, nil
	}
	file, loaded, err := readKeyFileInfo(ks.path())
	if err != nil {
		return nil, err
	}
	state, err := file.parse()
	if err != nil {
		return nil, fmt.Errorf("devidp: key file %s: %w", ks.path(), err)
	}
	ks.state, ks.loaded = state, loaded
	return state, nil
}

// initialise writes a first key and secret, unless another process got there first.
func (ks *KeySet) initialise() error {
	unlock, err := lockDir(ks.dir)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(ks.path()); err == nil {
		return nil
	}
	secret := make([]byte, requestSecretSize)
	if _, err := io.ReadFull(ks.random, secret); err != nil {
		return fmt.Errorf("devidp: generate request-token secret: %w", err)
	}
	first, err := generateKey(ks.random, ks.now())
	if err != nil {
		return err
	}
	return writeKeyFile(ks.dir, keyFile{Version: keyFileVersion, RequestSecret: secret, Keys: []storedKey{first}})
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
