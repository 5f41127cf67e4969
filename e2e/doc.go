// Package e2e holds inkan's end-to-end tests: a real server started through the CLI on a
// loopback port, driven by real clients (aws-sdk-go-v2 and Debian's AWS CLI v2).
package e2e
