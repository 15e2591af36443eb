#include "viz/few_jobs.hpp"

#include <algorithm>
#include <vector>

namespace gilsim::viz {

std::optional<std::pair<Time, Time>> few_jobs_window(const trace::Trace& run, Time around, std::size_t count) {
  std::vector<const trace::Job*> done;
  for (const trace::Job& job : run.jobs) {
    if (job.begin != Time::max() && job.end != Time::max()) done.push_back(&job);
  }
  if (done.empty() || count == 0) return std::nullopt;
  std::stable_sort(done.begin(), done.end(), [](const trace::Job* a, const trace::Job* b) { return a->begin < b->begin; });
  std::size_t first = static_cast<std::size_t>(
      std::lower_bound(done.begin(), done.end(), around, [](const trace::Job* j, Time t) { return j->begin < t; }) -
      done.begin());
  if (around <= done.front()->begin || first >= done.size()) first = done.size() / 2;
  first = std::min(first, done.size() - std::min(count, done.size()));
  Time end = done[first]->end;
  for (std::size_t i = first; i < done.size() && i < first + count; ++i) end = max(end, done[i]->end);
  return std::pair{done[first]->begin, end};
}

}  // namespace gilsim::viz
