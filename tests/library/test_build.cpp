// Building a student's sources: the compiler is confined like a student's library (docs/sandbox.md).
// Each attack below broke an earlier grader: file names taken as compiler options, and a
// build that could read the system, reach the network, signal or limit other processes and
// outlive the grader with setsid.
#include <dlfcn.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "grader/library/build.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

using namespace grader;
using test_support::TempDir;

namespace {

using test_support::contains;

/// A process of the test's own, for the build to try to reach.
struct Victim {
  pid_t pid = -1;
  Victim() {
    pid = fork();
    if (pid == 0) {
      execl("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~Victim() {
    ::kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  bool alive() const { return waitpid(pid, nullptr, WNOHANG) == 0; }
};

/// True if a process whose command line contains `marker` is running.
bool running(const std::string& marker) {
  return test_support::run_process({"/usr/bin/pgrep", "-f", marker}).exit_code == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(building_sources)

BOOST_AUTO_TEST_CASE(file_names_never_become_compiler_options) {
  TempDir student, cache;
  const auto pwned = std::filesystem::temp_directory_path() / ("grader-pwned-" + std::to_string(getpid()));
  student.write("solution.c", "#include <grader/solution.h>\nint f(void) { return 0; }\n");
  // gcc reads @FILE as a response file: its -wrapper would run a command of the student's.
  student.write("@opts.c", "-wrapper /bin/sh,-c,touch\\ " + pwned.string() + "\n");
  LibraryBuild build = find_or_build_library(LibrarySpec{}, student.path(), cache.path());
  BOOST_TEST(build.compile_failed);
  BOOST_TEST(!build.library.has_value());
  BOOST_TEST(contains(build.message, "'@opts.c' is not compiled"), build.message);
  BOOST_TEST(!std::filesystem::exists(pwned));

  TempDir option;
  option.write("solution.c", "#include <grader/solution.h>\nint f(void) { return 0; }\n");
  option.write("-fsyntax-only.c", "int g(void) { return 1; }\n");
  build = find_or_build_library(LibrarySpec{}, option.path(), cache.path());
  BOOST_TEST(build.compile_failed);
  BOOST_TEST(contains(build.message, "'-fsyntax-only.c' is not compiled"), build.message);
}

BOOST_AUTO_TEST_CASE(the_build_cannot_reach_the_system_the_network_or_other_processes) {
  // A build command that tries what an injected wrapper would: read /etc, open a socket, kill
  // and limit a process outside the build, and leave a process behind that outlives it.
  Victim victim;
  TempDir student, cache;
  student.write("solution.c", "int f(void) { return 0; }\n");
  const std::string marker = "sleep 3" + std::to_string(getpid() % 100000);
  LibrarySpec spec;
  spec.compile_c =
      "echo {sources} {output} > /dev/null; "
      "if cat /etc/passwd > /dev/null 2>&1; then echo passwd=read; else echo passwd=refused; fi; "
      "if /usr/bin/python3 -c 'import socket; socket.socket()' > /dev/null 2>&1; then echo socket=open; "
      "else echo socket=refused; fi; "
      "kill -9 " +
      std::to_string(victim.pid) +
      " 2>/dev/null && echo kill=sent || echo kill=refused; "
      "prlimit --pid " +
      std::to_string(victim.pid) +
      " --fsize=0 2>/dev/null && echo prlimit=set || echo prlimit=refused; "
      "setsid " +
      marker +
      " > /dev/null 2>&1 & "
      "nohup " +
      marker +
      " > /dev/null 2>&1 & "
      "sleep 0.2; exit 1";
  const auto start = std::chrono::steady_clock::now();
  const LibraryBuild build = find_or_build_library(spec, student.path(), cache.path());
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(20)));
  BOOST_TEST(build.compile_failed);
  BOOST_TEST(contains(build.message, "passwd=refused"), build.message);
  BOOST_TEST(contains(build.message, "socket=refused"), build.message);
  BOOST_TEST(contains(build.message, "kill=refused"), build.message);
  BOOST_TEST(contains(build.message, "prlimit=refused"), build.message);
  BOOST_TEST(victim.alive());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  BOOST_TEST(!running(marker), "a process of the build outlived it");
}

BOOST_AUTO_TEST_CASE(a_build_that_hangs_is_ended_with_everything_it_started) {
  TempDir student, cache;
  student.write("solution.c", "int f(void) { return 0; }\n");
  const std::string marker = "sleep 4" + std::to_string(getpid() % 100000);
  LibrarySpec spec;
  spec.compile_c = "echo {sources} {output}; " + marker + " & " + marker;
  spec.compile_seconds = 1;
  const LibraryBuild build = find_or_build_library(spec, student.path(), cache.path());
  BOOST_TEST(build.compile_failed);
  BOOST_TEST(build.message == "compiling took longer than 1 s");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  BOOST_TEST(!running(marker), "a process of the build outlived it");
}

BOOST_AUTO_TEST_CASE(a_build_slowed_by_other_processes_is_not_timed_out_but_a_hang_still_is) {
  // Found by a hostile-student helper: two C++ builds beside a classmate's spinning threads at
  // -j 2 took 62 s instead of 7.6 s and failed a 20 s compile_seconds, since the waiting for a
  // CPU was read on the runner, asleep while its compiler waited. Here a "compiler" needs 1.5 s
  // of CPU under a 3 s limit, beside twelve busy processes on this machine's cores.
  TempDir student, cache;
  student.write("solution.c", "int f(void) { return 0; }\n");
  LibrarySpec spec;
  spec.compile_c =
      "python3 -c 'import time\ns = time.process_time()\nwhile time.process_time() - s < 1.5: pass' && "
      "cc -shared -fPIC -o {output} {sources}";
  spec.compile_seconds = 3;
  std::optional<test_support::BusyProcesses> busy(std::in_place, 90);
  const LibraryBuild slow = find_or_build_library(spec, student.path(), cache.path());
  // A build that waits for nothing but time is ended at its limit all the same.
  spec.compile_c = "sleep 60";
  spec.compile_seconds = 1;
  const LibraryBuild hang = find_or_build_library(spec, student.path(), cache.path());
  busy.reset();
  BOOST_TEST(!slow.compile_failed, slow.message);
  BOOST_TEST(hang.compile_failed);
  BOOST_TEST(hang.message == "compiling took longer than 1 s");
}

BOOST_AUTO_TEST_CASE(a_build_cannot_leave_a_huge_library_in_the_cache) {
  // Found by a helper: a 200 MiB initialised array made a 200 MiB library, kept in the cache
  // for good; each resubmission added another.
  TempDir student, cache;
  student.write("solution.c", "char big[200u << 20] = {1};\nint f(void) { return big[0]; }\n");
  const LibraryBuild build = find_or_build_library(LibrarySpec{}, student.path(), cache.path());
  BOOST_TEST(build.compile_failed);
  BOOST_TEST(build.message.rfind("compiling failed: the build wrote a file larger than 64 MiB", 0) == 0, build.message);
  BOOST_TEST(contains(build.message, "is a large array initialised in your source?"), build.message);
  std::uintmax_t kept = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(cache.path()))
    if (e.is_regular_file()) kept += e.file_size();
  BOOST_TEST(kept < (1u << 20), kept << " bytes left in the cache");
}

BOOST_AUTO_TEST_CASE(the_cache_keeps_to_its_size_by_dropping_the_libraries_used_least_recently) {
  TempDir cache;
  const auto build = [&](int n, std::uintmax_t most) {
    TempDir student;
    student.write("solution.c", "int f(void) { return " + std::to_string(n) + "; }\n");
    const LibraryBuild b = find_or_build_library(LibrarySpec{}, student.path(), cache.path(), most);
    BOOST_REQUIRE(b.library);
    return *b.library;
  };
  const auto a = build(1, kMaxCacheBytes), b = build(2, kMaxCacheBytes), c = build(3, kMaxCacheBytes);
  const auto one = std::filesystem::file_size(a);
  // a used two hours ago, b one hour ago, c now; the Python zygote's cache beside them.
  const auto now = std::filesystem::file_time_type::clock::now();
  std::filesystem::last_write_time(a, now - std::chrono::hours(2));
  std::filesystem::last_write_time(b, now - std::chrono::hours(1));
  cache.write("matplotlib/fontlist.json", std::string(3 * one, 'x'));
  // Room for three libraries: a fourth makes it drop the oldest down to three quarters of that.
  const auto d = build(4, 3 * one + one / 2);
  BOOST_TEST(!std::filesystem::exists(a));
  BOOST_TEST(!std::filesystem::exists(b));
  BOOST_TEST(std::filesystem::exists(c));  // used in the last minute: another worker may read it
  BOOST_TEST(std::filesystem::exists(d));
  BOOST_TEST(std::filesystem::exists(cache.path() / "matplotlib/fontlist.json"));
  // Found by a helper: libraries all built in the last minute were all kept, past any limit.
  // Only the 16 used most recently are (and the one just built).
  for (int n = 5; n < 25; ++n) build(n, 3 * one + one / 2);
  std::size_t libraries = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(cache.path()))
    libraries += e.path().filename() == "libsolution.so";
  BOOST_TEST(libraries == 17u);
}

BOOST_AUTO_TEST_CASE(compile_errors_lead_with_the_students_own_line) {
  // An error inside the expansion of GRADER_EXPORT: gcc reports it at solution.hpp and names
  // the student's line only in a note.
  TempDir student, cache;
  student.write("solution.cpp",
                "#include <grader/solution.hpp>\n"
                "\n"
                "arma::mat compute_keys(const arma::mat& vs, const arma::mat& ws) { return vs * ws; }\n"
                "GRADER_EXPORT(compute_keys, compute_keys)\n");
  const LibraryBuild build = find_or_build_library(LibrarySpec{}, student.path(), cache.path());
  BOOST_TEST(build.compile_failed);
  // The first line, all a table shows, names the student's place.
  BOOST_TEST(build.message.rfind("compiling failed at solution.cpp:4: ", 0) == 0, build.message);
  BOOST_TEST(contains(build.message, "\nsolution.cpp:4: GRADER_EXPORT(compute_keys, compute_keys)\n  error: "),
             build.message);
  BOOST_TEST(contains(build.message, "reported at grader/solution.hpp:"), build.message);
}

BOOST_AUTO_TEST_CASE(a_link_error_is_named_and_the_same_on_every_run) {
  // Two sources defining the same function: the one-line message said "compiling failed:"
  // alone, and the linker's temporary object names (/tmp/ccmSgrhG.o) changed every run.
  TempDir student;
  const std::string function = "void f(void) {}\n";
  student.write("copy.c", function);
  student.write("solution.c", function);
  std::vector<std::string> messages;
  for (int run = 0; run < 2; ++run) {
    TempDir cache;  // built again each time
    const LibraryBuild build = find_or_build_library(LibrarySpec{}, student.path(), cache.path());
    BOOST_TEST(build.compile_failed);
    messages.push_back(build.message);
  }
  BOOST_TEST(messages[0].rfind(
                 "compiling failed at solution.c: multiple definition of `f'; copy.c: first defined here\n", 0) == 0,
             messages[0]);
  BOOST_TEST(!contains(messages[0], "/tmp/cc"), messages[0]);
  BOOST_TEST(messages[0] == messages[1]);
}

BOOST_AUTO_TEST_CASE(the_students_tests_are_not_built_and_an_included_source_is_built_where_included) {
  // Found by a student helper: a test_solution.c whose main() included solution.c, compiled with
  // it, was a compile_error ("multiple definition"), 0 points.
  const std::string solution = "int f(void) { return 42; }\n";
  const std::string driver = "#include <stdio.h>\n#include \"solution.c\"\nint main(void) { return f() != 42; }\n";
  const auto exports_f = [](const LibraryBuild& build) {
    if (!build.library) return false;
    void* handle = dlopen(build.library->c_str(), RTLD_NOW | RTLD_LOCAL);
    const bool found = handle && dlsym(handle, "f");
    if (handle) dlclose(handle);
    return found;
  };
  TempDir tested, cache;
  tested.write("solution.c", solution);
  tested.write("test_solution.c", driver);
  LibraryBuild build = find_or_build_library(LibrarySpec{}, tested.path(), cache.path());
  BOOST_TEST(!build.compile_failed, build.message);
  BOOST_TEST(exports_f(build));
  BOOST_REQUIRE_EQUAL(build.notes.size(), 1u);
  BOOST_TEST(contains(build.notes[0], "test_solution.c is not compiled: named as a test"), build.notes[0]);

  // A test program of another name (main() and `#include "./solution.c"`) is left out too.
  TempDir driven;
  driven.write("solution.c", solution);
  driven.write("main.c", "#include \"./solution.c\"\nint\nmain (void) { return f() != 42; }\n");
  build = find_or_build_library(LibrarySpec{}, driven.path(), cache.path());
  BOOST_TEST(!build.compile_failed, build.message);
  BOOST_TEST(exports_f(build));
  BOOST_REQUIRE_EQUAL(build.notes.size(), 1u);
  BOOST_TEST(contains(build.notes[0], "main.c is not compiled: it defines main() and includes solution.c"),
             build.notes[0]);

  // Found by the next student helper: an include in a comment or an `#if 0` block is none, and
  // a solution.c with a main() of its own for trying it, including no source, is the solution.
  TempDir commented;
  commented.write("helpers.c", "int g(void) { return 41; }\n");
  commented.write("solution.c",
                  "// old: #include \"helpers.c\"\n/* #include \"helpers.c\" */\n"
                  "#if 0\n#ifdef X\n#endif\n#include \"helpers.c\"\n#else\nint g(void);\n#endif\n"
                  "int f(void) { return g() + 1; }\nint main(void) { return f() != 42; }\n");
  build = find_or_build_library(LibrarySpec{}, commented.path(), cache.path());
  BOOST_TEST(!build.compile_failed, build.message);
  BOOST_TEST(exports_f(build));
  BOOST_TEST(build.notes.empty());

  // Found by the helper after it: a solution.c that includes its helpers.c (which compiles it
  // with `cc solution.c`) was "multiple definition", 0 points; helpers.c is compiled there only.
  TempDir unity;
  unity.write("helpers.c", "static int half(void) { return 21; }\nint g(void) { return 2 * half(); }\n");
  unity.write("solution.c", "#include \"helpers.c\"\nint f(void) { return g(); }\n");
  build = find_or_build_library(LibrarySpec{}, unity.path(), cache.path());
  BOOST_TEST(!build.compile_failed, build.message);
  BOOST_TEST(exports_f(build));
  BOOST_REQUIRE_EQUAL(build.notes.size(), 1u);
  BOOST_TEST(contains(build.notes[0], "helpers.c is not compiled on its own: solution.c includes it"), build.notes[0]);
  // The next helper: an include that may not be compiled (`#ifdef UNITY_BUILD`, the `#else` of
  // `#if 1`) leaves helpers.c compiled on its own; one in the `#else` of `#if 0` is compiled.
  for (const std::string guarded : {"#ifdef UNITY_BUILD\n#include \"helpers.c\"\n#else\nint g(void);\n#endif\n",
                                    "#if 1\nint g(void);\n#else\n#include \"helpers.c\"\n#endif\n"}) {
    unity.write("solution.c", guarded + "int f(void) { return g(); }\n");
    build = find_or_build_library(LibrarySpec{}, unity.path(), cache.path());
    BOOST_TEST(!build.compile_failed, build.message);
    BOOST_TEST(exports_f(build), guarded);
    BOOST_TEST(build.notes.empty(), guarded);
  }
  unity.write("solution.c",
              "#if 0\nint g(void);\n#else\n#include \"helpers.c\"\n#endif\nint f(void) { return g(); }\n");
  build = find_or_build_library(LibrarySpec{}, unity.path(), cache.path());
  BOOST_TEST(exports_f(build), build.message);
  BOOST_TEST(build.notes.size() == 1u);
  // A solution.c (the library's name) with a main() for trying it and its helpers included is
  // the solution, not a test program (found by the same helper: 0 of 8).
  unity.write("solution.c",
              "#include \"helpers.c\"\nint f(void) { return g(); }\nint main(void) { return f() != 42; }\n");
  build = find_or_build_library(LibrarySpec{}, unity.path(), cache.path());
  BOOST_TEST(!build.compile_failed, build.message);
  BOOST_TEST(exports_f(build));
  BOOST_REQUIRE_EQUAL(build.notes.size(), 1u);
  BOOST_TEST(contains(build.notes[0], "helpers.c is not compiled on its own"), build.notes[0]);

  // The hand-in's own headers are there for its sources to include.
  TempDir headed;
  headed.write("answer.h", "#define ANSWER 42\n");
  headed.write("solution.c", "#include \"answer.h\"\nint f(void) { return ANSWER; }\n");
  build = find_or_build_library(LibrarySpec{}, headed.path(), cache.path());
  BOOST_TEST(!build.compile_failed, build.message);
  BOOST_TEST(exports_f(build));

  // A test alone is what there is to build: it is built.
  TempDir alone;
  alone.write("test_f.c", solution);
  build = find_or_build_library(LibrarySpec{}, alone.path(), cache.path());
  BOOST_TEST(exports_f(build), build.message);
  BOOST_TEST(build.notes.empty());
}

BOOST_AUTO_TEST_CASE(a_library_this_machine_cannot_load_is_named_and_the_sources_beside_it_are_built) {
  // Found by a student helper: a Mac's libsolution.so beside correct sources was "invalid ELF
  // header, in every case", 0 points, and the sources were never compiled.
  TempDir dir, cache;
  const auto elf = [](unsigned char klass, std::uint16_t type, std::uint16_t machine) {
    std::string h =
        "\x7f"
        "ELF";
    h += static_cast<char>(klass);
    h += '\x01';  // little-endian
    h += '\x01';
    h += std::string(9, '\0');
    h += static_cast<char>(type & 0xff);
    h += static_cast<char>(type >> 8);
    h += static_cast<char>(machine & 0xff);
    h += static_cast<char>(machine >> 8);
    return h + std::string(64, '\0');
  };
  const std::vector<std::pair<std::string, std::string>> foreign = {
      {std::string("\xcf\xfa\xed\xfe", 4) + std::string(60, '\0'), "a macOS library (Mach-O)"},
      {"MZ" + std::string(62, '\0'), "a Windows DLL"},
      {"<html>Not found</html>\n", "no compiled library"},
      {elf(1, 3, 3), "a 32-bit library"},
      {elf(2, 3, 183), "built for another processor, aarch64"},
      {elf(2, 1, 62), "an object file (.o)"},
      {elf(2, 2, 62), "a program, not a shared library"},
  };
  for (const auto& [bytes, said] : foreign) {
    const auto file = dir.write("libsolution.so", bytes);
    const auto why = foreign_library(file);
    BOOST_TEST((why && contains(*why, said)), said << ": " << why.value_or("(loadable)"));
  }
  // Found by the next student helper: `gcc -o libsolution.so` makes a position-independent
  // program, of the type of a library; and a library copied in part.
  TempDir own;
  own.write("f.c", "int f(void) { return 42; }\nint main(void) { return 0; }\n");
  const auto gcc = [&](const std::vector<std::string>& options, const std::string& output) {
    std::vector<std::string> command = {"/usr/bin/gcc"};
    command.insert(command.end(), options.begin(), options.end());
    command.insert(command.end(), {(own.path() / "f.c").string(), "-o", (own.path() / output).string()});
    const auto r = test_support::run_process(command);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return own.path() / output;
  };
  const auto program = foreign_library(gcc({"-fPIE", "-pie"}, "program"));
  BOOST_TEST((program && contains(*program, "a program, not a shared library")), program.value_or("(loadable)"));
  const auto library = gcc({"-shared", "-fPIC"}, "libf.so");
  BOOST_TEST(!foreign_library(library));
  const std::string whole = test_support::read_file(library);
  BOOST_REQUIRE_GT(whole.size(), 3000u);
  const auto part = foreign_library(own.write("part.so", whole.substr(0, 3000)));
  BOOST_TEST((part && contains(*part, "a damaged library: the file is shorter than its own headers say")),
             part.value_or("(loadable)"));

  // Alone, it is what every check says; beside sources, they are built instead, with a note.
  dir.write("libsolution.so", foreign[0].first);
  LibraryBuild build = find_or_build_library(LibrarySpec{}, dir.path(), cache.path());
  BOOST_TEST(!build.library.has_value());
  BOOST_TEST(build.unloadable);
  BOOST_TEST(contains(build.message,
                      "libsolution.so is a macOS library (Mach-O), which the grader cannot load: hand in "
                      "your C/C++ sources"),
             build.message);
  dir.write("solution.c", "int f(void) { return 42; }\n");
  build = find_or_build_library(LibrarySpec{}, dir.path(), cache.path());
  BOOST_REQUIRE(build.library.has_value());
  BOOST_TEST(build.library->filename() == "libsolution.so");
  BOOST_TEST(build.library->parent_path() != dir.path());  // built, not the one handed in
  BOOST_TEST(!foreign_library(*build.library));
  BOOST_REQUIRE_EQUAL(build.notes.size(), 1u);
  BOOST_TEST(contains(build.notes[0], "your C/C++ sources beside it are compiled instead"), build.notes[0]);
}

BOOST_AUTO_TEST_SUITE_END()
