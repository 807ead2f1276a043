package ui

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/server/demo"
)

// inspPhoto writes a small PNG photo into dir and returns its path.
func inspPhoto(t *testing.T, dir, name string, shade uint8) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for x := range 16 {
		for y := range 12 {
			img.Set(x, y, color.RGBA{R: shade, G: uint8(x * 10), B: uint8(y * 10), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return extWrite(t, dir, name, b.Bytes())
}

// inspFill fills the open inspection form.
func inspFill(t *testing.T, f *inspForm, date, inspectors, findings, score, max string) {
	t.Helper()
	if f == nil {
		t.Fatal("no inspection form is open")
	}
	f.date.SetText(date)
	f.inspectors.SetText(inspectors)
	f.findings.SetText(findings)
	f.score.SetText(score)
	f.max.SetText(max)
}

// inspLabels returns the texts of the labels inside o.
func inspLabels(o fyne.CanvasObject) string {
	var out []string
	extWalk(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text != "" {
			out = append(out, l.Text)
		}
	})
	return strings.Join(out, "\n")
}

// TestInspectionOfflineThenSynced records on-site inspection visits with
// photos while the server is down; once it is back and the window syncs,
// the server derives the unit's on-site score (the mean of the visits'
// rates) and its standing, a manual on-site score is no longer offered,
// and the reporting unit sees its components and the visits.
func TestInspectionOfflineThenSynced(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "server")
	srv, err := demo.Start(ctx, dir, 2026, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c := &city{Server: srv, t: t}
	addr := strings.TrimPrefix(srv.URL, "http://")
	rs, rdb := newTestShell(t, c, assess.Reviewer)
	a := reviewerExternalOf(t, rs)
	y := rs.year.ID
	files := t.TempDir()

	// The on-site column of a unit without visits still opens the score
	// form; its visits column opens the records.
	row := extRowOf(t, a, "dongcheng")
	onsiteCol := extColFirstSource + 2
	if main, _ := a.cellText(a.rows[row], extColVisits); main != "无" {
		t.Fatalf("visits cell %q", main)
	}
	a.table.Select(widget.TableCellID{Row: row, Col: extColVisits})
	rs.Idle()
	n := a.insp
	if a.tabs.SelectedIndex() != 1 || n.unitID != "dongcheng" || !n.right.Visible() {
		t.Fatalf("the visits column opened tab %d, unit %q", a.tabs.SelectedIndex(), n.unitID)
	}
	if n.derived.Text != "尚无督察记录，也未录入现场督察得分" {
		t.Fatalf("derived score line %q", n.derived.Text)
	}

	// The server stops: the visits are kept and queued.
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	test.Tap(n.addBtn)
	f := n.form
	if f == nil || f.date.Text != "2026-03-02" || f.max.Text != "100" {
		t.Fatalf("new visit form %v", f)
	}
	inspFill(t, f, "2026-03-05", "张三", "x", "85", "100")
	extTap(t, rs, "保存")
	if rs.dialogErr.Text != "督察日期 2026-03-05 晚于今天" {
		t.Fatalf("a future date: %q", rs.dialogErr.Text)
	}
	inspFill(t, f, "2026/2/27", "张三", "x", "85", "100")
	extTap(t, rs, "保存")
	if !strings.HasPrefix(rs.dialogErr.Text, "督察日期“2026/2/27”应写成 YYYY-MM-DD") {
		t.Fatalf("a bad date: %q", rs.dialogErr.Text)
	}
	inspFill(t, f, "2026-02-27", " 、，", "x", "85", "100")
	extTap(t, rs, "保存")
	if rs.dialogErr.Text != "请填写督察人员" {
		t.Fatalf("no inspectors: %q", rs.dialogErr.Text)
	}
	photo1 := inspPhoto(t, files, "执法窗口现场.png", 10)
	photo2 := inspPhoto(t, files, "案卷抽查.png", 200)
	f.addPhoto(photo1)
	rs.Idle()
	f.addPhoto(photo2)
	rs.Idle()
	if len(f.photos) != 2 || f.photos[0].Name != "执法窗口现场.png" {
		t.Fatalf("photos %+v", f.photos)
	}
	if text := inspLabels(f.photoBox); strings.Count(text, "待上传") != 2 {
		t.Fatalf("photo rows %q", text)
	}
	f.removePhoto(f.photos[1].Hash)
	inspFill(t, f, "2026-02-27", "张三、李四,王五", "执法公示栏未及时更新。\n两份案卷缺少法制审核意见。", "85", "100")
	extTap(t, rs, "保存")
	if n.form != nil {
		t.Fatalf("the form stayed open: %q", rs.dialogErr.Text)
	}
	// A second visit, scored out of 20.
	test.Tap(n.addBtn)
	inspFill(t, n.form, "2026-03-02", "赵六", "复查：问题已整改。", "18", "20")
	n.form.addPhoto(photo2)
	rs.Idle()
	extTap(t, rs, "保存")
	rs.SyncNow()
	rs.Idle()
	if p, _, _ := rdb.PendingCount(ctx); p != 2 {
		t.Fatalf("%d changes waiting while offline, want the 2 visits", p)
	}
	visits, err := rdb.Inspections(ctx, y, "dongcheng")
	if err != nil || len(visits) != 2 {
		t.Fatalf("visits kept offline: %d, %v", len(visits), err)
	}
	first := visits[1]
	if !first.Date.Equal(assess.Date(2026, 2, 27)) || strings.Join(first.Inspectors, "|") != "张三|李四|王五" ||
		first.Score != 85 || first.Max != 100 || len(first.Photos) != 1 || first.Photos[0].Name != "执法窗口现场.png" {
		t.Fatalf("first visit %+v", first)
	}
	// The list shows the local mean: (85% + 90%) ÷ 2 = 87.5, not yet the
	// server's.
	if len(n.cur) != 2 || n.derived.Text != "现场督察得分 87.5 / 100：2 次督察得分率的平均（待同步后由服务器计算）" {
		t.Fatalf("derived line %q with %d visits", n.derived.Text, len(n.cur))
	}
	if main, _ := a.cellText(a.rows[extRowOf(t, a, "dongcheng")], onsiteCol); main != "87.5 / 100" {
		t.Fatalf("on-site cell %q", main)
	}
	n.visits.Select(1)
	rs.Idle()
	if text := inspLabels(n.detail); !strings.Contains(text, "执法公示栏未及时更新。") || !strings.Contains(text, "待上传") {
		t.Fatalf("visit detail %q", text)
	}

	// A manual on-site score is not offered for the unit any more.
	a.openForm("dongcheng", assess.Onsite)
	if !a.edit.locked || !a.edit.score.Disabled() || !strings.HasPrefix(rs.dialogErr.Text, "该单位已有现场督察记录") {
		t.Fatalf("manual on-site form: locked %v, %q", a.edit.locked, rs.dialogErr.Text)
	}
	extTap(t, rs, "保存")
	if a.edit == nil {
		t.Fatal("the locked form saved")
	}
	extTap(t, rs, "取消")
	// Tapping the on-site cell opens the records instead.
	a.tabs.SelectIndex(0)
	a.table.Select(widget.TableCellID{Row: extRowOf(t, a, "dongcheng"), Col: onsiteCol})
	if a.edit != nil || a.tabs.SelectedIndex() != 1 {
		t.Fatal("the on-site cell of a unit with visits opened the score form")
	}

	// The server is back where it was; one sync sends photos and visits.
	srv, err = demo.StartOn(ctx, addr, dir, 2026, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	extSync(t, rs, rdb)
	e := extScores(t, rdb, y)[assess.ExternalID(y, "dongcheng", assess.Onsite)]
	if e.Score != 87.5 || e.Max != 100 || e.Version != 2 || e.Note != "根据 2 次现场督察记录计算" {
		t.Fatalf("the server's on-site score %+v", e)
	}
	// 现场督察 weighs 20: 20 × 87.5% = 17.5 points, first of the 区县.
	st := extStandings(t, rdb, y)
	if s := st["dongcheng"]; s.Onsite != 17.5 || s.Total != 17.5 || s.Rank != 1 {
		t.Fatalf("东城区 standing %+v", s)
	}
	states, err := rdb.UploadStates(ctx, []string{first.Photos[0].Hash})
	if err != nil || states[first.Photos[0].Hash] != localdb.UploadDone {
		t.Fatalf("photo upload state %v, %v", states, err)
	}
	if n.derived.Text != "现场督察得分 87.5 / 100：2 次督察得分率的平均" || !strings.HasPrefix(n.version.Text, "第 2 版 · ") {
		t.Fatalf("after the sync: %q %q", n.derived.Text, n.version.Text)
	}

	// Editing a visit replaces it: 85 → 75 makes the mean 82.5.
	n.visits.Select(1)
	test.Tap(n.editBtn)
	rs.Idle()
	if n.form == nil || n.form.in.ID != first.ID || n.form.inspectors.Text != "张三、李四、王五" || n.form.date.Text != "2026-02-27" {
		t.Fatalf("edit form %+v", n.form)
	}
	if text := inspLabels(n.form.photoBox); !strings.Contains(text, "已上传") {
		t.Fatalf("edited visit's photos %q", text)
	}
	n.form.score.SetText("75")
	extTap(t, rs, "保存")
	extSync(t, rs, rdb)
	e = extScores(t, rdb, y)[assess.ExternalID(y, "dongcheng", assess.Onsite)]
	if e.Score != 82.5 || e.Version != 3 {
		t.Fatalf("on-site score after the edit %+v", e)
	}
	if vs, _ := rdb.Inspections(ctx, y, "dongcheng"); len(vs) != 2 {
		t.Fatalf("%d visits after editing one", len(vs))
	}

	// The reporting unit (东城区) sees every component and the visits.
	ps, _ := newTestShell(t, c, assess.Reporter)
	if ps.user.UnitID != "dongcheng" {
		t.Fatalf("the demo reporter is of %s", ps.user.UnitID)
	}
	ps.Show("external")
	ps.Idle()
	pa := ps.areas["external"].(*reporterExternal)
	on := pa.cards[assess.Onsite]
	if on.score.Text != "82.5 / 100" || on.weight.Text != "满分 100 · 权重 20 · 计 16.5 分（得分率 82.5%）" ||
		on.note.Text != "根据 2 次现场督察记录计算" || !strings.HasPrefix(on.version.Text, "第 3 版 · ") {
		t.Fatalf("on-site card %q %q %q %q", on.score.Text, on.weight.Text, on.note.Text, on.version.Text)
	}
	if tp := pa.cards[assess.ThirdParty]; tp.weight.Text != "尚未录入" {
		t.Fatalf("third-party card %q", tp.weight.Text)
	}
	text := inspLabels(pa.visits)
	for _, want := range []string{"2026-03-02 · 得分 18 / 20 · 赵六", "2026-02-27 · 得分 75 / 100 · 张三、李四、王五",
		"两份案卷缺少法制审核意见。", "执法窗口现场.png", "案卷抽查.png"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the reporter's visits lack %q:\n%s", want, text)
		}
	}
	if !strings.Contains(pa.points.Text, "= 0 + 0 + 16.5 = 16.5 分（满分 100 分）") {
		t.Fatalf("points %q", pa.points.Text)
	}
	// A photo opens on the reporter's PC: downloaded and verified.
	var open *widget.Button
	extWalk(pa.visits, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "打开" && open == nil {
			open = b
		}
	})
	if open == nil {
		t.Fatal("the reporter's visits have no 打开 button")
	}
	test.Tap(open)
	ps.Idle()
	opened, _ := filepath.Glob(filepath.Join(ps.openDir(), "*-案卷抽查.png"))
	if len(opened) != 1 {
		t.Fatalf("opened photos %v", opened)
	}
	want, _ := os.ReadFile(photo2)
	if b, err := os.ReadFile(opened[0]); err != nil || !bytes.Equal(b, want) {
		t.Fatalf("the opened photo differs: %v", err)
	}
}

func TestInspectionParse(t *testing.T) {
	now := testNow
	for _, tc := range []struct {
		date, inspectors, findings, score, max string
		want                                   string
	}{
		{"", "张三", "x", "1", "100", "请填写督察日期"},
		{"2026-13-01", "张三", "x", "1", "100", "督察日期“2026-13-01”应写成 YYYY-MM-DD，如 2026-03-02"},
		{"2026-03-03", "张三", "x", "1", "100", "督察日期 2026-03-03 晚于今天"},
		{"2026-03-02", "、", "x", "1", "100", "请填写督察人员"},
		{"2026-03-02", "张三", "  ", "1", "100", "请填写督察发现"},
		{"2026-03-02", "张三", "x", "101", "100", "得分应在 0 到 100 之间"},
		{"2026-03-02", "张三", "x", "1", "0", "满分必须大于 0"},
		{"2026-03-02", "张三", "x", "9.125", "10", "得分最多保留两位小数"},
		{"2026-03-02", "张三；李四;张三", "x", "9.5", "10", ""},
	} {
		in, err := parseInspection(assess.Inspection{}, tc.date, tc.inspectors, tc.findings, tc.score, tc.max, now)
		if got := assess.ErrorMessage(err); got != tc.want {
			t.Errorf("parseInspection(%q, %q, %q, %q, %q) = %q, want %q", tc.date, tc.inspectors, tc.findings, tc.score, tc.max, got, tc.want)
		}
		if tc.want == "" && strings.Join(in.Inspectors, "|") != "张三|李四" {
			t.Errorf("inspectors %q", in.Inspectors)
		}
	}
}
