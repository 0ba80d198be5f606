// SPDX-License-Identifier: MIT
// Computes the memory the page allocator may hand out: RAM the loader reports as usable,
// minus every region it reports as anything else (overlaps resolve to "not usable"),
// minus the first MiB (firmware data), the kernel image and the boot modules.
#pragma once

#include "boot_info.hpp"
#include "range_set.hpp"

class Usable_memory {
public:
    static constexpr Phys_range firmware_area = {0, 0x100000};

    enum class Error { none, too_many_ranges };

    [[nodiscard]] static Error compute(const Boot_info &info, Phys_range kernel_image, Range_set &usable);
    // Splits usable into the naturally aligned frames of frame_bytes (a power of two) that
    // it covers whole, and the rest: the edges of each range.
    [[nodiscard]] static Error split_whole_frames(const Range_set &usable, uint64_t frame_bytes, Range_set &whole,
                                                  Range_set &edges);
};
