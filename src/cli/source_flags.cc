#include "source_flags.h"

#include <algorithm>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {

void AddForOption(CLI::App* app, std::string* for_source) {
  app->add_option("--for", *for_source,
                  "With -c: the [source] that the source flags (--encoding, --delimiter, --map, "
                  "--won, --lost, --stages, --tz, --date-format, ...) apply to; needed when the "
                  "definition has several sources")
      ->type_name("SOURCE");
}

void RefuseForWithoutConfig(const std::string& for_source) {
  if (!for_source.empty()) {
    throw Error::Usage(fmt::format(
        "--for {} names a source of a definition; it needs -c kpi.ini", for_source));
  }
}

std::vector<std::string> ApplySourceFlags(const CLI::App& cmd, const std::vector<SourceFlag>& flags,
                                          const std::string& for_source,
                                          const std::string& config,
                                          std::vector<SourceDef>* sources) {
  std::vector<const SourceFlag*> given;
  for (const SourceFlag& f : flags) {
    const CLI::Option* o = cmd.get_option_no_throw(f.name);
    if (o != nullptr && o->count() > 0) given.push_back(&f);
  }
  std::string ids;
  for (const SourceDef& s : *sources) ids += (ids.empty() ? "" : ", ") + s.id;
  if (given.empty()) {
    if (!for_source.empty()) {
      throw Error::Usage(fmt::format(
          "--for {}: no source flag to apply (--for names the source that --encoding, "
          "--delimiter, --map, --won, --lost, --stages, --tz, --date-format, ... apply to)",
          for_source));
    }
    return {};
  }
  SourceDef* target = nullptr;
  if (!for_source.empty()) {
    for (SourceDef& s : *sources) {
      if (s.id == for_source) target = &s;
    }
    if (target == nullptr) {
      throw Error::Usage(fmt::format("--for {}: no source '{}' in {} (sources: {})", for_source,
                                     for_source, config, ids.empty() ? "none" : ids));
    }
  } else if (sources->size() == 1) {
    target = &sources->front();
  } else {
    throw Error::Usage(fmt::format(
        "{} applies to one source and {} has {} ({}): name it with --for SOURCE",
        given.front()->name, config, sources->size(), ids));
  }
  std::vector<std::string> applied;
  for (const SourceFlag* f : given) {
    f->apply(*target);
    applied.emplace_back(f->name);
  }
  return applied;
}

LostReached ParseLostReachedFlag(const std::string& text) {
  if (text == "exclude") return LostReached::kExclude;
  if (text == "opportunity") return LostReached::kOpportunity;
  if (text == "lead") return LostReached::kLead;
  throw Error::Usage(
      fmt::format("--lost-reached: expected exclude, opportunity or lead, got '{}'", text));
}

std::vector<SourceFlag> SourceFlagsOf(const SourceFlagValues& v) {
  std::vector<SourceFlag> out;
  if (v.encoding != nullptr) {
    out.push_back({"--encoding", [p = v.encoding](SourceDef& s) {
                     try {
                       ParseEncoding(*p);
                     } catch (const Error& e) {
                       throw Error::Usage("--encoding: " + e.message());
                     }
                     s.encoding = *p;
                   }});
  }
  if (v.delimiter != nullptr) {
    out.push_back({"--delimiter", [p = v.delimiter](SourceDef& s) {
                     try {
                       ParseDelimiter(*p);
                     } catch (const Error& e) {
                       throw Error::Usage("--" + e.message());
                     }
                     s.delimiter = *p;
                   }});
  }
  if (v.maps != nullptr) {
    // Each --map ROLE=COLUMN replaces the definition's map.ROLE; other roles stay.
    out.push_back({"--map", [p = v.maps](SourceDef& s) {
                     for (const std::string& text : *p) {
                       const RoleMapping m = ParseRoleMapping(text);
                       s.mappings.erase(std::remove_if(s.mappings.begin(), s.mappings.end(),
                                                       [&](const RoleMapping& old) {
                                                         return old.role == m.role;
                                                       }),
                                        s.mappings.end());
                       s.mappings.push_back(m);
                     }
                   }});
  }
  if (v.won != nullptr) {
    out.push_back({"--won", [p = v.won](SourceDef& s) { s.stages.won = *p; }});
  }
  if (v.lost != nullptr) {
    out.push_back({"--lost", [p = v.lost](SourceDef& s) { s.stages.lost = *p; }});
  }
  if (v.stages != nullptr) {
    out.push_back({"--stages", [p = v.stages](SourceDef& s) { s.stages.order = *p; }});
  }
  if (v.opportunity_stage != nullptr) {
    out.push_back({"--opportunity-stage", [p = v.opportunity_stage](SourceDef& s) {
                     s.stages.opportunity_stage = *p;
                   }});
  }
  if (v.lost_reached != nullptr) {
    out.push_back({"--lost-reached", [p = v.lost_reached](SourceDef& s) {
                     s.stages.lost_reached = ParseLostReachedFlag(*p);
                   }});
  }
  if (v.tz != nullptr) {
    out.push_back({"--tz", [p = v.tz](SourceDef& s) {
                     DateParser check({}, *p);  // an unknown zone is an error naming it
                     s.tz = *p;
                   }});
  }
  if (v.date_format != nullptr) {
    out.push_back({"--date-format", [p = v.date_format](SourceDef& s) {
                     DateParser check(*p, {});  // a bad format is an error here, not per row
                     s.date_format = *p;
                   }});
  }
  if (v.lenient != nullptr) {
    out.push_back({"--lenient", [p = v.lenient](SourceDef& s) { s.lenient = *p; }});
  }
  if (v.missing_tokens != nullptr) {
    out.push_back({"--missing-tokens", [p = v.missing_tokens](SourceDef& s) {
                     s.missing_tokens = *p;
                   }});
  }
  return out;
}

}  // namespace crmkpi
