package report

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// evidenceStore is an in-memory content-addressed store for small tests.
type evidenceStore map[string][]byte

func (s evidenceStore) add(content string) (string, int64) {
	sum := sha256.Sum256([]byte(content))
	h := hex.EncodeToString(sum[:])
	s[h] = []byte(content)
	return h, int64(len(content))
}

func (s evidenceStore) open(hash string) (io.ReadCloser, error) {
	b, ok := s[hash]
	if !ok {
		return nil, fmt.Errorf("no evidence %s", hash)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func bundleItem(store evidenceStore, unit assess.Unit, in assess.Indicator, name, content string) BundleItem {
	h, n := store.add(content)
	return BundleItem{Unit: unit, Indicator: in, File: EvidenceFile{
		Attachment: assess.Attachment{Hash: h, Name: name, Size: n},
		UploadedAt: time.Date(2026, 9, 1, 10, 0, 0, 0, assess.CST),
	}}
}

// readBundle opens a bundle, re-hashes every file and checks it against
// manifest.csv, and returns the entries by name.
func readBundle(t *testing.T, b []byte) (*zip.Reader, map[string]*zip.File) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("archive/zip cannot read the bundle: %v", err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		if _, dup := files[f.Name]; dup {
			t.Errorf("%s twice in the bundle", f.Name)
		}
		files[f.Name] = f
	}
	mf, ok := files[ManifestName]
	if !ok {
		t.Fatal("no manifest.csv")
	}
	rc, _ := mf.Open()
	raw, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.HasPrefix(raw, []byte("\uFEFF")) {
		t.Error("manifest.csv has no BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "路径,单位,指标编号,指标名称,文件名,大小（字节）,SHA-256,上传时间" {
		t.Errorf("manifest header %q", recs[0])
	}
	if len(recs)-1 != len(files)-2 {
		t.Errorf("manifest lists %d files, the bundle holds %d", len(recs)-1, len(files)-2)
	}
	for _, rec := range recs[1:] {
		f, ok := files[rec[0]]
		if !ok {
			t.Errorf("manifest names %s, not in the bundle", rec[0])
			continue
		}
		if f.Flags&0x800 == 0 && strings.ContainsFunc(f.Name, func(r rune) bool { return r > 0x7f }) {
			t.Errorf("%s: UTF-8 flag not set", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != rec[6] {
			t.Errorf("%s: SHA-256 %s, manifest says %s", f.Name, got, rec[6])
		}
		if strconv.FormatInt(n, 10) != rec[5] {
			t.Errorf("%s: %d bytes, manifest says %s", f.Name, n, rec[5])
		}
	}
	return zr, files
}

func TestWriteBundle(t *testing.T) {
	_, leaves := testTree(3)
	store := evidenceStore{}
	shared := "同一份会议纪要"
	items := []BundleItem{
		bundleItem(store, testUnits[0], leaves[1], "会议纪要.pdf", shared),
		bundleItem(store, testUnits[0], leaves[0], "权责清单调整文件.pdf", "清单内容"),
		bundleItem(store, testUnits[0], leaves[0], "公开网页截图.png", "截图"),
		bundleItem(store, testUnits[0], leaves[0], "公开网页截图.png", "另一张截图"), // same name, other content
		bundleItem(store, testUnits[0], leaves[0], "公开网页截图.png", "截图"),    // the same file again
		bundleItem(store, testUnits[0], leaves[2], "台账.txt", strings.Repeat("台账行\n", 1000)),
		bundleItem(store, testUnits[0], leaves[2], `..\..\evil:name?.pdf`, "x"),
	}
	var b bytes.Buffer
	if err := WriteBundle(&b, items, store.open); err != nil {
		t.Fatal(err)
	}
	_, files := readBundle(t, b.Bytes())
	var names []string
	for name := range files {
		names = append(names, name)
	}
	for _, want := range []string{
		"1.1 权责清单动态管理/权责清单调整文件.pdf",
		"1.1 权责清单动态管理/公开网页截图.png",
		"1.1 权责清单动态管理/公开网页截图 (2).png",
		"2.1 行政许可事项清单管理/会议纪要.pdf",
		"3.1 优化法治化营商环境/台账.txt",
		"3.1 优化法治化营商环境/_.._evil_name_.pdf",
		ManifestName, IndexName,
	} {
		if _, ok := files[want]; !ok {
			t.Errorf("bundle lacks %s; has %q", want, names)
		}
	}
	if len(files) != 8 {
		t.Errorf("%d entries, want 8: %q", len(files), names)
	}
	if m := files["3.1 优化法治化营商环境/台账.txt"].Method; m != zip.Deflate {
		t.Errorf("text stored with method %d, want deflate", m)
	}
	if m := files["1.1 权责清单动态管理/公开网页截图.png"].Method; m != zip.Store {
		t.Errorf("PNG stored with method %d, want store", m)
	}
	for name := range files {
		if strings.Contains(name, "..") && !strings.HasPrefix(name, "3.1") || strings.ContainsAny(name, `\:?`) {
			t.Errorf("unsafe entry name %q", name)
		}
	}

	// The index workbook links each file.
	rc, _ := files[IndexName].Open()
	raw, _ := io.ReadAll(rc)
	rc.Close()
	x := openXLSX(t, raw)
	rows, _ := x.GetRows("目录")
	if len(rows) != 7 {
		t.Fatalf("index has %d rows, want a header and 6 files", len(rows))
	}
	for r := 2; r <= 7; r++ {
		formula, _ := x.GetCellFormula("目录", "E"+strconv.Itoa(r))
		path, _ := x.GetCellValue("目录", "A"+strconv.Itoa(r))
		if formula != fmt.Sprintf("HYPERLINK(%s,%s)", formulaString(path), formulaString(rows[r-1][4])) {
			t.Errorf("row %d link %q for %s", r, formula, path)
		}
	}

	var again bytes.Buffer
	if err := WriteBundle(&again, items, store.open); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), b.Bytes()) {
		t.Error("the same items gave two different bundles")
	}
}

func TestWriteBundlePerUnit(t *testing.T) {
	_, leaves := testTree(1)
	store := evidenceStore{}
	items := []BundleItem{
		bundleItem(store, testUnits[1], leaves[0], "a.pdf", "西城"),
		bundleItem(store, testUnits[0], leaves[0], "a.pdf", "东城"),
	}
	var b bytes.Buffer
	if err := WriteBundle(&b, items, store.open); err != nil {
		t.Fatal(err)
	}
	_, files := readBundle(t, b.Bytes())
	for _, want := range []string{"东城区/1.1 权责清单动态管理/a.pdf", "西城区/1.1 权责清单动态管理/a.pdf"} {
		if _, ok := files[want]; !ok {
			t.Errorf("bundle lacks %s", want)
		}
	}
}

func TestWriteBundleCorrupt(t *testing.T) {
	_, leaves := testTree(1)
	store := evidenceStore{}
	it := bundleItem(store, testUnits[0], leaves[0], "a.pdf", "原件")
	store[it.File.Hash] = []byte("被改过的内容")
	err := WriteBundle(io.Discard, []BundleItem{it}, store.open)
	if assess.ErrorCode(err) != assess.EConflict || !strings.Contains(assess.ErrorMessage(err), "a.pdf") {
		t.Errorf("err = %v, want an EConflict naming the file", err)
	}

	bad := it
	bad.File.Hash = "not-a-hash"
	if err := WriteBundle(io.Discard, []BundleItem{bad}, store.open); assess.ErrorCode(err) != assess.EInvalid {
		t.Errorf("bad hash: err = %v", err)
	}

	missing := errors.New("磁盘不可读")
	err = WriteBundle(io.Discard, []BundleItem{bundleItem(evidenceStore{}, testUnits[0], leaves[0], "b.pdf", "b")}, func(string) (io.ReadCloser, error) { return nil, missing })
	if !errors.Is(err, missing) {
		t.Errorf("err = %v, want the open error", err)
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"会议纪要.pdf":       "会议纪要.pdf",
		"a/b\\c.pdf":     "a_b_c.pdf",
		"  多  空格 .pdf ":  "多 空格 .pdf",
		"...":            "_",
		"CON.pdf":        "_CON.pdf",
		"lpt1":           "_lpt1",
		"x\u202egpj.exe": "xgpj.exe",
		"tab\tname.doc":  "tabname.doc",
		"bad\xffname":    "bad_name",
	} {
		if got := safeName(in, 120); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("很长的文件名", 30) + ".pdf"
	got := safeName(long, 120)
	if len([]rune(got)) != 120 || !strings.HasSuffix(got, ".pdf") {
		t.Errorf("long name became %q (%d runes)", got, len([]rune(got)))
	}
}

// generated is evidence made on the fly: size bytes of pseudo-random data
// from seed, and its hash, computed by reading it once.
type generated struct {
	seed uint64
	size int64
}

func (g generated) reader() io.Reader {
	return io.LimitReader(&chachaReader{r: rand.NewChaCha8([32]byte{byte(g.seed), byte(g.seed >> 8)})}, g.size)
}

type chachaReader struct{ r *rand.ChaCha8 }

func (c *chachaReader) Read(p []byte) (int, error) { return c.r.Read(p) }

func (g generated) hash() string {
	h := sha256.New()
	io.Copy(h, g.reader())
	return hex.EncodeToString(h.Sum(nil))
}

// heapWatch is a reader that samples the live heap every few megabytes of
// what passes through it.
type heapWatch struct {
	r    io.Reader
	n    int64
	peak uint64
}

func (w *heapWatch) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	w.n += int64(n)
	if w.n >= 8<<20 {
		w.n = 0
		w.sample()
	}
	return n, err
}

func (w *heapWatch) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w.peak = max(w.peak, m.HeapInuse)
}

// synthetic is a bundle of generated files totalling the given bytes, in
// files of at most 64 MB.
type synthetic struct {
	items []BundleItem
	gens  map[string]generated
}

func newSynthetic(total int64) synthetic {
	_, leaves := testTree(8)
	s := synthetic{gens: map[string]generated{}}
	for i := int64(0); total > 0; i++ {
		g := generated{seed: uint64(i + 1), size: min(total, 64<<20)}
		total -= g.size
		h := g.hash()
		s.gens[h] = g
		s.items = append(s.items, BundleItem{Unit: testUnits[0], Indicator: leaves[i%8], File: EvidenceFile{
			Attachment: assess.Attachment{Hash: h, Name: fmt.Sprintf("扫描件%03d.pdf", i), Size: g.size},
		}})
	}
	return s
}

// stream writes the bundle to io.Discard and returns the peak heap in use
// while it did.
func (s synthetic) stream(t testing.TB) uint64 {
	runtime.GC()
	w := &heapWatch{}
	w.sample()
	open := func(hash string) (io.ReadCloser, error) {
		w.r = s.gens[hash].reader()
		return io.NopCloser(w), nil
	}
	if err := WriteBundle(io.Discard, s.items, open); err != nil {
		t.Fatal(err)
	}
	w.sample()
	return w.peak
}

// TestBundleMemoryFlat streams 192 MB of evidence and checks the heap never
// holds more than a small fraction of it: nothing is buffered whole.
func TestBundleMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 192 MB")
	}
	peak := newSynthetic(192 << 20).stream(t)
	if peak > 48<<20 {
		t.Errorf("peak heap %d MB while streaming a 192 MB bundle: files are being buffered", peak>>20)
	}
	t.Logf("peak heap %.1f MB", float64(peak)/(1<<20))
}
