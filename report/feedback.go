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
// of Digest: kind "feedback/v1"; the year, unit and group IDs and the unit's
// name; the weights and standing; the external scores ordered by source;
// and per task, ordered by indicator code, the code, title, max, status,
// score (null until scored), submission version, latest review (decision,
// comment, reviewer, time) and rectification (state, demand, deadline).
// Times are RFC 3339 in UTC. Warnings and GeneratedAt depend on when the
// report is made and are left out, so the server can recompute the digest
// from its records at any time.
func (d FeedbackData) CanonicalJSON() ([]byte, error) {
	c := canonFeedback{
		Kind:     "feedback/v1",
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
// deadlines; a bar chart of scores by category; and the verification block,
// the digest of the data (Digest) in text and as a QR code. Every page has
// "第 X 页 共 Y 页" and the generation time.
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
	summary := []pdfRow{
		{cells: []string{"体系评价（指标考核）", assess.FormatScore(w.System), fmt.Sprintf("%s / %s", assess.FormatScore(sysScore), assess.FormatScore(sysMax)), assess.FormatScore(d.Standing.System)}},
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

	// 二、各指标得分情况
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
	p.heading("二、各指标得分情况", p.tableLead(feedbackColumns, table))
	if len(table) == 0 {
		p.paragraph("本年度未向该单位分配考核指标。", 0)
	} else {
		p.table(feedbackColumns, table)
		p.setSize(sizeSmall)
		p.paragraph("注：灰底为退回补充或得分低于低分线的指标；“—”表示尚未赋分。", 0)
		p.setSize(sizeBody)
	}

	// 三、退回补充及低分整改事项
	var issues []pdfRow
	for _, r := range rows {
		if row, ok := issueRow(r, d.GeneratedAt); ok {
			issues = append(issues, row)
		}
	}
	issueCols := []pdfColumn{
		{"编号", 14, "C"}, {"指标名称", 34, "L"}, {"情形", 24, "L"}, {"审核意见 / 整改要求", 44, "L"}, {"期限", 20, "C"}, {"状态", 20, "C"},
	}
	p.heading("三、退回补充及低分整改事项", p.tableLead(issueCols, issues))
	if len(issues) == 0 {
		p.paragraph("无退回补充或得分低于低分线的事项。", 0)
	} else {
		p.table(issueCols, issues)
	}

	// 四、各类别得分情况
	bars := categoryBars(d.Categories, rows)
	p.heading("四、各类别得分情况", chartKeep(len(bars)))
	p.barChart(bars)

	// 五、报告校验
	if err := p.verification("五、报告校验", digest); err != nil {
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
