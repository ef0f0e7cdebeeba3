#include "support/build_library.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "support/temp_dir.hpp"

namespace test_support {

std::filesystem::path build_library(const std::filesystem::path& dir, const std::string& name,
                                    const std::string& source, Language language, const std::string& extra_flags) {
  const bool cxx = language == Language::cxx;
  const auto src = dir / (name + (cxx ? ".cpp" : ".c"));
  const auto lib = dir / ("lib" + name + ".so");
  const auto log = dir / (name + ".log");
  std::ofstream(src) << source;
  const std::string command = std::string(cxx ? GRADER_CXX_COMPILER " -std=c++17" : GRADER_C_COMPILER) +
                              " -shared -fPIC -O1 -I" GRADER_SOURCE_DIR "/grader/include '" + src.string() + "' -o '" +
                              lib.string() + "' " + extra_flags + " > '" + log.string() + "' 2>&1";
  if (std::system(command.c_str()) != 0)
    throw std::runtime_error("compiling " + src.string() + " failed:\n" + read_file(log));
  return lib;
}

}  // namespace test_support
