package objstore

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strconv"
)

// MultipartETag is the ETag S3 gives an object assembled from parts with
// these ETags, in order: hex(MD5(concatenated raw part MD5s)) + "-" + the
// number of parts. An ETag that is not the hex of 16 bytes is an error.
func MultipartETag(partETags []string) (string, error) {
	h := md5.New()
	for i, e := range partETags {
		raw, err := hex.DecodeString(NormalizeETag(e))
		if err != nil || len(raw) != md5.Size {
			return "", fmt.Errorf("objstore: part %d ETag %q is not an MD5", i+1, e)
		}
		h.Write(raw)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(partETags)), nil
}
