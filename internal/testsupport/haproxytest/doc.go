// Package haproxytest starts Debian's HAProxy in front of inkan nodes for tests, with the
// configuration docs/deployment.md shows: round robin, health checks on GET /readyz, and
// retries that send a request whose node died before answering to another node. It owns
// the haproxy process, its generated configuration and its temporary directory, and
// nothing else: it must not know about inkan.
//
// Without /usr/sbin/haproxy (apt-get install haproxy) tests are skipped, unless the CI
// environment variable is set, when they fail.
package haproxytest
