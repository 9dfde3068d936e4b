#include "crmkpi/bind/column_roles.h"

#include <iterator>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"

namespace crmkpi {
namespace {

constexpr std::string_view kRoleNames[kRoleCount] = {
    "id",     "name",    "stage",   "amount", "owner",  "source",
    "product", "account", "email", "created", "closed",  "changed",
    "period",  "forecast", "actual", "snapshot", "category",
};

// Header names recognised per role, in normal form (NormalizeHeader), most specific first.
// Sources: Salesforce (EN/JA), HubSpot, Dynamics 365, Pipedrive/Mazrica-style and generic
// snake_case exports (Maven's sales_pipeline, Olist).
struct Synonyms {
  Role role;
  std::vector<std::string_view> names;
};
const std::vector<Synonyms>& SynonymTable() {
  static const std::vector<Synonyms> table = {
      {Role::kId,
       {"opportunityid", "dealid", "recordid", "id", "opportunity18id", "商談id", "案件id",
        "取引id"}},
      {Role::kName,
       {"opportunityname", "dealname", "topic", "name", "商談名", "案件名", "取引名"}},
      {Role::kStage,
       {"stage", "stagename", "dealstage", "pipelinestage", "salesstage", "フェーズ",
        "ステージ", "商談フェーズ", "進捗"}},
      {Role::kAmount,
       {"amount", "closevalue", "dealamount", "dealvalue", "value", "actualrevenue",
        "estrevenue", "estimatedrevenue", "金額", "商談金額", "受注金額", "amountconverted"}},
      {Role::kOwner,
       {"opportunityowner", "dealowner", "owner", "ownername", "salesagent", "salesrep",
        "所有者", "商談所有者", "担当者", "営業担当"}},
      {Role::kSource,
       {"leadsource", "source", "dealsource", "originalsource", "origin", "リードソース",
        "流入元"}},
      {Role::kProduct, {"product", "productname", "products", "商品", "製品", "商品名"}},
      {Role::kAccount,
       {"accountname", "account", "company", "companyname", "associatedcompany",
        "potentialcustomer", "取引先名", "取引先", "会社名", "顧客名"}},
      {Role::kEmail,
       {"email", "contactemail", "emailaddress", "メール", "メールアドレス", "email1"}},
      {Role::kCreated,
       {"createddate", "createdate", "createdat", "created", "createdon", "engagedate",
        "作成日", "作成日時", "登録日"}},
      {Role::kClosed,
       {"closedate", "closedat", "closedon", "closeddate", "closingdate", "actualclosedate", "完了予定日",
        "完了日", "受注日", "クローズ日"}},
      {Role::kChanged,
       {"changeddate", "changedat", "stagechangedat", "stagechangeddate", "stagedate",
        "enteredat", "entereddate", "timestamp", "変更日時", "変更日", "フェーズ変更日"}},
      {Role::kPeriod,
       {"period", "forecastperiod", "month", "quarter", "期間", "対象期間", "対象月", "年月"}},
      {Role::kForecast,
       {"forecast", "forecastamount", "forecastrevenue", "forecastedamount", "forecastvalue",
        "予測", "予測金額", "見込金額", "着地見込"}},
      {Role::kActual, {"actual", "actualamount", "actuals", "actualvalue", "実績", "実績金額"}},
      {Role::kSnapshot,
       {"snapshotdate", "snapshot", "forecastdate", "submittedat", "submitteddate", "asof",
        "予測日", "提出日"}},
      {Role::kCategory,
       {"forecastcategory", "forecastcategoryname", "category", "予測カテゴリ", "カテゴリ"}},
  };
  return table;
}

}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[static_cast<int>(role)]; }

std::optional<Role> ParseRole(std::string_view name) {
  for (int i = 0; i < kRoleCount; ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

std::string RoleList() {
  std::string out;
  for (int i = 0; i < kRoleCount; ++i) {
    if (i) out += ", ";
    out += kRoleNames[i];
  }
  return out;
}

RoleMapping ParseRoleMapping(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size()) {
    throw Error::Usage(fmt::format("--map expects ROLE=COLUMN, got '{}'", text));
  }
  const auto role = ParseRole(text.substr(0, eq));
  if (!role) {
    const std::vector<std::string> roles(std::begin(kRoleNames), std::end(kRoleNames));
    throw Error::Usage(fmt::format("--map: unknown role '{}'{} (roles: {})", text.substr(0, eq),
                                   DidYouMean(text.substr(0, eq), roles), RoleList()));
  }
  return {*role, std::string(text.substr(eq + 1))};
}

RoleBinding BindRoles(const std::vector<std::string>& header,
                      const std::vector<RoleMapping>& mappings, const std::string& file) {
  RoleBinding binding;
  for (const RoleMapping& m : mappings) {
    int col = -1;
    try {
      col = FindColumn(header, m.column);
    } catch (const Error& e) {
      throw Error::Usage(
          fmt::format("{}: --map {}={}: {}", file, RoleName(m.role), m.column, e.message()));
    }
    if (col < 0) {
      throw Error::Usage(fmt::format("{}: --map {}={}: no such column{}; the header has {}", file,
                                     RoleName(m.role), m.column, DidYouMean(m.column, header),
                                     QuoteHeaders(header)));
    }
    binding.column[static_cast<int>(m.role)] = col;
    binding.source[static_cast<int>(m.role)] = BindingSource::kMapped;
  }
  std::vector<std::string> normal;
  normal.reserve(header.size());
  for (const std::string& h : header) normal.push_back(NormalizeHeader(h));
  std::vector<bool> taken(header.size(), false);
  for (int c : binding.column) {
    if (c >= 0) taken[static_cast<std::size_t>(c)] = true;
  }
  for (const Synonyms& s : SynonymTable()) {
    const int r = static_cast<int>(s.role);
    if (binding.column[r] >= 0) continue;
    for (std::string_view name : s.names) {
      for (std::size_t i = 0; i < normal.size() && binding.column[r] < 0; ++i) {
        if (!taken[i] && normal[i] == name) {
          for (std::size_t j = i + 1; j < normal.size(); ++j) {
            if (taken[j] || normal[j] != name) continue;
            // Two columns would give the role: binding the first would read the other silently.
            const bool same = header[i] == header[j];
            throw Error::Input(fmt::format(
                "{}: the header has two columns for the {} role, '{}' (field {}) and '{}' "
                "(field {}); {}",
                file, RoleName(s.role), header[i], i + 1, header[j], j + 1,
                same ? fmt::format("rename one of them in the file, or map the role to another "
                                   "column with --map {}=COLUMN",
                                   RoleName(s.role))
                     : fmt::format("name the one to use with --map {}='{}'", RoleName(s.role),
                                   header[i])));
          }
          binding.column[r] = static_cast<int>(i);
          binding.source[r] = BindingSource::kDetected;
          taken[i] = true;
        }
      }
      if (binding.column[r] >= 0) break;
    }
  }
  return binding;
}

int ResolveByColumn(const std::vector<std::string>& header, const RoleBinding& roles,
                    const std::string& name, const std::string& file) {
  int col = -1;
  try {
    col = FindColumn(header, name);
  } catch (const Error& e) {
    throw Error::Usage(fmt::format("{}: --by {}: {}", file, name, e.message()));
  }
  if (col < 0) {
    if (auto role = ParseRole(name); role && roles.has(*role)) col = roles[*role];
  }
  if (col < 0) {
    // Nearest among the headers and the bound roles ("ownr" → owner).
    std::vector<std::string> known = header;
    for (int r = 0; r < kRoleCount; ++r) {
      if (roles.has(static_cast<Role>(r))) known.emplace_back(kRoleNames[r]);
    }
    throw Error::Usage(fmt::format("{}: --by {}: no such column{}; the header has {}", file, name,
                                   DidYouMean(name, known), QuoteHeaders(header)));
  }
  return col;
}

}  // namespace crmkpi
