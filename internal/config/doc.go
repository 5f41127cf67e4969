// Package config owns inkan's one typed configuration tree and the order in which it is built:
// embedded defaults, then the YAML file (decoded strictly: unknown keys are errors naming their
// path), then INKAN_* environment variables, then command-line flags. It validates the tree with
// field names. It must not know about HTTP, storage or the domain: it only describes settings
// and the resources declared for GitOps (providers, roles, policies, buckets).
package config
