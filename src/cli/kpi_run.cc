#include "kpi_run.h"

#include <cstdio>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/evaluate/definition_run.h"

namespace crmkpi {

void KpiRunArgs::Register(CLI::App* app, bool config_required) {
  auto* c = app->add_option("-c,--config", config, "KPI definition (INI, docs/ini.md)")
                ->type_name("FILE");
  if (config_required) c->required();
  app->add_option("--source", sources,
                  "Read this source (or lookup) from another file: ID=PATH (repeatable)")
      ->type_name("ID=PATH");
}

std::map<std::string, std::string> KpiRunArgs::SourceOverrides() const {
  std::map<std::string, std::string> out;
  for (const auto& s : sources) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) {
      throw Error::Usage(fmt::format("--source expects ID=PATH, got '{}'", s));
    }
    out[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return out;
}

KpiModel LoadModel(const std::string& config) { return KpiModel::Load(IniFile::Load(config)); }

void RefuseSourcesWithoutConfig(const KpiRunArgs& args) {
  if (args.config.empty() && !args.sources.empty()) {
    throw Error::Usage(fmt::format(
        "--source {} names a source of a definition; it needs -c kpi.ini (without -c, give "
        "the file as FILE)",
        args.sources.front()));
  }
}

KpiRun RunKpis(const KpiRunArgs& args, const std::map<std::string, double>& overrides,
               const std::map<std::string, std::string>& extra_sources, const KpiModel* model) {
  KpiRun run;
  run.model = model != nullptr ? *model : LoadModel(args.config);
  std::map<std::string, std::string> files = args.SourceOverrides();
  for (const auto& [id, path] : extra_sources) files[id] = path;
  DefinitionRun d = RunDefinition(run.model, args.as_of, files, overrides, args.parallel, args.taps);
  run.metrics = std::move(d.metrics);
  run.evaluation = std::move(d.evaluation);
  run.as_of = std::move(d.as_of);
  return run;
}

void PrintDiagnostics(const std::vector<DataWarning>& warnings,
                      const std::vector<LintFinding>& lint) {
  for (const DataWarning& w : warnings) {
    const std::string sample = w.sample.empty() ? "" : fmt::format(" (first: \"{}\")", w.sample);
    const std::string count = w.count > 1 ? fmt::format(" — {} rows", w.count) : "";
    std::fprintf(stderr, "crmkpi: %s: warning: %s%s%s\n", w.first.ToString().c_str(),
                 w.message.c_str(), count.c_str(), sample.c_str());
  }
  for (const LintFinding& f : lint) {
    std::fprintf(stderr, "crmkpi: %s: %s: %s [%s]\n", f.loc.ToString().c_str(),
                 f.severity == LintSeverity::kError ? "lint error" : "lint warning",
                 f.message.c_str(), f.rule.c_str());
  }
}

}  // namespace crmkpi
