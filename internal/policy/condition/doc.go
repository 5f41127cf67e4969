// Package condition owns the IAM condition operators and the wildcard matching they and the
// policy language share; it must not know about statements, policies or the order in which
// they are evaluated.
//
// A Clause is one operator applied to one condition key with its policy values, compiled
// once (Compile) and evaluated many times against a Context (Clause.Eval, which does not
// allocate except for a Bool value holding a policy variable) or explained
// (Clause.Explain). Operators
// and their exact semantics follow
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// and reference_policies_multi-value-conditions.html; policy variables follow
// reference_policies_variables.html. The operator families sit behind a sealed interface:
// one file per family.
//
// Wildcard matching (Pattern, ARNPattern) never backtracks: a pattern is cut at its '*' into
// segments, the first and last are anchored, the middle ones are found leftmost-first, which
// is exact for '*' patterns. A segment without '?' is found with strings.Index; one with '?'
// (or any segment in case-folding mode) with a bit-parallel shift-and search. Policy
// variables stay in the compiled pattern and are resolved while matching. Matching is
// O(n·⌈k/64⌉) for a value of n bytes and a longest segment of k characters, so O(n) for
// every realistic pattern; '*a*a*a…b' against 20,000 characters takes microseconds.
//
// '?' matches exactly one character (a UTF-8 encoded rune; a byte that is not valid UTF-8
// counts as one character of its own), '*' any run of characters including '/' and ':'.
//
// The package imports only the standard library. Fuzz targets, each clean for 60 s with
//
//	go test -run '^$' -fuzz FuzzPatternMatchesReference -fuzztime 60s ./internal/policy/condition
//	go test -run '^$' -fuzz FuzzARNPatternMatchesReference -fuzztime 60s ./internal/policy/condition
//	go test -run '^$' -fuzz '^FuzzTemplate$' -fuzztime 60s ./internal/policy/condition
//	go test -run '^$' -fuzz FuzzTemplatePatternMatchesReference -fuzztime 60s ./internal/policy/condition
//	go test -run '^$' -fuzz FuzzCompile -fuzztime 60s ./internal/policy/condition
package condition
