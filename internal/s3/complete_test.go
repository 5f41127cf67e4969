package s3_test

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// completeWith completes a one-part upload, sending value as the whole-object checksum of
// alg (and typ as x-amz-checksum-type when not empty).
func completeWith(e *env, c *s3sdk.Client, key, id string, part types.CompletedPart, alg types.ChecksumAlgorithm, value string, typ types.ChecksumType) (*s3sdk.CompleteMultipartUploadOutput, error) {
	in := &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String(key), UploadId: aws.String(id),
		ChecksumType: typ, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{part}}}
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		in.ChecksumCRC32 = aws.String(value)
	case types.ChecksumAlgorithmCrc32c:
		in.ChecksumCRC32C = aws.String(value)
	case types.ChecksumAlgorithmCrc64nvme:
		in.ChecksumCRC64NVME = aws.String(value)
	case types.ChecksumAlgorithmSha1:
		in.ChecksumSHA1 = aws.String(value)
	case types.ChecksumAlgorithmSha256:
		in.ChecksumSHA256 = aws.String(value)
	}
	return c.CompleteMultipartUpload(e.ctx, in)
}

// partValue is the checksum of alg an UploadPart answer or a completion result carries.
func partValue(alg types.ChecksumAlgorithm, crc32v, crc32c, crc64, sha1v, sha256v *string) string {
	return aws.ToString(map[types.ChecksumAlgorithm]*string{types.ChecksumAlgorithmCrc32: crc32v, types.ChecksumAlgorithmCrc32c: crc32c,
		types.ChecksumAlgorithmCrc64nvme: crc64, types.ChecksumAlgorithmSha1: sha1v, types.ChecksumAlgorithmSha256: sha256v}[alg])
}

// composite is S3's COMPOSITE checksum of parts (base64 values), computed independently of
// inkan's checksum package: the algorithm over the concatenated raw part digests, "-N".
func composite(t *testing.T, alg types.ChecksumAlgorithm, parts ...string) string {
	var raw []byte
	for _, p := range parts {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	var sum []byte
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		sum = binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(raw))
	case types.ChecksumAlgorithmCrc32c:
		sum = binary.BigEndian.AppendUint32(nil, crc32.Checksum(raw, crc32.MakeTable(crc32.Castagnoli)))
	case types.ChecksumAlgorithmSha1:
		s := sha1.Sum(raw)
		sum = s[:]
	case types.ChecksumAlgorithmSha256:
		s := sha256.Sum256(raw)
		sum = s[:]
	default:
		t.Fatalf("no composite checksum for %s", alg)
	}
	return base64.StdEncoding.EncodeToString(sum) + "-" + string(rune('0'+len(parts)))
}

// TestCompletionVerifiesTheWholeObjectChecksumTheClientSends pins reference §10: the
// whole-object checksum on CompleteMultipartUpload is verified for every algorithm and
// both checksum types — a wrong value is BadDigest, a malformed one InvalidRequest, and
// neither completes the upload.
func TestCompletionVerifiesTheWholeObjectChecksumTheClientSends(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	body := "one part, the last, may be small"
	for _, tc := range []struct {
		alg types.ChecksumAlgorithm
		typ types.ChecksumType
	}{
		{types.ChecksumAlgorithmCrc32, types.ChecksumTypeComposite}, {types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmCrc32c, types.ChecksumTypeComposite}, {types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmSha1, types.ChecksumTypeComposite}, {types.ChecksumAlgorithmSha256, types.ChecksumTypeComposite},
	} {
		name := string(tc.alg) + " " + string(tc.typ)
		key := strings.ReplaceAll(name, " ", "-")
		up, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String(key),
			ChecksumAlgorithm: tc.alg, ChecksumType: tc.typ})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p, err := c.UploadPart(e.ctx, &s3sdk.UploadPartInput{Bucket: aws.String("data"), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader(body), ChecksumAlgorithm: tc.alg})
		if err != nil {
			t.Fatalf("%s: UploadPart: %v", name, err)
		}
		pv := partValue(tc.alg, p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumCRC64NVME, p.ChecksumSHA1, p.ChecksumSHA256)
		part := types.CompletedPart{PartNumber: aws.Int32(1), ETag: p.ETag, ChecksumCRC32: p.ChecksumCRC32, ChecksumCRC32C: p.ChecksumCRC32C,
			ChecksumCRC64NVME: p.ChecksumCRC64NVME, ChecksumSHA1: p.ChecksumSHA1, ChecksumSHA256: p.ChecksumSHA256}
		want := pv // FULL_OBJECT of one part: the part's own CRC
		if tc.typ == types.ChecksumTypeComposite {
			want = composite(t, tc.alg, pv)
		}
		wrong := base64.StdEncoding.EncodeToString(make([]byte, len(mustDecode(t, pv))))
		_, err = completeWith(e, c, key, aws.ToString(up.UploadId), part, tc.alg, wrong, "")
		requireCode(t, err, "BadDigest", http.StatusBadRequest)
		_, err = completeWith(e, c, key, aws.ToString(up.UploadId), part, tc.alg, "not base64!", "")
		requireCode(t, err, "InvalidRequest", http.StatusBadRequest)
		other := types.ChecksumTypeComposite
		if tc.typ == other {
			other = types.ChecksumTypeFullObject
		}
		_, err = completeWith(e, c, key, aws.ToString(up.UploadId), part, tc.alg, want, other)
		requireCode(t, err, "BadDigest", http.StatusBadRequest)
		sent := want
		if tc.typ == types.ChecksumTypeComposite {
			sent = strings.Split(want, "-")[0] // S3 accepts a composite value without its -N
		}
		out, err := completeWith(e, c, key, aws.ToString(up.UploadId), part, tc.alg, sent, tc.typ)
		if err != nil {
			t.Fatalf("%s: completing with the right checksum %s: %v", name, sent, err)
		}
		if got := partValue(tc.alg, out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256); got != want {
			t.Errorf("%s: completion answers %s, want %s", name, got, want)
		}
	}
}

// TestACompletionChecksumThatCannotBeCheckedIsRefused covers the case: an upload
// created and filled without checksums, completed with x-amz-checksum-sha256 (inkan used to
// answer 200 with its own value), and a wrong x-amz-mp-object-size.
func TestACompletionChecksumThatCannotBeCheckedIsRefused(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials(), func(o *s3sdk.Options) { o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired })
	up, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.UploadPart(e.ctx, &s3sdk.UploadPartInput{Bucket: aws.String("data"), Key: aws.String("k"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	part := types.CompletedPart{PartNumber: aws.Int32(1), ETag: p.ETag}
	sum := sha256.Sum256([]byte("x"))
	_, err = completeWith(e, c, "k", aws.ToString(up.UploadId), part, types.ChecksumAlgorithmSha256, base64.StdEncoding.EncodeToString(sum[:]), "")
	requireCode(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("k"), UploadId: up.UploadId,
		MpuObjectSize: aws.Int64(2), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{part}}})
	requireCode(t, err, "InvalidRequest", http.StatusBadRequest)
	if _, err := c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("k"), UploadId: up.UploadId,
		MpuObjectSize: aws.Int64(1), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{part}}}); err != nil {
		t.Fatalf("completing without a checksum: %v", err)
	}
}

func mustDecode(t *testing.T, v string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		t.Fatalf("checksum %q: %v", v, err)
	}
	return b
}

// TestARetriedCompletionIsAnsweredAgain pins reference §11: a repeated
// CompleteMultipartUpload of a completed upload answers 200 with the same result while the
// object it made is current; with other parts, or once the key changed, NoSuchUpload.
func TestARetriedCompletionIsAnsweredAgain(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	up, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("k"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	parts := uploadParts(t, e, c, "k", aws.ToString(up.UploadId), 5<<20, 100)
	complete := func(parts []types.CompletedPart) (*s3sdk.CompleteMultipartUploadOutput, error) {
		return c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("k"),
			UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	}
	first, err := complete(parts)
	if err != nil {
		t.Fatal(err)
	}
	again, err := complete(parts)
	if err != nil {
		t.Fatalf("retried completion: %v", err)
	}
	if aws.ToString(again.ETag) != aws.ToString(first.ETag) || aws.ToString(again.ChecksumCRC32) != aws.ToString(first.ChecksumCRC32) ||
		again.ChecksumType != first.ChecksumType || aws.ToString(first.ChecksumCRC32) == "" {
		t.Errorf("retried completion answers %s %s %s, first %s %s %s", aws.ToString(again.ETag), aws.ToString(again.ChecksumCRC32),
			again.ChecksumType, aws.ToString(first.ETag), aws.ToString(first.ChecksumCRC32), first.ChecksumType)
	}
	_, err = complete(parts[:1])
	requireCode(t, err, "NoSuchUpload", http.StatusNotFound)
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("new")}); err != nil {
		t.Fatal(err)
	}
	_, err = complete(parts)
	requireCode(t, err, "NoSuchUpload", http.StatusNotFound)
}
