// Package report writes the documents that leave the system: the PDF
// feedback reports (反馈报告) for a unit, the city summary and the evidence
// checklist; the Excel templates and imports of indicators and external
// scores, of one source's survey or third-party results as a contractor
// delivers them (SurveyTemplate, ImportSurvey) and of leads from other
// government systems (LeadTemplate, ParseLeads), from .xlsx or CSV (UTF-8
// or GBK); the data downloads (数据下载) as .xlsx and as CSV; and the evidence
// bundle, a ZIP with a hash manifest.
//
// Everything works from plain input types built from the assess types
// (FeedbackData, CitySummaryData, ChecklistData, MatrixData, BundleItem,
// AuditEntry, …), so this package knows nothing of the local database or
// the network. Package report/localdata builds them from the desktop
// client's local store: a localdata.Source over the open localdb.DB, e.g.
//
//	src := localdata.Source{DB: db, Now: time.Now(), Issuer: "市委依法治市办"}
//	y, err := src.Year(ctx, "")          // the newest published year
//	u, err := src.Unit(ctx, "东城区")     // by ID or by name
//	data, err := src.Feedback(ctx, y, u) // also FeedbackAll, CitySummary, Checklist, Matrix, Overview, Bundle, History
//	err = report.WriteFeedback(file, data, report.Options{})
//
// The headless commands of the desktop client do the same from a script:
//
//	yiwangtong report feedback|feedback-all|city|checklist …            PDF documents
//	yiwangtong export matrix|ranking|progress|warnings|rectifications …  downloads (xlsx or CSV)
//	yiwangtong export audit|history|bundle …                            audit log, local history, evidence ZIP
//	yiwangtong import indicators|external 文件.xlsx                       Excel imports
//	yiwangtong template indicators|external --out 文件.xlsx               import templates
//
// `export audit` is the one download that is not made from the local
// store: the hash-chained audit log lives only on the server, so the
// command fetches the period's events (sync/client's API.AuditLog) and
// writes them with AuditTable, hashes included; offline it writes nothing.
// `export history` writes what the client holds (localdata.Source.History)
// without digests. An import reads a workbook (ImportIndicators,
// ImportExternal), plans it against the year (localdata.Source's
// PlanIndicators, PlanExternals) and queues the plan in one transaction
// (localdb's SaveIndicators, SaveExternals): all of it or nothing.
//
// # PDF library
//
// The PDFs are drawn with github.com/go-pdf/fpdf rather than
// github.com/jung-kurt/gofpdf, which the design card names. fpdf is the
// maintained fork of gofpdf: the same API and, for our documents,
// byte-identical output (measured on this project's machines), but
// jung-kurt/gofpdf was archived in 2021 and takes no fixes, while fpdf
// carries the fixes made since and is a plain Go module with no cgo. Both
// subset TrueType fonts, so a report embeds only the glyphs it uses.
//
// # Fonts and typography
//
// One font is bundled (assets.CJKFont, WenQuanYi Micro Hei), so the
// official-document hierarchy (小标宋 title, 黑体 headings, 仿宋 body) is
// rendered with size and weight: headings are drawn in a simulated bold,
// text rendering mode 2 (fill, then stroke the outline) with a stroke of 3%
// of the font size, which thickens the strokes the way a bold face would.
// The pages follow GB/T 9704 (A4, margins top 37 mm, left 28 mm, right 26 mm,
// bottom 35 mm), with a smaller body size than an official letter, since
// these are tables of figures.
//
// Parsing the 4.6 MB font takes longer than laying out a whole report, so
// the font is parsed once per process: it is cut down to the characters of
// GB 2312 plus ASCII and common punctuation (about 8,200 glyphs), and that
// smaller font is what each document loads. A document that draws a
// character outside that set is drawn again with a font cut from the full
// font to the set plus its own characters, so nothing is ever lost. The
// output is a function of the data alone.
//
// # Verification
//
// Each feedback report prints the SHA-256 of a canonical JSON of its data
// (FeedbackData.CanonicalJSON) and a QR code of that digest, so that a
// printed, stamped copy can be checked against the server's records: the
// server builds the same FeedbackData and compares digests. The generation
// time is not part of the digest.
package report
