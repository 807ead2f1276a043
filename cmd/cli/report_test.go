package cli_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/cmd/cli"
)

// Tasks of the documents' city: 1.1 comes with the test city; 1.2 and 2.1
// arrive by the indicator import.
const (
	taskA12 = "2026-1.2@" + unitA
	taskA21 = "2026-2.1@" + unitA
	taskB11 = "ind-1-1@" + unitB
	taskB12 = "2026-1.2@" + unitB
)

// indicatorRows are the indicator workbook's rows by column title: "1" gets
// more points, "1.1" is exactly the indicator the city has (unchanged),
// the rest are new.
var indicatorRows = []map[string]any{
	{"编号": "1", "名称": "依法全面履行政府职能", "分值": 20},
	{"编号": "1.1", "上级编号": "1", "名称": "推行政府权责清单制度", "指标内容": "全面实行政府权责清单制度，推动各级政府高效履职尽责。",
		"达标标准": "权责清单向社会公布并动态调整", "需要查验的资料": "权责清单文件；公开网页截图", "分值": 10, "低分线": 6,
		"截止日期": "2026-11-30", "分配单位": "甲区、乙区"},
	{"编号": "1.2", "上级编号": "1", "名称": "行政许可事项清单管理", "分值": 10, "低分线": 6, "截止日期": "2026-12-15", "分配分组": "区县"},
	{"编号": "2", "名称": "完善依法行政制度体系", "分值": 10},
	{"编号": "2.1", "上级编号": "2", "名称": "规范性文件合法性审核", "分值": 10, "截止日期": "2026-10-31", "分配单位": "甲区"},
}

// badRow is wrong four times over: no title, a parent that does not
// exist, a max score that is not a number, an unknown unit.
var badRow = map[string]any{"编号": "3.1", "上级编号": "3", "名称": "", "分值": "十", "分配单位": "丙区"}

var externalRows = []map[string]any{
	{"单位": "甲区", "来源": "民意调查", "得分": 90, "满分": 100},
	{"单位": "甲区", "来源": "现场督察", "得分": 18, "满分": 20},
	{"单位": "乙区", "来源": "民意调查", "得分": 80, "满分": 100},
	{"单位": "乙区", "来源": "现场督察", "得分": 16, "满分": 20, "备注": "第二轮检查"},
}

// fill writes rows under the last row of the template's first sheet, each
// cell in the column whose header (without the leading *) is its key, and
// saves the workbook as a new file.
func fill(t *testing.T, template, name string, rows ...map[string]any) string {
	t.Helper()
	f, err := excelize.OpenFile(template)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	have, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]int{}
	for i, h := range have[0] {
		cols[strings.TrimPrefix(h, "*")] = i + 1
	}
	for i, row := range rows {
		for title, v := range row {
			col, ok := cols[title]
			if !ok {
				t.Fatalf("template has no column %q: %q", title, have[0])
			}
			cell, _ := excelize.CoordinatesToCellName(col, len(have)+1+i)
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	p := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// pending returns the desk's count of changes waiting to be sent.
func (d *desk) pending() string {
	d.t.Helper()
	f := field(d.ok("status"), "待推送 (pending)")
	if len(f) != 2 {
		d.t.Fatalf("status has no pending line")
	}
	return f[1]
}

// pdfText returns the text of a PDF as pdftotext reads it, without white
// space (pdftotext spaces Chinese text as it pleases).
func pdfText(t *testing.T, path string) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext is needed to read the PDFs back (apt-get install poppler-utils): %v", err)
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext %s: %v\n%s", path, err, out)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// sheetRow returns the row of a workbook's sheet whose first cell is key,
// with the cells' stored values (not as their number formats show them).
func sheetRow(t *testing.T, path, sheet, key string) []string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, r := range rows {
		if len(r) > 0 && r[0] == key {
			return r
		}
	}
	t.Fatalf("%s sheet %s has no row %q", path, sheet, key)
	return nil
}

// readCSV reads a CSV download: it must start with a UTF-8 byte-order mark.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Fatalf("%s does not start with a UTF-8 BOM", path)
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

// checkBundle opens an evidence bundle, re-verifies every file against the
// manifest's SHA-256 and size, and returns the file names it holds.
func checkBundle(t *testing.T, path string) []string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	mf, ok := files["manifest.csv"]
	if !ok {
		t.Fatalf("%s has no manifest.csv", path)
	}
	rc, err := mf.Open()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil || len(recs) < 1 {
		t.Fatalf("manifest: %v", err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	pathCol, hashCol, sizeCol := -1, -1, -1
	for h, i := range col {
		switch {
		case strings.Contains(h, "路径"):
			pathCol = i
		case strings.Contains(h, "SHA-256"):
			hashCol = i
		case strings.Contains(h, "大小"):
			sizeCol = i
		}
	}
	if pathCol < 0 || hashCol < 0 || sizeCol < 0 {
		t.Fatalf("manifest header %q", recs[0])
	}
	var names []string
	for _, rec := range recs[1:] {
		f, ok := files[rec[pathCol]]
		if !ok {
			t.Errorf("manifest names %q, not in the ZIP", rec[pathCol])
			continue
		}
		if f.Flags&0x800 == 0 {
			t.Errorf("%s lacks the UTF-8 flag", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != rec[hashCol] {
			t.Errorf("%s: SHA-256 %s, manifest says %s", f.Name, got, rec[hashCol])
		}
		if size, _ := strconv.ParseInt(rec[sizeCol], 10, 64); size != n {
			t.Errorf("%s: %d bytes, manifest says %s", f.Name, n, rec[sizeCol])
		}
		names = append(names, filepath.Base(f.Name))
	}
	if _, ok := files["index.xlsx"]; !ok {
		t.Errorf("%s has no index.xlsx", path)
	}
	return names
}

// submit drafts, attaches and submits a task from a unit's desk.
func (d *desk) submit(task, statement string, files ...string) {
	d.t.Helper()
	d.ok("draft", task, "--statement", statement)
	d.ok(append([]string{"attach", task}, files...)...)
	d.ok("submit", task)
}

// TestDocuments runs the year through the command line — an indicator
// import (refused with a bad row, then accepted, then a no-op), an external
// scores import, submissions, scores, a return and a rectification — and
// reads back every document made from the local databases.
func TestDocuments(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext is needed (apt-get install poppler-utils): %v", err)
	}
	c := newCity(t, false)
	office, a, b := c.desk(), c.desk(), c.desk()
	office.login("reviewer")
	a.login("rep-a")
	b.login("rep-b")
	office.ok("sync")
	dir := t.TempDir()

	// The indicator template, filled with one bad row: nothing is queued,
	// and every problem of the row is listed with its row and column.
	tpl := filepath.Join(dir, "指标导入模板.xlsx")
	office.ok("template", "indicators", "--out", tpl)
	badBook := fill(t, tpl, "指标-有误.xlsx", append(indicatorRows, badRow)...)
	r := office.run("", "import", "indicators", badBook)
	if r.code != cli.ExitError || !strings.Contains(r.err, "什么也没有导入") {
		t.Fatalf("import with a bad row: %+v", r)
	}
	badLine := strconv.Itoa(len(indicatorRows) + 4) // header, two example rows, the good rows
	var listed int
	for _, line := range strings.Split(r.err, "\n") {
		if strings.Contains(line, "第 "+badLine+" 行") {
			listed++
		}
	}
	for _, want := range []string{"名称", "“3”", "“十”", "丙区"} {
		if !strings.Contains(r.err, want) {
			t.Errorf("problems lack %q:\n%s", want, r.err)
		}
	}
	if listed < 4 {
		t.Errorf("%d problems listed on row %s, want 4:\n%s", listed, badLine, r.err)
	}
	if n := office.pending(); n != "0" {
		t.Fatalf("a refused import queued %s changes", n)
	}

	// The good workbook: "1" changes, "1.1" is the city's own, three are new.
	book := fill(t, tpl, "指标.xlsx", indicatorRows...)
	out := office.ok("import", "indicators", book)
	if !strings.Contains(out, "新增 3 项、修改 1 项指标，1 项未变化") {
		t.Fatalf("import: %s", out)
	}
	if n := office.pending(); n != "4" {
		t.Fatalf("import queued %s changes, want 4", n)
	}
	if out := office.ok("import", "indicators", book); !strings.Contains(out, "新增 0 项、修改 0 项指标，5 项未变化") {
		t.Errorf("second import: %s", out)
	}
	if n := office.pending(); n != "4" {
		t.Fatalf("the second import queued something: %s pending", n)
	}

	extTpl := filepath.Join(dir, "外部评估导入模板.xlsx")
	office.ok("template", "external", "--out", extTpl)
	extBook := fill(t, extTpl, "外部评估.xlsx", externalRows...)
	if out := office.ok("import", "external", extBook); !strings.Contains(out, "新增 4 项") {
		t.Fatalf("external import: %s", out)
	}
	if out := office.ok("import", "external", extBook); !strings.Contains(out, "新增 0 项、修改 0 项外部评估分数，4 项未变化") {
		t.Errorf("second external import: %s", out)
	}
	if out := office.ok("sync"); !strings.Contains(out, "待推送 0 项，被拒绝 0 项") {
		t.Fatalf("sync of the imports: %s", out)
	}
	if out := office.ok("import", "indicators", book); !strings.Contains(out, "新增 0 项、修改 0 项") {
		t.Errorf("import after sync: %s", out)
	}

	// The units file; the office scores, returns, and a low score opens a
	// rectification that the unit answers.
	a.ok("sync")
	b.ok("sync")
	a.submit(taskA, "已编制权责清单并在政府网站公布。", a.file("权责清单.pdf", 11, 30<<10), a.file("公开网页截图.png", 12, 12<<10))
	a.submit(taskA12, "行政许可事项清单已公布。", a.file("许可事项清单.pdf", 13, 20<<10))
	a.submit(taskA21, "建立合法性审核台账。", a.file("审核台账.pdf", 14, 9<<10))
	b.submit(taskB11, "乙区权责清单已公布。", b.file("乙区权责清单.pdf", 15, 25<<10))
	b.submit(taskB12, "乙区许可事项清单已公布。", b.file("乙区许可清单.pdf", 16, 8<<10))
	a.ok("sync")
	b.ok("sync")
	office.ok("sync")
	office.ok("review", taskA, "--score", "5", "--comment", "动态调整机制不健全。")
	office.ok("review", taskA12, "--score", "9", "--comment", "清单完整。")
	office.ok("review", taskA21, "--return", "--comment", "请补充审核意见书。")
	office.ok("review", taskB11, "--score", "8", "--comment", "较好。")
	office.ok("review", taskB12, "--score", "7.5", "--comment", "基本完成。")
	office.ok("sync")
	a.ok("sync")
	a.ok("respond", taskA, "--response", "已建立动态调整机制。", a.file("调整机制文件.pdf", 17, 7<<10))
	a.ok("sync")
	office.ok("sync")
	b.ok("sync")

	// 甲区: system 50 × 14/30 = 23.33, survey 27, on-site 18: 68.33, second
	// to 乙区's 38.75 + 24 + 16 = 78.75.
	t.Run("feedback", func(t *testing.T) {
		p := filepath.Join(dir, "甲区反馈报告.pdf")
		out := office.ok("report", "feedback", "--unit", "甲区", "--out", p, "--issuer", "市委依法治市办")
		digest := strings.TrimSpace(out[strings.LastIndex(out, "：")+len("："):])
		if len(digest) != 64 {
			t.Fatalf("no digest in %q", out)
		}
		text := pdfText(t, p)
		mustContain(t, "甲区's feedback report", text, "甲区", "68.33", "23.33", "第2名/共2个单位",
			"推行政府权责清单制度", "行政许可事项清单管理", "规范性文件合法性审核", "动态调整机制不健全。", "请补充审核意见书。",
			"待核验", "市委依法治市办", digest[:32], digest[32:])

		// The unit's own report, by default its own unit, has the same data.
		own := filepath.Join(dir, "本单位.pdf")
		if out := a.ok("report", "feedback", "--out", own); !strings.Contains(out, digest) {
			t.Errorf("the unit's own report has another digest: %s", out)
		}
		mustContain(t, "the unit's own report", pdfText(t, own), "甲区", "68.33")
	})

	t.Run("refusals", func(t *testing.T) {
		for _, tt := range []struct {
			d    *desk
			args []string
			want string
		}{
			{a, []string{"report", "feedback", "--unit", "乙区", "--out", filepath.Join(dir, "x.pdf")}, "只能生成本单位"},
			{a, []string{"report", "feedback", "--unit", unitB, "--out", filepath.Join(dir, "x.pdf")}, "只能生成本单位"},
			{a, []string{"report", "checklist", "--unit", "乙区", "--out", filepath.Join(dir, "x.pdf")}, "只能生成本单位"},
			{a, []string{"export", "bundle", "--unit", "乙区", "--out", filepath.Join(dir, "x.zip")}, "只能生成本单位"},
			{a, []string{"report", "city", "--out", filepath.Join(dir, "x.pdf")}, "只有审核用户"},
			{a, []string{"report", "feedback-all", "--out", filepath.Join(dir, "x")}, "只有审核用户"},
			{a, []string{"export", "matrix", "--out", filepath.Join(dir, "x.xlsx")}, "只有审核用户"},
			{a, []string{"import", "indicators", book}, "只有系统管理员"},
			{a, []string{"import", "external", extBook}, "只有审核用户"},
		} {
			r := tt.d.run("", tt.args...)
			if r.code != cli.ExitError || !strings.Contains(r.err, tt.want) {
				t.Errorf("%s: exit %d, want %d with %q\n%s", strings.Join(tt.args, " "), r.code, cli.ExitError, tt.want, r.err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "x.pdf")); !os.IsNotExist(err) {
			t.Errorf("a refused document was written: %v", err)
		}
	})

	t.Run("feedback-all", func(t *testing.T) {
		folder := filepath.Join(dir, "反馈报告")
		r := office.run("", "report", "feedback-all", "--out", folder)
		if r.code != cli.ExitOK || !strings.Contains(r.out, "已生成 2 份") {
			t.Fatalf("feedback-all: %+v", r)
		}
		for _, want := range []string{"[1/2] ", "[2/2] ", "甲区 → 2026年度-甲区-反馈报告.pdf", "乙区 → 2026年度-乙区-反馈报告.pdf"} {
			if !strings.Contains(r.err, want) {
				t.Errorf("progress lacks %q:\n%s", want, r.err)
			}
		}
		entries, _ := os.ReadDir(folder)
		if len(entries) != 2 {
			t.Fatalf("folder holds %d files, want 2 reports", len(entries))
		}
		mustContain(t, "乙区's report", pdfText(t, filepath.Join(folder, "2026年度-乙区-反馈报告.pdf")), "乙区", "78.75", "第1名/共2个单位", "7.5")
		mustContain(t, "甲区's report", pdfText(t, filepath.Join(folder, "2026年度-甲区-反馈报告.pdf")), "甲区", "68.33")
	})

	t.Run("city", func(t *testing.T) {
		p := filepath.Join(dir, "全市汇总.pdf")
		office.ok("report", "city", "--out", p)
		mustContain(t, "the city summary", pdfText(t, p), "2026年度法治政府建设考核汇总报告", "区县", "甲区", "乙区", "78.75", "68.33", "推行政府权责清单制度")
	})

	t.Run("checklist", func(t *testing.T) {
		p := filepath.Join(dir, "佐证材料清单.pdf")
		out := a.ok("report", "checklist", "--out", p)
		if !strings.Contains(out, "3 项任务") {
			t.Errorf("checklist: %s", out)
		}
		mustContain(t, "the checklist", pdfText(t, p), "甲区", "佐证材料清单", "权责清单.pdf", "公开网页截图.png", "许可事项清单.pdf", "审核台账.pdf", "调整机制文件.pdf")
	})

	t.Run("exports", func(t *testing.T) {
		m := filepath.Join(dir, "得分矩阵.xlsx")
		office.ok("export", "matrix", "--out", m)
		row := sheetRow(t, m, "得分矩阵", "甲区")
		// 单位, 分组, 1.1, 1.2, 2.1, 得分合计, 满分合计, 体系, 民意, 现场, 总分, 排名
		want := []string{"甲区", "区县", "5", "9", "", "14", "30", "23.33", "27", "18", "68.33", "2"}
		if strings.Join(row, "|") != strings.Join(want, "|") {
			t.Errorf("matrix row %q, want %q", row, want)
		}

		rk := filepath.Join(dir, "排名.csv")
		office.ok("export", "ranking", "--out", rk)
		recs := readCSV(t, rk)
		if len(recs) != 3 || recs[1][2] != "乙区" || recs[1][6] != "78.75" || recs[2][2] != "甲区" || recs[2][1] != "2" {
			t.Errorf("ranking CSV %q", recs)
		}

		pg := filepath.Join(dir, "进度.xlsx")
		office.ok("export", "progress", "--format", "xlsx", "--out", pg)
		if row := sheetRow(t, pg, "进度与预警", "甲区"); len(row) < 8 || row[2] != "3" || row[6] != "1" || row[7] != "2" {
			t.Errorf("progress row %q: want 3 tasks, 1 returned, 2 scored", row)
		}

		wn := filepath.Join(dir, "预警.csv")
		office.ok("export", "warnings", "--out", wn)
		text := fmtRecords(readCSV(t, wn))
		mustContain(t, "the warnings", text, "红色预警", "黄色预警", "甲区", "规范性文件合法性审核")

		rc := filepath.Join(dir, "整改.xlsx")
		office.ok("export", "rectifications", "--out", rc)
		if row := sheetRow(t, rc, "整改情况", "甲区"); len(row) < 11 || row[1] != "1.1" || row[6] != "待核验" || row[10] != "已建立动态调整机制。" {
			t.Errorf("rectification row %q", row)
		}

		// The local history: what this PC holds, without digests.
		hi := filepath.Join(dir, "本机审核记录.csv")
		r := office.run("", "export", "history", "--from", "2026-03-02", "--to", "2026-03-02", "--out", hi)
		if r.code != cli.ExitOK || !strings.Contains(r.err, "export audit") {
			t.Fatalf("history: %+v", r)
		}
		recs = readCSV(t, hi)
		text = fmtRecords(recs)
		mustContain(t, "the local history", text, "提交材料 (task.submit)", "赋分 (review.score)", "退回补充 (review.return)",
			"开具整改 (rect.open)", "整改反馈 (rect.respond)", "外部评估分数 (external.save)", "甲区填报员", "市依法治市办审核员", "第 1 版赋分 5 分")
		if len(recs) != 1+5+5+1+1+4 { // header, submissions, reviews, rectification opened and answered, external scores
			t.Errorf("the local history has %d rows:\n%s", len(recs)-1, text)
		}
		if len(recs[0]) != 6 || strings.Contains(strings.Join(recs[0], ","), "摘要") {
			t.Errorf("the local history's header %q: want 6 columns and no digests", recs[0])
		}
		office.ok("export", "history", "--from", "2026-03-03", "--out", hi, "--format", "csv")
		if recs := readCSV(t, hi); len(recs) != 1 {
			t.Errorf("local history from the next day has %d rows", len(recs)-1)
		}
	})

	// The server's audit log, fetched in pages of 7 and read back: every
	// event of the period with the hashes the server's chain holds.
	t.Run("audit", func(t *testing.T) {
		ctx := context.Background()
		day := time.Date(2026, 3, 2, 0, 0, 0, 0, assess.CST)
		events, err := c.store.AuditEvents(ctx, day, day.AddDate(0, 0, 1), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := c.store.VerifyAudit(ctx)
		if err != nil || !rep.OK {
			t.Fatalf("verify: %+v, %v", rep, err)
		}
		if len(events) < 30 || int64(len(events)) != rep.Events {
			t.Fatalf("the store holds %d events of the day, the chain %d", len(events), rep.Events)
		}
		au := filepath.Join(dir, "审计日志.csv")
		r := office.run("", "export", "audit", "--from", "2026-03-02", "--to", "2026-03-02", "--out", au)
		if r.code != cli.ExitOK || !strings.Contains(r.err, "yiwangtong-server verify") {
			t.Fatalf("audit: %+v", r)
		}
		if !strings.Contains(r.out, fmt.Sprintf("%d 条事件", len(events))) || !strings.Contains(r.out, rep.Head) {
			t.Errorf("audit output lacks the count %d or the head %s:\n%s", len(events), rep.Head, r.out)
		}
		recs := readCSV(t, au)
		if len(recs) != 1+len(events) {
			t.Fatalf("the audit CSV has %d rows, the server %d events", len(recs)-1, len(events))
		}
		if h := strings.Join(recs[0], ","); !strings.Contains(h, "本条摘要 SHA-256") || !strings.Contains(h, "上一条摘要") {
			t.Errorf("audit header %q", h)
		}
		for i, ev := range events {
			want := []string{strconv.FormatInt(ev.Seq, 10), ev.Time.In(assess.CST).Format(time.DateTime), "", "", ev.Subject, string(ev.Data), ev.Hash, ev.Prev}
			got := recs[i+1]
			for j, w := range want {
				if w != "" && (j >= len(got) || got[j] != w) {
					t.Fatalf("row %d column %d: %q, want %q (row %q)", i+1, j+1, got[j], w, got)
				}
			}
			if i > 0 && got[7] != recs[i][6] {
				t.Fatalf("row %d does not link to the row before it", i+1)
			}
		}
		if last := recs[len(recs)-1]; last[6] != rep.Head {
			t.Errorf("the last hash %s is not the chain's head %s", last[6], rep.Head)
		}
		mustContain(t, "the audit log", fmtRecords(recs), "赋分 (review.score)", "退回补充 (review.return)", "提交材料 (task.submit)",
			"上传佐证材料 (blob.add)", "添加账号 (user.add)", "系统 (system)", "市依法治市办审核员 (u-reviewer)", "甲区填报员 (u-rep-a)",
			"动态调整机制不健全。")
		if strings.Contains(fmtRecords(recs), "$argon2id$") {
			t.Error("the audit log holds a password hash")
		}

		// The whole log as a workbook, with no period.
		ax := filepath.Join(dir, "审计日志.xlsx")
		office.ok("export", "audit", "--out", ax)
		f, err := excelize.OpenFile(ax)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("审计日志", excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+len(events) {
			t.Fatalf("the audit workbook has %d rows, the server %d events", len(rows)-1, len(events))
		}
		for i, ev := range events {
			row := append(rows[i+1], make([]string, 8)...)
			if row[0] != strconv.FormatInt(ev.Seq, 10) || row[4] != ev.Subject || row[5] != string(ev.Data) || row[6] != ev.Hash || row[7] != ev.Prev {
				t.Fatalf("workbook row %d %q, want event %+v", i+1, rows[i+1], ev)
			}
		}

		// A period with nothing in it: the header alone.
		office.ok("export", "audit", "--from", "2026-03-03", "--out", au, "--format", "csv")
		if recs := readCSV(t, au); len(recs) != 1 {
			t.Errorf("the audit log from the next day has %d rows", len(recs)-1)
		}
		// Reporting users may not download it.
		if r := a.run("", "export", "audit", "--out", filepath.Join(dir, "x.csv")); r.code != cli.ExitError || !strings.Contains(r.err, "只有审核用户") {
			t.Errorf("a reporter's audit export: %+v", r)
		}
	})

	t.Run("bundle", func(t *testing.T) {
		// The office has none of 甲区's files yet: they are downloaded first.
		p := filepath.Join(dir, "甲区材料.zip")
		r := office.run("", "export", "bundle", "--unit", "甲区", "--out", p)
		if r.code != cli.ExitOK || !strings.Contains(r.err, "正在从服务器下载") || !strings.Contains(r.out, "5 份文件") {
			t.Fatalf("bundle: %+v", r)
		}
		names := strings.Join(checkBundle(t, p), " ")
		for _, want := range []string{"权责清单.pdf", "公开网页截图.png", "许可事项清单.pdf", "审核台账.pdf", "调整机制文件.pdf"} {
			if !strings.Contains(names, want) {
				t.Errorf("bundle lacks %s: %s", want, names)
			}
		}
		all := filepath.Join(dir, "全部材料.zip")
		office.ok("export", "bundle", "--out", all)
		if n := len(checkBundle(t, all)); n != 7 {
			t.Errorf("the year's bundle holds %d files, want 7", n)
		}
		// A damaged copy in the evidence store stops the bundle: no ZIP,
		// not even a partial one, is left behind.
		var blob string
		filepath.WalkDir(filepath.Join(office.data, "evidence"), func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && len(e.Name()) == 64 && blob == "" {
				blob = p
			}
			return nil
		})
		if blob == "" {
			t.Fatal("no downloaded evidence in the office's store")
		}
		good, err := os.ReadFile(blob)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(blob, 0o600); err != nil {
			t.Fatal(err)
		}
		bad := append([]byte{}, good...)
		bad[len(bad)/2] ^= 0xff
		if err := os.WriteFile(blob, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		folder := t.TempDir()
		r = office.run("", "export", "bundle", "--out", filepath.Join(folder, "损坏.zip"))
		if r.code != cli.ExitError || !strings.Contains(r.err, "已损坏") {
			t.Errorf("bundle with a damaged file: %+v", r)
		}
		if entries, _ := os.ReadDir(folder); len(entries) != 0 {
			t.Errorf("a failed bundle left %d files", len(entries))
		}
		if err := os.WriteFile(blob, good, 0o600); err != nil {
			t.Fatal(err)
		}

		own := filepath.Join(dir, "本单位材料.zip")
		a.ok("export", "bundle", "--out", own)
		if n := len(checkBundle(t, own)); n != 5 {
			t.Errorf("the unit's own bundle holds %d files, want 5", n)
		}
	})

	// Offline, a reviewer's PC without 乙区's files lists them and writes
	// no ZIP at all.
	t.Run("bundle offline", func(t *testing.T) {
		late := c.desk()
		late.login("reviewer")
		late.ok("sync")
		c.http.Close()
		folder := t.TempDir()
		p := filepath.Join(folder, "乙区材料.zip")
		r := late.run("", "export", "bundle", "--unit", "乙区", "--out", p)
		if r.code != cli.ExitOffline || !strings.Contains(r.err, "未生成材料包") {
			t.Fatalf("offline bundle: %+v", r)
		}
		for _, want := range []string{"乙区权责清单.pdf", "乙区许可清单.pdf"} {
			if !strings.Contains(r.err, want) {
				t.Errorf("missing list lacks %s:\n%s", want, r.err)
			}
		}
		if entries, _ := os.ReadDir(folder); len(entries) != 0 {
			t.Errorf("the folder holds %d files after a failed bundle", len(entries))
		}
		// The audit log lives on the server: offline it is refused with exit
		// code 3, and no file (least of all the local history) is written.
		r = late.run("", "export", "audit", "--from", "2026-03-01", "--out", filepath.Join(folder, "审计日志.xlsx"))
		if r.code != cli.ExitOffline || !strings.Contains(r.err, "审计日志只保存在服务器上") {
			t.Fatalf("offline audit export: %+v", r)
		}
		if entries, _ := os.ReadDir(folder); len(entries) != 0 {
			t.Errorf("the folder holds %d files after an offline audit export", len(entries))
		}
		// Everything else works offline.
		late.ok("report", "feedback", "--unit", "乙区", "--out", filepath.Join(folder, "乙区.pdf"))
		late.ok("export", "matrix", "--out", filepath.Join(folder, "矩阵.csv"))
		late.ok("export", "history", "--out", filepath.Join(folder, "本机审核记录.xlsx"))
	})
}

func fmtRecords(recs [][]string) string {
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteByte('\n')
	}
	return b.String()
}

// TestDocumentUsage checks the document commands' own command-line errors.
func TestDocumentUsage(t *testing.T) {
	c := newCity(t, false)
	d := c.desk()
	dir := t.TempDir()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"help", "report"}, cli.ExitOK, "feedback-all"},
		{[]string{"help", "export"}, cli.ExitOK, "yiwangtong-server verify"},
		{[]string{"help", "export"}, cli.ExitOK, "export history"},
		{[]string{"help", "import"}, cli.ExitOK, "第二次不会产生任何修改"},
		{[]string{"report", "feedback", "--out", filepath.Join(dir, "x.pdf")}, cli.ExitError, "尚未登录"},
		{[]string{"template", "indicators"}, cli.ExitUsage, "--out"},
		{[]string{"template", "plans", "--out", filepath.Join(dir, "x.xlsx")}, cli.ExitUsage, "没有“plans”这种模板"},
	}
	for _, tt := range tests {
		r := d.run("", tt.args...)
		if r.code != tt.code || !strings.Contains(r.out+r.err, tt.want) {
			t.Errorf("yiwangtong %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", strings.Join(tt.args, " "), r.code, tt.code, tt.want, r.out, r.err)
		}
	}
	d.login("reviewer")
	d.ok("sync")
	tests = []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report"}, cli.ExitUsage, "feedback、feedback-all"},
		{[]string{"report", "poster", "--out", filepath.Join(dir, "x.pdf")}, cli.ExitUsage, "没有“poster”这种文档"},
		{[]string{"report", "feedback", "--out", filepath.Join(dir, "x.pdf")}, cli.ExitUsage, "--unit"},
		{[]string{"report", "feedback", "--unit", "甲区"}, cli.ExitUsage, "--out"},
		{[]string{"report", "city", "--unit", "甲区", "--out", filepath.Join(dir, "x.pdf")}, cli.ExitUsage, "不使用 --unit"},
		{[]string{"report", "feedback", "--unit", "丙区", "--out", filepath.Join(dir, "x.pdf")}, cli.ExitError, "没有找到单位“丙区”"},
		{[]string{"report", "feedback", "--unit", "甲区", "--year", "2030", "--out", filepath.Join(dir, "x.pdf")}, cli.ExitError, "没有找到考核年度“2030”"},
		{[]string{"report", "feedback", "--unit", "甲区", "--out", filepath.Join(dir, "no-such-folder", "x.pdf")}, cli.ExitError, "不存在"},
		{[]string{"export", "matrix", "--format", "pdf", "--out", filepath.Join(dir, "x.pdf")}, cli.ExitUsage, "xlsx 或 csv"},
		{[]string{"export", "matrix", "--from", "2026-01-01", "--out", filepath.Join(dir, "x.xlsx")}, cli.ExitUsage, "不使用 --from"},
		{[]string{"export", "audit", "--from", "2026/13/01", "--out", filepath.Join(dir, "x.csv")}, cli.ExitUsage, "格式不对"},
		{[]string{"export", "audit", "--from", "2026-04-01", "--to", "2026-03-01", "--out", filepath.Join(dir, "x.csv")}, cli.ExitUsage, "不能晚于"},
		{[]string{"export", "audit", "--year", "2026", "--out", filepath.Join(dir, "x.csv")}, cli.ExitUsage, "不使用 --year"},
		{[]string{"export", "history", "--to", "2026-13-01", "--out", filepath.Join(dir, "x.csv")}, cli.ExitUsage, "格式不对"},
		{[]string{"import", "indicators"}, cli.ExitUsage, "文件"},
		{[]string{"import", "indicators", filepath.Join(dir, "none.xlsx")}, cli.ExitError, "无法打开文件"},
		{[]string{"import", "plans", filepath.Join(dir, "none.xlsx")}, cli.ExitUsage, "只能导入"},
	}
	for _, tt := range tests {
		r := d.run("", tt.args...)
		if r.code != tt.code || !strings.Contains(r.out+r.err, tt.want) {
			t.Errorf("yiwangtong %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", strings.Join(tt.args, " "), r.code, tt.code, tt.want, r.out, r.err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed commands left %d files behind", len(entries))
	}
	// Not a workbook: refused, nothing queued.
	junk := filepath.Join(dir, "junk.xlsx")
	if err := os.WriteFile(junk, []byte("not a workbook"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := d.run("", "import", "indicators", junk); r.code != cli.ExitError {
		t.Errorf("import of a non-workbook: %+v", r)
	}
	if n := d.pending(); n != "0" {
		t.Errorf("%s changes queued by failed imports", n)
	}
}
