package ui

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

// dropper is an area that takes files dragged onto the window.
type dropper interface{ dropped(paths []string) }

// onDropped hands files dropped on the window to the area shown.
func (s *Shell) onDropped(_ fyne.Position, uris []fyne.URI) {
	a, ok := s.areas[s.current].(dropper)
	if !ok {
		return
	}
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) > 0 {
		a.dropped(paths)
	}
}

// openDir is where evidence opened with the system viewer is copied to,
// under its own name, inside the data folder.
func (s *Shell) openDir() string { return filepath.Join(s.db().Dir(), "open") }

// fetchEvidence makes sure a file is in the local evidence folder,
// downloading it (with a progress bar in the status bar) when it is not.
func (s *Shell) fetchEvidence(ctx context.Context, a assess.Attachment) error {
	have, err := s.db().HasBlob(ctx, a.Hash)
	if err != nil || have {
		return err
	}
	sy := s.syncer
	if sy == nil {
		return assess.Errorf(assess.EUnavailable, "%s", T("本机没有这份材料，需要联网下载"))
	}
	return sy.Download(ctx, a.Hash, func(got, total int64) {
		p := client.Progress{Phase: client.PhaseDownload, Item: a.Name, Done: got, Total: total, Online: true}
		s.onUI(func() {
			if s.status != nil {
				s.status.transfer(p)
			}
		})
	})
}

// openEvidence verifies a file's SHA-256, copies it under its own name into
// the open folder and opens it with the system's viewer.
func (s *Shell) openEvidence(a assess.Attachment) {
	background(s, func(ctx context.Context) (string, error) {
		if err := s.fetchEvidence(ctx, a); err != nil {
			return "", err
		}
		return s.copyOut(ctx, a, s.openDir())
	}, func(path string, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		u := storage.NewFileURI(path)
		parsed, perr := url.Parse(u.String())
		if perr == nil {
			perr = s.app.OpenURL(parsed)
		}
		if perr != nil {
			s.info(T("打开文件"), T("已校验并保存到：%s", path))
		}
	})
}

// copyOut copies a verified evidence file into dir under a safe version of
// its name and returns the path.
func (s *Shell) copyOut(ctx context.Context, a assess.Attachment, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("open folder: %w", err)
	}
	in, err := s.db().OpenVerified(ctx, a.Hash)
	if err != nil {
		return "", err
	}
	defer in.Close()
	name := safeName(a.Name)
	if name == "" {
		name = a.Hash[:12]
	}
	path := filepath.Join(dir, a.Hash[:8]+"-"+name)
	tmp, err := os.CreateTemp(dir, ".part-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return "", fmt.Errorf("copy %s: %w", a.Name, err)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	return path, nil
}

// safeName keeps a file name's base and drops characters Windows refuses.
func safeName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	return strings.Map(func(r rune) rune {
		if r < 32 || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '_'
		}
		return r
	}, name)
}

// rectOf returns a task's rectification, nil when it has none.
func rectOf(ctx context.Context, db Store, taskID string) (*assess.Rectification, error) {
	r, err := db.Rectification(ctx, taskID)
	switch {
	case err == nil:
		return &r, nil
	case assess.ErrorCode(err) == assess.ENotFound:
		return nil, nil
	}
	return nil, err
}

// warningColor is the colour of a warning level; nil for none.
func warningColor(l assess.Level) color.Color {
	switch l {
	case assess.Blue:
		return colorBlue
	case assess.Yellow:
		return colorYellow
	case assess.Red:
		return colorRed
	}
	return nil
}

// warningLabel names a warning level in the chosen language.
func warningLabel(l assess.Level) string {
	switch l {
	case assess.Blue:
		return T("蓝色预警")
	case assess.Yellow:
		return T("黄色预警")
	case assess.Red:
		return T("红色预警")
	}
	return T("无预警")
}

// statusLabel names a task status in the chosen language.
func statusLabel(st assess.Status) string {
	switch st {
	case assess.NotStarted:
		return T("未开始")
	case assess.Draft:
		return T("草稿")
	case assess.Submitted:
		return T("已提交")
	case assess.Returned:
		return T("退回补充")
	case assess.Scored:
		return T("已赋分")
	}
	return string(st)
}
