package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
)

// WriteFile writes a document through a temporary file beside path, synced
// and renamed into place only when write has succeeded: path holds either
// the old file or the complete new one, never a half-written one.
func WriteFile(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return assess.Errorf(assess.EInvalid, "输出文件夹“%s”不存在，请先建立或换一个位置 (the output folder does not exist)", dir)
		}
		return assess.Errorf(assess.EInvalid, "无法在“%s”中写文件：%v (cannot write there)", dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return assess.Errorf(assess.EInvalid, "无法写入“%s”：%v；如文件正在 Excel 或 PDF 阅读器中打开，请先关闭 (cannot replace the output file)", path, err)
	}
	return nil
}

// FeedbackFileNames returns the file name of each unit's report:
// FeedbackFileName, with the unit ID added where two units share a name,
// and a number where even that is not enough. The names differ even on a
// case-insensitive file system.
func FeedbackFileNames(data []FeedbackData) []string {
	names := make([]string, len(data))
	count := map[string]int{}
	for i, d := range data {
		names[i] = FeedbackFileName(d)
		count[strings.ToLower(names[i])]++
	}
	for i, d := range data {
		if count[strings.ToLower(names[i])] > 1 {
			names[i] = strings.TrimSuffix(names[i], ".pdf") + "-" + safeName(d.Unit.ID, 40) + ".pdf"
		}
	}
	taken := map[string]bool{}
	for i, n := range names {
		for k := 2; taken[strings.ToLower(names[i])]; k++ {
			names[i] = fmt.Sprintf("%s-%d.pdf", strings.TrimSuffix(n, ".pdf"), k)
		}
		taken[strings.ToLower(names[i])] = true
	}
	return names
}
