package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// FeedbackData is everything a unit's feedback report (反馈报告) prints. The
// desktop client and `yiwangtong report feedback` fill it from the local
// database (localdb builds the rows from the unit's tasks, their latest
// reviews and rectifications, and the standing from assess.Rank).
type FeedbackData struct {
	Year     assess.Year
	Unit     assess.Unit
	Group    assess.Group
	Standing assess.Standing // the unit's total and rank within its group
	// External holds the unit's latest external scores (third-party,
	// survey, on-site), printed with their raw score and maximum.
	External []assess.ExternalScore
	// Categories are the first-level indicators, whose titles label the
	// chart of scores by category; a category with no rows is left out.
	Categories []assess.Indicator
	// Rows are the unit's tasks, one per assigned leaf indicator. They are
	// printed in code order whatever their order here.
	Rows []FeedbackRow
	// Leads are the unit's leads (督察线索) of the year that a reviewer took
	// into account (已纳入考核), each with its deduction from the system
	// score, which Standing already includes. They are printed by date
	// whatever their order here; leads not taken into account are ignored.
	Leads []assess.Lead
	// Issuer is the office that issues the report (落款), e.g. 市委依法治市办.
	Issuer string
	// GeneratedAt is when the report is made: printed, and the PDF's date.
	// It is not part of the digest.
	GeneratedAt time.Time
}

// FeedbackRow is one task of the unit in its feedback report.
type FeedbackRow struct {
	Indicator assess.Indicator
	Task      assess.Task
	// Review is the task's latest review, nil when it has none.
	Review *assess.Review
	// Rectification is the task's rectification (整改), nil when none.
	Rectification *assess.Rectification
	// Warning is the task's warning at GeneratedAt (assess.TaskWarning).
	Warning assess.Warning
	// Milestones are where the unit stands on each milestone (时间节点) of
	// the indicator at GeneratedAt, in the indicator's order; none when the
	// indicator has no milestones.
	Milestones []MilestoneStatus
}

// MilestoneStatus is where a unit stands on one milestone of a task.
type MilestoneStatus struct {
	Milestone assess.Milestone
	// Due is the day the milestone is actually due (Milestone.DueDay: a
	// holiday moves it to the next working day).
	Due time.Time
	// State is Milestone.State at the report's GeneratedAt.
	State assess.MilestoneState
	// FiledAt is when the unit first filed it, zero when it has not.
	FiledAt time.Time
}

// NewMilestoneStatuses returns where a unit stands on each milestone of in
// at now, given the task's filings by milestone ID, with the working-day
// calendar cal (nil: assess.ChinaCalendar()).
func NewMilestoneStatuses(in assess.Indicator, filings map[string]assess.MilestoneFiling, now time.Time, cal *assess.Calendar) []MilestoneStatus {
	var out []MilestoneStatus
	for _, m := range in.Milestones {
		st := MilestoneStatus{Milestone: m, Due: m.DueDay(cal)}
		var fp *assess.MilestoneFiling
		if f, ok := filings[m.ID]; ok {
			fp = &f
			st.FiledAt = f.FiledAt
		}
		st.State = m.State(fp, now, cal)
		out = append(out, st)
	}
	return out
}

// considered returns the leads taken into account, by date, then source
// and record ID.
func considered(leads []assess.Lead) []assess.Lead {
	var out []assess.Lead
	for _, l := range leads {
		if l.Considered {
			out = append(out, l)
		}
	}
	slices.SortStableFunc(out, func(a, b assess.Lead) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// scored reports whether the row's task has a score.
func (r FeedbackRow) scored() bool { return r.Task.Status == assess.Scored || r.Task.Scored }

// low reports whether the row's score is below the indicator's threshold.
func (r FeedbackRow) low() bool { return r.scored() && r.Task.Score < r.Indicator.Threshold() }

// canonFeedback is the canonical form of a feedback report's data: what the
// digest covers. Field order and names are part of the format; change them
// only with a new Kind.
type canonFeedback struct {
	Kind     string          `json:"kind"`
	Year     string          `json:"year"`
	Unit     string          `json:"unit"`
	UnitName string          `json:"unit_name"`
	Group    string          `json:"group"`
	Weights  assess.Weights  `json:"weights"`
	Standing canonStanding   `json:"standing"`
	External []canonExternal `json:"external"`
	Items    []canonItem     `json:"items"`
	Leads    []canonLead     `json:"leads"`
}

type canonLead struct {
	Source    assess.LeadSource `json:"source"`
	RecordID  string            `json:"record_id"`
	Date      string            `json:"date"`
	Summary   string            `json:"summary"`
	Indicator string            `json:"indicator"` // the indicator's ID, "" for none
	Deduction float64           `json:"deduction"`
	Comment   string            `json:"comment"`
}

type canonStanding struct {
	System float64 `json:"system"`
	Survey float64 `json:"survey"`
	Onsite float64 `json:"onsite"`
	Total  float64 `json:"total"`
	Rank   int     `json:"rank"`
	OutOf  int     `json:"out_of"`
}

type canonExternal struct {
	Source assess.Source `json:"source"`
	Score  float64       `json:"score"`
	Max    float64       `json:"max"`
}

type canonItem struct {
	Code       string          `json:"code"`
	Title      string          `json:"title"`
	Max        float64         `json:"max"`
	Status     assess.Status   `json:"status"`
	Score      *float64        `json:"score"` // null until scored
	Version    int             `json:"version"`
	Comment    string          `json:"comment"`
	Reviewer   string          `json:"reviewer"`
	ReviewedAt string          `json:"reviewed_at"`
	Rect       *canonRect      `json:"rectification"`
	Decision   assess.Decision `json:"decision"`
}

type canonRect struct {
	State    assess.RectState `json:"state"`
	Demand   string           `json:"demand"`
	Deadline string           `json:"deadline"`
}

// CanonicalJSON returns the canonical JSON of the report's data, the input
// of Digest: kind "feedback/v2"; the year, unit and group IDs and the unit's
// name; the weights and standing; the external scores ordered by source;
// per task, ordered by indicator code, the code, title, max, status,
// score (null until scored), submission version, latest review (decision,
// comment, reviewer, time) and rectification (state, demand, deadline);
// and the leads taken into account, by date, with their source, record ID,
// day (YYYY-MM-DD in China Standard Time), summary, indicator ID, deduction
// and comment. Times are RFC 3339 in UTC. Warnings, milestone states and GeneratedAt depend on when the report
// is made and are left out, so the server can recompute the digest from its
// records at any time.
func (d FeedbackData) CanonicalJSON() ([]byte, error) {
	c := canonFeedback{
		Kind:     "feedback/v2",
		Year:     d.Year.ID,
		Unit:     d.Unit.ID,
		UnitName: d.Unit.Name,
		Group:    d.Unit.GroupID,
		Weights:  d.Year.Weights,
		Standing: canonStanding{
			System: d.Standing.System, Survey: d.Standing.Survey, Onsite: d.Standing.Onsite,
			Total: d.Standing.Total, Rank: d.Standing.Rank, OutOf: d.Standing.OutOf,
		},
		External: []canonExternal{},
		Items:    []canonItem{},
		Leads:    []canonLead{},
	}
	for _, l := range considered(d.Leads) {
		c.Leads = append(c.Leads, canonLead{Source: l.Source, RecordID: l.RecordID, Date: assess.DayOf(l.Date).Format("2006-01-02"), Summary: l.Summary,
			Indicator: l.IndicatorID, Deduction: l.Deduction, Comment: l.Comment})
	}
	for _, e := range d.External {
		c.External = append(c.External, canonExternal{Source: e.Source, Score: e.Score, Max: e.Max})
	}
	slices.SortStableFunc(c.External, func(a, b canonExternal) int { return cmp.Compare(a.Source, b.Source) })
	for _, r := range sortedRows(d.Rows) {
		it := canonItem{
			Code:    r.Indicator.Code,
			Title:   r.Indicator.Title,
			Max:     r.Indicator.MaxScore,
			Status:  r.Task.Status,
			Version: r.Task.Version,
		}
		if r.scored() {
			s := r.Task.Score
			it.Score = &s
		}
		if r.Review != nil {
			it.Decision = r.Review.Decision
			it.Comment = r.Review.Comment
			it.Reviewer = r.Review.Reviewer
			it.ReviewedAt = canonTime(r.Review.CreatedAt)
		}
		if r.Rectification != nil {
			it.Rect = &canonRect{State: r.Rectification.State, Demand: r.Rectification.Demand, Deadline: canonTime(r.Rectification.Deadline)}
		}
		c.Items = append(c.Items, it)
	}
	return canonicalJSON(c)
}

// Digest returns the lowercase hex SHA-256 of CanonicalJSON: the
// verification code printed on the report and encoded in its QR code.
func (d FeedbackData) Digest() (string, error) {
	b, err := d.CanonicalJSON()
	if err != nil {
		return "", fmt.Errorf("feedback digest: %w", err)
	}
	return sha256Hex(b), nil
}

// sortedRows returns the rows ordered by indicator code.
func sortedRows(rows []FeedbackRow) []FeedbackRow {
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b FeedbackRow) int { return assess.CompareCodes(a.Indicator.Code, b.Indicator.Code) })
	return out
}

// yearLabel names a year for a title: "2026年度".
func yearLabel(y assess.Year) string {
	name := strings.TrimSpace(y.Name)
	if name == "" {
		name = y.ID + "年"
	}
	if strings.HasSuffix(name, "年") {
		name += "度"
	}
	return name
}

// FeedbackTitle returns the title of a unit's feedback report, e.g.
// "东城区2026年度法治政府建设考核反馈报告".
func FeedbackTitle(d FeedbackData) string {
	return d.Unit.Name + yearLabel(d.Year) + "法治政府建设考核反馈报告"
}

// WriteFeedback writes the unit's feedback report (反馈报告) as a PDF: the
// title with the unit and year; the summary of the total with the system,
// survey and on-site points and their weights, and the rank within the
// unit's group; the per-indicator table (code, title, max, score, the
// reviewer's comment, state), which breaks across pages with its header
// repeated; the returned and low-scoring items with their rectification
// deadlines; the leads taken into account (督察线索扣分: source, date,
// summary, indicator, deduction, the reviewer's comment) and their total
// deduction; when an indicator has milestones, each milestone of each task
// with its due day, filing day and state (时间节点完成情况); a bar chart of
// scores by category; and the verification block, the digest of the data
// (Digest) in text and as a QR code. Sections are numbered in that order.
// Every page has "第 X 页 共 Y 页" and the generation time.
func WriteFeedback(w io.Writer, d FeedbackData, opt Options) error {
	digest, err := d.Digest()
	if err != nil {
		return err
	}
	return renderPDF(w, opt, FeedbackTitle(d), d.GeneratedAt, func(p *pdfDoc) error {
		return drawFeedback(p, d, digest)
	})
}

func drawFeedback(p *pdfDoc, d FeedbackData, digest string) error {
	rows := sortedRows(d.Rows)
	p.head = FeedbackTitle(d)
	p.foot = "生成时间：" + dateTime(d.GeneratedAt)

	p.title(d.Unit.Name + yearLabel(d.Year))
	p.title("法治政府建设考核反馈报告")
	p.y += 2
	p.rule(p.y, 0.8)
	p.rule(p.y+1.2, 0.2)
	p.y += 4
	p.setSize(sizeBody)
	group := d.Group.Name
	if group == "" {
		group = d.Unit.GroupID
	}
	p.subtitle(fmt.Sprintf("被考核单位：%s（%s）    生成时间：%s", d.Unit.Name, group, dateTime(d.GeneratedAt)))
	p.y += 2

	// 一、总体情况
	p.heading("一、总体情况", 30)
	w := d.Year.Weights
	sysScore, sysMax := 0.0, 0.0
	counts := map[assess.Status]int{}
	keyItems := 0
	for _, r := range rows {
		sysMax += r.Indicator.MaxScore
		if r.scored() {
			sysScore += r.Task.Score
			counts[assess.Scored]++
		} else {
			counts[r.Task.Status]++
		}
		if r.low() || r.Rectification != nil {
			keyItems++
		}
	}
	leads := considered(d.Leads)
	deduction := assess.Deductions(leads)
	rank := "未排名"
	if d.Standing.Rank > 0 {
		rank = fmt.Sprintf("第 %d 名 / 共 %d 个单位", d.Standing.Rank, d.Standing.OutOf)
	}
	p.keyValues([][2]string{
		{"考核总分", fmt.Sprintf("%s 分（满分 %s 分）", assess.FormatScore(d.Standing.Total), assess.FormatScore(w.Sum()))},
		{"组内排名", rank},
		{"考核指标", fmt.Sprintf("%d 项", len(rows))},
		{"重点督察事项", fmt.Sprintf("%d 项", keyItems)},
	})
	p.setSize(sizeBody)
	p.paragraph(fmt.Sprintf("指标完成情况：已赋分 %d 项，待审核 %d 项，退回补充 %d 项，草稿 %d 项，未开始 %d 项。",
		counts[assess.Scored], counts[assess.Submitted], counts[assess.Returned], counts[assess.Draft], counts[assess.NotStarted]), 0)
	p.y += 1.5
	ext := map[assess.Source]assess.ExternalScore{}
	for _, e := range d.External {
		ext[e.Source] = e
	}
	raw := func(src assess.Source) string {
		e, ok := ext[src]
		if !ok {
			return "暂无"
		}
		return fmt.Sprintf("%s / %s", assess.FormatScore(e.Score), assess.FormatScore(e.Max))
	}
	sysNet := max(0, sysScore-deduction)
	summary := []pdfRow{
		{cells: []string{"体系评价（指标考核）", assess.FormatScore(w.System), fmt.Sprintf("%s / %s", assess.FormatScore(sysNet), assess.FormatScore(sysMax)), assess.FormatScore(d.Standing.System)}},
		{cells: []string{"民意调查", assess.FormatScore(w.Survey), raw(assess.Survey), assess.FormatScore(d.Standing.Survey)}},
		{cells: []string{"现场督察", assess.FormatScore(w.Onsite), raw(assess.Onsite), assess.FormatScore(d.Standing.Onsite)}},
	}
	if _, ok := ext[assess.ThirdParty]; ok {
		summary = append(summary, pdfRow{cells: []string{"第三方评估（参考，不计入总分）", "—", raw(assess.ThirdParty), "—"}})
	}
	summary = append(summary, pdfRow{cells: []string{"合计", assess.FormatScore(w.Sum()), "", assess.FormatScore(d.Standing.Total)}, shaded: true})
	p.table([]pdfColumn{
		{"得分构成", 64, "L"}, {"权重（分）", 26, "C"}, {"原始得分 / 满分", 36, "C"}, {"折算得分", 30, "C"},
	}, summary)
	if len(leads) > 0 {
		p.setSize(sizeSmall)
		p.paragraph(fmt.Sprintf("注：体系评价原始得分为各指标得分合计 %s 分减去督察线索扣分 %s 分（%d 条，见“督察线索扣分”）。",
			assess.FormatScore(sysScore), assess.FormatScore(deduction), len(leads)), 0)
		p.setSize(sizeBody)
	}
	section := sectionNumbers()

	// 各指标得分情况
	var table []pdfRow
	for _, r := range rows {
		score := "—"
		if r.scored() {
			score = assess.FormatScore(r.Task.Score)
		}
		comment := ""
		if r.Review != nil {
			comment = r.Review.Comment
		}
		state := r.Task.Status.Label()
		if r.Warning.Level != assess.NoWarning {
			state += "\n" + r.Warning.Level.Label()
		}
		table = append(table, pdfRow{
			cells:  []string{r.Indicator.Code, r.Indicator.Title, assess.FormatScore(r.Indicator.MaxScore), score, comment, state},
			shaded: r.low() || r.Task.Status == assess.Returned,
		})
	}
	p.heading(section("各指标得分情况"), p.tableLead(feedbackColumns, table))
	if len(table) == 0 {
		p.paragraph("本年度未向该单位分配考核指标。", 0)
	} else {
		p.table(feedbackColumns, table)
		p.setSize(sizeSmall)
		p.paragraph("注：灰底为退回补充或得分低于低分线的指标；“—”表示尚未赋分。", 0)
		p.setSize(sizeBody)
	}

	// 退回补充及低分整改事项
	var issues []pdfRow
	for _, r := range rows {
		if row, ok := issueRow(r, d.GeneratedAt); ok {
			issues = append(issues, row)
		}
	}
	issueCols := []pdfColumn{
		{"编号", 14, "C"}, {"指标名称", 34, "L"}, {"情形", 24, "L"}, {"审核意见 / 整改要求", 44, "L"}, {"期限", 20, "C"}, {"状态", 20, "C"},
	}
	p.heading(section("退回补充及低分整改事项"), p.tableLead(issueCols, issues))
	if len(issues) == 0 {
		p.paragraph("无退回补充或得分低于低分线的事项。", 0)
	} else {
		p.table(issueCols, issues)
	}

	// 督察线索扣分
	leadRows := leadTable(leads, rows, d.Categories)
	p.heading(section("督察线索扣分"), p.tableLead(leadColumns, leadRows))
	if len(leadRows) == 0 {
		p.paragraph("本年度没有纳入考核的督察线索，体系评价得分未扣分。", 0)
	} else {
		p.table(leadColumns, leadRows)
		p.setSize(sizeSmall)
		p.paragraph(fmt.Sprintf("注：以上 %d 条线索经审核纳入考核，合计从体系评价原始得分中扣除 %s 分，考核总分已含此扣分。", len(leads), assess.FormatScore(deduction)), 0)
		p.setSize(sizeBody)
	}

	// 时间节点完成情况, only when an indicator has milestones
	if msRows := milestoneTable(rows); len(msRows) > 0 {
		p.heading(section("时间节点完成情况"), p.tableLead(milestoneColumns, msRows))
		p.table(milestoneColumns, msRows)
		p.setSize(sizeSmall)
		p.paragraph("注：到期日遇节假日顺延至下一个工作日；以首次报送时间判断是否按时完成，灰底为逾期完成或逾期未完成的节点。", 0)
		p.setSize(sizeBody)
	}

	// 各类别得分情况
	bars := categoryBars(d.Categories, rows)
	p.heading(section("各类别得分情况"), chartKeep(len(bars)))
	p.barChart(bars)

	// 报告校验
	if err := p.verification(section("报告校验"), digest); err != nil {
		return err
	}
	p.signature(d.Issuer, d.GeneratedAt)
	return nil
}

// feedbackColumns are the per-indicator table's columns; they add up to the
// content width.
var feedbackColumns = []pdfColumn{
	{"编号", 13, "C"}, {"指标名称", 45, "L"}, {"分值", 12, "C"}, {"得分", 12, "C"}, {"审核意见", 55, "L"}, {"状态", 19, "C"},
}

// sectionNumbers returns a function that numbers the report's sections
// after 一、总体情况: 二、各指标得分情况, 三、…
func sectionNumbers() func(title string) string {
	n := 1
	return func(title string) string {
		n++
		return chineseNumber(n) + "、" + title
	}
}

// chineseNumber writes 1..99 in Chinese numerals: 一, 十, 十二, 二十三.
func chineseNumber(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + digits[n%10]
	}
	return digits[n/10] + "十" + digits[n%10]
}

// leadColumns are the leads table's columns; they add up to the content
// width.
var leadColumns = []pdfColumn{
	{"来源", 22, "C"}, {"日期", 20, "C"}, {"线索摘要", 52, "L"}, {"相关指标", 16, "C"}, {"扣分", 12, "C"}, {"审核意见", 34, "L"},
}

// leadTable returns the rows of the leads taken into account and their
// total; a lead's indicator is shown by its code.
func leadTable(leads []assess.Lead, rows []FeedbackRow, cats []assess.Indicator) []pdfRow {
	if len(leads) == 0 {
		return nil
	}
	codes := map[string]string{}
	for _, c := range cats {
		codes[c.ID] = c.Code
	}
	for _, r := range rows {
		codes[r.Indicator.ID] = r.Indicator.Code
	}
	var out []pdfRow
	for _, l := range leads {
		ind := "—"
		if l.IndicatorID != "" {
			ind = cmp.Or(codes[l.IndicatorID], l.IndicatorID)
		}
		out = append(out, pdfRow{cells: []string{l.Source.Label(), date(l.Date), l.Summary, ind, assess.FormatScore(l.Deduction), cmp.Or(l.Comment, "—")}})
	}
	out = append(out, pdfRow{cells: []string{"合计", "", fmt.Sprintf("共 %d 条", len(leads)), "", assess.FormatScore(assess.Deductions(leads)), ""}, shaded: true})
	return out
}

// milestoneColumns are the milestones table's columns; they add up to the
// content width.
var milestoneColumns = []pdfColumn{
	{"编号", 13, "C"}, {"指标名称", 36, "L"}, {"时间节点", 47, "L"}, {"到期日", 20, "C"}, {"报送日期", 20, "C"}, {"状态", 20, "C"},
}

// milestoneTable returns a row per milestone of each task, in code order;
// late and missed milestones are shaded.
func milestoneTable(rows []FeedbackRow) []pdfRow {
	var out []pdfRow
	for _, r := range rows {
		for _, m := range r.Milestones {
			out = append(out, pdfRow{
				cells:  []string{r.Indicator.Code, r.Indicator.Title, m.Milestone.Title, date(m.Due), date(m.FiledAt), m.State.Label()},
				shaded: m.State == assess.MilestoneLate || m.State == assess.MilestoneMissed,
			})
		}
	}
	return out
}

// issueRow describes a returned, low-scoring or rectification item; ok is
// false for an ordinary row.
func issueRow(r FeedbackRow, now time.Time) (pdfRow, bool) {
	comment := ""
	if r.Review != nil {
		comment = r.Review.Comment
	}
	code, title := r.Indicator.Code, r.Indicator.Title
	switch {
	case r.Rectification != nil || r.low():
		kind := "重点督察事项"
		if r.low() {
			kind = fmt.Sprintf("得分 %s 低于低分线 %s", assess.FormatScore(r.Task.Score), assess.FormatScore(r.Indicator.Threshold()))
		}
		demand, deadline, state := comment, "—", "待开具整改"
		if rc := r.Rectification; rc != nil {
			if strings.TrimSpace(rc.Demand) != "" {
				demand = rc.Demand
			}
			deadline = date(rc.Deadline)
			state = rc.State.Label()
			if rc.Overdue(now) {
				state += "\n已逾期"
			}
		}
		return pdfRow{cells: []string{code, title, kind, demand, deadline, state}, shaded: true}, true
	case r.Task.Status == assess.Returned:
		deadline := "—"
		if !r.Indicator.Deadline.IsZero() {
			deadline = date(r.Indicator.Deadline)
		}
		return pdfRow{cells: []string{code, title, "退回补充材料", comment, deadline, "待补充"}}, true
	}
	return pdfRow{}, false
}

// categoryBars sums scores and maxima by first-level category, in the
// order of cats, then any category only the rows name, in code order.
func categoryBars(cats []assess.Indicator, rows []FeedbackRow) []bar {
	type sum struct{ score, max float64 }
	sums := map[string]*sum{}
	var order []string
	for _, r := range rows {
		c := r.Indicator.Category()
		s, ok := sums[c]
		if !ok {
			s = &sum{}
			sums[c] = s
			order = append(order, c)
		}
		s.max += r.Indicator.MaxScore
		if r.scored() {
			s.score += r.Task.Score
		}
	}
	titles := map[string]string{}
	var codes []string
	for _, c := range cats {
		if _, ok := sums[c.Code]; ok {
			if _, dup := titles[c.Code]; !dup {
				codes = append(codes, c.Code)
			}
			titles[c.Code] = c.Title
		}
	}
	slices.SortStableFunc(order, assess.CompareCodes)
	for _, c := range order {
		if !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	bars := make([]bar, 0, len(codes))
	for _, c := range codes {
		s := sums[c]
		label := c
		if t := titles[c]; t != "" {
			label = c + " " + t
		}
		bars = append(bars, bar{
			label: label,
			value: s.score,
			max:   s.max,
			note:  fmt.Sprintf("%s / %s（%s）", assess.FormatScore(s.score), assess.FormatScore(s.max), percent(s.score, s.max)),
		})
	}
	return bars
}

// verification draws the verification block: the digest in text and as a
// QR code, with how to check a printed copy.
func (p *pdfDoc) verification(heading, digest string) error {
	const qrSize = 34.0
	p.heading(heading, qrSize)
	top := p.y
	textW := contentW - qrSize - 6
	p.setSize(sizeBody)
	h := p.lineH()
	p.text(marginLeft, p.y, h, "校验码（SHA-256）：", "L", true)
	p.y += h
	p.text(marginLeft, p.y, h, digest[:32], "L", false)
	p.y += h
	p.text(marginLeft, p.y, h, digest[32:], "L", false)
	p.y += h + 1
	p.setSize(sizeSmall)
	sh := p.lineH()
	for _, line := range p.wrap("校验码是本报告数据的 SHA-256 摘要（不含生成时间）。扫描右侧二维码或在系统中输入校验码，即可核对本报告与服务器记录是否一致；数据如有改动，校验码随之改变。", textW) {
		p.text(marginLeft, p.y, sh, line, "L", false)
		p.y += sh
	}
	if err := p.qrCode(marginLeft+contentW-qrSize, top, qrSize, digest); err != nil {
		return err
	}
	p.y = max(p.y, top+qrSize) + 2
	p.setSize(sizeBody)
	return nil
}

// signature draws the issuer and date at the right, as an official document
// ends (落款).
func (p *pdfDoc) signature(issuer string, at time.Time) {
	if strings.TrimSpace(issuer) == "" {
		return
	}
	p.setSize(sizeBody)
	h := p.lineH()
	p.ensure(2*h + 6)
	p.y += 6
	p.text(marginLeft, p.y, h, issuer, "R", false)
	p.y += h
	t := at.In(assess.CST)
	p.text(marginLeft, p.y, h, fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day()), "R", false)
	p.y += h
}
