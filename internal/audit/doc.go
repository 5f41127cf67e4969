// Package audit owns inkan's decision log: one JSON line per STS, IAM and S3 decision, appended
// to <data-dir>/audit/ with size-based rotation, and read back by request id for explanations.
// It must never receive a token, signature, secret key or session token: records carry claim
// values and decision traces only. It knows nothing about HTTP or policies beyond their JSON.
package audit
