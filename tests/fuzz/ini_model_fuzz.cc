// KPI definitions: INI text (ini_file.h) → KpiModel (kpi_model.h), its lint, and a run of it.
//
// Input: INI text; optionally a line "#@csv" followed by CSV bytes, which every source and
// lookup of the definition reads (file overrides to a scratch file).
//
// Checked: IniFile::Parse and KpiModel::Load throw only Error(kUsage); a loaded model lints;
// its KPI 定義書 (describe) builds or throws only Error(kUsage), and writes in every format;
// its metrics run over the CSV (one thread) throwing only Error; its KPIs evaluate (from the
// run, or from made-up metric values when the run fails) to finite numbers or n/a; the tree
// evaluates against targets (the model's, and none: derived targets finite, blocked nodes in the
// tree with a reason), a baseline and a what-if.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/engine/metric_engine.h"
#include "crmkpi/evaluate/kpi_describe.h"
#include "crmkpi/evaluate/kpi_eval.h"
#include "crmkpi/evaluate/kpi_lint.h"
#include "crmkpi/evaluate/kpi_tree.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/write/describe_writer.h"
#include "fuzz_common.h"

namespace crmkpi::fuzz {
namespace {

void CheckValue(const Value& v, const std::string& id) {
  if (v.v) {
    FUZZ_CHECK(std::isfinite(*v.v), "%s = %g", id.c_str(), *v.v);
  } else {
    FUZZ_CHECK(!v.reason.empty(), "%s is n/a without a reason", id.c_str());
  }
}

// Values for every id from |seed|: metrics made up, constants as defined, KPIs by formula.
ValueMap MadeUp(const KpiModel& model, unsigned seed) {
  ValueMap values;
  static const double kSpread[] = {0, 1, 3, 0.25, 120000, -5, 1e300, 7};
  unsigned i = seed;
  for (const MetricDef& m : model.metrics) {
    values[m.id] = (i % 9 == 8) ? Value::Na("NO_DATA") : Value::Number(kSpread[i % 8]);
    ++i;
  }
  for (const ConstantDef& c : model.constants) values[c.id] = Value::Number(c.value);
  for (const KpiDef& k : model.kpis) {
    const Value v = k.formula.Eval([&](std::string_view id) {
      const auto it = values.find(id);
      return it == values.end() ? Value::Na("UNKNOWN") : it->second;
    });
    CheckValue(v, k.id);
    values[k.id] = v;
  }
  return values;
}

// A derived target is a finite number; a blocked node has a reason and is a node of the tree.
void CheckTargets(const TreeResult& t) {
  std::function<bool(const TreeNode&, const std::string&)> has = [&](const TreeNode& n,
                                                                   const std::string& id) {
    if (n.id == id) return true;
    for (const TreeNode& c : n.children) {
      if (has(c, id)) return true;
    }
    return false;
  };
  std::function<void(const TreeNode&)> walk = [&](const TreeNode& n) {
    if (n.target_derived) {
      FUZZ_CHECK(n.target && std::isfinite(*n.target), "%s: derived target not finite",
                 n.id.c_str());
    }
    for (const TreeNode& c : n.children) walk(c);
  };
  for (const TreeNode& r : t.roots) walk(r);
  for (const BlockedNode& b : t.blocked) {
    FUZZ_CHECK(!b.reason.empty(), "%s blocked without a reason", b.id.c_str());
    bool found = false;
    for (const TreeNode& r : t.roots) found = found || has(r, b.id);
    FUZZ_CHECK(found, "%s blocked but not in the tree", b.id.c_str());
  }
}

void Tree(const KpiModel& model, const ValueMap& actual, unsigned seed) {
  const TreeResult target = EvaluateTree(model, actual, {}, ReferenceKind::kTarget);
  CheckTargets(target);
  // No targets at all: each is derived or missing.
  CheckTargets(EvaluateTree(model, actual, {}, ReferenceKind::kTarget, TargetMap{}));
  const ValueMap baseline = MadeUp(model, seed + 3);
  (void)EvaluateTree(model, actual, baseline, ReferenceKind::kBaseline);
  ValueMap after = actual;
  if (!model.metrics.empty()) after[model.metrics.front().id] = Value::Number(42);
  const ValueMap moved = PropagateThroughTree(model, actual, after);
  (void)EvaluateTree(model, moved, actual, ReferenceKind::kWhatIf);
  (void)target;
}

}  // namespace
}  // namespace crmkpi::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crmkpi;
  using namespace crmkpi::fuzz;
  static ScratchFile scratch;
  std::string_view text = AsText(data, size);
  std::optional<std::string_view> csv;
  const std::size_t marker = text.find("\n#@csv\n");
  if (marker != std::string_view::npos) {
    csv = text.substr(marker + 7);
    text = text.substr(0, marker + 1);
  }
  std::optional<KpiModel> model;
  try {
    const IniFile ini = IniFile::Parse(text, "fuzz.ini");
    model = KpiModel::Load(ini);
  } catch (const Error& e) {
    FUZZ_CHECK(e.code() == ExitCode::kUsage, "%s", e.Formatted().c_str());
    return 0;
  }
  (void)LintModel(*model, "2025-06-30");
  (void)LintModel(*model, "");
  try {
    const KpiSheet sheet = DescribeKpis(*model);
    for (const Format f : {Format::kTable, Format::kMarkdown, Format::kCsv, Format::kJson}) {
      (void)WriteDescribe(sheet, f, (size & 1) != 0);
    }
  } catch (const Error& e) {  // a where that does not parse
    FUZZ_CHECK(e.code() == ExitCode::kUsage, "describe: %s", e.Formatted().c_str());
  }

  const unsigned seed = static_cast<unsigned>(size);
  if (csv && !model->metrics.empty()) {
    const std::string& path = scratch.Write(*csv);
    std::map<std::string, std::string> files;
    for (const SourceDef& s : model->sources) files[s.id] = path;
    for (const LookupDef& l : model->lookups) files[l.id] = path;
    ParallelOptions parallel;
    parallel.threads = 1;
    try {
      const MetricRun run = RunMetrics(model->sources, model->lookups, model->metrics, files,
                                       model->tz, std::nullopt, parallel);
      const KpiEvaluation evaluation = EvaluateKpis(*model, run);
      for (const auto& [id, v] : evaluation.totals) CheckValue(v, id);
      Tree(*model, evaluation.totals, seed);
      return 0;
    } catch (const Error&) {
      // A bad source setting or malformed CSV: the error is the run's result.
    }
  }
  Tree(*model, MadeUp(*model, seed), seed);
  return 0;
}
