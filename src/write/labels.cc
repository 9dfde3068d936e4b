#include "labels.h"

#include <utility>

#include "crmkpi/base/terminal.h"

namespace crmkpi {
namespace {

// English → Japanese: the headings, statuses and titles of report, tree and check.
constexpr std::pair<std::string_view, std::string_view> kJa[] = {
    // sections
    {"Total", "合計"},
    {"KPI tree", "KPIツリー"},
    // report
    {"value", "値"},
    {"target", "目標"},
    {"achv.", "達成率"},
    {"status", "状態"},
    {"basis", "根拠"},
    {"pace", "ペース"},
    {"gap", "差"},
    {"elapsed", "経過"},
    {"landing", "着地見込み"},
    {"period", "期間"},  // crmkpi's own grouping by --period
    {"on pace", "ペース順調"},
    {"behind pace", "ペース遅れ"},
    {"change", "前期比"},
    // statuses
    {"on track", "達成"},
    {"off track", "未達"},
    {"no target", "目標なし"},
    // tree
    {"node", "ノード"},
    {"actual", "実績"},
    {"Δ explained", "差への寄与"},
    {"% of gap", "差に占める割合"},
    {"split", "分解"},
    // check
    {"check", "チェック"},
    {"type", "種類"},
    {"columns", "列"},
    {"violations", "違反"},
    {"threshold", "しきい値"},
    {"details", "詳細"},
    {"rule", "ルール"},
    {"normalized", "正規化後"},
};
// Not translated: group columns (a --by table's heading is the export's own column name) and
// the lists' column names (the JSON keys of "lists").

}  // namespace

std::string Localized(std::string_view en) {
  if (!Terminal().ja) return std::string(en);
  for (const auto& [e, ja] : kJa) {
    if (e == en) return std::string(ja);
  }
  return std::string(en);
}

}  // namespace crmkpi
