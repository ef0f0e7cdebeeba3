#pragma once
/// The status records a library child sends (protocol.hpp), read as the untrusted bytes they
/// are: once the student's library is loaded it shares the child's memory and can write
/// records itself. So a record is believed only in its place (the calls run in the plan's
/// order, each reported once), the deadline of each call comes from the grader's own clock,
/// and anything out of place ends the child.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../sandbox/child.hpp"
#include "grader/protocol.hpp"

namespace grader::library {

/// What a call's genuine record said.
struct CallRecord {
  enum class Kind { done, threw } kind = Kind::done;
  int code = 0;      ///< done: the function's return code
  std::string text;  ///< its error message, or the exception's what()
};

class Records : public sandbox::Watcher {
 public:
  /// `calls` calls are planned; loading may take until `load_deadline`; each call
  /// `call_seconds` from the previous genuine record; nothing runs past `budget_deadline`.
  /// `returned(k)` is called as the genuine end record of the k-th planned call comes (kDone):
  /// the moment to read its outputs, so that what a thread of the call writes there afterwards
  /// changes nothing (found by a hostile helper: a call returned at once and a thread wrote
  /// its outputs seconds past its time limit, which the grader read after the child ended).
  Records(std::size_t calls, sandbox::Clock::time_point load_deadline, double call_seconds,
          sandbox::Clock::time_point budget_deadline, std::function<void(std::size_t)> returned);

  sandbox::Clock::time_point on_status(std::string& pending) override;

  bool ready() const { return ready_; }
  bool finished() const { return finished_; }
  bool isolated() const { return isolated_; }
  /// Why the child was ended for breaking the protocol, if it was.
  const std::optional<std::string>& breach() const { return breach_; }
  const std::string& isolation() const { return isolation_; }
  const std::optional<std::string>& load_error() const { return load_error_; }
  const std::optional<int>& forbidden() const { return forbidden_; }
  /// Per planned call: its function is missing (why), or its record.
  const std::map<std::size_t, std::string>& missing() const { return missing_; }
  const std::vector<std::optional<CallRecord>>& calls() const { return calls_; }
  /// The planned call in progress (or next), once ready.
  std::size_t next() const { return next_; }
  /// True if the deadline in force is the submission's budget, not the call's own.
  bool budget_binds() const override { return budget_ <= call_deadline_; }

 private:
  void advance();
  void breach(const std::string& why);

  std::size_t n_;
  sandbox::Clock::time_point call_deadline_, budget_;
  double call_seconds_;
  bool ready_ = false, finished_ = false, isolated_ = false;
  std::optional<std::string> breach_;
  std::string isolation_;
  std::optional<std::string> load_error_;
  std::optional<int> forbidden_;
  std::map<std::size_t, std::string> missing_;
  std::vector<std::optional<CallRecord>> calls_;
  std::size_t next_ = 0;
  std::function<void(std::size_t)> returned_;
};

/// How the next record of a status stream stands: whole, not all arrived yet, or longer than
/// the protocol allows (a breach).
enum class Frame { whole, partial, too_long };

/// Reads the record at `used` of `pending` into `header` and `text` and moves `used` past it
/// when it is whole. The one framing of status records, for library and Python children.
Frame next_record(std::string_view pending, std::size_t& used, protocol::RecordHeader& header, std::string_view& text);

/// Untrusted text made printable and short: valid UTF-8 kept, control characters (but newlines
/// and tabs) and invalid bytes as '?', at most `max` bytes and "..." when longer.
std::string printable(std::string_view text, std::size_t max = 500);

}  // namespace grader::library
