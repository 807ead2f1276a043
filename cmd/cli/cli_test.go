package cli_test

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/cmd/cli"
)

// TestCycle drives the whole cycle through the command line: a unit
// drafts, attaches and submits; the reviewer fetches the evidence, returns
// it; the unit adds a file and resubmits; the reviewer scores it below the
// low-score line; the rectification is answered and verified.
func TestCycle(t *testing.T) {
	c := newCity(t, false)
	unit, office := c.desk(), c.desk()
	unit.login("rep-a")
	office.login("reviewer")

	// Nothing pulled yet.
	if r := unit.run("", "tasks"); r.code != cli.ExitOK || r.out != "" || !strings.Contains(r.err, "sync") {
		t.Fatalf("tasks before sync: %+v", r)
	}
	if out := unit.ok("sync"); !strings.Contains(out, "同步完成") {
		t.Fatalf("sync: %s", out)
	}
	row := field(unit.ok("tasks"), taskA)
	if len(row) != 6 || row[1] != "1.1" || row[2] != "推行政府权责清单制度" || row[3] != "未开始" || row[5] != "2026-11-30" {
		t.Fatalf("tasks row %q", row)
	}

	// The unit works: statement, two files (one twice), submit.
	unit.ok("draft", taskA, "--statement", "已编制权责清单并在政府网站公布。")
	list := unit.file("权责清单.pdf", 1, 40<<10)
	shot := unit.file("公开网页截图.png", 2, 20<<10)
	out := unit.ok("attach", taskA, list, shot, "--slot", "1")
	if n := strings.Count(out, "\n"); n != 2 {
		t.Fatalf("attach printed %d lines: %s", n, out)
	}
	if r := unit.run("", "attach", taskA, list); r.code != cli.ExitOK || !strings.Contains(r.err, "内容相同") {
		t.Errorf("attaching the same file again: %+v", r)
	}
	unit.ok("submit", taskA)
	if st := field(unit.ok("tasks"), taskA); st[3] != "已提交（待同步）" {
		t.Errorf("status after an offline submit: %q", st[3])
	}
	if out := unit.ok("sync"); !strings.Contains(out, "待推送 0 项") {
		t.Fatalf("sync after submit: %s", out)
	}

	// The reviewer pulls, fetches and verifies the evidence, returns it.
	office.ok("sync")
	if rows := office.ok("tasks", "--status", "已提交"); field(rows, taskA) == nil {
		t.Fatalf("reviewer's submitted tasks:\n%s", rows)
	}
	dir := t.TempDir()
	fetched := office.ok("fetch", taskA, "--out", dir)
	if strings.Count(fetched, "已校验") != 2 {
		t.Fatalf("fetch: %s", fetched)
	}
	got, err := os.ReadFile(filepath.Join(dir, "权责清单.pdf"))
	want, _ := os.ReadFile(list)
	if err != nil || string(got) != string(want) {
		t.Errorf("fetched copy differs: %v", err)
	}
	office.ok("review", taskA, "--return", "--comment", "请补充权责清单动态调整的会议纪要。")
	office.ok("sync")

	// The unit sees the return, adds a file and resubmits.
	unit.ok("sync")
	show := unit.ok("show", taskA)
	for _, want := range []string{"退回补充", "请补充权责清单动态调整的会议纪要", "权责清单向社会公布并动态调整", "1. 权责清单文件", "第 1 版"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	unit.ok("attach", taskA, unit.file("会议纪要.pdf", 3, 30<<10))
	unit.ok("submit", taskA)
	unit.ok("sync")

	// The reviewer scores below the line: a rectification opens.
	office.ok("sync")
	if out := office.ok("fetch", taskA); strings.Count(out, "已校验") != 3 {
		t.Errorf("second fetch: %s", out)
	}
	r := office.run("", "review", taskA, "--score", "5", "--comment", "动态调整机制不健全。")
	if r.code != cli.ExitOK || !strings.Contains(r.out, "第 2 版") || !strings.Contains(r.err, "整改") {
		t.Fatalf("score: %+v", r)
	}
	office.ok("sync")

	unit.ok("sync")
	show = unit.ok("show", taskA)
	for _, want := range []string{"已赋分", "得分 5 / 10", "整改 (rectification)：待整改", "红色预警"} {
		if !strings.Contains(show, want) {
			t.Errorf("show after scoring lacks %q:\n%s", want, show)
		}
	}
	unit.ok("respond", taskA, "--response", "已建立权责清单动态调整机制并印发文件。", unit.file("调整机制文件.pdf", 4, 10<<10))
	unit.ok("sync")

	office.ok("sync")
	if out := office.ok("show", taskA); !strings.Contains(out, "待核验") || !strings.Contains(out, "调整机制文件.pdf") {
		t.Errorf("reviewer's show of the response:\n%s", out)
	}
	office.ok("verify-rect", taskA, "--accept", "--comment", "整改到位。")
	office.ok("sync")
	unit.ok("sync")
	if out := unit.ok("show", taskA); !strings.Contains(out, "已销号") {
		t.Errorf("show after verification:\n%s", out)
	}

	status := unit.ok("status")
	for _, want := range []string{"甲区填报员", "在线", "待推送 (pending)\t0", "被拒绝 (rejected)\t0"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
	if r := unit.run("", "conflicts"); r.out != "" || !strings.Contains(r.err, "没有被拒绝") {
		t.Errorf("conflicts: %+v", r)
	}
}

// TestOffline works with the server gone: every command but sync works,
// sync exits with the offline code and keeps the work queued.
func TestOffline(t *testing.T) {
	c := newCity(t, false)
	d := c.desk()
	d.login("rep-a")
	d.ok("sync")
	c.http.Close()

	d.ok("draft", taskA, "--statement", "离线编写的落实情况说明。")
	d.ok("attach", taskA, d.file("台账.pdf", 5, 8<<10))
	d.ok("submit", taskA)
	if out := d.ok("show", taskA); !strings.Contains(out, "离线编写的落实情况说明") || !strings.Contains(out, "台账.pdf") {
		t.Errorf("show offline:\n%s", out)
	}
	r := d.run("", "sync")
	if r.code != cli.ExitOffline || !strings.Contains(r.err, "离线") || !strings.Contains(r.out, "待推送 2 项已保留") {
		t.Fatalf("offline sync: %+v", r)
	}
	status := d.ok("status")
	if !strings.Contains(status, "离线") || !strings.Contains(status, "待推送 (pending)\t2") {
		t.Errorf("offline status:\n%s", status)
	}
}

// TestConflict submits the same task from two PCs of one unit: the later
// submit is rejected with a Chinese reason, listed, and resolved by taking
// the server's version.
func TestConflict(t *testing.T) {
	c := newCity(t, false)
	one, two := c.desk(), c.desk()
	for _, d := range []*desk{one, two} {
		d.login("rep-a")
		d.ok("sync")
		d.ok("draft", taskA, "--statement", "说明 "+d.data)
		d.ok("attach", taskA, d.file("清单.pdf", 6, 4<<10))
		d.ok("submit", taskA)
	}
	one.ok("sync")
	r := two.run("", "sync")
	if r.code != cli.ExitOK || !strings.Contains(r.err, "conflicts") {
		t.Fatalf("sync with a rejection: %+v", r)
	}
	list := two.ok("conflicts")
	var id string
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 5 && f[1] == "提交材料" {
			id = f[0]
			if f[2] != taskA || !strings.Contains(f[4], "版") {
				t.Errorf("conflict line %q", line)
			}
		}
	}
	if id == "" {
		t.Fatalf("no rejected submit in:\n%s", list)
	}
	if out := two.ok("show", taskA); !strings.Contains(out, "被拒绝") {
		t.Errorf("show lacks the rejection:\n%s", out)
	}
	two.ok("resolve", id, "--take-server")
	if out := two.ok("conflicts"); strings.Contains(out, id) {
		t.Errorf("resolved change still listed:\n%s", out)
	}
}

// TestCAFile logs in to an HTTPS server whose certificate comes from a
// private CA: refused without the CA file, accepted with it, and the CA is
// remembered for later commands.
func TestCAFile(t *testing.T) {
	c := newCity(t, true)
	d := c.desk()
	args := []string{"login", "--server", c.http.URL, "--username", "rep-a", "--password-stdin"}
	r := d.run(accounts["rep-a"].password+"\n", args...)
	if r.code != cli.ExitOffline || !strings.Contains(r.err, "证书不受信任") {
		t.Fatalf("login without the CA: %+v", r)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.http.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	r = d.run(accounts["rep-a"].password+"\n", append(args, "--ca", ca)...)
	if r.code != cli.ExitOK {
		t.Fatalf("login with the CA: %+v", r)
	}
	os.Remove(ca)
	if out := d.ok("sync"); !strings.Contains(out, "同步完成") {
		t.Errorf("sync with the remembered CA: %s", out)
	}
}

// TestUsage checks the command line's own errors and help.
func TestUsage(t *testing.T) {
	c := newCity(t, false)
	d := c.desk()
	tests := []struct {
		args []string
		code int
		want string // in stdout or stderr
	}{
		{nil, cli.ExitOK, "用法"},
		{[]string{"help", "review"}, cli.ExitOK, "--score"},
		{[]string{"frobnicate"}, cli.ExitUsage, "没有“frobnicate”这个命令"},
		{[]string{"review", taskA}, cli.ExitUsage, "--return 和 --score"},
		{[]string{"review", taskA, "--return", "--score", "3"}, cli.ExitUsage, "选一个"},
		{[]string{"draft", taskA}, cli.ExitUsage, "--statement"},
		{[]string{"tasks", "--status", "done"}, cli.ExitUsage, "未知的状态"},
		{[]string{"show"}, cli.ExitUsage, "任务编号"},
		{[]string{"login", "--username", "x"}, cli.ExitUsage, "--server"},
		{[]string{"verify-rect", taskA, "--accept", "--reject"}, cli.ExitUsage, "选一个"},
		{[]string{"sync"}, cli.ExitError, "尚未登录"},
		{[]string{"submit", "no-such-task"}, cli.ExitError, "没有找到"},
		{[]string{"--bogus"}, cli.ExitUsage, "命令行有误"},
		{[]string{"--version"}, cli.ExitOK, "yiwangtong " + cli.Version},
		{[]string{"version"}, cli.ExitOK, "yiwangtong " + cli.Version},
	}
	for _, tt := range tests {
		r := d.run("", tt.args...)
		if r.code != tt.code || !strings.Contains(r.out+r.err, tt.want) {
			t.Errorf("yiwangtong %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", strings.Join(tt.args, " "), r.code, tt.code, tt.want, r.out, r.err)
		}
	}
}

// TestLoginWrongPassword refuses a wrong password and stores no session.
func TestLoginWrongPassword(t *testing.T) {
	c := newCity(t, false)
	d := c.desk()
	r := d.run("wrong-password\n", "login", "--server", c.http.URL, "--username", "rep-a", "--password-stdin")
	if r.code != cli.ExitError || strings.Contains(r.out, "已登录") {
		t.Fatalf("wrong password: %+v", r)
	}
	if status := d.ok("status"); !strings.Contains(status, "未登录") {
		t.Errorf("status after a failed login:\n%s", status)
	}
	d.login("rep-a")
	if out := d.ok("logout"); !strings.Contains(out, "已退出") {
		t.Errorf("logout: %s", out)
	}
	if r := d.run("", "sync"); r.code != cli.ExitError || !strings.Contains(r.err, "登录") {
		t.Errorf("sync after logout: %+v", r)
	}
}
