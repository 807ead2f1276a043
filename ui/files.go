package ui

import (
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// prefFileDir is the folder a file dialog opens in: the one used last.
const prefFileDir = "files.dir"

// fileDialogSize fits the file dialogs in a 1366×768 window.
var fileDialogSize = fyne.NewSize(900, 600)

// askOpenPath asks for a file on this PC with the file dialog (only files
// ending in exts when given) and calls then with its path.
func (s *Shell) askOpenPath(exts []string, then func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		if r == nil {
			return
		}
		u := r.URI()
		r.Close()
		if path, ok := s.localPath(u); ok {
			then(path)
		}
	}, s.win)
	if len(exts) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(exts))
	}
	d.SetLocation(s.dialogDir())
	d.Resize(fileDialogSize)
	d.Show()
}

// askSavePath asks where to save a file, proposing name (and only names
// ending in exts), and calls then with the path chosen.
func (s *Shell) askSavePath(name string, exts []string, then func(path string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		if w == nil {
			return
		}
		u := w.URI()
		w.Close()
		if path, ok := s.localPath(u); ok {
			then(path)
		}
	}, s.win)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	d.SetTitleText(T("保存到"))
	d.SetConfirmText(T("保存"))
	d.SetDismissText(T("取消"))
	d.SetLocation(s.dialogDir())
	d.Resize(fileDialogSize)
	d.Show()
}

// askFolder asks for a folder on this PC and calls then with its path.
func (s *Shell) askFolder(then func(dir string)) {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		if dir == nil {
			return
		}
		if path, ok := s.localPath(dir); ok {
			then(path)
		}
	}, s.win)
	d.SetLocation(s.dialogDir())
	d.Resize(fileDialogSize)
	d.Show()
}

// localPath returns the path of a file the dialog chose and remembers its
// folder for the next dialog; anything but a file on this PC is refused.
func (s *Shell) localPath(u fyne.URI) (string, bool) {
	if u.Scheme() != "file" {
		s.info(T("错误"), T("只能选择本机的文件和文件夹。"))
		return "", false
	}
	path := u.Path()
	dir := path
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		dir = filepath.Dir(path)
	}
	s.app.Preferences().SetString(prefFileDir, dir)
	return path, true
}

// dialogDir is the folder the file dialogs open in: the last one used, else
// the user's home folder; nil lets the dialog choose.
func (s *Shell) dialogDir() fyne.ListableURI {
	dir := s.app.Preferences().String(prefFileDir)
	if dir == "" {
		dir, _ = os.UserHomeDir()
	}
	if dir == "" {
		return nil
	}
	l, err := storage.ListerForURI(storage.NewFileURI(dir))
	if err != nil {
		return nil
	}
	return l
}
