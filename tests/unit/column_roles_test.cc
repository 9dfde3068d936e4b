#include "crmkpi/column_roles.h"

#include <catch2/catch.hpp>

#include "crmkpi/error.h"

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
                     "actual, snapshot, category)");
  try {
    BindRoles({"a", "b"}, {ParseRoleMapping("stage=c")}, "x.csv");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK(e.Formatted() == "x.csv: --map stage=c: no such column; the header has 'a', 'b'");
  }
}
