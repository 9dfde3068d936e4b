// Near-duplicate candidates: tokenising, blocking on shared distinctive tokens, and a bounded
// Levenshtein distance. The method is documented in include/crmkpi/near_duplicates.h.
#include "crmkpi/quality/near_duplicates.h"

#include "crmkpi/base/utf8.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace crmkpi {
namespace {

// An invalid byte b decodes to kInvalidBase + b: outside Unicode, and distinct per byte value.
constexpr char32_t kInvalidBase = 0x110000;

// Decodes UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). Each byte that does not
// start a complete valid sequence becomes one code point kInvalidBase + byte.
std::u32string Decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      out.push_back(c);
      ++i;
      continue;
    }
    // Sequence length and the allowed range of the second byte (overlongs, surrogates and
    // code points above U+10FFFF are excluded there).
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c < 0xE0) {
      len = 2;
    } else if (c >= 0xE0 && c < 0xF0) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c < 0xF5) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    bool ok = len > 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      const unsigned char b = p[i + k];
      ok = b >= lo && b <= hi;
      lo = 0x80;
      hi = 0xBF;
    }
    if (!ok) {
      out.push_back(kInvalidBase + c);
      ++i;
      continue;
    }
    char32_t cp = c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[i + k] & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

// A code point of the key, or an invalid byte kept as it was (kInvalidBase + byte).
void AppendKeyChar(char32_t cp, std::string* out) {
  if (cp >= kInvalidBase) {
    out->push_back(static_cast<char>(cp - kInvalidBase));
  } else {
    AppendUtf8(cp, out);
  }
}

enum class CharClass { kSeparator, kCjk, kWord };

struct Range {
  char32_t first, last;
};

// Separators besides ASCII (handled first): see the header for the list.
constexpr Range kSeparatorRanges[] = {
    {0x00A0, 0x00BF}, {0x00D7, 0x00D7}, {0x00F7, 0x00F7}, {0x2000, 0x206F},
    {0x3000, 0x3004}, {0x3008, 0x3020}, {0x3030, 0x3030}, {0x303D, 0x303D},
    {0x30A0, 0x30A0}, {0x30FB, 0x30FB}, {0xFE30, 0xFE4F}, {0xFF01, 0xFF0F},
    {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65},
};

// CJK characters: split into bigrams. U+30FB (・) is a separator and is checked first.
constexpr Range kCjkRanges[] = {
    {0x3005, 0x3007}, {0x3040, 0x309F}, {0x30A1, 0x30FF}, {0x31F0, 0x31FF},
    {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}, {0xFF66, 0xFF9F},
    {0x20000, 0x3FFFF},
};

template <std::size_t N>
bool InRanges(char32_t cp, const Range (&ranges)[N]) {
  for (const Range& r : ranges) {
    if (cp >= r.first && cp <= r.last) return true;
  }
  return false;
}

CharClass Classify(char32_t cp) {
  if (cp >= kInvalidBase) return CharClass::kSeparator;
  if (cp < 0x80) {
    const bool alnum = (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
                       (cp >= 'A' && cp <= 'Z');
    return alnum ? CharClass::kWord : CharClass::kSeparator;
  }
  if (cp == 0x0085 || cp == 0x1680) return CharClass::kSeparator;  // NEL, Ogham space
  if (InRanges(cp, kSeparatorRanges)) return CharClass::kSeparator;
  if (InRanges(cp, kCjkRanges)) return CharClass::kCjk;
  return CharClass::kWord;
}

// Whole-token stop words (tokens are ASCII-lowercased before the comparison). Sorted.
constexpr std::string_view kStopWords[] = {
    "and",      "co",          "company",  "corp",      "corporation", "group",
    "holding",  "holdings",    "inc",      "international", "japan",   "kk",
    "limited",  "llc",         "ltd",      "of",        "services",    "solutions",
    "systems",  "technologies", "the",
};

// CJK stop words: bigrams lying fully inside one of their occurrences are dropped.
constexpr std::u32string_view kCjkStopWords[] = {
    U"株式会社", U"有限会社", U"合同会社", U"株式", U"会社",
    U"グループ", U"ホールディングス", U"ホールディング", U"ジャパン", U"日本",
};

bool IsStopWord(std::string_view token) {
  return std::binary_search(std::begin(kStopWords), std::end(kStopWords), token);
}

// Appends the tokens of one CJK run [run, run + n): its bigrams (or its one character), less
// those lying fully inside an occurrence of a CJK stop word.
void AddCjkTokens(const char32_t* run, std::size_t n, std::vector<std::string>* out) {
  const std::u32string_view text(run, n);
  // covered_until[i]: the largest end (exclusive) of the stop-word occurrences starting at or
  // before i. A token [i, i + len) lies inside one occurrence [s, e) iff some s <= i has
  // e >= i + len, i.e. iff covered_until[i] >= i + len.
  std::vector<std::size_t> covered_until(n, 0);
  for (const std::u32string_view stop : kCjkStopWords) {
    for (std::size_t at = text.find(stop); at != std::u32string_view::npos;
         at = text.find(stop, at + 1)) {
      covered_until[at] = std::max(covered_until[at], at + stop.size());
    }
  }
  for (std::size_t i = 1; i < n; ++i) {
    covered_until[i] = std::max(covered_until[i], covered_until[i - 1]);
  }
  const std::size_t len = n == 1 ? 1 : 2;
  for (std::size_t i = 0; i + len <= n; ++i) {
    if (covered_until[i] >= i + len) continue;
    std::string token;
    for (std::size_t k = 0; k < len; ++k) AppendKeyChar(run[i + k], &token);
    out->push_back(std::move(token));
  }
}

// Appends the token of one word run, ASCII-lowercased, unless it is too short or a stop word.
void AddWordToken(const char32_t* run, std::size_t n, std::vector<std::string>* out) {
  if (n < 2) return;
  std::string token;
  for (std::size_t k = 0; k < n; ++k) {
    const char32_t cp = run[k];
    AppendKeyChar(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp, &token);
  }
  if (!IsStopWord(token)) out->push_back(std::move(token));
}

// Levenshtein distance between |a| and |b|, or max_d + 1 when it exceeds max_d (the rows stop
// early once their minimum passes max_d: the distance can only grow from there).
std::size_t BoundedLevenshtein(std::u32string_view a, std::u32string_view b, std::size_t max_d) {
  if (a.size() < b.size()) std::swap(a, b);  // b, the row, is the shorter
  if (a.size() - b.size() > max_d) return max_d + 1;
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];  // row[i-1][j-1]
    row[0] = i;
    std::size_t row_min = row[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];  // row[i-1][j]
      const std::size_t substitute = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({substitute, up + 1, row[j - 1] + 1});
      diag = up;
      row_min = std::min(row_min, row[j]);
    }
    if (row_min > max_d) return max_d + 1;
  }
  return std::min(row[b.size()], max_d + 1);
}

// The similarity formula, in one place so Find and NameSimilarity agree to the bit.
double Similarity(std::size_t distance, std::size_t longer) {
  if (longer == 0) return 1.0;
  return 1.0 - static_cast<double>(distance) / static_cast<double>(longer);
}

// The largest distance d (0..longer) with Similarity(d, longer) >= threshold, or -1 if none.
// Starts from the algebraic estimate and corrects it with the exact formula, so the boundary
// (>=) is decided by the same double arithmetic as the reported similarity.
long MaxDistance(double threshold, std::size_t longer) {
  const double estimate = std::floor((1.0 - threshold) * static_cast<double>(longer));
  long d = static_cast<long>(std::clamp(estimate, 0.0, static_cast<double>(longer)));
  while (d < static_cast<long>(longer) &&
         Similarity(static_cast<std::size_t>(d + 1), longer) >= threshold) {
    ++d;
  }
  while (d >= 0 && Similarity(static_cast<std::size_t>(d), longer) < threshold) --d;
  return d;
}

// A pair found by Find, before the strings are copied into a NearPair.
struct Candidate {
  double similarity;
  std::uint32_t a, b;  // name ids, names_[a].normalized < names_[b].normalized
  std::uint32_t token;
};

}  // namespace

std::vector<std::string> NearDuplicateTokens(std::string_view name) {
  const std::u32string cps = Decode(name);
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < cps.size()) {
    const CharClass cls = Classify(cps[i]);
    std::size_t end = i + 1;
    while (end < cps.size() && Classify(cps[end]) == cls) ++end;
    if (cls == CharClass::kCjk) {
      AddCjkTokens(cps.data() + i, end - i, &tokens);
    } else if (cls == CharClass::kWord) {
      AddWordToken(cps.data() + i, end - i, &tokens);
    }
    i = end;
  }
  // Deduplicate, keeping the first appearance (names have few tokens: quadratic is fine).
  std::vector<std::string> unique;
  for (std::string& t : tokens) {
    if (std::find(unique.begin(), unique.end(), t) == unique.end()) unique.push_back(std::move(t));
  }
  return unique;
}

double NameSimilarity(std::string_view a, std::string_view b) {
  const std::u32string x = Decode(a), y = Decode(b);
  const std::size_t longer = std::max(x.size(), y.size());
  return Similarity(BoundedLevenshtein(x, y, longer), longer);
}

void NearDuplicates::Add(std::string_view normalized, std::string_view original,
                         std::uint64_t line) {
  if (normalized.empty() || name_ids_.count(normalized) != 0) return;
  // Ids are 32-bit to halve the posting lists; 4 billion distinct names is beyond any input.
  if (names_.size() >= std::numeric_limits<std::uint32_t>::max()) return;
  const auto id = static_cast<std::uint32_t>(names_.size());
  Name& name = names_.emplace_back();
  name.normalized = std::string(normalized);
  name.original = std::string(original);
  name.line = line;
  name_ids_.emplace(name.normalized, id);

  for (std::string& text : NearDuplicateTokens(normalized)) {
    auto it = token_ids_.find(text);
    if (it == token_ids_.end()) {
      const auto token_id = static_cast<std::uint32_t>(tokens_.size());
      Token& token = tokens_.emplace_back();
      token.text = std::move(text);
      it = token_ids_.emplace(token.text, token_id).first;
    }
    Token& token = tokens_[it->second];
    ++token.count;
    if (token.count <= kMaxBlock) {
      token.names.push_back(id);
    } else if (!token.names.empty()) {
      std::vector<std::uint32_t>().swap(token.names);  // too common: keep only the count
    }
    name.tokens.push_back(it->second);
  }
  std::sort(name.tokens.begin(), name.tokens.end());
}

std::vector<NearPair> NearDuplicates::Find(double threshold, std::size_t limit,
                                           std::size_t* total) const {
  if (total != nullptr) *total = 0;
  if (std::isnan(threshold) || threshold > 1.0) return {};

  // Rank of each token in the rarer-first order: fewer names first, then bytes.
  std::vector<std::uint32_t> order(tokens_.size());
  for (std::size_t t = 0; t < order.size(); ++t) order[t] = static_cast<std::uint32_t>(t);
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    if (tokens_[x].count != tokens_[y].count) return tokens_[x].count < tokens_[y].count;
    return tokens_[x].text < tokens_[y].text;
  });
  std::vector<std::uint32_t> rank(tokens_.size());
  for (std::size_t r = 0; r < order.size(); ++r) rank[order[r]] = static_cast<std::uint32_t>(r);

  std::vector<std::u32string> cps(names_.size());
  for (std::size_t i = 0; i < names_.size(); ++i) cps[i] = Decode(names_[i].normalized);

  // The best pairs so far. Trimmed to |limit| whenever it reaches 2 × limit, so memory stays
  // O(limit); the order is total (names are distinct), so trimming never changes the result.
  auto better = [&](const Candidate& x, const Candidate& y) {
    if (x.similarity != y.similarity) return x.similarity > y.similarity;
    if (x.a != y.a) return names_[x.a].normalized < names_[y.a].normalized;
    return names_[x.b].normalized < names_[y.b].normalized;
  };
  std::vector<Candidate> kept;
  std::size_t found = 0;
  auto keep = [&](const Candidate& c) {
    ++found;
    if (limit == 0) return;
    kept.push_back(c);
    if (kept.size() >= 2 * limit) {
      std::nth_element(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(limit - 1),
                       kept.end(), better);
      kept.resize(limit);
    }
  };

  // For each name i, the names j > i sharing a usable token with it, each once: seen[j] == i
  // marks j as compared. Visiting i's tokens rarer-first makes the first token through which j
  // is met the rarest one they share.
  constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> seen(names_.size(), kNone);
  std::vector<std::uint32_t> by_rank;
  for (std::size_t ii = 0; ii < names_.size(); ++ii) {
    const auto i = static_cast<std::uint32_t>(ii);
    by_rank = names_[i].tokens;
    std::sort(by_rank.begin(), by_rank.end(),
              [&](std::uint32_t x, std::uint32_t y) { return rank[x] < rank[y]; });
    for (const std::uint32_t t : by_rank) {
      const Token& token = tokens_[t];
      if (token.count > kMaxBlock) break;  // this and every later token are too common
      for (const std::uint32_t j : token.names) {
        if (j <= i || seen[j] == i) continue;
        seen[j] = i;
        const std::size_t longer = std::max(cps[i].size(), cps[j].size());
        const long max_d = MaxDistance(threshold, longer);
        if (max_d < 0) continue;
        const auto bound = static_cast<std::size_t>(max_d);
        const std::size_t d = BoundedLevenshtein(cps[i], cps[j], bound);
        if (d > bound) continue;
        const bool i_first = names_[i].normalized < names_[j].normalized;
        keep(Candidate{Similarity(d, longer), i_first ? i : j, i_first ? j : i, t});
      }
    }
  }

  std::sort(kept.begin(), kept.end(), better);
  if (kept.size() > limit) kept.resize(limit);
  if (total != nullptr) *total = found;

  std::vector<NearPair> pairs;
  pairs.reserve(kept.size());
  for (const Candidate& c : kept) {
    const Name& a = names_[c.a];
    const Name& b = names_[c.b];
    NearPair& p = pairs.emplace_back();
    p.a = a.normalized;
    p.b = b.normalized;
    p.original_a = a.original;
    p.original_b = b.original;
    p.line_a = a.line;
    p.line_b = b.line;
    p.similarity = c.similarity;
    p.shared_token = tokens_[c.token].text;
  }
  return pairs;
}

}  // namespace crmkpi
