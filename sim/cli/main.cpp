// The gilsim command: everything it does lives in gilsim_cli_lib (cli_app.hpp).
#include <iostream>

#include "sim/cli/cli_app.hpp"

int main(int argc, char** argv) { return gilsim::cli::run_cli(argc, argv, std::cout, std::cerr); }
