#pragma once
/// The plan of a library child (protocol.hpp): the calls and their inputs, in one buffer the
/// grader seals into a memfd, and where each call's outputs will be.

#include <cstdint>
#include <string>
#include <vector>

#include "grader/library/run.hpp"

namespace grader::library {

struct Plan {
  std::string bytes;
  std::uint64_t output_bytes = 0;
  std::vector<std::vector<std::uint64_t>> output_offsets;  ///< per planned call, per output
};

/// The plan of `calls[which[0]], calls[which[1]], ...`, in that order.
Plan make_plan(const std::vector<Call>& calls, const std::vector<std::size_t>& which);

}  // namespace grader::library
