package upstream

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

type listUploadsResult struct {
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIdMarker string
	EncodingType       string
	Uploads            []struct {
		Key       string
		UploadId  string
		Initiated string
	} `xml:"Upload"`
	CommonPrefixes []struct{ Prefix string }
}

// ListMultipartUploads passes the listing through, and describes each upload
// with its record from the state bucket (read 8 at a time).
func (b *Backend) ListMultipartUploads(ctx context.Context, bucket string, opts objstore.ListUploadsOptions) (objstore.ListUploadsResult, error) {
	name, empty, err := b.listName(bucket, opts.Prefix, opts.Delimiter, opts.KeyMarker)
	if err != nil {
		return objstore.ListUploadsResult{}, err
	}
	if opts.MaxUploads <= 0 || empty {
		return objstore.ListUploadsResult{}, b.headBucket(ctx, name)
	}
	res, err := b.listUploads(ctx, name, opts)
	if err != nil {
		return objstore.ListUploadsResult{}, err
	}
	dec := decoder(res.EncodingType)
	ids := make([]string, len(res.Uploads))
	for i, u := range res.Uploads {
		ids[i] = u.UploadId
	}
	recs, err := b.uploadRecords(ctx, name, ids)
	if err != nil {
		return objstore.ListUploadsResult{}, err
	}
	out := objstore.ListUploadsResult{IsTruncated: res.IsTruncated,
		NextKeyMarker: dec(res.NextKeyMarker), NextUploadIDMarker: res.NextUploadIdMarker}
	for i, u := range res.Uploads {
		out.Uploads = append(out.Uploads, b.upload(bucket, dec(u.Key), u.UploadId, recs[i], lastModified(u.Initiated)))
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, dec(p.Prefix))
	}
	return out, nil
}

func (b *Backend) listUploads(ctx context.Context, name string, opts objstore.ListUploadsOptions) (*listUploadsResult, error) {
	q := []param{{name: "uploads", bare: true}, {name: "encoding-type", value: "url"},
		{name: "max-uploads", value: itoa(opts.MaxUploads)}}
	if opts.Prefix != "" {
		q = append(q, param{name: "prefix", value: opts.Prefix})
	}
	if opts.Delimiter != "" {
		q = append(q, param{name: "delimiter", value: opts.Delimiter})
	}
	if opts.KeyMarker != "" {
		q = append(q, param{name: "key-marker", value: opts.KeyMarker})
		if opts.UploadIDMarker != "" {
			q = append(q, param{name: "upload-id-marker", value: opts.UploadIDMarker})
		}
	}
	var res listUploadsResult
	err := b.getXML(ctx, &call{op: "ListMultipartUploads", method: http.MethodGet, bucket: name, query: sortedParams(q)}, &res)
	return &res, err
}

// abortAll aborts every upload in progress in a bucket about to be deleted,
// and deletes the bucket's completion records.
func (b *Backend) abortAll(ctx context.Context, bucket, name string) error {
	opts := objstore.ListUploadsOptions{MaxUploads: 1000}
	for {
		res, err := b.listUploads(ctx, name, opts)
		if err != nil {
			return err
		}
		dec := decoder(res.EncodingType)
		for _, u := range res.Uploads {
			if err := b.abort(ctx, name, dec(u.Key), u.UploadId); err != nil && !isNoSuchUpload(err) {
				return err
			}
		}
		if !res.IsTruncated || res.NextKeyMarker == "" {
			break
		}
		opts.KeyMarker, opts.UploadIDMarker = dec(res.NextKeyMarker), res.NextUploadIdMarker
	}
	return b.deleteStatePrefix(ctx, "objects/"+name+"/")
}

func isNoSuchUpload(err error) bool {
	e, ok := err.(*Error)
	return ok && e.kind == objstore.ErrNoSuchUpload
}

// decoder returns the decoding of names in an answer of encoding-type
// encoding ("url", or "" when the upstream ignored the request for it).
func decoder(encoding string) func(string) string {
	if !strings.EqualFold(encoding, "url") {
		return func(s string) string { return s }
	}
	return func(s string) string {
		if d, err := url.QueryUnescape(s); err == nil {
			return d
		}
		return s
	}
}
