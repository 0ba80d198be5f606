// SPDX-License-Identifier: MIT
#include "range_set.hpp"

// Invariant: ranges_[0..count_) are non-empty, sorted by begin, and for consecutive
// ranges a, b: a.end < b.begin (touching ranges are merged).

void Range_set::erase(size_t index, size_t how_many)
{
    for (size_t i = index; i + how_many < count_; ++i)
        ranges_[i] = ranges_[i + how_many];
    count_ -= how_many;
}

void Range_set::open_gap(size_t index, size_t how_many)
{
    for (size_t i = count_; i > index; --i)
        ranges_[i - 1 + how_many] = ranges_[i - 1];
    count_ += how_many;
}

Range_set::Error Range_set::insert(Phys_range range)
{
    if (range.empty())
        return Error::none;

    // First range that ends at or after range.begin can merge or follows.
    size_t first = 0;
    while (first < count_ && ranges_[first].end < range.begin)
        ++first;
    // One past the last range that begins at or before range.end (merges).
    size_t last = first;
    while (last < count_ && ranges_[last].begin <= range.end)
        ++last;

    if (first == last) {
        if (count_ == capacity)
            return Error::full;
        open_gap(first, 1);
        ranges_[first] = range;
        return Error::none;
    }
    Phys_range merged{range.begin < ranges_[first].begin ? range.begin : ranges_[first].begin,
                      range.end > ranges_[last - 1].end ? range.end : ranges_[last - 1].end};
    ranges_[first] = merged;
    erase(first + 1, last - first - 1);
    return Error::none;
}

Range_set::Error Range_set::remove(Phys_range range)
{
    if (range.empty())
        return Error::none;

    for (size_t i = 0; i < count_; ++i) {
        Phys_range current = ranges_[i];
        if (!current.overlaps(range))
            continue;
        bool keeps_head = current.begin < range.begin;
        bool keeps_tail = current.end > range.end;
        if (keeps_head && keeps_tail) {
            // Splitting needs one more slot; the removal cannot overlap anything else.
            if (count_ == capacity)
                return Error::full;
            open_gap(i + 1, 1);
            ranges_[i] = {current.begin, range.begin};
            ranges_[i + 1] = {range.end, current.end};
            return Error::none;
        }
        if (keeps_head) {
            ranges_[i].end = range.begin;
        } else if (keeps_tail) {
            ranges_[i].begin = range.end;
        } else {
            erase(i, 1);
            --i;
        }
    }
    return Error::none;
}

uint64_t Range_set::total_size() const
{
    uint64_t total = 0;
    for (size_t i = 0; i < count_; ++i)
        total += ranges_[i].size();
    return total;
}

bool Range_set::overlaps(Phys_range range) const
{
    for (size_t i = 0; i < count_; ++i)
        if (ranges_[i].overlaps(range))
            return true;
    return false;
}

bool Range_set::contains(Phys_range range) const
{
    for (size_t i = 0; i < count_; ++i)
        if (ranges_[i].contains(range))
            return true;
    return range.empty();
}
