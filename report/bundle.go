package report

import (
	"archive/zip"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
)

// BundleItem is one evidence file to put in an evidence bundle, with the
// unit and indicator it was submitted for.
type BundleItem struct {
	Unit      assess.Unit
	Indicator assess.Indicator
	File      EvidenceFile
}

// Names of the bundle's own files, at its root.
const (
	ManifestName = "manifest.csv"
	IndexName    = "index.xlsx"
)

// copyBufferSize is the one buffer each file is copied through.
const copyBufferSize = 256 << 10

// WriteBundle writes an evidence bundle (佐证材料包) to w as a ZIP stream:
// one folder per indicator ("3.2 标题/"), inside one folder per unit when
// the items span several units; the files under their own (Chinese) names,
// with the UTF-8 flag set; then manifest.csv (path, unit, indicator, name,
// size, SHA-256, upload time; UTF-8 with BOM) and index.xlsx, a workbook
// listing the same with a link to each file.
//
// open returns the content of the evidence file with the given hash (the
// local evidence store, or a download). Every file is streamed through one
// fixed buffer while its SHA-256 and size are checked: memory stays flat
// however large the bundle, and a file whose content does not match its
// hash stops the bundle with an error (w then holds an incomplete ZIP, which
// the caller discards). Files already compressed (PDF, images, Office
// documents, archives) are stored; others are deflated. Items are written by
// unit, indicator code and file name; the same file listed twice for the
// same indicator is written once, and different files with the same name
// get " (2)", " (3)" … before their extension.
func WriteBundle(w io.Writer, items []BundleItem, open func(hash string) (io.ReadCloser, error)) error {
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b BundleItem) int {
		if c := cmp.Compare(a.Unit.Name, b.Unit.Name); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Unit.ID, b.Unit.ID); c != 0 {
			return c
		}
		if c := assess.CompareCodes(a.Indicator.Code, b.Indicator.Code); c != 0 {
			return c
		}
		if c := cmp.Compare(a.File.Name, b.File.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.File.Hash, b.File.Hash)
	})
	units := map[string]bool{}
	for _, it := range items {
		units[it.Unit.ID] = true
	}
	perUnit := len(units) > 1

	zw := zip.NewWriter(w)
	buf := make([]byte, copyBufferSize)
	taken := map[string]string{} // lower-case path → hash
	var entries []bundleEntry
	for _, it := range items {
		if err := assess.ValidateHash(it.File.Hash); err != nil {
			return assess.Errorf(assess.EInvalid, "佐证材料“%s”的摘要无效，无法打包 (bad hash)", printable(it.File.Name))
		}
		dir := safeName(it.Indicator.Code+" "+it.Indicator.Title, 60)
		if perUnit {
			dir = safeName(unitLabel(it.Unit), 40) + "/" + dir
		}
		name, dup := uniquePath(taken, dir, safeName(it.File.Name, 120), it.File.Hash)
		if dup {
			continue
		}
		if err := writeEntry(zw, name, it.File, open, buf); err != nil {
			return err
		}
		entries = append(entries, bundleEntry{path: name, item: it})
	}
	if err := writeManifest(zw, entries); err != nil {
		return err
	}
	if err := writeIndex(zw, entries); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("finish bundle: %w", err)
	}
	return nil
}

type bundleEntry struct {
	path string
	item BundleItem
}

func unitLabel(u assess.Unit) string {
	if strings.TrimSpace(u.Name) != "" {
		return u.Name
	}
	return u.ID
}

// uniquePath returns the path for a file named name in dir: the name as it
// is, or with " (2)", " (3)" … before the extension when another file has
// it. dup is true when the same content already has that name there.
func uniquePath(taken map[string]string, dir, name, hash string) (string, bool) {
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 1; ; i++ {
		p := dir + "/" + name
		if i > 1 {
			p = fmt.Sprintf("%s/%s (%d)%s", dir, base, i, ext)
		}
		key := strings.ToLower(p)
		h, ok := taken[key]
		if !ok {
			taken[key] = hash
			return p, false
		}
		if h == hash {
			return p, true
		}
	}
}

// writeEntry streams one evidence file into the ZIP, checking its hash and
// size on the way.
func writeEntry(zw *zip.Writer, name string, f EvidenceFile, open func(string) (io.ReadCloser, error), buf []byte) error {
	rc, err := open(f.Hash)
	if err != nil {
		return fmt.Errorf("open evidence %s (%s): %w", f.Hash, f.Name, err)
	}
	defer rc.Close()
	fh := &zip.FileHeader{Name: name, Method: compression(name)}
	if !f.UploadedAt.IsZero() {
		fh.Modified = f.UploadedAt.In(assess.CST)
	}
	ew, err := zw.CreateHeader(fh)
	if err != nil {
		return fmt.Errorf("bundle %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(ew, h), rc, buf)
	if err != nil {
		return fmt.Errorf("bundle %s: %w", name, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.Hash || f.Size > 0 && n != f.Size {
		return assess.Errorf(assess.EConflict, "佐证材料“%s”的内容与记录的摘要或大小不符，文件可能已损坏，请重新下载该文件后再打包 (content of %s does not match its SHA-256 or size)", printable(f.Name), f.Hash)
	}
	return nil
}

// stored are the extensions of files already compressed: deflating them
// again costs time and saves nothing.
var stored = map[string]bool{
	".pdf": true, ".ofd": true, ".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true,
	".docx": true, ".xlsx": true, ".pptx": true, ".zip": true, ".mp4": true, ".mp3": true,
}

func compression(name string) uint16 {
	if stored[strings.ToLower(path.Ext(name))] {
		return zip.Store
	}
	return zip.Deflate
}

// safeName makes s a file or folder name valid on Windows, macOS and Linux
// and safe inside a ZIP: no path separators, no characters Windows forbids,
// no control or direction-override characters, no leading or trailing dots
// and spaces, not a reserved device name, at most max characters (the
// extension kept).
func safeName(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`/\:*?"<>|`, r):
			return '_'
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		case r == unicode.ReplacementChar:
			return '_'
		}
		return r
	}, strings.ToValidUTF8(s, "_"))
	s = strings.Join(strings.Fields(s), " ")
	if rs := []rune(s); len(rs) > max {
		ext := path.Ext(s)
		if len([]rune(ext)) >= max/2 {
			ext = ""
		}
		keep := max - len([]rune(ext))
		s = strings.TrimSpace(string([]rune(strings.TrimSuffix(s, ext))[:keep])) + ext
	}
	s = strings.Trim(s, ". ")
	if s == "" {
		s = "_"
	}
	if base := strings.ToUpper(strings.TrimSuffix(s, path.Ext(s))); windowsReserved[base] {
		s = "_" + s
	}
	return s
}

var windowsReserved = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true}

func init() {
	for i := 1; i <= 9; i++ {
		windowsReserved["COM"+strconv.Itoa(i)] = true
		windowsReserved["LPT"+strconv.Itoa(i)] = true
	}
}

// manifestTable is the bundle's listing of its files.
func manifestTable(entries []bundleEntry) Table {
	t := Table{Name: "清单", Columns: []Column{
		{"路径", 50, Text}, {"单位", 16, Text}, {"指标编号", 10, Text}, {"指标名称", 28, Text},
		{"文件名", 36, Text}, {"大小（字节）", 14, Integer}, {"SHA-256", 66, Text}, {"上传时间", 20, DateTime},
	}}
	for _, e := range entries {
		it := e.item
		t.Rows = append(t.Rows, []any{e.path, unitLabel(it.Unit), it.Indicator.Code, it.Indicator.Title, it.File.Name, it.File.Size, it.File.Hash, timeOrNil(it.File.UploadedAt)})
	}
	return t
}

func writeManifest(zw *zip.Writer, entries []bundleEntry) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: ManifestName, Method: zip.Deflate, Modified: manifestTime(entries)})
	if err != nil {
		return fmt.Errorf("bundle manifest: %w", err)
	}
	return WriteCSV(w, manifestTable(entries))
}

// manifestTime dates the bundle's own files by its newest upload, so the
// same items give the same bytes.
func manifestTime(entries []bundleEntry) time.Time {
	var t time.Time
	for _, e := range entries {
		if e.item.File.UploadedAt.After(t) {
			t = e.item.File.UploadedAt
		}
	}
	if t.IsZero() {
		return time.Date(1980, 1, 1, 0, 0, 0, 0, assess.CST)
	}
	return t.In(assess.CST)
}

// writeIndex writes the index workbook: the manifest with each file name a
// HYPERLINK to the file, relative to the bundle's root.
func writeIndex(zw *zip.Writer, entries []bundleEntry) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "目录"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	st, err := newSheetStyles(f)
	if err != nil {
		return err
	}
	link, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}})
	if err != nil {
		return err
	}
	t := manifestTable(entries)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, c := range t.Columns {
		if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = excelize.Cell{StyleID: st.header, Value: c.Title}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for r, row := range t.Rows {
		cells := make([]any, len(row))
		for i, v := range row {
			cells[i] = excelize.Cell{StyleID: st.kind[t.Columns[i].Kind], Value: xlsxValue(v)}
		}
		p, name := row[0].(string), row[4].(string)
		cells[4] = excelize.Cell{StyleID: link, Formula: fmt.Sprintf("HYPERLINK(%s,%s)", formulaString(p), formulaString(name)), Value: name}
		ref, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(ref, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: IndexName, Method: zip.Store, Modified: manifestTime(entries)})
	if err != nil {
		return fmt.Errorf("bundle index: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("bundle index: %w", err)
	}
	return nil
}

// formulaString quotes s as a string in a spreadsheet formula.
func formulaString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
