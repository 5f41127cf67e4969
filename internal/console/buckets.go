package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// Objects is what the console reads of the object backend; objstore.Backend is one.
type Objects interface {
	ListBuckets(ctx context.Context) ([]objstore.BucketInfo, error)
	ListObjects(ctx context.Context, bucket string, opts objstore.ListOptions) (objstore.ListResult, error)
	HeadObject(ctx context.Context, bucket, key, versionID string) (objstore.ObjectInfo, error)
}

// objectsPage is the number of keys and prefixes on one page of a bucket.
const objectsPage = 100

// downloadExpiry is how long the presigned URL a download redirects to stays valid.
const downloadExpiry = time.Minute

func (c *Console) buckets(w http.ResponseWriter, r *http.Request, _ sealed) {
	bs, err := c.o.Objects.ListBuckets(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "buckets", &page{Title: "Buckets", Nav: "buckets", Data: bs})
}

type bucketData struct {
	Bucket, Prefix string
	// Parents are the prefixes above Prefix, for the breadcrumb.
	Parents []string
	List    objstore.ListResult
	Next    string
	// Lifecycle are the bucket's lifecycle rules (lifecycle.go).
	Lifecycle []lifecycleRow
}

// bucket lists a bucket's keys under a prefix, one level at a time ("/" delimits).
func (c *Console) bucket(w http.ResponseWriter, r *http.Request, _ sealed) {
	name, q := r.PathValue("bucket"), r.URL.Query()
	d := &bucketData{Bucket: name, Prefix: q.Get("prefix")}
	var err error
	d.List, err = c.o.Objects.ListObjects(r.Context(), name, objstore.ListOptions{Prefix: d.Prefix, Delimiter: "/",
		After: q.Get("after"), MaxKeys: objectsPage})
	if errors.Is(err, objstore.ErrNoSuchBucket) {
		c.render(w, r, http.StatusNotFound, "error", &page{Title: "Not found", Nav: "buckets", Error: "There is no bucket " + name + "."})
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for i := range len(d.Prefix) {
		if d.Prefix[i] == '/' {
			d.Parents = append(d.Parents, d.Prefix[:i+1])
		}
	}
	if d.List.IsTruncated {
		d.Next = "/console/buckets/" + url.PathEscape(name) + "?" + url.Values{"prefix": {d.Prefix}, "after": {d.List.NextAfter}}.Encode()
	}
	d.Lifecycle = c.lifecycleRows(name)
	c.render(w, r, http.StatusOK, "bucket", &page{Title: "Bucket " + name, Nav: "buckets", Data: d})
}

func (c *Console) object(w http.ResponseWriter, r *http.Request, _ sealed) {
	bucket, key := r.PathValue("bucket"), r.URL.Query().Get("key")
	info, err := c.o.Objects.HeadObject(r.Context(), bucket, key, "")
	if errors.Is(err, objstore.ErrNoSuchKey) || errors.Is(err, objstore.ErrNoSuchBucket) {
		c.render(w, r, http.StatusNotFound, "error", &page{Title: "Not found", Nav: "buckets", Error: "There is no object " + key + " in " + bucket + "."})
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "object", &page{Title: key, Nav: "buckets", Data: info})
}

// download redirects to a GET of the object presigned with the signed-in root key for a
// minute, so that the browser fetches it from S3 itself; the URL is never put in a page.
func (c *Console) download(w http.ResponseWriter, r *http.Request, s sealed) {
	bucket, key := r.PathValue("bucket"), r.URL.Query().Get("key")
	p, secret, err := c.o.Domain.Authenticate(r.Context(), s.Who, "")
	if err != nil || !p.Root {
		c.forbidden(w, r)
		return
	}
	target := c.o.PublicURL + "/" + url.PathEscape(bucket) + "/" + escapeKey(key)
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, target, nil)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	u, err := sigv4.Presign(req, sigv4.Credentials{AccessKeyID: s.Who, SecretAccessKey: secret}, firstNonEmpty(c.o.Region, "us-east-1"),
		"s3", downloadExpiry, c.o.Now())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// escapeKey escapes an object key for a path, keeping its slashes.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
