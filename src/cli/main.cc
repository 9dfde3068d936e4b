#include "crmkpi/cli/cli.h"

int main(int argc, char** argv) { return crmkpi::RunCli(argc, argv); }
