package sse

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"errors"
)

// CustomerKey is an SSE-C key a request carried, checked. It is held only for
// the request and never stored or logged (its String hides it).
type CustomerKey struct {
	key [32]byte
	// MD5 is the base64 MD5 of the key, echoed in answers.
	MD5 string
}

// String hides the key.
func (CustomerKey) String() string { return "sse.CustomerKey{…}" }

// The SSE-C header problems, in the order S3 checks them (reference §4).
var (
	ErrCustomerAlgorithm   = errors.New("sse: the customer key algorithm is not AES256")
	ErrCustomerKeyMissing  = errors.New("sse: no customer key")
	ErrCustomerMD5Missing  = errors.New("sse: no customer key MD5")
	ErrCustomerKeyInvalid  = errors.New("sse: the customer key is not 256 bits")
	ErrCustomerMD5Mismatch = errors.New("sse: the customer key MD5 does not match")
)

// ParseCustomerKey checks the three SSE-C values: algorithm (AES256), key
// (base64 of 32 bytes) and key MD5 (base64 MD5 of the raw key, compared in
// constant time).
func ParseCustomerKey(algorithm, key, keyMD5 string) (CustomerKey, error) {
	var c CustomerKey
	switch {
	case algorithm != "AES256":
		return c, ErrCustomerAlgorithm
	case key == "":
		return c, ErrCustomerKeyMissing
	case keyMD5 == "":
		return c, ErrCustomerMD5Missing
	}
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != len(c.key) {
		return c, ErrCustomerKeyInvalid
	}
	sum := md5.Sum(raw)
	want := base64.StdEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(want), []byte(keyMD5)) != 1 {
		return c, ErrCustomerMD5Mismatch
	}
	copy(c.key[:], raw)
	clear(raw)
	c.MD5 = want
	return c, nil
}

// Equal reports, in constant time, whether two customer keys are the same.
func (c CustomerKey) Equal(o CustomerKey) bool {
	return subtle.ConstantTimeCompare(c.key[:], o.key[:]) == 1
}
