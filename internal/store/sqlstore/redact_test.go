package sqlstore

import (
	"context"
	"strings"
	"testing"
)

func TestRedactDSNMasksThePasswordInEveryFormAndKeepsTheRest(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://inkan:s3cret@db.example:5432/inkan?sslmode=require", "postgres://inkan:****@db.example:5432/inkan?sslmode=require"},
		{"postgresql://inkan:p%40ss@db/inkan", "postgresql://inkan:****@db/inkan"},
		{"postgres://inkan:with@at@db/inkan", "postgres://inkan:****@db/inkan"},
		{"postgres://inkan@db/inkan", "postgres://inkan@db/inkan"},
		{"postgres://db/inkan?user=inkan&password=s3cret&sslmode=disable", "postgres://db/inkan?user=inkan&password=****&sslmode=disable"},
		{"host=db user=inkan password=s3cret dbname=inkan", "host=db user=inkan password=**** dbname=inkan"},
		{"host=db password = 's3 cr\\'et' dbname=inkan", "host=db password = **** dbname=inkan"},
		{"host=db passwordless=yes", "host=db passwordless=yes"},
		{"/var/lib/inkan/inkan.db", "/var/lib/inkan/inkan.db"},
	} {
		got := RedactDSN(c.in)
		if got != c.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.Contains(got, "s3") || strings.Contains(got, "p%40ss") || strings.Contains(got, "with@") {
			t.Errorf("RedactDSN(%q) = %q still carries the password", c.in, got)
		}
	}
}

func TestAnUnparsableConnectionStringIsRefusedWithoutItsPassword(t *testing.T) {
	_, err := OpenPostgres(context.Background(), "postgres://u:s3cret@host:notaport/db", PostgresOptions{})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("OpenPostgres of a bad URL = %v, want an error without the password", err)
	}
}
