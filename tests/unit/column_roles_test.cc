#include "crmkpi/bind/column_roles.h"

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"

using namespace crmkpi;

namespace {

std::string RoleOf(const RoleBinding& b, int column) {
  for (int r = 0; r < kRoleCount; ++r) {
    if (b.column[r] == column) return std::string(RoleName(static_cast<Role>(r)));
  }
  return "-";
}

}  // namespace

TEST_CASE("header normal form ignores case, spaces, underscores and U+3000", "[roles]") {
  CHECK(NormalizeHeader("Close Date") == "closedate");
  CHECK(NormalizeHeader("close_date") == "closedate");
  CHECK(NormalizeHeader("CloseDate") == "closedate");
  CHECK(NormalizeHeader("Amount (converted)") == "amountconverted");
  CHECK(NormalizeHeader("作成\xE3\x80\x80日") == "作成日");
}

TEST_CASE("Salesforce, HubSpot, Maven and Japanese headers are detected", "[roles]") {
  const std::vector<std::string> sf = {"Opportunity ID", "Opportunity Name", "Account Name",
                                       "Opportunity Owner", "Lead Source", "Stage",
                                       "Amount", "Created Date", "Close Date"};
  const RoleBinding b = BindRoles(sf, {}, "sf.csv");
  CHECK(RoleOf(b, 0) == "id");
  CHECK(RoleOf(b, 1) == "name");
  CHECK(RoleOf(b, 2) == "account");
  CHECK(RoleOf(b, 3) == "owner");
  CHECK(RoleOf(b, 4) == "source");
  CHECK(RoleOf(b, 5) == "stage");
  CHECK(RoleOf(b, 6) == "amount");
  CHECK(RoleOf(b, 7) == "created");
  CHECK(RoleOf(b, 8) == "closed");

  const RoleBinding h = BindRoles({"Record ID", "Deal Name", "Deal Stage", "Amount",
                                   "Close Date", "Create Date", "Deal owner"},
                                  {}, "hs.csv");
  CHECK(h[Role::kId] == 0);
  CHECK(h[Role::kStage] == 2);
  CHECK(h[Role::kCreated] == 5);
  CHECK(h[Role::kOwner] == 6);

  const RoleBinding m = BindRoles({"opportunity_id", "sales_agent", "product", "account",
                                   "deal_stage", "engage_date", "close_date", "close_value"},
                                  {}, "maven.csv");
  CHECK(m[Role::kOwner] == 1);
  CHECK(m[Role::kStage] == 4);
  CHECK(m[Role::kCreated] == 5);
  CHECK(m[Role::kAmount] == 7);

  const RoleBinding j =
      BindRoles({"商談名", "フェーズ", "金額", "完了予定日", "作成日", "所有者"}, {}, "ja.csv");
  CHECK(j[Role::kName] == 0);
  CHECK(j[Role::kStage] == 1);
  CHECK(j[Role::kAmount] == 2);
  CHECK(j[Role::kClosed] == 3);
  CHECK(j[Role::kCreated] == 4);
  CHECK(j[Role::kOwner] == 5);
}

TEST_CASE("mapping wins over detection and takes the column away from it", "[roles]") {
  const std::vector<std::string> header = {"Stage", "Phase", "Amount"};
  const RoleBinding b = BindRoles(header, {ParseRoleMapping("stage=phase")}, "x.csv");
  CHECK(b[Role::kStage] == 1);
  CHECK(b.source[static_cast<int>(Role::kStage)] == BindingSource::kMapped);
  CHECK(b[Role::kAmount] == 2);
  CHECK(b.source[static_cast<int>(Role::kAmount)] == BindingSource::kDetected);
}

TEST_CASE("mapping errors name the role list or the headers", "[roles]") {
  CHECK_THROWS_WITH(ParseRoleMapping("stage"), "--map expects ROLE=COLUMN, got 'stage'");
  CHECK_THROWS_WITH(ParseRoleMapping("phase=Stage"),
                    "--map: unknown role 'phase' (roles: id, name, stage, amount, owner, "
                    "source, product, account, email, created, closed, changed, period, forecast, "
                     "actual, snapshot, category, currency, probability, modified, is_won, is_closed, "
                    "status, priority, channel, satisfaction, resolution)");
  try {
    BindRoles({"amount", "owner"}, {ParseRoleMapping("stage=Stage Name")}, "x.csv");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK(e.Formatted() ==
          "x.csv: --map stage=Stage Name: no such column; the header has 'amount', 'owner'");
  }
  try {  // a near header is suggested
    BindRoles({"amount", "Stage Name"}, {ParseRoleMapping("stage=Stage Nmae")}, "x.csv");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.Formatted() == "x.csv: --map stage=Stage Nmae: no such column (did you mean 'Stage "
                           "Name'?); the header has 'amount', 'Stage Name'");
  }
}

TEST_CASE("duplicate header names are found, and never bound silently", "[roles]") {
  const std::vector<std::string> header = {"Stage", "Amount", "Owner", "amount", "Stage", ""};
  const std::vector<HeaderDuplicate> d = FindDuplicateHeaders(header);
  REQUIRE(d.size() == 2);
  CHECK((d[0].first == 1 && d[0].again == 3));  // same normal form
  CHECK((d[1].first == 0 && d[1].again == 4));  // same name
  CHECK(FindDuplicateHeaders({"a", "", "", "b"}).empty());  // empty names are no names

  // A name two headers match exactly is ambiguous; so is a normal form with no exact match.
  CHECK_THROWS_WITH(FindColumn(header, "Stage"),
                    "column name 'Stage' is ambiguous: the header has 'Stage' (field 1) and "
                    "'Stage' (field 5); rename one of the columns in the file");
  CHECK_THROWS_WITH(FindColumn(header, "AMOUNT"), Catch::Contains("'Amount' (field 2) and "
                                                                  "'amount' (field 4)"));
  CHECK(FindColumn(header, "Amount") == 1);  // the exact match is unique
  CHECK(FindColumn(header, "owner") == 2);

  // Auto-detection: the stage role would have two columns (exit 3, the file is ambiguous).
  try {
    BindRoles(header, {}, "d.csv");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kInput);
    CHECK(e.message() ==
          "d.csv: the header has two columns for the stage role, 'Stage' (field 1) and 'Stage' "
          "(field 5); rename one of them in the file, or map the role to another column with "
          "--map stage=COLUMN");
  }
  // --map to another column resolves it; --map by the ambiguous name is a usage error.
  const std::vector<std::string> two_amounts = {"Stage", "Amount", "amount", "Net"};
  CHECK_THROWS_WITH(BindRoles(two_amounts, {}, "d.csv"),
                    Catch::Contains("name the one to use with --map amount='Amount'"));
  CHECK(BindRoles(two_amounts, {{Role::kAmount, "Amount"}}, "d.csv")[Role::kAmount] == 1);
  CHECK(BindRoles(two_amounts, {{Role::kAmount, "Net"}}, "d.csv")[Role::kAmount] == 3);
  try {
    BindRoles(header, {{Role::kStage, "Stage"}}, "d.csv");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK(e.message().rfind("d.csv: --map stage=Stage: column name 'Stage' is ambiguous", 0) == 0);
  }
  // --by: a usage error naming the file.
  const RoleBinding roles = BindRoles({"Stage", "Owner", "Region", "region"}, {}, "d.csv");
  CHECK_THROWS_WITH(ResolveByColumn({"Stage", "Owner", "Region", "region"}, roles, "REGION",
                                    "d.csv"),
                    Catch::StartsWith("d.csv: --by REGION: column name 'REGION' is ambiguous"));
  CHECK(ResolveByColumn({"Stage", "Owner", "Region", "region"}, roles, "Region", "d.csv") == 2);
}

TEST_CASE("a one-column header holding ';', a tab or '|' gets a delimiter hint", "[roles]") {
  CHECK(QuoteHeaders({"Deal;Stage;Amount"}) ==
        "'Deal;Stage;Amount' (one column: is the file ';'-separated? read it with --delimiter "
        "';' or --delimiter auto)");
  CHECK(QuoteHeaders({"Deal\tStage"}).find("is the file tab-separated? read it with --delimiter "
                                          "tab") != std::string::npos);
  CHECK(QuoteHeaders({"Deal", "Stage;x"}) == "'Deal', 'Stage;x'");
  CHECK(QuoteHeaders({"Stage"}) == "'Stage'");
}
