//go:build !(linux && (amd64 || arm64))

package localfs

import (
	"errors"
	"os"
)

// openAnonymous is unavailable here: data files go through tmp/ instead.
func openAnonymous(string) (*os.File, error) { return nil, errors.ErrUnsupported }

func linkAnonymous(*os.File, string) error { return errors.ErrUnsupported }
