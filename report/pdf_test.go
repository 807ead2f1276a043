package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"rsc.io/qr"

	"github.com/yiwangtong/yiwangtong/assess"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// tool returns the path of a poppler command; the test fails when it is
// missing (poppler-utils is part of `make deps`), except on Windows, where
// the package's tests run under Wine without poppler and the PDF is not
// read back.
func tool(t testing.TB, name string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skipf("%s is not run on Windows", name)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install poppler-utils (make deps): %v", name, err)
	}
	return p
}

// tempDir returns a new temporary folder, removed after the test. Not
// t.TempDir: its clean-up fails under Wine, where this package's tests also
// run.
func tempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "report-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// writeTemp writes b to a file in a temporary folder and returns its path.
func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(tempDir(t), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pdfText returns the text pdftotext extracts from pages first..last of a
// PDF (0, 0 for all pages), in reading order.
func pdfText(t testing.TB, pdf []byte, first, last int, extra ...string) string {
	t.Helper()
	args := append([]string{"-enc", "UTF-8"}, extra...)
	if first > 0 {
		args = append(args, "-f", strconv.Itoa(first), "-l", strconv.Itoa(last))
	}
	args = append(args, writeTemp(t, "doc.pdf", pdf), "-")
	out, err := exec.Command(tool(t, "pdftotext"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// pdfLayout returns the text of pages first..last (0, 0 for all) laid out
// as on the page: a table row's cells stay on one line.
func pdfLayout(t testing.TB, pdf []byte, first, last int) string {
	return pdfText(t, pdf, first, last, "-layout")
}

// pdfStrip returns the text of every page within a vertical strip: x and
// width in millimetres from the page's left edge.
func pdfStrip(t testing.TB, pdf []byte, x, width float64) string {
	pt := func(mm float64) string { return strconv.Itoa(int(mm / 25.4 * 72)) }
	return pdfText(t, pdf, 0, 0, "-r", "72", "-x", pt(x), "-y", "0", "-W", pt(width), "-H", pt(pageH))
}

// pdfPages returns the page count pdfinfo reports.
func pdfPages(t testing.TB, pdf []byte) int {
	t.Helper()
	out, err := exec.Command(tool(t, "pdfinfo"), writeTemp(t, "doc.pdf", pdf)).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo printed no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// squash removes all white space, since pdftotext spaces Chinese text as it
// pleases.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func mustContain(t *testing.T, text string, wants ...string) {
	t.Helper()
	sq := squash(text)
	for _, w := range wants {
		if !strings.Contains(sq, squash(w)) {
			t.Errorf("text lacks %q", w)
		}
	}
}

func feedbackPDF(t testing.TB, d FeedbackData, opt Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteFeedback(&b, d, opt); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFeedbackText(t *testing.T) {
	d := testFeedback(40)
	pdf := feedbackPDF(t, d, Options{})
	text := pdfText(t, pdf, 0, 0)
	digest, err := d.Digest()
	if err != nil {
		t.Fatal(err)
	}
	n := pdfPages(t, pdf)
	mustContain(t, text,
		"东城区2026年度", "法治政府建设考核反馈报告", "被考核单位：东城区（区县）",
		"考核总分", assess.FormatScore(d.Standing.Total)+" 分（满分 100 分）",
		fmt.Sprintf("第 %d 名 / 共 %d 个单位", d.Standing.Rank, d.Standing.OutOf),
		"体系评价（指标考核）", "民意调查", "86.5 / 100", "现场督察", "18 / 20", "第三方评估（参考，不计入总分）", "91 / 100",
		assess.FormatScore(d.Standing.System), assess.FormatScore(d.Standing.Survey),
		"二、各指标得分情况", "权责清单动态管理", "材料齐全，符合达标标准。", "退回补充", "红色预警",
		"三、退回补充及低分整改事项", "请于整改期限内补充年度报告更正说明", "待整改",
		"四、督察线索扣分", "行政诉讼败诉", "2026-04-08", "一审判决被告败诉", "政府信息公开答复超期，扣1.5分。",
		"行政复议纠错", "2026-02-27", "共 2 条", "合计从体系评价原始得分中扣除 2 分",
		"减去督察线索扣分 2 分（2 条",
		"五、时间节点完成情况", "制定年度工作计划", "按时完成", "完成中期自查并报送自查报告", "2026-06-01", "2026-06-03", "逾期完成",
		"报送半年工作总结", "逾期未完成", "报送年度工作总结", "2026-11-25", "未到期",
		"六、各类别得分情况", "依法全面履行政府职能",
		"七、报告校验", "校验码（SHA-256）", digest[:32], digest[32:],
		"市委依法治市办", "2026年11月20日", "生成时间：2026-11-20 09:30",
		fmt.Sprintf("第 1 页 共 %d 页", n), fmt.Sprintf("第 %d 页 共 %d 页", n, n),
	)
	if d.Standing.Rank != 2 || d.Standing.OutOf != 3 {
		t.Errorf("fixture standing %+v, want rank 2 of 3", d.Standing)
	}
}

// TestFeedbackLongTable checks a 120-indicator report: the table breaks
// across pages, every page it runs onto starts with its header, and every
// indicator is printed.
func TestFeedbackLongTable(t *testing.T) {
	d := testFeedback(120)
	pdf := feedbackPDF(t, d, Options{})
	n := pdfPages(t, pdf)
	if n < 4 {
		t.Fatalf("%d pages for 120 indicators, want at least 4", n)
	}
	if len(pdf) > 300<<10 {
		t.Errorf("report is %d KB, want at most 300 KB", len(pdf)>>10)
	}
	header := "编号指标名称分值得分审核意见状态"
	start, end := 0, 0
	for p := 1; p <= n; p++ {
		page := squash(pdfLayout(t, pdf, p, p))
		if !strings.Contains(page, fmt.Sprintf("第%d页共%d页", p, n)) {
			t.Errorf("page %d lacks its page number", p)
		}
		if p > 1 && !strings.Contains(page, "东城区2026年度法治政府建设考核反馈报告") {
			t.Errorf("page %d lacks the running head", p)
		}
		if strings.Contains(page, "二、各指标得分情况") {
			start = p
		}
		if start > 0 && end == 0 {
			if !strings.Contains(page, header) {
				t.Errorf("page %d of the indicator table lacks the header", p)
			}
			if strings.Contains(page, "三、退回补充及低分整改事项") {
				end = p
			}
		}
	}
	if start == 0 || end-start < 2 {
		t.Fatalf("indicator table on pages %d–%d, want at least three pages", start, end)
	}
	text := squash(pdfLayout(t, pdf, 0, 0))
	for _, r := range d.Rows {
		if !strings.Contains(text, r.Indicator.Code+r.Indicator.Title) {
			t.Errorf("indicator %s %s not printed", r.Indicator.Code, r.Indicator.Title)
		}
	}
}

// TestFeedbackQR renders the verification page and reads the QR code back
// module by module from the pixels, and with zbarimg when it is installed.
func TestFeedbackQR(t *testing.T) {
	d := testFeedback(12)
	var layout bytes.Buffer
	pdf := feedbackPDF(t, d, Options{Layout: &layout})
	digest, _ := d.Digest()
	m := regexp.MustCompile(`(?m)^p(\d+) qr ([\d.]+),([\d.]+) ([\d.]+)mm (\d+) modules "([0-9a-f]+)"$`).FindStringSubmatch(layout.String())
	if m == nil {
		t.Fatalf("no QR code in the layout:\n%s", layout.String())
	}
	if m[6] != digest {
		t.Fatalf("QR code encodes %q, want the digest %q", m[6], digest)
	}
	page, _ := strconv.Atoi(m[1])
	x, _ := strconv.ParseFloat(m[2], 64)
	y, _ := strconv.ParseFloat(m[3], 64)
	size, _ := strconv.ParseFloat(m[4], 64)

	const dpi = 200
	dir := tempDir(t)
	out := filepath.Join(dir, "page")
	if b, err := exec.Command(tool(t, "pdftoppm"), "-r", strconv.Itoa(dpi), "-png", "-f", m[1], "-l", m[1], "-singlefile", writeTemp(t, "doc.pdf", pdf), out).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, b)
	}
	f, err := os.Open(out + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, err := qr.Encode(digest, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	px := func(mm float64) int { return int(mm / 25.4 * dpi) }
	module := size / float64(code.Size+2*qrQuiet)
	dark := func(col, row int) bool {
		cx := x + (float64(qrQuiet+col)+0.5)*module
		cy := y + (float64(qrQuiet+row)+0.5)*module
		r, g, b, _ := img.At(px(cx), px(cy)).RGBA()
		return (r+g+b)/3 < 0x8000
	}
	wrong := 0
	for row := -qrQuiet; row < code.Size+qrQuiet; row++ {
		for col := -qrQuiet; col < code.Size+qrQuiet; col++ {
			if dark(col, row) != code.Black(col, row) {
				wrong++
			}
		}
	}
	if wrong > 0 {
		t.Errorf("page %d: %d QR modules differ from the encoding of the digest", page, wrong)
	}
	if zbar, err := exec.LookPath("zbarimg"); err == nil {
		got, err := exec.Command(zbar, "-q", "--raw", out+".png").Output()
		if err != nil {
			t.Fatalf("zbarimg found no QR code: %v", err)
		}
		if strings.TrimSpace(string(got)) != digest {
			t.Errorf("zbarimg read %q, want %q", got, digest)
		}
	} else {
		t.Log("zbarimg not installed: QR checked module by module only")
	}
}

func TestFeedbackDigest(t *testing.T) {
	d := testFeedback(20)
	digest, err := d.Digest()
	if err != nil {
		t.Fatal(err)
	}
	canon, _ := d.CanonicalJSON()
	sum := sha256.Sum256(canon)
	if hex.EncodeToString(sum[:]) != digest {
		t.Fatal("Digest is not the SHA-256 of CanonicalJSON")
	}
	if !bytes.HasPrefix(canon, []byte(`{"kind":"feedback/v2","year":"2026","unit":"dongcheng","unit_name":"东城区"`)) {
		t.Errorf("canonical JSON starts %s", canon[:80])
	}
	same := func(name string, change func(*FeedbackData), want bool) {
		t.Run(name, func(t *testing.T) {
			c := testFeedback(20)
			change(&c)
			got, err := c.Digest()
			if err != nil {
				t.Fatal(err)
			}
			if (got == digest) != want {
				t.Errorf("digest equal = %v, want %v", got == digest, want)
			}
		})
	}
	same("generation time", func(c *FeedbackData) { c.GeneratedAt = c.GeneratedAt.Add(48 * time.Hour) }, true)
	same("row order", func(c *FeedbackData) {
		for i, j := 0, len(c.Rows)-1; i < j; i, j = i+1, j-1 {
			c.Rows[i], c.Rows[j] = c.Rows[j], c.Rows[i]
		}
	}, true)
	same("warnings", func(c *FeedbackData) { c.Rows[0].Warning = assess.Warning{Level: assess.Red, Reason: "x"} }, true)
	same("review time zone", func(c *FeedbackData) {
		c.Rows[0].Review.CreatedAt = c.Rows[0].Review.CreatedAt.UTC()
	}, true)
	same("a score", func(c *FeedbackData) { c.Rows[0].Task.Score += 0.1 }, false)
	same("a comment", func(c *FeedbackData) { c.Rows[0].Review.Comment += "。" }, false)
	same("the rank", func(c *FeedbackData) { c.Standing.Rank = 1 }, false)
	same("a survey score", func(c *FeedbackData) { c.External[0].Score = 80 }, false)
	same("a lead's deduction", func(c *FeedbackData) { c.Leads[1].Deduction = 2 }, false)
	same("a lead taken into account", func(c *FeedbackData) { c.Leads[0].Considered, c.Leads[0].Deduction = true, 1 }, false)
	same("a lead not taken into account", func(c *FeedbackData) { c.Leads[0].Summary += "。" }, true)
	same("lead order", func(c *FeedbackData) { c.Leads[1], c.Leads[2] = c.Leads[2], c.Leads[1] }, true)
	same("milestone states", func(c *FeedbackData) { c.Rows[1].Milestones[0].State = assess.MilestonePending }, true)
	same("a rectification deadline", func(c *FeedbackData) {
		for i := range c.Rows {
			if c.Rows[i].Rectification != nil {
				c.Rows[i].Rectification.Deadline = c.Rows[i].Rectification.Deadline.AddDate(0, 0, 1)
				return
			}
		}
		t.Fatal("fixture has no rectification")
	}, false)
}

func TestFeedbackDeterministic(t *testing.T) {
	a := feedbackPDF(t, testFeedback(30), Options{})
	b := feedbackPDF(t, testFeedback(30), Options{})
	if !bytes.Equal(a, b) {
		t.Error("the same data gave two different PDFs")
	}
}

func TestFeedbackNeedsGenerationTime(t *testing.T) {
	d := testFeedback(3)
	d.GeneratedAt = time.Time{}
	err := WriteFeedback(&bytes.Buffer{}, d, Options{})
	if assess.ErrorCode(err) != assess.EInvalid {
		t.Fatalf("err = %v, want an EInvalid error", err)
	}
}

// TestRareCharacters draws characters outside the common font: a BMP
// character beyond GB 2312 comes out right through the extended font; one
// beyond the BMP prints as 〓.
func TestRareCharacters(t *testing.T) {
	_, has := commonFont()
	if has['堃'] {
		t.Fatal("堃 is in the common set: pick another character for this test")
	}
	d := testFeedback(5)
	d.Unit.Name = "堃城区"
	d.Rows[0].Review.Comment = "请补充𠮷字号材料，去掉\u202e控制符\t和制表符。"
	text := pdfText(t, feedbackPDF(t, d, Options{}), 0, 0)
	mustContain(t, text, "堃城区2026年度", "请补充〓字号材料，去掉控制符 和制表符。")
	if strings.ContainsRune(text, '\u202e') {
		t.Error("a direction override reached the PDF")
	}
}

// TestFeedbackLeads reads the leads section back from the PDF: the leads
// taken into account by date with their indicator code and deduction, the
// total, and nothing of a lead not taken into account.
func TestFeedbackLeads(t *testing.T) {
	d := testFeedback(14)
	text := squash(pdfLayout(t, feedbackPDF(t, d, Options{}), 0, 0))
	start := strings.Index(text, "四、督察线索扣分")
	end := strings.Index(text, "五、时间节点完成情况")
	if start < 0 || end < start {
		t.Fatalf("no leads section before the milestones section:\n%s", text)
	}
	section := text[start:end]
	// Rows by date: source, date, indicator (— for none), deduction, and the
	// comment (— for none) on the row's first line; the total last.
	order := []string{"来源日期线索摘要相关指标扣分审核意见", "行政复议纠错2026-02-27—0.5—", "行政诉讼败诉2026-04-081.11.5", "合计共2条2"}
	at := 0
	for _, w := range order {
		i := strings.Index(section[at:], w)
		if i < 0 {
			t.Fatalf("leads section lacks %q after position %d:\n%s", w, at, section)
		}
		at += i + len(w)
	}
	for _, w := range []string{"复议机关以程序违法为由撤销区城", "原告诉被告不履行政府信息公开法", "政府信息公开答复超"} {
		if !strings.Contains(section, w) {
			t.Errorf("leads section lacks %q", w)
		}
	}
	if strings.Contains(text, "GD20260512001") || strings.Contains(text, "未出示执法证件") {
		t.Error("a lead not taken into account is printed")
	}
	// The system points printed are those of the scores less the 2 points.
	var sum, full float64
	for _, r := range d.Rows {
		full += r.Indicator.MaxScore
		if r.scored() {
			sum += r.Task.Score
		}
	}
	want := math.Round(testYear.Weights.System*(sum-2)/full*100) / 100
	if d.Standing.System != want {
		t.Errorf("system points %v, want %v", d.Standing.System, want)
	}
	if !strings.Contains(text, "体系评价（指标考核）"+assess.FormatScore(testYear.Weights.System)+assess.FormatScore(sum-2)+"/"+assess.FormatScore(full)+assess.FormatScore(want)) {
		t.Errorf("summary row lacks the net system score %s / %s and points %s", assess.FormatScore(sum-2), assess.FormatScore(full), assess.FormatScore(want))
	}
}

func TestFeedbackEmpty(t *testing.T) {
	d := testFeedback(0)
	text := pdfText(t, feedbackPDF(t, d, Options{}), 0, 0)
	mustContain(t, text, "本年度未向该单位分配考核指标。", "无退回补充或得分低于低分线的事项。", "四、督察线索扣分", "五、各类别得分情况", "六、报告校验")
	if strings.Contains(text, "时间节点完成情况") {
		t.Error("a milestones section without milestones")
	}
}

func TestCitySummaryText(t *testing.T) {
	d := testSummary()
	var b bytes.Buffer
	if err := WriteCitySummary(&b, d, Options{}); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes(), 0, 0)
	mustContain(t, text, "2026年度法治政府建设考核", "汇总报告", "一、总体情况", "参评单位", "5 个", "考核任务", "120 项",
		"二、分组排名", "（一）区县（3 个单位）", "（二）市直部门（2 个单位）",
		"三、各单位考核总分", "区县 · 南湖区", "四、指标完成与预警情况", "五、未销号整改事项",
		"补充规范性文件合法性审核台账", "2026-11-05", "已逾期", "市委依法治市办")
	for _, s := range d.Standings {
		mustContain(t, text, assess.FormatScore(s.Total))
	}
}

func TestChecklistText(t *testing.T) {
	d := testChecklist(10)
	var b bytes.Buffer
	if err := WriteChecklist(&b, d, Options{}); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes(), 0, 0)
	mustContain(t, text, "东城区2026年度", "佐证材料清单", "1.1 权责清单动态管理（已提交）", "（未提供材料）", "公开网页截图")
	// The file-name column, read on its own, has every name whole.
	names := squash(pdfStrip(t, b.Bytes(), marginLeft+9+22, 28))
	for _, it := range d.Items {
		for _, f := range it.Files {
			mustContain(t, text, f.Hash[:32], f.Hash[32:], FormatSize(f.Size))
			if !strings.Contains(names, squash(f.Name)) {
				t.Errorf("file-name column lacks %q", f.Name)
			}
		}
	}
}

func TestFormatSize(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KB"}, {1536, "1.5 KB"}, {5 << 20, "5.0 MB"}, {3 << 30, "3.0 GB"}} {
		if got := FormatSize(c.n); got != c.want {
			t.Errorf("FormatSize(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestWrap(t *testing.T) {
	var b bytes.Buffer
	err := renderPDF(&b, Options{}, "t", fixedNow, func(p *pdfDoc) error {
		p.setSize(10)
		for _, c := range []struct {
			text  string
			width float64
			want  []string
		}{
			{"", 50, []string{""}},
			{"一二三四五", 200, []string{"一二三四五"}},
			{"第一行\n第二行", 200, []string{"第一行", "第二行"}},
			// 3.5 mm a character at 10 pt: three fit in 11 mm; the
			// comma never starts a line.
			{"一二三，四五六七", 11, []string{"一二", "三，四", "五六七"}},
			{"hello world again", 15, []string{"hello", "world", "again"}},
		} {
			got := p.wrap(c.text, c.width)
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("wrap(%q, %v) = %q, want %q", c.text, c.width, got, c.want)
			}
			for _, line := range got {
				if w := p.width(line); w > c.width+1e-9 && len([]rune(line)) > 1 {
					t.Errorf("line %q is %.1f mm wide, more than %v", line, w, c.width)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
