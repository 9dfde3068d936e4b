#include "crmkpi/values/normalize.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"

namespace crmkpi {
namespace {

struct Case {
  std::string in;
  std::string out;
};

// Checks every case, and that applying the chain to its own output changes nothing.
void CheckChain(const std::string& chain, const std::vector<Case>& cases) {
  Normalizer n = Normalizer::Parse(chain);
  for (const Case& c : cases) {
    INFO("chain " << chain << ", input [" << c.in << "]");
    const std::string once(n.Apply(c.in));
    CHECK(once == c.out);
    CHECK(std::string(n.Apply(once)) == once);
  }
}

TEST_CASE("Normalizer::Parse reads step names and presets", "[normalize]") {
  CHECK(Normalizer::Parse("").empty());
  CHECK(Normalizer::Parse("  ").empty());
  CHECK(Normalizer().Describe().empty());
  CHECK(Normalizer::Parse("trim,lower").Describe() == "trim,lower");
  CHECK(Normalizer::Parse(" TRIM , Lower ,collapse-spaces").Describe() ==
        "trim,lower,collapse-spaces");
  CHECK(Normalizer::Parse("nfkc,strip-punct,legal,email,phone").steps() ==
        std::vector<NormalizeStep>{NormalizeStep::kNfkc, NormalizeStep::kStripPunct,
                                   NormalizeStep::kLegal, NormalizeStep::kEmail,
                                   NormalizeStep::kPhone});
  CHECK(Normalizer::Parse("company").Describe() ==
        "nfkc,lower,legal,strip-punct,collapse-spaces,trim");
  CHECK(Normalizer::Parse("trim,Company,phone").Describe() ==
        "trim,nfkc,lower,legal,strip-punct,collapse-spaces,trim,phone");
}

TEST_CASE("Normalizer::Parse rejects unknown names with a hint", "[normalize]") {
  try {
    Normalizer::Parse("trim,lowr");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK_THAT(e.message(), Catch::Contains("'lowr'"));
    CHECK_THAT(e.message(), Catch::Contains("did you mean 'lower'?"));
    CHECK_THAT(e.message(), Catch::Contains("trim, collapse-spaces, lower, nfkc, strip-punct, "
                                            "legal, email, phone, company"));
  }
  try {
    Normalizer::Parse("colapse_spaces");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(e.message(), Catch::Contains("did you mean 'collapse-spaces'?"));
  }
  try {
    Normalizer::Parse("soundex");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(e.message(), Catch::Contains("'soundex'"));
    CHECK_THAT(e.message(), !Catch::Contains("did you mean"));
  }
}

TEST_CASE("The identity chain returns its input", "[normalize]") {
  Normalizer n;
  CHECK(n.Apply(" Any 値 ") == " Any 値 ");
  CHECK(n.Apply("") == "");
}

TEST_CASE("trim removes ASCII and Unicode whitespace at both ends", "[normalize]") {
  CheckChain("trim", {
                         {"  abc  ", "abc"},
                         {"\t\r\n\v\fabc\n", "abc"},
                         {"\xC2\xA0" "abc" "\xC2\xA0", "abc"},  // NBSP
                         {"　ＡＢＣ　", "ＡＢＣ"},              // U+3000
                         {"\xE2\x80\x83" "a b" "\xE2\x80\xAF", "a b"},  // U+2003, U+202F
                         {"a  b", "a  b"},                      // inside: untouched
                         {"   ", ""},
                         {"", ""},
                         {"\xE3\x80", "\xE3\x80"},  // a cut U+3000 is not a space
                     });
}

TEST_CASE("collapse-spaces turns each whitespace run into one space", "[normalize]") {
  CheckChain("collapse-spaces", {
                                    {"a  b", "a b"},
                                    {" a \t\n b ", " a b "},  // does not trim
                                    {"株式会社　　ABC", "株式会社 ABC"},
                                    {"a\xC2\xA0\xE3\x80\x80" "b", "a b"},
                                    {"abc", "abc"},
                                    {"", ""},
                                });
}

TEST_CASE("lower folds case, with an ASCII fast path", "[normalize]") {
  CheckChain("lower", {
                          {"ACME Inc.", "acme inc."},
                          {"ÉCOLE", "école"},
                          {"Straße", "strasse"},  // full case folding
                          {"ΣΊΣΥΦΟΣ", "σίσυφοσ"},
                          {"ＡＢＣ", "ａｂｃ"},  // full-width stays full-width
                          {"株式会社ABC", "株式会社abc"},
                          {"", ""},
                          {"AB\xFF" "CD\xC3\x89", "AB\xFF" "CD\xC3\x89"},  // not UTF-8: as is
                      });
}

TEST_CASE("nfkc applies compatibility normalisation", "[normalize]") {
  CheckChain("nfkc", {
                         {"ＡＢＣ", "ABC"},
                         {"０１２", "012"},
                         {"a　b", "a b"},  // U+3000 → space
                         {"㈱", "(株)"},
                         {"（株）", "(株)"},
                         {"ｶﾌﾞｼｷｶﾞｲｼｬ", "カブシキガイシャ"},
                         {"e\xCC\x81", "\xC3\xA9"},  // e + combining acute → é
                         {"ﬁ", "fi"},
                         {"plain ascii", "plain ascii"},
                         {"", ""},
                         {"Ａ\xFFＢ", "Ａ\xFFＢ"},  // not UTF-8: as is
                         {"\xED\xA0\x80", "\xED\xA0\x80"},  // a surrogate is not UTF-8
                     });
}

TEST_CASE("strip-punct removes Unicode punctuation, keeps symbols and spaces", "[normalize]") {
  CheckChain("strip-punct",
             {
                 {"Acme, Inc.", "Acme Inc"},
                 {"O'Brien-Smith (UK)", "OBrienSmith UK"},
                 {"「ＡＢＣ」・株式会社、。", "ＡＢＣ株式会社"},
                 {"!\"#%&'()*,-./:;?@[\\]_{}", ""},
                 {"$+<=>^`|~", "$+<=>^`|~"},  // ASCII symbols (S*) stay
                 {"￥100 ©", "￥100 ©"},
                 {"スーパー", "スーパー"},  // ー is a letter
                 {"a\xFF.b", "a\xFF.b"},  // not UTF-8: as is
                 {"\xE3-\x80\x80", "\xE3-\x80\x80"},  // removing '-' would make U+3000
                 {"", ""},
             });
}

TEST_CASE("legal removes Japanese legal forms anywhere", "[normalize]") {
  CheckChain("legal", {
                          {"株式会社ＡＢＣ", "ＡＢＣ"},
                          {"ＡＢＣ株式会社", "ＡＢＣ"},
                          {"ＡＢＣ　株式会社", "ＡＢＣ"},
                          {"株式会社 ABC", "ABC"},
                          {"(株)ABC", "ABC"},
                          {"（株）ＡＢＣ", "ＡＢＣ"},
                          {"(株）ABC", "ABC"},  // mixed parentheses
                          {"㈱ABC", "ABC"},
                          {"ABC㈲", "ABC"},
                          {"有限会社山田商店", "山田商店"},
                          {"(有)山田商店", "山田商店"},
                          {"合同会社ＸＹＺ", "ＸＹＺ"},
                          {"ＸＹＺ(同)", "ＸＹＺ"},
                          {"一般社団法人日本ＣＲＭ協会", "日本ＣＲＭ協会"},
                          {"医療法人社団ABC会", "ABC会"},
                          {"医療法人ABC会", "ABC会"},
                          {"ＡＢＣ・株式会社", "ＡＢＣ"},
                          {"株株式会社式会社ABC", "ABC"},  // removal joins another form
                          {"株式会社", "株式会社"},        // nothing else: unchanged
                          {"株式会社 (株)", "株式会社 (株)"},
                          {"ABC(名古屋)", "ABC(名古屋)"},
                          {"会社ABC", "会社ABC"},
                      });
}

TEST_CASE("legal removes Latin legal forms as whole tokens", "[normalize]") {
  CheckChain("legal", {
                          {"Acme, Inc.", "Acme"},
                          {"ACME Co., Ltd.", "ACME"},
                          {"ACME CO.,LTD.", "ACME"},
                          {"ACME Co.Ltd.", "ACME"},
                          {"Acme Holdings GmbH", "Acme Holdings"},
                          {"Acme Corporation", "Acme"},
                          {"acme llc", "acme"},
                          {"Acme L.L.C.", "Acme"},
                          {"Acme S.r.l.", "Acme"},
                          {"Acme Pty Ltd", "Acme"},
                          {"Acme, Inc. Japan", "Acme Japan"},
                          {"Acme Inc, Japan", "Acme, Japan"},
                          {"AB Volvo", "Volvo"},
                          {"Ａｃｍｅ　Ｉｎｃ．", "Ａｃｍｅ"},  // full-width letters
                          {"Sony K.K.", "Sony"},
                          {"Incline Cobalt Agate", "Incline Cobalt Agate"},
                          {"Acme Company", "Acme Company"},  // Company is not a form
                          {"Acme Inc株式会社", "Acme"},
                          {"Inc.", "Inc."},  // nothing else: unchanged
                          {"Acme", "Acme"},
                          {"", ""},
                          {"Acme Inc・", "Acme"},
                          {"Acme ・Inc・ Japan", "Acme Japan"},
                          {"Acme \xFF Inc", "Acme \xFF Inc"},  // not UTF-8: as is
                      });
}

TEST_CASE("email trims and folds case only", "[normalize]") {
  CheckChain("email", {
                          {"  Taro.Yamada@Example.COM ", "taro.yamada@example.com"},
                          {"a.b+tag@gmail.com", "a.b+tag@gmail.com"},  // no provider rules
                          {"　ＵＳＥＲ@example.jp", "ｕｓｅｒ@example.jp"},
                          {"", ""},
                      });
}

TEST_CASE("phone keeps digits and rewrites +81 to the trunk prefix", "[normalize]") {
  CheckChain("phone", {
                          {"03-1234-5678", "0312345678"},
                          {"０３－１２３４－５６７８", "0312345678"},
                          {"+81 3-1234-5678", "0312345678"},
                          {"+81 (0)3 1234 5678", "0312345678"},
                          {"+81-90-1234-5678", "09012345678"},
                          {"＋８１ ３ １２３４ ５６７８", "0312345678"},
                          {"+８１3-1234-5678", "0312345678"},
                          {" +81312345678 ", "0312345678"},
                          {"+1 (415) 555-0100", "14155550100"},
                          {"81-3-1234-5678", "81312345678"},  // no plus: not a country code
                          {"tel: 03(1234)5678", "0312345678"},
                          {"N/A", ""},
                          {"", ""},
                          {"\xFF" "12", "12"},
                      });
}

TEST_CASE("The issue's company vectors all normalise to one key", "[normalize]") {
  const std::vector<std::string> japanese = {"株式会社ＡＢＣ",   "ABC株式会社", "(株)ABC",
                                             "ＡＢＣ　株式会社", "㈱ABC",       "（株）ＡＢＣ"};
  for (const char* chain : {"nfkc,legal,trim,lower", "company"}) {
    Normalizer n = Normalizer::Parse(chain);
    for (const std::string& v : japanese) {
      INFO(chain << ": " << v);
      CHECK(n.Apply(v) == "abc");
    }
  }
  Normalizer company = Normalizer::Parse("company");
  for (const char* v : {"Acme, Inc.", "ACME Inc", "Acme Corporation", "Acme Co., Ltd.",
                        "acme llc", "  ＡＣＭＥ　Ｉｎｃ．", "Acme Inc"}) {
    INFO(v);
    CHECK(company.Apply(v) == "acme");
  }
  CheckChain("company", {
                            {"Acme-Widgets  (Tokyo) Co., Ltd.", "acmewidgets tokyo"},
                            {"ヤマダ・ホールディングス株式会社", "ヤマダホールディングス"},
                            {"ﾔﾏﾀﾞ商事(株)", "ヤマダ商事"},
                            {"O'Reilly & Sons, Inc.", "oreilly sons"},
                        });
}

TEST_CASE("Apply survives arbitrary bytes in every step", "[normalize]") {
  Normalizer n = Normalizer::Parse(
      "trim,collapse-spaces,lower,nfkc,strip-punct,legal,email,phone,company");
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t start = 0; start < bytes.size(); start += 7) {
    const std::string v = bytes.substr(start) + "株式会社\xE3\x80" + bytes.substr(0, start);
    CHECK_NOTHROW(n.Apply(v));
  }
  Normalizer unicode = Normalizer::Parse("lower,nfkc,strip-punct");
  CHECK(unicode.Apply("\x80\xC0\xF5") == "\x80\xC0\xF5");
}

TEST_CASE("Apply accepts its own previous result", "[normalize]") {
  Normalizer n = Normalizer::Parse("nfkc,lower,trim");
  const std::string_view first = n.Apply("  ＡＢＣ  ");
  CHECK(n.Apply(first) == "abc");
}

// A test that counts heap allocations would need a second replacement of operator new or
// malloc in this binary, which hot_loop_alloc_test.cc and metric_engine_test.cc already
// replace (with counters private to their files). Instead: once warmed up, the same value
// takes the same path through the same buffers, so a buffer that grew (reallocated) would show
// as a result at a different address.
TEST_CASE("Apply reuses its buffers after warm-up", "[normalize]") {
  const std::vector<std::string> values = {
      "  株式会社ＡＢＣ　ホールディングス  ", "Acme, Inc.", "+81 (0)3 1234 5678",
      "ÉCOLE ｶﾌﾞｼｷｶﾞｲｼｬ ㈱ (株) K.K.", "", "x", "O'Reilly & Sons, Co., Ltd.",
  };
  for (const char* chain : {"company", "trim,collapse-spaces,lower,nfkc,strip-punct,legal",
                            "email", "phone", "lower"}) {
    INFO(chain);
    Normalizer n = Normalizer::Parse(chain);
    for (const std::string& v : values) n.Apply(v);  // warm-up
    std::vector<const char*> where;
    for (const std::string& v : values) where.push_back(n.Apply(v).data());
    for (int round = 0; round < 3; ++round) {
      for (std::size_t i = 0; i < values.size(); ++i) {
        INFO(values[i]);
        CHECK(n.Apply(values[i]).data() == where[i]);
      }
    }
  }
}

}  // namespace
}  // namespace crmkpi
