package report

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/yiwangtong/yiwangtong/assess"
)

// FeedbackFileName returns the file name of a unit's feedback report, e.g.
// "2026年度-东城区-反馈报告.pdf".
func FeedbackFileName(d FeedbackData) string {
	return safeName(fmt.Sprintf("%s-%s-反馈报告.pdf", yearLabel(d.Year), unitLabel(d.Unit)), 120)
}

// FeedbackReports writes the feedback report of every unit in data into the
// folder dir (made if missing), named by FeedbackFileNames. The reports are
// made on up to GOMAXPROCS workers, each written with WriteFile, so a folder
// never holds half a report. progress, when not nil, is called after each
// report with how many are done, the total, the unit's data and its file
// name, from one goroutine at a time. The first failure, or the end of ctx,
// stops the batch; reports finished before it stay.
func FeedbackReports(ctx context.Context, dir string, data []FeedbackData, progress func(done, total int, d FeedbackData, name string)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return assess.Errorf(assess.EInvalid, "无法建立文件夹“%s”：%v (cannot make the folder)", dir, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	names := FeedbackFileNames(data)
	type result struct {
		i   int
		err error
	}
	jobs := make(chan int)
	results := make(chan result)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(data)) {
		wg.Go(func() {
			for i := range jobs {
				err := WriteFile(filepath.Join(dir, names[i]), func(w io.Writer) error {
					return WriteFeedback(w, data[i], Options{})
				})
				results <- result{i, err}
			}
		})
	}
	go func() {
		defer close(jobs)
		for i := range data {
			select {
			case jobs <- i:
			case <-ctx.Done():
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
	for r := range results {
		if r.err != nil {
			if first == nil {
				first = fmt.Errorf("生成%s的反馈报告失败 (report of %s failed): %w", data[r.i].Unit.Name, data[r.i].Unit.ID, r.err)
				cancel()
			}
			continue
		}
		done++
		if progress != nil && first == nil {
			progress(done, len(data), data[r.i], names[r.i])
		}
	}
	if first == nil && done < len(data) {
		first = ctx.Err()
	}
	return first
}
