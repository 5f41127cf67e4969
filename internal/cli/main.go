package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Env is everything a command may touch of the process: its streams and its environment.
// Commands read the environment only through Getenv, so tests run them in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// command is one subcommand: it parses its own flags and runs.
type command interface {
	// Run executes the command with the arguments after its name.
	Run(ctx context.Context, env Env, args []string) error
}

type commandInfo struct {
	summary string
	new     func() command
}

// commands lists every subcommand; the usage text is built from it.
func commands() map[string]commandInfo {
	return map[string]commandInfo{
		"serve":   {"run the STS, IAM and S3 endpoint", func() command { return &serveCmd{} }},
		"assume":  {"trade a web identity token for AWS credentials (like configure-aws-credentials)", func() command { return &assumeCmd{} }},
		"idp":     {"the test identity provider: runner-env, token, rotate-keys, keys", func() command { return idpCmd{} }},
		"demo":    {"run the seed's GitHub Actions workflow offline, step by step", func() command { return demoCmd{} }},
		"policy":  {"simulate a decision, lint policies, say who can assume a role", func() command { return policyCmd{} }},
		"explain": {"explain a recorded decision by its request id", func() command { return explainCmd{} }},
		"version": {"print the version", func() command { return versionCmd{} }},
		"admin":   {"operate a running inkan: rotate-sealing-keys, revoke-sessions ROLE", func() command { return adminCmd{} }},
	}
}

// exitError carries an exit status other than 1 from a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Main runs inkan with the given arguments (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	info, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "inkan: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return 2
	}
	err := info.new().Run(ctx, env, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintf(env.Stderr, "inkan %s: %v\n", args[0], err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// errUsage marks an error in the command line itself (exit status 2).
var errUsage = errors.New("usage")

func usageErrorf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: inkan <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'inkan <command> -h' for the flags of one command.")
}

// newFlagSet returns a flag set that reports errors instead of exiting and prints its usage
// to the command's standard error.
func newFlagSet(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("inkan "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parseFlags parses args, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageErrorf("%s", strings.TrimSpace(err.Error()))
	}
	return nil
}
