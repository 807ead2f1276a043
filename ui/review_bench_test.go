package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

// Names of a city-scale synthetic year: 150 units × 120 indicators.
var (
	benchPlaces = []string{"东城", "西城", "南湖", "北山", "高新", "临川", "青山", "河口", "石桥", "龙泉",
		"白沙", "新港", "安平", "清河", "永宁"}
	benchKinds  = []string{"区", "县", "街道", "镇", "乡", "开发区", "市公安局", "市生态环境局", "市市场监管局", "市人社局"}
	benchTopics = []string{"重大行政决策", "规范性文件备案审查", "行政执法公示", "执法全过程记录", "重大执法决定法制审核",
		"政府法律顾问", "行政复议", "行政应诉", "政务公开", "权责清单动态调整", "证明事项告知承诺", "法治督察"}
	benchActions = []string{"制度建设", "落实情况", "年度报告", "培训考试", "台账管理", "信息公开", "监督检查", "整改落实", "考核评价", "宣传教育"}
)

// benchViews returns the tasks of a synthetic city year as the store
// gives them.
func benchViews() []localdb.TaskView {
	var units []string
	for i := range 150 {
		units = append(units, fmt.Sprintf("%s%s%d", benchPlaces[i%len(benchPlaces)], benchKinds[i/len(benchPlaces)%len(benchKinds)], i))
	}
	statuses := []assess.Status{assess.NotStarted, assess.Draft, assess.Submitted, assess.Returned, assess.Scored}
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, assess.CST)
	views := make([]localdb.TaskView, 0, 150*120)
	for ii := range 120 {
		code := fmt.Sprintf("%d.%d.%d", ii/15+1, ii%15/5+1, ii%5+1)
		in := assess.Indicator{
			Code:     code,
			Title:    fmt.Sprintf("%s%s（第%d项）", benchTopics[ii%len(benchTopics)], benchActions[ii/len(benchTopics)%len(benchActions)], ii+1),
			MaxScore: 1,
			Deadline: base.AddDate(0, 0, ii%40),
		}
		for ui, unit := range units {
			st := statuses[(ii+ui)%len(statuses)]
			views = append(views, localdb.TaskView{
				Task: assess.Task{ID: fmt.Sprintf("2026-%s@u%03d", code, ui), UnitID: fmt.Sprintf("u%03d", ui), Status: st,
					Score: 0.8, Scored: st == assess.Scored, UpdatedAt: base.Add(time.Duration(ii*150+ui) * time.Minute)},
				Indicator: in,
				UnitName:  unit,
				Local:     st,
			})
		}
	}
	return views
}

// prepareBench turns tasks into sorted queue rows as loadQueue does, with
// each task's warning at now.
func prepareBench(views []localdb.TaskView, now time.Time) []queueRow {
	cal := assess.ChinaCalendar()
	rows := make([]queueRow, len(views))
	for i, v := range views {
		rows[i] = newQueueRow(v, assess.TaskWarning(v.Task, v.Indicator, nil, nil, now, cal, 0))
	}
	sortQueue(rows)
	return rows
}

// benchQueue returns the prepared queue rows of a synthetic city year.
func benchQueue() []queueRow {
	return prepareBench(benchViews(), time.Date(2026, 3, 20, 9, 0, 0, 0, assess.CST))
}

// BenchmarkQueuePrepare computes the warnings of 18,000 tasks and prepares
// and sorts their rows: the work of a queue load after the store's read.
func BenchmarkQueuePrepare(b *testing.B) {
	views := benchViews()
	now := time.Date(2026, 3, 20, 9, 0, 0, 0, assess.CST)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		prepareBench(views, now)
	}
}

// benchFilter runs filterQueue with f over the synthetic year.
func benchFilter(b *testing.B, f queueFilter) {
	rows := benchQueue()
	var out []int
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out = filterQueue(rows, f, out)
	}
	b.ReportMetric(float64(len(out)), "rows")
}

// BenchmarkQueueFilterUnit narrows 18,000 tasks to one unit.
func BenchmarkQueueFilterUnit(b *testing.B) { benchFilter(b, queueFilter{UnitID: "u042"}) }

// BenchmarkQueueFilterText searches 18,000 tasks for a word of the titles.
func BenchmarkQueueFilterText(b *testing.B) { benchFilter(b, queueFilter{Text: "行政复议"}) }

// BenchmarkQueueFilterCombined filters by category and warning and
// searches two terms.
func BenchmarkQueueFilterCombined(b *testing.B) {
	benchFilter(b, queueFilter{Category: "2", ByLevel: true, Level: assess.Red, Text: "南湖 执法"})
}

// BenchmarkQueueRawLoop is the baseline: one loop over the same rows that
// compares a single field and keeps the indexes.
func BenchmarkQueueRawLoop(b *testing.B) {
	rows := benchQueue()
	var out []int
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out = out[:0]
		for i := range rows {
			if rows[i].UnitID == "u042" {
				out = append(out, i)
			}
		}
	}
	b.ReportMetric(float64(len(out)), "rows")
}
