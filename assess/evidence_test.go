package assess_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/yiwangtong/yiwangtong/assess"
)

func TestValidateFileName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
		want string // part of the message when refused
	}{
		{"2026年法治政府建设工作报告.pdf", true, ""},
		{"会议纪要（第3次）.docx", true, ""},
		{"现场照片 01.JPG", true, ""},
		{"台账.xlsx", true, ""},
		{"扫描件.ofd", true, ""},
		{"a.pdf", true, ""},
		{"../a.pdf", false, "路径"},
		{"..\\a.pdf", false, "路径"},
		{"a/b.pdf", false, "路径"},
		{"a\\b.pdf", false, "路径"},
		{"C:a.pdf", false, "路径"},
		{"a..pdf", false, "路径"},
		{"a\x00.pdf", false, "控制字符"},
		{"a\tb.pdf", false, "控制字符"},
		{"a\u0085b.pdf", false, "控制字符"},
		{"报告\u202Efdp.exe", false, "文字方向"},
		{"报告\u2066.pdf", false, "文字方向"},
		{"报告\u200F.pdf", false, "文字方向"},
		{"CON.pdf", false, "保留名称"},
		{"nul.txt", false, "保留名称"},
		{"com1.docx", false, "保留名称"},
		{"Lpt9.png", false, "保留名称"},
		{"console.pdf", true, ""},
		{"setup.exe", false, "不支持的文件类型"},
		{"报告.pdf.exe", false, "不支持的文件类型"},
		{"报告", false, "不支持的文件类型"},
		{"script.js", false, "不支持的文件类型"},
		{".pdf", false, "只有扩展名"},
		{"a.pdf.", false, "不能以点或空格结尾"},
		{"a.pdf ", false, "不能以点或空格结尾"},
		{"", false, "不能为空"},
		{"   ", false, "不能为空"},
		{"\xff\xfe.pdf", false, "UTF-8"},
		{strings.Repeat("报", 84) + ".pdf", false, "过长"}, // 252 + 4 bytes
		{strings.Repeat("报", 83) + ".pdf", true, ""},
	}
	for _, tt := range tests {
		err := assess.ValidateFileName(tt.name)
		if tt.ok {
			if err != nil {
				t.Errorf("%q: %v", tt.name, err)
			}
			continue
		}
		if assess.ErrorCode(err) != assess.EInvalid || !strings.Contains(assess.ErrorMessage(err), tt.want) {
			t.Errorf("%q: %v, want EInvalid containing %q", tt.name, err, tt.want)
		}
		if msg := assess.ErrorMessage(err); !hasChinese(msg) || strings.ContainsFunc(msg, isBidiOrControl) {
			t.Errorf("%q: message %q must be Chinese with English and carry no control characters", tt.name, msg)
		}
	}
}

func isBidiOrControl(r rune) bool {
	return unicode.IsControl(r) || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 ||
		r == 0x200E || r == 0x200F || r == 0x061C
}

func FuzzValidateFileName(f *testing.F) {
	for _, s := range []string{"报告.pdf", "../a.pdf", "a/b.pdf", "报告\u202Efdp.exe", "CON.pdf", "a\x00.pdf", ".pdf", "x.docx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if assess.ValidateFileName(name) != nil {
			return
		}
		switch {
		case !utf8.ValidString(name), len(name) > 255:
			t.Fatalf("accepted %q: not UTF-8 or too long", name)
		case strings.ContainsAny(name, `/\`), strings.Contains(name, ".."):
			t.Fatalf("accepted %q with a path", name)
		case strings.ContainsFunc(name, isBidiOrControl):
			t.Fatalf("accepted %q with control or bidi characters", name)
		case assess.MIMEType(name) == "application/octet-stream":
			t.Fatalf("accepted %q with an unknown type", name)
		}
	})
}

func TestMIMEType(t *testing.T) {
	for name, want := range map[string]string{
		"a.PDF": "application/pdf", "照片.jpeg": "image/jpeg", "x.ofd": "application/ofd", "x.bin": "application/octet-stream",
	} {
		if got := assess.MIMEType(name); got != want {
			t.Errorf("MIMEType(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestCheckContent(t *testing.T) {
	pdf := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
	tests := []struct {
		name string
		size int64
		head []byte
		code string
		want string
	}{
		{"报告.pdf", int64(len(pdf)), pdf, "", ""},
		{"照片.png", 8, []byte("\x89PNG\r\n\x1a\n"), "", ""},
		{"说明.txt", 5, []byte("hello"), "", ""},
		{"空.pdf", 0, nil, assess.EInvalid, "空文件"},
		{"报告.pdf", 1024, []byte("MZ\x90\x00\x03\x00"), assess.EInvalid, "可执行程序"},
		{"报告.pdf", 1024, []byte("\x7fELF\x02\x01\x01"), assess.EInvalid, "可执行程序"},
		{"说明.txt", 20, []byte("#!/bin/sh\nrm -rf /\n"), assess.EInvalid, "可执行程序"},
		{"a.doc", 1024, []byte("\xcf\xfa\xed\xfe"), assess.EInvalid, "可执行程序"},
		{"大.zip", assess.MaxEvidenceSize + 1, []byte("PK\x03\x04"), assess.ETooLarge, "2 GB"},
		{"报告\u202E.pdf", 0, nil, assess.EInvalid, "报告?.pdf"},
	}
	for _, tt := range tests {
		err := assess.CheckContent(tt.name, tt.size, tt.head)
		if assess.ErrorCode(err) != tt.code || !strings.Contains(assess.ErrorMessage(err), tt.want) {
			t.Errorf("%q (%d bytes): %v, want code %q containing %q", tt.name, tt.size, err, tt.code, tt.want)
		}
	}
}

func TestValidateHash(t *testing.T) {
	good := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	tests := []struct {
		h  string
		ok bool
	}{
		{good, true},
		{strings.ToUpper(good), false},
		{good[:63], false},
		{good + "0", false},
		{"g" + good[1:], false},
		{"", false},
		{strings.Repeat("z", 64), false},
	}
	for _, tt := range tests {
		err := assess.ValidateHash(tt.h)
		if (err == nil) != tt.ok || err != nil && assess.ErrorCode(err) != assess.EInvalid {
			t.Errorf("ValidateHash(%q) = %v", tt.h, err)
		}
	}
}
