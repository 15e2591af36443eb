// Zoom and pan arithmetic for the timeline.
#include "viz/time_view.hpp"

#include <algorithm>
#include <cmath>

namespace gilsim::viz {

Time TimeView::start() const { return Time{static_cast<std::int64_t>(std::floor(start_ns_))}; }
Time TimeView::end() const { return Time{static_cast<std::int64_t>(std::ceil(start_ns_ + ns_per_px_ * width_px_))}; }

void TimeView::set_width(double px) { width_px_ = std::max(1.0, px); }

void TimeView::set(double start_ns, double ns_per_px) {
  start_ns_ = start_ns;
  ns_per_px_ = std::max(kMinNsPerPx, ns_per_px);
}

Time TimeView::time_at(double x) const {
  return Time{static_cast<std::int64_t>(std::llround(start_ns_ + x * ns_per_px_))};
}

void TimeView::zoom_around(double x, double factor) {
  if (!(factor > 0)) return;
  const double anchor_ns = start_ns_ + x * ns_per_px_;
  ns_per_px_ = std::max(kMinNsPerPx, ns_per_px_ / factor);
  start_ns_ = anchor_ns - x * ns_per_px_;
}

void TimeView::pan_px(double dx) { start_ns_ -= dx * ns_per_px_; }

void TimeView::fit(Time begin, Time end) {
  const double span = std::max(1.0, static_cast<double>((end - begin).ns()));
  const double margin = span * 0.02;
  ns_per_px_ = std::max(kMinNsPerPx, (span + 2 * margin) / width_px_);
  start_ns_ = static_cast<double>(begin.ns()) - margin;
}

void TimeView::keep_visible(Time t) {
  const double x = x_of(t);
  if (x >= 0 && x <= width_px_) return;
  // Put t a tenth of the way in, so playback keeps running across most of a page.
  start_ns_ = static_cast<double>(t.ns()) - 0.1 * width_px_ * ns_per_px_;
}

void TimeView::limit(Time total) {
  const double widest = std::max(1.0, static_cast<double>(total.ns())) * 1.5 / width_px_;
  ns_per_px_ = std::clamp(ns_per_px_, kMinNsPerPx, std::max(kMinNsPerPx, widest));
  const double visible = ns_per_px_ * width_px_;
  const double lo = -0.5 * visible;
  const double hi = static_cast<double>(total.ns()) - 0.5 * visible;
  start_ns_ = std::clamp(start_ns_, lo, std::max(lo, hi));
}

double end_stretch(Time run_end, Time axis_end) {
  if (run_end <= Time::zero() || axis_end <= Time::zero()) return 1.0;
  return static_cast<double>(axis_end.ns()) / static_cast<double>(run_end.ns());
}

TimeView stretched(const TimeView& shared, double stretch) {
  TimeView v;
  v.set_width(shared.width_px());
  v.set(shared.start_ns() / stretch, shared.ns_per_px() / stretch);
  return v;
}

Time shown_resolution(const TimeView& view) {
  return Time{std::clamp<std::int64_t>(static_cast<std::int64_t>(view.ns_per_px()), 1, 1'000)};
}

}  // namespace gilsim::viz
