package assess

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// TreeProblemKind names what is wrong with an indicator tree.
type TreeProblemKind string

// Kinds of tree problems.
const (
	ProblemInvalid    TreeProblemKind = "invalid"    // the indicator fails Indicator.Validate
	ProblemDuplicate  TreeProblemKind = "duplicate"  // a code or ID used twice in a year
	ProblemParent     TreeProblemKind = "parent"     // the parent does not exist or is in another year
	ProblemCycle      TreeProblemKind = "cycle"      // parents form a loop
	ProblemOverScore  TreeProblemKind = "over_score" // children's max scores exceed the parent's
	ProblemUnassigned TreeProblemKind = "unassigned" // a leaf of a published year has no unit
)

// TreeProblem is one defect of an indicator tree. It names the indicator by
// its code, and unwraps to an *Error with code EInvalid and a Chinese message
// that says what to fix.
type TreeProblem struct {
	Kind TreeProblemKind
	Code string // the indicator's code
	ID   string // the indicator's ID
	Err  *Error
}

// Error returns the problem's message with its code.
func (p *TreeProblem) Error() string { return p.Err.Error() }

// Unwrap returns the user-facing *Error.
func (p *TreeProblem) Unwrap() error { return p.Err }

func problem(kind TreeProblemKind, in Indicator, format string, args ...any) error {
	return &TreeProblem{Kind: kind, Code: in.Code, ID: in.ID, Err: Errorf(EInvalid, format, args...)}
}

// ValidateTree checks a set of indicators as trees (one per year): every
// indicator valid on its own; IDs unique, and codes unique within a year;
// every parent present and in the same year; no cycles through parents; and,
// where a parent has a max score, its children's max scores adding up to no
// more than it. It returns every problem found, in the order of inds; nil
// when the trees are sound.
func ValidateTree(inds []Indicator) []error {
	var errs []error
	byID := make(map[string]Indicator, len(inds))
	first := make(map[string]int, len(inds)) // ID → index of its first indicator
	codes := map[[2]string]bool{}
	for i, in := range inds {
		if err := in.Validate(); err != nil {
			errs = append(errs, &TreeProblem{Kind: ProblemInvalid, Code: in.Code, ID: in.ID, Err: asError(err)})
		}
		if strings.TrimSpace(in.ID) == "" {
			errs = append(errs, problem(ProblemInvalid, in, "指标 %s 缺少编号 ID (indicator %s has no ID)", in.Code, in.Code))
		} else if _, dup := byID[in.ID]; dup {
			errs = append(errs, problem(ProblemDuplicate, in, "指标 %s 的 ID“%s”重复 (duplicate indicator ID)", in.Code, in.ID))
		} else {
			byID[in.ID] = in
			first[in.ID] = i
		}
		key := [2]string{in.YearID, strings.TrimSpace(in.Code)}
		if key[1] != "" {
			if codes[key] {
				errs = append(errs, problem(ProblemDuplicate, in, "指标编号 %s 在同一考核年度中重复，请修改编号 (duplicate code %s in year %s)", in.Code, in.Code, in.YearID))
			}
			codes[key] = true
		}
	}
	for _, in := range inds {
		if in.ParentID == "" {
			continue
		}
		p, ok := byID[in.ParentID]
		switch {
		case !ok:
			errs = append(errs, problem(ProblemParent, in, "指标 %s 的上级指标“%s”不存在，请先建立上级指标或更正 (parent of %s does not exist)", in.Code, in.ParentID, in.Code))
		case p.YearID != in.YearID:
			errs = append(errs, problem(ProblemParent, in, "指标 %s 的上级指标 %s 属于另一个考核年度 (parent of %s is in another year)", in.Code, p.Code, in.Code))
		}
	}
	errs = append(errs, cycles(inds, byID)...)
	children := childrenOf(inds)
	for i, in := range inds {
		if in.MaxScore <= 0 || first[in.ID] != i {
			continue
		}
		sum := 0.0
		for _, c := range children[in.ID] {
			sum += c.MaxScore
		}
		if sum > in.MaxScore+1e-9 {
			errs = append(errs, problem(ProblemOverScore, in, "指标 %s 的下级指标分值合计 %s 分，超过其分值 %s 分，请调整 (children of %s add up to %s, more than its %s)",
				in.Code, FormatScore(sum), FormatScore(in.MaxScore), in.Code, FormatScore(sum), FormatScore(in.MaxScore)))
		}
	}
	return errs
}

// ValidatePublish checks indicators for publishing a year: everything
// ValidateTree checks, and every leaf assigned to at least one unit.
func ValidatePublish(inds []Indicator) []error {
	errs := ValidateTree(inds)
	for _, in := range Leaves(inds) {
		if len(in.Units) == 0 {
			errs = append(errs, problem(ProblemUnassigned, in, "末级指标 %s“%s”尚未分配给任何单位，请分配后再发布 (leaf %s is assigned to no unit)", in.Code, in.Title, in.Code))
		}
	}
	return errs
}

// cycles finds every loop of parent links and reports each once, naming its
// codes in code order.
func cycles(inds []Indicator, byID map[string]Indicator) []error {
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]int, len(byID))
	var errs []error
	for _, start := range inds {
		if state[start.ID] != unseen {
			continue
		}
		var path []string
		id := start.ID
		for {
			if _, ok := byID[id]; !ok || state[id] == done {
				break
			}
			if state[id] == onPath {
				i := slices.Index(path, id)
				loop := make([]Indicator, 0, len(path)-i)
				for _, m := range path[i:] {
					loop = append(loop, byID[m])
				}
				slices.SortFunc(loop, func(a, b Indicator) int { return CompareCodes(a.Code, b.Code) })
				names := make([]string, len(loop))
				for k, m := range loop {
					names[k] = m.Code
				}
				list := strings.Join(names, " → ")
				errs = append(errs, problem(ProblemCycle, loop[0], "指标 %s 的上级关系形成循环，请更正上级指标 (parents form a loop: %s)", list, list))
				break
			}
			state[id] = onPath
			path = append(path, id)
			id = byID[id].ParentID
		}
		for _, m := range path {
			state[m] = done
		}
	}
	return errs
}

func childrenOf(inds []Indicator) map[string][]Indicator {
	children := map[string][]Indicator{}
	for _, in := range inds {
		if in.ParentID != "" {
			children[in.ParentID] = append(children[in.ParentID], in)
		}
	}
	return children
}

// Leaves returns the indicators no other indicator names as its parent: the
// ones assigned to units as tasks. The order of inds is kept.
func Leaves(inds []Indicator) []Indicator {
	parents := make(map[string]bool, len(inds))
	for _, in := range inds {
		if in.ParentID != "" {
			parents[in.ParentID] = true
		}
	}
	var out []Indicator
	for _, in := range inds {
		if !parents[in.ID] {
			out = append(out, in)
		}
	}
	return out
}

// CompareCodes orders indicator codes segment by segment, numerically where
// both segments are numbers: "3.2" < "3.10" < "10.1". It returns -1, 0 or +1.
func CompareCodes(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errx := strconv.Atoi(as[i])
		y, erry := strconv.Atoi(bs[i])
		var c int
		if errx == nil && erry == nil {
			c = cmp.Compare(x, y)
		} else {
			c = cmp.Compare(as[i], bs[i])
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}

func asError(err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return Errorf(EInvalid, "%s", fmt.Sprint(err))
}
