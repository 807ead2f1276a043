package assess

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Inspection is the record of one on-site inspection visit (现场督察) to a
// unit: when, who, what was found, the score given and photos as evidence.
// The unit's on-site component is the mean of its visits (OnsiteScore).
type Inspection struct {
	ID         string       `json:"id"` // made by the client: yearID/unitID/<random>
	YearID     string       `json:"year_id"`
	UnitID     string       `json:"unit_id"`
	Date       time.Time    `json:"date"`
	Inspectors []string     `json:"inspectors"`
	Findings   string       `json:"findings"`
	Score      float64      `json:"score"`
	Max        float64      `json:"max"`
	Photos     []Attachment `json:"photos,omitempty"`
	RecordedBy string       `json:"recorded_by,omitempty"`
	UpdatedAt  time.Time    `json:"updated_at"`
}

// MaxPhotos bounds the photos of one inspection record.
const MaxPhotos = 50

// Validate checks an inspection record.
func (in Inspection) Validate() error {
	switch {
	case strings.TrimSpace(in.YearID) == "" || strings.TrimSpace(in.UnitID) == "":
		return Errorf(EInvalid, "请选择考核年度和单位 (year and unit are required)")
	case in.Date.IsZero():
		return Errorf(EInvalid, "请填写督察日期 (date is required)")
	case len(in.Inspectors) == 0:
		return Errorf(EInvalid, "请填写督察人员 (at least one inspector)")
	case strings.TrimSpace(in.Findings) == "":
		return Errorf(EInvalid, "请填写督察发现的情况 (findings are required)")
	case !utf8.ValidString(in.Findings) || strings.ContainsRune(in.Findings, 0):
		return Errorf(EInvalid, "督察情况含有无效字符 (findings contain invalid characters)")
	case utf8.RuneCountInString(in.Findings) > MaxStatementRunes:
		return Errorf(EInvalid, "督察情况不能超过 %d 字 (findings too long)", MaxStatementRunes)
	case math.IsNaN(in.Max) || in.Max <= 0:
		return Errorf(EInvalid, "满分必须大于 0 (max must be positive)")
	case math.IsNaN(in.Score) || in.Score < 0 || in.Score > in.Max:
		return Errorf(EInvalid, "分数应在 0 到 %s 之间 (score out of range)", FormatScore(in.Max))
	case len(in.Photos) > MaxPhotos:
		return Errorf(EInvalid, "一次督察最多附 %d 张照片 (at most %d photos)", MaxPhotos, MaxPhotos)
	}
	for _, name := range in.Inspectors {
		if strings.TrimSpace(name) == "" || utf8.RuneCountInString(name) > 32 {
			return Errorf(EInvalid, "督察人员姓名不能为空或超过 32 字 (inspector names: 1..32 characters)")
		}
	}
	for _, p := range in.Photos {
		if err := ValidateHash(p.Hash); err != nil {
			return err
		}
	}
	return nil
}

// OnsiteScore combines a unit's inspection visits into its on-site score:
// the mean of each visit's score ÷ max, on a scale of 100, rounded to 2
// decimals. ok is false when there is no visit.
func OnsiteScore(visits []Inspection) (score float64, ok bool) {
	var sum float64
	n := 0
	for _, v := range visits {
		if v.Max > 0 {
			sum += v.Score / v.Max
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return round2(100 * sum / float64(n)), true
}
