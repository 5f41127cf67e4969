package lifecycle

import "context"

// versions is the phase of noncurrent versions and delete markers. Buckets are not
// versioned until the versioning branch lands, so it has nothing to do. At the merge this
// file is deleted and versions.go.draft renamed versions.go (see its comment).
func (p *pass) versions(context.Context, string, *Configuration) (bool, error) {
	return true, nil
}
