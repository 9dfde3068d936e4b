// Stage semantics: which stage values mean won, lost or open, the pipeline order, and whether a
// deal "became an opportunity" (for lead_to_opportunity_rate). Values are compared in a normal
// form (trimmed, case-insensitive, spaces/underscores/hyphens ignored), so "Closed Won",
// "closed_won" and "closedwon" are the same stage. Lookups are cached by the raw bytes, so the
// hot loop compares a short string with a memo entry (or hashes it) and does no normalisation.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/key_table.h"

namespace crmkpi {

enum class StageClass : std::uint8_t { kOpen, kWon, kLost };

// How a lost deal counts for lead_to_opportunity_rate when the export does not say which stage
// it was lost from (no stage history).
enum class LostReached : std::uint8_t {
  kExclude,      // default: unknown, excluded from the rate and counted
  kOpportunity,  // counted as having become an opportunity
  kLead,         // counted as not having become one
};

enum class Reached : std::uint8_t { kYes, kNo, kUnknownStage, kLostUnknown };

struct StageInfo {
  StageClass cls = StageClass::kOpen;
  int order = -1;  // index in --stages, -1 when absent from the order
  Reached reached = Reached::kUnknownStage;
  // Lookup's dense id of the raw value (0, 1, 2, … in order of first lookup), for per-value
  // tables of the callers: what depends on the stage alone is decided once per distinct value.
  std::uint32_t id = 0;
};

// The default won and lost stage words (docs/kpis.md "Stage words"): English, Spanish,
// Portuguese, German, French, Italian, Dutch and Japanese.
const std::vector<std::string>& DefaultWonWords();
const std::vector<std::string>& DefaultLostWords();

// A boolean column's value: true/1/yes/y/はい, false/0/no/n/いいえ (ASCII case-insensitive);
// nullopt for anything else, empty included.
std::optional<bool> ParseFlag(std::string_view value);

struct StageConfig {
  std::vector<std::string> won;    // empty = DefaultWonWords()
  std::vector<std::string> lost;   // empty = DefaultLostWords()
  std::vector<std::string> order;  // --stages
  std::string opportunity_stage;   // --opportunity-stage
  LostReached lost_reached = LostReached::kExclude;
};

class StageRules {
 public:
  // Throws Error(kUsage) when --opportunity-stage is given without --stages or is not in it,
  // or when a value is both won and lost.
  explicit StageRules(StageConfig config);
  // Not copyable (its key table is not); a move keeps the deque's elements, which the memo
  // points to, where they are.
  StageRules(StageRules&&) = default;
  StageRules& operator=(StageRules&&) = default;

  // Classification of a raw stage value (cached by its bytes). A pipeline has a handful of
  // stage values, so a short one is first looked for in a small direct-mapped memo (by its
  // length and end bytes, then compared in full): no hash of the value on every row.
  const StageInfo& Lookup(std::string_view raw) {
    if (raw.size() - 1 < kMemoBytes) {  // 1..kMemoBytes bytes
      const auto* u = reinterpret_cast<const unsigned char*>(raw.data());
      Memo& m = memo_[(raw.size() * 7 + u[0] * 5u + u[raw.size() - 1]) & (kMemoSlots - 1)];
      if (m.info != nullptr && m.size == raw.size() &&
          std::memcmp(m.bytes, raw.data(), raw.size()) == 0) {
        return *m.info;
      }
      const StageInfo& info = LookupTable(raw);
      m.size = raw.size();
      std::memcpy(m.bytes, raw.data(), raw.size());
      m.info = &info;
      return info;
    }
    return LookupTable(raw);
  }

  // |info| as boolean won/closed columns say (Salesforce IsWon, IsClosed): won when |is_won|;
  // lost when |is_closed| and not won; open when |is_closed| is false; else |info| as it is
  // (an empty or unreadable flag leaves the stage value's word to decide).
  StageInfo WithFlags(const StageInfo& info, std::optional<bool> is_won,
                      std::optional<bool> is_closed) const;

  // True when lead_to_opportunity_rate can be computed (order and opportunity stage known).
  bool has_funnel() const { return opportunity_index_ >= 0; }
  const StageConfig& config() const { return config_; }

  // The normal form used for comparisons.
  static std::string Normalize(std::string_view value);

 private:
  StageInfo Classify(std::string_view raw) const;
  const StageInfo& LookupTable(std::string_view raw);

  static constexpr std::size_t kMemoBytes = 24, kMemoSlots = 32;
  struct Memo {
    const StageInfo* info = nullptr;  // null: empty
    std::size_t size = 0;
    char bytes[kMemoBytes];
  };
  std::array<Memo, kMemoSlots> memo_{};

  StageConfig config_;
  std::vector<std::string> won_, lost_, order_;  // normal forms
  int opportunity_index_ = -1;
  // Raw value bytes → id → classification (a deque: references handed out stay valid). A
  // KeyTable lookup is an inline hash and one probe; the unordered_map it replaced was 9 % of
  // `report`'s run time.
  KeyTable ids_;
  std::deque<StageInfo> infos_;
};

}  // namespace crmkpi
