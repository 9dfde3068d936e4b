#include "crmkpi/bind/stage_rules.h"

#include <algorithm>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"

namespace crmkpi {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::string StageRules::Normalize(std::string_view value) {
  value = TrimSpace(value);
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == ' ' || c == '_' || c == '-' || c == '\t') continue;
    if (value.compare(i, 3, "\xE3\x80\x80") == 0) {
      i += 2;
      continue;
    }
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

StageRules::StageRules(StageConfig config) : config_(std::move(config)) {
  const std::vector<std::string> default_won = {"won", "closed won", "受注"};
  const std::vector<std::string> default_lost = {"lost", "closed lost", "失注"};
  for (const auto& v : config_.won.empty() ? default_won : config_.won) {
    won_.push_back(Normalize(v));
  }
  for (const auto& v : config_.lost.empty() ? default_lost : config_.lost) {
    lost_.push_back(Normalize(v));
  }
  for (const auto& w : won_) {
    if (Contains(lost_, w)) {
      throw Error::Usage(fmt::format("stage value '{}' is given as both won and lost", w));
    }
  }
  for (const auto& v : config_.order) {
    std::string n = Normalize(v);
    if (n.empty()) throw Error::Usage("--stages: empty stage name");
    if (Contains(order_, n)) {
      throw Error::Usage(fmt::format("--stages: stage '{}' is listed twice", v));
    }
    order_.push_back(std::move(n));
  }
  if (!config_.opportunity_stage.empty()) {
    if (order_.empty()) {
      throw Error::Usage("--opportunity-stage needs --stages (the pipeline order)");
    }
    const std::string n = Normalize(config_.opportunity_stage);
    const auto it = std::find(order_.begin(), order_.end(), n);
    if (it == order_.end()) {
      throw Error::Usage(fmt::format("--opportunity-stage '{}' is not one of --stages",
                                     config_.opportunity_stage));
    }
    opportunity_index_ = static_cast<int>(it - order_.begin());
  }
}

StageInfo StageRules::Classify(std::string_view raw) const {
  const std::string n = Normalize(raw);
  StageInfo info;
  if (Contains(won_, n)) {
    info.cls = StageClass::kWon;
  } else if (Contains(lost_, n)) {
    info.cls = StageClass::kLost;
  }
  const auto it = std::find(order_.begin(), order_.end(), n);
  if (it != order_.end()) info.order = static_cast<int>(it - order_.begin());

  switch (info.cls) {
    case StageClass::kWon:
      info.reached = Reached::kYes;  // a won deal went through every stage before winning
      break;
    case StageClass::kLost:
      switch (config_.lost_reached) {
        case LostReached::kExclude:
          info.reached = Reached::kLostUnknown;
          break;
        case LostReached::kOpportunity:
          info.reached = Reached::kYes;
          break;
        case LostReached::kLead:
          info.reached = Reached::kNo;
          break;
      }
      break;
    case StageClass::kOpen:
      if (info.order < 0) {
        info.reached = Reached::kUnknownStage;
      } else {
        info.reached = info.order >= opportunity_index_ ? Reached::kYes : Reached::kNo;
      }
      break;
  }
  return info;
}

const StageInfo& StageRules::LookupTable(std::string_view raw) {
  bool inserted = false;
  const std::uint32_t id = ids_.FindOrInsert(raw, &inserted);
  if (inserted) {
    infos_.push_back(Classify(raw));
    infos_.back().id = id;
  }
  return infos_[id];
}

}  // namespace crmkpi
