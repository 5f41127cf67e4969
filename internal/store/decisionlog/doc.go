// Package decisionlog owns the decision log kept in the shared store: a bounded in-memory
// queue of this node's decision records, drained in batches by one background writer
// (off the request path, retried while the store is unavailable), retention by age and
// count, and lookups that find a decision made on any node sharing the store. Trail fans
// every record out to the local JSON-lines audit file and to that writer.
//
// It knows the audit record and the store contract, nothing of HTTP, of AWS's wire
// formats or of how decisions are made.
package decisionlog
