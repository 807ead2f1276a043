package cli

import (
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args []string
		pos  []string
		text string
		ret  bool
	}{
		{[]string{"T1", "--statement", "说明"}, []string{"T1"}, "说明", false},
		{[]string{"--return", "T1", "--statement=x"}, []string{"T1"}, "x", true},
		{[]string{"T1", "a.pdf", "--return", "b.pdf"}, []string{"T1", "a.pdf", "b.pdf"}, "", true},
		{[]string{"T1", "--", "--statement"}, []string{"T1", "--statement"}, "", false},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		text := fs.String("statement", "", "")
		ret := fs.Bool("return", false, "")
		pos, err := parseInterleaved(fs, tt.args)
		if err != nil || !slices.Equal(pos, tt.pos) || *text != tt.text || *ret != tt.ret {
			t.Errorf("parse %q = %q, %q, %v, %v", tt.args, pos, *text, *ret, err)
		}
	}
}

// FuzzParseInterleaved feeds arbitrary command lines: parsing never panics
// and every positional argument comes from the input.
func FuzzParseInterleaved(f *testing.F) {
	f.Add("T1\x00--statement\x00说明\x00--return")
	f.Add("--\x00--\x00-x")
	f.Add("--statement")
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.String("statement", "", "")
		fs.Bool("return", false, "")
		pos, err := parseInterleaved(fs, args)
		if err != nil {
			return
		}
		for _, p := range pos {
			if !slices.Contains(args, p) {
				t.Fatalf("positional %q not in %q", p, args)
			}
		}
	})
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]string{"submitted": "submitted", "已提交": "submitted", "退回补充": "returned", "scored": "scored"} {
		if st, err := parseStatus(in); err != nil || string(st) != want {
			t.Errorf("parseStatus(%q) = %q, %v", in, st, err)
		}
	}
	if _, err := parseStatus("done"); err == nil {
		t.Error("parseStatus accepted an unknown status")
	}
}
