// Near-duplicate candidates for the uniqueness check of `crmkpi check` (issue 5): pairs of
// distinct normalised names (company names, mostly) that share a distinctive token and are
// similar above a threshold. They are reported separately; they are never part of
// duplicate_percent and never gate a check.
//
// The method, precisely (docs/quality.md is written from this comment):
//
// Input. Each distinct normalised name is added once, with the first original value and the
// line it was seen on. The names are expected to be normalised already (for instance NFKC +
// case folding + legal forms stripped); nothing further is folded here except that tokens are
// ASCII-lowercased (A-Z → a-z) before they are compared, so "Holdings" is a stop token even
// without the `lower` normaliser. Empty names are ignored; a name added again is ignored (the
// first original and line are kept). Bytes that are not valid UTF-8 (RFC 3629) are never an
// error: each invalid byte counts as one code point of its own (distinct per byte value) and
// separates tokens.
//
// Tokens. A name is split into chunks on separators: whitespace, ASCII punctuation and symbols
// (every ASCII character but 0-9, A-Z, a-z, so "&", "-", "." and "/" separate), U+00A0..U+00BF,
// U+00D7, U+00F7, U+2000..U+206F (spaces, dashes, quotes, general punctuation), U+3000..U+3004,
// U+3008..U+3020, U+3030, U+303D (ideographic space, 、。「」【】〜 …), U+30A0 and U+30FB (゠ ・),
// U+FE30..U+FE4F, the full-width punctuation U+FF01..U+FF0F, U+FF1A..U+FF20, U+FF3B..U+FF40,
// U+FF5B..U+FF65, and invalid bytes. Within a chunk, each maximal run of CJK characters —
// hiragana U+3040..U+309F, katakana U+30A1..U+30FA and U+30FC..U+30FF, U+31F0..U+31FF,
// half-width katakana U+FF66..U+FF9F, ideographs U+3400..U+4DBF, U+4E00..U+9FFF,
// U+F900..U+FAFF, U+20000..U+3FFFF, and 々〆〇 (U+3005..U+3007) — gives its overlapping
// character bigrams (山田商事 → 山田, 田商, 商事), or the character itself when the run is one
// character long (山 → 山). Each maximal run of the other characters (Latin letters, digits, any
// other script) is one whole token ("acme2" → acme2, "abc商事" → abc + 商事); such a token
// shorter than 2 code points is ignored. A name's tokens are a set: a repeated token counts once.
//
// Stop tokens (never distinctive, never make two names candidates):
//   whole tokens (compared after ASCII lowercasing): and, co, company, corp, corporation,
//     group, holding, holdings, inc, international, japan, kk, limited, llc, ltd, of,
//     services, solutions, systems, technologies, the;
//   CJK words: 株式会社, 有限会社, 合同会社, 株式, 会社, グループ, ホールディングス,
//     ホールディング, ジャパン, 日本. Every occurrence of one of them inside a CJK run is
//     found; a bigram (or a one-character token) is dropped when all of its characters lie
//     inside one such occurrence. Bigrams straddling the edge of an occurrence are kept
//     (株式会社山田 → 社山, 山田; 株式, 式会, 会社 are dropped).
// "&" needs no entry: it is a separator. A name whose tokens are all stop tokens has no tokens
// and is never a candidate.
//
// Blocking. Two names are candidates only if they share at least one token. A token held by
// more than kMaxBlock (100) names is too common to be distinctive and is skipped entirely (it
// makes no pairs); a token held by exactly kMaxBlock names is used. So each name is compared
// with at most kMaxBlock − 1 others per token it holds, and the number of comparisons is at most
// (total tokens of all names) × (kMaxBlock − 1) / 2: near-linear in the input, never quadratic.
// Each pair is compared once, however many tokens it shares.
//
// Shared token. Tokens are ordered rarer first: by the number of names holding them,
// ascending, then by their bytes. The reported shared_token of a pair is the first token in
// that order that both names hold and that is not skipped as too common.
//
// Similarity. similarity = 1 − d / m, computed in double as 1.0 - double(d) / double(m), where
// d is the Levenshtein distance (insertions, deletions and substitutions, each cost 1) between
// the two names over code points, and m is the length in code points of the longer name. The
// names compared are the normalised names exactly as added. A pair is reported when
// similarity >= threshold (so threshold 0.75 keeps 山田商事 / 山田商亊 = 1 − 1/4 = 0.75). A
// threshold <= 0 keeps every candidate pair; a threshold > 1 or NaN keeps none.
//
// Order. Pairs are sorted by similarity (descending), then a, then b (byte-wise); within a pair,
// a is the byte-wise smaller name. The result does not depend on the order of Add calls.
//
// Memory. Proportional to the distinct names plus their tokens: each token keeps the list of
// names holding it only until the list passes kMaxBlock, then just a count. Find also keeps the
// names as code points and at most about 2 × limit pairs at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crmkpi/base/string_hash.h"
#include "crmkpi/definition/check_def.h"

namespace crmkpi {

// The distinctive tokens of |name| by the rules above (stop tokens dropped, Latin tokens
// lowercased), deduplicated, in order of first appearance. For tests and for explaining a pair.
std::vector<std::string> NearDuplicateTokens(std::string_view name);

// 1 − Levenshtein distance / longer length, over code points (invalid bytes: one each); 1 when
// both are empty. The similarity Find reports.
double NameSimilarity(std::string_view a, std::string_view b);

class NearDuplicates {
 public:
  // A token held by more than this many names is too common to pair names.
  static constexpr std::size_t kMaxBlock = 100;

  // Each distinct normalised name once (the caller deduplicates), with the first original value
  // and the line it was seen on. Empty names are ignored.
  void Add(std::string_view normalized, std::string_view original, std::uint64_t line);

  // Candidate pairs with similarity >= threshold (0..1), best first (similarity desc, then a, b
  // byte-wise), at most |limit| pairs; *total (if non-null) gets the number of pairs found before
  // the limit. Deterministic.
  std::vector<NearPair> Find(double threshold, std::size_t limit,
                             std::size_t* total = nullptr) const;

  // Distinct non-empty names added.
  std::size_t size() const { return names_.size(); }

 private:
  struct Name {
    std::string normalized;
    std::string original;
    std::uint64_t line = 0;
    std::vector<std::uint32_t> tokens;  // ids into tokens_, ascending
  };
  struct Token {
    std::string text;
    std::size_t count = 0;              // names holding it
    std::vector<std::uint32_t> names;   // ids into names_, while count <= kMaxBlock
  };

  // Deques: elements never move, so the string_view keys below stay valid.
  std::deque<Name> names_;
  std::deque<Token> tokens_;
  std::unordered_map<std::string_view, std::uint32_t, StringHash> name_ids_;
  std::unordered_map<std::string_view, std::uint32_t, StringHash> token_ids_;
};

}  // namespace crmkpi
