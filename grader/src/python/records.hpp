#pragma once
/// The records a Python child sends (protocol.hpp, grader/python/notebook.py), read as the
/// untrusted bytes they are: the student's code shares the child's process and can write them
/// too. A record is believed only in its place (units start and end in order, one at a time;
/// each value comes once, between units), each unit's deadline comes from the grader's own
/// clock, and anything out of place ends the child.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "../sandbox/child.hpp"
#include "grader/tensor.hpp"

namespace grader::python {

/// A unit as its records described it.
struct UnitRecord {
  bool started = false, ended = false;
  int code = -1;               ///< how it ended (protocol.hpp: kUnitEnd)
  std::string text;            ///< what went wrong
  std::string label;           ///< where it is: "line 45", "cell 7 (line 120)"
  std::vector<int> forbidden;  ///< system calls the sandbox refused while it ran
  bool interrupted = false;    ///< the grader interrupted it (its time was up) and it ended
  /// The earlier unit whose failure `text` repeats at its end (kUnitQuotes), and `text` before
  /// that repetition.
  std::optional<std::size_t> quotes;
  std::string before_quote;
};

/// A value's record: kValue (`ok`, text the JSON of its place) or kValueError (code, text).
struct ValueRecord {
  bool ok = false;
  int code = 0;
  std::string text;
  /// kValue: the value, copied from the output memory when its record came, so that nothing
  /// the child writes there afterwards changes it; nullopt if its place was malformed.
  std::optional<Tensor> value;
};

/// A function call as its records described it.
struct CallRecord {
  bool ended = false;
  int code = -1;                       ///< how it ended (protocol.hpp: kCallEnd)
  std::string text;                    ///< what went wrong, as the child sent it (code 5: JSON)
  std::map<int, std::string> outputs;  ///< output -> the JSON of its place
  /// output -> its value, copied from the output memory when the call's end came (code 0): a
  /// thread of the call still writing there afterwards changes nothing (found by a hostile
  /// helper: a call returned zeros at once and wrote its outputs seconds past its time limit,
  /// which the grader read after the child had ended). Missing where a place was malformed.
  std::map<int, Tensor> values;
  /// Where the call was when its time was up (kCallWhere): the place, then its line's text,
  /// each one printable line, as the child said (a notebook can word its own only).
  std::optional<std::pair<std::string, std::string>> where;
};

class Records : public sandbox::Watcher {
 public:
  /// `max_units`: more units than the hand-in can hold (each takes at least one of its bytes);
  /// a parse record claiming more is a forgery.
  /// `outputs`: the grader's view of the child's output memory, `size` bytes, from which each
  /// value and each call's outputs are copied as their records come, `room` bytes at the most
  /// (shared by a hand-in's children: a forged place may name the whole memory again and again).
  Records(std::size_t requests, std::size_t calls, std::size_t max_units, double unit_seconds, double call_seconds,
          sandbox::Clock::time_point setup_deadline, sandbox::Clock::time_point budget_deadline, const char* outputs,
          std::uint64_t size, std::uint64_t& room);

  sandbox::Clock::time_point on_status(std::string& pending) override;
  /// A unit whose own time is up is interrupted once, as Jupyter's interrupt does (SIGINT):
  /// the child has kInterruptSeconds to end it (what it did before stands, and the next unit
  /// runs in the same child). A unit in progress when the hand-in's budget runs out is
  /// interrupted so too, but with SIGUSR1, which also tells the child to run nothing more and
  /// to take its answers as they stand, within a unit's time (cut()). Anything else whose time
  /// is up (a value, a unit already interrupted, the time after a cut) ends the child. A call
  /// whose own time is up is asked where it is first (SIGUSR2), for the student's feedback: the
  /// child has kWhereSeconds to say so (kCallWhere), then is ended; nothing the call does after
  /// the question counts (a call that ends then is not believed: its time was up).
  std::optional<Interrupt> interrupt() override;
  static constexpr double kInterruptSeconds = 2.0;
  static constexpr double kWhereSeconds = 0.5;
  /// True if call `c` was asked where it is: its time was up, whatever ended its child then.
  bool asked_where(std::size_t c) const { return asked_where_ && *asked_where_ == c; }
  /// Units that ran out of their own time in an earlier child of the same hand-in, which this
  /// one runs again from the notebook's start: each has kRerunSeconds, not a unit's time, before
  /// it is interrupted (found by an instructor helper: a test cell that hung ran again, for its
  /// whole time, in each fresh child after a call that hung, until the budget was spent and an
  /// exercise of another function lost its points).
  void hurry(std::set<std::size_t> units) { hurried_ = std::move(units); }
  static constexpr double kRerunSeconds = 1.0;
  /// The unit in progress when the budget ran out, if the child was told to stop there
  /// (interrupt()), and its label.
  std::optional<std::size_t> cut() const { return cut_; }
  const std::string& cut_label() const { return cut_label_; }

  bool isolated() const { return isolated_; }
  bool parsed() const { return parsed_; }
  bool finished() const { return finished_; }
  const std::optional<std::string>& breach() const { return breach_; }
  const std::optional<std::string>& load_error() const { return load_error_; }
  const std::string& isolation() const { return isolation_; }
  std::size_t units() const { return n_units_; }
  /// The unit that started and has not ended, if any.
  std::optional<std::size_t> in_progress() const { return in_progress_; }
  /// True if the unit in progress was interrupted for its time and has not ended since.
  bool interrupted_in_progress() const { return in_progress_ && interrupted_ == in_progress_; }
  /// The units up to the last that started or ended (whose output this child printed).
  std::size_t units_reached() const { return last_ ? *last_ + 1 : 0; }
  /// The unit in progress, and the first kKeptFailures units that failed: a unit that ran, or
  /// was skipped, is forgotten when it ends (a file of a million statements, or a child forging
  /// their records, kept gigabytes of them).
  const std::map<std::size_t, UnitRecord>& unit_records() const { return units_; }
  /// Failed units beyond the first kKeptFailures: counted, not kept.
  std::size_t failures_not_kept() const { return failures_not_kept_; }
  static constexpr std::size_t kKeptFailures = 256;
  const std::vector<std::optional<ValueRecord>>& values() const { return values_; }
  const std::vector<int>& forbidden() const { return forbidden_; }
  /// The call that started and has not ended, if any.
  std::optional<std::size_t> call_in_progress() const { return call_; }
  /// The answer being taken (kValueStart, then no value yet).
  std::optional<std::size_t> value_in_progress() const { return value_; }
  const std::map<std::size_t, CallRecord>& call_records() const { return calls_; }
  /// True if the deadline in force is the hand-in's budget, not the unit's own. After a cut, the
  /// time to stop and take the answers is a deadline of its own: the waiting credited to the
  /// budget does not move it (found by a hostile helper: a child that had waited for a CPU
  /// beside a classmate's threads took its answers 10 s after the cut, computing them then).
  bool budget_binds() const override { return !cut_ && budget_ <= deadline_; }

 private:
  void breach(const std::string& why);
  void next_deadline();
  std::optional<Tensor> copied(const std::string& place);

  std::size_t n_requests_, n_calls_, max_units_, n_units_ = 0;
  double unit_seconds_, call_seconds_;
  sandbox::Clock::time_point deadline_, budget_;
  bool isolated_ = false, parsed_ = false, finished_ = false;
  std::optional<std::size_t> cut_;
  std::string cut_label_;
  /// A unit or call started after the cut, which the child had not seen yet (a race, not a
  /// breach: found by a reviewing helper), or a call asked where it is that answered or ended:
  /// the child is ended now, and what it took before stands.
  bool stop_ = false;
  std::optional<std::size_t> asked_where_;  ///< the call asked where it is (its time was up)
  std::optional<std::string> breach_, load_error_;
  std::string isolation_;
  std::optional<std::size_t> in_progress_;
  std::optional<std::pair<std::size_t, std::string>> quote_;  ///< kUnitQuotes of the unit in progress
  std::optional<std::size_t> last_;  ///< the last unit that started or ended
  std::optional<std::size_t> interrupted_;  ///< the unit the grader interrupted
  std::map<std::size_t, UnitRecord> units_;
  std::set<std::size_t> hurried_;
  std::size_t failures_kept_ = 0, failures_not_kept_ = 0;
  std::vector<std::optional<ValueRecord>> values_;
  std::vector<int> forbidden_;
  std::optional<std::size_t> call_, last_call_;
  std::optional<std::size_t> value_;
  std::map<std::size_t, CallRecord> calls_;
  const char* outputs_;
  std::uint64_t size_;
  std::uint64_t& room_;
};

}  // namespace grader::python
