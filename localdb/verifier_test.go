package localdb_test

import (
	"bytes"
	"testing"

	"github.com/yiwangtong/yiwangtong/localdb"
)

func TestVerifier(t *testing.T) {
	v, err := localdb.NewVerifier("Filing#A2026")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(v, []byte("Filing#A2026")) {
		t.Fatal("the verifier holds the password")
	}
	if !localdb.CheckVerifier(v, "Filing#A2026") {
		t.Fatal("the right password is refused")
	}
	for _, pw := range []string{"", "filing#a2026", "Filing#A2026 "} {
		if localdb.CheckVerifier(v, pw) {
			t.Fatalf("%q is accepted", pw)
		}
	}
	v2, err := localdb.NewVerifier("Filing#A2026")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(v, v2) {
		t.Fatal("two verifiers of one password are equal: no salt")
	}
	for _, bad := range [][]byte{nil, v[:10], append([]byte("x"), v[1:]...)} {
		if localdb.CheckVerifier(bad, "Filing#A2026") {
			t.Fatalf("malformed verifier %x accepted", bad)
		}
	}
}
