package s3

import (
	"context"
	"crypto/subtle"
	"errors"
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/sse"
)

// Server-side encryption (reference §4). The wire layer decides how each new object is
// encrypted (the request's x-amz-server-side-encryption or SSE-C headers, the bucket's
// encryption configuration, the operator's default) and resolves keys through Keys; the
// backend encrypts the bytes. Answers carry x-amz-server-side-encryption only for what was
// truly encrypted at rest with inkan's keys.

// Keys makes and opens data keys; *sse.Keyring is one.
type Keys interface {
	NewSSES3(ctx context.Context) (*objstore.DataKey, error)
	NewSSEC(ctx context.Context, customer sse.CustomerKey) (*objstore.DataKey, error)
	Open(ctx context.Context, e objstore.Encryption, customer *sse.CustomerKey) ([]byte, error)
}

const (
	hdrSSE           = "x-amz-server-side-encryption"
	hdrCustomer      = "x-amz-server-side-encryption-customer-"
	hdrCopyCustomer  = "x-amz-copy-source-server-side-encryption-customer-"
	msgKMSMissing    = "Server side encryption specified but KMS is not configured"
	msgNeedsTLS      = "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection."
	msgSSEOnRead     = "Server side encryption headers are not applicable to reads; the object's encryption is used."
	msgNotApplicable = "The encryption parameters are not applicable to this object."
)

// writeSSE is the encryption a write asks for.
type writeSSE struct {
	// s3 is set by x-amz-server-side-encryption: AES256.
	s3 bool
	// customer is the SSE-C key, nil without one.
	customer *sse.CustomerKey
}

// parseWriteSSE reads the encryption headers of a write (PutObject, CopyObject's target,
// CreateMultipartUpload, POST): AES256 is SSE-S3; aws:kms and aws:kms:dsse, and the KMS
// headers, are 501 NotImplemented (no key store: reference's recommendation); any other
// value is 400 InvalidArgument.
func parseWriteSSE(r *http.Request) (writeSSE, error) {
	var w writeSSE
	h := r.Header
	switch v := h.Get(hdrSSE); v {
	case "":
	case objstore.SSES3:
		w.s3 = true
	case "aws:kms", "aws:kms:dsse":
		return w, errNotImplemented.because(hdrSSE+": "+v+" needs a KMS, which inkan does not have", nil).msg(msgKMSMissing)
	default:
		return w, errInvalidArgument.because(hdrSSE+" "+strconv.Quote(v)+" is not AES256", nil).
			with(Field{"ArgumentName", hdrSSE}, Field{"ArgumentValue", v}).
			msg("The encryption method specified is not supported")
	}
	for _, name := range []string{"x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-context"} {
		if h.Get(name) != "" {
			return w, errNotImplemented.because(name+" needs a KMS, which inkan does not have", nil).msg(msgKMSMissing)
		}
	}
	if v := h.Get("x-amz-server-side-encryption-bucket-key-enabled"); v != "" && !strings.EqualFold(v, "false") && !strings.EqualFold(v, "true") {
		return w, errInvalidArgument.because("x-amz-server-side-encryption-bucket-key-enabled must be true or false", nil).
			with(Field{"ArgumentName", "x-amz-server-side-encryption-bucket-key-enabled"})
	}
	customer, err := parseCustomerKey(r, hdrCustomer)
	if err != nil {
		return w, err
	}
	if customer != nil && w.s3 {
		return w, errInvalidArgument.because("a write names both SSE-S3 and SSE-C", nil).
			msg("Server Side Encryption with Customer provided key is incompatible with the encryption method specified")
	}
	w.customer = customer
	return w, nil
}

// parseReadSSE reads the encryption headers of a read (GET, HEAD, UploadPart, the source
// of a copy is parseCustomerKey's): x-amz-server-side-encryption is 400 (reference §4), an
// SSE-C key is checked.
func parseReadSSE(r *http.Request) (*sse.CustomerKey, error) {
	if v := r.Header.Get(hdrSSE); v != "" {
		return nil, errInvalidArgument.because(hdrSSE+" is not a header of reads", nil).
			with(Field{"ArgumentName", hdrSSE}, Field{"ArgumentValue", v}).msg(msgSSEOnRead)
	}
	return parseCustomerKey(r, hdrCustomer)
}

// parseCustomerKey checks the SSE-C headers named prefix+{algorithm,key,key-MD5}; nil when
// none is present. Every problem is S3's answer of reference §4, in its order: plain HTTP
// first, then the algorithm, the key, the MD5.
func parseCustomerKey(r *http.Request, prefix string) (*sse.CustomerKey, error) {
	alg, key, md5 := r.Header.Get(prefix+"algorithm"), r.Header.Get(prefix+"key"), r.Header.Get(prefix+"key-MD5")
	if alg == "" && key == "" && md5 == "" {
		return nil, nil
	}
	if r.TLS == nil {
		return nil, errInvalidRequest.because("SSE-C over plain HTTP would send the key in the clear", nil).msg(msgNeedsTLS)
	}
	c, err := sse.ParseCustomerKey(alg, key, md5)
	if err == nil {
		return &c, nil
	}
	const pre = "Requests specifying Server Side Encryption with Customer provided keys must "
	msg := map[error]string{
		sse.ErrCustomerAlgorithm:   pre + "provide a valid encryption algorithm.",
		sse.ErrCustomerKeyMissing:  pre + "provide an appropriate secret key.",
		sse.ErrCustomerMD5Missing:  pre + "provide the client calculated MD5 of the secret key.",
		sse.ErrCustomerKeyInvalid:  "The secret key was invalid for the specified algorithm.",
		sse.ErrCustomerMD5Mismatch: "The calculated MD5 hash of the key did not match the hash that was provided.",
	}[err]
	arg := prefix + "key"
	if errors.Is(err, sse.ErrCustomerAlgorithm) {
		arg = prefix + "algorithm"
	}
	// the argument is named, never its value: it may be the key
	return nil, errInvalidArgument.because(err.Error(), err).with(Field{"ArgumentName", arg}).msg(msg)
}

// msg returns a copy of e with S3's message for the case.
func (e *Error) msg(m string) *Error {
	c := *e
	c.Message = m
	return &c
}

// writeEncryption reads the encryption headers of a write (r: the request, or a POST
// form's fields as headers) and chooses its data key.
func (h *Handler) writeEncryption(c *call, r *http.Request) (writeSSE, *objstore.DataKey, error) {
	req, err := parseWriteSSE(r)
	if err != nil {
		return req, nil, err
	}
	dk, err := h.newDataKey(c, req)
	return req, dk, err
}

// newDataKey chooses the encryption of a new object or upload in the call's bucket: SSE-C
// when asked (unless the bucket blocks it: 403), else SSE-S3 when asked, when the bucket
// has an encryption configuration, or by the operator's default; else none.
func (h *Handler) newDataKey(c *call, req writeSSE) (*objstore.DataKey, error) {
	cfg := h.bucketEncryption(c.bucket)
	if req.customer != nil && cfg.blockSSEC {
		c.denial = denial{action: c.op.action, resource: c.resource()}
		return nil, errAccessDenied.because("bucket "+c.bucket+" blocks SSE-C writes (BlockedEncryptionTypes); set it to NONE to allow them", nil)
	}
	if h.o.Keys == nil {
		if req.customer != nil || req.s3 {
			return nil, h.noKeys()
		}
		return nil, nil
	}
	switch {
	case req.customer != nil:
		return h.o.Keys.NewSSEC(c.ctx, *req.customer)
	case req.s3 || cfg.configured || h.o.EncryptByDefault:
		return h.o.Keys.NewSSES3(c.ctx)
	}
	return nil, nil
}

// noKeys refuses an encryption request where inkan keeps no keys: the upstream backend.
// Passing SSE-S3 on would be a wrong success or a server error with the servers tested
// (SeaweedFS 4.53 answers 500 without a KMS of its own; versitygw ignores it and stores the
// bytes as sent); SSE-C, which SeaweedFS honours, would need the key on the backend's own
// HEADs too, which the objstore contract does not carry (docs/upstream.md).
func (h *Handler) noKeys() error {
	return errNotImplemented.because("server-side encryption is not implemented by the "+h.backendName()+" backend", nil).
		msg("Server-side encryption is not implemented by the " + h.backendName() + " backend of this endpoint")
}

// backendName names the object backend in refusals.
func (h *Handler) backendName() string {
	if h.o.BackendName != "" {
		return h.o.BackendName
	}
	return "object"
}

// opener returns the KeyOpener of a read or part upload with the request's SSE-C key
// (nil without one); *used records the encryption it opened, for the answer's headers.
func (h *Handler) opener(c *call, customer *sse.CustomerKey, used *objstore.Encryption) objstore.KeyOpener {
	return func(e objstore.Encryption) ([]byte, error) {
		if used != nil {
			*used = e
		}
		if h.o.Keys == nil {
			return nil, errInternal.because("an object is encrypted with inkan's keys but no keyring is configured", nil)
		}
		key, err := h.o.Keys.Open(c.ctx, e, customer)
		return key, keyError(c, err)
	}
}

// keyError maps the keyring's refusals to S3's answers (reference §4).
//
// Decision (UNCONFIRMED in the reference): a wrong SSE-C key on a read is 403
// AccessDenied, as AWS answers GET and HEAD (MinIO moved from 400 to 403 "just like AWS
// S3", minio/minio#6600), not MinIO's older 400 InvalidArgument.
func keyError(c *call, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sse.ErrWrongKey):
		c.denial = denial{action: c.op.action, resource: c.resource()}
		return errAccessDenied.because("the SSE-C key does not match the object's", err)
	case errors.Is(err, sse.ErrCustomerKeyRequired):
		return errInvalidRequest.because("the object is SSE-C encrypted and the request has no customer key", err).
			msg("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	case errors.Is(err, sse.ErrNotCustomerEncrypted):
		return errInvalidRequest.because("the request gives an SSE-C key for an object that is not SSE-C", err).msg(msgNotApplicable)
	}
	return err
}

// checkReadKey verifies the request's SSE-C key against an object it does not open (HEAD,
// the source of a copy before it is read): the same answers as a GET.
func (h *Handler) checkReadKey(c *call, e objstore.Encryption, customer *sse.CustomerKey) error {
	if h.o.Keys == nil && customer != nil {
		return h.noKeys()
	}
	if e.Type == "" {
		if customer != nil {
			return errInvalidRequest.because("the request gives an SSE-C key for an object that is not encrypted", nil).msg(msgNotApplicable)
		}
		return nil
	}
	_, err := h.opener(c, customer, nil)(e)
	return err
}

// setSSEHeaders reports an object's encryption: x-amz-server-side-encryption: AES256 for
// SSE-S3, the SSE-C algorithm and key MD5 for SSE-C, nothing for bytes stored as sent.
func setSSEHeaders(hdr http.Header, e objstore.Encryption, customer *sse.CustomerKey) {
	switch e.Type {
	case objstore.SSES3:
		hdr.Set(hdrSSE, objstore.SSES3)
	case objstore.SSEC:
		hdr.Set(hdrCustomer+"algorithm", "AES256")
		if customer != nil {
			hdr.Set(hdrCustomer+"key-MD5", customer.MD5)
		}
	}
}

// sseKeys are the encryption condition keys of writes (s3:PutObject, reference §4): each
// present exactly when the request carries its header, as in AWS, so that the classic
// "Deny s3:PutObject when s3:x-amz-server-side-encryption is not AES256" policy works.
func sseKeys(c *call) policy.Keys {
	k := policy.Keys{}
	if v := c.header(hdrSSE); v != "" {
		k["s3:x-amz-server-side-encryption"] = []string{v}
	}
	if v := c.header(hdrCustomer + "algorithm"); v != "" {
		k["s3:x-amz-server-side-encryption-customer-algorithm"] = []string{v}
	}
	if v := c.header("x-amz-server-side-encryption-aws-kms-key-id"); v != "" {
		k["s3:x-amz-server-side-encryption-aws-kms-key-id"] = []string{v}
	}
	return k
}

// uploadSSEKeys are the encryption condition keys of a multipart upload's later steps
// (UploadPart, UploadPartCopy, CompleteMultipartUpload), which carry no encryption header:
// the upload's own encryption, as chosen by CreateMultipartUpload. So a policy denying
// s3:PutObject without AES256 lets an upload started with AES256 finish (AWS behaves so:
// the AWS CLI's multipart uploads pass its documented deny-unencrypted policy).
func uploadSSEKeys(c *call) policy.Keys {
	k := policy.Keys{}
	switch c.uploadEncryption().Type {
	case objstore.SSES3:
		k["s3:x-amz-server-side-encryption"] = []string{objstore.SSES3}
	case objstore.SSEC:
		k["s3:x-amz-server-side-encryption-customer-algorithm"] = []string{"AES256"}
	}
	return k
}

// uploadPartCopyKeys are UploadPartCopy's: the copy's and the upload's.
func uploadPartCopyKeys(c *call) policy.Keys {
	k := copyKeys(c)
	delete(k, "s3:x-amz-server-side-encryption")
	delete(k, "s3:x-amz-server-side-encryption-customer-algorithm")
	maps.Copy(k, uploadSSEKeys(c))
	return k
}

// uploadEncryption reads the routed upload's encryption; none when it cannot be read (the
// operation then answers NoSuchUpload or the failure itself).
func (h *Handler) uploadEncryption(c *call) objstore.Encryption {
	if h.o.Keys == nil {
		return objstore.Encryption{} // inkan encrypts nothing there: no store round trip
	}
	res, err := h.o.Backend.ListParts(c.ctx, c.bucket, c.key, c.query.Get("uploadId"), objstore.ListPartsOptions{})
	if err != nil {
		return objstore.Encryption{}
	}
	return res.Upload.Encryption
}

// copyEncryption decides how a copy stores its bytes: it shares the source's when their
// key stays the same (SSE-S3 to SSE-S3, one SSE-C key to itself, or a plaintext or SSE-S3
// source where no encryption is asked for), and re-encrypts otherwise.
func (h *Handler) copyEncryption(c *call, src objstore.ObjectInfo, srcCustomer *sse.CustomerKey, req writeSSE) (objstore.CopyOptions, error) {
	var o objstore.CopyOptions
	dk, err := h.newDataKey(c, req)
	if err != nil || h.o.Keys == nil {
		return o, err
	}
	switch want := dk; {
	case want == nil && src.Encryption.Type != objstore.SSEC:
		// nothing asked: the copy keeps the source's (possibly absent) encryption
	case want != nil && want.Type == objstore.SSES3 && src.Encryption.Type == objstore.SSES3:
	case want != nil && want.Type == objstore.SSEC && src.Encryption.Type == objstore.SSEC &&
		srcCustomer != nil && sameCustomerKey(*srcCustomer, *req.customer):
	default:
		o.Reencrypt, o.Encrypt = true, dk
	}
	return o, nil
}

func sameCustomerKey(a, b sse.CustomerKey) bool {
	return subtle.ConstantTimeCompare([]byte(a.MD5), []byte(b.MD5)) == 1 && a.Equal(b)
}

// encryptionHeaders reports whether a request names an encryption, which lets a copy onto
// itself change it (S3's key rotation by copy).
func encryptionHeaders(r *http.Request) bool {
	return r.Header.Get(hdrSSE) != "" || r.Header.Get(hdrCustomer+"algorithm") != ""
}
