// The model's random numbers: the project's one seeded generator (docs/model.md, The engine).
#pragma once

#include "sim/scenario/seeded_random.hpp"

namespace gilsim::model {
using Random = scenario::Random;
}  // namespace gilsim::model
