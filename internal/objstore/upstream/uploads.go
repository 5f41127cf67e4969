package upstream

import (
	"context"
	"errors"
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
	res, err := b.listUploadsPage(ctx, name, opts)
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

// listUploadsPage lists a page of uploads, continuing after an upload ID
// marker itself when the upstream refuses to.
//
// versitygw 1.8 accepts an upload-id-marker only for the first key after
// the key-marker, so it refuses (400 InvalidArgument) the markers it
// returned itself. The page is then made of the marker key's remaining
// uploads (a listing with the key as prefix) followed by a listing after
// the key.
func (b *Backend) listUploadsPage(ctx context.Context, name string, opts objstore.ListUploadsOptions) (*listUploadsResult, error) {
	res, err := b.listUploads(ctx, name, opts)
	var e *Error
	if opts.KeyMarker == "" || opts.UploadIDMarker == "" || !errors.As(err, &e) || e.Code != "InvalidArgument" {
		return res, err
	}
	rest := opts
	rest.UploadIDMarker = ""
	if cp, ok := objstore.CommonPrefix(opts.KeyMarker, opts.Prefix, opts.Delimiter); ok {
		// The marker key rolls up into a prefix already listed: skip all it holds.
		rest.KeyMarker = skipPast(cp)
		return b.listUploads(ctx, name, rest)
	}
	own, err := b.listUploads(ctx, name, objstore.ListUploadsOptions{Prefix: opts.KeyMarker, MaxUploads: 1000})
	if err != nil {
		return nil, err
	}
	dec := decoder(own.EncodingType)
	out := &listUploadsResult{EncodingType: own.EncodingType}
	after := false
	for _, u := range own.Uploads {
		if dec(u.Key) != opts.KeyMarker {
			continue
		}
		if after {
			if len(out.Uploads) == opts.MaxUploads {
				last := out.Uploads[len(out.Uploads)-1]
				out.IsTruncated, out.NextKeyMarker, out.NextUploadIdMarker = true, last.Key, last.UploadId
				return out, nil
			}
			out.Uploads = append(out.Uploads, u)
		}
		after = after || u.UploadId == opts.UploadIDMarker
	}
	rest.MaxUploads = opts.MaxUploads - len(out.Uploads)
	if rest.MaxUploads == 0 {
		last := out.Uploads[len(out.Uploads)-1]
		out.IsTruncated, out.NextKeyMarker, out.NextUploadIdMarker = true, last.Key, last.UploadId
		return out, nil
	}
	more, err := b.listUploads(ctx, name, rest)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(more.EncodingType, out.EncodingType) && len(out.Uploads) > 0 {
		return nil, b.badAnswer("ListMultipartUploads", "encoding types differ between pages")
	}
	more.Uploads = append(out.Uploads, more.Uploads...)
	return more, nil
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
