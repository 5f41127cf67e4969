package upstream

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// CreateMultipartUpload starts an upstream upload with meta (so the upstream
// stores it with the object) and records meta in the state bucket for the
// listings. The upload ID is the upstream's.
func (b *Backend) CreateMultipartUpload(ctx context.Context, bucket, key string, meta objstore.ObjectMeta, dk *objstore.DataKey) (string, error) {
	name, err := b.objectName(bucket, key)
	if err != nil {
		return "", err
	}
	if err := refuseDataKey(dk); err != nil {
		return "", err
	}
	h := make(http.Header, 8)
	setMeta(h, meta, true)
	var res struct{ UploadId string }
	c := &call{op: "CreateMultipartUpload", method: http.MethodPost, bucket: name, key: key, header: h,
		query: []param{{name: "uploads", bare: true}}}
	if err := b.getXML(ctx, c, &res); err != nil {
		return "", notFoundIsBucket(err)
	}
	if res.UploadId == "" {
		return "", b.badAnswer(c.op, "no UploadId")
	}
	rec := uploadRecord{UploadID: res.UploadId, Key: key, Initiated: b.opt.Now().UTC().Format(time.RFC3339Nano), Meta: meta}
	if err := b.putJSON(ctx, uploadKey(name, res.UploadId), rec); err != nil {
		b.abort(context.WithoutCancel(ctx), name, key, res.UploadId)
		return "", err
	}
	return res.UploadId, nil
}

func partQuery(number int, uploadID string) []param {
	return []param{{name: "partNumber", value: strconv.Itoa(number)}, {name: "uploadId", value: uploadID}}
}

func checkPartNumber(n int) error {
	if n < 1 || n > objstore.MaxPartNumber {
		return fmt.Errorf("%w: part number %d outside 1..%d", objstore.ErrInvalidArgument, n, objstore.MaxPartNumber)
	}
	return nil
}

// UploadPart streams a part under PutObject's body rules; its checksums,
// opaque to the upstream, are recorded in the state bucket.
func (b *Backend) UploadPart(ctx context.Context, bucket, key, uploadID string, number int, body io.Reader, size int64, opts objstore.PartOptions) (objstore.PartInfo, error) {
	checksums := opts.Checksums
	name, err := b.objectName(bucket, key)
	if err != nil {
		return objstore.PartInfo{}, err
	}
	if err := checkPartNumber(number); err != nil {
		return objstore.PartInfo{}, err
	}
	c := &call{op: "UploadPart", method: http.MethodPut, bucket: name, key: key, query: partQuery(number, uploadID)}
	resp, err := b.sendBody(ctx, c, body, size, nil)
	if err != nil {
		return objstore.PartInfo{}, b.uploadError(ctx, name, err)
	}
	drain(resp.Body)
	etag := objstore.NormalizeETag(resp.Header.Get("ETag"))
	if etag == "" {
		return objstore.PartInfo{}, b.badAnswer(c.op, "no ETag")
	}
	if len(checksums) > 0 {
		if err := b.putState(ctx, partKey(name, uploadID, number, etag, checksums), nil); err != nil {
			return objstore.PartInfo{}, err
		}
	}
	lm, _ := http.ParseTime(resp.Header.Get("Date"))
	return objstore.PartInfo{Number: number, ETag: etag, Size: c.size, Checksums: checksums, LastModified: lm}, nil
}

// uploadError tells a 404 of an upload call apart: NoSuchUpload when the
// bucket exists (some upstreams answer NoSuchKey or a bodiless 404).
func (b *Backend) uploadError(ctx context.Context, name string, err error) error {
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusNotFound || e.Code == "NoSuchUpload" {
		return err
	}
	if e.Code == "NoSuchBucket" {
		return err
	}
	if berr := b.headBucket(ctx, name); berr != nil {
		return berr
	}
	e.Code, e.kind = "NoSuchUpload", objstore.ErrNoSuchUpload
	return err
}

type listPartsResult struct {
	IsTruncated          bool
	NextPartNumberMarker int
	Parts                []struct {
		PartNumber   int
		ETag         string
		Size         int64
		LastModified string
	} `xml:"Part"`
}

// ListParts lists a page of the upstream's parts, described with the
// upload's record and the parts' checksums from the state bucket.
func (b *Backend) ListParts(ctx context.Context, bucket, key, uploadID string, opts objstore.ListPartsOptions) (objstore.ListPartsResult, error) {
	name, err := b.objectName(bucket, key)
	if err != nil {
		return objstore.ListPartsResult{}, err
	}
	res, err := b.listParts(ctx, name, key, uploadID, opts.PartNumberMarker, max(opts.MaxParts, 1))
	if err != nil {
		return objstore.ListPartsResult{}, err
	}
	var rec uploadRecord
	if _, err := b.getJSON(ctx, uploadKey(name, uploadID), &rec); err != nil {
		return objstore.ListPartsResult{}, err
	}
	out := objstore.ListPartsResult{Upload: b.upload(bucket, key, uploadID, rec, time.Time{})}
	if opts.MaxParts <= 0 {
		return out, nil
	}
	sums, err := b.partChecksums(ctx, name, uploadID)
	if err != nil {
		return objstore.ListPartsResult{}, err
	}
	for _, p := range res.Parts {
		etag := objstore.NormalizeETag(p.ETag)
		info := objstore.PartInfo{Number: p.PartNumber, ETag: etag, Size: p.Size,
			LastModified: lastModified(p.LastModified), Checksums: sums[partID{p.PartNumber, etag}]}
		// SeaweedFS lists every upload of a part number (see uploadedParts):
		// the latest stands for the part, as its completion takes it.
		if n := len(out.Parts); n > 0 && out.Parts[n-1].Number == info.Number {
			if !info.LastModified.Before(out.Parts[n-1].LastModified) {
				out.Parts[n-1] = info
			}
			continue
		}
		out.Parts = append(out.Parts, info)
	}
	out.IsTruncated, out.NextPartNumberMarker = res.IsTruncated, res.NextPartNumberMarker
	return out, nil
}

func (b *Backend) listParts(ctx context.Context, name, key, uploadID string, marker, maxParts int) (*listPartsResult, error) {
	q := []param{{name: "max-parts", value: strconv.Itoa(maxParts)}, {name: "uploadId", value: uploadID}}
	if marker > 0 {
		q = append(q, param{name: "part-number-marker", value: strconv.Itoa(marker)})
	}
	var res listPartsResult
	err := b.getXML(ctx, &call{op: "ListParts", method: http.MethodGet, bucket: name, key: key, query: q}, &res)
	if err != nil {
		return nil, b.uploadError(ctx, name, err)
	}
	return &res, nil
}

// partID names a part version: its number and ETag.
type partID struct {
	n    int
	etag string
}

// partChecksums reads every part's recorded checksums with one listing.
func (b *Backend) partChecksums(ctx context.Context, name, uploadID string) (map[partID]map[string]string, error) {
	keys, err := b.listState(ctx, partsPrefix(name, uploadID))
	if err != nil {
		return nil, err
	}
	out := make(map[partID]map[string]string, len(keys))
	for _, k := range keys {
		if n, etag, sums, ok := parsePartKey(k); ok {
			out[partID{n, etag}] = sums
		}
	}
	return out, nil
}

// upload describes an upload from its record; initiated stands in for a
// missing record's time.
func (b *Backend) upload(bucket, key, uploadID string, rec uploadRecord, initiated time.Time) objstore.Upload {
	if t, err := time.Parse(time.RFC3339Nano, rec.Initiated); err == nil {
		initiated = t
	}
	return objstore.Upload{Bucket: bucket, Key: key, UploadID: uploadID, Initiated: initiated, Meta: rec.Meta}
}

// AbortMultipartUpload aborts the upstream upload and deletes its records.
func (b *Backend) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	name, err := b.objectName(bucket, key)
	if err != nil {
		return err
	}
	return b.abort(ctx, name, key, uploadID)
}

func (b *Backend) abort(ctx context.Context, name, key, uploadID string) error {
	_, err := b.doDiscard(ctx, &call{op: "AbortMultipartUpload", method: http.MethodDelete, bucket: name, key: key,
		query: []param{{name: "uploadId", value: uploadID}}})
	if err != nil {
		return b.uploadError(ctx, name, err)
	}
	return b.forgetUpload(ctx, name, uploadID)
}

// forgetUpload deletes an ended upload's records.
func (b *Backend) forgetUpload(ctx context.Context, name, uploadID string) error {
	if err := b.deleteStatePrefix(ctx, partsPrefix(name, uploadID)); err != nil {
		return err
	}
	return b.deleteState(ctx, uploadKey(name, uploadID))
}

// completeRequest is CompleteMultipartUpload's body.
type completeRequest struct {
	XMLName xml.Name       `xml:"CompleteMultipartUpload"`
	Parts   []completePart `xml:"Part"`
}

type completePart struct {
	PartNumber int
	ETag       string
}

// CompleteMultipartUpload checks the part list against the upstream's parts
// (so that its errors come in the contract's order, whatever order the
// upstream checks them in), records the completion checksums, completes
// upstream with the precondition, and forgets the upload.
func (b *Backend) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []objstore.CompletePart, opts objstore.CompleteOptions) (objstore.ObjectInfo, error) {
	name, err := b.objectName(bucket, key)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	if err := checkCompleteOrder(parts); err != nil {
		return objstore.ObjectInfo{}, err
	}
	etag, err := b.checkCompleteParts(ctx, name, key, uploadID, parts)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	h := make(http.Header, 2)
	if err := b.setPrecondition(ctx, h, name, key, opts.Precondition); err != nil {
		return objstore.ObjectInfo{}, err
	}
	rec := completedRecord{ETag: etag, Checksums: opts.Checksums, ChecksumType: opts.ChecksumType}
	keep := opts.Checksums != nil || opts.ChecksumType != ""
	if keep { // before completing, so that no reader sees the object without them
		if err := b.putJSON(ctx, completedKey(name, key), rec); err != nil {
			return objstore.ObjectInfo{}, err
		}
	}
	got, err := b.complete(ctx, name, key, uploadID, parts, h)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	if keep && got != etag { // an upstream whose ETags are not S3's MD5s
		rec.ETag = got
		if err := b.putJSON(ctx, completedKey(name, key), rec); err != nil {
			return objstore.ObjectInfo{}, err
		}
	}
	if err := b.forgetUpload(ctx, name, uploadID); err != nil {
		b.opt.Logger.Warn("upstream upload records left behind", "bucket", name, "err", err)
	}
	return b.writtenInfo(ctx, bucket, name, key, got, nil)
}

// checkCompleteOrder applies the checks that need no upstream.
func checkCompleteOrder(parts []objstore.CompletePart) error {
	if len(parts) == 0 {
		return fmt.Errorf("%w: no parts", objstore.ErrInvalidArgument)
	}
	for _, p := range parts {
		if err := checkPartNumber(p.Number); err != nil {
			return err
		}
	}
	for i := 1; i < len(parts); i++ {
		if parts[i].Number <= parts[i-1].Number {
			return fmt.Errorf("%w: part %d after part %d", objstore.ErrInvalidPartOrder, parts[i].Number, parts[i-1].Number)
		}
	}
	return nil
}

// checkCompleteParts checks that every listed part was uploaded with its
// ETag and that all but the last are large enough, and returns the ETag S3
// gives the assembled object.
func (b *Backend) checkCompleteParts(ctx context.Context, name, key, uploadID string, parts []objstore.CompletePart) (string, error) {
	have, err := b.uploadedParts(ctx, name, key, uploadID, parts)
	if err != nil {
		return "", err
	}
	etags := make([]string, len(parts))
	for i, p := range parts {
		etags[i] = have[p.Number].etag
	}
	for _, p := range parts[:len(parts)-1] {
		if size := have[p.Number].size; size < objstore.MinPartSize {
			return "", fmt.Errorf("%w: part %d has %d bytes", objstore.ErrEntityTooSmall, p.Number, size)
		}
	}
	etag, err := objstore.MultipartETag(etags)
	if err != nil {
		// An upstream whose part ETags are not MD5s: the assembled object's ETag is its own.
		return "", nil
	}
	return etag, nil
}

// uploadedPart is a part as ListParts describes it.
type uploadedPart struct {
	etag string
	size int64
}

// uploadedParts lists the upload's parts and returns, for each of parts,
// the uploaded version with its ETag (ErrInvalidPart when there is none).
//
// SeaweedFS keeps every upload of a part number (each in a file of its own)
// until the upload completes, and lists them all, in an arbitrary order; its
// completion takes the latest. A part is therefore matched against every
// listed version of its number, not the last one listed.
func (b *Backend) uploadedParts(ctx context.Context, name, key, uploadID string, parts []objstore.CompletePart) (map[int]uploadedPart, error) {
	versions, err := b.allParts(ctx, name, key, uploadID)
	if err != nil {
		return nil, err
	}
	out := make(map[int]uploadedPart, len(parts))
	for _, p := range parts {
		etag := objstore.NormalizeETag(p.ETag)
		i := slices.IndexFunc(versions[p.Number], func(u uploadedPart) bool { return u.etag == etag })
		if i < 0 {
			return nil, fmt.Errorf("%w: part %d", objstore.ErrInvalidPart, p.Number)
		}
		out[p.Number] = versions[p.Number][i]
	}
	return out, nil
}

// allParts pages through ListParts, returning every listed version of
// each part number.
func (b *Backend) allParts(ctx context.Context, name, key, uploadID string) (map[int][]uploadedPart, error) {
	have := map[int][]uploadedPart{}
	for marker := 0; ; {
		res, err := b.listParts(ctx, name, key, uploadID, marker, 1000)
		if err != nil {
			return nil, err
		}
		for _, p := range res.Parts {
			have[p.PartNumber] = append(have[p.PartNumber], uploadedPart{etag: objstore.NormalizeETag(p.ETag), size: p.Size})
		}
		if !res.IsTruncated || res.NextPartNumberMarker <= marker {
			return have, nil
		}
		marker = res.NextPartNumberMarker
	}
}

// complete sends CompleteMultipartUpload and returns the object's ETag.
func (b *Backend) complete(ctx context.Context, name, key, uploadID string, parts []objstore.CompletePart, h http.Header) (string, error) {
	req := completeRequest{Parts: make([]completePart, len(parts))}
	for i, p := range parts {
		req.Parts[i] = completePart{PartNumber: p.Number, ETag: quoteETag(p.ETag)}
	}
	doc, err := xml.Marshal(req)
	if err != nil {
		return "", err
	}
	var res struct{ ETag string }
	c := &call{op: "CompleteMultipartUpload", method: http.MethodPost, bucket: name, key: key, header: h,
		query: []param{{name: "uploadId", value: uploadID}}, retry: true,
		body: bytes.NewReader(doc), size: int64(len(doc)), payloadHash: sigv4.PayloadHash(doc)}
	if err := b.getXML(ctx, c, &res); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == "NoSuchKey" && h.Get("If-Match") != "" {
			return "", err // If-Match on a missing key; the upload was seen a moment ago
		}
		return "", b.uploadError(ctx, name, err)
	}
	return objstore.NormalizeETag(res.ETag), nil
}
