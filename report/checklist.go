package report

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// ChecklistData is what a unit's evidence checklist (佐证材料清单) prints.
// The desktop client and `yiwangtong report checklist` fill it from the
// local database: every task of the unit with the attachments of its
// latest submission (or its draft before the first), and the time each file
// was uploaded.
type ChecklistData struct {
	Year        assess.Year
	Unit        assess.Unit
	Items       []ChecklistItem // printed in code order
	GeneratedAt time.Time
}

// ChecklistItem is one task and its evidence files.
type ChecklistItem struct {
	Indicator assess.Indicator
	Task      assess.Task
	Files     []EvidenceFile
}

// EvidenceFile is one evidence file of a task: the attachment and when it
// was uploaded (zero when it has not reached the server yet).
type EvidenceFile struct {
	assess.Attachment
	UploadedAt time.Time
}

// ChecklistTitle returns the title of a unit's evidence checklist.
func ChecklistTitle(d ChecklistData) string {
	return d.Unit.Name + yearLabel(d.Year) + "佐证材料清单"
}

// WriteChecklist writes a unit's evidence checklist as a PDF: per task, each
// file with the checklist item it answers, its name, size, SHA-256 and
// upload time, and the checklist items still without a file.
func WriteChecklist(w io.Writer, d ChecklistData, opt Options) error {
	return renderPDF(w, opt, ChecklistTitle(d), d.GeneratedAt, func(p *pdfDoc) error {
		drawChecklist(p, d)
		return nil
	})
}

func drawChecklist(p *pdfDoc, d ChecklistData) {
	items := slices.Clone(d.Items)
	slices.SortStableFunc(items, func(a, b ChecklistItem) int { return assess.CompareCodes(a.Indicator.Code, b.Indicator.Code) })
	p.head = ChecklistTitle(d)
	p.foot = "生成时间：" + dateTime(d.GeneratedAt)

	p.title(d.Unit.Name + yearLabel(d.Year))
	p.title("佐证材料清单")
	p.y += 2
	p.rule(p.y, 0.8)
	p.rule(p.y+1.2, 0.2)
	p.y += 4

	files, missing := 0, 0
	var size int64
	for _, it := range items {
		files += len(it.Files)
		for _, f := range it.Files {
			size += f.Size
		}
		missing += len(missingSlots(it))
	}
	p.keyValues([][2]string{
		{"指标", fmt.Sprintf("%d 项", len(items))},
		{"材料文件", fmt.Sprintf("%d 个，共 %s", files, FormatSize(size))},
		{"缺少材料", fmt.Sprintf("%d 项", missing)},
		{"生成时间", dateTime(d.GeneratedAt)},
	})
	p.setSize(sizeSmall)
	p.paragraph("SHA-256 是文件内容的摘要：同一文件在任何电脑上算出的摘要都相同，可用于核对打印清单与所交材料是否一致。", 0)

	cols := []pdfColumn{
		{"序号", 9, "C"}, {"对应查验资料", 22, "L"}, {"文件名", 28, "L"}, {"大小", 15, "C"}, {"SHA-256", 61, "L"}, {"上传时间", 21, "C"},
	}
	for _, it := range items {
		var rows []pdfRow
		for i, f := range it.Files {
			slot := "—"
			if f.Slot >= 0 && f.Slot < len(it.Indicator.Evidence) {
				slot = it.Indicator.Evidence[f.Slot]
			}
			uploaded := dateTime(f.UploadedAt)
			if f.UploadedAt.IsZero() {
				uploaded = "未上传"
			}
			hash := f.Hash
			if len(hash) == 64 {
				hash = hash[:32] + "\n" + hash[32:]
			}
			rows = append(rows, pdfRow{cells: []string{fmt.Sprint(i + 1), slot, f.Name, FormatSize(f.Size), hash, uploaded}})
		}
		for _, slot := range missingSlots(it) {
			rows = append(rows, pdfRow{cells: []string{"—", slot, "（未提供材料）", "", "", ""}, shaded: true})
		}
		p.setSize(sizeBody)
		h := p.lineH()
		lines := p.wrap(fmt.Sprintf("%s %s（%s）", it.Indicator.Code, it.Indicator.Title, it.Task.Status.Label()), contentW)
		keep := p.lineH()
		if len(rows) > 0 {
			keep = p.tableLead(cols, rows)
		}
		p.ensure(float64(len(lines))*h + 2.5 + keep)
		p.y += 2
		for _, line := range lines {
			p.text(marginLeft, p.y, h, line, "L", true)
			p.y += h
		}
		p.y += 0.5
		if len(rows) == 0 {
			p.setSize(sizeTable)
			p.paragraph("无佐证材料。", 0)
			continue
		}
		p.table(cols, rows)
	}
}

// missingSlots lists the indicator's checklist items that no file answers.
func missingSlots(it ChecklistItem) []string {
	var out []string
	for i, s := range it.Indicator.Evidence {
		if !slices.ContainsFunc(it.Files, func(f EvidenceFile) bool { return f.Slot == i }) {
			out = append(out, s)
		}
	}
	return out
}

// FormatSize prints a byte count for people: "512 B", "12.3 KB", "4.5 MB",
// "1.2 GB" (units of 1024).
func FormatSize(n int64) string {
	const k = 1024
	switch {
	case n < k:
		return fmt.Sprintf("%d B", n)
	case n < k*k:
		return fmt.Sprintf("%.1f KB", float64(n)/k)
	case n < k*k*k:
		return fmt.Sprintf("%.1f MB", float64(n)/(k*k))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(k*k*k))
}
