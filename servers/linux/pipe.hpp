// SPDX-License-Identifier: MIT
// A pipe's buffer: a ring of one 4 KiB frame (PIPE_BUF: a write of at most this many bytes
// is never split between readers' reads) and the number of open read and write ends. The
// server blocks a reader of an empty pipe and a writer of a full one (docs/linux.md).
#ifndef LINUX_PIPE_HPP
#define LINUX_PIPE_HPP

#include <stddef.h>
#include <stdint.h>

class Pipe {
public:
    static constexpr size_t capacity = 4096;

    // A pipe in use has a buffer; reset gives it one (nullptr: the pipe is free).
    void reset(uint8_t *buffer)
    {
        buffer_ = buffer;
        head_ = used_ = 0;
        readers = writers = 1;
    }
    uint8_t *buffer() const { return buffer_; }

    size_t used() const { return used_; }
    size_t room() const { return capacity - used_; }
    // Copies up to n bytes in; returns how many.
    size_t put(const uint8_t *bytes, size_t n);
    // Taking bytes out is two steps: a copy of up to n bytes (all a MSG_PEEK does), then their removal.
    size_t peek(uint8_t *bytes, size_t n) const;
    size_t discard(size_t n);

    unsigned readers = 1, writers = 1;

private:
    uint8_t *buffer_ = nullptr;
    size_t head_ = 0, used_ = 0;  // the oldest byte is buffer_[head_]
};

#endif
