package sse

import (
	"context"
	"fmt"
	"io"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// A sealed data key is
//
//	version (1) | master key ID length (1) | master key ID | nonce (12) | GCM(kek, data key, aad)
//
// with kek the master key (SSE-S3) or customerKEK (SSE-C), and aad the
// version byte, the encryption type and the master key ID, so a sealed key
// cannot be replayed as the other type.
const sealVersion = 1

// NewSSES3 makes a data key sealed under the active master key.
func (k *Keyring) NewSSES3(ctx context.Context) (*objstore.DataKey, error) {
	id, aead, _ := k.master(ctx)
	return k.seal(objstore.SSES3, id, aead)
}

// NewSSEC makes a data key sealed under the active master key and the
// customer's key.
func (k *Keyring) NewSSEC(ctx context.Context, customer CustomerKey) (*objstore.DataKey, error) {
	id, _, secret := k.master(ctx)
	aead, err := customerKEK(secret, customer)
	if err != nil {
		return nil, err
	}
	return k.seal(objstore.SSEC, id, aead)
}

func (k *Keyring) seal(typ, id string, kek interface {
	Seal(dst, nonce, plaintext, aad []byte) []byte
}) (*objstore.DataKey, error) {
	key := make([]byte, objstore.DataKeySize)
	if _, err := io.ReadFull(k.opt.Rand, key); err != nil {
		return nil, fmt.Errorf("sse: new data key: %w", err)
	}
	out := append([]byte{sealVersion, byte(len(id))}, id...)
	nonce := make([]byte, 12)
	if _, err := io.ReadFull(k.opt.Rand, nonce); err != nil {
		return nil, fmt.Errorf("sse: new data key: %w", err)
	}
	out = append(out, nonce...)
	out = kek.Seal(out, nonce, key, aad(typ, id))
	return &objstore.DataKey{Encryption: objstore.Encryption{Type: typ, Sealed: out}, Key: key}, nil
}

func aad(typ, id string) []byte {
	return []byte(fmt.Sprintf("inkan sse v%d %s %s", sealVersion, typ, id))
}

// Open returns the data key of an object stored with e. customer is the
// request's SSE-C key, nil without one: an SSE-C object needs it
// (ErrCustomerKeyRequired, ErrWrongKey), any other refuses it
// (ErrNotCustomerEncrypted). An error other than these means the sealed key
// or its master key is missing or damaged.
func (k *Keyring) Open(ctx context.Context, e objstore.Encryption, customer *CustomerKey) ([]byte, error) {
	switch {
	case e.Type == objstore.SSEC && customer == nil:
		return nil, ErrCustomerKeyRequired
	case e.Type != objstore.SSEC && customer != nil:
		return nil, ErrNotCustomerEncrypted
	case e.Type != objstore.SSEC && e.Type != objstore.SSES3:
		return nil, fmt.Errorf("sse: unknown encryption type %q", e.Type)
	}
	b := e.Sealed
	if len(b) < 2 || b[0] != sealVersion || len(b) < 2+int(b[1])+12 {
		return nil, fmt.Errorf("sse: malformed sealed data key")
	}
	id := string(b[2 : 2+b[1]])
	nonce, sealed := b[2+int(b[1]):2+int(b[1])+12], b[2+int(b[1])+12:]
	master, secret, err := k.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	kek := master
	if customer != nil {
		if kek, err = customerKEK(secret, *customer); err != nil {
			return nil, err
		}
	}
	key, err := kek.Open(nil, nonce, sealed, aad(e.Type, id))
	if err != nil {
		if customer != nil {
			return nil, ErrWrongKey
		}
		return nil, fmt.Errorf("sse: sealed data key failed authentication under master key %q", id)
	}
	return key, nil
}
