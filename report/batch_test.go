package report

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

func TestFeedbackReports(t *testing.T) {
	dir := filepath.Join(tempDir(t), "反馈报告")
	var data []FeedbackData
	for i, u := range []assess.Unit{testUnits[0], testUnits[1], testUnits[2], {ID: "dongcheng2", Name: "东城区", GroupID: "quxian"}} {
		d := testFeedback(10 + i)
		d.Unit = u
		data = append(data, d)
	}
	var calls []int
	err := FeedbackReports(context.Background(), dir, data, func(done, total int, d FeedbackData, name string) {
		if total != len(data) {
			t.Errorf("total %d, want %d", total, len(data))
		}
		if !strings.Contains(name, d.Unit.Name) {
			t.Errorf("progress names %q for %s", name, d.Unit.Name)
		}
		calls = append(calls, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(calls, []int{1, 2, 3, 4}) {
		t.Errorf("progress %v, want 1 2 3 4", calls)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{
		"2026年度-东城区-反馈报告-dongcheng.pdf", "2026年度-东城区-反馈报告-dongcheng2.pdf",
		"2026年度-南湖区-反馈报告.pdf", "2026年度-西城区-反馈报告.pdf",
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("files %q, want %q", names, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "2026年度-南湖区-反馈报告.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, pdfText(t, b, 1, 1), "南湖区2026年度")
	if fi, _ := os.Stat(filepath.Join(dir, want[0])); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o644 {
		t.Errorf("report mode %v", fi.Mode())
	}
}

func TestFeedbackReportsFailure(t *testing.T) {
	dir := tempDir(t)
	data := []FeedbackData{testFeedback(3), testFeedback(3), testFeedback(3)}
	data[1].Unit = testUnits[1]
	data[2].Unit = testUnits[2]
	data[1].GeneratedAt = time.Time{}
	err := FeedbackReports(context.Background(), dir, data, nil)
	if assess.ErrorCode(err) != assess.EInvalid || !strings.Contains(err.Error(), "西城区") {
		t.Fatalf("err = %v, want the failure of 西城区", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") || strings.Contains(e.Name(), "西城区") {
			t.Errorf("%s left behind", e.Name())
		}
	}
}

func TestFeedbackReportsNone(t *testing.T) {
	if err := FeedbackReports(context.Background(), tempDir(t), nil, func(int, int, FeedbackData, string) { t.Error("progress for nothing") }); err != nil {
		t.Fatal(err)
	}
}
