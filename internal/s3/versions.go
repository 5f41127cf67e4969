package s3

import (
	"encoding/xml"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// listObjectVersions lists the versions of a bucket's keys, delete markers included, in
// key order and newest first within a key, paged by key-marker and version-id-marker.
//
// Decision (reference §1, UNCONFIRMED there): version-id-marker without key-marker is 400
// InvalidArgument, as MinIO and RGW answer. A version-id-marker that names no version of
// the key-marker continues after the key-marker's versions.
func (h *Handler) listObjectVersions(c *call) error {
	l, err := c.listing()
	if err != nil {
		return err
	}
	keyMarker := c.query.Get("key-marker")
	vidMarker, hasVID := c.query["version-id-marker"]
	if hasVID && keyMarker == "" {
		e := errInvalidArgument.because("version-id-marker without key-marker", nil).
			with(Field{"ArgumentName", "version-id-marker"}, Field{"ArgumentValue", firstOr(vidMarker, "")})
		e.Message = "A version-id marker cannot be specified without a key marker."
		return e
	}
	if v := firstOr(vidMarker, ""); v != "" && !plausibleVersionID(v) {
		return invalidVersionID(v, nil).with(Field{"ArgumentName", "version-id-marker"})
	}
	page, err := h.o.Backend.ListObjectVersions(c.ctx, c.bucket, objstore.ListVersionsOptions{Prefix: l.prefix,
		Delimiter: l.delimiter, KeyMarker: keyMarker, VersionIDMarker: firstOr(vidMarker, ""), MaxKeys: l.maxKeys})
	if err != nil {
		return bucketError(c, err)
	}
	res := listVersionsResult{Xmlns: xmlns, Name: c.bucket, Prefix: l.name(l.prefix), KeyMarker: l.name(keyMarker),
		VersionIDMarker: firstOr(vidMarker, ""), MaxKeys: l.maxKeys, Delimiter: l.name(l.delimiter), IsTruncated: page.IsTruncated}
	if l.encode {
		res.EncodingType = "url"
	}
	if page.IsTruncated {
		res.NextKeyMarker = l.name(page.NextKeyMarker)
		res.NextVersionIDMarker = page.NextVersionIDMarker
	}
	for _, o := range page.Versions {
		if o.DeleteMarker {
			res.Entries = append(res.Entries, deleteMarkerEntry{Key: l.name(o.Key), VersionID: o.VersionID,
				IsLatest: o.IsLatest, LastModified: s3Time(o.LastModified), Owner: h.owner})
			continue
		}
		v := versionEntry{Key: l.name(o.Key), VersionID: o.VersionID, IsLatest: o.IsLatest, LastModified: s3Time(o.LastModified),
			ETag: quoteETag(o.ETag), Size: o.Size, StorageClass: "STANDARD", Owner: h.owner}
		v.ChecksumAlgorithm, v.ChecksumType = checksumOf(o.Meta)
		res.Entries = append(res.Entries, v)
	}
	res.CommonPrefixes = l.prefixes(page.CommonPrefixes)
	return writeXML(c.w, res)
}

// listVersionsResult answers ListObjectVersions.
type listVersionsResult struct {
	XMLName             xml.Name `xml:"ListVersionsResult"`
	Xmlns               string   `xml:"xmlns,attr"`
	Name                string
	Prefix              string
	KeyMarker           string
	VersionIDMarker     string `xml:"VersionIdMarker"`
	NextKeyMarker       string `xml:",omitempty"`
	NextVersionIDMarker string `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int
	Delimiter           string `xml:",omitempty"`
	IsTruncated         bool
	EncodingType        string `xml:",omitempty"`
	// Entries are versionEntry and deleteMarkerEntry elements, interleaved in listing
	// order as S3 sends them.
	Entries        []any
	CommonPrefixes []commonPrefix `xml:"CommonPrefixes"`
}

type versionEntry struct {
	XMLName           xml.Name `xml:"Version"`
	Key               string
	VersionID         string `xml:"VersionId"`
	IsLatest          bool
	LastModified      string
	ETag              string
	Size              int64
	StorageClass      string
	Owner             owner
	ChecksumAlgorithm string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
}

type deleteMarkerEntry struct {
	XMLName      xml.Name `xml:"DeleteMarker"`
	Key          string
	VersionID    string `xml:"VersionId"`
	IsLatest     bool
	LastModified string
	Owner        owner
}
