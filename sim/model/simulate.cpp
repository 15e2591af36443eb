// Placeholder translation unit; the engine lands in the following commits.
#include "sim/model/simulate.hpp"
