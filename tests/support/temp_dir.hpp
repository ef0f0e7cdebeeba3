#pragma once
/// A temporary folder removed with everything in it when the test ends.

#include <filesystem>
#include <string>

namespace test_support {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// Writes `content` to a file under the folder (creating parent folders); returns its path.
  std::filesystem::path write(const std::string& relative, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

/// Reads a whole file.
std::string read_file(const std::filesystem::path& path);

}  // namespace test_support
