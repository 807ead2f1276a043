package report

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/assets"
)

// cityFeedback returns n units' feedback data with leaves indicators each.
func cityFeedback(n, leaves int) []FeedbackData {
	base := testFeedback(leaves)
	out := make([]FeedbackData, n)
	for i := range out {
		d := base
		d.Unit = assess.Unit{ID: fmt.Sprintf("unit%03d", i), Name: fmt.Sprintf("第%d街道办事处", i+1), GroupID: "quxian"}
		d.Standing.Rank, d.Standing.OutOf = i%40+1, 40
		out[i] = d
	}
	return out
}

// BenchmarkFeedbackReports writes a city's year-end batch: 150 unit
// feedback reports of 120 indicators each, into a folder (target: at most
// 10 s in all, each file at most 300 KB). Run with -benchtime 1x; ns/op is
// the whole batch.
func BenchmarkFeedbackReports(b *testing.B) {
	data := cityFeedback(150, 120)
	commonFont() // made once per process, as in the app
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := tempDir(b)
		if err := FeedbackReports(context.Background(), dir, data, nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		var largest int64
		files, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
		if len(files) != len(data) {
			b.Fatalf("%d reports, want %d", len(files), len(data))
		}
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				b.Fatal(err)
			}
			largest = max(largest, fi.Size())
		}
		b.ReportMetric(float64(largest)/1024, "KB-largest")
		b.StartTimer()
	}
}

// BenchmarkFeedbackOne is the baseline: one 120-indicator report per
// iteration on one goroutine, with the cached common font.
func BenchmarkFeedbackOne(b *testing.B) {
	d := testFeedback(120)
	commonFont()
	b.ResetTimer()
	var size int
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		if err := WriteFeedback(&buf, d, Options{}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1024, "KB/report")
}

// BenchmarkFeedbackOneFullFont is the raw operation the font cache saves:
// each report parses the whole 4.6 MB font, as fpdf does when handed it.
func BenchmarkFeedbackOneFullFont(b *testing.B) {
	d := testFeedback(120)
	loadFont = func() ([]byte, map[rune]bool) { return assets.CJKFont, nil }
	defer func() { loadFont = commonFont }()
	b.ResetTimer()
	var size int
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		if err := WriteFeedback(&buf, d, Options{}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1024, "KB/report")
}

// BenchmarkCommonFont is the once-per-process cost of cutting the bundled
// font to the common set.
func BenchmarkCommonFont(b *testing.B) {
	for i := 0; i < b.N; i++ {
		extendedFont(nil)
	}
}

// BenchmarkBundle streams a synthetic evidence bundle to io.Discard and
// reports the peak heap in use: the same for 20 MB and 2 GB.
func BenchmarkBundle(b *testing.B) {
	for _, c := range []struct {
		name string
		size int64
	}{{"20MB", 20 << 20}, {"2GB", 2 << 30}} {
		b.Run(c.name, func(b *testing.B) {
			s := newSynthetic(c.size)
			b.SetBytes(c.size)
			b.ResetTimer()
			var peak uint64
			for i := 0; i < b.N; i++ {
				peak = max(peak, s.stream(b))
			}
			b.ReportMetric(float64(peak)/(1<<20), "MB-peak-heap")
		})
	}
}
