// Internal: the flags that say how to read an export mean the same with and without -c
// (docs/cli.md, "Flags with -c"). With a definition, each given flag replaces its [source] key
// (docs/ini.md) on the definition's only source, or on the source named by --for.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "crmkpi/definition/metric_def.h"

namespace crmkpi {

// One source flag: its name as the user types it ("--encoding") and what it sets on a source.
// |apply| checks the value first (Error(kUsage) naming the flag).
struct SourceFlag {
  const char* name;
  std::function<void(SourceDef&)> apply;
};

// --for SOURCE.
void AddForOption(CLI::App* app, std::string* for_source);

// The source flags of |flags| given on |cmd|, applied to one of |sources|: the one named
// |for_source|, else the only one. Throws Error(kUsage) when a flag is given and the definition
// has several sources but no --for; when --for names no source (listing them); when --for is
// given without a source flag (it would change nothing). Returns the names of the flags
// applied.
std::vector<std::string> ApplySourceFlags(const CLI::App& cmd, const std::vector<SourceFlag>& flags,
                                          const std::string& for_source,
                                          const std::string& config,
                                          std::vector<SourceDef>* sources);

// Without -c, --for has nothing to choose from: Error(kUsage) when it was given.
void RefuseForWithoutConfig(const std::string& for_source);

// The flags every command that reads deals offers, over the variables they are parsed into;
// a null pointer leaves that flag out.
struct SourceFlagValues {
  const std::string* encoding = nullptr;
  const std::string* delimiter = nullptr;
  const std::vector<std::string>* maps = nullptr;
  const std::vector<std::string>* won = nullptr;
  const std::vector<std::string>* lost = nullptr;
  const std::vector<std::string>* stages = nullptr;
  const std::string* opportunity_stage = nullptr;
  const std::string* lost_reached = nullptr;
  const std::string* tz = nullptr;
  const std::string* date_format = nullptr;
  const bool* lenient = nullptr;
  const std::vector<std::string>* missing_tokens = nullptr;
};
std::vector<SourceFlag> SourceFlagsOf(const SourceFlagValues& v);

// "--lost-reached lead" → LostReached; Error(kUsage) naming the flag otherwise.
LostReached ParseLostReachedFlag(const std::string& text);

}  // namespace crmkpi
