//lint:file-ignore SA1019 feature/s3/manager is the transfer manager whose downloader reads by byte ranges (the parallel ranged GETs issue 15 measures); transfermanager, its successor, reads by part number by default and is what internal/s3's part-number tests use.
package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The multipart phases (-client sdk only) move -large-size objects the way the SDK's and
// the AWS CLI's transfer managers do: mp-put uploads each object in -part-size parts, P at
// a time (UploadPart in parallel, then CompleteMultipartUpload); mp-get downloads each in
// -part-size ranged GETs, P at a time. Each P of -part-c is its own measured phase, so one
// invocation shows how a server scales with the parallelism of one transfer.

// parsePartConc reads -part-c: a comma-separated list of positive parallelisms.
func parsePartConc(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-part-c %q: want positive numbers separated by commas", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func mpKey(i int64, keys int) string { return fmt.Sprintf("mp/%03d", i%int64(keys)) }

// mpPut uploads b in parts of partSize, conc at a time, with the SDK's upload manager (its
// default checksums: a CRC32 per part).
func (c *sdkClient) mpPut(ctx context.Context, key string, b *body, partSize int64, conc int) error {
	up := manager.NewUploader(c.c, func(u *manager.Uploader) { u.PartSize, u.Concurrency = partSize, conc })
	_, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(key), Body: bytes.NewReader(b.data)})
	if err != nil {
		return fmt.Errorf("multipart upload %s: %w", key, err)
	}
	return nil
}

// mpGet downloads key in ranged GETs of partSize, conc at a time, with the SDK's download
// manager, comparing every range with want as it arrives (no second copy of the object).
func (c *sdkClient) mpGet(ctx context.Context, key string, want *body, partSize int64, conc int) error {
	down := manager.NewDownloader(c.c, func(d *manager.Downloader) { d.PartSize, d.Concurrency = partSize, conc })
	n, err := down.Download(ctx, compareAt(want.data), &s3.GetObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("ranged download %s: %w", key, err)
	}
	if n != int64(len(want.data)) {
		return fmt.Errorf("ranged download %s: %d bytes, want %d", key, n, len(want.data))
	}
	return nil
}

// compareAt is an io.WriterAt that checks what is written against the bytes expected there.
type compareAt []byte

func (w compareAt) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > int64(len(w)) || !bytes.Equal(p, w[off:off+int64(len(p))]) {
		return 0, fmt.Errorf("ranged download: %d bytes at %d differ from what was uploaded", len(p), off)
	}
	return len(p), nil
}

// runMultipart runs mp-put or mp-get once for every parallelism of -part-c.
func (b *bench) runMultipart(ctx context.Context, name string) error {
	c, ok := b.c.(*sdkClient)
	if !ok {
		return fmt.Errorf("-phases %s needs -client sdk", name)
	}
	o := b.o
	size := sizeName(o.largeSize)
	kind := "MPU"
	if name == "mp-get" {
		kind = "ranged GET"
	}
	for _, p := range o.partConc {
		phase := fmt.Sprintf("%s %s P=%d", size, kind, p)
		put := func(ctx context.Context, _ int, i int64) error {
			return c.mpPut(ctx, mpKey(i, o.largeKeys), b.large, int64(o.partSize), p)
		}
		if name == "mp-put" {
			b.mpStored = true
			if err := b.measure(ctx, phase, 1, timeLimit, o.largePuts, o.largeSize, put); err != nil {
				return err
			}
			continue
		}
		if !b.mpStored {
			if err := b.prepare(ctx, "uploading the multipart keys", 1, int64(o.largeKeys), put); err != nil {
				return err
			}
			b.mpStored = true
		}
		get := func(ctx context.Context, _ int, i int64) error {
			return c.mpGet(ctx, mpKey(i, o.largeKeys), b.large, int64(o.partSize), p)
		}
		if err := b.measure(ctx, phase, 1, timeLimit, o.largeGets, o.largeSize, get); err != nil {
			return err
		}
	}
	return nil
}
