#include "crmkpi/bind/stage_column.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "crmkpi/read/header_names.h"

namespace crmkpi {
namespace {

// Words that name a stage or status column, in normal form (NormalizeHeader), matched as a
// part of the header: `Sales Stage`, `Deal - Status`, `Phase de vente`, `Fase de Venta`,
// `商談フェーズ`, `進捗状況`.
constexpr std::string_view kStageWords[] = {
    "stage", "status", "phase", "fase", "etapa", "estado", "étape", "statut", "stufe",
    "フェーズ", "ステータス", "進捗", "段階", "状態", "ステージ",
};

bool NamesStage(const std::string& header) {
  const std::string n = NormalizeHeader(header);
  return std::any_of(std::begin(kStageWords), std::end(kStageWords),
                     [&](std::string_view w) { return n.find(w) != std::string::npos; });
}

struct Tally {
  std::size_t won = 0, lost = 0, values = 0;
  std::map<std::string, std::size_t> seen;  // distinct values, for the warning
  std::size_t terminal() const { return won + lost; }
};

std::string Seen(const Tally& t) {
  std::vector<std::pair<std::string, std::size_t>> v(t.seen.begin(), t.seen.end());
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  for (std::size_t i = 0; i < v.size() && i < 8; ++i) {
    out += fmt::format("{}'{}' ({})", i ? ", " : "", v[i].first, v[i].second);
  }
  if (v.size() > 8) out += fmt::format(" and {} more", v.size() - 8);
  return out;
}

}  // namespace

std::vector<int> StageCandidates(const std::vector<std::string>& header,
                                 const RoleBinding& roles) {
  std::vector<int> out;
  if (roles.has(Role::kStage)) out.push_back(roles[Role::kStage]);
  for (std::size_t i = 0; i < header.size(); ++i) {
    const int c = static_cast<int>(i);
    if (c != roles[Role::kStage] && NamesStage(header[i])) out.push_back(c);
  }
  return out;
}

StageColumnChoice ChooseStageColumn(const std::vector<std::string>& header,
                                    const RoleBinding& roles, const std::vector<int>& candidates,
                                    const std::vector<std::vector<std::string>>& values,
                                    std::size_t rows, StageRules& rules) {
  StageColumnChoice choice;
  choice.column = roles[Role::kStage];
  if (candidates.empty() || rows == 0) return choice;
  std::vector<Tally> tallies(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    for (const std::string& v : values[i]) {
      if (v.empty()) continue;
      Tally& t = tallies[i];
      ++t.values;
      ++t.seen[v];
      const StageClass cls = rules.Lookup(v).cls;
      t.won += cls == StageClass::kWon ? 1 : 0;
      t.lost += cls == StageClass::kLost ? 1 : 0;
    }
  }
  const bool bound = roles.has(Role::kStage);
  const bool mapped = bound && roles.source[static_cast<int>(Role::kStage)] == BindingSource::kMapped;
  // The candidate with the most won and lost values (the first on a tie: the bound one).
  std::size_t best = 0;
  for (std::size_t i = 1; i < tallies.size(); ++i) {
    if (tallies[i].terminal() > tallies[best].terminal()) best = i;
  }
  auto evidence = [&](std::size_t i) {
    return fmt::format("{} won, {} lost in the first {} rows", tallies[i].won, tallies[i].lost,
                       rows);
  };
  if (bound) choice.evidence = evidence(0);
  const std::string fix =
      "name the won and lost values with --won and --lost, or the stage column with --map "
      "stage=COLUMN";
  if (bound && tallies[0].terminal() > 0) return choice;  // the header's choice holds
  if (tallies[best].terminal() > 0 && !mapped) {
    const int col = candidates[best];
    choice.column = col;
    choice.changed = true;
    choice.evidence = evidence(best);
    choice.warning =
        bound ? fmt::format(
                    "stage column: '{}' has no won or lost value in the first {} rows ({}), "
                    "'{}' has {} won and {} lost: reading '{}' as the stage; --map stage='{}' "
                    "reads the other",
                    header[static_cast<std::size_t>(roles[Role::kStage])], rows,
                    Seen(tallies[0]), header[static_cast<std::size_t>(col)], tallies[best].won,
                    tallies[best].lost, header[static_cast<std::size_t>(col)],
                    header[static_cast<std::size_t>(roles[Role::kStage])])
              : std::string();
    return choice;
  }
  if (bound && tallies[0].values > 0) {
    choice.warning = fmt::format(
        "stage column '{}': none of its values in the first {} rows is won or lost, so every "
        "deal counts as open (values: {}); {}",
        header[static_cast<std::size_t>(roles[Role::kStage])], rows, Seen(tallies[0]), fix);
  }
  return choice;
}

}  // namespace crmkpi
