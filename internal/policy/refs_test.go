package policy

import "testing"

func TestReferencesFindsConditionKeysAndVariablesInAnyCase(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:ExistingObjectTag/Class":"secret"}}},
	 {"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/${S3:RequestObjectTag/team}/*"}]}`
	p, err := Parse([]byte(doc), Identity)
	if err != nil {
		t.Fatal(err)
	}
	for prefix, want := range map[string]bool{
		"s3:existingobjecttag/":  true,
		"S3:ExistingObjectTag/":  true,
		"s3:requestobjecttag/":   true,
		"s3:requestobjecttagkey": false,
		"aws:principaltag/":      false,
	} {
		if got := p.References(prefix); got != want {
			t.Errorf("References(%q) = %v, want %v", prefix, got, want)
		}
	}
	plain, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), Identity)
	if err != nil {
		t.Fatal(err)
	}
	if plain.References("s3:existingobjecttag/") {
		t.Error("a policy without the key references it")
	}
}
