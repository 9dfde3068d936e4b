#include "crmkpi/engine/analysis_metrics.h"

#include <algorithm>


#include <fmt/format.h>

#include "crmkpi/analysis/dwell.h"
#include "crmkpi/analysis/forecast_report.h"
#include "crmkpi/analysis/stage_history.h"
#include "crmkpi/base/error.h"
#include "crmkpi/bind/date_order.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/values/fiscal_calendar.h"

namespace crmkpi {
namespace {

MetricCell CellOf(const KpiValue& v) {
  MetricCell c;
  c.value = v.value;
  // n: the figure's population; a ratio of counts without one (a conversion) has its denominator.
  c.n = v.n ? *v.n
            : (v.denominator && v.denominator->fixed
                   ? static_cast<std::uint64_t>(v.denominator->ToDouble())
                   : 0);
  c.reason = v.reason;
  c.excluded = v.excluded;
  c.numerator = v.numerator;
  c.denominator = v.denominator;
  return c;
}

const KpiValue* FindKpi(const std::vector<KpiValue>& kpis, const std::string& id) {
  for (const KpiValue& v : kpis) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

CsvOptions Csv(const SourceDef& s) {
  try {
    return ParseDelimiter(s.delimiter);
  } catch (const Error& e) {
    throw Error(ExitCode::kUsage, fmt::format("source '{}': {}", s.id, e.message()), s.loc);
  }
}

Encoding EncodingOf(const SourceDef& s) {
  try {
    return ParseEncoding(s.encoding);
  } catch (const Error& e) {
    throw Error(ExitCode::kUsage, fmt::format("source '{}': {}", s.id, e.message()), s.loc);
  }
}

Report Analyse(const SourceDef& source, const std::string& path, const SourceDef* actual,
               const std::string& actual_path, const std::string& tz,
               const std::optional<Seconds>& as_of, const std::string& as_of_text) {
  if (source.kind == SourceKind::kStageHistory) {
    StageHistoryOptions o;
    o.file = path;
    o.encoding = EncodingOf(source);
    o.csv = Csv(source);
    o.mappings = source.mappings;
    o.stages = source.stages;
    o.entered = source.entered;
    o.date_format = source.date_format;
    o.date_order = source.date_order;
    o.date_order_fix = DateOrderFixIni(source.id);
    o.tz = tz;
    const StageHistory history = ReadStageHistory(o);
    DwellOptions d;
    d.mode = source.dwell_mode == "latest" ? DwellMode::kLatest : DwellMode::kCumulative;
    d.conversion =
        source.conversion == "strict" ? ConversionMode::kStrict : ConversionMode::kAny;
    d.as_of = as_of;
    return ComputeDwell(history, d);
  }
  ForecastOptions o;
  o.forecast_file = path;
  o.period = ParsePeriodName(source.forecast_period);
  o.calendar = source.calendar;
  o.by = source.forecast_series;
  o.mappings = source.mappings;
  if (actual != nullptr) {
    o.actual_file = actual_path;
    o.mappings.insert(o.mappings.end(), actual->mappings.begin(), actual->mappings.end());
    o.stages = actual->stages;
  }
  o.date_format = source.date_format;
  o.date_order = source.date_order;
  o.date_order_fix = DateOrderFixIni(source.id);
  o.tz = tz;
  o.as_of = as_of_text;
  o.csv = Csv(source);
  o.encoding = EncodingOf(source);
  return RunForecastReport(o);
}

}  // namespace

void RunAnalysisSource(const SourceDef& source, const std::string& path, const SourceDef* actual,
                       const std::string& actual_path, const std::vector<const MetricDef*>& metrics,
                       const std::vector<std::size_t>& result_indexes, const std::string& default_tz,
                       const std::optional<Seconds>& as_of, const std::string& as_of_text,
                       MetricRun* run) {
  const std::string tz = source.tz.empty() ? default_tz : source.tz;
  const Report report = Analyse(source, path, actual, actual_path, tz, as_of, as_of_text);
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const MetricDef& m = *metrics[i];
    MetricResult& r = run->metrics[result_indexes[i]];
    r.id = m.id;
    const KpiValue* found = nullptr;
    if (!FigureNeedsStage(m.figure)) {
      found = FindKpi(report.total.kpis, m.figure);
    } else {
      const std::string want = StageRules::Normalize(m.stage);
      std::vector<std::string> stages;
      for (const Grouping& g : report.groupings) {
        if (g.keys != std::vector<std::string>{"stage"}) continue;
        for (const GroupRow& row : g.rows) {
          const KpiValue* v = FindKpi(row.kpis, m.figure);
          if (v == nullptr) continue;
          // Conversion rows are "from → to"; dwell rows the stage itself.
          std::string from = row.values[0];
          if (const auto arrow = from.find(" \xE2\x86\x92 "); arrow != std::string::npos) {
            from = from.substr(0, arrow);
          }
          stages.push_back(from);
          if (StageRules::Normalize(from) == want) found = v;
        }
      }
      if (found == nullptr) {
        std::string list;
        for (const auto& s : stages) list += (list.empty() ? "" : ", ") + s;
        throw Error(ExitCode::kUsage,
                    fmt::format("metric '{}': no {} for stage '{}' in {} (stages: {})", m.id,
                                m.figure, m.stage, report.inputs.empty() ? path
                                                                           : report.inputs[0].name,
                                list.empty() ? "none" : list),
                    m.stage_loc.line > 0 ? m.stage_loc : m.loc);
      }
    }
    if (found == nullptr) {
      MetricCell c;
      c.reason = "EMPTY";
      r.total = c;
    } else {
      r.total = CellOf(*found);
    }
    // A forecast figure per period too (forecast error over time: report --trend, the
    // failure signs), as `crmkpi forecast` prints it by period.
    if (source.kind != SourceKind::kForecast) continue;
    for (const Grouping& g : report.groupings) {
      if (g.keys != std::vector<std::string>{"period"}) continue;
      MetricGrouping by_period;
      by_period.keys = g.keys;
      for (const GroupRow& row : g.rows) {
        if (const KpiValue* v = FindKpi(row.kpis, m.figure)) {
          by_period.rows.emplace_back(row.values, CellOf(*v));
        }
      }
      std::sort(by_period.rows.begin(), by_period.rows.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      r.groupings.push_back(std::move(by_period));
    }
  }
  for (const auto& [label, days] : report.period_bounds) run->period_bounds.try_emplace(label, days);
  SourceSummary summary;
  summary.id = source.id;
  for (const InputSummary& in : report.inputs) {
    summary.file += (summary.file.empty() ? "" : ", ") + in.name;
    summary.rows += in.rows;
    summary.encoding = in.encoding;
    summary.encoding_detected = in.encoding_detected;
  }
  run->sources.push_back(summary);
  run->warnings.insert(run->warnings.end(), report.warnings.begin(), report.warnings.end());
}

}  // namespace crmkpi
