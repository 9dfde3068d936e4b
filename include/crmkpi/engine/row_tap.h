// RowTap: another consumer of a source's records, fed by the metric engine's pass over that
// source, so that one read of the file serves both (`crmkpi report -c kpi.ini --checks`: the
// [check] sections of quality/ read along with the metrics).
#pragma once

#include <memory>

#include "crmkpi/read/csv_reader.h"

namespace crmkpi {

class RowTap {
 public:
  virtual ~RowTap() = default;

  // Every record of the file in order (a record of the wrong width too), before the engine's
  // own handling of it; |reader| locates its fields and numbers it (from 1 in a chunk).
  virtual void Row(const CsvReader& reader, const CsvRow& row) = 0;
  // Whether the pass may split the file into chunks read on several threads for this tap
  // (each chunk then gets its own Part, merged in file order). Streams are read serially.
  virtual bool CanSplit() const = 0;
  // An empty tap bound like this one, for one chunk.
  virtual std::unique_ptr<RowTap> Part() const = 0;
  // Adds |later|, the tap of the next chunk (file order).
  virtual void Merge(RowTap& later) = 0;

  // Set by the engine when it reads the tap's source (a source without metrics is not read:
  // its tap's owner reads it itself), and when it read it in chunks.
  bool driven() const { return driven_; }
  bool split() const { return split_; }
  void set_driven(bool split) {
    driven_ = true;
    split_ = split;
  }

 private:
  bool driven_ = false;
  bool split_ = false;
};

}  // namespace crmkpi
