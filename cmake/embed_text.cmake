# Turns a text file into a C++ source defining gilsim::scenario::embedded_default_text().
file(READ ${INPUT} content)
set(delim "GILSIM_EMBED")
file(WRITE ${OUTPUT}
"// Generated from ${INPUT}; do not edit.\n#include <string_view>\nnamespace gilsim::scenario {\nstd::string_view embedded_default_text() {\n  return R\"${delim}(${content})${delim}\";\n}\n}  // namespace gilsim::scenario\n")
