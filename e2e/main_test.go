package e2e

import (
	"testing"

	"github.com/inkan-dev/inkan/internal/testsupport/s3server"
)

// TestMain stops the test binary's shared SeaweedFS, if a test started one.
func TestMain(m *testing.M) { s3server.Main(m) }
