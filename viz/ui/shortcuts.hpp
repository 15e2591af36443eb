// Every keyboard and mouse shortcut, as data: the help overlay lists it and docs/viewer.md
// mirrors it.
#pragma once

#include <vector>

namespace gilsim::viz::ui {

struct Shortcut {
  const char* keys;
  const char* action;
};

const std::vector<Shortcut>& shortcuts();

}  // namespace gilsim::viz::ui
