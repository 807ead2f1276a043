package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/cmd/cli"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// serverEntities returns the server's records of one entity kind, by ID.
func serverEntities[T any](t *testing.T, c *city, entity string) map[string]T {
	t.Helper()
	page, err := c.store.Changes(context.Background(), accounts["reviewer"].user, 0, wire.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]T{}
	for _, e := range page.Entries {
		if e.Entity != entity {
			continue
		}
		var v T
		if err := json.Unmarshal(e.Data, &v); err != nil {
			t.Fatal(err)
		}
		out[e.ID] = v
	}
	return out
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportSurveyAndLeads imports a survey contractor's CSV with its report
// attached, re-imports changed results as a new version, and imports leads
// from CSV: a bad row refuses the whole file, the fixed file is queued and
// reaches the server.
func TestImportSurveyAndLeads(t *testing.T) {
	c := newCity(t, false)
	office := c.desk()
	office.login("reviewer")
	office.ok("sync")
	dir := t.TempDir()
	report := office.file("民意调查报告.pdf", 7, 20<<10)

	v1 := writeFile(t, dir, "调查结果.csv", "\ufeff单位,样本量,政务公开满意度,行政执法满意度\n甲区,1200,90,80\n乙区,\"1,050\",70,75.5\n")
	out := office.ok("import", "survey", v1, "--document", report)
	if !strings.Contains(out, "新增 2 个单位、替换 0 个单位的结果，0 个未变化") {
		t.Fatalf("survey import: %s", out)
	}
	if out := office.ok("import", "survey", v1, "--document", report); !strings.Contains(out, "新增 0 个单位、替换 0 个单位的结果，2 个未变化") {
		t.Fatalf("the same file again: %s", out)
	}
	office.ok("sync")
	ext := serverEntities[assess.ExternalScore](t, c, wire.EntityExternal)
	a := ext[assess.ExternalID(yearID, unitA, assess.Survey)]
	b := ext[assess.ExternalID(yearID, unitB, assess.Survey)]
	if a.Score != 85 || a.SampleSize != 1200 || a.Version != 1 || a.DocumentName != "民意调查报告.pdf" || len(a.Items) != 2 {
		t.Fatalf("甲区 on the server: %+v", a)
	}
	if b.Score != 72.75 || b.SampleSize != 1050 || b.Document != a.Document || a.Document == "" {
		t.Fatalf("乙区 on the server: %+v", b)
	}

	// The contractor's correction: 甲区 changes; 乙区 keeps its score and
	// sample but no longer has item scores, which replaces its result too.
	v2 := writeFile(t, dir, "调查结果-更正.csv", "单位,样本量,满意度得分\n甲区,1200,88\n乙区,1050,72.75\n")
	if out := office.ok("import", "survey", v2, "--document", report); !strings.Contains(out, "新增 0 个单位、替换 2 个单位的结果，0 个未变化") {
		t.Fatalf("corrected survey import: %s", out)
	}
	office.ok("sync")
	ext = serverEntities[assess.ExternalScore](t, c, wire.EntityExternal)
	if a := ext[assess.ExternalID(yearID, unitA, assess.Survey)]; a.Score != 88 || a.Version != 2 {
		t.Fatalf("甲区 after the re-import: %+v", a)
	}
	if b := ext[assess.ExternalID(yearID, unitB, assess.Survey)]; b.Score != 72.75 || b.Version != 2 || len(b.Items) != 0 {
		t.Fatalf("乙区 after the re-import: %+v", b)
	}

	bad := writeFile(t, dir, "线索-有误.csv", "来源,记录编号,单位,日期,摘要,指标编号\n12345热线,GD-0001,甲区,2026-02-10,群众反映执法公示不及时,1.1\n信访,XF-0002,丙区,2026-02-11,信访事项办理超期,\n")
	r := office.run("", "import", "leads", bad)
	if r.code != cli.ExitError || !strings.Contains(r.err, "第 3 行") || !strings.Contains(r.err, "丙区") || !strings.Contains(r.err, "什么也没有导入") {
		t.Fatalf("leads with an unknown unit: %+v", r)
	}
	if n := office.pending(); n != "0" {
		t.Fatalf("a refused lead import queued %s changes", n)
	}
	good := writeFile(t, dir, "线索.csv", "来源,记录编号,单位,日期,摘要,指标编号\n12345热线,GD-0001,甲区,2026-02-10,群众反映执法公示不及时,1.1\n信访,XF-0002,乙区,2026-02-11,信访事项办理超期,\n")
	if out := office.ok("import", "leads", good); !strings.Contains(out, "已排队导入 2 条督察线索") {
		t.Fatalf("lead import: %s", out)
	}
	office.ok("sync")
	leads := serverEntities[assess.Lead](t, c, wire.EntityLead)
	l := leads[assess.LeadID(assess.LeadHotline, "GD-0001")]
	if l.UnitID != unitA || l.IndicatorID != "ind-1-1" || !l.Date.Equal(assess.Date(2026, 2, 10)) {
		t.Fatalf("hotline lead on the server: %+v (all: %v)", l, leads)
	}
	if l := leads[assess.LeadID(assess.LeadPetition, "XF-0002")]; l.UnitID != unitB || l.YearID != yearID {
		t.Fatalf("petition lead on the server: %+v", l)
	}

	tpl := filepath.Join(dir, "线索模板.xlsx")
	office.ok("template", "leads", "--out", tpl)
	if st, err := os.Stat(tpl); err != nil || st.Size() == 0 {
		t.Fatalf("lead template: %v", err)
	}
}
