"""conform_suite_test: the whole suite against one runtime under bazel test."""

load("@rules_cc//cc:defs.bzl", "cc_test")

def conform_suite_test(name, runtime, driver, expectations = None, shard_count = 4, size = "large", **kwargs):
    """One GoogleTest case per scenario, judged as conformance/runtimes/<runtime>.runtime says.

    The runtime (driver command, environment, capability overrides,
    expectations file) comes from its description file, as for `conform`;
    the rule only makes the files it names available to the test.

    Args:
      name: the test's name.
      runtime: the description conformance/runtimes/<runtime>.runtime.
      driver: the label of the driver binary the description's command names.
      expectations: the label of its expectations files (default:
        //conformance/expectations:<runtime>, the file and its .sanitizer.txt).
      shard_count: Bazel shards (GoogleTest honours TEST_TOTAL_SHARDS).
      size: the test size.
      **kwargs: passed to cc_test (e.g. env, tags).
    """
    runtime_file = "//conformance/runtimes:" + runtime + ".runtime"
    cc_test(
        name = name,
        size = size,
        shard_count = shard_count,
        args = ["--runtime-file=$(rootpath " + runtime_file + ")"],
        data = [
            driver,
            runtime_file,
            expectations or "//conformance/expectations:" + runtime,
            "//conformance/scenarios:all",
            "//spec:clauses.txt",
        ],
        deps = ["//conformance/runner:driver_suite_main"],
        **kwargs
    )
