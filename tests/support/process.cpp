#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "support/temp_dir.hpp"

extern char** environ;

namespace test_support {

namespace {

/// Starts `argv` (argv[0] a path) with stdout and stderr going to files, the environment
/// plus `extra_env` ("NAME=value"); returns its pid.
int spawn(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
          const std::string& working_dir, const std::filesystem::path& out_path,
          const std::filesystem::path& err_path) {
  std::vector<std::string> argv_storage = args;
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e) env_storage.emplace_back(*e);
  env_storage.insert(env_storage.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const std::string dir = working_dir.empty() ? std::string(GRADER_SOURCE_DIR) : working_dir;
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());

  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn of " + args[0] + " failed");
  return pid;
}

std::vector<std::string> grader_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{GRADER_EXECUTABLE};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

ProcessResult collect(int pid, const std::filesystem::path& out_path, const std::filesystem::path& err_path) {
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) throw std::runtime_error("waitpid failed");
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

}  // namespace

ProcessResult run_grader(const std::vector<std::string>& args, const std::string& working_dir) {
  TempDir capture;
  const auto out_path = capture.path() / "stdout";
  const auto err_path = capture.path() / "stderr";
  return collect(spawn(grader_argv(args), {}, working_dir, out_path, err_path), out_path, err_path);
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                          const std::string& working_dir) {
  TempDir capture;
  const auto out_path = capture.path() / "stdout";
  const auto err_path = capture.path() / "stderr";
  return collect(spawn(argv, extra_env, working_dir, out_path, err_path), out_path, err_path);
}

Background::Background(const std::vector<std::string>& args, const std::string& working_dir) {
  char pattern[] = "/tmp/grader-bg-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  capture_dir_ = pattern;
  out_path_ = capture_dir_ + "/stdout";
  err_path_ = capture_dir_ + "/stderr";
  pid_ = spawn(grader_argv(args), {}, working_dir, out_path_, err_path_);
}

Background::~Background() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(capture_dir_, ec);
}

void Background::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

ProcessResult Background::wait() {
  const ProcessResult r = collect(pid_, out_path_, err_path_);
  pid_ = -1;
  return r;
}

BusyProcesses::BusyProcesses(unsigned seconds) {
  for (int i = 0; i < 12; ++i) {
    const pid_t pid = fork();
    if (pid == 0) {
      alarm(seconds);
      volatile unsigned long spins = 0;
      for (;;) spins = spins + 1UL;
    }
    pids_.push_back(pid);
  }
}

BusyProcesses::~BusyProcesses() {
  for (const pid_t pid : pids_) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}

}  // namespace test_support
