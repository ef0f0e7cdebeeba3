#include "grader/error.hpp"

namespace grader {

std::string Location::str() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

namespace {
std::string join(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) {
    if (!out.empty()) out += "\n";
    out += d.where.str() + ": error: " + d.message;
  }
  return out;
}
}  // namespace

SpecError::SpecError(std::vector<Diagnostic> diagnostics)
    : Error(join(diagnostics)), diagnostics_(std::move(diagnostics)) {}

SpecError::SpecError(Location where, const std::string& message)
    : SpecError(std::vector<Diagnostic>{{std::move(where), message}}) {}

}  // namespace grader
