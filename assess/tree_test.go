package assess_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
)

func ind(id, parent, code string, max float64, units ...string) assess.Indicator {
	return assess.Indicator{ID: id, YearID: "2026", ParentID: parent, Code: code, Title: "指标" + code, MaxScore: max, Units: units}
}

// problems lists "kind:code" for each problem, and checks that each unwraps
// to an EInvalid *assess.Error whose message names the code.
func problems(t *testing.T, errs []error) []string {
	t.Helper()
	var out []string
	for _, err := range errs {
		var p *assess.TreeProblem
		if !errors.As(err, &p) {
			t.Fatalf("%v is not a *TreeProblem", err)
		}
		if assess.ErrorCode(err) != assess.EInvalid {
			t.Errorf("%v: code %q, want %q", err, assess.ErrorCode(err), assess.EInvalid)
		}
		if p.Code != "" && !strings.Contains(assess.ErrorMessage(err), p.Code) {
			t.Errorf("message %q does not name the code %s", assess.ErrorMessage(err), p.Code)
		}
		out = append(out, fmt.Sprintf("%s:%s", p.Kind, p.Code))
	}
	return out
}

func TestValidateTree(t *testing.T) {
	sound := []assess.Indicator{
		ind("c1", "", "1", 10),
		ind("l11", "c1", "1.1", 4, "u1"),
		ind("l12", "c1", "1.2", 6, "u1", "u2"),
		ind("c2", "", "2", 0), // no max: children not limited
		ind("l21", "c2", "2.1", 50, "u2"),
	}
	other := ind("x1", "", "1", 5)
	other.YearID = "2025"
	bad := ind("bad", "", "9", -1)

	tests := []struct {
		name string
		inds []assess.Indicator
		want []string
	}{
		{"sound tree", sound, nil},
		{"empty", nil, nil},
		{"same code in another year", append(slices.Clone(sound), other), nil},
		{"duplicate code in a year", append(slices.Clone(sound), ind("dup", "c1", "1.2", 0)), []string{"duplicate:1.2"}},
		{"duplicate ID", append(slices.Clone(sound), ind("l11", "c1", "1.3", 0)), []string{"duplicate:1.3"}},
		{"missing ID", []assess.Indicator{ind("", "", "1", 1)}, []string{"invalid:1"}},
		{"missing parent", append(slices.Clone(sound), ind("l31", "c3", "3.1", 1)), []string{"parent:3.1"}},
		{"parent in another year", []assess.Indicator{other, ind("y", "x1", "1.1", 1)}, []string{"parent:1.1"}},
		{"invalid indicator", []assess.Indicator{bad}, []string{"invalid:9"}},
		{"children exceed parent", []assess.Indicator{
			ind("c1", "", "1", 10), ind("a", "c1", "1.1", 6), ind("b", "c1", "1.2", 4.5),
		}, []string{"over_score:1"}},
		{"children exactly the parent with fractions", []assess.Indicator{
			ind("c1", "", "1", 1), ind("a", "c1", "1.1", 0.1), ind("b", "c1", "1.2", 0.2), ind("c", "c1", "1.3", 0.7),
		}, nil},
		{"self parent", []assess.Indicator{ind("a", "a", "1", 1)}, []string{"cycle:1"}},
		{"three-node cycle reported once", []assess.Indicator{
			ind("a", "c", "1.10", 1), ind("b", "a", "1.2", 1), ind("c", "b", "1.9", 1), ind("d", "a", "1.2.1", 0),
		}, []string{"cycle:1.2"}},
		{"two separate cycles", []assess.Indicator{
			ind("a", "b", "1", 1), ind("b", "a", "2", 1), ind("c", "d", "3", 1), ind("d", "c", "4", 1),
		}, []string{"cycle:1", "cycle:3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, assess.ValidateTree(tt.inds))
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidateTreeCycleNamesMembers(t *testing.T) {
	errs := assess.ValidateTree([]assess.Indicator{ind("a", "c", "1.10", 1), ind("b", "a", "1.2", 1), ind("c", "b", "1.9", 1)})
	if len(errs) != 1 || !strings.Contains(assess.ErrorMessage(errs[0]), "1.2 → 1.9 → 1.10") {
		t.Errorf("cycle problem %v should list 1.2 → 1.9 → 1.10", errs)
	}
}

func TestValidatePublish(t *testing.T) {
	inds := []assess.Indicator{
		ind("c1", "", "1", 10),
		ind("l11", "c1", "1.1", 4, "u1"),
		ind("l12", "c1", "1.2", 6), // unassigned leaf
		ind("c2", "", "2", 5),      // a category with no children is a leaf too
	}
	got := problems(t, assess.ValidatePublish(inds))
	if want := []string{"unassigned:1.2", "unassigned:2"}; !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
	if len(assess.ValidateTree(inds)) != 0 {
		t.Errorf("unassigned leaves are fine in a draft year")
	}
}

func TestLeaves(t *testing.T) {
	inds := []assess.Indicator{
		ind("c1", "", "1", 10),
		ind("i11", "c1", "1.1", 4),
		ind("p111", "i11", "1.1.1", 2),
		ind("p112", "i11", "1.1.2", 2),
		ind("l12", "c1", "1.2", 6),
		ind("c2", "", "2", 0),
	}
	var codes []string
	for _, l := range assess.Leaves(inds) {
		codes = append(codes, l.Code)
	}
	if want := []string{"1.1.1", "1.1.2", "1.2", "2"}; !slices.Equal(codes, want) {
		t.Errorf("Leaves = %v, want %v", codes, want)
	}
	if len(assess.Leaves(nil)) != 0 {
		t.Errorf("Leaves(nil) not empty")
	}
}

func TestCompareCodes(t *testing.T) {
	codes := []string{"10.1", "3.10", "3.2", "3", "3.2.1", "1", "a", "3.b"}
	slices.SortFunc(codes, assess.CompareCodes)
	if want := []string{"1", "3", "3.2", "3.2.1", "3.10", "3.b", "10.1", "a"}; !slices.Equal(codes, want) {
		t.Errorf("sorted %v, want %v", codes, want)
	}
	if assess.CompareCodes("3.2", "3.2") != 0 {
		t.Errorf("equal codes must compare 0")
	}
}
