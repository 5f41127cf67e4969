package condition

// Context supplies the request's condition keys. The evaluator asks for keys lower-cased
// (condition key names are case-insensitive, values are not), so an implementation stores
// them lower-cased. ok is false when the key is absent; a present key with no values is
// treated exactly like an absent one. Values must not be modified by the caller; an
// implementation must be safe for concurrent reads if the Context is shared.
type Context interface {
	Values(key string) (values []string, ok bool)
}
