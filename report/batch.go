package report

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// FeedbackFileName returns the file name of a unit's feedback report, e.g.
// "2026年度-东城区-反馈报告.pdf".
func FeedbackFileName(d FeedbackData) string {
	return safeName(fmt.Sprintf("%s-%s-反馈报告.pdf", yearLabel(d.Year), unitLabel(d.Unit)), 120)
}

// FeedbackReports writes the feedback report of every unit in data into the
// folder dir (made if missing), named by FeedbackFileName (with the unit ID
// added when two units share a name). The reports are made on up to
// GOMAXPROCS workers; each is written to a temporary file and renamed when
// complete, so a folder never holds half a report. progress, when not nil,
// is called after each report with how many are done and the total, from
// one goroutine at a time. The first failure stops the batch; reports
// finished before it stay.
func FeedbackReports(dir string, data []FeedbackData, progress func(done, total int)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("make report folder: %w", err)
	}
	names := make([]string, len(data))
	count := map[string]int{}
	for i, d := range data {
		names[i] = FeedbackFileName(d)
		count[strings.ToLower(names[i])]++
	}
	for i, d := range data {
		if count[strings.ToLower(names[i])] > 1 {
			names[i] = safeName(fmt.Sprintf("%s-%s(%s)-反馈报告.pdf", yearLabel(d.Year), unitLabel(d.Unit), d.Unit.ID), 120)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(data))
	jobs := make(chan int)
	results := make(chan error)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results <- writeReportFile(filepath.Join(dir, names[i]), data[i])
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range data {
			select {
			case jobs <- i:
			case <-stop:
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	var first error
	done := 0
	for err := range results {
		if err != nil {
			if first == nil {
				first = err
				close(stop)
			}
			continue
		}
		done++
		if progress != nil && first == nil {
			progress(done, len(data))
		}
	}
	return first
}

// writeReportFile writes one report to a temporary file beside path and
// renames it into place.
func writeReportFile(path string, d FeedbackData) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*.tmp")
	if err != nil {
		return fmt.Errorf("生成%s的反馈报告失败 (create report): %w", d.Unit.Name, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := WriteFeedback(tmp, d, Options{}); err != nil {
		return fmt.Errorf("生成%s的反馈报告失败 (write report): %w", d.Unit.Name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("生成%s的反馈报告失败 (chmod report): %w", d.Unit.Name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("生成%s的反馈报告失败 (close report): %w", d.Unit.Name, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("生成%s的反馈报告失败 (rename report): %w", d.Unit.Name, err)
	}
	return nil
}
