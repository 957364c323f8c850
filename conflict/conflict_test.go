package conflict

import "testing"

func TestDecide(t *testing.T) {
	tests := []struct {
		policy         Policy
		client, server Change
		want           Decision
	}{
		{ClientWins, Modified, Modified, Decision{Client, 200}},
		{ServerWins, Modified, Modified, Decision{Server, 419}},
		{ClientWins, Deleted, Modified, Decision{Server, 419}},
		{ServerWins, Deleted, Modified, Decision{Server, 419}},
		{ClientWins, Modified, Deleted, Decision{Client, 200}},
		{ServerWins, Modified, Deleted, Decision{Client, 200}},
		{ClientWins, Deleted, Deleted, Decision{Client, 200}},
	}
	for _, tc := range tests {
		if got := Decide(tc.policy, tc.client, tc.server); got != tc.want {
			t.Errorf("Decide(%s, %v, %v) = %+v, want %+v", tc.policy, tc.client, tc.server, got, tc.want)
		}
	}
}

func TestParsePolicy(t *testing.T) {
	if p, err := ParsePolicy(""); err != nil || p != ClientWins {
		t.Errorf(`ParsePolicy("") = %q, %v`, p, err)
	}
	if _, err := ParsePolicy("bogus"); err == nil {
		t.Error("ParsePolicy(bogus) succeeded")
	}
}
