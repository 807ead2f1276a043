package client

import (
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/yiwangtong/yiwangtong/assess"
)

func TestContentRange(t *testing.T) {
	tests := []struct {
		in          string
		start, size int64
		ok          bool
	}{
		{"bytes 0-99/100", 0, 100, true},
		{"bytes 40-99/100", 40, 100, true},
		{"bytes */100", 0, 100, true},
		{"bytes 40-100/100", 0, 0, false}, // end past the size
		{"bytes 50-40/100", 0, 0, false},
		{"bytes 40-99/*", 0, 0, false},
		{"bytes -1-99/100", 0, 0, false},
		{"40-99/100", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		start, size, ok := contentRange(tt.in)
		if start != tt.start || size != tt.size || ok != tt.ok {
			t.Errorf("contentRange(%q) = %d, %d, %v; want %d, %d, %v", tt.in, start, size, ok, tt.start, tt.size, tt.ok)
		}
	}
}

func FuzzContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-99/100", "bytes */5", "bytes 9223372036854775806-9223372036854775806/9223372036854775807", "bytes 1-/2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, size, ok := contentRange(s)
		if ok && (start < 0 || size < 0 || (size > 0 && start >= size) || (size == 0 && start != 0)) {
			t.Fatalf("contentRange(%q) = %d, %d accepted", s, start, size)
		}
	})
}

// FuzzStatusError feeds arbitrary error answers: the result is always a
// known code with a valid, non-empty message.
func FuzzStatusError(f *testing.F) {
	f.Add(409, `{"code":"conflict","message":"已赋分"}`, "")
	f.Add(503, "", "120")
	f.Add(418, "\x00\xff<html>", "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(400, `{"code":""}`, "-5")
	f.Fuzz(func(t *testing.T, status int, body, ra string) {
		h := http.Header{}
		h.Set("Retry-After", ra)
		err := statusError(status, h, []byte(body))
		var re *RemoteError
		re, _ = err.(*RemoteError)
		if re == nil || re.Err == nil {
			t.Fatalf("statusError(%d) = %v", status, err)
		}
		if re.RetryAfter < 0 {
			t.Fatalf("negative Retry-After from %q", ra)
		}
		if re.Err.Code == "" || re.Err.Message == "" || assess.ErrorCode(err) != re.Err.Code {
			t.Fatalf("empty code or message: %+v", re.Err)
		}
		if _, known := defaultMessages[re.Err.Code]; !known && !validJSONCode(body) {
			t.Fatalf("unknown code %q without a JSON body", re.Err.Code)
		}
		if !utf8.ValidString(plainText([]byte(body))) && utf8.ValidString(body) {
			t.Fatalf("plainText broke valid UTF-8")
		}
	})
}

func validJSONCode(body string) bool { return len(body) > 0 && body[0] == '{' }

func TestUploadMetadata(t *testing.T) {
	got := uploadMetadata(map[string]string{"hash": "ab", "filename": "会议纪要.pdf"})
	want := "hash YWI=,filename 5Lya6K6u57qq6KaBLnBkZg=="
	if got != want {
		t.Errorf("uploadMetadata = %q, want %q", got, want)
	}
}

func TestRetryAfter(t *testing.T) {
	for in, want := range map[string]string{"": "0s", "3": "3s", "-1": "0s", "x": "0s", "Wed, 21 Oct 2015 07:28:00 GMT": "0s"} {
		h := http.Header{}
		h.Set("Retry-After", in)
		if got := retryAfter(h).String(); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}
