// SPDX-License-Identifier: MIT
// A set of physical addresses kept as sorted, disjoint, non-adjacent ranges in a fixed
// array (the kernel has no heap when it needs this). Used to compute usable memory as
// "RAM the firmware reports minus everything reserved".
#pragma once

#include "types.hpp"

class Range_set {
public:
    static constexpr size_t capacity = 128;

    enum class Error { none, full };

    // Both keep the set unchanged when they fail.
    [[nodiscard]] Error insert(Phys_range range);
    [[nodiscard]] Error remove(Phys_range range);

    void clear() { count_ = 0; }
    size_t count() const { return count_; }
    Phys_range operator[](size_t index) const { return ranges_[index]; }
    uint64_t total_size() const;
    bool overlaps(Phys_range range) const;
    bool contains(Phys_range range) const;

private:
    void erase(size_t index, size_t how_many);
    void open_gap(size_t index, size_t how_many);

    Phys_range ranges_[capacity] = {};
    size_t count_ = 0;
};
