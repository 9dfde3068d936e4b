#include "crmkpi/bind/stage_rules.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"

namespace crmkpi {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A trailing qualifier in brackets says why, not what: "失注（競合）" is lost, "Lost (price)"
// is lost. Returns |value| without it (ASCII or full-width brackets), unless nothing is left.
std::string_view WithoutQualifier(std::string_view value) {
  value = TrimSpace(value);
  for (const auto& [open, close] : {std::pair<std::string_view, std::string_view>{"(", ")"},
                                    {"\xEF\xBC\x88", "\xEF\xBC\x89"}}) {
    if (value.size() > close.size() && value.ends_with(close)) {
      const std::size_t at = value.rfind(open);
      if (at != std::string_view::npos && at > 0) return TrimSpace(value.substr(0, at));
    }
  }
  return value;
}

}  // namespace

// The default won and lost words: the terminal stages of the CRMs' default pipelines and
// their usual translations (Salesforce's picklist in each language, HubSpot, Zoho, Dynamics,
// Pipedrive, Freshsales, vtiger; Japanese CRMs and Japanese sales usage: 受注/成約/成立/契約
// for a deal won, 失注/不成立/見送り for one lost). Compared after Normalize, so "Closed Won",
// "closed_won" and "CLOSED-WON" are one; a trailing qualifier in brackets is ignored.
const std::vector<std::string>& DefaultWonWords() {
  static const std::vector<std::string> words = {
      // English
      "won", "closed won", "closed/won", "deal won", "closed - won",
      // Spanish, Portuguese
      "ganado", "ganada", "cerrado ganado", "cerrada ganada", "ganho", "ganha",
      "fechado ganho", "fechada ganha", "fechado e ganho",
      // German, French, Italian, Dutch
      "gewonnen", "geschlossen und gewonnen", "abgeschlossen gewonnen", "gagné", "gagnée",
      "fermé gagné", "fermée gagnée", "conclu gagné", "vinta", "chiusa vinta", "chiuso vinto",
      "gewonnen afgesloten",
      // Japanese
      "受注", "受注済み", "受注済", "成約", "成約済み", "成約済", "成立", "契約", "契約済み",
      "契約済", "契約締結", "クローズ受注", "商談成立"};
  return words;
}

const std::vector<std::string>& DefaultLostWords() {
  static const std::vector<std::string> words = {
      // English
      "lost", "closed lost", "closed/lost", "deal lost", "closed lost to competition",
      "lost to competition", "closed - lost",
      // Spanish, Portuguese
      "perdido", "perdida", "cerrado perdido", "cerrada perdida", "fechado perdido",
      "fechada perdida", "fechado e perdido",
      // German, French, Italian, Dutch
      "verloren", "geschlossen und verloren", "abgeschlossen verloren", "perdu", "perdue",
      "fermé perdu", "fermée perdue", "conclu perdu", "persa", "chiusa persa", "chiuso perso",
      "verloren afgesloten",
      // Japanese
      "失注", "失注済み", "失注済", "不成立", "見送り", "見送", "破談", "クローズ失注", "商談不成立"};
  return words;
}

std::string StageRules::Normalize(std::string_view value) {
  value = WithoutQualifier(value);
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
  for (const auto& v : config_.won.empty() ? DefaultWonWords() : config_.won) {
    won_.push_back(Normalize(v));
  }
  for (const auto& v : config_.lost.empty() ? DefaultLostWords() : config_.lost) {
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

StageInfo StageRules::WithFlags(const StageInfo& info, std::optional<bool> is_won,
                                std::optional<bool> is_closed) const {
  StageClass cls = info.cls;
  if (is_won == true) {
    cls = StageClass::kWon;
  } else if (is_closed == true) {
    cls = StageClass::kLost;  // closed and not won (IsWon false or empty)
  } else if (is_closed == false) {
    cls = StageClass::kOpen;
  } else if (is_won == false && info.cls == StageClass::kWon) {
    cls = StageClass::kOpen;  // not won, closedness unknown: not a win whatever the word
  }
  if (cls == info.cls) return info;
  StageInfo out = info;
  out.cls = cls;
  switch (cls) {
    case StageClass::kWon:
      out.reached = Reached::kYes;
      break;
    case StageClass::kLost:
      out.reached = config_.lost_reached == LostReached::kOpportunity ? Reached::kYes
                    : config_.lost_reached == LostReached::kLead      ? Reached::kNo
                                                                      : Reached::kLostUnknown;
      break;
    case StageClass::kOpen:
      out.reached = info.order < 0                      ? Reached::kUnknownStage
                    : info.order >= opportunity_index_ ? Reached::kYes
                                                        : Reached::kNo;
      break;
  }
  return out;
}

std::optional<bool> ParseFlag(std::string_view value) {
  value = TrimSpace(value);
  auto is = [&](std::string_view w) {
    return value.size() == w.size() &&
           std::equal(value.begin(), value.end(), w.begin(), [](char a, char b) {
             return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
           });
  };
  if (is("true") || is("1") || is("yes") || is("y") || value == "はい") return true;
  if (is("false") || is("0") || is("no") || is("n") || value == "いいえ") return false;
  return std::nullopt;
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
