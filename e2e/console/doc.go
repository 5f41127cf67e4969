// Package console holds the operator console's browser tests: a real `inkan serve --dev`
// started through the CLI on a loopback port, driven by Debian's chromium through
// github.com/chromedp/chromedp and by Debian's AWS CLI v2. They live apart from package e2e
// so that the browser starts only when these run:
//
//	go test ./e2e/console
//
// Without chromium or the AWS CLI they skip, unless CI is set, in which case they fail.
// INKAN_CONSOLE_SCREENSHOTS=DIR keeps the screenshots every page gets (docs/console.md
// shows some); they go to a temporary directory otherwise.
package console
