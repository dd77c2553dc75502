"""conform_suite_test: the whole suite against one runtime under bazel test."""

load("@rules_cc//cc:defs.bzl", "cc_test")

def conform_suite_test(name, runtime, driver, shard_count = 4, size = "large", **kwargs):
    """One GoogleTest case per scenario, judged against conformance/expectations/<runtime>.txt.

    Args:
      name: the test's name.
      runtime: a name in conformance/runner/runtimes.cc.
      driver: the driver binary's label.
      shard_count: Bazel shards (GoogleTest honours TEST_TOTAL_SHARDS).
      size: the test size.
      **kwargs: passed to cc_test.
    """
    cc_test(
        name = name,
        size = size,
        shard_count = shard_count,
        args = ["--runtime=" + runtime],
        data = [
            driver,
            "//conformance/expectations:" + runtime,
            "//conformance/scenarios:all",
            "//spec:clauses.txt",
        ],
        deps = ["//conformance/runner:driver_suite_main"],
        **kwargs
    )
