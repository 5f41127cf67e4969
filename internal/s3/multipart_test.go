//lint:file-ignore SA1019 the brief asks for feature/s3/manager, the transfer manager go.mod pins; its successor is not a dependency.

package s3_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/inkan-dev/inkan/internal/testsupport/awschunked"
)

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func TestMultipartUploadOf40MiBThroughTheTransferManager(t *testing.T) {
	checksumModes(t, func(t *testing.T, e *env, c *s3sdk.Client) {
		data := randomBytes(40<<20, 7)
		up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 << 20; u.Concurrency = 4 })
		out, err := up.Upload(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("big/blob"), Body: e.body(data)})
		if err != nil {
			t.Fatal(err)
		}
		// The multipart ETag: MD5 of the parts' raw MD5s, then the part count.
		var md5s []byte
		for off := 0; off < len(data); off += 5 << 20 {
			s := md5.Sum(data[off:min(off+5<<20, len(data))])
			md5s = append(md5s, s[:]...)
		}
		sum := md5.Sum(md5s)
		if want := `"` + hex.EncodeToString(sum[:]) + `-8"`; aws.ToString(out.ETag) != want {
			t.Errorf("ETag %s, want %s", aws.ToString(out.ETag), want)
		}
		// Download with parallel ranged GETs, as the CLI and the managers do.
		dl := manager.NewDownloader(c, func(d *manager.Downloader) { d.PartSize = 6 << 20; d.Concurrency = 4 })
		buf := manager.NewWriteAtBuffer(make([]byte, 0, len(data)))
		n, err := dl.Download(e.ctx, buf, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("big/blob")})
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(len(data)) || sha256.Sum256(buf.Bytes()) != sha256.Sum256(data) {
			t.Fatalf("downloaded %d bytes that differ from the upload", n)
		}
		get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("big/blob"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		get.Body.Close()
		if aws.ToInt64(get.ContentLength) != int64(len(data)) {
			t.Errorf("Content-Length %d", aws.ToInt64(get.ContentLength))
		}
	})
}

// uploadParts uploads one part of each size, with CRC32 checksums, and returns them.
func uploadParts(t *testing.T, e *env, c *s3sdk.Client, key, uploadID string, sizes ...int) []types.CompletedPart {
	t.Helper()
	var parts []types.CompletedPart
	for i, size := range sizes {
		n := int32(i + 1)
		out, err := c.UploadPart(e.ctx, &s3sdk.UploadPartInput{Bucket: aws.String("data"), Key: aws.String(key), UploadId: aws.String(uploadID),
			PartNumber: aws.Int32(n), Body: bytes.NewReader(randomBytes(size, uint64(n))), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
		if out.ChecksumCRC32 == nil {
			t.Errorf("UploadPart did not echo x-amz-checksum-crc32")
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	return parts
}

func TestMultipartLifecycleListsAbortsAndRefusesBadCompletions(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	create, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("m/obj"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ContentType: aws.String("application/x-mp"), Metadata: map[string]string{"m": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(create.UploadId)
	parts := uploadParts(t, e, c, "m/obj", id, 5<<20, 5<<20, 1000)

	lp, err := c.ListParts(e.ctx, &s3sdk.ListPartsInput{Bucket: aws.String("data"), Key: aws.String("m/obj"), UploadId: aws.String(id), MaxParts: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Parts) != 2 || !aws.ToBool(lp.IsTruncated) || aws.ToString(lp.NextPartNumberMarker) != "2" {
		t.Errorf("ListParts page: %d parts, truncated %v, next %v", len(lp.Parts), aws.ToBool(lp.IsTruncated), aws.ToString(lp.NextPartNumberMarker))
	}
	lu, err := c.ListMultipartUploads(e.ctx, &s3sdk.ListMultipartUploadsInput{Bucket: aws.String("data")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].UploadId) != id || aws.ToString(lu.Uploads[0].Key) != "m/obj" {
		t.Errorf("ListMultipartUploads: %+v", lu.Uploads)
	}

	complete := func(ps []types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("m/obj"),
			UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: ps}})
		return err
	}
	requireCode(t, complete([]types.CompletedPart{parts[1], parts[0]}), "InvalidPartOrder", http.StatusBadRequest)
	bad := parts[0]
	bad.ETag = aws.String(`"00000000000000000000000000000000"`)
	bad.ChecksumCRC32 = nil
	requireCode(t, complete([]types.CompletedPart{bad, parts[1]}), "InvalidPart", http.StatusBadRequest)
	wrongSum := parts[0]
	wrongSum.ChecksumCRC32 = aws.String("AAAAAA==")
	requireCode(t, complete([]types.CompletedPart{wrongSum, parts[1]}), "InvalidPart", http.StatusBadRequest)
	requireCode(t, complete([]types.CompletedPart{parts[2], {PartNumber: aws.Int32(4), ETag: parts[2].ETag}}), "InvalidPart", http.StatusBadRequest)

	out, err := c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("m/obj"),
		UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(aws.ToString(out.ETag), `-3"`) || !strings.HasSuffix(aws.ToString(out.ChecksumCRC32), "-3") {
		t.Errorf("completion ETag %s, checksum %s; want multipart forms ending in -3", aws.ToString(out.ETag), aws.ToString(out.ChecksumCRC32))
	}
	head, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("m/obj"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ContentType) != "application/x-mp" || head.Metadata["m"] != "1" || aws.ToInt64(head.ContentLength) != 10<<20+1000 {
		t.Errorf("completed object: type %q meta %v length %d", aws.ToString(head.ContentType), head.Metadata, aws.ToInt64(head.ContentLength))
	}
	if aws.ToString(head.ChecksumCRC32) != aws.ToString(out.ChecksumCRC32) {
		t.Errorf("HEAD checksum %s, completion said %s", aws.ToString(head.ChecksumCRC32), aws.ToString(out.ChecksumCRC32))
	}
	// A retried completion is answered again (TestARetriedCompletionIsAnsweredAgain); one
	// naming other parts of the finished upload is NoSuchUpload.
	if err := complete(parts); err != nil {
		t.Errorf("retried completion: %v", err)
	}
	requireCode(t, complete(parts[:2]), "NoSuchUpload", http.StatusNotFound)

	// Abort, and the upload is gone.
	create, err = c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("m/other")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AbortMultipartUpload(e.ctx, &s3sdk.AbortMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("m/other"), UploadId: create.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListParts(e.ctx, &s3sdk.ListPartsInput{Bucket: aws.String("data"), Key: aws.String("m/other"), UploadId: create.UploadId})
	requireCode(t, err, "NoSuchUpload", http.StatusNotFound)
}

func TestSmallPartsOtherThanTheLastAreTooSmall(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	create, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("small")})
	if err != nil {
		t.Fatal(err)
	}
	parts := uploadParts(t, e, c, "small", aws.ToString(create.UploadId), 100, 100)
	_, err = c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("small"),
		UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	requireCode(t, err, "EntityTooSmall", http.StatusBadRequest)
	_, err = c.UploadPart(e.ctx, &s3sdk.UploadPartInput{Bucket: aws.String("data"), Key: aws.String("small"), UploadId: create.UploadId,
		PartNumber: aws.Int32(10001), Body: strings.NewReader("x")})
	requireCode(t, err, "InvalidArgument", http.StatusBadRequest)
}

func TestUploadPartCopyCopiesARangeOfAnObject(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	src := randomBytes(6<<20, 3)
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("src"), Body: bytes.NewReader(src)}); err != nil {
		t.Fatal(err)
	}
	create, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i, rng := range []string{"bytes=0-5242879", "bytes=5242880-6291455"} {
		out, err := c.UploadPartCopy(e.ctx, &s3sdk.UploadPartCopyInput{Bucket: aws.String("data"), Key: aws.String("dst"), UploadId: create.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String("data/src"), CopySourceRange: aws.String(rng)})
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.CopyPartResult.ETag})
	}
	_, err = c.UploadPartCopy(e.ctx, &s3sdk.UploadPartCopyInput{Bucket: aws.String("data"), Key: aws.String("dst"), UploadId: create.UploadId,
		PartNumber: aws.Int32(3), CopySource: aws.String("data/src"), CopySourceRange: aws.String("bytes=0-" + strconv.Itoa(len(src)))})
	requireCode(t, err, "InvalidArgument", http.StatusBadRequest)
	if _, err := c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("dst"),
		UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	defer get.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(get.Body); err != nil || !bytes.Equal(buf.Bytes(), src) {
		t.Fatalf("assembled copy differs from the source (%d bytes, %v)", buf.Len(), err)
	}
}

func TestFullObjectChecksumsOfMultipartUploadsAreCombinedAndChecked(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	start := func(key string) string {
		out, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String(key),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ChecksumType: types.ChecksumTypeFullObject})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.UploadId)
	}
	var whole []byte
	for i, size := range []int{5 << 20, 3000} {
		whole = append(whole, randomBytes(size, uint64(i+1))...)
	}
	complete := func(key, id string, parts []types.CompletedPart, full string) (*s3sdk.CompleteMultipartUploadOutput, error) {
		return c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String(key),
			UploadId: aws.String(id), ChecksumCRC32: aws.String(full), ChecksumType: types.ChecksumTypeFullObject,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	}

	id := start("full")
	out, err := complete("full", id, uploadParts(t, e, c, "full", id, 5<<20, 3000), awschunked.CRC32(whole))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ChecksumCRC32) != awschunked.CRC32(whole) || out.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("completion checksum %s (%s), want the CRC32 of the whole object %s", aws.ToString(out.ChecksumCRC32), out.ChecksumType, awschunked.CRC32(whole))
	}
	get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("full"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err = buf.ReadFrom(get.Body) // the SDK validates the full-object CRC32 while reading
	get.Body.Close()
	if err != nil || !bytes.Equal(buf.Bytes(), whole) {
		t.Fatalf("reading the object back: %v", err)
	}

	id = start("wrong")
	_, err = complete("wrong", id, uploadParts(t, e, c, "wrong", id, 5<<20, 3000), awschunked.CRC32([]byte("other")))
	requireCode(t, err, "BadDigest", http.StatusBadRequest)
}
