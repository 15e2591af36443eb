// Placeholder for the process pool (next commit).
#include "sim/real/executors.hpp"
#include "sim/real/execute.hpp"

namespace gilsim::real {
ExecutorOutput run_process_pool(RunInputs&) {
  throw RealRunError(RealRunError::Reason::NotRunnable, "process_pool is not yet runnable for real");
}
}  // namespace gilsim::real
