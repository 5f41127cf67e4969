package condition

import (
	"encoding/json"
	"testing"
)

func TestSentenceNamesTheDecisiveValues(t *testing.T) {
	sub := "token.actions.githubusercontent.com:sub"
	cases := []struct {
		name, op, key string
		policy        []string
		ctx           keys
		want          string
	}{
		{"a subject from another repository", "StringLike", sub, []string{"repo:acme/app:*"},
			keys{sub: {"repo:evil/app:ref:refs/heads/main"}},
			`token.actions.githubusercontent.com:sub "repo:evil/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"] (StringLike, Statement[0])`},
		{"an absent claim", "StringLike", "token.actions.githubusercontent.com:environment", []string{"prod"}, keys{},
			`token.actions.githubusercontent.com:environment is absent; StringLike requires a value (Statement[0])`},
		{"a negated operator that matched", "NotIpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, keys{"aws:sourceip": {"10.1.2.3"}},
			`aws:SourceIp "10.1.2.3" matches "10.0.0.0/8" (NotIpAddress, Statement[0])`},
		{"several request values", "StringEquals", "k", []string{"a"}, keys{"k": {"x", "y"}},
			`k ["x", "y"] match none of ["a"] (StringEquals, Statement[0])`},
		{"ForAllValues with one value outside", "ForAllValues:StringEquals", "aws:TagKeys", []string{"a", "b"}, keys{"aws:tagkeys": {"a", "z"}},
			`aws:TagKeys value "z" matches none of ["a", "b"] (ForAllValues:StringEquals, Statement[0])`},
		{"ForAnyValue negated with every value inside", "ForAnyValue:StringNotEquals", "aws:TagKeys", []string{"a"}, keys{"aws:tagkeys": {"a"}},
			`every value of aws:TagKeys matches one of ["a"] (ForAnyValue:StringNotEquals, Statement[0])`},
		{"Null true on a present key", "Null", "aws:TokenIssueTime", []string{"true"}, keys{"aws:tokenissuetime": {"x"}},
			`aws:TokenIssueTime is present; Null "true" requires it absent (Statement[0])`},
		{"a variable without value", "StringLike", "s3:prefix", []string{"home/${aws:username}/*"}, keys{"s3:prefix": {"home/bob/"}},
			`s3:prefix "home/bob/" matches none of ["home/${aws:username}/*"] (no value for home/${aws:username}/*) (StringLike, Statement[0])`},
		{"a variable substituted", "StringLike", "s3:prefix", []string{"home/${aws:username}/*"}, keys{"s3:prefix": {"home/bob/"}, "aws:username": {"alice"}},
			`s3:prefix "home/bob/" matches none of ["home/alice/*"] (StringLike, Statement[0])`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := Compile(c.op, c.key, c.policy, true)
			if err != nil {
				t.Fatal(err)
			}
			r := cl.Explain(c.ctx)
			if got := r.Sentence("Statement[0]"); got != c.want {
				t.Fatalf("Sentence =\n %s\nwant\n %s", got, c.want)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestExplainRecordsHitsAndRequestValues(t *testing.T) {
	cl, _ := Compile("StringLike", "k", []string{"a*", "b*"}, true)
	r := cl.Explain(keys{"k": {"bb", "zz"}})
	if !r.Satisfied || len(r.Hits) != 1 || r.Hits[0] != (Hit{Request: "bb", Policy: "b*"}) {
		t.Fatalf("Explain = %+v", r)
	}
	if len(r.RequestValues) != 2 || r.Key != "k" || r.Operator != "StringLike" {
		t.Fatalf("Explain = %+v", r)
	}
}
