// Teaching notes reflow: paragraphs join, list items keep their own lines.
#include <doctest/doctest.h>

#include "viz/text_layout.hpp"

using gilsim::viz::reflow;

TEST_CASE("hard-wrapped paragraphs join; blank lines and list items stay") {
  CHECK(reflow("Each job downloads\na page.\n\nNotice:\n- threads overlap\n  the downloads;\n- one GIL.\n") ==
        "Each job downloads a page.\n\nNotice:\n- threads overlap the downloads;\n- one GIL.");
  CHECK(reflow("1. first\n2. second") == "1. first\n2. second");
  CHECK(reflow("") == "");
  CHECK(reflow("\n\none line\n\n") == "one line");
}
