// SPDX-License-Identifier: MIT
// The read-only file pages of programs (their code and constants), each kept in one frame
// that every process mapping it shares: an execve or fork of busybox maps the frames the
// last one had, without a copy, and an emulator that translates code (QEMU) finds its
// translations of those frames still valid. Keyed by where the page's bytes lie in the
// server (the boot archive, which never changes); the cache holds a reference to each
// frame, so they outlive the processes. At most `slots` pages; beyond that, pages are
// private copies as before. A process that writes such a page (after mprotect) gets a copy
// of its own: the entries are copy-on-write.
#ifndef LINUX_PAGE_CACHE_HPP
#define LINUX_PAGE_CACHE_HPP

#include <stddef.h>
#include <stdint.h>

#include "frame_pool.hpp"

class Page_cache {
public:
    static constexpr unsigned slots = 2048;     // the table's size
    static constexpr unsigned max_pages = 1536;  // (three quarters: probes stay short)

    explicit Page_cache(Frame_pool &frames) : frames_(frames) {}
    Page_cache(const Page_cache &) = delete;
    Page_cache &operator=(const Page_cache &) = delete;

    // The frame holding bytes [source, source + n) and zeros after them (n at most a page),
    // with a reference for the caller; nullptr when the pool has no frame.
    uint8_t *page(const uint8_t *source, size_t n);
    unsigned pages() const { return used_; }

private:
    struct Slot {
        const uint8_t *source;
        size_t bytes;
        uint8_t *frame;
    };
    Frame_pool &frames_;
    Slot slots_[slots] = {};
    unsigned used_ = 0;
};

#endif
