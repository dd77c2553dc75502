"""fuzz_target: a libFuzzer target and the test that replays its inputs."""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")

def fuzz_target(name, srcs, deps = [], replay_args = [], replay_data = [], replay_size = "small", **kwargs):
    """Declares <name> and <name>_replay_test from one LLVMFuzzerTestOneInput.

    <name>: with --config=fuzz, the libFuzzer binary. Only this target is
    linked with -fsanitize=fuzzer (libFuzzer's main), so every other binary
    the config builds keeps its own main. In any other configuration it is
    linked with replay_main.cc instead: a binary that runs the files it is
    given through the target once each.

    <name>_replay_test: a cc_test that replays `replay_args` (the seed
    corpus and fuzz/regressions/<name>/) under `bazel test`.
    """
    cc_binary(
        name = name,
        srcs = srcs,
        deps = deps + select({
            "//fuzz:libfuzzer": [],
            "//conditions:default": ["//fuzz:replay_main"],
        }),
        # -z now: bind every symbol at start-up, so that the differential
        # fuzzer's forked children do not each resolve them again lazily.
        linkopts = ["-Wl,-z,now"] + select({
            "//fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        **kwargs
    )
    cc_test(
        name = name + "_replay_test",
        size = replay_size,
        srcs = srcs,
        args = replay_args,
        data = replay_data,
        deps = deps + ["//fuzz:replay_main"],
        **kwargs
    )
