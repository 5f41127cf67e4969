package condition

import (
	"errors"
	"strings"
	"testing"
)

func TestTemplateParsesVariablesDefaultsAndEscapes(t *testing.T) {
	ctx := keys{"aws:username": {"alice"}, "aws:principaltag/team": {"blue"}}
	cases := []struct {
		name, in, want string
		ok             bool
	}{
		{"plain text", "home/", "home/", true},
		{"a variable", "home/${aws:username}/", "home/alice/", true},
		{"spaces inside the braces", "${ aws:username }", "alice", true},
		{"a default unused", "${aws:PrincipalTag/team, 'all'}", "blue", true},
		{"a default used", "${aws:PrincipalTag/dept, 'company-wide'}", "company-wide", true},
		{"an empty default", "x${aws:PrincipalTag/dept,''}y", "xy", true},
		{"a default holding a brace and a comma", "${aws:PrincipalTag/dept, 'a,}b'}", "a,}b", true},
		{"escapes", "${*}${?}${$}", "*?$", true},
		{"a dollar without a brace is text", "$5 and $", "$5 and $", true},
		{"a missing value", "home/${aws:userid}/", "home//", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tm, err := ParseTemplate(c.in)
			if err != nil {
				t.Fatalf("ParseTemplate(%q): %v", c.in, err)
			}
			got, ok := tm.Expand(ctx)
			if ok != c.ok || (ok && got != c.want) {
				t.Fatalf("Expand = %q, %v; want %q, %v", got, ok, c.want, c.ok)
			}
			if tm.String() != c.in {
				t.Fatalf("String() = %q", tm.String())
			}
		})
	}
}

func TestTemplateReportsItsVariables(t *testing.T) {
	tm, err := ParseTemplate("arn:aws:s3:::b/${aws:PrincipalTag/Repo}/${*}/${aws:userid, 'x'}")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tm.Variables(), ","); got != "aws:principaltag/repo,aws:userid" || !tm.HasVariables() {
		t.Fatalf("Variables() = %q", got)
	}
	esc, _ := ParseTemplate("a${*}")
	if esc.HasVariables() {
		t.Fatal("an escape counts as a variable")
	}
}

func TestARNPatternFromATemplateKeepsSubstitutedColonsInTheirPart(t *testing.T) {
	tm, err := ParseTemplate("arn:aws:s3:::bucket/${aws:principaltag/repo}/*")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := tm.ARNPattern(keys{"aws:principaltag/repo": {"acme/app"}})
	if !ok {
		t.Fatal("variable not resolved")
	}
	if !p.Match("arn:aws:s3:::bucket/acme/app/build.tgz") || p.Match("arn:aws:s3:::bucket/evil/app/x") {
		t.Fatal("the substituted resource does not match as it should")
	}
	if p.String() != "arn:aws:s3:::bucket/acme/app/*" {
		t.Fatalf("String() = %q", p.String())
	}
	if _, ok := tm.ARNPattern(keys{}); ok {
		t.Fatal("a missing variable compiled")
	}
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"home/${aws:username}/*", "${a, 'b'}", "${*}${?}${$}", "${", "${a,", "$${x}}", "${ a , 'x' }"} {
		f.Add(s, "alice")
	}
	f.Fuzz(func(t *testing.T, s, value string) {
		tm, err := ParseTemplate(s)
		if err != nil {
			if !errors.Is(err, ErrTemplate) {
				t.Fatalf("ParseTemplate(%q) error %v does not wrap ErrTemplate", s, err)
			}
			return
		}
		if !strings.Contains(s, "${") && tm.HasVariables() {
			t.Fatalf("ParseTemplate(%q) found variables without ${", s)
		}
		ctx := keys{}
		for _, k := range tm.Variables() {
			ctx[k] = []string{value}
		}
		if _, ok := tm.Expand(ctx); !ok {
			t.Fatalf("Expand(%q) failed with every variable set", s)
		}
		p, ok := tm.Pattern(ctx, false)
		if !ok {
			t.Fatalf("Pattern(%q) failed with every variable set", s)
		}
		if lit, _ := tm.Expand(ctx); !strings.ContainsAny(s, "*?") && !p.Match(lit) {
			t.Fatalf("the pattern of %q does not match its own expansion %q", s, lit)
		}
	})
}
