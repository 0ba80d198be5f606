// SPDX-License-Identifier: MIT
#include "grant_list.hpp"

unsigned Grant_list::first_ending_above(uint64_t address) const
{
    unsigned low = 0, high = count_;
    while (low < high) {
        unsigned middle = low + (high - low) / 2;
        if (runs_[middle].high <= address)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

bool Grant_list::add(uint64_t low, uint64_t high, uint64_t owner)
{
    unsigned next = first_ending_above(low);  // runs are disjoint: the first at or after high
    bool joins_previous = next > 0 && runs_[next - 1].high == low && runs_[next - 1].owner == owner;
    bool joins_next = next < count_ && runs_[next].low == high && runs_[next].owner == owner;
    if (joins_previous && joins_next) {
        runs_[next - 1].high = runs_[next].high;
        for (unsigned i = next; i + 1 < count_; ++i)
            runs_[i] = runs_[i + 1];
        --count_;
    } else if (joins_previous) {
        runs_[next - 1].high = high;
    } else if (joins_next) {
        runs_[next].low = low;
    } else {
        if (count_ == capacity)
            return false;
        for (unsigned i = count_; i > next; --i)
            runs_[i] = runs_[i - 1];
        runs_[next] = {low, high, owner};
        ++count_;
    }
    return true;
}

bool Grant_list::given_to(uint64_t low, uint64_t high, uint64_t owner) const
{
    uint64_t covered = low;
    for (unsigned i = first_ending_above(low); i < count_ && covered < high; ++i) {
        if (runs_[i].low > covered || runs_[i].owner != owner)
            return false;
        covered = runs_[i].high;
    }
    return covered >= high;
}
