package ui

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report"
)

// dlArea shows 数据下载 in s and returns it.
func dlArea(t *testing.T, s *Shell) *download {
	t.Helper()
	s.Show("download")
	s.Idle()
	a, ok := s.areas["download"].(*download)
	if !ok || s.Current() != "download" {
		t.Fatalf("数据下载 not shown (current %q)", s.Current())
	}
	return a
}

// dlSheet reads back the first sheet of a workbook.
func dlSheet(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// dlActiveUnits returns the units that have tasks in the year.
func dlActiveUnits(t *testing.T, db *localdb.DB, yearID string) []string {
	t.Helper()
	tasks, err := db.Tasks(context.Background(), localdb.TaskFilter{YearID: yearID})
	if err != nil {
		t.Fatal(err)
	}
	var units []string
	for _, v := range tasks {
		if !slices.Contains(units, v.UnitID) {
			units = append(units, v.UnitID)
		}
	}
	return units
}

// dlExport runs one download of the area to path as the save dialog would,
// and returns the message shown.
func dlExport(t *testing.T, s *Shell, a *download, kind, path string) string {
	t.Helper()
	a.export(kind, path)
	s.Idle()
	if a.errLabel.Visible() {
		t.Fatalf("%s: %s", kind, a.errLabel.Text)
	}
	text := indDialogText(indTopDialog(t, s))
	indCloseDialogs(s)
	if !strings.Contains(text, path) {
		t.Fatalf("%s: the message does not name %s:\n%s", kind, path, text)
	}
	return text
}

func TestDownloadTables(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reviewer)
	a := dlArea(t, s)
	dir := t.TempDir()
	units := dlActiveUnits(t, db, "2026")
	if len(units) != 12 {
		t.Fatalf("%d units with tasks in the demo year", len(units))
	}
	if got := a.fileName(exportMatrix); got != "完成情况矩阵-2026年.xlsx" {
		t.Fatalf("default matrix file name %q", got)
	}

	matrix := filepath.Join(dir, "完成情况矩阵.xlsx")
	if text := dlExport(t, s, a, exportMatrix, matrix); !strings.Contains(text, "共 12 行") {
		t.Fatalf("matrix message: %s", text)
	}
	rows := dlSheet(t, matrix)
	if len(rows) != 1+len(units) || rows[0][0] != "单位" || rows[0][1] != "排名分组" || !slices.Contains(rows[0], "总分") {
		t.Fatalf("matrix: %d rows, header %v", len(rows), rows[0])
	}
	var names []string
	for _, r := range rows[1:] {
		names = append(names, r[0])
	}
	if !slices.Contains(names, "东城区") || !slices.Contains(names, "市公安局") || slices.Contains(names, "市委依法治市办") {
		t.Fatalf("matrix units %v", names)
	}

	a.rows[exportRanking].format.SetSelected("CSV")
	if got := a.fileName(exportRanking); got != "排名-2026年.csv" {
		t.Fatalf("default ranking file name %q", got)
	}
	ranking := filepath.Join(dir, "排名.csv")
	dlExport(t, s, a, exportRanking, ranking)
	raw, err := os.ReadFile(ranking)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF")) {
		t.Fatal("the ranking CSV has no BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 1+len(units) || recs[0][0] != "排名分组" || recs[0][1] != "名次" || recs[0][2] != "单位" {
		t.Fatalf("ranking: %d rows, header %v", len(recs), recs[0])
	}
	ranked := map[string]bool{}
	for _, r := range recs[1:] {
		if n, err := strconv.Atoi(r[1]); err != nil || n < 1 || n > 6 {
			t.Fatalf("rank %q in %v", r[1], r)
		}
		ranked[r[2]] = true
	}
	for _, name := range names {
		if !ranked[name] {
			t.Fatalf("%s is not ranked: %v", name, recs)
		}
	}

	e := s.exporter()
	for _, tc := range []struct{ kind, format, header string }{
		{exportProgress, formatXLSX, "完成率"},
		{exportWarnings, formatCSV, "预警等级"},
		{exportRects, formatXLSX, "整改要求"},
		{exportHistory, formatCSV, "操作人"},
	} {
		path := filepath.Join(dir, tc.kind+"."+tc.format)
		if _, err := e.table(context.Background(), tc.kind, tc.format, path, testNow.AddDate(0, -1, 0), testNow); err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		var header []string
		if tc.format == formatCSV {
			raw, _ := os.ReadFile(path)
			r, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF")))).Read()
			if err != nil {
				t.Fatal(err)
			}
			header = r
		} else {
			header = dlSheet(t, path)[0]
		}
		if !slices.Contains(header, tc.header) {
			t.Fatalf("%s header %v lacks %s", tc.kind, header, tc.header)
		}
	}
	progress := dlSheet(t, filepath.Join(dir, exportProgress+".xlsx"))
	if len(progress) != 1+len(units) {
		t.Fatalf("progress has %d rows", len(progress))
	}

	// A period that is not one is shown in red, and nothing is asked.
	r := a.rows[exportHistory]
	r.from.SetText("2026-13-01")
	a.choose(exportHistory)
	if !a.errLabel.Visible() || !strings.Contains(a.errLabel.Text, "起始日期“2026-13-01”格式不对") {
		t.Fatalf("bad from date: %q", a.errLabel.Text)
	}
	r.from.SetText("2026-04-01")
	r.to.SetText("2026-03-01")
	a.export(exportHistory, filepath.Join(dir, "history.xlsx"))
	s.Idle()
	if !strings.Contains(a.errLabel.Text, "起始日期不能晚于结束日期") {
		t.Fatalf("reversed period: %q", a.errLabel.Text)
	}
	if _, err := os.Stat(filepath.Join(dir, "history.xlsx")); !os.IsNotExist(err) {
		t.Fatal("a refused export wrote a file")
	}
}

func TestDownloadAudit(t *testing.T) {
	c := newCity(t)
	s, _ := newTestShell(t, c, assess.Reviewer)
	a := dlArea(t, s)
	dir := t.TempDir()
	path := filepath.Join(dir, "审计日志.xlsx")
	text := dlExport(t, s, a, exportAudit, path)
	if !strings.Contains(text, "条事件") {
		t.Fatalf("audit message: %s", text)
	}
	rows := dlSheet(t, path)
	if len(rows) < 3 || rows[0][0] != "序号" || rows[0][6] != "本条摘要 SHA-256" {
		t.Fatalf("audit log: %d rows, header %v", len(rows), rows[0])
	}
	for i := 2; i < len(rows); i++ {
		prev, cur := rows[i-1], rows[i]
		if len(cur) < 8 || len(prev) < 7 || cur[7] != prev[6] || len(cur[6]) != 64 {
			t.Fatalf("row %d does not chain to row %d: %v / %v", i, i-1, prev, cur)
		}
	}
	if !strings.Contains(text, strconv.Itoa(len(rows)-1)) {
		t.Fatalf("message %q does not count %d events", text, len(rows)-1)
	}

	// Offline the audit log cannot be had: a message, and no file.
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	offline := filepath.Join(dir, "离线审计日志.xlsx")
	a.export(exportAudit, offline)
	s.Idle()
	if !a.errLabel.Visible() || !strings.Contains(a.errLabel.Text, "审计日志只保存在服务器上") {
		t.Fatalf("offline audit export: %q", a.errLabel.Text)
	}
	if _, err := os.Stat(offline); !os.IsNotExist(err) {
		t.Fatal("the offline audit export wrote a file")
	}
}

func TestDownloadBundle(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	// A reporting unit submits two files.
	rs, rdb := newTestShell(t, c, assess.Reporter)
	tasks, err := rdb.Tasks(ctx, localdb.TaskFilter{YearID: "2026"})
	if err != nil || len(tasks) == 0 {
		t.Fatalf("reporter tasks: %d, %v", len(tasks), err)
	}
	task := tasks[0]
	contents := map[string][]byte{
		"依法行政工作方案.pdf": append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("依法行政"), 4000)...),
		"会议纪要.txt":     []byte("2026年法治政府建设专题会议纪要"),
	}
	var atts []assess.Attachment
	for _, name := range []string{"依法行政工作方案.pdf", "会议纪要.txt"} {
		att, err := rdb.AddEvidenceReader(ctx, name, bytes.NewReader(contents[name]))
		if err != nil {
			t.Fatal(err)
		}
		att.Slot = len(atts)
		atts = append(atts, att)
	}
	if err := rdb.SaveDraft(ctx, task.ID, "已制定年度依法行政工作方案并召开专题会议。", atts); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Submit(ctx, task.ID); err != nil {
		t.Fatal(err)
	}
	rs.SyncNow()
	rs.Idle()
	if p, r := indPending(t, rdb); p != 0 || r != 0 {
		t.Fatalf("the reporter's submission did not go out: %d waiting, %d refused", p, r)
	}

	// Two reviewers on their own PCs: neither has the files yet.
	s, db := newTestShell(t, c, assess.Reviewer)
	deps2, db2 := testDeps(t)
	s2 := loginShell(t, c, deps2, c.account(assess.Reviewer))
	for _, att := range atts {
		if has, _ := db.HasBlob(ctx, att.Hash); has {
			t.Fatal("the reviewer has the evidence before downloading it")
		}
	}
	a := dlArea(t, s)
	if got := a.fileName(exportBundle); got != "佐证材料包-2026年-全部单位.zip" {
		t.Fatalf("default bundle name %q", got)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "佐证材料包.zip")
	text := dlExport(t, s, a, exportBundle, path)
	if !strings.Contains(text, "2 份文件") {
		t.Fatalf("bundle message: %s", text)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	mf, ok := files[report.ManifestName]
	if !ok || files[report.IndexName] == nil {
		var names []string
		for n := range files {
			names = append(names, n)
		}
		t.Fatalf("bundle entries %v", names)
	}
	rc, _ := mf.Open()
	raw, _ := io.ReadAll(rc)
	rc.Close()
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		i := slices.IndexFunc(recs[0], func(h string) bool { return strings.Contains(h, name) })
		if i < 0 {
			t.Fatalf("manifest header %v lacks %s", recs[0], name)
		}
		return i
	}
	pathCol, hashCol := 0, col("SHA-256")
	if len(recs) != 1+len(atts) {
		t.Fatalf("manifest lists %d files, want %d", len(recs)-1, len(atts))
	}
	for _, r := range recs[1:] {
		f, ok := files[r[pathCol]]
		if !ok {
			t.Fatalf("manifest names %q, not in the ZIP", r[pathCol])
		}
		fr, _ := f.Open()
		body, _ := io.ReadAll(fr)
		fr.Close()
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != r[hashCol] {
			t.Fatalf("%s: content hash differs from the manifest", r[pathCol])
		}
		if !slices.ContainsFunc(atts, func(at assess.Attachment) bool {
			return at.Hash == r[hashCol] && bytes.Equal(contents[at.Name], body)
		}) {
			t.Fatalf("%s is not a file the unit submitted", r[pathCol])
		}
	}
	for _, att := range atts {
		if has, _ := db.HasBlob(ctx, att.Hash); !has {
			t.Fatalf("%s was not kept after downloading", att.Name)
		}
	}

	// The second reviewer is offline: the missing files are listed and
	// nothing is written.
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	a2 := dlArea(t, s2)
	offline := filepath.Join(dir, "离线材料包.zip")
	if err := os.WriteFile(offline, nil, 0o644); err != nil { // as the save dialog leaves it
		t.Fatal(err)
	}
	a2.export(exportBundle, offline)
	s2.Idle()
	list := indDialogText(indTopDialog(t, s2))
	if !strings.Contains(list, "有 2 份佐证材料不在本机") || !strings.Contains(list, "未生成材料包") {
		t.Fatalf("offline bundle message: %s", list)
	}
	for _, att := range atts {
		if !strings.Contains(list, att.Name) {
			t.Fatalf("%s is not listed as missing:\n%s", att.Name, list)
		}
	}
	if _, err := os.Stat(offline); !os.IsNotExist(err) {
		t.Fatal("the offline bundle left a file")
	}
	if has, _ := db2.HasBlob(ctx, atts[0].Hash); has {
		t.Fatal("the offline reviewer has a file it could not download")
	}
}
