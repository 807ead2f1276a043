package ui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

// photoExts are the files the photo dialog offers.
var photoExts = []string{".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".heic"}

// inspections is the reviewers' 现场督察记录 tab: the assessed units with
// their number of visits and derived on-site score; for the unit picked,
// its visits, newest first, and the one picked in full with its photos.
// Visits are added and edited in a form and queued like any other change.
type inspections struct {
	a       *reviewerExternal
	box     fyne.CanvasObject
	rows    []extRow
	unitID  string // the unit picked, "" for none
	units   *widget.List
	title   *widget.Label
	derived *widget.Label
	version *widget.Label
	visits  *widget.List
	cur     []assess.Inspection // the unit's visits
	sel     int                 // the visit picked, -1 for none
	detail  *fyne.Container
	scroll  *container.Scroll              // around detail
	states  map[string]localdb.UploadState // the picked visit's photos
	seq     int
	empty   *widget.Label
	right   fyne.CanvasObject

	addBtn, editBtn *widget.Button
	form            *inspForm // the form shown, nil when none
}

func newInspections(a *reviewerExternal) *inspections {
	n := &inspections{a: a, sel: -1}
	n.units = widget.NewList(
		func() int { return len(n.rows) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("市市场监督管理局")
			name.Truncation = fyne.TextTruncateEllipsis
			info := widget.NewLabel("3 次 · 85.5 分")
			return container.NewBorder(nil, nil, nil, info, name)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			name, info := box.Objects[0].(*widget.Label), box.Objects[1].(*widget.Label)
			if id < 0 || id >= len(n.rows) {
				return
			}
			r := n.rows[id]
			name.SetText(r.Unit.Name)
			if len(r.Visits) == 0 {
				info.SetText(T("无记录"))
				return
			}
			mean, _ := assess.OnsiteScore(r.Visits)
			info.SetText(T("%d 次 · %s 分", len(r.Visits), assess.FormatScore(mean)))
		},
	)
	n.units.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(n.rows) && n.rows[id].Unit.ID != n.unitID {
			n.unitID = n.rows[id].Unit.ID
			n.sel = -1
			n.show()
		}
	}
	n.title = widget.NewLabel("")
	n.title.TextStyle.Bold = true
	n.derived = widget.NewLabel("")
	n.derived.Wrapping = fyne.TextWrapWord
	n.version = widget.NewLabel("")
	n.addBtn = widget.NewButtonWithIcon(T("新增督察记录"), theme.ContentAddIcon(), func() { n.openForm(assess.Inspection{}) })
	n.addBtn.Importance = widget.HighImportance
	n.editBtn = widget.NewButtonWithIcon(T("编辑"), theme.DocumentCreateIcon(), func() {
		if n.sel >= 0 && n.sel < len(n.cur) {
			n.openForm(n.cur[n.sel])
		}
	})
	n.editBtn.Disable()
	n.visits = widget.NewList(
		func() int { return len(n.cur) },
		func() fyne.CanvasObject {
			head := widget.NewLabel("2026-03-02 · 85 / 100 · 张三、李四")
			head.Truncation = fyne.TextTruncateEllipsis
			head.TextStyle.Bold = true
			text := widget.NewLabel("督察发现")
			text.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(head, text)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			if id < 0 || id >= len(n.cur) {
				return
			}
			v := n.cur[id]
			box.Objects[0].(*widget.Label).SetText(visitHead(v))
			box.Objects[1].(*widget.Label).SetText(strings.ReplaceAll(v.Findings, "\n", " "))
		},
	)
	n.visits.OnSelected = func(id widget.ListItemID) {
		n.sel = id
		n.editBtn.Enable()
		n.showDetail()
	}
	n.detail = container.NewVBox()
	n.empty = widget.NewLabel(T("请在左侧选择单位"))
	n.empty.Importance = widget.LowImportance
	head := container.NewBorder(nil, nil, nil, container.NewVBox(container.NewHBox(n.addBtn, n.editBtn)), container.NewVBox(n.title, n.derived, n.version))
	n.scroll = container.NewVScroll(n.detail)
	split := container.NewVSplit(n.visits, n.scroll)
	split.Offset = 0.5
	n.right = container.NewBorder(head, nil, nil, nil, split)
	n.right.Hide()
	outer := container.NewHSplit(n.units, container.NewStack(container.NewCenter(n.empty), n.right))
	outer.Offset = 0.28
	n.box = outer
	return n
}

func (n *inspections) view() fyne.CanvasObject { return n.box }

// setRows takes the reloaded units and their visits, keeping the unit and
// visit picked.
func (n *inspections) setRows(rows []extRow) {
	n.rows = rows
	n.units.Refresh()
	if n.unitID != "" {
		n.show()
	}
}

// selectUnit picks a unit, as tapping it in the list does.
func (n *inspections) selectUnit(unitID string) {
	for i, r := range n.rows {
		if r.Unit.ID == unitID {
			n.units.Select(i)
			return
		}
	}
}

// rowOf returns the picked unit's row.
func (n *inspections) rowOf(unitID string) (extRow, bool) {
	for _, r := range n.rows {
		if r.Unit.ID == unitID {
			return r, true
		}
	}
	return extRow{}, false
}

// show writes the picked unit's derived score and visits.
func (n *inspections) show() {
	r, ok := n.rowOf(n.unitID)
	if !ok {
		n.unitID = ""
		n.right.Hide()
		n.empty.Show()
		return
	}
	n.empty.Hide()
	n.right.Show()
	prevID := ""
	if n.sel >= 0 && n.sel < len(n.cur) {
		prevID = n.cur[n.sel].ID
	}
	n.cur = r.Visits
	n.sel = -1
	for i, v := range n.cur {
		if v.ID == prevID {
			n.sel = i
		}
	}
	n.title.SetText(T("%s的现场督察记录", r.Unit.Name))
	n.derived.SetText(onsiteText(r.Visits, r.Scores[assess.Onsite]))
	n.version.SetText(extVersionText(r.Scores[assess.Onsite]))
	n.visits.Refresh()
	if n.sel >= 0 {
		n.visits.Select(n.sel)
		n.showDetail()
		return
	}
	n.visits.UnselectAll()
	n.editBtn.Disable()
	n.setDetail(nil)
}

// onsiteText words a unit's on-site score: derived from its visits when it
// has any (the server computes the same mean), else entered by hand.
func onsiteText(visits []assess.Inspection, e assess.ExternalScore) string {
	if len(visits) == 0 {
		if e.ID == "" {
			return T("尚无督察记录，也未录入现场督察得分")
		}
		return T("尚无督察记录；现场督察得分 %s（手工录入，新增督察记录后改为由记录计算）", extScoreText(e))
	}
	mean, _ := assess.OnsiteScore(visits)
	text := T("现场督察得分 %s / 100：%d 次督察得分率的平均", assess.FormatScore(mean), len(visits))
	if e.ID == "" || e.Score != mean || e.Max != 100 {
		text += T("（待同步后由服务器计算）")
	}
	return text
}

// visitHead is a visit's first line: date, score, inspectors.
func visitHead(v assess.Inspection) string {
	return T("%s · 得分 %s / %s · %s", v.Date.In(assess.CST).Format("2006-01-02"),
		assess.FormatScore(v.Score), assess.FormatScore(v.Max), strings.Join(v.Inspectors, "、"))
}

// showDetail shows the picked visit in full, with its photos' upload
// states read in the background.
func (n *inspections) showDetail() {
	if n.sel < 0 || n.sel >= len(n.cur) {
		return
	}
	s := n.a.s
	v := n.cur[n.sel]
	n.seq++
	seq := n.seq
	hashes := make([]string, len(v.Photos))
	for i, p := range v.Photos {
		hashes[i] = p.Hash
	}
	n.setDetail(visitView(s, v, nil))
	background(s, func(ctx context.Context) (map[string]localdb.UploadState, error) {
		return s.db().UploadStates(ctx, hashes)
	}, func(states map[string]localdb.UploadState, err error) {
		if seq != n.seq || err != nil {
			return
		}
		n.states = states
		n.setDetail(visitView(s, v, states))
	})
}

// setDetail shows objs as the picked visit's detail.
func (n *inspections) setDetail(objs []fyne.CanvasObject) {
	n.detail.Objects = objs
	n.detail.Refresh()
	n.scroll.Refresh()
}

// visitView shows one visit: date, score and inspectors; findings; the
// photos, each with its upload state when states is given, and 打开.
func visitView(s *Shell, v assess.Inspection, states map[string]localdb.UploadState) []fyne.CanvasObject {
	head := widget.NewLabel(visitHead(v))
	head.TextStyle.Bold = true
	head.Wrapping = fyne.TextWrapWord
	findings := widget.NewLabel(v.Findings)
	findings.Wrapping = fyne.TextWrapWord
	out := []fyne.CanvasObject{head, findings}
	if len(v.Photos) == 0 {
		none := widget.NewLabel(T("无照片"))
		none.Importance = widget.LowImportance
		return append(out, none)
	}
	for _, p := range v.Photos {
		out = append(out, photoRow(s, p, states, nil))
	}
	return out
}

// visitViews shows a unit's visits for its reporting unit, one after the
// other, or says there is none.
func visitViews(s *Shell, visits []assess.Inspection) []fyne.CanvasObject {
	if len(visits) == 0 {
		l := widget.NewLabel(T("暂无现场督察记录"))
		l.Importance = widget.LowImportance
		return []fyne.CanvasObject{l}
	}
	var out []fyne.CanvasObject
	for i, v := range visits {
		if i > 0 {
			out = append(out, widget.NewSeparator())
		}
		out = append(out, visitView(s, v, nil)...)
	}
	return out
}

// photoRow shows a photo: its name, size and (when states knows it) upload
// state, 打开 and, when remove is given, 移除.
func photoRow(s *Shell, p assess.Attachment, states map[string]localdb.UploadState, remove func()) fyne.CanvasObject {
	name := widget.NewLabel(p.Name)
	name.Truncation = fyne.TextTruncateEllipsis
	text := formatBytes(p.Size)
	st, known := states[p.Hash]
	if known {
		text = T("%s · %s", text, filingUpload(st))
	}
	info := widget.NewLabel(text)
	info.Importance = widget.LowImportance
	if st == localdb.UploadWaiting || st == localdb.UploadStarted {
		info.Importance = widget.WarningImportance
	}
	open := widget.NewButtonWithIcon(T("打开"), theme.FileIcon(), func() { s.openEvidence(p) })
	btns := container.NewHBox(info, open)
	if remove != nil {
		rm := widget.NewButtonWithIcon(T("移除"), theme.DeleteIcon(), remove)
		rm.Importance = widget.DangerImportance
		btns.Add(rm)
	}
	return container.NewBorder(nil, nil, widget.NewIcon(theme.MediaPhotoIcon()), btns, name)
}

// inspForm is the 新增/编辑 form of a visit.
type inspForm struct {
	n          *inspections
	in         assess.Inspection // the visit edited; ID "" for a new one
	date       *keyEntry
	inspectors *keyEntry
	findings   *keyEntry
	score      *keyEntry
	max        *keyEntry
	photos     []assess.Attachment
	states     map[string]localdb.UploadState
	photoBox   *fyne.Container
	adding     int // photos being added to the store
	errLine    *widget.Label
	dlg        dialog.Dialog
}

// openForm shows the form of a visit of the picked unit; a zero
// Inspection starts a new one dated today.
func (n *inspections) openForm(in assess.Inspection) {
	s := n.a.s
	if n.unitID == "" {
		return
	}
	f := &inspForm{n: n, in: in, photos: slices.Clone(in.Photos), states: map[string]localdb.UploadState{}}
	f.date, f.inspectors, f.score, f.max = s.newEntry(), s.newEntry(), s.newEntry(), s.newEntry()
	f.findings = s.newEntry()
	f.findings.MultiLine = true
	f.findings.Wrapping = fyne.TextWrapWord
	f.findings.SetMinRowsVisible(4)
	f.date.SetPlaceHolder("YYYY-MM-DD")
	f.inspectors.SetPlaceHolder(T("多人用逗号或顿号分隔，如：张三、李四"))
	f.findings.SetPlaceHolder(T("督察发现的情况、存在的问题和整改要求"))
	f.score.SetPlaceHolder(T("0 到满分之间，最多两位小数"))
	if in.ID == "" {
		f.date.SetText(assess.DayOf(s.now()).Format("2006-01-02"))
		f.max.SetText("100")
	} else {
		f.date.SetText(in.Date.In(assess.CST).Format("2006-01-02"))
		f.inspectors.SetText(strings.Join(in.Inspectors, "、"))
		f.findings.SetText(in.Findings)
		f.score.SetText(assess.FormatScore(in.Score))
		f.max.SetText(assess.FormatScore(in.Max))
	}
	f.photoBox = container.NewVBox()
	photoScroll := container.NewVScroll(f.photoBox)
	photoScroll.SetMinSize(fyne.NewSize(0, 96))
	add := widget.NewButtonWithIcon(T("添加照片…"), theme.ContentAddIcon(), func() { s.askOpenPath(photoExts, f.addPhoto) })
	items := []*widget.FormItem{
		widget.NewFormItem(T("督察日期"), f.date),
		widget.NewFormItem(T("督察人员"), f.inspectors),
		widget.NewFormItem(T("督察发现"), f.findings),
		widget.NewFormItem(T("得分"), f.score),
		widget.NewFormItem(T("满分"), f.max),
		widget.NewFormItem(T("照片"), container.NewBorder(nil, add, nil, nil, photoScroll)),
	}
	title := T("新增现场督察记录：%s", s.unitName(n.unitID))
	if in.ID != "" {
		title = T("编辑现场督察记录：%s", s.unitName(n.unitID))
	}
	n.form = f
	f.dlg = s.form(title, T("保存"), items, f.submit)
	f.errLine = s.dialogErr
	f.dlg.SetOnClosed(func() {
		if n.form == f {
			n.form = nil
		}
	})
	f.showPhotos()
	f.loadStates()
}

// loadStates reads the upload state of the form's photos.
func (f *inspForm) loadStates() {
	s := f.n.a.s
	hashes := make([]string, len(f.photos))
	for i, p := range f.photos {
		hashes[i] = p.Hash
	}
	background(s, func(ctx context.Context) (map[string]localdb.UploadState, error) {
		return s.db().UploadStates(ctx, hashes)
	}, func(states map[string]localdb.UploadState, err error) {
		if err != nil {
			return
		}
		for h, st := range states {
			f.states[h] = st
		}
		f.showPhotos()
	})
}

// showPhotos lists the form's photos.
func (f *inspForm) showPhotos() {
	s := f.n.a.s
	var rows []fyne.CanvasObject
	for _, p := range f.photos {
		rows = append(rows, photoRow(s, p, f.states, func() { f.removePhoto(p.Hash) }))
	}
	if f.adding > 0 {
		l := widget.NewLabel(T("正在添加 %d 张照片…", f.adding))
		l.Importance = widget.LowImportance
		rows = append(rows, l)
	}
	if len(rows) == 0 {
		l := widget.NewLabel(T("未附照片"))
		l.Importance = widget.LowImportance
		rows = append(rows, l)
	}
	f.photoBox.Objects = rows
	f.photoBox.Refresh()
}

// removePhoto takes a photo off the visit (the file stays on this PC).
func (f *inspForm) removePhoto(hash string) {
	f.photos = slices.DeleteFunc(f.photos, func(p assess.Attachment) bool { return p.Hash == hash })
	f.showPhotos()
}

// addPhoto adds the file at path to the evidence store as a photo of the
// visit; a refused file is named in the form's error line.
func (f *inspForm) addPhoto(path string) {
	s := f.n.a.s
	f.adding++
	f.showPhotos()
	background(s, func(ctx context.Context) (assess.Attachment, error) {
		return s.db().AddEvidence(ctx, path)
	}, func(att assess.Attachment, err error) {
		f.adding--
		if err != nil {
			f.showPhotos()
			if f.errLine != nil {
				f.errLine.SetText(T("照片“%s”未能添加：%s", filepath.Base(path), message(err)))
				f.errLine.Show()
			}
			return
		}
		att.Slot = -1
		if !slices.ContainsFunc(f.photos, func(p assess.Attachment) bool { return p.Hash == att.Hash }) {
			f.photos = append(f.photos, att)
		}
		f.loadStates()
	})
}

// submit checks the form and queues the visit; its error is shown in the
// form's error line.
func (f *inspForm) submit() error {
	s := f.n.a.s
	if s.year.ID == "" {
		return assess.Errorf(assess.EInvalid, "%s", T("还没有考核年度，请同步后再录入"))
	}
	if err := s.year.CheckWritable(); err != nil {
		return err
	}
	in, err := parseInspection(f.in, f.date.Text, f.inspectors.Text, f.findings.Text, f.score.Text, f.max.Text, s.now())
	if err != nil {
		return err
	}
	if f.adding > 0 {
		return assess.Errorf(assess.EInvalid, "%s", T("照片正在添加，请稍候再保存"))
	}
	in.YearID, in.UnitID = s.year.ID, f.n.unitID
	in.Photos = slices.Clone(f.photos)
	if err := in.Validate(); err != nil {
		return err
	}
	s.act(func(ctx context.Context) error {
		_, err := s.db().SaveInspection(ctx, in)
		return err
	}, nil)
	return nil
}

// parseInspection checks a visit's typed fields and returns prev with
// them; now bounds the date.
func parseInspection(prev assess.Inspection, dateText, inspectorsText, findingsText, scoreText, maxText string, now time.Time) (assess.Inspection, error) {
	in := prev
	invalid := func(msg string) (assess.Inspection, error) {
		return in, assess.Errorf(assess.EInvalid, "%s", msg)
	}
	dateText = strings.TrimSpace(dateText)
	if dateText == "" {
		return in, errEmpty(T("督察日期"))
	}
	d, err := time.ParseInLocation("2006-01-02", dateText, assess.CST)
	if err != nil {
		return invalid(T("督察日期“%s”应写成 YYYY-MM-DD，如 2026-03-02", dateText))
	}
	if d.After(assess.DayOf(now)) {
		return invalid(T("督察日期 %s 晚于今天", dateText))
	}
	in.Date = d
	in.Inspectors = splitNames(inspectorsText)
	if len(in.Inspectors) == 0 {
		return in, errEmpty(T("督察人员"))
	}
	in.Findings = strings.TrimSpace(findingsText)
	if in.Findings == "" {
		return in, errEmpty(T("督察发现"))
	}
	in.Score, in.Max, err = extScoreOf(scoreText, maxText)
	return in, err
}

// splitNames splits a list of names written with commas, 顿号 or
// semicolons (Chinese or not), dropping empty ones and repeats.
func splitNames(text string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool {
		return strings.ContainsRune(",，、;；\n\r\t", r)
	}) {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
