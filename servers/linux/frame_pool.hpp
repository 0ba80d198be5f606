// SPDX-License-Identifier: MIT
// The Linux personality's memory: 4 KiB frames of the server's own space, which back the
// processes' pages and the server's per-process bookkeeping. The frames come from sigma0 in
// 2 MiB blocks, mapped into a window of the server's space, up to a quota (the memory all
// Linux processes may have together: a memory hog gets ENOMEM, not the system's memory).
// Frames are counted references: a page that fork shares copy-on-write is one frame.
#ifndef LINUX_FRAME_POOL_HPP
#define LINUX_FRAME_POOL_HPP

#include <stddef.h>
#include <stdint.h>

class Frame_pool {
public:
    static constexpr uint64_t frame_size = 4096;
    static constexpr unsigned block_log2 = 21;

    // Maps a block of 2^block_log2 bytes at address (aligned so) into the caller's space:
    // the server asks sigma0; host tests have the window already.
    using Block_source = bool (*)(uint64_t address, unsigned log2);

    // The window [window, window + quota) of the server's space receives the blocks.
    void init(uint64_t window, uint64_t quota, Block_source source);
    static constexpr uint64_t max_quota = uint64_t{256} << 20;

    // A zeroed frame with one reference, or nullptr when the quota is used up or sigma0 has
    // no memory left.
    void *allocate();
    // A frame with one reference holding a copy of source's frame_size bytes (copy-on-write),
    // or nullptr as allocate(): it is written once, not zeroed first.
    void *allocate_copy(const void *source);
    // Another reference (a page shared copy-on-write after fork).
    void share(void *frame);
    // Drops a reference; the frame is free again with the last.
    void release(void *frame);
    unsigned references(const void *frame) const;
    uint64_t frames_in_use() const { return in_use_; }
    uint64_t quota() const { return quota_; }
    uint64_t bytes_from_sigma0() const { return next_block_ - window_; }

private:
    bool grow();
    // A free frame with one reference, as it was left.
    void *take();

    struct Free_frame {
        Free_frame *next;
    };
    Free_frame *free_ = nullptr;
    Block_source source_ = nullptr;
    uint64_t window_ = 0, quota_ = 0, next_block_ = 0;
    uint64_t in_use_ = 0;
    uint16_t references_[max_quota / frame_size] = {};  // by frame index in the window
};

#endif
