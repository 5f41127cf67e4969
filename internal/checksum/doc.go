// Package checksum owns the S3 object checksum algorithms (CRC32, CRC32C, CRC64NVME, SHA1,
// SHA256, and MD5 for Content-MD5), their wire encoding, the multipart composite and
// full-object forms, and a reader that verifies them while a body streams; it must not know
// about HTTP, requests, signatures or storage.
//
// Values travel as base64 of the big-endian digest, in headers named x-amz-checksum-<alg>
// (Content-MD5 for MD5), as
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
// describes. CRC64NVME is the CRC-64/NVME polynomial (reversed 0x9a6c9329ac4bc9b5) computed
// with hash/crc64; its check value for "123456789" is 0xae8b14860a799888.
//
// The package imports only the standard library. Its fuzz target runs longer with
//
//	go test -run '^$' -fuzz FuzzCombine -fuzztime 60s ./internal/checksum
package checksum
