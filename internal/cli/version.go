package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

type versionCmd struct{}

// Run prints the module version and the Go version the binary was built with.
func (versionCmd) Run(_ context.Context, env Env, _ []string) error {
	v, goVersion := "(devel)", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
	}
	fmt.Fprintf(env.Stdout, "inkan %s (%s)\n", v, goVersion)
	return nil
}
