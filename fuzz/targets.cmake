# Every fuzz target, one line each: grader_fuzz_target(NAME [libraries...]) builds
# fuzz/fuzz_NAME.cpp against grader_readers (and the libraries, e.g. grader_core), seeds it
# from fuzz/corpus/NAME/, and in the main build registers the CTest test fuzz_NAME that runs it
# for a bounded time.
grader_fuzz_target(npy)
grader_fuzz_target(text)
grader_fuzz_target(armadillo)
grader_fuzz_target(answers)
grader_fuzz_target(spec)
grader_fuzz_target(expr)
