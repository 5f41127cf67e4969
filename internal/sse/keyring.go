package sse

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// keysBlob names the master key file in the store.
const keysBlob = "sse-master-keys"

// Options configure a Keyring; Blobs is required.
type Options struct {
	Blobs store.Blobs
	// Rand supplies keys and nonces; crypto/rand.Reader when nil.
	Rand io.Reader
	// Now is the clock of key creation; time.Now when nil.
	Now func() time.Time
	// Refresh is how long the keyring trusts its copy of the master keys
	// before a new data key re-reads them, so a rotation on another node is
	// used here within it; 1 minute when 0.
	Refresh time.Duration
}

// masterKey is one master key as stored. Keys are never deleted: every
// object sealed under one needs it for as long as the object lives.
type masterKey struct {
	ID      string    `json:"id"`
	Secret  []byte    `json:"secret"`
	Created time.Time `json:"created"`
}

type keyFile struct {
	Keys []masterKey `json:"keys"`
}

// Keyring makes and opens data keys. Safe for concurrent use.
type Keyring struct {
	opt Options

	mu      sync.Mutex
	keys    map[string]cipher.AEAD
	secrets map[string][]byte
	active  string
	created time.Time
	version int64
	checked time.Time
}

// Errors of Open and of the SSE-C checks; the wire layer maps each to S3's
// answer.
var (
	// ErrWrongKey: an SSE-C object's data key did not open with the
	// customer key given.
	ErrWrongKey = errors.New("sse: the customer key does not open this object")
	// ErrCustomerKeyRequired: an SSE-C object was read without a customer key.
	ErrCustomerKeyRequired = errors.New("sse: the object is encrypted with a customer key")
	// ErrNotCustomerEncrypted: a customer key was given for an object that is
	// not SSE-C.
	ErrNotCustomerEncrypted = errors.New("sse: the object is not encrypted with a customer key")
	// ErrUnknownMasterKey: a sealed data key names a master key the store
	// does not hold (lost or foreign data): the object cannot be read.
	ErrUnknownMasterKey = errors.New("sse: unknown master key")
)

// Open loads the master keys, creating the first one on first start.
func Open(ctx context.Context, opt Options) (*Keyring, error) {
	if opt.Rand == nil {
		opt.Rand = rand.Reader
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Refresh == 0 {
		opt.Refresh = time.Minute
	}
	k := &Keyring{opt: opt}
	if err := k.reload(ctx); err != nil {
		return nil, err
	}
	if k.active == "" {
		if _, err := k.addKey(ctx, true); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// Rotate adds a new master key, which seals every data key made from now on
// (on other nodes within Options.Refresh); the older keys stay and keep
// opening what they sealed. It returns the new key's ID.
func (k *Keyring) Rotate(ctx context.Context) (string, error) {
	return k.addKey(ctx, false)
}

// addKey adds a master key by compare-and-swap on the blob; first adds one only while
// there is none, so nodes of one store starting together agree on a single first key.
func (k *Keyring) addKey(ctx context.Context, first bool) (string, error) {
	for range 10 {
		data, version, err := k.opt.Blobs.GetBlob(ctx, keysBlob)
		var file keyFile
		switch {
		case err == nil:
			if file, err = decodeKeyFile(data); err != nil {
				return "", err
			}
			if first && len(file.Keys) > 0 {
				return "", k.reload(ctx) // another node made the first key
			}
		case !errors.Is(err, store.ErrNotFound):
			return "", fmt.Errorf("sse: read master keys: %w", err)
		}
		fresh, err := k.newMasterKey(file)
		if err != nil {
			return "", err
		}
		file.Keys = append(file.Keys, fresh)
		raw, err := json.Marshal(file)
		if err != nil {
			return "", fmt.Errorf("sse: encode master keys: %w", err)
		}
		_, err = k.opt.Blobs.PutBlob(ctx, keysBlob, raw, version)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("sse: store master keys: %w", err)
		}
		return fresh.ID, k.reload(ctx)
	}
	return "", fmt.Errorf("sse: master keys: too many concurrent writers; try again")
}

func (k *Keyring) newMasterKey(file keyFile) (masterKey, error) {
	buf := make([]byte, 8+32)
	if _, err := io.ReadFull(k.opt.Rand, buf); err != nil {
		return masterKey{}, fmt.Errorf("sse: new master key: %w", err)
	}
	m := masterKey{ID: hex.EncodeToString(buf[:8]), Secret: buf[8:], Created: k.opt.Now().UTC()}
	for _, o := range file.Keys {
		if !m.Created.After(o.Created) {
			// keep creation order strict, so "newest" is one key on every node
			m.Created = o.Created.Add(time.Nanosecond)
		}
	}
	return m, nil
}

// ActiveKey returns the ID and creation time of the master key sealing new
// data keys, for operators.
func (k *Keyring) ActiveKey() (string, time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.active, k.created
}

func decodeKeyFile(raw []byte) (keyFile, error) {
	var file keyFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return keyFile{}, fmt.Errorf("sse: master key blob %s: %w", keysBlob, err)
	}
	for _, m := range file.Keys {
		if len(m.Secret) != 32 || m.ID == "" || len(m.ID) > 255 {
			return keyFile{}, fmt.Errorf("sse: master key blob %s: key %q is malformed", keysBlob, m.ID)
		}
	}
	return file, nil
}

// reload re-reads the master keys when the blob changed.
func (k *Keyring) reload(ctx context.Context) error {
	data, version, err := k.opt.Blobs.GetBlob(ctx, keysBlob)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sse: read master keys: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.checked = k.opt.Now()
	if version == k.version {
		return nil
	}
	file, err := decodeKeyFile(data)
	if err != nil {
		return err
	}
	keys, secrets := make(map[string]cipher.AEAD, len(file.Keys)), make(map[string][]byte, len(file.Keys))
	var active masterKey
	for _, m := range file.Keys {
		aead, err := newGCM(m.Secret)
		if err != nil {
			return err
		}
		keys[m.ID], secrets[m.ID] = aead, m.Secret
		if active.ID == "" || m.Created.After(active.Created) {
			active = m
		}
	}
	k.keys, k.secrets, k.active, k.created, k.version = keys, secrets, active.ID, active.Created, version
	return nil
}

// master returns the active master key, re-reading the keys first when the
// copy is older than Refresh; through a store outage the copy is kept.
func (k *Keyring) master(ctx context.Context) (string, cipher.AEAD, []byte) {
	k.mu.Lock()
	stale := k.opt.Now().Sub(k.checked) >= k.opt.Refresh
	k.mu.Unlock()
	if stale {
		_ = k.reload(ctx) // last known good on failure
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.active, k.keys[k.active], k.secrets[k.active]
}

// lookup returns master key id, re-reading the keys once when it is unknown
// (a rotation on another node).
func (k *Keyring) lookup(ctx context.Context, id string) (cipher.AEAD, []byte, error) {
	for attempt := 0; ; attempt++ {
		k.mu.Lock()
		aead, secret := k.keys[id], k.secrets[id]
		k.mu.Unlock()
		if aead != nil {
			return aead, secret, nil
		}
		if attempt > 0 {
			return nil, nil, fmt.Errorf("%w %q", ErrUnknownMasterKey, id)
		}
		if err := k.reload(ctx); err != nil {
			return nil, nil, err
		}
	}
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sse: key: %w", err)
	}
	return cipher.NewGCM(block)
}

// customerKEK derives the key that seals an SSE-C object's data key from the
// master key and the customer's key: the customer key is never stored, and
// the sealed data key verifies it (GCM authentication) only with the master
// key at hand, so the object index alone cannot test guesses of it.
func customerKEK(masterSecret []byte, customer CustomerKey) (cipher.AEAD, error) {
	mac := hmac.New(sha256.New, masterSecret)
	mac.Write([]byte("inkan sse-c key v1\x00"))
	mac.Write(customer.key[:])
	return newGCM(mac.Sum(nil))
}
