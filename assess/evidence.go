package assess

import (
	"bytes"
	"encoding/hex"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxEvidenceSize is the largest evidence file accepted (2 GiB).
const MaxEvidenceSize = 2 << 30

// ValidateHash checks that h is a lowercase hex SHA-256.
func ValidateHash(h string) error {
	if len(h) != 64 || strings.ToLower(h) != h {
		return Errorf(EInvalid, "文件摘要格式不正确，应为 64 位小写十六进制 SHA-256 (bad SHA-256)")
	}
	if _, err := hex.DecodeString(h); err != nil {
		return Errorf(EInvalid, "文件摘要格式不正确，应为 64 位小写十六进制 SHA-256 (bad SHA-256)")
	}
	return nil
}

// evidenceTypes are the file kinds accepted as evidence, by extension.
var evidenceTypes = map[string]string{
	".pdf": "application/pdf", ".ofd": "application/ofd",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
	".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff", ".webp": "image/webp",
	".doc": "application/msword", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls": "application/vnd.ms-excel", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".ppt": "application/vnd.ms-powerpoint", ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".wps": "application/vnd.ms-works", ".et": "application/vnd.ms-excel", ".dps": "application/vnd.ms-powerpoint",
	".txt": "text/plain", ".csv": "text/csv", ".zip": "application/zip",
	".mp4": "video/mp4", ".mp3": "audio/mpeg",
}

// MIMEType returns the media type for an accepted evidence file name.
func MIMEType(name string) string {
	if t, ok := evidenceTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

var reservedWindowsNames = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
}

// ValidateFileName checks an evidence file name as given by a user or a
// client: a plain name (no folders, no "..") of at most 255 bytes, free of
// control and bidirectional-override characters, valid on Windows, with an
// accepted extension. Chinese names are welcome.
func ValidateFileName(name string) error {
	switch {
	case name == "" || strings.TrimSpace(name) == "":
		return Errorf(EInvalid, "文件名不能为空 (file name is required)")
	case !utf8.ValidString(name):
		return Errorf(EInvalid, "文件名含有无效字符编码，请重命名后再添加 (file name is not valid UTF-8)")
	case len(name) > 255:
		return Errorf(EInvalid, "文件名过长（最多 255 字节），请缩短后再添加 (file name too long)")
	case strings.ContainsAny(name, `/\:*?"<>|`) || strings.Contains(name, ".."):
		return Errorf(EInvalid, "文件名“%s”含有路径或不允许的字符（/ \\ : * ? \" < > | ..），请重命名 (file name contains path characters)", printable(name))
	}
	for _, r := range name {
		if unicode.IsControl(r) || isBidiControl(r) {
			return Errorf(EInvalid, "文件名含有控制字符或文字方向控制符，可能用于伪装文件类型，请重命名 (file name contains control or bidi characters)")
		}
	}
	if strings.TrimSpace(strings.TrimSuffix(name, path.Ext(name))) == "" {
		return Errorf(EInvalid, "文件名“%s”只有扩展名，请补上名称 (file name has no base name)", name)
	}
	if strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return Errorf(EInvalid, "文件名不能以点或空格结尾 (file name must not end with a dot or space)")
	}
	base := strings.ToUpper(strings.TrimSuffix(name, path.Ext(name)))
	if reservedWindowsNames[base] {
		return Errorf(EInvalid, "“%s”是 Windows 保留名称，请重命名 (reserved Windows name)", name)
	}
	if _, ok := evidenceTypes[strings.ToLower(path.Ext(name))]; !ok {
		return Errorf(EInvalid, "不支持的文件类型“%s”，请上传 PDF、OFD、图片、Office/WPS 文档或压缩包 (file type not accepted)", path.Ext(name))
	}
	return nil
}

func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || isBidiControl(r) {
			return '?'
		}
		return r
	}, s)
}

// executableMagic are the opening bytes of programs and scripts that must
// never pass as evidence, whatever their name says.
var executableMagic = [][]byte{
	[]byte("MZ"),               // Windows PE (exe, dll, scr)
	[]byte("\x7fELF"),          // Linux
	[]byte("\xfe\xed\xfa\xce"), // Mach-O
	[]byte("\xfe\xed\xfa\xcf"),
	[]byte("\xce\xfa\xed\xfe"),
	[]byte("\xcf\xfa\xed\xfe"),
	[]byte("\xca\xfe\xba\xbe"), // Mach-O fat / Java class
	[]byte("#!"),               // script
}

// CheckContent inspects the first bytes of a file (at least 512 when the file
// is that long) and its size: an empty file or a program disguised as a
// document is refused.
func CheckContent(name string, size int64, head []byte) error {
	if size == 0 {
		return Errorf(EInvalid, "文件“%s”是空文件（0 字节），请选择有内容的文件 (empty file)", printable(name))
	}
	if size > MaxEvidenceSize {
		return Errorf(ETooLarge, "文件“%s”超过 2 GB，请压缩或拆分后再上传 (file larger than 2 GB)", printable(name))
	}
	for _, m := range executableMagic {
		if bytes.HasPrefix(head, m) {
			return Errorf(EInvalid, "文件“%s”的内容是可执行程序，不能作为佐证材料 (the file is an executable in disguise)", printable(name))
		}
	}
	return nil
}
