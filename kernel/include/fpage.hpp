// SPDX-License-Identifier: MIT
// X.2 flexpages: a naturally aligned region of 2^s bytes (s >= 12) with access rights.
//
//   63                        10 9      4 3  2 1 0
//   [       base >> 10          |  s     | 0| r w x ]
//
// nilpage is 0; the complete address space is s = 1 with base 0.
#pragma once

#include <stdint.h>

class Fpage {
public:
    constexpr explicit Fpage(uint64_t raw = 0) : raw_(raw) {}

    static constexpr unsigned read = 4, write = 2, execute = 1;

    static constexpr Fpage make(uint64_t base, unsigned size_log2, unsigned rights)
    {
        return Fpage((base & ~uint64_t{0x3ff}) | uint64_t{size_log2 & 63} << 4 | (rights & 7));
    }

    constexpr uint64_t raw() const { return raw_; }
    constexpr bool is_nil() const { return raw_ == 0; }
    constexpr bool is_complete() const { return size_log2() == 1 && base() == 0; }
    constexpr unsigned size_log2() const { return static_cast<unsigned>(raw_ >> 4 & 63); }
    constexpr unsigned rights() const { return static_cast<unsigned>(raw_ & 7); }
    // The base with the bits below the size cleared (X.2 ignores them).
    constexpr uint64_t base() const
    {
        unsigned s = size_log2();
        uint64_t base = raw_ & ~uint64_t{0x3ff};
        return s >= 64 ? 0 : base & ~((uint64_t{1} << s) - 1);
    }
    constexpr uint64_t size() const
    {
        unsigned s = size_log2();
        return s >= 64 ? 0 : uint64_t{1} << s;
    }
    // A region the kernel can use: at least a page, within 2^64.
    constexpr bool is_valid_region() const { return size_log2() >= 12 && size_log2() < 64; }
    constexpr bool contains(uint64_t address) const
    {
        return is_valid_region() && address - base() < size();
    }

private:
    uint64_t raw_;
};
