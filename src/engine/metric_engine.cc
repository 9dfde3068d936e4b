// RunMetrics (metric_engine.h): checks the sources and lookups the metrics and --source name,
// binds every source before reading any rows, then reads each source once. The engine's parts:
// source_run (a source's pass), metric_binding, row_plan, source_rows (the row loop),
// accumulators, metric_cells (finishing), lookup_table, setting_errors.
#include "crmkpi/engine/metric_engine.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/engine/analysis_metrics.h"
#include "crmkpi/read/warning_log.h"

#include "lookup_table.h"
#include "source_run.h"

namespace crmkpi {
namespace {

using engine_detail::LoadedLookup;
using engine_detail::LoadLookup;
using engine_detail::SourceRun;

std::string Path(const std::map<std::string, std::string>& overrides, const std::string& id,
                 const std::string& file) {
  const auto it = overrides.find(id);
  return it == overrides.end() ? file : it->second;
}

}  // namespace

MetricRun RunMetrics(const std::vector<SourceDef>& sources, const std::vector<LookupDef>& lookups,
                     const std::vector<MetricDef>& metrics,
                     const std::map<std::string, std::string>& file_overrides,
                     const std::string& default_tz, const std::optional<Seconds>& as_of,
                     const ParallelOptions& parallel, bool as_of_from_data,
                     const std::map<std::string, RowTap*>& taps) {
  auto source_ids = [&] {
    std::string ids;
    for (const SourceDef& s : sources) ids += (ids.empty() ? "" : ", ") + s.id;
    return ids.empty() ? std::string("none") : ids;
  };
  for (const auto& [id, path] : file_overrides) {
    const bool known =
        // [&wanted = id]: clang before 16 cannot capture a structured binding.
        std::any_of(sources.begin(), sources.end(),
                    [&wanted = id](const SourceDef& s) { return s.id == wanted; }) ||
        std::any_of(lookups.begin(), lookups.end(),
                    [&wanted = id](const LookupDef& l) { return l.id == wanted; });
    if (!known) {
      throw Error::Usage(fmt::format("--source {}={}: no source or lookup '{}' (sources: {})",
                                     id, path, id, source_ids()));
    }
  }
  std::vector<std::vector<const MetricDef*>> per_source(sources.size());
  std::vector<std::vector<std::size_t>> result_indexes(sources.size());
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const MetricDef& m = metrics[i];
    const auto it = std::find_if(sources.begin(), sources.end(),
                                 [&](const SourceDef& s) { return s.id == m.source; });
    if (it == sources.end()) {
      throw Error(ExitCode::kUsage,
                  fmt::format("metric '{}': unknown source '{}' (sources: {})", m.id, m.source,
                              source_ids()),
                  m.loc);
    }
    const auto s = static_cast<std::size_t>(it - sources.begin());
    per_source[s].push_back(&m);
    result_indexes[s].push_back(i);
  }
  for (const LookupDef& l : lookups) {
    if (std::none_of(sources.begin(), sources.end(),
                     [&](const SourceDef& s) { return s.id == l.source; })) {
      throw Error(ExitCode::kUsage,
                  fmt::format("lookup '{}': unknown source '{}' (sources: {})", l.id, l.source,
                              source_ids()),
                  l.loc);
    }
  }

  // Bind every source before reading any rows, so a configuration error is reported before a
  // long read.
  WarningLog warnings;
  std::vector<std::unique_ptr<SourceRun>> runs;
  // A source's further files (`file =` repeated), each bound like the first: by run index.
  std::vector<std::vector<std::unique_ptr<SourceRun>>> more(sources.size());
  std::size_t next_file_index = 0;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    if (per_source[s].empty()) continue;
    const SourceDef& def = sources[s];
    if (def.kind != SourceKind::kRows) continue;  // analysed below (analysis_metrics.h)
    std::vector<LoadedLookup> loaded;
    for (const LookupDef& l : lookups) {
      if (l.source == def.id) loaded.push_back(LoadLookup(l, Path(file_overrides, l.id, l.file)));
    }
    const bool track = as_of_from_data && !as_of;
    runs.push_back(std::make_unique<SourceRun>(def, static_cast<int>(s),
                                               Path(file_overrides, def.id, def.file),
                                               std::move(loaded), per_source[s],
                                               result_indexes[s], default_tz, as_of, track,
                                               &warnings));
    if (const auto tap = taps.find(def.id); tap != taps.end()) runs.back()->set_tap(tap->second);
    std::vector<std::unique_ptr<SourceRun>>& further = more[runs.size() - 1];
    if (file_overrides.count(def.id) == 0) {
      for (std::size_t f = 0; f < def.more_files.size(); ++f) {
        std::vector<LoadedLookup> again;
        for (const LookupDef& l : lookups) {
          if (l.source == def.id) again.push_back(LoadLookup(l, Path(file_overrides, l.id, l.file)));
        }
        // Its own index for warnings: each file's first bad value is shown, as for report FILE...
        const int index = static_cast<int>(sources.size() + (next_file_index++));
        further.push_back(std::make_unique<SourceRun>(
            def, index, def.more_files[f], std::move(again), per_source[s], result_indexes[s],
            default_tz, as_of, track, &warnings, def.more_file_locs[f], runs.back().get()));
      }
    }
  }
  MetricRun run;
  run.metrics.resize(metrics.size());
  // Every source is read before any is finished: an as-of taken from the data is the latest
  // date of all of them.
  for (std::size_t i = 0; i < runs.size(); ++i) {
    runs[i]->ReadAll(parallel);
    for (auto& f : more[i]) {
      f->ReadAll(parallel);
      runs[i]->MergeFile(*f);
      f.reset();
    }
  }
  if (as_of_from_data && !as_of) {
    for (const auto& r : runs) {
      if (r->latest_date() && (!run.data_as_of || *r->latest_date() > *run.data_as_of)) {
        run.data_as_of = r->latest_date();
      }
    }
  }
  for (auto& r : runs) {
    if (run.data_as_of) r->FinishAt(*run.data_as_of);
    r->Finish(&run.metrics, &run.sources, &run.period_bounds);
  }
  run.warnings = warnings.Take();
  std::string as_of_text;
  if (as_of) as_of_text = date::format("%Y-%m-%dT%H:%M:%SZ", date::sys_seconds{std::chrono::seconds{*as_of}});
  for (std::size_t s = 0; s < sources.size(); ++s) {
    const SourceDef& def = sources[s];
    if (per_source[s].empty() || def.kind == SourceKind::kRows) continue;
    const SourceDef* actual = nullptr;
    if (!def.actual_source.empty()) {
      const auto it = std::find_if(sources.begin(), sources.end(), [&](const SourceDef& x) {
        return x.id == def.actual_source;
      });
      if (it != sources.end()) actual = &*it;
    }
    RunAnalysisSource(def, Path(file_overrides, def.id, def.file), actual,
                      actual ? Path(file_overrides, actual->id, actual->file) : std::string(),
                      per_source[s], result_indexes[s], default_tz, as_of, as_of_text, &run);
  }
  return run;
}

}  // namespace crmkpi
