#include "crmkpi/quality/near_duplicates.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace crmkpi {
namespace {

using Tokens = std::vector<std::string>;

// Adds |names| with line numbers 2, 3, … and the original "orig:" + name.
NearDuplicates Make(const std::vector<std::string>& names) {
  NearDuplicates near;
  std::uint64_t line = 2;
  for (const std::string& n : names) near.Add(n, "orig:" + n, line++);
  return near;
}

// "a | b | similarity | token" per pair, for whole-result comparisons.
std::vector<std::string> Describe(const std::vector<NearPair>& pairs) {
  std::vector<std::string> out;
  for (const NearPair& p : pairs) {
    out.push_back(p.a + " | " + p.b + " | " + std::to_string(p.similarity) + " | " +
                  p.shared_token + " | " + p.original_a + " | " + p.original_b + " | " +
                  std::to_string(p.line_a) + " | " + std::to_string(p.line_b));
  }
  return out;
}

TEST_CASE("Near-duplicate tokens: Latin words, CJK bigrams, stop tokens", "[near]") {
  CHECK(NearDuplicateTokens("acme holdings") == Tokens{"acme"});
  CHECK(NearDuplicateTokens("Acme & Co. Holdings") == Tokens{"acme"});  // lowercased, & separates
  CHECK(NearDuplicateTokens("acme-systems/acme") == Tokens{"acme"});    // a set
  CHECK(NearDuplicateTokens("a b 1 x2") == Tokens{"x2"});  // 1-code-point words are ignored
  CHECK(NearDuplicateTokens("山田商事") == Tokens{"山田", "田商", "商事"});
  CHECK(NearDuplicateTokens("山") == Tokens{"山"});  // a lone CJK character is a token
  CHECK(NearDuplicateTokens("山 商事") == Tokens{"山", "商事"});
  CHECK(NearDuplicateTokens("abc商事") == Tokens{"abc", "商事"});
  CHECK(NearDuplicateTokens("やまだ商事") == Tokens{"やま", "まだ", "だ商", "商事"});
  // Bigrams inside a stop-word occurrence are dropped; bigrams across its edge are kept.
  CHECK(NearDuplicateTokens("株式会社山田") == Tokens{"社山", "山田"});
  CHECK(NearDuplicateTokens("山田グループ") == Tokens{"山田", "田グ"});
  CHECK(NearDuplicateTokens("日本橋商事") == Tokens{"本橋", "橋商", "商事"});
  CHECK(NearDuplicateTokens("山田ホールディングス") == Tokens{"山田", "田ホ"});
  CHECK(NearDuplicateTokens("株式会社").empty());
  CHECK(NearDuplicateTokens("グループ　ジャパン").empty());  // U+3000 separates
  CHECK(NearDuplicateTokens("the group of companies inc") == Tokens{"companies"});
  // The katakana middle dot separates runs.
  CHECK(NearDuplicateTokens("ディー・エヌ・エー") == Tokens{"ディ", "ィー", "エヌ", "エー"});
  CHECK(NearDuplicateTokens("").empty());
}

TEST_CASE("Near-duplicate similarity is 1 - Levenshtein / longer, over code points", "[near]") {
  CHECK(NameSimilarity("acme holdings", "acme holding") == 1.0 - 1.0 / 13.0);
  CHECK(NameSimilarity("山田商事", "山田商亊") == 0.75);
  CHECK(NameSimilarity("山田商事", "やまだ商事") == 1.0 - 3.0 / 5.0);
  CHECK(NameSimilarity("kitten", "sitting") == 1.0 - 3.0 / 7.0);
  CHECK(NameSimilarity("abc", "abc") == 1.0);
  CHECK(NameSimilarity("abc", "xyz") == 0.0);
  CHECK(NameSimilarity("", "") == 1.0);
  CHECK(NameSimilarity("", "ab") == 0.0);
}

TEST_CASE("Near-duplicate pairs: hand-computed Latin and Japanese pairs", "[near]") {
  NearDuplicates near = Make({"acme holdings", "acne systems", "acme holding", "山田商事",
                              "山田商亊", "やまだ商事"});
  CHECK(near.size() == 6);
  std::size_t total = 99;
  const std::vector<NearPair> pairs = near.Find(0.3, 10, &total);
  REQUIRE(pairs.size() == 3);
  CHECK(total == 3);

  CHECK(pairs[0].a == "acme holding");  // byte-wise smaller first
  CHECK(pairs[0].b == "acme holdings");
  CHECK(pairs[0].similarity == 1.0 - 1.0 / 13.0);
  CHECK(pairs[0].shared_token == "acme");
  CHECK(pairs[0].original_a == "orig:acme holding");
  CHECK(pairs[0].line_a == 4);
  CHECK(pairs[0].original_b == "orig:acme holdings");
  CHECK(pairs[0].line_b == 2);

  // 山田 and 田商 are both held by two names; 山 (E5 B1 B1) sorts before 田 (E7 94 B0).
  CHECK(pairs[1].a == "山田商亊");  // 亊 U+4E8A sorts before 事 U+4E8B
  CHECK(pairs[1].b == "山田商事");
  CHECK(pairs[1].similarity == 0.75);
  CHECK(pairs[1].shared_token == "山田");

  // やまだ商事 shares only 商事: やまだ → 山田 is 2 substitutions + 1 deletion.
  CHECK(pairs[2].a == "やまだ商事");  // E3 82 84 < E5 B1 B1
  CHECK(pairs[2].b == "山田商事");
  CHECK(pairs[2].similarity == 1.0 - 3.0 / 5.0);
  CHECK(pairs[2].shared_token == "商事");
  // "acne systems" shares no distinctive token with the acme names ("systems" is a stop token).
}

TEST_CASE("Near-duplicate shared token is the rarest one", "[near]") {
  // 山田 is now held by three names, 田商 by two: 田商 is rarer.
  NearDuplicates near = Make({"山田商事", "山田商亊", "山田電機"});
  const std::vector<NearPair> pairs = near.Find(0.75, 10);
  REQUIRE(pairs.size() == 1);
  CHECK(pairs[0].shared_token == "田商");
  // At 0.5 the 山田電機 pairs (1 − 2/4) come in through 山田.
  const std::vector<NearPair> all = near.Find(0.5, 10);
  REQUIRE(all.size() == 3);
  CHECK(all[1].similarity == 0.5);
  CHECK(all[1].shared_token == "山田");
}

TEST_CASE("Near-duplicate pairs sharing only stop tokens are not candidates", "[near]") {
  // Each set is similar enough (0.9, 4/6, 4/6) but shares only stop tokens.
  const std::vector<std::vector<std::string>> sets = {
      {"acme group", "acne group"},
      {"株式会社山田", "株式会社田中"},
      {"山田グループ", "田中グループ"},
      {"株式会社", "group", "holdings", "株式会社 group"},
  };
  for (const auto& set : sets) {
    INFO(set[0]);
    std::size_t total = 99;
    CHECK(Make(set).Find(0.0, 10, &total).empty());
    CHECK(total == 0);
  }
  // Sharing a distinctive token as well makes them candidates.
  CHECK(Make({"株式会社山田", "山田グループ"}).Find(0.0, 10).size() == 1);
}

TEST_CASE("Near-duplicate threshold is inclusive", "[near]") {
  NearDuplicates near = Make({"山田商事", "山田商亊", "acme holdings", "acme holding"});
  CHECK(near.Find(0.75, 10).size() == 2);
  const auto above_075 = near.Find(std::nextafter(0.75, 2.0), 10);
  REQUIRE(above_075.size() == 1);
  CHECK(above_075[0].a == "acme holding");
  const double acme = 1.0 - 1.0 / 13.0;
  CHECK(near.Find(acme, 10).size() == 1);
  CHECK(near.Find(std::nextafter(acme, 2.0), 10).empty());
  CHECK(near.Find(1.0, 10).empty());
  CHECK(near.Find(1.5, 10).empty());
  CHECK(near.Find(std::nan(""), 10).empty());
  CHECK(near.Find(-1.0, 10).size() == 2);  // every candidate pair
}

TEST_CASE("Near-duplicate limit and total", "[near]") {
  // holding/holdings 1 − 1/13, hold/holding 1 − 3/12, hold/holdings 1 − 4/13.
  NearDuplicates near = Make({"acme holdings", "acme hold", "acme holding"});
  std::size_t total = 0;
  const std::vector<NearPair> two = near.Find(0.0, 2, &total);
  CHECK(total == 3);
  REQUIRE(two.size() == 2);
  CHECK(two[0].a == "acme holding");
  CHECK(two[0].b == "acme holdings");
  CHECK(two[1].a == "acme hold");
  CHECK(two[1].b == "acme holding");
  CHECK(two[1].similarity == 0.75);

  const std::vector<NearPair> all = near.Find(0.0, 100, &total);
  CHECK(total == 3);
  REQUIRE(all.size() == 3);
  CHECK(all[2].similarity == 1.0 - 4.0 / 13.0);

  CHECK(near.Find(0.0, 0, &total).empty());
  CHECK(total == 3);
  CHECK(near.Find(0.0, 1, nullptr).size() == 1);
}

TEST_CASE("Near-duplicate order: similarity desc, then a, then b", "[near]") {
  NearDuplicates near = Make({"beta holdings", "acme holding", "beta holding", "acme holdings",
                              "山田商事", "山田商亊", "acme hold", "beta hold"});
  // Ties (1 − 1/13 twice, 0.75 three times) are ordered by a, then b.
  const auto pairs = near.Find(0.7, 10);
  REQUIRE(pairs.size() == 5);
  CHECK(pairs[0].a == "acme holding");
  CHECK(pairs[1].a == "beta holding");
  CHECK(pairs[2].a == "acme hold");
  CHECK(pairs[3].a == "beta hold");
  CHECK(pairs[4].a == "山田商亊");
  for (std::size_t k = 1; k < pairs.size(); ++k) {
    CHECK(pairs[k - 1].similarity >= pairs[k].similarity);
  }
  // The same call gives the same answer.
  CHECK(Describe(near.Find(0.7, 10)) == Describe(pairs));
}

TEST_CASE("Near-duplicate result does not depend on insertion order", "[near]") {
  std::vector<std::string> names = {"beta holdings", "acme holding", "beta holding",
                                    "acme holdings", "山田商事",     "山田商亊",
                                    "やまだ商事",    "acme hold",    "gamma widgets",
                                    "gamma widget",  "gamme widgets"};
  for (int i = 0; i < 40; ++i) names.push_back("delta w" + std::to_string(100 + i));
  auto run = [](const std::vector<std::string>& in) {
    NearDuplicates near;
    for (const std::string& n : in) near.Add(n, "orig:" + n, n.size());  // line tied to name
    std::size_t total = 0;
    auto out = Describe(near.Find(0.5, 7, &total));
    out.push_back(std::to_string(total));
    return out;
  };
  const auto expected = run(names);
  REQUIRE(expected.size() == 8);
  std::mt19937 rng(12345);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(names.begin(), names.end(), rng);
    CHECK(run(names) == expected);
  }
}

TEST_CASE("Near-duplicate common tokens are skipped above kMaxBlock names", "[near]") {
  auto names = [](int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back("common n" + std::to_string(1000 + i));
    return out;
  };
  std::size_t total = 99;
  // 150 names share "common" and nothing else: no pairs, even at threshold 0.
  NearDuplicates many = Make(names(150));
  CHECK(many.Find(0.0, 10, &total).empty());
  CHECK(total == 0);
  // Exactly kMaxBlock names: the token is still used.
  NearDuplicates block = Make(names(static_cast<int>(NearDuplicates::kMaxBlock)));
  const auto pairs = block.Find(0.0, 10, &total);
  CHECK(total == 100 * 99 / 2);
  REQUIRE(pairs.size() == 10);
  CHECK(pairs[0].shared_token == "common");
  NearDuplicates over = Make(names(static_cast<int>(NearDuplicates::kMaxBlock) + 1));
  CHECK(over.Find(0.0, 10, &total).empty());
  // A rarer shared token still pairs names that also share the common one.
  std::vector<std::string> with_rare = names(150);
  with_rare.push_back("common zeta x");
  with_rare.push_back("common zeta y");
  NearDuplicates rare = Make(with_rare);
  const auto zeta = rare.Find(0.0, 10, &total);
  CHECK(total == 1);
  REQUIRE(zeta.size() == 1);
  CHECK(zeta[0].shared_token == "zeta");
  CHECK(zeta[0].similarity == 1.0 - 1.0 / 13.0);
}

TEST_CASE("Near-duplicate empty input and repeated names", "[near]") {
  NearDuplicates near;
  std::size_t total = 99;
  CHECK(near.Find(0.0, 10, &total).empty());
  CHECK(total == 0);
  near.Add("", "  ", 2);
  CHECK(near.size() == 0);
  near.Add("acme widgets", "ACME Widgets", 3);
  near.Add("acme widgets", "Acme widgets", 9);  // repeated: ignored, the first is kept
  near.Add("acme widget", "Acme Widget", 5);
  CHECK(near.size() == 2);
  const auto pairs = near.Find(0.9, 10);
  REQUIRE(pairs.size() == 1);
  CHECK(pairs[0].b == "acme widgets");
  CHECK(pairs[0].original_b == "ACME Widgets");
  CHECK(pairs[0].line_b == 3);
}

TEST_CASE("Near-duplicate invalid UTF-8 never crashes", "[near]") {
  const std::vector<std::string> garbage = {
      "\xFF",           "\xFE\xFF",        "acme\xFF",     "acme\xFE",
      "山田\xE5\xB1",   "山田",            "\xC0\xAF",     "\xED\xA0\x80 x",
      "\xF4\x90\x80\x80", "\xE5",          "ab\xC3",       "\x80\x80\x80 acme",
      std::string("nul\0acme", 9),
  };
  NearDuplicates near;
  std::uint64_t line = 1;
  for (const std::string& g : garbage) {
    CHECK_NOTHROW(NearDuplicateTokens(g));
    near.Add(g, g, line++);
  }
  std::size_t total = 0;
  const auto pairs = near.Find(0.0, 100, &total);
  CHECK(total == pairs.size());
  // Each invalid byte is one code point of its own: "acme\xFF" / "acme\xFE" differ by one.
  CHECK(NameSimilarity("acme\xFF", "acme\xFE") == 0.8);
  CHECK(NameSimilarity("\xFF", "\xFE") == 0.0);
  CHECK(NameSimilarity("\xFF", "\xFF") == 1.0);
  // A truncated 山 (two bytes) is two code points: 山田 vs 山田 + 2 = 1 − 2/4.
  CHECK(NameSimilarity("山田\xE5\xB1", "山田") == 0.5);
  const auto acme = std::find_if(pairs.begin(), pairs.end(), [](const NearPair& p) {
    return p.a == "acme\xFE" && p.b == "acme\xFF";
  });
  REQUIRE(acme != pairs.end());
  CHECK(acme->similarity == 0.8);
  CHECK(acme->shared_token == "acme");
}

}  // namespace
}  // namespace crmkpi
