// SPDX-License-Identifier: MIT
// The memory sigma0 has given, as runs of pages each with the thread it was given to:
// [low, high) byte ranges, sorted, disjoint, neighbouring runs of one owner merged, so a
// thread that got memory page by page in order costs one run. Lets sigma0 give a thread
// again what it gave that thread before (X.2 programs flush their own pages and fault them
// in again), and nobody else.
#pragma once

#include <stdint.h>

class Grant_list {
public:
    static constexpr unsigned capacity = 4096;

    // Records [low, high) (disjoint from every run, low < high) as given to owner. False
    // when the list is full; then nothing changes.
    [[nodiscard]] bool add(uint64_t low, uint64_t high, uint64_t owner);
    // Whether all of [low, high) was given to owner (low < high).
    bool given_to(uint64_t low, uint64_t high, uint64_t owner) const;
    unsigned runs() const { return count_; }

private:
    struct Run {
        uint64_t low, high, owner;
    };
    // The index of the first run that ends above address (count_ if none).
    unsigned first_ending_above(uint64_t address) const;

    Run runs_[capacity] = {};
    unsigned count_ = 0;
};
