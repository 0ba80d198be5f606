// SPDX-License-Identifier: MIT
// The last `capacity` bytes of a stream, and the position of each since the stream began:
// the kernel console's log (the kernel_log system call, what dmesg reads). Writing never
// fails and never blocks; the oldest bytes are overwritten.
#pragma once

#include <stddef.h>
#include <stdint.h>

template <size_t capacity>
class Byte_log {
    static_assert(capacity > 0 && (capacity & (capacity - 1)) == 0, "a power of two: positions wrap cheaply");

public:
    void append(const char *bytes, size_t n)
    {
        for (size_t i = 0; i < n; ++i)
            bytes_[(total_ + i) & (capacity - 1)] = bytes[i];
        total_ += n;
    }
    uint64_t total() const { return total_; }                 // bytes ever appended
    uint64_t first() const { return total_ > capacity ? total_ - capacity : 0; }  // the oldest held
    // Up to 8 bytes from position on (at least first()), little-endian, zeros past the end.
    uint64_t word_at(uint64_t position) const
    {
        if (position < first())
            position = first();
        uint64_t word = 0;
        for (unsigned i = 0; i < 8 && position + i < total_; ++i)
            word |= uint64_t{static_cast<uint8_t>(bytes_[(position + i) & (capacity - 1)])} << (8 * i);
        return word;
    }

private:
    char bytes_[capacity] = {};
    uint64_t total_ = 0;
};
