// Package sse owns inkan's server-side encryption keys: the master keys, kept
// in the store (every node sharing the store shares them), and the per-object
// data keys sealed under a master key (SSE-S3) or under a master key and the
// customer's key (SSE-C). It checks SSE-C key headers' values but must not
// know about HTTP or S3 wire formats, nor about object bytes, which the object
// backend encrypts with the data keys this package hands out.
package sse
