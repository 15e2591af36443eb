// Runs simulated ahead of a knob change, kept by everything they are simulated from: the
// scenario file's text, the overrides the knobs make, and the fit to this machine. Two
// settings that differ in any of those never share an entry, so a kept result is never stale.
// The cache holds a budget of bytes; the entry used least recently goes first.
#pragma once

#include <cstddef>
#include <filesystem>
#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "viz/knobs.hpp"

namespace gilsim::viz {

/// Everything the runs of a knob change are simulated from. The model is deterministic (the
/// seed is in the file), so equal keys give equal runs.
struct SettingsKey {
  std::filesystem::path file;  ///< empty: the built-in default scenario
  std::string text;            ///< the file's bytes as read (the default's when `file` is empty)
  std::vector<std::pair<std::string, std::string>> overrides;  ///< Knobs::overrides(), in order
  bool fit = false;            ///< fitted to this machine's cores
  int cpus = 0;                ///< this machine's CPUs when `fit` (else 0)

  bool operator==(const SettingsKey&) const = default;
};

/// The key of `knobs` over `file` (read now; throws std::runtime_error when it cannot be read).
SettingsKey settings_key(const std::filesystem::path& file, const Knobs& knobs, bool fit, int cpus);
/// The same over `text`, the file's bytes as read before (the scenario loaded), not read again.
SettingsKey settings_key(const std::filesystem::path& file, std::string text, const Knobs& knobs, bool fit, int cpus);

/// A least-recently-used cache of `Value`s under a budget of bytes (each entry's own count).
template <class Value>
class KnobCache {
 public:
  explicit KnobCache(std::size_t budget_bytes) : budget_(budget_bytes) {}

  /// Keeps `value` (replacing an entry of the same key) as the most recent; evicts the least
  /// recent ones while over budget. A value larger than the whole budget is not kept.
  void put(SettingsKey key, std::shared_ptr<Value> value, std::size_t bytes) {
    erase(key);
    if (bytes > budget_) return;
    entries_.push_front({std::move(key), std::move(value), bytes});
    bytes_ += bytes;
    while (bytes_ > budget_) {
      bytes_ -= entries_.back().bytes;
      entries_.pop_back();
    }
  }
  /// Takes the entry of `key` out of the cache: null when there is none.
  std::shared_ptr<Value> take(const SettingsKey& key) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->key == key) {
        std::shared_ptr<Value> out = std::move(it->value);
        bytes_ -= it->bytes;
        entries_.erase(it);
        return out;
      }
    }
    return nullptr;
  }
  /// Whether `key` has an entry; it becomes the most recent (a wanted value is evicted last).
  bool touch(const SettingsKey& key) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->key == key) {
        entries_.splice(entries_.begin(), entries_, it);
        return true;
      }
    }
    return false;
  }
  /// The bytes of the entry of `key` (0 when there is none).
  std::size_t bytes_of(const SettingsKey& key) const {
    for (const Entry& e : entries_) {
      if (e.key == key) return e.bytes;
    }
    return 0;
  }
  bool erase(const SettingsKey& key) { return take(key) != nullptr; }
  void clear() {
    entries_.clear();
    bytes_ = 0;
  }
  std::size_t bytes() const { return bytes_; }
  std::size_t size() const { return entries_.size(); }
  std::size_t budget() const { return budget_; }
  /// The keys, most recent first.
  std::vector<SettingsKey> keys() const {
    std::vector<SettingsKey> out;
    for (const Entry& e : entries_) out.push_back(e.key);
    return out;
  }

 private:
  struct Entry {
    SettingsKey key;
    std::shared_ptr<Value> value;
    std::size_t bytes = 0;
  };
  std::size_t budget_;
  std::size_t bytes_ = 0;
  std::list<Entry> entries_;  ///< most recent first; a handful, so a linear search is enough
};

}  // namespace gilsim::viz
