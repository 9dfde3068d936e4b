// The `where` filter language (where.h): parsing, binding to a source, evaluation.
//
// Input: the where text on the first line; each further line is a row, fields separated by '|'
// (the schema below: header, then the columns of a lookup 'users'); a few fixed rows are always
// evaluated too. Odd-length texts bind in America/New_York (DST), even ones in UTC.
//
// Checked: Parse and Bind throw only Error; for every row, `not (TEXT)` matches exactly when
// TEXT does not; Decide, whenever it decides a row from the stage and one column alone, agrees
// with Matches; a where offered as a plain range or emptiness test (AsRangeTest, AsEmptyTest,
// which the metric engine runs instead of Matches) agrees with Matches.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/definition/where.h"
#include "fuzz_common.h"

namespace crmkpi::fuzz {
namespace {

const std::vector<std::string> kHeader = {"Deal ID",    "Owner", "Stage", "Amount",
                                          "Created Date", "Close Date", "source", "note",
                                          "所有者 名",   "score"};
const std::vector<std::string> kLookup = {"role", "region"};

const std::vector<std::vector<std::string>> kRows = {
    {"1", "Alice", "Closed Won", "1,200", "2024-03-01", "2024-03-31 23:30", "web", "", "佐藤",
     "9", "営業", "east"},
    {"2", " Bob ", "Proposal", "$1.50", "2024-03-10T09:00:00Z", "", "referral", "a \"b\"", "",
     "-3", "", "west"},
    {"3", "", "closed lost", "(12)", "3/9/2024", "2024年3月9日", "", "x", "鈴木", "1e3",
     "マネージャー", ""},
    {"4", "Carol", "", "abc", "2024-13-01", "2024-11-03 01:30", "Web", "n/a", "田中", "0.5",
     "営業", "east"},
    {"5", "Dan", "Lead", "１２，０００円", "2024-03-10 02:30", "2021-02-29", "web ", " ",
     "Ａ", "", "x", "y"},
};

struct Setup {
  RowSchema schema;
  StageRules rules;
  Setup() : schema(kHeader, BindRoles(kHeader, {}, "fuzz.csv")), rules(Config()) {
    schema.AddLookup("users", kLookup);
  }
  static StageConfig Config() {
    StageConfig c;
    c.order = {"Lead", "Qualified", "Proposal", "Negotiation", "Closed Won"};
    c.opportunity_stage = "Qualified";
    c.lost_reached = LostReached::kOpportunity;
    return c;
  }
};

std::optional<Where> Compile(const Setup& s, std::string_view text, const std::string& tz) {
  try {
    const WhereExpr expr = WhereExpr::Parse(text, SourceLoc{"fuzz.ini", 3, 9});
    return Where::Bind(expr, s.schema, s.rules, tz);
  } catch (const Error& e) {
    FUZZ_CHECK(e.code() == ExitCode::kUsage, "exit code %d: %s", static_cast<int>(e.code()),
               e.Formatted().c_str());
    return std::nullopt;
  }
}

void CheckRow(Setup& s, const DateParser& dates, Where& w, std::optional<Where>& negated,
              const std::vector<std::string>& fields) {
  std::vector<std::string_view> views(fields.begin(), fields.end());
  RowContext row(s.schema, dates, &s.rules);
  row.SetRow(views.data());
  std::vector<Where::Outcome> decided;
  for (int column = -1; column < static_cast<int>(s.schema.size()); ++column) {
    decided.push_back(w.Decide(row, column));
  }
  const bool match = w.Matches(row);
  for (std::size_t i = 0; i < decided.size(); ++i) {
    if (decided[i] == Where::Outcome::kUnknown) continue;
    FUZZ_CHECK((decided[i] == Where::Outcome::kTrue) == match,
               "Decide(column %d) says %d, Matches %d", static_cast<int>(i) - 1,
               static_cast<int>(decided[i]), match);
  }
  if (negated) {
    FUZZ_CHECK(negated->Matches(row) == !match, "not (...) matches as the where does (%d)", match);
  }
  Where::RangeOf of = Where::RangeOf::kAmount;
  Where::RangeTest range;
  if (w.AsRangeTest(&of, &range)) {
    std::int64_t x = 0;
    ParseStatus status = ParseStatus::kEmpty;
    switch (of) {
      case Where::RangeOf::kAmount: status = row.Amount(range.column, &x); break;
      case Where::RangeOf::kDay: status = row.Day(range.column, &x); break;
      case Where::RangeOf::kInstant: status = row.Instant(range.column, &x); break;
    }
    FUZZ_CHECK(Where::TestRange(range, status, x) == match, "AsRangeTest disagrees (%d)", match);
  }
  int column = -1;
  bool negated_empty = false;
  if (w.AsEmptyTest(&column, &negated_empty)) {
    FUZZ_CHECK((row.Text(column).empty() != negated_empty) == match,
               "AsEmptyTest disagrees (%d)", match);
  }
}

}  // namespace
}  // namespace crmkpi::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crmkpi;
  using namespace crmkpi::fuzz;
  static Setup* setup = new Setup;  // StageRules remembers stage values: one per process is fine
  std::string_view rest = AsText(data, size);
  const std::string_view text = TakeLine(&rest);
  const std::string tz = text.size() % 2 == 1 ? "America/New_York" : "";
  std::optional<Where> w = Compile(*setup, text, tz);
  if (!w) return 0;
  std::optional<Where> negated;
  if (!w->always()) {
    const std::string wrapped = "not (" + std::string(text) + ")";
    try {
      negated = Where::Bind(WhereExpr::Parse(wrapped, SourceLoc{"fuzz.ini", 3, 9}),
                            setup->schema, setup->rules, tz);
    } catch (const Error& e) {
      // Only the depth limit may refuse what parsed without the two extra levels.
      FUZZ_CHECK(e.message().find("nested too deeply") != std::string::npos,
                 "'%s' compiles, 'not (...)' of it does not: %s", std::string(text).c_str(),
                 e.Formatted().c_str());
    }
  }
  const DateParser dates("", tz);
  for (const std::vector<std::string>& fixed : kRows) CheckRow(*setup, dates, *w, negated, fixed);
  const std::size_t width = setup->schema.size();
  while (!rest.empty()) {
    std::string_view line = TakeLine(&rest);
    std::vector<std::string> fields;
    while (fields.size() + 1 < width) {
      const std::size_t bar = line.find('|');
      fields.emplace_back(line.substr(0, bar));
      line = bar == std::string_view::npos ? std::string_view() : line.substr(bar + 1);
    }
    fields.emplace_back(line);
    CheckRow(*setup, dates, *w, negated, fields);
  }
  return 0;
}
