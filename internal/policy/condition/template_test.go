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
	p := tm.ARNPattern()
	ctx := keys{"aws:principaltag/repo": {"acme/a:p"}}
	if !p.MatchContext("arn:aws:s3:::bucket/acme/a:p/build.tgz", ctx) || p.MatchContext("arn:aws:s3:::bucket/evil/app/x", ctx) {
		t.Fatal("the substituted resource does not match as it should")
	}
	if got := tm.Shown(ctx); got != "arn:aws:s3:::bucket/acme/a:p/*" {
		t.Fatalf("Shown = %q", got)
	}
	if p.MatchContext("arn:aws:s3:::bucket//x", keys{}) {
		t.Fatal("a missing variable matched")
	}
	colon, _ := ParseTemplate("arn:aws:${aws:principaltag/svc}:::x")
	if colon.ARNPattern().MatchContext("arn:aws:s3:::x", keys{"aws:principaltag/svc": {"s3:::x:"}}) {
		t.Fatal("a substituted colon cut the ARN into other parts")
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
		lit, ok := tm.Expand(ctx)
		if !ok || !tm.Resolvable(ctx) {
			t.Fatalf("Expand(%q) failed with every variable set", s)
		}
		if !tm.Equal(lit, ctx, false) || !tm.Equal(lit, ctx, true) {
			t.Fatalf("%q does not equal its own expansion %q", s, lit)
		}
		p := tm.Pattern(false)
		if !strings.ContainsAny(s, "*?") && !p.MatchContext(lit, ctx) {
			t.Fatalf("the pattern of %q does not match its own expansion %q", s, lit)
		}
		if tm.HasVariables() && p.MatchContext(lit, keys{}) && !strings.Contains(s, "'") {
			t.Fatalf("the pattern of %q matched with its variables unset", s)
		}
	})
}

// FuzzTemplatePatternMatchesReference holds the matching of patterns with policy variables
// (values taken literally, in anchored and searched segments) to the reference matcher.
func FuzzTemplatePatternMatchesReference(f *testing.F) {
	f.Add("home/${aws:username}/*", "home/alice/x", "alice", false)
	f.Add("*${k}*", "xxaliceyy", "alice", false)
	f.Add("*a${k}b*c", "zzaXbzzc", "X", false)
	f.Add("*${k}", "abc", "", true)
	f.Add("*${k, 'd'}?*${*}", "xd1*", "d", false)
	f.Add("${k}${k}", "\xe2\x82\xe2\x82", "\xe2\x82", false)
	f.Fuzz(func(t *testing.T, template, value, varValue string, fold bool) {
		if len(template) > 100 || len(value) > 200 || len(varValue) > 50 {
			return
		}
		tm, err := ParseTemplate(template)
		if err != nil {
			return
		}
		ctx := keys{}
		for _, k := range tm.Variables() {
			ctx[k] = []string{varValue}
		}
		var ref []refChar
		for _, p := range tm.parts {
			switch p.kind {
			case tText:
				ref = append(ref, referencePattern(p.text)...)
			case tLiteral:
				ref = append(ref, referenceLiteral(p.text)...)
			case tVar:
				ref = append(ref, referenceLiteral(varValue)...)
			}
		}
		got := tm.Pattern(fold).MatchContext(value, ctx)
		if want := referenceMatchChars(ref, value, fold); got != want {
			t.Fatalf("template %q with %q matching %q (fold %v) = %v, reference says %v", template, varValue, value, fold, got, want)
		}
	})
}
