// The examples each command's --help ends with: runnable from the repository's root on the
// shipped examples/ (tests/integration/docs_commands_test.py runs every one of them, with the
// exit code its comment gives, as it runs the commands of the docs).
#include "help_examples.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crmkpi {
namespace {

using Examples = std::vector<std::string_view>;

const std::vector<std::pair<std::string_view, Examples>>& AllExamples() {
  static const std::vector<std::pair<std::string_view, Examples>> kExamples = {
      {"",
       {"crmkpi report examples/deals.csv --by owner",
        "crmkpi check -c examples/quality/quality.ini        # a failed gate: exit 1",
        "crmkpi tree -c examples/yojitsu/kpi.ini --by 担当者 --period month",
        "crmkpi report --help"}},
      {"report",
       {"crmkpi report examples/deals.csv --by owner",
        "crmkpi report examples/deals.csv --by owner --period month -f csv -o by_month.csv",
        "cat examples/deals_cp932.csv | crmkpi report - --by 所有者 -f json",
        "crmkpi report -c examples/yojitsu/kpi.ini --compare previous --trend 3",
        "crmkpi report -c examples/yojitsu/kpi.ini --view 経営会議"}},
      {"tree",
       {"crmkpi tree -c examples/yojitsu/kpi.ini",
        "crmkpi tree -c examples/yojitsu/kpi.ini --by 担当者 --period month",
        "crmkpi tree -c examples/yojitsu/kpi.ini --period month --baseline previous",
        "crmkpi tree -c examples/yojitsu/kpi.ini --set win_rate=35% -f json"}},
      {"metrics",
       {"crmkpi metrics -c examples/yojitsu/kpi.ini -o long.csv",
        "crmkpi tree -c examples/yojitsu/kpi.ini --metrics long.csv   # the tree from it",
        "crmkpi metrics -c examples/yojitsu/kpi.ini -f json -o long.json",
        "crmkpi metrics -c examples/yojitsu/kpi.ini --by 担当者 -o by.csv"}},
      {"sql",
       {"crmkpi sql -c examples/yojitsu/kpi.ini --dialect duckdb -o yojitsu.sql",
        "crmkpi sql -c examples/yojitsu/kpi.ini --dialect postgres --table deals=crm.deals",
        "crmkpi sql -c examples/yojitsu/kpi.ini --dialect bigquery --table deals=crm.deals \\\n"
        "    --by 担当者 -o by_owner.sql                # for report -c … --by 担当者 --metrics"}},
      {"check",
       {"crmkpi check examples/quality/contacts.csv --require email,company --max-missing 20%",
        "crmkpi check -c examples/quality/quality.ini              # 4 checks fail: exit 1",
        "crmkpi check -c examples/quality/quality.ini -f junit -o check.xml   # exit 1",
        "crmkpi check examples/quality/contacts.csv --unique company --normalize company \\\n"
        "    --near 0.85 --invalid-out to_fix.csv                  # duplicates: exit 1"}},
      {"dwell",
       {"crmkpi dwell examples/stage_history/history_long.csv --as-of 2025-03-31",
        "crmkpi dwell examples/stage_history/history_long.csv --by Owner -f csv",
        "crmkpi dwell examples/stage_history/maven_pipeline.csv --stages Prospecting,Engaging,Won \\\n"
        "    --entered Engaging=engage_date --entered Won=close_date --entered Lost=close_date"}},
      {"forecast",
       {"crmkpi forecast examples/forecast/forecast.csv --actual examples/forecast/deals.csv",
        "crmkpi forecast examples/forecast/forecast.csv --actual examples/forecast/deals.csv \\\n"
        "    --by owner",
        "crmkpi forecast examples/forecast/forecast.csv --actual examples/forecast/deals.csv -f json"}},
      {"roi",
       {"crmkpi roi --cost 12000 --gain 75000",
        "crmkpi roi --initial-cost 10000 --cost-per-year 5000 --gain-per-year 15000 --years 3",
        "crmkpi roi -c examples/roi/roi.ini"}},
      {"columns",
       {"crmkpi columns examples/deals.csv",
        "crmkpi columns examples/deals_cp932.csv -f json",
        "crmkpi columns examples/stage_history/maven_pipeline.csv --map stage=deal_stage"}},
      {"init",
       {"crmkpi init examples/deals.csv --by owner -o kpi.ini",
        "crmkpi init examples/deals.csv --by owner --period month --checks",
        "crmkpi init examples/deals_cp932.csv --fiscal-year-start 4 --lang ja"}},
      {"lint",
       {"crmkpi lint -c examples/yojitsu/kpi.ini",
        "crmkpi lint -c examples/yojitsu/kpi.ini --data",
        "crmkpi lint -c examples/sales_efficiency/kpi.ini -f json"}},
      {"describe",
       {"crmkpi describe -c examples/yojitsu/kpi.ini",
        "crmkpi describe -c examples/yojitsu/kpi.ini --lang ja -f md -o 定義書.md",
        "crmkpi describe -c examples/sales_efficiency/kpi.ini -f csv"}},
      {"views",
       {"crmkpi views -c examples/yojitsu/kpi.ini",
        "crmkpi views -c examples/sales_efficiency/kpi.ini      # the three default views",
        "crmkpi views -c examples/yojitsu/kpi.ini -f json"}},
      {"completion",
       {"crmkpi completion bash > crmkpi.bash && . ./crmkpi.bash",
        "crmkpi completion zsh > _crmkpi",
        "crmkpi completion bash | head -3"}},
  };
  return kExamples;
}

}  // namespace

std::string ExamplesText(std::string_view command) {
  for (const auto& [name, examples] : AllExamples()) {
    if (name != command) continue;
    std::string out = "Examples (from the repository's root):\n";
    for (std::string_view e : examples) {
      out += "  ";
      out += e;
      out += '\n';
    }
    return out;
  }
  return {};
}

}  // namespace crmkpi
