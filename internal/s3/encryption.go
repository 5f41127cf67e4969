package s3

import (
	"encoding/xml"
	"net/http"
	"strconv"
)

// Bucket default encryption (reference §4): the configuration is stored as a bucket
// setting ("encryption") in the form GetBucketEncryption answers. Every bucket has a
// default, which DeleteBucketEncryption returns to.
//
// Decision (the reference's "Surprise"): SSE-C writes are blocked on every bucket without
// a configuration saying otherwise, as AWS blocks them on new buckets since April 2026:
// SSE-C lets anyone holding write credentials make objects the owner cannot read (the
// ransomware pattern that made AWS change its default), and inkan's buckets hold no SSE-C
// data from before. A PutBucketEncryption with BlockedEncryptionTypes NONE unblocks them;
// one without BlockedEncryptionTypes keeps them blocked.

// encryptionSetting is the bucket setting that holds the configuration.
const encryptionSetting = "encryption"

var (
	opPutEncryption = operation{"PutBucketEncryption", "s3:PutEncryptionConfiguration", nil, (*Handler).putBucketEncryption}
	opGetEncryption = operation{"GetBucketEncryption", "s3:GetEncryptionConfiguration", nil, (*Handler).getBucketEncryption}
	// DeleteBucketEncryption is authorized as s3:PutEncryptionConfiguration, as S3 documents it.
	opDeleteEncryption = operation{"DeleteBucketEncryption", "s3:PutEncryptionConfiguration", nil, (*Handler).deleteBucketEncryption}
)

type encryptionConfiguration struct {
	XMLName xml.Name         `xml:"ServerSideEncryptionConfiguration"`
	Xmlns   string           `xml:"xmlns,attr,omitempty"`
	Rules   []encryptionRule `xml:"Rule"`
}

type encryptionRule struct {
	Default *struct {
		SSEAlgorithm   string
		KMSMasterKeyID string `xml:",omitempty"`
	} `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled *bool `xml:"BucketKeyEnabled"`
	Blocked          *struct {
		EncryptionType []string
	} `xml:"BlockedEncryptionTypes"`
}

// bucketEncryptionState is what a bucket's configuration means for writes.
type bucketEncryptionState struct {
	// configured: an explicit configuration (SSE-S3) applies to writes without headers.
	configured bool
	blockSSEC  bool
}

// bucketEncryption reads the bucket's configuration from the snapshot (no store round
// trip). A stored document that no longer parses blocks SSE-C and encrypts: fail closed.
// The parsed state is kept in a settingCache: every write consults it.
func (h *Handler) bucketEncryption(bucket string) bucketEncryptionState {
	doc, ok := h.o.Auth.BucketSetting(bucket, encryptionSetting)
	st := h.encryptions.get(bucket, doc, ok, func(doc string) bucketEncryptionState {
		var cfg encryptionConfiguration
		if err := xml.Unmarshal([]byte(doc), &cfg); err != nil || len(cfg.Rules) != 1 {
			h.o.Logger.Error("stored bucket encryption configuration does not parse", "bucket", bucket, "err", err)
			return bucketEncryptionState{configured: true, blockSSEC: true}
		}
		return bucketEncryptionState{configured: true, blockSSEC: cfg.Rules[0].blocksSSEC()}
	})
	if !ok {
		return bucketEncryptionState{blockSSEC: true}
	}
	return st
}

func (r encryptionRule) blocksSSEC() bool {
	return r.Blocked == nil || len(r.Blocked.EncryptionType) == 0 || r.Blocked.EncryptionType[0] != "NONE"
}

// defaultEncryption is the configuration of a bucket without one: SSE-S3, SSE-C blocked.
func defaultEncryption() encryptionConfiguration {
	f := false
	r := encryptionRule{BucketKeyEnabled: &f}
	r.Default = &struct {
		SSEAlgorithm   string
		KMSMasterKeyID string `xml:",omitempty"`
	}{SSEAlgorithm: "AES256"}
	r.Blocked = &struct{ EncryptionType []string }{EncryptionType: []string{"SSE-C"}}
	return encryptionConfiguration{Xmlns: xmlns, Rules: []encryptionRule{r}}
}

// putBucketEncryption validates and stores the configuration. Only AES256 can be a
// default: aws:kms and aws:kms:dsse are 501 NotImplemented, as on writes.
func (h *Handler) putBucketEncryption(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	if h.o.Keys == nil {
		// a default inkan could not apply would claim encryption that is not there
		return h.noKeys()
	}
	// S3's model requires a body checksum of PutBucketEncryption, as of PutBucketCors
	// (readSettingBody refuses a body without one)
	var cfg encryptionConfiguration
	if err := h.readSettingBody(c, &cfg); err != nil {
		return err
	}
	if err := cfg.check(); err != nil {
		return err
	}
	cfg.Xmlns = xmlns
	return h.storeSetting(c, encryptionSetting, cfg, http.StatusOK)
}

// check applies S3's rules: one rule with a default algorithm, no KMS key for AES256,
// and blocked types among NONE and SSE-C (NONE alone).
func (cfg *encryptionConfiguration) check() error {
	if len(cfg.Rules) != 1 {
		return errMalformedXML.because("an encryption configuration holds one rule, not "+strconv.Itoa(len(cfg.Rules)), nil)
	}
	r := cfg.Rules[0]
	if r.Default == nil {
		return errMalformedXML.because("the rule has no ApplyServerSideEncryptionByDefault", nil)
	}
	switch r.Default.SSEAlgorithm {
	case "AES256":
		if r.Default.KMSMasterKeyID != "" {
			return errInvalidArgument.because("a KMSMasterKeyID goes only with aws:kms", nil).
				with(Field{"ArgumentName", "ApplyServerSideEncryptionByDefault"}).
				msg("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
		}
	case "aws:kms", "aws:kms:dsse":
		return errNotImplemented.because("SSEAlgorithm "+r.Default.SSEAlgorithm+" needs a KMS, which inkan does not have", nil).msg(msgKMSMissing)
	default:
		return errMalformedXML.because("SSEAlgorithm "+strconv.Quote(r.Default.SSEAlgorithm)+" is not AES256, aws:kms or aws:kms:dsse", nil)
	}
	if r.Blocked != nil {
		for _, t := range r.Blocked.EncryptionType {
			if t != "NONE" && t != "SSE-C" {
				return errMalformedXML.because("EncryptionType "+strconv.Quote(t)+" is not NONE or SSE-C", nil)
			}
		}
		if len(r.Blocked.EncryptionType) > 1 {
			return errInvalidArgument.because("BlockedEncryptionTypes names more than one type", nil).
				with(Field{"ArgumentName", "BlockedEncryptionTypes"}).msg("BlockedEncryptionTypes must name either NONE or SSE-C")
		}
	}
	return nil
}

// getBucketEncryption answers the stored configuration, or the default one. With the
// operator's default encryption off, a bucket without a configuration has no default
// encryption and is answered as S3 answered such buckets before 2023 (404
// ServerSideEncryptionConfigurationNotFoundError): inkan never claims encryption that
// is not applied.
func (h *Handler) getBucketEncryption(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	if doc, ok := h.o.Auth.BucketSetting(c.bucket, encryptionSetting); ok {
		return writeRaw(c.w, doc)
	}
	if !h.o.EncryptByDefault {
		return errNoEncryption.because("bucket "+c.bucket+" has no encryption configuration and the operator's default encryption is off", nil).
			with(Field{"BucketName", c.bucket})
	}
	return writeXML(c.w, defaultEncryption())
}

// deleteBucketEncryption returns the bucket to the default; 204 whether it had a
// configuration or not.
func (h *Handler) deleteBucketEncryption(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	if err := h.o.Auth.DeleteBucketSetting(c.ctx, c.bucket, encryptionSetting); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}
