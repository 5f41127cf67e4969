package cli

import (
	"testing"

	"github.com/inkan-dev/inkan/internal/testsupport/pgtest"
)

// TestMain stops the package's shared PostgreSQL cluster, if a test started one.
func TestMain(m *testing.M) { pgtest.Main(m) }
