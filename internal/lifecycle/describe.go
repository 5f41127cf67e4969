package lifecycle

import (
	"strconv"
	"strings"
)

// Describe says in words which objects a rule applies to and what it does to them, for
// the operator console.
func (r *Rule) Describe() (applies, actions string) {
	s := r.selector()
	var a []string
	if s.prefix == "" {
		a = append(a, "every object")
	} else {
		a = append(a, "keys under "+strconv.Quote(s.prefix))
	}
	for _, t := range s.tags {
		a = append(a, "tagged "+t.Key+"="+t.Value)
	}
	if s.gt != nil {
		a = append(a, "larger than "+strconv.FormatInt(*s.gt, 10)+" B")
	}
	if s.lt != nil {
		a = append(a, "smaller than "+strconv.FormatInt(*s.lt, 10)+" B")
	}
	var do []string
	if e := r.Expiration; e != nil {
		switch {
		case e.Days != nil:
			do = append(do, "expire "+days(*e.Days)+" after creation")
		case e.Date != nil:
			at, _ := ParseDate(*e.Date)
			do = append(do, "expire on "+at.Format("2006-01-02"))
		case e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker:
			do = append(do, "remove expired delete markers")
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil && n.NoncurrentDays != nil {
		v := "remove noncurrent versions " + days(*n.NoncurrentDays) + " after they become noncurrent"
		if n.NewerNoncurrentVersions != nil {
			v += ", keeping the " + strconv.Itoa(*n.NewerNoncurrentVersions) + " newest"
		}
		do = append(do, v)
	}
	if u := r.AbortIncompleteMultipartUpload; u != nil && u.DaysAfterInitiation != nil {
		do = append(do, "abort incomplete uploads "+days(*u.DaysAfterInitiation)+" after they start")
	}
	return strings.Join(a, ", "), strings.Join(do, "; ")
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}
