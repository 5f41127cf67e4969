package awsclient

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Objects are addressed path-style, <endpoint>/<bucket>/<key>, which inkan and every
// S3-compatible server accept; keys are escaped once by net/url and signed as sent.

// CreateBucket creates a bucket in the endpoint's region (no location constraint).
func (c *Client) CreateBucket(ctx context.Context, bucket string) error {
	_, err := c.do(ctx, request{op: "s3:CreateBucket", method: http.MethodPut, path: "/" + bucket, service: "s3"})
	return err
}

// PutObjectOutput is what PutObject returns.
type PutObjectOutput struct {
	ETag      string // quoted, as S3 sends it
	RequestID string
}

// PutObject stores body under bucket/key, signing its SHA-256 so the server verifies the
// bytes. contentType "" sends none.
func (c *Client) PutObject(ctx context.Context, bucket, key string, body []byte, contentType string) (*PutObjectOutput, error) {
	req := request{op: "s3:PutObject", method: http.MethodPut, path: "/" + bucket + "/" + key, body: body,
		service: "s3", header: http.Header{}}
	if contentType != "" {
		req.header.Set("Content-Type", contentType)
	}
	resp, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	return &PutObjectOutput{ETag: resp.header.Get("ETag"), RequestID: resp.header.Get("X-Amz-Request-Id")}, nil
}

// Object is one entry of a listing.
type Object struct {
	Key          string    `xml:"Key"`
	Size         int64     `xml:"Size"`
	ETag         string    `xml:"ETag"` // quoted, as S3 sends it
	LastModified time.Time `xml:"LastModified"`
}

// ListObjectsV2Input is the request of ListObjectsV2; zero fields are not sent.
type ListObjectsV2Input struct {
	Bucket            string
	Prefix            string
	Delimiter         string
	ContinuationToken string
	MaxKeys           int
}

// ListObjectsV2Output is one page of a listing.
type ListObjectsV2Output struct {
	Name                  string   `xml:"Name"`
	Prefix                string   `xml:"Prefix"`
	KeyCount              int      `xml:"KeyCount"`
	IsTruncated           bool     `xml:"IsTruncated"`
	NextContinuationToken string   `xml:"NextContinuationToken"`
	Contents              []Object `xml:"Contents"`
	CommonPrefixes        []string `xml:"CommonPrefixes>Prefix"`
	RequestID             string   `xml:"-"`
}

// ListObjectsV2 returns one page of a bucket's keys; follow NextContinuationToken while
// IsTruncated for the rest.
func (c *Client) ListObjectsV2(ctx context.Context, in ListObjectsV2Input) (*ListObjectsV2Output, error) {
	q := url.Values{"list-type": {"2"}}
	setNonEmpty(q, "prefix", in.Prefix)
	setNonEmpty(q, "delimiter", in.Delimiter)
	setNonEmpty(q, "continuation-token", in.ContinuationToken)
	if in.MaxKeys > 0 {
		q.Set("max-keys", strconv.Itoa(in.MaxKeys))
	}
	resp, err := c.do(ctx, request{op: "s3:ListObjectsV2", method: http.MethodGet, path: "/" + in.Bucket, query: q, service: "s3"})
	if err != nil {
		return nil, err
	}
	var out ListObjectsV2Output
	if err := xml.Unmarshal(resp.body, &out); err != nil {
		return nil, fmt.Errorf("s3:ListObjectsV2: reading the answer: %w", err)
	}
	out.RequestID = resp.header.Get("X-Amz-Request-Id")
	return &out, nil
}
