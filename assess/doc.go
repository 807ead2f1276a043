// Package assess holds the domain of rule-of-law inspection and assessment
// (法治政府建设督察考核): units and their ranking groups, users and roles,
// assessment years, the indicator tree, tasks and their life cycle,
// submissions, reviews, rectifications, external scores, totals and ranking,
// warnings on the working-day calendar, and the error codes that every other
// package speaks.
//
// It imports nothing but the standard library. Time is always an input.
package assess
