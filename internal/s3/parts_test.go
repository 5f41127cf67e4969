package s3_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
)

// multipartObject uploads key in parts of the given sizes with CRC32 checksums and returns
// its bytes.
func multipartObject(t *testing.T, e *env, c *s3sdk.Client, key string, sizes ...int) []byte {
	t.Helper()
	up, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String(key),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	parts := uploadParts(t, e, c, key, aws.ToString(up.UploadId), sizes...)
	if _, err := c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String(key),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer get.Body.Close()
	data, err := io.ReadAll(get.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestPartsOfObjectsAreReadByNumber pins reference §8: GetObject and HeadObject with
// partNumber answer 206 with the part's range and x-amz-mp-parts-count; part 1 of an
// object that is not multipart is the whole object.
func TestPartsOfObjectsAreReadByNumber(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	whole := multipartObject(t, e, c, "mp", 5<<20, 1000)
	total := strconv.Itoa(len(whole))
	for n, want := range map[int32]struct {
		first, last int
	}{1: {0, 5<<20 - 1}, 2: {5 << 20, len(whole) - 1}} {
		get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("mp"), PartNumber: aws.Int32(n)})
		if err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
		data, err := io.ReadAll(get.Body)
		get.Body.Close()
		wantRange := "bytes " + strconv.Itoa(want.first) + "-" + strconv.Itoa(want.last) + "/" + total
		if err != nil || !bytes.Equal(data, whole[want.first:want.last+1]) || aws.ToString(get.ContentRange) != wantRange ||
			aws.ToInt32(get.PartsCount) != 2 {
			t.Errorf("part %d: %d bytes, Content-Range %q (want %q), parts %d, %v", n, len(data), aws.ToString(get.ContentRange), wantRange,
				aws.ToInt32(get.PartsCount), err)
		}
		head, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("mp"), PartNumber: aws.Int32(n)})
		if err != nil || aws.ToInt64(head.ContentLength) != int64(want.last-want.first+1) || aws.ToInt32(head.PartsCount) != 2 {
			t.Errorf("HEAD part %d: length %d, parts %d, %v", n, aws.ToInt64(head.ContentLength), aws.ToInt32(head.PartsCount), err)
		}
	}
	_, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("mp"), PartNumber: aws.Int32(3)})
	requireCode(t, err, "InvalidPartNumber", http.StatusRequestedRangeNotSatisfiable)
	_, err = c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("mp"), PartNumber: aws.Int32(3)})
	requireStatus(t, err, http.StatusRequestedRangeNotSatisfiable)
	_, err = c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("mp"), PartNumber: aws.Int32(1), Range: aws.String("bytes=0-1")})
	requireCode(t, err, "InvalidRequest", http.StatusBadRequest)
	status, code := send(t, e, http.MethodGet, "/data/mp?partNumber=0", nil)
	if status != http.StatusBadRequest || code != "InvalidArgument" {
		t.Errorf("partNumber=0: %d %s", status, code)
	}

	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("plain"), Body: strings.NewReader("plain bytes")}); err != nil {
		t.Fatal(err)
	}
	get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("plain"), PartNumber: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if string(data) != "plain bytes" || aws.ToString(get.ContentRange) != "bytes 0-10/11" || get.PartsCount != nil {
		t.Errorf("part 1 of a plain object: %q, Content-Range %q, parts %v", data, aws.ToString(get.ContentRange), get.PartsCount)
	}
	_, err = c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("plain"), PartNumber: aws.Int32(2)})
	requireCode(t, err, "InvalidPartNumber", http.StatusRequestedRangeNotSatisfiable)
	_, err = c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("missing"), PartNumber: aws.Int32(1)})
	requireCode(t, err, "NoSuchKey", http.StatusNotFound)
}

// TestGetObjectAttributesAnswersWhatItIsAskedFor pins reference §8.
func TestGetObjectAttributesAnswersWhatItIsAskedFor(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	whole := multipartObject(t, e, c, "mp", 5<<20, 1000)
	all := []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesChecksum, types.ObjectAttributesObjectParts,
		types.ObjectAttributesStorageClass, types.ObjectAttributesObjectSize}
	out, err := c.GetObjectAttributes(e.ctx, &s3sdk.GetObjectAttributesInput{Bucket: aws.String("data"), Key: aws.String("mp"), ObjectAttributes: all})
	if err != nil {
		t.Fatal(err)
	}
	head, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("mp"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if `"`+aws.ToString(out.ETag)+`"` != aws.ToString(head.ETag) || aws.ToInt64(out.ObjectSize) != int64(len(whole)) ||
		out.StorageClass != types.StorageClassStandard || out.Checksum == nil ||
		aws.ToString(out.Checksum.ChecksumCRC32) != aws.ToString(head.ChecksumCRC32) || out.Checksum.ChecksumType != types.ChecksumTypeComposite ||
		out.LastModified == nil {
		t.Errorf("GetObjectAttributes = %+v (HEAD ETag %s, CRC32 %s)", out, aws.ToString(head.ETag), aws.ToString(head.ChecksumCRC32))
	}
	p := out.ObjectParts
	if p == nil || aws.ToInt32(p.TotalPartsCount) != 2 || len(p.Parts) != 2 || aws.ToInt64(p.Parts[0].Size) != 5<<20 ||
		aws.ToInt64(p.Parts[1].Size) != 1000 || aws.ToString(p.Parts[1].ChecksumCRC32) == "" {
		t.Fatalf("ObjectParts = %+v", p)
	}
	page, err := c.GetObjectAttributes(e.ctx, &s3sdk.GetObjectAttributesInput{Bucket: aws.String("data"), Key: aws.String("mp"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectParts}, MaxParts: aws.Int32(1), PartNumberMarker: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	if p := page.ObjectParts; p == nil || len(p.Parts) != 1 || aws.ToInt32(p.Parts[0].PartNumber) != 2 || aws.ToBool(p.IsTruncated) ||
		page.ETag != nil || page.ObjectSize != nil {
		t.Errorf("second page of parts: %+v, ETag %v", page.ObjectParts, page.ETag)
	}

	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("plain"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	plain, err := c.GetObjectAttributes(e.ctx, &s3sdk.GetObjectAttributesInput{Bucket: aws.String("data"), Key: aws.String("plain"), ObjectAttributes: all})
	if err != nil || plain.ObjectParts != nil || aws.ToInt64(plain.ObjectSize) != 1 {
		t.Errorf("attributes of a plain object: %+v, %v", plain, err)
	}
	_, err = c.GetObjectAttributes(e.ctx, &s3sdk.GetObjectAttributesInput{Bucket: aws.String("data"), Key: aws.String("missing"), ObjectAttributes: all})
	requireCode(t, err, "NoSuchKey", http.StatusNotFound)
	if status, code := send(t, e, http.MethodGet, "/data/plain?attributes", nil); status != 400 || code != "InvalidRequest" {
		t.Errorf("no x-amz-object-attributes: %d %s", status, code)
	}
	if status, code := send(t, e, http.MethodGet, "/data/plain?attributes", http.Header{"X-Amz-Object-Attributes": {"ETag,Colour"}}); status != 400 || code != "InvalidArgument" {
		t.Errorf("an unknown attribute: %d %s", status, code)
	}

	// Both s3:GetObjectAttributes and s3:GetObject are needed.
	e.role("attrs", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjectAttributes","Resource":"arn:aws:s3:::data/*"}]}`)
	_, err = e.client(e.session("attrs", 0)).GetObjectAttributes(e.ctx, &s3sdk.GetObjectAttributesInput{Bucket: aws.String("data"), Key: aws.String("plain"), ObjectAttributes: all})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	e.role("both", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObjectAttributes","s3:GetObject"],"Resource":"arn:aws:s3:::data/*"}]}`)
	if _, err := e.client(e.session("both", 0)).GetObjectAttributes(e.ctx, &s3sdk.GetObjectAttributesInput{Bucket: aws.String("data"), Key: aws.String("plain"), ObjectAttributes: all}); err != nil {
		t.Errorf("GetObjectAttributes with both actions: %v", err)
	}
}

// TestTheTransferManagerDownloadsByPartNumber runs aws-sdk-go-v2's transfer manager, whose
// downloads ask for each part by number (GetObjectParts, its default), with a session's
// credentials, for a multipart object and for one that is not.
func TestTheTransferManagerDownloadsByPartNumber(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	e.role("reader", readWritePolicy("data"))
	root := e.client(rootCredentials())
	whole := multipartObject(t, e, root, "mp", 5<<20, 5<<20, 1000)
	if _, err := root.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("plain"), Body: bytes.NewReader(whole[:70000])}); err != nil {
		t.Fatal(err)
	}
	var parts []string
	client := e.client(e.session("reader", 0), func(o *s3sdk.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("record-part", func(ctx context.Context,
				in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if g, ok := in.Parameters.(*s3sdk.GetObjectInput); ok && g.PartNumber != nil {
					parts = append(parts, strconv.Itoa(int(*g.PartNumber)))
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		})
	})
	tm := transfermanager.New(client, func(o *transfermanager.Options) { o.Concurrency = 1 })
	for key, want := range map[string][]byte{"mp": whole, "plain": whole[:70000]} {
		parts = nil
		buf := manager.NewWriteAtBuffer(nil)
		if _, err := tm.DownloadObject(e.ctx, &transfermanager.DownloadObjectInput{Bucket: aws.String("data"), Key: aws.String(key), WriterAt: buf}); err != nil {
			t.Fatalf("DownloadObject %s: %v", key, err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("DownloadObject %s: %d bytes, want %d", key, len(buf.Bytes()), len(want))
		}
		if key == "mp" && strings.Join(parts, ",") != "1,2,3" {
			t.Errorf("the transfer manager asked for parts %v, want 1,2,3", parts)
		}
	}
}
