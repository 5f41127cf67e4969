// Package lifecycle owns S3 lifecycle configurations and their execution: the document
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html),
// its validation, which rule applies to an object and when, and the background Worker that
// expires objects and aborts incomplete multipart uploads through any objstore.Backend.
//
// It must not know about HTTP or SigV4: the S3 wire package decodes the request, hands the
// document here to be checked, stores it as a bucket setting and renders the headers this
// package computes (x-amz-expiration, x-amz-abort-date). The Worker reads the same stored
// setting, takes a lease in the shared store so that one node of a cluster runs a pass at a
// time, and deletes only with a condition on what it saw, so that a crash or a concurrent
// write never costs an object that should stay.
package lifecycle
