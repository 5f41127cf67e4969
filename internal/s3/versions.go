package s3

import (
	"encoding/xml"
)

// listObjectVersions lists the versions of a bucket's keys. inkan's buckets are never
// versioned, so every key has one version, the "null" one, which is the latest; the
// listing is ListObjects' in ListObjectVersions' shape, paged by key-marker (and
// version-id-marker "null", which continues after the key-marker's only version).
//
// Decision (reference §1, UNCONFIRMED there): version-id-marker without key-marker is 400
// InvalidArgument, as MinIO and RGW answer; any version-id-marker other than "null" names
// no version inkan has, and is InvalidArgument "Invalid version id specified" too.
func (h *Handler) listObjectVersions(c *call) error {
	l, err := c.listing()
	if err != nil {
		return err
	}
	keyMarker := c.query.Get("key-marker")
	vidMarker, hasVID := c.query["version-id-marker"]
	if hasVID && (keyMarker == "" || firstOr(vidMarker, "") != "null" && firstOr(vidMarker, "") != "") {
		e := errInvalidArgument.because("version-id-marker names no version after key-marker "+keyMarker, nil).
			with(Field{"ArgumentName", "version-id-marker"}, Field{"ArgumentValue", firstOr(vidMarker, "")})
		if keyMarker != "" {
			e.Message = "Invalid version id specified"
		} else {
			e.Message = "A version-id marker cannot be specified without a key marker."
		}
		return e
	}
	page, err := h.list(c, l, keyMarker)
	if err != nil {
		return err
	}
	res := listVersionsResult{Xmlns: xmlns, Name: c.bucket, Prefix: l.name(l.prefix), KeyMarker: l.name(keyMarker),
		VersionIDMarker: firstOr(vidMarker, ""), MaxKeys: l.maxKeys, Delimiter: l.name(l.delimiter), IsTruncated: page.IsTruncated}
	if l.encode {
		res.EncodingType = "url"
	}
	if page.IsTruncated {
		res.NextKeyMarker = l.name(page.NextAfter)
		if n := len(page.Objects); n > 0 && page.Objects[n-1].Key == page.NextAfter {
			res.NextVersionIDMarker = "null"
		}
	}
	for _, o := range page.Objects {
		v := versionEntry{Key: l.name(o.Key), VersionID: "null", IsLatest: true, LastModified: s3Time(o.LastModified),
			ETag: quoteETag(o.ETag), Size: o.Size, StorageClass: "STANDARD", Owner: h.owner}
		v.ChecksumAlgorithm, v.ChecksumType = checksumOf(o.Meta)
		res.Versions = append(res.Versions, v)
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
	EncodingType        string         `xml:",omitempty"`
	Versions            []versionEntry `xml:"Version"`
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

type versionEntry struct {
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
