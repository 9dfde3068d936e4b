// Column roles: which column of an export holds the deal id, stage, amount, owner, dates...
// Bound once per input from --map ROLE=COLUMN and, for roles not mapped, from the header names
// that the CRMs' exports use — UI labels and API names of Salesforce, HubSpot, Zoho, Dynamics
// 365, Pipedrive, Freshsales, vtiger, Mazrica, kintone, eセールスマネージャー, in English,
// Japanese and the usual European languages (case-, space- and underscore-insensitive; an
// object prefix such as Pipedrive's "Deal - " is ignored when the whole name is not known).
// The hot loop then touches column indexes only.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/read/header_names.h"

namespace crmkpi {

enum class Role : int {
  kId,
  kName,
  kStage,
  kAmount,
  kOwner,
  kSource,
  kProduct,
  kAccount,
  kEmail,
  kCreated,
  kClosed,
  kChanged,   // stage history: when the deal entered the row's stage
  kPeriod,    // forecasts: the period a forecast is for
  kForecast,  // forecasts: the forecast amount
  kActual,    // forecasts: the actual amount, when the file has one
  kSnapshot,  // forecasts: when the forecast was made
  kCategory,  // forecasts: commit, best case, pipeline...
  kCurrency,     // the currency of the amount (CurrencyIsoCode, 通貨)
  kProbability,  // win probability in percent (Probability, 確度)
  kModified,     // when the record was last changed (LastModifiedDate, 最終更新日時)
  kIsWon,        // a boolean: the deal is won (Salesforce IsWon)
  kIsClosed,     // a boolean: the deal is closed (Salesforce IsClosed)
  kStatus,       // a lead's, case's or ticket's status (Lead Status, Ticket Status)
  kPriority,     // a case's or ticket's priority
  kChannel,      // where a case or ticket came in (Case Origin, Ticket Channel)
  kSatisfaction, // a satisfaction rating (CSAT)
  kResolution,   // time to resolution, or when a case was resolved
};
inline constexpr int kRoleCount = 27;

std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);
// "id, name, stage, ..." for messages.
std::string RoleList();

// A --map ROLE=COLUMN request as given on the command line.
struct RoleMapping {
  Role role;
  std::string column;
};
// Parses "ROLE=COLUMN". Throws Error(kUsage) naming the accepted roles.
RoleMapping ParseRoleMapping(std::string_view text);

enum class BindingSource { kNone, kMapped, kDetected };

struct RoleBinding {
  std::array<int, kRoleCount> column;  // -1 = not present
  std::array<BindingSource, kRoleCount> source;

  RoleBinding() {
    column.fill(-1);
    source.fill(BindingSource::kNone);
  }
  int operator[](Role role) const { return column[static_cast<int>(role)]; }
  bool has(Role role) const { return (*this)[role] >= 0; }
};

// Binds roles for |header|: explicit |mappings| first (a mapped column that does not exist or
// is ambiguous is an Error(kUsage) listing the headers), then auto-detection for the rest. A
// role detected from a header name that two columns share (duplicate headers) is an
// Error(kInput): the file is ambiguous. |file| names the input in messages.
RoleBinding BindRoles(const std::vector<std::string>& header,
                      const std::vector<RoleMapping>& mappings, const std::string& file);

// A column whose header names a role: the role's name it matched (in normal form), and whether
// it matched only after an object prefix ("Deal - Status" → "status").
struct RoleMatch {
  int column = -1;
  std::string name;
  bool after_prefix = false;
};
// Every column whose header is one of |role|'s names, in the order BindRoles tries them (whole
// names first, then the list's order): the first one not bound to another role is the role's,
// the others are its runners-up (`crmkpi columns` shows them).
std::vector<RoleMatch> RoleMatches(const std::vector<std::string>& header, Role role);

// The column a `--by NAME` groups by: a header (FindColumn), else a bound role of that name.
// Throws Error(kUsage) naming |file| and listing the header when there is none or the name is
// ambiguous (FindColumn).
int ResolveByColumn(const std::vector<std::string>& header, const RoleBinding& roles,
                    const std::string& name, const std::string& file);

}  // namespace crmkpi
