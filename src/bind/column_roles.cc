#include "crmkpi/bind/column_roles.h"

#include <algorithm>
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
    "period",  "forecast", "actual", "snapshot", "category", "currency", "probability",
    "modified", "is_won", "is_closed", "status", "priority", "channel", "satisfaction",
    "resolution",
};

// Header names recognised per role, in normal form (NormalizeHeader: lower case, no spaces,
// '_', '-', '.', brackets), most specific first; within a role the first name found wins.
// Where they come from (tests/corpus/README.md cites each page):
//   Salesforce: Field Reference for Opportunity (API names: StageName, CloseDate, OwnerId,
//     AccountId, IsWon, IsClosed, CurrencyIsoCode, LastModifiedDate, Probability,
//     ForecastCategoryName), report exports (Opportunity Owner, Account Name; Japanese:
//     商談 所有者, 取引先名, フェーズ, 完了予定日, 確度 (%); German: Opportunity-Inhaber, Phase,
//     Betrag, Schlusstermin, Erstelldatum, Lead-Quelle, Wahrscheinlichkeit (%));
//   HubSpot: deal export (Record ID, Deal Name, Deal Stage, Close Date, Create Date, Deal owner,
//     Associated Company, Last Modified Date, Pipeline);
//   Zoho CRM: Deals/Potentials, Leads and Cases fields (Potential Owner, Deal Owner, Closing
//     Date, Created Time, Modified Time, Lead Owner, Lead Status, Case Owner, Case Origin);
//   Dynamics 365: opportunity entity (Topic, Potential Customer, Status, Status Reason, Est.
//     Revenue, Actual Revenue, Est. Close Date, Actual Close Date, Created On, Owner, and the
//     "(Do Not Modify)" key columns of an Excel export);
//   Pipedrive: deal export ("Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Status",
//     "Deal - Owner", "Deal - Deal created", "Deal - Won time"; the "Deal - " prefix is
//     stripped, see BindRoles); Freshsales: deal fields (Deal Value, Closed date, Created at);
//   vtiger (French/Spanish language files): Nom de l'affaire, Montant, Phase de vente, Date de
//     clôture prévue, Assigné à; Nombre Oportunidad, Importe, Fase de Venta, Asignado a;
//   Mazrica (Senses): 案件名, 顧客, 担当者, フェーズ, 契約金額, 契約予定日, 契約確度, 作成日時;
//   kintone: レコード番号, 作成日時, 更新日時, and the fields of its 案件管理 app template
//     (会社名, 担当者名, 見込み金額, 受注予定日, 確度); eセールスマネージャー: 案件名, 顧客名, 担当者,
//     進捗, 受注金額, 受注予定日, 登録日;
//   support tickets (the public "customer support tickets" export): Ticket ID, Customer Email,
//     Product Purchased, Ticket Status, Ticket Priority, Ticket Channel, Time to Resolution,
//     Customer Satisfaction Rating;
//   generic snake_case exports (Maven's sales_pipeline, Olist).
struct Synonyms {
  Role role;
  std::vector<std::string_view> names;
};
const std::vector<Synonyms>& SynonymTable() {
  static const std::vector<Synonyms> table = {
      {Role::kId,
       {"opportunityid", "dealid", "recordid", "id", "opportunity18id", "donotmodifyopportunity",
        "ticketid", "caseid", "leadid", "商談id", "案件id", "取引id", "レコード番号", "案件番号",
        "商談番号", "affairen°", "númerooportunidad", "opportunitynumber"}},
      {Role::kName,
       {"opportunityname", "dealname", "potentialname", "topic", "name", "title",
        "ticketsubject", "subject", "商談名", "案件名", "取引名", "件名", "nomdel'affaire",
        "nombreoportunidad", "título", "titel"}},
      {Role::kStage,
       {"stage", "stagename", "dealstage", "pipelinestage", "salesstage", "フェーズ",
        "ステージ", "商談フェーズ", "進捗", "phase", "phasedevente", "fasedeventa", "etapa",
        "verkaufsphase"}},
      {Role::kAmount,
       {"amount", "closevalue", "dealamount", "dealvalue", "value", "estrevenue",
        "estimatedrevenue", "actualrevenue", "金額", "商談金額", "受注金額", "見込み金額",
        "契約金額", "売上金額", "amountconverted", "betrag", "montant", "importe", "valor"}},
      {Role::kOwner,
       {"opportunityowner", "dealowner", "potentialowner", "owner", "ownername", "ownerid",
        "ownerfullname", "leadowner", "caseowner", "salesagent", "salesrep", "assignedto",
        "所有者", "商談所有者", "担当者", "担当者名", "営業担当", "営業担当者", "案件担当者",
        "opportunityinhaber", "inhaber", "assignéà", "asignadoa", "proprietário",
        "responsável"}},
      {Role::kSource,
       {"leadsource", "source", "dealsource", "originalsource", "origin",
        "リードソース", "流入元", "流入経路", "チャネル", "leadquelle", "sourceduprospect",
        "origendelcliente", "origem"}},
      {Role::kProduct,
       {"product", "productname", "products", "productpurchased", "商品", "製品", "商品名",
        "製品名", "商品・サービス", "produkt", "produit", "producto", "produto"}},
      {Role::kAccount,
       {"accountname", "account", "accountid", "company", "companyname", "associatedcompany",
        "potentialcustomer", "organization", "organisation", "customername", "取引先名",
        "取引先", "会社名", "顧客名", "顧客", "企業名", "nomducompte",
        "organización", "organização", "firma"}},
      {Role::kEmail,
       {"email", "contactemail", "customeremail", "emailaddress", "メール", "メールアドレス",
        "email1", "電子メール", "emailadresse", "courriel", "correoelectrónico"}},
      {Role::kCreated,
       {"createddate", "createdate", "createdat", "created", "createdon", "createdtime",
        "dealcreated", "addtime", "engagedate", "作成日", "作成日時", "登録日", "登録日時",
        "erstelldatum", "datedecréation", "fechadecreación", "criadoem", "datadecriação"}},
      {Role::kClosed,
       {"closedate", "closedat", "closedon", "closeddate", "closingdate", "actualclosedate",
        "dealclosedon", "wontime", "完了予定日", "完了日", "受注日", "受注予定日", "契約予定日",
        "成約日", "契約日", "クローズ日", "schlusstermin", "abschlussdatum",
        "datedeclôtureprévue", "fechaestimadadecierre", "fechadecierre", "datadefechamento",
        "fechadoem"}},
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
      {Role::kCurrency,
       {"currencyisocode", "currency", "currencycode", "dealcurrency", "通貨", "金額通貨",
        "通貨コード", "währung", "devise", "moneda", "moeda"}},
      {Role::kProbability,
       {"probability", "probability%", "winprobability", "dealprobability", "確度", "確度%",
        "契約確度", "受注確度", "wahrscheinlichkeit%", "wahrscheinlichkeit", "probabilité",
        "probabilidad", "probabilidade"}},
      {Role::kModified,
       {"lastmodifieddate", "lastmodified", "modifiedtime", "modifiedon", "modifieddate",
        "updatedat", "updatetime", "lastmodifiedat", "donotmodifymodifiedon", "systemmodstamp",
        "最終更新日時", "最終更新日", "更新日時", "更新日", "geändertam", "datedemodification",
        "fechademodificación"}},
      {Role::kIsWon, {"iswon", "won?", "受注フラグ"}},
      {Role::kIsClosed, {"isclosed", "closed?", "クローズフラグ"}},
      {Role::kStatus,
       {"ticketstatus", "leadstatus", "casestatus", "statusreason", "status", "ステータス",
        "状態", "対応状況"}},
      {Role::kPriority, {"ticketpriority", "casepriority", "priority", "優先度", "重要度"}},
      {Role::kChannel,
       {"ticketchannel", "channel", "caseorigin", "contactchannel", "問い合わせ経路",
        "受付チャネル"}},
      {Role::kSatisfaction,
       {"customersatisfactionrating", "satisfactionrating", "csat", "satisfaction",
        "csatscore", "満足度", "顧客満足度"}},
      {Role::kResolution,
       {"timetoresolution", "resolutiontime", "resolvedat", "resolveddate", "closedtime",
        "解決日時", "解決時間", "完了日時"}},
  };
  return table;
}

// The name after an object prefix: "Deal - Owner" → "Owner" (Pipedrive writes "Deal - ",
// "Person - ", "Organization - " before every field; its Portuguese export "Negócio - ").
std::string_view WithoutObjectPrefix(std::string_view header) {
  const std::size_t at = header.find(" - ");
  return at == std::string_view::npos ? std::string_view() : header.substr(at + 3);
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
  // Two passes: whole header names, then names after an object prefix ("Deal - Status"), so
  // that a whole name always wins over a stripped one.
  std::vector<std::string> whole, stripped;
  whole.reserve(header.size());
  stripped.reserve(header.size());
  for (const std::string& h : header) {
    whole.push_back(NormalizeHeader(h));
    stripped.push_back(NormalizeHeader(WithoutObjectPrefix(h)));
  }
  std::vector<bool> taken(header.size(), false);
  for (int c : binding.column) {
    if (c >= 0) taken[static_cast<std::size_t>(c)] = true;
  }
  for (const std::vector<std::string>* normal : {&whole, &stripped}) {
    for (const Synonyms& s : SynonymTable()) {
      const int r = static_cast<int>(s.role);
      if (binding.column[r] >= 0) continue;
      for (std::string_view name : s.names) {
        for (std::size_t i = 0; i < normal->size() && binding.column[r] < 0; ++i) {
          if (taken[i] || (*normal)[i] != name) continue;
          for (std::size_t j = i + 1; j < normal->size(); ++j) {
            if (taken[j] || (*normal)[j] != name) continue;
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
        if (binding.column[r] >= 0) break;
      }
    }
  }
  return binding;
}

std::vector<RoleMatch> RoleMatches(const std::vector<std::string>& header, Role role) {
  std::vector<RoleMatch> out;
  for (const Synonyms& s : SynonymTable()) {
    if (s.role != role) continue;
    for (const bool prefix : {false, true}) {
      for (std::string_view name : s.names) {
        for (std::size_t i = 0; i < header.size(); ++i) {
          const std::string n =
              NormalizeHeader(prefix ? WithoutObjectPrefix(header[i]) : header[i]);
          const bool seen = std::any_of(out.begin(), out.end(), [&](const RoleMatch& m) {
            return m.column == static_cast<int>(i);
          });
          if (n == name && !seen) out.push_back({static_cast<int>(i), std::string(name), prefix});
        }
      }
    }
  }
  return out;
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
