// Driver for gccgo (GCC's Go front end and its libgo runtime).
#include "conformance/drivers/go/go_driver.h"

int main(int argc, char** argv) { conform::RunGoDriver(argc, argv, "gccgo"); }
