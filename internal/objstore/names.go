package objstore

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// CheckBucket rejects an empty bucket name (ErrInvalidBucketName). S3's
// naming rules are the wire layer's to enforce; backends need only a name.
func CheckBucket(bucket string) error {
	if bucket == "" {
		return ErrInvalidBucketName
	}
	return nil
}

// CheckKey rejects keys outside 1..MaxKeyLength bytes (ErrInvalidKey,
// ErrKeyTooLong) and keys that are not valid UTF-8 or hold U+0000
// (ErrInvalidKey). Any other character is allowed, "..", "/" and control
// characters included: backends must never use a key as a file path.
//
// Decision: a key is a sequence of Unicode characters, as S3 defines it
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html),
// and AWS refuses a path that does not decode to UTF-8 (400 InvalidURI).
// Whether AWS stores NUL is unconfirmed; inkan refuses it like invalid UTF-8,
// because XML 1.0 cannot carry it in a listing and S3-compatible stores
// (SeaweedFS, versitygw) cannot hold it. The wire layer refuses both before
// a backend sees them; every backend refuses them again here.
func CheckKey(key string) error {
	switch {
	case key == "":
		return ErrInvalidKey
	case len(key) > MaxKeyLength:
		return fmt.Errorf("%w: %d bytes", ErrKeyTooLong, len(key))
	}
	return CheckNames(key)
}

// CheckNames rejects keys, prefixes, delimiters or markers that are not
// valid UTF-8 or hold U+0000 (ErrInvalidKey), as CheckKey does; backends
// apply it to listing parameters, which the wire layer has checked already.
func CheckNames(names ...string) error {
	for _, s := range names {
		switch {
		case !utf8.ValidString(s):
			return fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalidKey, s)
		case strings.IndexByte(s, 0) >= 0:
			return fmt.Errorf("%w: %q holds U+0000", ErrInvalidKey, s)
		}
	}
	return nil
}

// CheckObject applies CheckBucket then CheckKey.
func CheckObject(bucket, key string) error {
	if err := CheckBucket(bucket); err != nil {
		return err
	}
	return CheckKey(key)
}

// CommonPrefix returns the common prefix key rolls up into in a listing with
// prefix and delimiter: key up to and including the first delimiter after
// prefix. ok is false when delimiter is empty, key does not start with
// prefix, or no delimiter follows prefix.
func CommonPrefix(key, prefix, delimiter string) (cp string, ok bool) {
	if delimiter == "" || !strings.HasPrefix(key, prefix) {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delimiter)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delimiter)], true
}

// PrefixEnd returns the smallest byte string greater than every string that
// starts with prefix, for range scans and for skipping past a rolled-up
// common prefix. ok is false when no such string exists (prefix is empty or
// all 0xff bytes).
func PrefixEnd(prefix string) (end string, ok bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
