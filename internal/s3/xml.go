package s3

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// xmlns is the namespace of every S3 response document.
const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

// maxXMLBody bounds the XML request bodies (CompleteMultipartUpload lists up to 10,000
// parts; DeleteObjects up to 1,000 keys of up to 1,024 bytes, escaped).
const maxXMLBody = 8 << 20

// writeXML renders v as an S3 response document with status 200.
func writeXML(w http.ResponseWriter, v any) error {
	return writeXMLStatus(w, http.StatusOK, v)
}

// xmlDocument is v as a complete XML document: the header, then v.
func xmlDocument(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeXMLStatus writes v as an XML document with the given status.
func writeXMLStatus(w http.ResponseWriter, status int, v any) error {
	buf, err := xmlDocument(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(status)
	_, err = w.Write(buf)
	return err
}

// writeRaw writes doc, a complete XML document, with status 200.
func writeRaw(w http.ResponseWriter, doc string) error {
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	w.WriteHeader(http.StatusOK)
	_, err := io.WriteString(w, doc)
	return err
}

// maxXMLDepth bounds the nesting of XML request bodies. The deepest document inkan reads
// nests 3 elements (Delete>Object>Key); S3 refuses a document that does not validate
// against its schema, so a deeper one is MalformedXML whatever it holds, before any of it
// is decoded.
const maxXMLDepth = 8

// decodeXML reads a bounded XML request body into v: MalformedXML when it does not parse or
// nests deeper than maxXMLDepth, MaxMessageLengthExceeded when it is too long. Read errors
// of the body (a failed checksum or signature) are returned as they are.
func decodeXML(body io.Reader, v any) error {
	return decodeStrictXML(body, v, nil)
}

// decodeStrictXML is decodeXML that also refuses, as MalformedXML, any element whose path
// ("Root/Child/Grandchild") is not in schema; nil checks the depth only. The documents whose
// every element S3 validates (CreateBucketConfiguration) name their schema; the others
// (CompleteMultipartUpload, Delete) keep encoding/xml's leniency to elements inkan does not
// know, which SDKs add over time.
func decodeStrictXML(body io.Reader, v any, schema map[string]bool) error {
	data, err := io.ReadAll(io.LimitReader(body, maxXMLBody+1))
	if err != nil {
		return err
	}
	if len(data) > maxXMLBody {
		return errMaxMessageLength
	}
	if err := checkXMLShape(data, schema); err != nil {
		return err
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return errMalformedXML.because("the XML body does not parse: "+err.Error(), err)
	}
	return nil
}

// checkXMLShape walks data's elements without decoding them: MalformedXML for a document
// that does not tokenize, nests deeper than maxXMLDepth, or (schema set) holds an element
// schema does not list.
func checkXMLShape(data []byte, schema map[string]bool) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	var path []string
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return errMalformedXML.because("the XML body does not parse: "+err.Error(), err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			if len(path) > maxXMLDepth {
				return errMalformedXML.because("the XML body nests deeper than "+strconv.Itoa(maxXMLDepth)+" elements", nil)
			}
			if p := strings.Join(path, "/"); schema != nil && !schema[p] {
				return errMalformedXML.because("the XML body holds an unknown element "+p, nil)
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
	}
}

// s3Time is the timestamp form of S3 listings: ISO 8601 with milliseconds, UTC.
func s3Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// owner is the Owner element of listings: inkan has a single owner, the account.
type owner struct {
	ID          string
	DisplayName string
}

// checksumFields are the Checksum* elements of parts, uploads and copy results.
type checksumFields struct {
	ChecksumCRC32     string `xml:",omitempty"`
	ChecksumCRC32C    string `xml:",omitempty"`
	ChecksumCRC64NVME string `xml:",omitempty"`
	ChecksumSHA1      string `xml:",omitempty"`
	ChecksumSHA256    string `xml:",omitempty"`
}

// listAllMyBucketsResult is ListBuckets' answer.
type listAllMyBucketsResult struct {
	XMLName           xml.Name `xml:"ListAllMyBucketsResult"`
	Xmlns             string   `xml:"xmlns,attr"`
	Owner             owner
	Buckets           []bucketEntry `xml:"Buckets>Bucket"`
	ContinuationToken string        `xml:",omitempty"`
	Prefix            string        `xml:",omitempty"`
}

type bucketEntry struct {
	Name         string
	CreationDate string
	BucketRegion string `xml:",omitempty"`
}

// locationConstraint is GetBucketLocation's answer; empty for us-east-1, as in S3.
type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

// createBucketConfiguration is CreateBucket's optional body.
type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string
	Location           *struct{ Name, Type string }
	Bucket             *struct{ DataRedundancy, Type string }
	Tags               *struct {
		Tags []tagXML `xml:"Tag"`
	}
}

// createBucketSchema is every element path S3's CreateBucketConfiguration may hold
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html#API_CreateBucket_RequestSyntax).
var createBucketSchema = schemaOf("CreateBucketConfiguration",
	"LocationConstraint", "Location", "Location/Name", "Location/Type",
	"Bucket", "Bucket/DataRedundancy", "Bucket/Type", "Tags", "Tags/Tag", "Tags/Tag/Key", "Tags/Tag/Value")

// schemaOf is the set of root and root/path for each path.
func schemaOf(root string, paths ...string) map[string]bool {
	m := map[string]bool{root: true}
	for _, p := range paths {
		m[root+"/"+p] = true
	}
	return m
}

// listBucketResult answers ListObjects (V1: Marker/NextMarker) and ListObjectsV2
// (KeyCount, ContinuationToken, StartAfter).
type listBucketResult struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	Xmlns                 string   `xml:"xmlns,attr"`
	Name                  string
	Prefix                string
	Marker                *string `xml:",omitempty"`
	NextMarker            string  `xml:",omitempty"`
	KeyCount              *int    `xml:",omitempty"`
	MaxKeys               int
	Delimiter             string `xml:",omitempty"`
	IsTruncated           bool
	ContinuationToken     string         `xml:",omitempty"`
	NextContinuationToken string         `xml:",omitempty"`
	StartAfter            string         `xml:",omitempty"`
	EncodingType          string         `xml:",omitempty"`
	Contents              []objectEntry  `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

type objectEntry struct {
	Key               string
	LastModified      string
	ETag              string
	ChecksumAlgorithm string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
	Size              int64
	StorageClass      string
	Owner             *owner `xml:",omitempty"`
}

type commonPrefix struct {
	Prefix string
}

// deleteRequest is DeleteObjects' body.
type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool
	Objects []deleteObject `xml:"Object"`
}

// deleteObject is one <Object> of DeleteObjects: ETag is a condition (as If-Match);
// LastModifiedTime and Size are directory-bucket conditions.
type deleteObject struct {
	Key              string
	VersionID        string `xml:"VersionId"`
	ETag             string
	LastModifiedTime string
	Size             string
}

// deleteResult is DeleteObjects' answer.
type deleteResult struct {
	XMLName xml.Name       `xml:"DeleteResult"`
	Xmlns   string         `xml:"xmlns,attr"`
	Deleted []deletedEntry `xml:"Deleted"`
	Errors  []deleteError  `xml:"Error"`
}

type deletedEntry struct {
	Key                   string
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:",omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

type deleteError struct {
	Key       string
	VersionID string `xml:"VersionId,omitempty"`
	Code      string
	Message   string
}

// copyObjectResult answers CopyObject; copyPartResult answers UploadPartCopy.
type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string
	LastModified string
	checksumFields
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string
	LastModified string
	checksumFields
}

// initiateMultipartUploadResult answers CreateMultipartUpload.
type initiateMultipartUploadResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string
	Key      string
	UploadID string `xml:"UploadId"`
}

// completeMultipartUpload is CompleteMultipartUpload's body.
type completeMultipartUpload struct {
	XMLName xml.Name       `xml:"CompleteMultipartUpload"`
	Parts   []completePart `xml:"Part"`
}

type completePart struct {
	PartNumber int
	ETag       string
	checksumFields
}

// completeMultipartUploadResult answers CompleteMultipartUpload.
type completeMultipartUploadResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string
	Bucket   string
	Key      string
	ETag     string
	checksumFields
	ChecksumType string `xml:",omitempty"`
}

// listPartsResult answers ListParts.
type listPartsResult struct {
	XMLName              xml.Name `xml:"ListPartsResult"`
	Xmlns                string   `xml:"xmlns,attr"`
	Bucket               string
	Key                  string
	UploadID             string `xml:"UploadId"`
	PartNumberMarker     int
	NextPartNumberMarker int
	MaxParts             int
	IsTruncated          bool
	Initiator            owner
	Owner                owner
	StorageClass         string
	ChecksumAlgorithm    string      `xml:",omitempty"`
	ChecksumType         string      `xml:",omitempty"`
	Parts                []partEntry `xml:"Part"`
}

type partEntry struct {
	PartNumber   int
	LastModified string
	ETag         string
	Size         int64
	checksumFields
}

// listMultipartUploadsResult answers ListMultipartUploads.
type listMultipartUploadsResult struct {
	XMLName            xml.Name `xml:"ListMultipartUploadsResult"`
	Xmlns              string   `xml:"xmlns,attr"`
	Bucket             string
	KeyMarker          string
	UploadIDMarker     string `xml:"UploadIdMarker"`
	NextKeyMarker      string
	NextUploadIDMarker string `xml:"NextUploadIdMarker"`
	Prefix             string
	Delimiter          string `xml:",omitempty"`
	MaxUploads         int
	IsTruncated        bool
	EncodingType       string         `xml:",omitempty"`
	Uploads            []uploadEntry  `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
}

type uploadEntry struct {
	Key               string
	UploadID          string `xml:"UploadId"`
	Initiator         owner
	Owner             owner
	StorageClass      string
	Initiated         string
	ChecksumAlgorithm string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
}

// toChecksumFields renders stored checksums (algorithm name → base64) as elements.
func toChecksumFields(sums map[string]string) checksumFields {
	var f checksumFields
	for name, v := range sums {
		if p := f.field(name); p != nil {
			*p = v
		}
	}
	return f
}

// fromChecksumFields returns the non-empty elements as algorithm name → base64.
func fromChecksumFields(f checksumFields) map[string]string {
	out := map[string]string{}
	for _, a := range [...]string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"} {
		if v := *f.field(a); v != "" {
			out[a] = v
		}
	}
	return out
}

func (f *checksumFields) field(alg string) *string {
	switch alg {
	case "CRC32":
		return &f.ChecksumCRC32
	case "CRC32C":
		return &f.ChecksumCRC32C
	case "CRC64NVME":
		return &f.ChecksumCRC64NVME
	case "SHA1":
		return &f.ChecksumSHA1
	case "SHA256":
		return &f.ChecksumSHA256
	}
	return nil
}
