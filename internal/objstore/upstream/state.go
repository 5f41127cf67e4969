package upstream

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// The state bucket holds, as small objects, what the S3 API has no place for
// (see the package documentation). Its keys avoid one key being the
// "directory" of another, which filesystem-backed upstreams refuse:
//
//	uploads/<bucket>/<id>            an upload's record (uploadRecord, JSON)
//	parts/<bucket>/<id>/<n>/<etag>/<sums>
//	                                 a part's checksums, in the key itself so
//	                                 that one listing returns every part's
//	                                 (empty object; <sums> is base64url of the
//	                                 URL-encoded map)
//	objects/<bucket>/<k>             checksums given at completion to a
//	                                 multipart object, or trailing a
//	                                 streamed PUT (completedRecord, JSON)
//
// <bucket> is the upstream bucket name, <id> and <k> the SHA-256 (hex, 40
// digits) of the upload ID and of the key. A record that is missing (an
// upload created by another client, a crash between two writes) degrades to
// empty metadata, never to an error.

// uploadRecord is what ListParts and ListMultipartUploads describe an
// upload with.
type uploadRecord struct {
	UploadID  string              `json:"id"`
	Key       string              `json:"key"`
	Initiated string              `json:"initiated"`
	Meta      objstore.ObjectMeta `json:"meta"`
}

// completedRecord holds the checksums CompleteMultipartUpload, or the end of
// a streamed PUT body, gave an object; it applies while the object has ETag.
type completedRecord struct {
	ETag         string            `json:"etag"`
	Checksums    map[string]string `json:"checksums,omitempty"`
	ChecksumType string            `json:"type,omitempty"`
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:20])
}

func uploadKey(name, id string) string   { return "uploads/" + name + "/" + digest(id) }
func partsPrefix(name, id string) string { return "parts/" + name + "/" + digest(id) + "/" }
func completedKey(name, key string) string {
	return "objects/" + name + "/" + digest(key)
}

// partKey names a part's checksum record.
func partKey(name, id string, n int, etag string, sums map[string]string) string {
	form := url.Values{}
	for alg, v := range sums {
		form.Set(alg, v)
	}
	return partsPrefix(name, id) + strconv.Itoa(100000 + n)[1:] + "/" + etag + "/" +
		base64.RawURLEncoding.EncodeToString([]byte(form.Encode()))
}

// parsePartKey reads back what partKey wrote.
func parsePartKey(rest string) (n int, etag string, sums map[string]string, ok bool) {
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		return 0, "", nil, false
	}
	n, err := strconv.Atoi(parts[0])
	raw, err2 := base64.RawURLEncoding.DecodeString(parts[2])
	form, err3 := url.ParseQuery(string(raw))
	if err != nil || err2 != nil || err3 != nil {
		return 0, "", nil, false
	}
	sums = map[string]string{}
	for alg := range form {
		sums[alg] = form.Get(alg)
	}
	return n, parts[1], sums, true
}

// ensureState creates the state bucket once per process.
func (b *Backend) ensureState(ctx context.Context) error {
	b.stateOnce.Lock()
	defer b.stateOnce.Unlock()
	if b.stateMade {
		return nil
	}
	err := b.createBucket(ctx, "CreateBucket", b.opt.StateBucket)
	if err != nil && !errors.Is(err, objstore.ErrBucketExists) {
		return err
	}
	b.stateMade = true
	return nil
}

// putState stores a state object.
func (b *Backend) putState(ctx context.Context, key string, data []byte) error {
	if err := b.ensureState(ctx); err != nil {
		return err
	}
	_, err := b.doDiscard(ctx, &call{op: "PutObject", method: http.MethodPut, bucket: b.opt.StateBucket, key: key,
		body: bytes.NewReader(data), size: int64(len(data)), payloadHash: sigv4.PayloadHash(data), retry: true})
	return err
}

// putJSON stores v as a state object.
func (b *Backend) putJSON(ctx context.Context, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.putState(ctx, key, data)
}

// getJSON reads a state object into v; found is false when there is none.
func (b *Backend) getJSON(ctx context.Context, key string, v any) (found bool, err error) {
	resp, err := b.do(ctx, &call{op: "GetObject", method: http.MethodGet, bucket: b.opt.StateBucket, key: key})
	if errors.Is(err, objstore.ErrNoSuchKey) || errors.Is(err, objstore.ErrNoSuchBucket) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer drain(resp.Body)
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return false, unavailable("GetObject", "reading state: "+err.Error(), err)
	}
	if json.Unmarshal(data, v) != nil {
		b.opt.Logger.Warn("upstream state object unreadable; ignored", "key", key)
		return false, nil
	}
	return true, nil
}

// deleteState deletes state objects, ignoring ones already gone.
func (b *Backend) deleteState(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		_, err := b.doDiscard(ctx, &call{op: "DeleteObject", method: http.MethodDelete, bucket: b.opt.StateBucket, key: k})
		if err != nil && !errors.Is(err, objstore.ErrNoSuchBucket) {
			return err
		}
	}
	return nil
}

// listState lists the keys of state objects under prefix, after the prefix.
func (b *Backend) listState(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	opts := objstore.ListOptions{Prefix: prefix, MaxKeys: 1000}
	for {
		page, err := b.listObjects(ctx, b.opt.StateBucket, opts, "")
		if errors.Is(err, objstore.ErrNoSuchBucket) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		for _, o := range page.Objects {
			out = append(out, strings.TrimPrefix(o.Key, prefix))
		}
		if !page.IsTruncated {
			return out, nil
		}
		opts.After = page.NextAfter
	}
}

// deleteStatePrefix deletes every state object under prefix.
func (b *Backend) deleteStatePrefix(ctx context.Context, prefix string) error {
	keys, err := b.listState(ctx, prefix)
	if err != nil {
		return err
	}
	for i := range keys {
		keys[i] = prefix + keys[i]
	}
	return b.deleteState(ctx, keys...)
}

// completedChecksums applies a completedRecord to info, a multipart object
// created through inkan, when the record describes its ETag.
func (b *Backend) completedChecksums(ctx context.Context, name, key string, info *objstore.ObjectInfo) error {
	var rec completedRecord
	found, err := b.getJSON(ctx, completedKey(name, key), &rec)
	if err != nil || !found || rec.ETag != info.ETag {
		return err
	}
	if rec.Checksums != nil {
		info.Meta.Checksums = rec.Checksums
	}
	if rec.ChecksumType != "" {
		info.Meta.ChecksumType = rec.ChecksumType
	}
	return nil
}

// uploadRecords reads the records of uploads, at most 8 at a time.
func (b *Backend) uploadRecords(ctx context.Context, name string, ids []string) ([]uploadRecord, error) {
	recs := make([]uploadRecord, len(ids))
	errs := make([]error, len(ids))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			_, errs[i] = b.getJSON(ctx, uploadKey(name, id), &recs[i])
		})
	}
	wg.Wait()
	return recs, errors.Join(errs...)
}
