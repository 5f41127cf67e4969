package s3

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/checksum"
	"github.com/inkan-dev/inkan/internal/objstore"
)

// createMultipartUpload starts an upload. An announced checksum algorithm is kept in the
// upload's metadata (its name with an empty value) until completion computes the value.
func (h *Handler) createMultipartUpload(c *call) error {
	if err := c.refuseUnsupported(); err != nil {
		return err
	}
	meta, err := c.objectMeta()
	if err != nil {
		return err
	}
	if meta.Tags, err = h.checkWrite(c); err != nil {
		return err
	}
	req, dk, err := h.writeEncryption(c, c.r)
	if err != nil {
		return err
	}
	alg, typ, err := c.uploadChecksum()
	if err != nil {
		return err
	}
	if alg != "" {
		meta.Checksums, meta.ChecksumType = map[string]string{string(alg): ""}, typ
	}
	id, err := h.o.Backend.CreateMultipartUpload(c.ctx, c.bucket, c.key, meta, dk)
	if err != nil {
		return bucketError(c, err)
	}
	if dk != nil {
		setSSEHeaders(c.w.Header(), dk.Encryption, req.customer)
	}
	if alg != "" {
		c.w.Header().Set("x-amz-checksum-algorithm", string(alg))
		c.w.Header().Set("x-amz-checksum-type", typ)
	}
	h.setAbortDate(c, c.key, h.o.Now())
	return writeXML(c.w, initiateMultipartUploadResult{Xmlns: xmlns, Bucket: c.bucket, Key: c.key, UploadID: id})
}

// uploadChecksum reads x-amz-checksum-algorithm and x-amz-checksum-type of
// CreateMultipartUpload. FULL_OBJECT needs a CRC; CRC64NVME is always FULL_OBJECT; the
// others default to COMPOSITE, as in S3.
func (c *call) uploadChecksum() (checksum.Algorithm, string, error) {
	name, typ := c.header("x-amz-checksum-algorithm"), strings.ToUpper(c.header("x-amz-checksum-type"))
	if name == "" {
		if typ != "" {
			return "", "", errInvalidRequest.because("x-amz-checksum-type needs x-amz-checksum-algorithm", nil)
		}
		return "", "", nil
	}
	alg, err := checksum.Parse(name)
	if err != nil || alg == checksum.MD5 {
		return "", "", errInvalidRequest.because("x-amz-checksum-algorithm "+strconv.Quote(name)+" is not a checksum algorithm", err)
	}
	switch {
	case typ == "" && alg == checksum.CRC64NVME:
		typ = "FULL_OBJECT"
	case typ == "":
		typ = "COMPOSITE"
	case typ == "FULL_OBJECT" && !alg.IsCRC(), typ == "COMPOSITE" && alg == checksum.CRC64NVME,
		typ != "FULL_OBJECT" && typ != "COMPOSITE":
		return "", "", errInvalidRequest.because("checksum type "+typ+" is not available for "+string(alg), nil)
	}
	return alg, typ, nil
}

// partNumber reads the partNumber parameter: 1 to 10,000.
func (c *call) partNumber() (int, error) {
	n, err := strconv.Atoi(c.query.Get("partNumber"))
	if err != nil || n < 1 || n > objstore.MaxPartNumber {
		e := errInvalidArgument.because("partNumber must be 1 to 10000", err).
			with(Field{"ArgumentName", "partNumber"}, Field{"ArgumentValue", c.query.Get("partNumber")})
		e.Message = "Part number must be an integer between 1 and 10000, inclusive"
		return 0, e
	}
	return n, nil
}

// uploadPart stores one part, under the same body rules as PutObject.
func (h *Handler) uploadPart(c *call) error {
	n, err := c.partNumber()
	if err != nil {
		return err
	}
	customer, err := parseReadSSE(c.r)
	if err != nil {
		return err
	}
	p, err := c.payload()
	if err != nil {
		return err
	}
	var used objstore.Encryption
	part, err := h.o.Backend.UploadPart(c.ctx, c.bucket, c.key, c.query.Get("uploadId"), n, p, p.size,
		objstore.PartOptions{Checksums: p.sums, Keys: h.opener(c, customer, &used)})
	if err != nil {
		return bucketError(c, err)
	}
	hdr := c.w.Header()
	setSSEHeaders(hdr, used, customer)
	hdr.Set("ETag", quoteETag(part.ETag))
	setChecksumHeaders(hdr, part.Checksums, "")
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// uploadPartCopy stores as a part the source object, or x-amz-copy-source-range of it.
func (h *Handler) uploadPartCopy(c *call) error {
	n, err := c.partNumber()
	if err != nil {
		return err
	}
	src, err := c.copySource()
	if err != nil {
		return err
	}
	customer, err := parseReadSSE(c.r)
	if err != nil {
		return err
	}
	info, source, err := h.readSource(c, src)
	if err != nil {
		return err
	}
	rng, err := copyRange(c.header("x-amz-copy-source-range"), info.Size)
	if err != nil {
		return err
	}
	var used objstore.Encryption
	part, err := h.o.Backend.UploadPartCopy(c.ctx, c.bucket, c.key, c.query.Get("uploadId"), n,
		source.CopySource, rng, objstore.PartOptions{Keys: h.opener(c, customer, &used)})
	if err != nil {
		return bucketError(c, err)
	}
	if info.VersionID != "" {
		c.w.Header().Set("x-amz-copy-source-version-id", info.VersionID)
	}
	setSSEHeaders(c.w.Header(), used, customer)
	return writeXML(c.w, copyPartResult{Xmlns: xmlns, ETag: quoteETag(part.ETag), LastModified: s3Time(part.LastModified),
		checksumFields: toChecksumFields(part.Checksums)})
}

// completeMultipartUpload assembles the listed parts. Part checksums in the request must
// match those stored; the object's checksum is computed from the parts' (composite or
// full-object) when every listed part has one of the upload's algorithm.
func (h *Handler) completeMultipartUpload(c *call) error {
	p, err := c.completionBody()
	if err != nil {
		return err
	}
	req, err := parseCompleteRequest(p)
	if err != nil {
		return err
	}
	uploadID := c.query.Get("uploadId")
	stored, err := h.o.Backend.ListParts(c.ctx, c.bucket, c.key, uploadID, objstore.ListPartsOptions{MaxParts: objstore.MaxPartNumber})
	if errors.Is(err, objstore.ErrNoSuchUpload) {
		return h.replayCompletion(c, req, err)
	}
	if err != nil {
		return bucketError(c, err)
	}
	opts, err := c.completeChecksums(req.Parts, stored)
	if err != nil {
		return err
	}
	opts.Precondition = writeConditions(c)
	parts := make([]objstore.CompletePart, len(req.Parts))
	for i, rp := range req.Parts {
		parts[i] = objstore.CompletePart{Number: rp.PartNumber, ETag: rp.ETag}
	}
	info, err := h.o.Backend.CompleteMultipartUpload(c.ctx, c.bucket, c.key, uploadID, parts, opts)
	if err != nil {
		return bucketError(c, err)
	}
	h.setExpiration(c, info)
	setSSEHeaders(c.w.Header(), info.Encryption, nil)
	return writeXML(c.w, c.completionResult(info))
}

// completionResult is the answer to a completion of info; it sets x-amz-version-id.
func (c *call) completionResult(info objstore.ObjectInfo) completeMultipartUploadResult {
	writtenVersionHeader(c.w.Header(), info.VersionID)
	res := completeMultipartUploadResult{Xmlns: xmlns, Location: c.location(), Bucket: c.bucket, Key: c.key,
		ETag: quoteETag(info.ETag), checksumFields: toChecksumFields(info.Meta.Checksums)}
	if len(info.Meta.Checksums) > 0 {
		res.ChecksumType = info.Meta.ChecksumType
	}
	return res
}

// replayCompletion answers a CompleteMultipartUpload of an upload that is gone. S3 answers
// a retried completion of an upload it completed with 200 and the same result, for some
// time, and NoSuchUpload after (reference §11: observed, undocumented); SDKs retry a
// completion whose answer they lost, and a NoSuchUpload then fails an upload that
// succeeded.
//
// Decision: inkan recognises a retried completion by its result rather than by a record
// of finished upload ids: while the key's current object is a multipart object whose ETag
// is the one these parts make (the MD5 of the listed part ETags, so the same parts in the
// same order), the completion is answered again from that object, for as long as it stays
// current; once the key was overwritten or deleted, or for other parts, NoSuchUpload. A
// whole-object checksum the retry sends is checked against the object's.
func (h *Handler) replayCompletion(c *call, req *completeMultipartUpload, gone error) error {
	etags := make([]string, len(req.Parts))
	for i, p := range req.Parts {
		etags[i] = p.ETag
	}
	want, err := objstore.MultipartETag(etags)
	if err != nil {
		return bucketError(c, gone)
	}
	info, err := h.o.Backend.HeadObject(c.ctx, c.bucket, c.key, "")
	if err != nil || info.ETag != want {
		return bucketError(c, gone)
	}
	name, _ := checksumOf(info.Meta)
	alg, _ := checksum.Parse(name)
	if err := c.checkObjectChecksum(alg, info.Meta.ChecksumType, info.Meta.Checksums[name], len(req.Parts)); err != nil {
		return err
	}
	h.o.Logger.Info("s3 completion retried: answered from the completed object", "request_id", c.requestID,
		"bucket", c.bucket, "key", c.key, "upload_id", c.query.Get("uploadId"))
	return writeXML(c.w, c.completionResult(info))
}

// parseCompleteRequest reads CompleteMultipartUpload's body: 1 to 10,000 parts. Part
// numbers and ETags are the backend's to check (order, existence), so that its errors
// (InvalidPartOrder, InvalidPart) are S3's.
func parseCompleteRequest(body io.Reader) (*completeMultipartUpload, error) {
	var req completeMultipartUpload
	if err := decodeXML(body, &req); err != nil {
		return nil, err
	}
	if n := len(req.Parts); n == 0 || n > objstore.MaxPartNumber {
		return nil, errMalformedXML.because("the request lists "+strconv.Itoa(n)+" parts; 1 to 10000 are allowed", nil)
	}
	return &req, nil
}

// completeChecksums checks the request's part checksums against the stored ones and
// computes the object's checksum.
func (c *call) completeChecksums(req []completePart, stored objstore.ListPartsResult) (objstore.CompleteOptions, error) {
	opts := objstore.CompleteOptions{Checksums: map[string]string{}}
	byNumber := make(map[int]objstore.PartInfo, len(stored.Parts))
	for _, p := range stored.Parts {
		byNumber[p.Number] = p
	}
	for _, rp := range req {
		sp := byNumber[rp.PartNumber]
		for alg, v := range fromChecksumFields(rp.checksumFields) {
			if sp.Checksums[alg] != v {
				return opts, errInvalidPart.because("the "+alg+" of part "+strconv.Itoa(rp.PartNumber)+
					" in the request differs from the part's", nil)
			}
		}
	}
	if err := c.checkObjectSize(req, byNumber); err != nil {
		return opts, err
	}
	alg, typ := uploadAlgorithm(stored.Upload.Meta, req, byNumber)
	if alg == "" {
		return opts, c.checkObjectChecksum("", "", "", 0)
	}
	values, sizes := make([]string, len(req)), make([]checksum.Part, len(req))
	for i, rp := range req {
		sp := byNumber[rp.PartNumber]
		values[i], sizes[i] = sp.Checksums[string(alg)], checksum.Part{Checksum: sp.Checksums[string(alg)], Size: sp.Size}
	}
	var sum string
	var err error
	if typ == "FULL_OBJECT" {
		sum, err = checksum.FullObject(alg, sizes)
	} else {
		sum, err = checksum.Composite(alg, values)
	}
	if err != nil {
		return opts, errInvalidPart.because("the parts' checksums do not combine: "+err.Error(), err)
	}
	if err := c.checkObjectChecksum(alg, typ, sum, len(req)); err != nil {
		return opts, err
	}
	opts.Checksums[string(alg)], opts.ChecksumType = sum, typ
	return opts, nil
}

// checkObjectChecksum compares the whole-object checksum a CompleteMultipartUpload sends
// (x-amz-checksum-<alg>, x-amz-checksum-type) with sum, the one computed from the parts
// for the upload's algorithm alg ("" when the upload has none) and type (reference §10).
// Decisions: a value that is not base64 of the algorithm's size is InvalidRequest "Value
// for x-amz-checksum-<alg> header is invalid." as S3 answers it on PutObject; a COMPOSITE
// value may come with or without its "-N" suffix; a value of another algorithm than the
// upload's, or on an upload without one, cannot be checked and is InvalidRequest, never
// accepted unchecked; a differing checksum type is BadDigest, as S3's API reference says.
func (c *call) checkObjectChecksum(alg checksum.Algorithm, typ, sum string, parts int) error {
	for _, a := range checksum.Algorithms() {
		v := c.header(a.Header())
		if v == "" {
			continue
		}
		value, suffix, composite := strings.Cut(v, "-")
		if _, err := a.Decode(value); err != nil || (composite && !isDigits(suffix)) {
			e := errInvalidRequest.because("the whole-object checksum "+strconv.Quote(v)+" is malformed", err)
			e.Message = "Value for " + a.Header() + " header is invalid."
			return e
		}
		if a != alg {
			e := errInvalidRequest.because("the complete request sends a "+string(a)+" value; the upload's checksum algorithm is "+
				strconv.Quote(string(alg)), nil)
			e.Message = "The upload was created using the " + strings.ToLower(string(orNone(alg))) +
				" checksum algorithm. The complete request must use the same checksum algorithm."
			return e
		}
		if !composite && typ == "COMPOSITE" {
			v += "-" + strconv.Itoa(parts)
		}
		if v != sum {
			return &Error{Code: errBadDigest.Code, Status: errBadDigest.Status, Message: "The " + string(alg) + " you specified did not match the calculated checksum.",
				Reason: "the " + strings.ToLower(typ) + " " + string(alg) + " of the parts is " + sum + ", the request says " + v}
		}
	}
	if t := c.header("x-amz-checksum-type"); t != "" && alg != "" && !strings.EqualFold(t, typ) {
		return &Error{Code: errBadDigest.Code, Status: errBadDigest.Status,
			Message: "The upload was created using the " + typ + " checksum mode. The complete request must use the same checksum mode.",
			Reason:  "x-amz-checksum-type " + t + " differs from the upload's " + typ}
	}
	return nil
}

func orNone(a checksum.Algorithm) checksum.Algorithm {
	if a == "" {
		return "null"
	}
	return a
}

func isDigits(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

// checkObjectSize compares x-amz-mp-object-size, when sent, with the size of the listed
// parts, as S3 does (InvalidRequest).
func (c *call) checkObjectSize(req []completePart, parts map[int]objstore.PartInfo) error {
	v := c.header("x-amz-mp-object-size")
	if v == "" {
		return nil
	}
	var size int64
	for _, rp := range req {
		size += parts[rp.PartNumber].Size
	}
	if n, err := strconv.ParseInt(v, 10, 64); err != nil || n != size {
		e := errInvalidRequest.because("x-amz-mp-object-size does not match the listed parts", err)
		e.Message = "The provided 'x-amz-mp-object-size' header value " + v + " does not match what was computed: " + strconv.FormatInt(size, 10)
		return e
	}
	return nil
}

// uploadAlgorithm returns the algorithm and type of the object's checksum: the one
// announced at creation, else the one every listed part carries; "" when some listed part
// has none.
func uploadAlgorithm(meta objstore.ObjectMeta, req []completePart, parts map[int]objstore.PartInfo) (checksum.Algorithm, string) {
	var alg checksum.Algorithm
	typ := meta.ChecksumType
	for name := range meta.Checksums {
		alg, _ = checksum.Parse(name)
	}
	if alg == "" {
		for name := range parts[req[0].PartNumber].Checksums {
			alg, _ = checksum.Parse(name)
		}
		typ = "COMPOSITE"
	}
	if alg == "" {
		return "", ""
	}
	for _, rp := range req {
		if parts[rp.PartNumber].Checksums[string(alg)] == "" {
			return "", ""
		}
	}
	return alg, typ
}

// location is the object's URL, as CompleteMultipartUpload reports it.
func (c *call) location() string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host + "/" + c.bucket + "/" + encodeName(c.key)
}

// abortMultipartUpload discards the upload and its parts.
func (h *Handler) abortMultipartUpload(c *call) error {
	if err := h.o.Backend.AbortMultipartUpload(c.ctx, c.bucket, c.key, c.query.Get("uploadId")); err != nil {
		return bucketError(c, err)
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// listParts lists a page of the upload's parts.
func (h *Handler) listParts(c *call) error {
	maxParts, err := intParam(c.query, "max-parts", 1000, 0, 1000)
	if err != nil {
		return err
	}
	marker, err := intParam(c.query, "part-number-marker", 0, 0, objstore.MaxPartNumber)
	if err != nil {
		return err
	}
	uploadID := c.query.Get("uploadId")
	page, err := h.o.Backend.ListParts(c.ctx, c.bucket, c.key, uploadID,
		objstore.ListPartsOptions{PartNumberMarker: marker, MaxParts: maxParts})
	if err != nil {
		return bucketError(c, err)
	}
	res := listPartsResult{Xmlns: xmlns, Bucket: c.bucket, Key: c.key, UploadID: uploadID, PartNumberMarker: marker,
		NextPartNumberMarker: page.NextPartNumberMarker, MaxParts: maxParts, IsTruncated: page.IsTruncated,
		Initiator: h.owner, Owner: h.owner, StorageClass: "STANDARD"}
	res.ChecksumAlgorithm, res.ChecksumType = checksumOf(page.Upload.Meta)
	for _, p := range page.Parts {
		res.Parts = append(res.Parts, partEntry{PartNumber: p.Number, LastModified: s3Time(p.LastModified),
			ETag: quoteETag(p.ETag), Size: p.Size, checksumFields: toChecksumFields(p.Checksums)})
	}
	h.setAbortDate(c, c.key, page.Upload.Initiated)
	return writeXML(c.w, res)
}

// listMultipartUploads lists a page of the bucket's uploads in progress.
func (h *Handler) listMultipartUploads(c *call) error {
	maxUploads, err := intParam(c.query, "max-uploads", 1000, 0, 1000)
	if err != nil {
		return err
	}
	encode, err := encodingType(c.query)
	if err != nil {
		return err
	}
	l := listing{prefix: c.query.Get("prefix"), delimiter: c.query.Get("delimiter"), maxKeys: maxUploads, encode: encode}
	opts := objstore.ListUploadsOptions{Prefix: l.prefix, Delimiter: l.delimiter, KeyMarker: c.query.Get("key-marker"),
		UploadIDMarker: c.query.Get("upload-id-marker"), MaxUploads: maxUploads}
	page, err := h.o.Backend.ListMultipartUploads(c.ctx, c.bucket, opts)
	if err != nil {
		return bucketError(c, err)
	}
	res := listMultipartUploadsResult{Xmlns: xmlns, Bucket: c.bucket, KeyMarker: l.name(opts.KeyMarker),
		UploadIDMarker: opts.UploadIDMarker, NextKeyMarker: l.name(page.NextKeyMarker), NextUploadIDMarker: page.NextUploadIDMarker,
		Prefix: l.name(l.prefix), Delimiter: l.name(l.delimiter), MaxUploads: maxUploads, IsTruncated: page.IsTruncated}
	if encode {
		res.EncodingType = "url"
	}
	for _, u := range page.Uploads {
		e := uploadEntry{Key: l.name(u.Key), UploadID: u.UploadID, Initiator: h.owner, Owner: h.owner,
			StorageClass: "STANDARD", Initiated: s3Time(u.Initiated)}
		e.ChecksumAlgorithm, e.ChecksumType = checksumOf(u.Meta)
		res.Uploads = append(res.Uploads, e)
	}
	res.CommonPrefixes = l.prefixes(page.CommonPrefixes)
	return writeXML(c.w, res)
}
