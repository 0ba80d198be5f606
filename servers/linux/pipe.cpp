// SPDX-License-Identifier: MIT
#include "pipe.hpp"

#include <string.h>

size_t Pipe::put(const uint8_t *bytes, size_t n)
{
    if (n > room())
        n = room();
    size_t tail = (head_ + used_) % capacity;
    size_t first = capacity - tail < n ? capacity - tail : n;
    memcpy(buffer_ + tail, bytes, first);
    memcpy(buffer_, bytes + first, n - first);
    used_ += n;
    return n;
}

size_t Pipe::peek(uint8_t *bytes, size_t n) const
{
    if (n > used_)
        n = used_;
    size_t first = capacity - head_ < n ? capacity - head_ : n;
    memcpy(bytes, buffer_ + head_, first);
    memcpy(bytes + first, buffer_, n - first);
    return n;
}

size_t Pipe::discard(size_t n)
{
    if (n > used_)
        n = used_;
    head_ = (head_ + n) % capacity;
    used_ -= n;
    return n;
}
