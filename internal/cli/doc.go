// Package cli is inkan's composition root: one file per subcommand, each a type with its own
// flags and a Run method, and the only place that builds concrete stores, clients and servers.
// It must not hold domain rules: it parses arguments, wires packages together and prints.
package cli
