package devidp

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const (
	keyFileVersion    = 1
	rsaKeyBits        = 2048
	requestSecretSize = 32
	maxKeyFileBytes   = 1 << 20
	certificateLife   = 10 * 365 * 24 * time.Hour
)

// keyFile is the on-disk form of a key directory.
type keyFile struct {
	Version       int         `json:"version"`
	RequestSecret []byte      `json:"request_secret"` // base64 in JSON
	Keys          []storedKey `json:"keys"`           // oldest first; the last is active
}

type storedKey struct {
	KeyID       string    `json:"kid"`
	Created     time.Time `json:"created"`
	UnpublishAt time.Time `json:"unpublish_at,omitzero"` // set when the key is replaced
	PrivateKey  string    `json:"private_key"`           // PEM, PKCS #8
	Certificate string    `json:"certificate"`           // PEM, self-signed
}

// signingKey is a parsed stored key, ready to sign and to publish.
type signingKey struct {
	kid         string
	x5t         string
	created     time.Time
	unpublishAt time.Time
	signer      jose.Signer
	public      jose.JSONWebKey
}

func (k *signingKey) info() KeyInfo {
	return KeyInfo{KeyID: k.kid, X5t: k.x5t, Created: k.created, Active: k.unpublishAt.IsZero(), UnpublishAt: k.unpublishAt}
}

// unexpired drops the replaced keys whose grace period is over at now.
func (f keyFile) unexpired(now time.Time) []storedKey {
	var keep []storedKey
	for _, k := range f.Keys {
		if k.UnpublishAt.IsZero() || now.Before(k.UnpublishAt) {
			keep = append(keep, k)
		}
	}
	return keep
}

func (f keyFile) parse() (*keyState, error) {
	if f.Version != keyFileVersion {
		return nil, fmt.Errorf("version %d, want %d", f.Version, keyFileVersion)
	}
	if len(f.RequestSecret) < requestSecretSize {
		return nil, errors.New("request-token secret shorter than 32 bytes")
	}
	if len(f.Keys) == 0 || !f.Keys[len(f.Keys)-1].UnpublishAt.IsZero() {
		return nil, errors.New("no active key (the last key must have no unpublish_at)")
	}
	state := &keyState{secret: f.RequestSecret}
	for i, stored := range f.Keys {
		if i < len(f.Keys)-1 && stored.UnpublishAt.IsZero() {
			return nil, fmt.Errorf("key %q: replaced key without unpublish_at", stored.KeyID)
		}
		key, err := stored.parse()
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", stored.KeyID, err)
		}
		state.keys = append(state.keys, key)
	}
	return state, nil
}

func (s storedKey) parse() (*signingKey, error) {
	private, err := parsePrivateKey(s.PrivateKey)
	if err != nil {
		return nil, err
	}
	cert, err := parseCertificate(s.Certificate, &private.PublicKey)
	if err != nil {
		return nil, err
	}
	if kid, err := keyID(&private.PublicKey); err != nil || kid != s.KeyID {
		return nil, errors.New("kid is not the thumbprint of the key")
	}
	thumb := sha1.Sum(cert.Raw)
	x5t := base64.RawURLEncoding.EncodeToString(thumb[:])
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: private, KeyID: s.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("x5t", x5t),
	)
	if err != nil {
		return nil, err
	}
	public := jose.JSONWebKey{
		Key: &private.PublicKey, KeyID: s.KeyID, Algorithm: string(jose.RS256), Use: "sig",
		Certificates: []*x509.Certificate{cert}, CertificateThumbprintSHA1: thumb[:],
	}
	return &signingKey{kid: s.KeyID, x5t: x5t, created: s.Created, unpublishAt: s.UnpublishAt, signer: signer, public: public}, nil
}

func parsePrivateKey(pemText string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("private_key is not a PEM PRIVATE KEY block")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	private, ok := parsed.(*rsa.PrivateKey)
	if !ok || private.N.BitLen() < rsaKeyBits {
		return nil, fmt.Errorf("private_key is not an RSA key of at least %d bits", rsaKeyBits)
	}
	return private, nil
}

func parseCertificate(pemText string, want *rsa.PublicKey) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("certificate is not a PEM CERTIFICATE block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	if public, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !public.Equal(want) {
		return nil, errors.New("certificate is not for the private key")
	}
	return cert, nil
}

// keyID is the RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key: stable,
// unique per key and recomputable by anyone holding the JWKS.
func keyID(public *rsa.PublicKey) (string, error) {
	sum, err := (&jose.JSONWebKey{Key: public}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

// generateKey makes an RSA-2048 key and a self-signed certificate for it, so the JWK's
// x5c and x5t are real. Nobody validates the certificate; it exists for its thumbprint.
func generateKey(random io.Reader, now time.Time) (storedKey, error) {
	private, err := rsa.GenerateKey(random, rsaKeyBits)
	if err != nil {
		return storedKey{}, fmt.Errorf("devidp: generate key: %w", err)
	}
	kid, err := keyID(&private.PublicKey)
	if err != nil {
		return storedKey{}, fmt.Errorf("devidp: key id: %w", err)
	}
	serial := make([]byte, 16)
	if _, err := io.ReadFull(random, serial); err != nil {
		return storedKey{}, fmt.Errorf("devidp: certificate serial: %w", err)
	}
	template := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(serial),
		Subject:               pkix.Name{CommonName: "inkan dev IdP " + kid[:12]},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certificateLife),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(random, template, template, &private.PublicKey, private)
	if err != nil {
		return storedKey{}, fmt.Errorf("devidp: self-sign certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(private)
	if err != nil {
		return storedKey{}, fmt.Errorf("devidp: encode key: %w", err)
	}
	return storedKey{
		KeyID:       kid,
		Created:     now.UTC(),
		PrivateKey:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
		Certificate: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
	}, nil
}

func readKeyFile(path string) (keyFile, error) {
	file, _, err := readKeyFileInfo(path)
	return file, err
}

// readKeyFileInfo reads and strictly decodes the key file, returning the stat of the very
// file it read (not of whatever the path names a moment later).
func readKeyFileInfo(path string) (keyFile, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return keyFile{}, nil, fmt.Errorf("devidp: key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return keyFile{}, nil, fmt.Errorf("devidp: key file: %w", err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return keyFile{}, nil, fmt.Errorf("devidp: key file %s is open to other users (mode %v): run chmod 600 on it", path, info.Mode().Perm())
	}
	raw, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes))
	if err != nil {
		return keyFile{}, nil, fmt.Errorf("devidp: key file: %w", err)
	}
	file, err := decodeKeyFile(raw, path)
	return file, info, err
}

// writeKeyFile replaces the key file atomically: readers see the old file or the new
// one, never a partial write, and a rename always gives the file a new identity.
func writeKeyFile(dir string, file keyFile) error {
	raw, err := json.MarshalIndent(file, "", "  ")
	if err != nil {
		return fmt.Errorf("devidp: encode key file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".keys-*.tmp") // created 0600
	if err != nil {
		return fmt.Errorf("devidp: write key file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	_, err = tmp.Write(raw)
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, keysFileName))
	}
	if err != nil {
		return fmt.Errorf("devidp: write key file: %w", err)
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable where the OS allows
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
