// Placeholder for the asyncio executor (next commit).
#include "sim/real/executors.hpp"
#include "sim/real/execute.hpp"

namespace gilsim::real {
ExecutorOutput run_asyncio(RunInputs&) {
  throw RealRunError(RealRunError::Reason::NotRunnable, "asyncio is not yet runnable for real");
}
}  // namespace gilsim::real
