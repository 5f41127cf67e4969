package haproxytest

import (
	"strings"
	"text/template"
)

// Config is what a configuration is generated from.
type Config struct {
	// Bind is the frontend's address, host:port.
	Bind string
	// StatsSocket is the path of the admin socket (server states, draining).
	StatsSocket string
	// Servers are the inkan nodes, in order.
	Servers []Server
}

// Server is one inkan node behind the balancer.
type Server struct{ Name, Addr string }

// configTemplate is the configuration the tests run and docs/deployment.md shows. Every
// choice in it is explained there; keep the two in sync (TestTheDeploymentGuideShowsTheTestedConfiguration).
const configTemplate = `global
    maxconn 4096
    stats socket {{.StatsSocket}} mode 600 level admin

defaults
    mode http
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout check 1s
    # A request whose node is gone goes to another node: refused connection, connection
    # closed without an answer, or no answer in time.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout

frontend inkan
    bind {{.Bind}}
    default_backend inkan

backend inkan
    balance roundrobin
    # Ready = the node holds a configuration snapshot; a node whose database is down stays ready.
    option httpchk GET /readyz
    http-check expect status 200
    default-server check inter 500ms fall 2 rise 1
{{- range .Servers}}
    server {{.Name}} {{.Addr}}
{{- end}}
`

var tmpl = template.Must(template.New("haproxy.cfg").Parse(configTemplate))

// Render returns the configuration text for c.
func Render(c Config) string {
	var b strings.Builder
	if err := tmpl.Execute(&b, c); err != nil {
		panic("haproxytest: " + err.Error()) // the template only reads strings
	}
	return b.String()
}

// Example is the configuration docs/deployment.md shows: three nodes on a private network.
func Example() Config {
	return Config{Bind: ":8750", StatsSocket: "/run/haproxy/admin.sock", Servers: []Server{
		{"node1", "10.0.0.11:8750"}, {"node2", "10.0.0.12:8750"}, {"node3", "10.0.0.13:8750"}}}
}
