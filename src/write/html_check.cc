#include "html_check.h"

#include <fmt/format.h>

#include "check_text.h"
#include "html_page.h"
#include "svg_chart.h"
#include "text_table.h"

namespace crmkpi::html {
namespace {

using namespace check_writing;

std::string Pct(double v) { return Fixed(v, 1) + " %"; }

std::string LimitCell(const std::optional<Limit>& l, const std::string& ptr) {
  if (!l) return {};
  return Number(LimitText(*l), ptr + "/value", NumText(l->value));
}

}  // namespace

std::string ChecksBody(const CheckRun& run, int exit_code, const std::string& prefix) {
  const Tally tally = CountStatuses(run);
  std::string out;
  // The summary: one card per status, and the exit code.
  std::vector<Card> cards;
  const std::pair<const char*, std::uint64_t> counts[] = {
      {"PASS", tally.pass}, {"WARN", tally.warn}, {"FAIL", tally.fail}, {"ERROR", tally.error}};
  const char* keys[] = {"pass", "warn", "fail", "error"};
  for (std::size_t i = 0; i < 4; ++i) {
    Card c;
    c.label = std::string(counts[i].first) + " checks";
    c.value_html = Number(std::to_string(counts[i].second), prefix + "/summary/" + keys[i],
                          std::to_string(counts[i].second));
    c.status = counts[i].second > 0 ? counts[i].first : "";
    cards.push_back(std::move(c));
  }
  out += Section("summary", "Data-quality scorecard",
                 Cards(cards) + "<p>" + Esc(SummaryLine(run, exit_code)) + "</p>");

  // Each check's violation percent against its fail limit, and the table of all numbers.
  std::vector<std::string> labels, shown, classes;
  std::vector<std::optional<double>> values;
  Table t;
  t.head = {"status",     "check", "type",       "source",     "columns", "value",
            "violations", "of",    "fail limit", "warn limit", "details"};
  t.num = {false, false, false, false, false, true, true, true, true, true, false};
  for (std::size_t i = 0; i < run.checks.size(); ++i) {
    const CheckResult& r = run.checks[i];
    const std::string ptr = prefix + "/checks/" + std::to_string(i);
    const std::string status = StatusLabel(r.status);
    const bool ran = Ran(r);
    std::vector<Cell> row = {Cell{StatusMark(status), false, {}}, TextCell(Visible(r.def.name)),
                             TextCell(CheckTypeName(r.def.type)), TextCell(Visible(r.def.source)),
                             TextCell(Visible(Join(r.def.columns, ", ")))};
    const bool count_metric = r.def.type == CheckType::kRowCount;
    if (ran && r.percent) {
      row.push_back(
          NumCell(count_metric ? Count(static_cast<std::uint64_t>(*r.percent)) : Pct(*r.percent),
                  ptr + "/value", NumText(*r.percent)));
    } else {
      row.push_back(TextCell(ran ? "n/a" : "error"));
    }
    if (ran) {
      row.push_back(NumCell(Count(r.violations), ptr + "/numerator", std::to_string(r.violations)));
      row.push_back(
          NumCell(Count(r.denominator), ptr + "/denominator", std::to_string(r.denominator)));
    } else {
      row.push_back(TextCell(""));
      row.push_back(TextCell(""));
    }
    row.push_back(Cell{LimitCell(r.def.fail, ptr + "/thresholds/fail"), true, {}});
    row.push_back(Cell{LimitCell(r.def.warn, ptr + "/thresholds/warn"), true, {}});
    row.push_back(TextCell(Visible(Details(r))));
    t.rows.push_back(std::move(row));
    if (!count_metric) {
      labels.push_back(Visible(r.def.name));
      values.push_back(ran && r.percent ? r.percent : std::nullopt);
      std::string limit = r.def.fail ? "fail > " + LimitText(*r.def.fail) : "fail > 0";
      shown.push_back((ran && r.percent ? Pct(*r.percent) : std::string("n/a")) + "  " +
                      (status == "PASS"   ? "●"
                       : status == "WARN" ? "▲"
                       : status == "FAIL" ? "■"
                                          : "✖") +
                      " " + status + " (" + limit + ")");
      classes.push_back(std::string(StatusKind(status)));
    }
  }
  const std::string chart =
      labels.empty() ? std::string()
                     : svg::HBars(
                           "Violations per check (% of the checked values)", labels, values, shown,
                           [](double v) { return Fixed(v, 0) + " %"; }, classes);
  out += Section("checks", "Checks: value against limit",
                 (chart.empty() ? "" : "<div>" + chart + "</div>") + t.Render());

  // The sample rows of each failing or warning check.
  std::string samples;
  for (std::size_t i = 0; i < run.checks.size(); ++i) {
    const CheckResult& r = run.checks[i];
    if (r.samples.empty() || (r.status != CheckStatus::kFail && r.status != CheckStatus::kWarn)) {
      continue;
    }
    const std::string ptr = prefix + "/checks/" + std::to_string(i) + "/samples/";
    Table s;
    s.caption = StatusLabel(r.status) + " " + Visible(r.def.name);
    s.head = {"line", "row", "column", "value", "normalized", "rule"};
    s.num = {true, true, false, false, false, false};
    for (std::size_t j = 0; j < r.samples.size(); ++j) {
      const CheckSample& x = r.samples[j];
      s.rows.push_back(
          {NumCell(Count(x.line), ptr + std::to_string(j) + "/line", std::to_string(x.line)),
           NumCell(Count(x.row), ptr + std::to_string(j) + "/row", std::to_string(x.row)),
           TextCell(Visible(x.column)), TextCell(Visible(x.value)), TextCell(Visible(x.normalized)),
           TextCell(Visible(x.rule))});
    }
    samples += s.Render();
  }
  if (!samples.empty()) out += Section("samples", "Sample rows", samples);

  std::string sources = "<ul class=\"plain\">";
  for (const SourceGroup& g : GroupBySource(run)) sources += "<li>" + Esc(SourceLine(g)) + "</li>";
  out += Section("sources", "Sources", sources + "</ul>");
  return out;
}

std::string ChecksPage(const CheckRun& run, int exit_code) {
  PageHead head;
  head.title = "crmkpi check";
  head.subtitle = run.as_of.empty() ? "" : "as of " + run.as_of;
  return Page(head, ChecksBody(run, exit_code, ""));
}

}  // namespace crmkpi::html
