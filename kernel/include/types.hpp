// SPDX-License-Identifier: MIT
// Basic types and address arithmetic shared by generic and architecture code.
#pragma once

#include <stddef.h>
#include <stdint.h>

using Phys_addr = uint64_t;
using Virt_addr = uint64_t;

constexpr unsigned page_shift = 12;
constexpr uint64_t page_size = uint64_t{1} << page_shift;

// Alignments are powers of two; callers pass constants, so this is checked at compile time
// where it matters and by the unit tests elsewhere.
constexpr uint64_t align_down(uint64_t value, uint64_t alignment) { return value & ~(alignment - 1); }
constexpr uint64_t align_up(uint64_t value, uint64_t alignment)
{
    return (value + alignment - 1) & ~(alignment - 1);
}
constexpr bool is_aligned(uint64_t value, uint64_t alignment) { return (value & (alignment - 1)) == 0; }

// [begin, end) with end > begin, or empty when end <= begin.
struct Phys_range {
    Phys_addr begin;
    Phys_addr end;

    constexpr uint64_t size() const { return end > begin ? end - begin : 0; }
    constexpr bool empty() const { return end <= begin; }
    constexpr bool overlaps(Phys_range other) const
    {
        return !empty() && !other.empty() && begin < other.end && other.begin < end;
    }
    constexpr bool contains(Phys_range other) const
    {
        return other.begin >= begin && other.end <= end;
    }
};

// The whole pages inside range, or an empty range when there are none (including when
// rounding up would run past the top of the address space).
constexpr Phys_range whole_pages(Phys_range range)
{
    if (range.begin > ~uint64_t{0} - (page_size - 1))
        return {};
    Phys_addr first = align_up(range.begin, page_size);
    Phys_addr last = align_down(range.end, page_size);
    return first < last ? Phys_range{first, last} : Phys_range{};
}
