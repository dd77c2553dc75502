#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script: builds every fuzz target in fuzz/
# with the compiler, flags and fuzzing engine the service sets, and puts
# beside each binary in $OUT its dictionary (<target>.dict) and its seed
# corpus (<target>_seed_corpus.zip).
#
# Environment, as the services set it:
#   CC, CXX, CFLAGS, CXXFLAGS  compilers and flags (sanitizer and coverage
#                              instrumentation included)
#   LIB_FUZZING_ENGINE         what to link for the engine (-fsanitize=fuzzer)
#   OUT                        where the fuzzers, dictionaries and corpora go
#   SRC                        where sources are checked out ($SRC/goconform)
#   WORK                       scratch space for objects
# GOCONFORM_SRC overrides $SRC/goconform. tools/oss-fuzz-check runs this
# script the same way with the local clang-19 and libFuzzer.
#
# Bazel is not used here (the services' images do not have this project's
# offline Bazel set-up): each source folder is compiled into an archive, so
# the linker takes only what a fuzzer needs, and new files in those folders
# are picked up without editing this script. Debian packages needed:
# libre2-dev, libboost-context-dev, zip (see Dockerfile).

: "${CC:?}" "${CXX:?}" "${LIB_FUZZING_ENGINE:?}" "${OUT:?}" "${SRC:?}" "${WORK:?}"
CFLAGS=${CFLAGS:-}
CXXFLAGS=${CXXFLAGS:-}
ROOT=${GOCONFORM_SRC:-$SRC/goconform}
cd "$ROOT"

OBJ=$WORK/goconform
rm -rf "$OBJ"
mkdir -p "$OBJ" "$OUT"

FLAGS=(-std=c++20 -I"$ROOT" -pthread -DGORT_FUZZ=1)
# The runtime tells ASan about every fiber switch when built with GORT_ASAN.
case " $CXXFLAGS " in *-fsanitize=address*) FLAGS+=(-DGORT_ASAN=1) ;; esac
LIBS=(-lre2 -lboost_context -pthread)

# library NAME PATH...: compiles every .cc (and .S) file named or in a
# folder named, except tests and files with a main(), into $OBJ/libNAME.a.
library() {
  local name=$1; shift
  local objs=() f o
  for f in $(find "$@" -maxdepth 1 \( -name '*.cc' -o -name '*.S' \) ! -name '*_test.cc' | sort); do
    if grep -qE '^int main\(' "$f"; then continue; fi
    o=$OBJ/$(echo "$f" | tr / _).o
    # shellcheck disable=SC2086  # the services' flags are word lists
    $CXX $CXXFLAGS "${FLAGS[@]}" -c "$f" -o "$o"
    objs+=("$o")
  done
  ar rcs "$OBJ/lib$name.a" "${objs[@]}"
}

echo "build.sh: compiling the libraries"
library lang conformance/lang
library interp conformance/interp
library check conformance/check
library runner conformance/runner
library reference conformance/drivers/reference
library model spec/model
library runtime $(find runtime -mindepth 1 -maxdepth 1 -type d ! -name tests ! -name testing | sort)
library fuzzsupport fuzz/fork_server.cc fuzz/scenario_decoder.cc
ARCHIVES=("$OBJ"/lib{reference,interp,runner,check,model,fuzzsupport,lang,runtime}.a)

# fuzzer NAME: links fuzz/NAME.cc with the engine.
fuzzer() {
  echo "build.sh: $1"
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "${FLAGS[@]}" "fuzz/$1.cc" -Wl,--start-group "${ARCHIVES[@]}" -Wl,--end-group \
    $LIB_FUZZING_ENGINE "${LIBS[@]}" -Wl,-z,now -o "$OUT/$1"
  if [ -f "fuzz/dicts/$1.dict" ]; then cp "fuzz/dicts/$1.dict" "$OUT/$1.dict"; fi
}

# seeds NAME DIR...: zips the files under DIRs (flattened) as NAME's seed corpus.
seeds() {
  local name=$1; shift
  local dir=$WORK/seeds-$name f
  rm -rf "$dir"
  mkdir -p "$dir"
  for f in $(find "$@" -type f ! -name '.*' | sort); do cp "$f" "$dir/$(echo "$f" | tr / _)"; done
  rm -f "$OUT/${name}_seed_corpus.zip"
  (cd "$dir" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
}

fuzzer parser_fuzzer
seeds parser_fuzzer fuzz/corpus/parser_fuzzer conformance/scenarios

fuzzer driver_protocol_fuzzer
seeds driver_protocol_fuzzer fuzz/corpus/driver_protocol_fuzzer

fuzzer differential_fuzzer
# Its seeds: every suite scenario encoded by the decoder's inverse. The
# encoder is a build-time tool, so it is built without the services' flags.
echo "build.sh: encoding the suite scenarios as differential_fuzzer seeds"
# shellcheck disable=SC2046
$CXX -std=c++20 -O1 -I"$ROOT" fuzz/scenario_seeds.cc fuzz/scenario_decoder.cc \
  $(find conformance/lang -maxdepth 1 -name '*.cc' ! -name '*_test.cc') -lre2 -o "$WORK/scenario_seeds"
"$WORK/scenario_seeds" "$WORK/encoded-scenarios" conformance/scenarios
seeds differential_fuzzer fuzz/corpus/differential_fuzzer "$WORK/encoded-scenarios"

echo "build.sh: built $(ls "$OUT" | grep -c '_seed_corpus.zip$') fuzzers into $OUT"
