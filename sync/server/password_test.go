package server_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/sync/server"
)

func TestPasswordHash(t *testing.T) {
	h, err := server.HashPassword("Filing#A2026")
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)
	m := phc.FindStringSubmatch(h)
	if m == nil {
		t.Fatalf("not a PHC argon2id string with a 16-byte salt: %s", h)
	}
	var mem int
	fmt.Sscan(m[1], &mem)
	if mem < 47104 || m[2] != "1" || m[3] != "1" {
		t.Errorf("parameters m=%s t=%s p=%s", m[1], m[2], m[3])
	}
	h2, _ := server.HashPassword("Filing#A2026")
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, tc := range []struct {
		hash, pw string
		ok       bool
	}{
		{h, "Filing#A2026", true},
		{h2, "Filing#A2026", true},
		{h, "Filing#A2027", false},
		{h, "", false},
	} {
		ok, err := server.CheckPassword(tc.hash, tc.pw)
		if err != nil || ok != tc.ok {
			t.Errorf("CheckPassword(%q): %v %v, want %v", tc.pw, ok, err, tc.ok)
		}
	}
	parts := strings.Split(h, "$")
	for name, bad := range map[string]string{
		"empty":        "",
		"bcrypt":       "$2a$10$abcdefghijklmnopqrstuu",
		"argon2i":      strings.Replace(h, "argon2id", "argon2i", 1),
		"version":      strings.Replace(h, "v=19", "v=16", 1),
		"huge memory":  strings.Replace(h, "m=47104", "m=99999999", 1),
		"bad salt":     strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"),
		"short key":    strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
		"no params":    strings.Join([]string{"", parts[1], parts[2], "", parts[4], parts[5]}, "$"),
		"extra fields": h + "$x",
	} {
		if ok, err := server.CheckPassword(bad, "Filing#A2026"); err == nil || ok {
			t.Errorf("%s: %v %v, want an error", name, ok, err)
		}
	}
}
