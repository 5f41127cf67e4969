package s3

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// getObjectAttributes answers GetObjectAttributes (reference §8): only the attributes the
// x-amz-object-attributes header names, of ETag, Checksum, ObjectParts, StorageClass and
// ObjectSize. The dispatcher authorized s3:GetObjectAttributes; S3 asks for s3:GetObject
// too (with versionId: s3:GetObjectVersionAttributes and s3:GetObjectVersion).
//
// Decisions: ObjectParts is answered for multipart objects only, with PartsCount always
// and the Part list, paged by x-amz-part-number-marker and x-amz-max-parts, where the
// backend recorded the parts (localfs, for objects completed since it records them; not
// an upstream S3, whose parts would take a request each); a part's checksum elements
// appear when it was uploaded with one. The answer's root element is
// GetObjectAttributesResponse (UNCONFIRMED; SDK parsers ignore it).
func (h *Handler) getObjectAttributes(c *call) error {
	want, err := c.objectAttributes()
	if err != nil {
		return err
	}
	maxParts, err := headerInt(c, "x-amz-max-parts", 1000, 0, 1000)
	if err != nil {
		return err
	}
	marker, err := headerInt(c, "x-amz-part-number-marker", 0, 0, 10000)
	if err != nil {
		return err
	}
	read, keys := c.versioned("s3:GetObject", nil)
	if err := h.authorize(c, read, c.bucket, c.key, keys); err != nil {
		return err
	}
	customer, err := parseReadSSE(c.r)
	if err != nil {
		return err
	}
	vid, _ := c.versionID()
	info, parts, err := h.o.Backend.ObjectParts(c.ctx, c.bucket, c.key, vid)
	if err != nil {
		return h.readFailure(c, err, false)
	}
	// an SSE-C object's attributes need its key, as S3 requires (reference §4)
	if err := h.checkReadKey(c, info.Encryption, customer); err != nil {
		return err
	}
	setVersionHeaders(c.w.Header(), info.VersionID, false)
	res := objectAttributes{Xmlns: xmlns}
	if want["ETag"] {
		res.ETag = info.ETag
	}
	if want["StorageClass"] {
		res.StorageClass = "STANDARD"
	}
	if want["ObjectSize"] {
		res.ObjectSize = &info.Size
	}
	if want["Checksum"] && len(info.Meta.Checksums) > 0 {
		res.Checksum = &attributesChecksum{checksumFields: toChecksumFields(info.Meta.Checksums), ChecksumType: info.Meta.ChecksumType}
	}
	if want["ObjectParts"] && info.PartsCount > 0 {
		res.ObjectParts = attributeParts(info.PartsCount, parts, marker, maxParts)
	}
	c.w.Header().Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	return writeXML(c.w, res)
}

// attributeParts is a page of ObjectParts: the parts numbered above marker, at most max.
func attributeParts(count int, parts []objstore.PartInfo, marker, max int) *objectPartsAttribute {
	op := &objectPartsAttribute{PartsCount: count}
	if parts == nil {
		return op
	}
	op.PartNumberMarker, op.MaxParts = marker, max
	for _, p := range parts {
		if p.Number <= marker {
			continue
		}
		if len(op.Parts) == max {
			op.IsTruncated = true
			break
		}
		op.Parts = append(op.Parts, attributePart{PartNumber: p.Number, Size: p.Size, checksumFields: toChecksumFields(p.Checksums)})
		op.NextPartNumberMarker = p.Number
	}
	return op
}

// objectAttributes reads x-amz-object-attributes: a comma-separated list of attribute names.
func (c *call) objectAttributes() (map[string]bool, error) {
	want := map[string]bool{}
	for _, v := range c.r.Header.Values("x-amz-object-attributes") {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			switch name {
			case "":
			case "ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize":
				want[name] = true
			default:
				e := errInvalidArgument.because("x-amz-object-attributes names "+strconv.Quote(name), nil).
					with(Field{"ArgumentName", "x-amz-object-attributes"}, Field{"ArgumentValue", name})
				e.Message = "Invalid attribute name specified."
				return nil, e
			}
		}
	}
	if len(want) == 0 {
		e := errInvalidRequest.because("no x-amz-object-attributes", nil)
		e.Message = "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty"
		return nil, e
	}
	return want, nil
}

// headerInt reads an integer request header as intParam reads a query parameter.
func headerInt(c *call, name string, def, lo, hi int) (int, error) {
	v := c.header(name)
	if v == "" {
		return def, nil
	}
	return intParam(map[string][]string{name: {v}}, name, def, lo, hi)
}

// objectAttributes answers GetObjectAttributes; empty elements are the ones not asked for.
type objectAttributes struct {
	XMLName      xml.Name `xml:"GetObjectAttributesResponse"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:",omitempty"`
	Checksum     *attributesChecksum
	ObjectParts  *objectPartsAttribute
	StorageClass string `xml:",omitempty"`
	ObjectSize   *int64
}

type attributesChecksum struct {
	checksumFields
	ChecksumType string `xml:",omitempty"`
}

type objectPartsAttribute struct {
	PartsCount           int
	PartNumberMarker     int             `xml:",omitempty"`
	NextPartNumberMarker int             `xml:",omitempty"`
	MaxParts             int             `xml:",omitempty"`
	IsTruncated          bool            `xml:",omitempty"`
	Parts                []attributePart `xml:"Part"`
}

type attributePart struct {
	PartNumber int
	Size       int64
	checksumFields
}
