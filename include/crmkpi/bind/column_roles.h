// Column roles: which column of an export holds the deal id, stage, amount, owner, dates...
// Bound once per input from --map ROLE=COLUMN and, for roles not mapped, from the header names
// that Salesforce, HubSpot, Dynamics, Mazrica and Japanese exports use (case-, space- and
// underscore-insensitive). The hot loop then touches column indexes only.
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
};
inline constexpr int kRoleCount = 17;

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

// The column a `--by NAME` groups by: a header (FindColumn), else a bound role of that name.
// Throws Error(kUsage) naming |file| and listing the header when there is none or the name is
// ambiguous (FindColumn).
int ResolveByColumn(const std::vector<std::string>& header, const RoleBinding& roles,
                    const std::string& name, const std::string& file);

}  // namespace crmkpi
