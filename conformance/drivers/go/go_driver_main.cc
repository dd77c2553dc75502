// Driver for Go's gc toolchain (Debian's golang-go).
#include "conformance/drivers/go/go_driver.h"

int main(int argc, char** argv) { conform::RunGoDriver(argc, argv, "gc"); }
