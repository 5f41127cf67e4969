package console

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	// outcome names an outcome in words; the class colours it.
	"outcome": func(o string) string {
		switch o {
		case "allow":
			return "allowed"
		case "deny":
			return "denied"
		}
		return o
	},
	"path":     urlPathEscape,
	"rolename": store.RoleName,
}

func urlPathEscape(s string) string { return url.PathEscape(s) }

// claimsOf lists a token's claims sorted by name, each value as JSON.
func claimsOf(claims map[string]any) []claim {
	out := make([]claim, 0, len(claims))
	for n, v := range claims {
		b, err := json.Marshal(v)
		if err != nil {
			b = []byte(fmt.Sprint(v))
		}
		out = append(out, claim{n, string(b)})
	}
	slices.SortFunc(out, func(a, b claim) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	return out
}
