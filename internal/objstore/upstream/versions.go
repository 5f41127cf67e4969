package upstream

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// Versioning is forwarded: the bucket's state, version ids (the upstream's
// own, opaque here), delete markers and version listings are the
// upstream's. What this backend keeps beside the upstream stays correct
// for versions: the reserved metadata entry travels with each version; a
// checksum record in the state bucket names the ETag it describes, so an
// older version of a multipart object whose record was replaced is
// described without the checksums the completion gave it (its parts'
// checksums and ETag are unchanged).
//
// The upstream must support versioning (SeaweedFS does; versitygw does when
// started with --versioning-dir). PutBucketVersioning on one that does not
// (a 400 or 501 answer) is objstore.ErrNotImplemented, naming the
// upstream's code.

// versionParam is the versionId query parameter of a call naming vid, if any.
func versionParam(vid string) []param {
	if vid == "" {
		return nil
	}
	return []param{{name: "versionId", value: vid}}
}

// versioningConfiguration is the body of PutBucketVersioning and the answer
// of GetBucketVersioning.
type versioningConfiguration struct {
	XMLName xml.Name `xml:"VersioningConfiguration"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:",omitempty"`
}

// PutBucketVersioning implements objstore.Buckets.
func (b *Backend) PutBucketVersioning(ctx context.Context, bucket, status string) error {
	name, err := b.bucketName(bucket)
	if err != nil {
		return err
	}
	if status != objstore.VersioningEnabled && status != objstore.VersioningSuspended {
		return fmt.Errorf("%w: versioning status %q", objstore.ErrInvalidArgument, status)
	}
	doc, err := xml.Marshal(versioningConfiguration{Xmlns: "http://s3.amazonaws.com/doc/2006-03-01/", Status: status})
	if err != nil {
		return err
	}
	sum, hash := md5.Sum(doc), sha256.Sum256(doc)
	c := &call{op: "PutBucketVersioning", method: http.MethodPut, bucket: name,
		query:  []param{{name: "versioning", bare: true}},
		header: header("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]), "Content-Type", "application/xml"),
		body:   bytes.NewReader(doc), size: int64(len(doc)), payloadHash: hex.EncodeToString(hash[:]), retry: true}
	_, err = b.doDiscard(ctx, c)
	var e *Error
	if errors.As(err, &e) && (e.Status == http.StatusBadRequest || e.Status == http.StatusNotImplemented) {
		// An upstream without versioning (versitygw without --versioning-dir
		// answers 400 VersioningNotConfigured) cannot do it: say so plainly.
		return fmt.Errorf("%w: the upstream S3 does not keep bucket versions (it answered %s)", objstore.ErrNotImplemented, e.Code)
	}
	return bucketMissing(err)
}

// bucketVersioning reads the upstream bucket's versioning state.
func (b *Backend) bucketVersioning(ctx context.Context, name string) (string, error) {
	var cfg versioningConfiguration
	err := b.getXML(ctx, &call{op: "GetBucketVersioning", method: http.MethodGet, bucket: name,
		query: []param{{name: "versioning", bare: true}}}, &cfg)
	return cfg.Status, bucketMissing(err)
}

// deleteResult describes a DELETE answer: the version removed or the delete
// marker made, as the upstream's headers say.
func deleteResult(h http.Header) objstore.DeleteResult {
	return objstore.DeleteResult{VersionID: h.Get("X-Amz-Version-Id"), DeleteMarker: h.Get("X-Amz-Delete-Marker") == "true"}
}

// markerError refines an error answer that concerns versions: a delete
// marker the read found (404 with x-amz-delete-marker, or 405 for one named
// by version id), a version that does not exist, or a version id the
// upstream refused. It returns nil for other answers.
func (b *Backend) markerError(c *call, resp *http.Response, code string) error {
	vid := ""
	for _, p := range c.query {
		if p.name == "versionId" {
			vid = p.value
		}
	}
	info := objstore.ObjectInfo{Bucket: strings.TrimPrefix(c.bucket, b.opt.BucketPrefix), Key: c.key,
		VersionID: resp.Header.Get("X-Amz-Version-Id"), DeleteMarker: true}
	info.LastModified, _ = http.ParseTime(resp.Header.Get("Last-Modified"))
	switch {
	case resp.StatusCode == http.StatusNotFound && resp.Header.Get("X-Amz-Delete-Marker") == "true" && vid == "":
		info.IsLatest = true
		return &objstore.DeleteMarkerError{Info: info}
	case resp.StatusCode == http.StatusMethodNotAllowed && vid != "":
		if info.VersionID == "" {
			info.VersionID = vid
		}
		return &objstore.DeleteMarkerError{Info: info, Named: true}
	case vid == "":
		return nil
	case resp.StatusCode == http.StatusNotFound && (code == "" || code == "NoSuchKey" || code == "NoSuchVersion"):
		return fmt.Errorf("%w: %q of %q", objstore.ErrNoSuchVersion, vid, c.key)
	case resp.StatusCode == http.StatusBadRequest && (code == "" || code == "InvalidArgument"):
		return fmt.Errorf("%w: %q", objstore.ErrInvalidVersionID, vid)
	}
	return nil
}

type listVersionsResult struct {
	IsTruncated         bool
	NextKeyMarker       string
	NextVersionIDMarker string `xml:"NextVersionIdMarker"`
	EncodingType        string
	// Entries keep Version and DeleteMarker elements in the order sent.
	Entries []struct {
		XMLName      xml.Name
		Key          string
		VersionID    string `xml:"VersionId"`
		IsLatest     bool
		LastModified string
		ETag         string
		Size         int64
	} `xml:",any"`
	CommonPrefixes []struct{ Prefix string }
}

// ListObjectVersions implements objstore.Objects by forwarding the listing,
// names URL-encoded on the wire (encoding-type=url), as for ListObjects.
//
// Decision: versitygw (v1.8.0) answers key-marker and version-id-marker
// inclusively (the marker's own entry comes back first), against S3, where
// both are exclusive. Entries not after the markers are dropped here, which
// is a no-op on an upstream that answers as S3 does, and pages are filled
// up from the upstream's next page, so that a page is short only at the end.
func (b *Backend) ListObjectVersions(ctx context.Context, bucket string, opts objstore.ListVersionsOptions) (objstore.ListVersionsResult, error) {
	name, empty, err := b.listName(bucket, opts.Prefix, opts.Delimiter, opts.KeyMarker)
	if err != nil {
		return objstore.ListVersionsResult{}, err
	}
	if opts.MaxKeys <= 0 || empty {
		return objstore.ListVersionsResult{}, b.headBucket(ctx, name)
	}
	var items []versionItem
	keyMarker, vidMarker := opts.KeyMarker, opts.VersionIDMarker
	for range maxVersionPages {
		// One more than needed, for the marker's own entry an inclusive
		// upstream sends again.
		res, err := b.listVersionsPage(ctx, name, opts, keyMarker, vidMarker, opts.MaxKeys-len(items)+1)
		if err != nil {
			return objstore.ListVersionsResult{}, err
		}
		items = append(items, afterMarkers(res.items(bucket), keyMarker, vidMarker)...)
		switch {
		case len(items) > opts.MaxKeys:
			return pageOfVersions(items[:opts.MaxKeys], true), nil
		case len(items) == opts.MaxKeys || !res.IsTruncated || res.NextKeyMarker == "":
			return pageOfVersions(items, res.IsTruncated), nil
		}
		dec := decoder(res.EncodingType)
		next, nextVID := dec(res.NextKeyMarker), res.NextVersionIDMarker
		if next == keyMarker && nextVID == vidMarker {
			return objstore.ListVersionsResult{}, b.badAnswer("ListObjectVersions", "a truncated page that does not advance")
		}
		keyMarker, vidMarker = next, nextVID
	}
	return objstore.ListVersionsResult{}, b.badAnswer("ListObjectVersions", "too many pages without an entry after the markers")
}

// maxVersionPages bounds the upstream pages one ListObjectVersions reads.
const maxVersionPages = 100

func (b *Backend) listVersionsPage(ctx context.Context, name string, opts objstore.ListVersionsOptions, keyMarker, vidMarker string, n int) (*listVersionsResult, error) {
	q := []param{{name: "versions", bare: true}, {name: "encoding-type", value: "url"},
		{name: "max-keys", value: itoa(min(n, 1000))}, {name: "prefix", value: opts.Prefix}}
	if opts.Delimiter != "" {
		q = append(q, param{name: "delimiter", value: opts.Delimiter})
	}
	if keyMarker != "" {
		q = append(q, param{name: "key-marker", value: keyMarker})
		if vidMarker != "" {
			q = append(q, param{name: "version-id-marker", value: vidMarker})
		}
	}
	var res listVersionsResult
	err := b.getXML(ctx, &call{op: "ListObjectVersions", method: http.MethodGet, bucket: name, query: sortedParams(q)}, &res)
	return &res, err
}

// versionItem is a version or a common prefix (info nil) of a listing.
type versionItem struct {
	key  string
	info *objstore.ObjectInfo
}

// items merges an upstream page's versions and common prefixes in key order.
func (res *listVersionsResult) items(bucket string) []versionItem {
	dec := decoder(res.EncodingType)
	var versions, prefixes []versionItem
	for _, e := range res.Entries {
		if e.XMLName.Local != "Version" && e.XMLName.Local != "DeleteMarker" {
			continue
		}
		etag := objstore.NormalizeETag(e.ETag)
		info := &objstore.ObjectInfo{Bucket: bucket, Key: dec(e.Key), VersionID: e.VersionID,
			IsLatest: e.IsLatest, DeleteMarker: e.XMLName.Local == "DeleteMarker", Size: e.Size, ETag: etag,
			LastModified: lastModified(e.LastModified), PartsCount: partsCount("", etag)}
		versions = append(versions, versionItem{key: info.Key, info: info})
	}
	// versitygw (v1.8.0) sends a page's delete markers before its versions:
	// put them back in key order, keeping each key's entries in the order sent.
	slices.SortStableFunc(versions, func(x, y versionItem) int { return strings.Compare(x.key, y.key) })
	for _, p := range res.CommonPrefixes {
		prefixes = append(prefixes, versionItem{key: dec(p.Prefix)})
	}
	out := make([]versionItem, 0, len(versions)+len(prefixes))
	for len(versions) > 0 || len(prefixes) > 0 {
		if len(prefixes) == 0 || len(versions) > 0 && versions[0].key < prefixes[0].key {
			out, versions = append(out, versions[0]), versions[1:]
		} else {
			out, prefixes = append(out, prefixes[0]), prefixes[1:]
		}
	}
	return out
}

// afterMarkers drops the items not after the markers: keys and prefixes
// before keyMarker and, of keyMarker itself, every item without a
// vidMarker, else those up to and including vidMarker's version (none when
// it is not among them, as from an upstream that answers as S3).
func afterMarkers(items []versionItem, keyMarker, vidMarker string) []versionItem {
	if keyMarker == "" {
		return items
	}
	cut := 0
	for i, it := range items {
		switch {
		case it.key < keyMarker:
			cut = i + 1
		case it.key == keyMarker && (it.info == nil || vidMarker == ""):
			cut = i + 1
		case it.key == keyMarker && it.info.VersionID == vidMarker:
			cut = i + 1
		}
	}
	return items[cut:]
}

// pageOfVersions is the page of items; truncated pages continue after the
// last item.
func pageOfVersions(items []versionItem, truncated bool) objstore.ListVersionsResult {
	out := objstore.ListVersionsResult{IsTruncated: truncated}
	for _, it := range items {
		if it.info == nil {
			out.CommonPrefixes = append(out.CommonPrefixes, it.key)
		} else {
			out.Versions = append(out.Versions, *it.info)
		}
	}
	if n := len(items); truncated && n > 0 {
		out.NextKeyMarker = items[n-1].key
		if items[n-1].info != nil {
			out.NextVersionIDMarker = items[n-1].info.VersionID
		}
	}
	return out
}
