package condition

import (
	"errors"
	"strings"
	"testing"
)

// keys is a Context for tests: keys are stored lower-cased.
type keys map[string][]string

func (k keys) Values(key string) ([]string, bool) {
	v, ok := k[key]
	return v, ok
}

type clauseCase struct {
	name     string
	op       string
	key      string
	policy   []string
	request  []string // nil: the key is absent
	extra    keys     // other request keys, for variables
	want     bool
	noVarsOn bool // compile in the 2008-10-17 language
}

func runClauseCases(t *testing.T, cases []clauseCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := Compile(c.op, c.key, c.policy, !c.noVarsOn)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			ctx := keys{}
			for k, v := range c.extra {
				ctx[k] = v
			}
			if c.request != nil {
				ctx[strings.ToLower(c.key)] = c.request
			}
			if got := cl.Eval(ctx); got != c.want {
				t.Fatalf("%s %q %q against %q = %v, want %v", c.op, c.key, c.policy, c.request, got, c.want)
			}
			if r := cl.Explain(ctx); r.Satisfied != c.want {
				t.Fatalf("Explain says %v, Eval %v", r.Satisfied, c.want)
			}
		})
	}
}

func TestStringOperators(t *testing.T) {
	runClauseCases(t, []clauseCase{
		{name: "StringEquals matches the exact value", op: "StringEquals", key: "aws:PrincipalTag/job-category",
			policy: []string{"iamuser-admin"}, request: []string{"iamuser-admin"}, want: true},
		{name: "StringEquals is case-sensitive", op: "StringEquals", key: "k", policy: []string{"Admin"}, request: []string{"admin"}},
		{name: "StringEquals takes a star literally", op: "StringEquals", key: "k", policy: []string{"repo:*"}, request: []string{"repo:x"}},
		{name: "several policy values are OR-ed", op: "StringEquals", key: "k", policy: []string{"a", "b"}, request: []string{"b"}, want: true},
		{name: "a positive operator fails on an absent key", op: "StringEquals", key: "k", policy: []string{"a"}},
		{name: "a present key without values counts as absent", op: "StringEquals", key: "k", policy: []string{"a"}, request: []string{}},
		{name: "StringNotEquals holds when the value matches none", op: "StringNotEquals", key: "k", policy: []string{"a", "b"}, request: []string{"c"}, want: true},
		{name: "StringNotEquals fails when the value matches any", op: "StringNotEquals", key: "k", policy: []string{"a", "b"}, request: []string{"b"}},
		{name: "a negated operator holds on an absent key", op: "StringNotEquals", key: "k", policy: []string{"a"}, want: true},
		{name: "StringEqualsIgnoreCase folds case", op: "StringEqualsIgnoreCase", key: "k", policy: []string{"ADMIN"}, request: []string{"admin"}, want: true},
		{name: "StringNotEqualsIgnoreCase folds case", op: "StringNotEqualsIgnoreCase", key: "k", policy: []string{"ADMIN"}, request: []string{"Admin"}},
		{name: "StringLike matches a GitHub subject", op: "StringLike", key: "token.actions.githubusercontent.com:sub",
			policy: []string{"repo:acme/app:*"}, request: []string{"repo:acme/app:ref:refs/heads/main"}, want: true},
		{name: "StringLike rejects another repository", op: "StringLike", key: "token.actions.githubusercontent.com:sub",
			policy: []string{"repo:acme/app:*"}, request: []string{"repo:evil/app:ref:refs/heads/main"}},
		{name: "StringLike matches an empty prefix exactly", op: "StringLike", key: "s3:prefix",
			policy: []string{"", "home/"}, request: []string{""}, want: true},
		{name: "StringNotLike fails when a pattern matches", op: "StringNotLike", key: "k", policy: []string{"x*", "prod*"}, request: []string{"production"}},
		{name: "StringNotLike holds when no pattern matches", op: "StringNotLike", key: "k", policy: []string{"x*", "prod*"}, request: []string{"dev"}, want: true},
		{name: "IfExists lets an absent key through", op: "StringEqualsIfExists", key: "ec2:InstanceType", policy: []string{"t3.micro"}, want: true},
		{name: "IfExists still tests a present key", op: "StringEqualsIfExists", key: "ec2:InstanceType", policy: []string{"t3.micro"}, request: []string{"m5.large"}},
		{name: "a negated IfExists operator holds on an absent key", op: "StringNotEqualsIfExists", key: "k", policy: []string{"a"}, want: true},
		{name: "several request values without a set operator: any may match", op: "StringEquals", key: "k", policy: []string{"a"}, request: []string{"z", "a"}, want: true},
		{name: "several request values with a negated operator: none may match", op: "StringNotEquals", key: "k", policy: []string{"a"}, request: []string{"z", "a"}},
	})
}

func TestSetOperators(t *testing.T) {
	tagKeys := []string{"environment", "cost-center"}
	runClauseCases(t, []clauseCase{
		{name: "ForAllValues holds when every request value is allowed", op: "ForAllValues:StringEquals", key: "aws:TagKeys",
			policy: tagKeys, request: []string{"environment"}, want: true},
		{name: "ForAllValues fails on one value outside the set", op: "ForAllValues:StringEquals", key: "aws:TagKeys",
			policy: tagKeys, request: []string{"environment", "dept"}},
		{name: "ForAllValues is true when the key is absent", op: "ForAllValues:StringEquals", key: "aws:TagKeys", policy: tagKeys, want: true},
		{name: "ForAllValues is true when the key is empty", op: "ForAllValues:StringEquals", key: "aws:TagKeys", policy: tagKeys, request: []string{}, want: true},
		{name: "ForAnyValue holds when one value is in the set", op: "ForAnyValue:StringEquals", key: "aws:TagKeys",
			policy: tagKeys, request: []string{"dept", "cost-center"}, want: true},
		{name: "ForAnyValue fails when no value is in the set", op: "ForAnyValue:StringEquals", key: "aws:TagKeys",
			policy: tagKeys, request: []string{"dept"}},
		{name: "ForAnyValue is false when the key is absent", op: "ForAnyValue:StringEquals", key: "aws:TagKeys", policy: tagKeys},
		{name: "ForAnyValue with IfExists is true when the key is absent", op: "ForAnyValue:StringEqualsIfExists", key: "aws:TagKeys", policy: tagKeys, want: true},
		{name: "ForAnyValue negated holds when one value is outside the set", op: "ForAnyValue:StringNotEquals", key: "aws:TagKeys",
			policy: tagKeys, request: []string{"environment", "dept"}, want: true},
		{name: "ForAnyValue negated fails when every value is in the set", op: "ForAnyValue:StringNotEquals", key: "aws:TagKeys",
			policy: tagKeys, request: []string{"environment"}},
		{name: "ForAllValues negated holds when no value is in the set", op: "ForAllValues:StringNotLike", key: "aws:TagKeys",
			policy: []string{"secret*"}, request: []string{"a", "b"}, want: true},
		{name: "ForAllValues negated fails when one value is in the set", op: "ForAllValues:StringNotLike", key: "aws:TagKeys",
			policy: []string{"secret*"}, request: []string{"a", "secret-x"}},
		{name: "ForAnyValue on amr, a multivalued OIDC claim", op: "ForAnyValue:StringLike", key: "cognito-identity.amazonaws.com:amr",
			policy: []string{"authenticated"}, request: []string{"authenticated", "graph.facebook.com"}, want: true},
	})
}

func TestNumericOperators(t *testing.T) {
	runClauseCases(t, []clauseCase{
		{name: "NumericLessThanEquals allows 10 of at most 10", op: "NumericLessThanEquals", key: "s3:max-keys", policy: []string{"10"}, request: []string{"10"}, want: true},
		{name: "NumericLessThanEquals rejects 11", op: "NumericLessThanEquals", key: "s3:max-keys", policy: []string{"10"}, request: []string{"11"}},
		{name: "NumericLessThan is strict", op: "NumericLessThan", key: "k", policy: []string{"10"}, request: []string{"10"}},
		{name: "NumericGreaterThan compares decimals", op: "NumericGreaterThan", key: "k", policy: []string{"1.5"}, request: []string{"1.75"}, want: true},
		{name: "NumericGreaterThanEquals holds on equality", op: "NumericGreaterThanEquals", key: "k", policy: []string{"-3"}, request: []string{"-3.0"}, want: true},
		{name: "NumericEquals compares values, not text", op: "NumericEquals", key: "k", policy: []string{"1.50"}, request: []string{"1.5"}, want: true},
		{name: "NumericEquals compares large integers exactly", op: "NumericEquals", key: "k", policy: []string{"9007199254740993"}, request: []string{"9007199254740992"}},
		{name: "NumericNotEquals must differ from every value", op: "NumericNotEquals", key: "k", policy: []string{"1", "2"}, request: []string{"2"}},
		{name: "a request value that is not a number matches nothing", op: "NumericEquals", key: "k", policy: []string{"1"}, request: []string{"one"}},
		{name: "NumericNotEquals holds for a value that is not a number", op: "NumericNotEquals", key: "k", policy: []string{"1"}, request: []string{"one"}, want: true},
	})
}

func TestDateOperators(t *testing.T) {
	runClauseCases(t, []clauseCase{
		{name: "DateGreaterThan on aws:TokenIssueTime", op: "DateGreaterThan", key: "aws:TokenIssueTime",
			policy: []string{"2020-01-01T00:00:01Z"}, request: []string{"2020-06-01T00:00:00Z"}, want: true},
		{name: "DateLessThan on aws:CurrentTime", op: "DateLessThan", key: "aws:CurrentTime",
			policy: []string{"2019-07-16T12:00:00Z"}, request: []string{"2019-07-16T12:00:01Z"}},
		{name: "dates compare as instants across offsets", op: "DateEquals", key: "k",
			policy: []string{"2020-01-01T10:00:00+02:00"}, request: []string{"2020-01-01T08:00:00Z"}, want: true},
		{name: "epoch seconds compare with ISO 8601", op: "DateEquals", key: "aws:EpochTime",
			policy: []string{"2020-01-01T00:00:00Z"}, request: []string{"1577836800"}, want: true},
		{name: "an epoch policy value", op: "DateLessThanEquals", key: "aws:CurrentTime",
			policy: []string{"1577836800"}, request: []string{"2019-12-31T23:59:59.999Z"}, want: true},
		{name: "a date without time is midnight UTC", op: "DateGreaterThanEquals", key: "k",
			policy: []string{"2020-01-01"}, request: []string{"2020-01-01T00:00:00Z"}, want: true},
		{name: "minutes without seconds", op: "DateEquals", key: "k", policy: []string{"2020-01-01T10:30Z"}, request: []string{"2020-01-01T10:30:00Z"}, want: true},
		{name: "DateNotEquals with an unreadable request value holds", op: "DateNotEquals", key: "k", policy: []string{"2020-01-01"}, request: []string{"soon"}, want: true},
	})
}

func TestBoolBinaryAndNullOperators(t *testing.T) {
	runClauseCases(t, []clauseCase{
		{name: "Bool true on aws:SecureTransport", op: "Bool", key: "aws:SecureTransport", policy: []string{"true"}, request: []string{"true"}, want: true},
		{name: "Bool ignores case", op: "Bool", key: "aws:SecureTransport", policy: []string{"false"}, request: []string{"FALSE"}, want: true},
		{name: "Bool false does not match true", op: "Bool", key: "aws:SecureTransport", policy: []string{"false"}, request: []string{"true"}},
		{name: "Bool fails on an absent key", op: "Bool", key: "aws:MultiFactorAuthPresent", policy: []string{"false"}},
		{name: "BoolIfExists holds on an absent key", op: "BoolIfExists", key: "aws:MultiFactorAuthPresent", policy: []string{"false"}, want: true},
		{name: "Bool takes a variable", op: "Bool", key: "k", policy: []string{"${aws:principaltag/flag}"}, request: []string{"true"},
			extra: keys{"aws:principaltag/flag": {"true"}}, want: true},
		{name: "BinaryEquals compares decoded bytes", op: "BinaryEquals", key: "k", policy: []string{"QmluYXJ5VmFsdWVJbkJhc2U2NA=="},
			request: []string{"QmluYXJ5VmFsdWVJbkJhc2U2NA"}, want: true},
		{name: "BinaryEquals rejects other bytes", op: "BinaryEquals", key: "k", policy: []string{"QmluYXJ5"}, request: []string{"QmluYXJ6"}},
		{name: "Null true holds when the key is absent", op: "Null", key: "aws:TokenIssueTime", policy: []string{"true"}, want: true},
		{name: "Null true fails when the key is present", op: "Null", key: "aws:TokenIssueTime", policy: []string{"true"}, request: []string{"x"}},
		{name: "Null false holds when the key is present", op: "Null", key: "k", policy: []string{"false"}, request: []string{"x"}, want: true},
		{name: "Null false fails when the key is absent", op: "Null", key: "k", policy: []string{"false"}},
		{name: "Null false fails when the key is empty", op: "Null", key: "k", policy: []string{"false"}, request: []string{}},
	})
}

func TestIPAddressOperators(t *testing.T) {
	runClauseCases(t, []clauseCase{
		{name: "IpAddress inside an IPv4 block", op: "IpAddress", key: "aws:SourceIp", policy: []string{"203.0.113.0/24"}, request: []string{"203.0.113.7"}, want: true},
		{name: "IpAddress outside an IPv4 block", op: "IpAddress", key: "aws:SourceIp", policy: []string{"203.0.113.0/24"}, request: []string{"203.0.114.7"}},
		{name: "a bare address is one host", op: "IpAddress", key: "aws:SourceIp", policy: []string{"203.0.113.7"}, request: []string{"203.0.113.7"}, want: true},
		{name: "a bare address excludes its neighbour", op: "IpAddress", key: "aws:SourceIp", policy: []string{"203.0.113.7"}, request: []string{"203.0.113.8"}},
		{name: "an IPv6 block", op: "IpAddress", key: "aws:SourceIp", policy: []string{"2001:DB8:1234:5678::/64"}, request: []string{"2001:db8:1234:5678::1"}, want: true},
		{name: "an IPv4-mapped request address", op: "IpAddress", key: "aws:SourceIp", policy: []string{"203.0.113.0/24"}, request: []string{"::ffff:203.0.113.9"}, want: true},
		{name: "NotIpAddress must be outside every block", op: "NotIpAddress", key: "aws:SourceIp",
			policy: []string{"192.0.2.0/24", "203.0.113.0/24"}, request: []string{"203.0.113.1"}},
		{name: "NotIpAddress outside every block", op: "NotIpAddress", key: "aws:SourceIp",
			policy: []string{"192.0.2.0/24", "203.0.113.0/24"}, request: []string{"198.51.100.1"}, want: true},
		{name: "a request value that is not an address matches nothing", op: "IpAddress", key: "aws:SourceIp", policy: []string{"0.0.0.0/0"}, request: []string{"localhost"}},
	})
}

func TestARNOperators(t *testing.T) {
	runClauseCases(t, []clauseCase{
		{name: "ArnLike with wildcards in region and resource", op: "ArnLike", key: "aws:SourceArn",
			policy: []string{"arn:aws:cloudwatch:*:123456789012:alarm:*"}, request: []string{"arn:aws:cloudwatch:us-east-2:123456789012:alarm:high:cpu"}, want: true},
		{name: "ArnEquals takes wildcards too", op: "ArnEquals", key: "aws:PrincipalArn",
			policy: []string{"arn:aws:iam::*:role/deploy"}, request: []string{"arn:aws:iam::123456789012:role/deploy"}, want: true},
		{name: "a star does not span a colon before the resource", op: "ArnLike", key: "aws:SourceArn",
			policy: []string{"arn:aws:s3*"}, request: []string{"arn:aws:s3:::bucket"}},
		{name: "ARN matching is case-sensitive", op: "ArnLike", key: "aws:PrincipalArn",
			policy: []string{"arn:aws:iam::1:role/Deploy"}, request: []string{"arn:aws:iam::1:role/deploy"}},
		{name: "ArnNotLike holds for another role", op: "ArnNotLike", key: "aws:PrincipalArn",
			policy: []string{"arn:aws:iam::*:role/admin*"}, request: []string{"arn:aws:iam::1:role/ci"}, want: true},
		{name: "ArnNotEquals fails for the listed role", op: "ArnNotEquals", key: "aws:PrincipalArn",
			policy: []string{"arn:aws:iam::1:role/ci"}, request: []string{"arn:aws:iam::1:role/ci"}},
		{name: "an ARN value may hold a variable", op: "ArnLike", key: "aws:PrincipalArn",
			policy: []string{"arn:aws:iam::${aws:principalaccount}:role/*"}, request: []string{"arn:aws:iam::1:role/ci"},
			extra: keys{"aws:principalaccount": {"1"}}, want: true},
	})
}

func TestPolicyVariablesInConditions(t *testing.T) {
	tags := keys{"aws:principaltag/team": {"blue"}, "aws:username": {"alice"}}
	runClauseCases(t, []clauseCase{
		{name: "a variable is substituted", op: "StringLike", key: "s3:prefix", policy: []string{"home/${aws:username}/*"},
			request: []string{"home/alice/x"}, extra: tags, want: true},
		{name: "a substituted value is not a wildcard", op: "StringLike", key: "k", policy: []string{"${aws:principaltag/star}"},
			request: []string{"anything"}, extra: keys{"aws:principaltag/star": {"*"}}},
		{name: "a substituted star matches itself", op: "StringLike", key: "k", policy: []string{"${aws:principaltag/star}"},
			request: []string{"*"}, extra: keys{"aws:principaltag/star": {"*"}}, want: true},
		{name: "variable names are case-insensitive", op: "StringEquals", key: "k", policy: []string{"${AWS:PrincipalTag/Team}"},
			request: []string{"blue"}, extra: tags, want: true},
		{name: "a default stands in for an absent key", op: "StringEquals", key: "k", policy: []string{"${aws:principaltag/dept, 'company-wide'}"},
			request: []string{"company-wide"}, extra: tags, want: true},
		{name: "a variable without value matches nothing", op: "StringLike", key: "k", policy: []string{"${aws:principaltag/dept}*"},
			request: []string{"x"}, extra: tags},
		{name: "a negated operator holds when the variable has no value", op: "StringNotEquals", key: "k", policy: []string{"${aws:principaltag/dept}"},
			request: []string{"x"}, extra: tags, want: true},
		{name: "a multivalued key is no variable", op: "StringEquals", key: "k", policy: []string{"${aws:tagkeys}"},
			request: []string{"a"}, extra: keys{"aws:tagkeys": {"a", "b"}}},
		{name: "${*} is a literal star in StringLike", op: "StringLike", key: "k", policy: []string{"a${*}"}, request: []string{"ab"}},
		{name: "${*} matches a star", op: "StringLike", key: "k", policy: []string{"a${*}"}, request: []string{"a*"}, want: true},
		{name: "${?} and ${$} are literal", op: "StringEquals", key: "k", policy: []string{"${?}${$}"}, request: []string{"?$"}, want: true},
		{name: "in the 2008 language a variable is text", op: "StringEquals", key: "k", policy: []string{"${aws:username}"},
			request: []string{"${aws:username}"}, extra: tags, want: true, noVarsOn: true},
		{name: "Numeric values never substitute", op: "StringEquals", key: "k", policy: []string{"$x"}, request: []string{"$x"}, want: true},
	})
}

func TestCompileRejectsMalformedConditions(t *testing.T) {
	cases := []struct {
		name, op, key string
		values        []string
		want          string
	}{
		{"an unknown operator", "StringMatches", "k", []string{"a"}, "unknown condition operator"},
		{"an operator in the wrong case", "stringEquals", "k", []string{"a"}, `did you mean "StringEquals"`},
		{"an unknown set operator", "ForSomeValues:StringEquals", "k", []string{"a"}, "ForAllValues or ForAnyValue"},
		{"Null with IfExists", "NullIfExists", "k", []string{"true"}, "Null takes neither"},
		{"Null with a set operator", "ForAnyValue:Null", "k", []string{"true"}, "Null takes neither"},
		{"an empty key", "StringEquals", "", []string{"a"}, "empty condition key"},
		{"no values", "StringEquals", "k", nil, "no values"},
		{"a number that is not one", "NumericEquals", "k", []string{"1", "ten"}, `"ten" is not a number`},
		{"an exponent", "NumericEquals", "k", []string{"1e3"}, "not a number"},
		{"a date that is not one", "DateEquals", "k", []string{"yesterday"}, "not an ISO 8601 date"},
		{"a Bool that is not one", "Bool", "k", []string{"yes"}, "not true or false"},
		{"a Null value that is not a boolean", "Null", "k", []string{"absent"}, "not true or false"},
		{"an address that is not one", "IpAddress", "k", []string{"10.0.0.0/33"}, "not an IP address"},
		{"an address with a zone", "IpAddress", "k", []string{"fe80::1%eth0"}, "not an IP address"},
		{"binary that is not base64", "BinaryEquals", "k", []string{"!!"}, "not base64"},
		{"an unclosed variable", "StringLike", "k", []string{"home/${aws:username"}, "is not closed"},
		{"an empty variable", "StringLike", "k", []string{"${}"}, "names no key"},
		{"a default without quotes", "StringLike", "k", []string{"${aws:username, x}"}, "single quotes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile(c.op, c.key, c.values, true)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Compile(%q, %q, %q) error = %v, want it to contain %q", c.op, c.key, c.values, err, c.want)
			}
		})
	}
	_, err := Compile("NumericEquals", "k", []string{"1", "ten"}, true)
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Index != 1 {
		t.Fatalf("error %v does not say which value is wrong", err)
	}
	if _, err := Compile("Bogus", "k", []string{"a"}, true); !errors.Is(err, ErrOperator) {
		t.Fatalf("unknown operator error %v does not wrap ErrOperator", err)
	}
}

func TestEveryDocumentedOperatorParsesWithItsVariants(t *testing.T) {
	for _, base := range OperatorNames() {
		op, err := ParseOperator(base)
		if err != nil || op.Base() != base || op.String() != base {
			t.Fatalf("ParseOperator(%q) = %v, %v", base, op, err)
		}
		if base == "Null" {
			continue
		}
		for _, name := range []string{base + "IfExists", "ForAllValues:" + base, "ForAnyValue:" + base + "IfExists"} {
			op, err := ParseOperator(name)
			if err != nil || op.Base() != base {
				t.Fatalf("ParseOperator(%q) = %v, %v", name, op, err)
			}
		}
	}
}

func TestEvalDoesNotAllocateWithoutVariables(t *testing.T) {
	like, _ := Compile("StringLike", "token.actions.githubusercontent.com:sub", []string{"repo:acme/app:*"}, true)
	eq, _ := Compile("StringEquals", "token.actions.githubusercontent.com:aud", []string{"sts.amazonaws.com"}, true)
	ip, _ := Compile("NotIpAddress", "aws:sourceip", []string{"10.0.0.0/8"}, true)
	ctx := keys{"token.actions.githubusercontent.com:sub": {"repo:acme/app:ref:refs/heads/main"},
		"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}, "aws:sourceip": {"192.0.2.1"}}
	n := testing.AllocsPerRun(100, func() {
		if !like.Eval(ctx) || !eq.Eval(ctx) || !ip.Eval(ctx) {
			t.Fatal("a clause failed")
		}
	})
	if n != 0 {
		t.Fatalf("Eval allocates %v times", n)
	}
}
