# SPDX-License-Identifier: MIT
# WHISPER_FUZZ adds the libFuzzer targets of tests/fuzz/. They share the
# sanitizer build directory (build-asan, scripts/configure-asan.sh) with the
# ASan/UBSan test run: every object there is compiled once, with ASan, UBSan
# and libFuzzer's coverage feedback, which the test programs carry unused
# (the sanitizer runtime supplies the coverage hooks they call). Only the
# fuzz executables link the libFuzzer driver. Needs clang; the main gcc
# build never sees these flags.
option(WHISPER_FUZZ "Build the libFuzzer targets (clang only)" OFF)
if(WHISPER_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "WHISPER_FUZZ needs clang (CXX=clang++-14)")
  endif()
  if(NOT WHISPER_SANITIZE MATCHES "address")
    message(FATAL_ERROR "WHISPER_FUZZ needs WHISPER_SANITIZE=address,undefined")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
