package localfs

import (
	"bytes"
	"context"
	"crypto/cipher"
	"fmt"
	"io"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// openAEAD returns the cipher of bytes stored with enc, opening the data key
// with keys; nil for bytes stored as sent. The opener's error is returned
// unchanged.
func openAEAD(enc objstore.Encryption, keys objstore.KeyOpener) (cipher.AEAD, error) {
	if enc.Type == "" {
		return nil, nil
	}
	if keys == nil {
		return nil, objstore.ErrEncrypted
	}
	key, err := keys(enc)
	if err != nil {
		return nil, err
	}
	return newAEAD(key)
}

// newKeyAEAD returns the cipher of a new object's data key and the
// Encryption stored with it; nil and the zero Encryption for none.
func newKeyAEAD(dk *objstore.DataKey) (cipher.AEAD, objstore.Encryption, error) {
	if dk == nil {
		return nil, objstore.Encryption{}, nil
	}
	if dk.Type == "" {
		return nil, objstore.Encryption{}, fmt.Errorf("%w: data key without an encryption type", objstore.ErrInvalidArgument)
	}
	aead, err := newAEAD(dk.Key)
	enc := objstore.Encryption{Type: dk.Type, Sealed: bytes.Clone(dk.Sealed)}
	return aead, enc, err
}

// newBody returns the body over the clipped segments of r: plaintext files
// are served as they are (sendfile reaches them), encrypted ones through
// cryptBody.
func (b *Backend) newBody(r objectRow, off, length int64, keys objstore.KeyOpener, done func()) (io.ReadCloser, error) {
	segs := clip(r.segs, off, length)
	if r.info.Encryption.Type == "" {
		return &body{store: b.blobs, segs: segs, done: done}, nil
	}
	aead, err := openAEAD(r.info.Encryption, keys)
	if err != nil {
		return nil, err
	}
	cb := &cryptBody{store: b.blobs, aead: aead, segs: segs, done: done}
	// Decrypt the first batch now: damage there (or a wrong key) fails the
	// GetObject call itself, before an answer has started, rather than
	// cutting a body short.
	if err := cb.next(); err != nil && err != io.EOF {
		cb.done = func() {}
		cb.Close()
		return nil, err
	}
	return cb, nil
}

// reencrypt is CopyObject with Reencrypt: the source's bytes are decrypted
// and written into a new data file under the copy's key. The copy keeps the
// source's ETag and parts (their sizes still describe where each part
// lies), in one data file.
func (b *Backend) reencrypt(ctx context.Context, src objstore.CopySource, dstBucket, dstKey string, opts objstore.CopyOptions) (objstore.ObjectInfo, error) {
	if err := b.checkWritable(dstBucket, dstKey); err != nil {
		return objstore.ObjectInfo{}, err
	}
	aead, enc, err := newKeyAEAD(opts.Encrypt)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	epoch := b.keep.enter()
	defer b.keep.exit(epoch)
	s, err := lookupRead(b.idx.reader(ctx), src.Bucket, src.Key, src.VersionID)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	if err := checkSourceETag(src, s.info.ETag); err != nil {
		return objstore.ObjectInfo{}, err
	}
	in, err := b.newBody(s, 0, s.info.Size, src.Keys, func() {})
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	defer in.Close()
	wr, err := b.blobs.write(ctx, in, s.info.Size, aead)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	r := objectRow{info: s.info, parts: s.parts, segs: []segment{{blob: wr.id, length: wr.size}}}
	r.info.Bucket, r.info.Key, r.info.LastModified, r.info.Encryption = dstBucket, dstKey, b.now(), enc
	r.info.VersionID, r.info.IsLatest = "", true
	if opts.Meta != nil {
		r.info.Meta = replacedMeta(*opts.Meta, s.info.Meta)
	}
	info, err := b.replace(ctx, wr.dir, opts.Precondition, func(w *wtx) (objectRow, error) {
		if err := requireBucket(w, dstBucket); err != nil {
			return r, err
		}
		return r, w.addBlob(wr.id)
	})
	if err := b.settle(wr, err); err != nil {
		return objstore.ObjectInfo{}, err
	}
	return info, nil
}

// verifySourceKey makes a copy that shares an encrypted source's bytes
// prove the caller holds its key, before the commit (a KeyOpener may be
// slow, and the commit must not wait on it). It returns the Encryption it
// verified, which the commit requires the source to still have.
func (b *Backend) verifySourceKey(ctx context.Context, src objstore.CopySource) (objstore.Encryption, error) {
	s, err := lookupRead(b.idx.reader(ctx), src.Bucket, src.Key, src.VersionID)
	if err != nil {
		return objstore.Encryption{}, err
	}
	if _, err := openAEAD(s.info.Encryption, src.Keys); err != nil {
		return objstore.Encryption{}, err
	}
	return s.info.Encryption, nil
}

// sameEncryption reports whether two stored encryptions are the same key.
func sameEncryption(a, b objstore.Encryption) bool {
	return a.Type == b.Type && bytes.Equal(a.Sealed, b.Sealed)
}
