#pragma once
/// Reading a file from outside the grader (a student's, a spec's, a result of an earlier run)
/// without trusting it: regular files only (no symbolic links, FIFOs or devices), and never
/// more than a stated number of bytes, refused before anything is read.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace grader {

struct ReadLimits {
  std::uintmax_t max_bytes = 64u << 20;  ///< larger files are refused unread
};

/// Why a file could not be read; the message says what is wrong and how to fix it, without
/// the file's name (callers add it).
class ReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A regular file (no symlink) of at most limits.max_bytes, open for reading; throws ReadError.
class BoundedFile {
 public:
  BoundedFile(const std::filesystem::path& path, const ReadLimits& limits);
  ~BoundedFile();
  BoundedFile(const BoundedFile&) = delete;
  BoundedFile& operator=(const BoundedFile&) = delete;

  std::size_t size() const { return size_; }

  /// Appends bytes [from, to) of the file to `out`.
  void read(std::size_t from, std::size_t to, std::string& out) const;

 private:
  int fd_;
  std::size_t size_ = 0;
};

/// Reads a whole regular file (no symlinks) of at most limits.max_bytes; throws ReadError.
std::string read_bounded(const std::filesystem::path& path, const ReadLimits& limits = {});

/// Whether the grader may list a folder and open the files in it: a folder of a student's zip
/// can carry mode 000, or 0400 (listed, but no file in it can be opened). What grading and the
/// --resume fingerprint both ask of a folder.
bool readable_folder(const std::filesystem::path& dir);

/// Reads files one after another within limits.max_bytes in all, not each: hashing every file
/// of a submission (its seed, its fingerprint for --resume) then costs at most that many bytes,
/// however many large or sparse files the folder holds.
class ReadBudget {
 public:
  explicit ReadBudget(const ReadLimits& limits) : left_(limits) {}

  /// The whole file; ReadError if it is larger than what is left (or unreadable).
  std::string read(const std::filesystem::path& path);

 private:
  ReadLimits left_;
};

}  // namespace grader
