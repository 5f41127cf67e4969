package objstore

import "errors"

// Server-side encryption at rest (reference §4). The wire layer owns the
// keys: it makes a fresh data key for every new object or multipart upload,
// seals it (under a master key for SSE-S3, under the customer's key for
// SSE-C) and hands both to the backend; the backend encrypts the bytes with
// the data key and stores the sealed form beside them, opaque. To read, the
// backend hands the stored Encryption back to the caller's KeyOpener and
// decrypts with the data key it returns. A backend that cannot encrypt
// (an upstream S3) refuses a write that carries a DataKey with
// ErrEncryptionUnsupported rather than store the bytes in the clear.

// Encryption types: the values of x-amz-server-side-encryption (SSE-S3), and
// SSEC for customer-provided keys, whose answers carry the
// x-amz-server-side-encryption-customer-* headers instead.
const (
	SSES3 = "AES256"
	SSEC  = "SSE-C"
)

// DataKeySize is the length of a data key: AES-256.
const DataKeySize = 32

// Encryption says how an object's (or an upload's) bytes are stored. The zero
// value is bytes stored as they were sent.
type Encryption struct {
	// Type is "" (not encrypted by inkan), SSES3 or SSEC.
	Type string
	// Sealed is the data key as the wire layer sealed it; the backend stores
	// it and returns it unchanged, never interprets it. Empty for an upstream
	// S3, which keeps its own keys.
	Sealed []byte
}

// DataKey is the key material of a new encrypted object or upload.
type DataKey struct {
	// Encryption is stored with the object; its Type is not "".
	Encryption
	// Key is the plaintext data key, DataKeySize bytes. It is never stored.
	Key []byte
}

// KeyOpener returns the data key of an object or upload stored with e (whose
// Type is not ""), or an error the backend returns unchanged: the caller
// decides whether a missing or wrong key is the client's mistake.
type KeyOpener func(e Encryption) ([]byte, error)

// PartOptions qualify UploadPart and UploadPartCopy.
type PartOptions struct {
	// Checksums are the part's checksums, kept opaque (UploadPart only).
	Checksums map[string]string
	// Keys opens the upload's data key when the upload is encrypted; a nil
	// Keys for an encrypted upload fails with ErrEncrypted.
	Keys KeyOpener
}

var (
	// ErrEncrypted: an encrypted object or upload was read or written
	// without a KeyOpener (the wire layer failed to give one).
	ErrEncrypted = errors.New("objstore: object is encrypted and no key opener was given")
	// ErrEncryptionUnsupported: the backend cannot encrypt at rest (an
	// upstream S3 keeps its own keys); the wire layer maps it to
	// NotImplemented, naming the backend.
	ErrEncryptionUnsupported = errors.New("objstore: the backend does not encrypt with inkan's keys")
	// ErrCorrupt: stored bytes failed authentication (a flipped bit, a
	// truncated or swapped data file): the read is refused rather than
	// answered with wrong bytes (InternalError, 500; the detail is for the
	// log only).
	ErrCorrupt = errors.New("objstore: stored data failed authentication")
)
