// SPDX-License-Identifier: MIT
// The Linux personality's memory: 4 KiB frames of the server's own space, which back the
// processes' pages and the server's per-process bookkeeping. The frames come from sigma0 in
// 2 MiB blocks, mapped into a window of the server's space, up to a quota (the memory all
// Linux processes may have together: a memory hog gets ENOMEM, not the system's memory).
#ifndef LINUX_FRAME_POOL_HPP
#define LINUX_FRAME_POOL_HPP

#include <stddef.h>
#include <stdint.h>

class Frame_pool {
public:
    static constexpr uint64_t frame_size = 4096;
    static constexpr unsigned block_log2 = 21;

    // The window [window, window + quota) of the server's space receives the blocks.
    void init(uint64_t window, uint64_t quota);
    // A zeroed frame, or nullptr when the quota is used up or sigma0 has no memory left.
    void *allocate();
    void release(void *frame);
    uint64_t frames_in_use() const { return in_use_; }
    uint64_t bytes_from_sigma0() const { return next_block_ - window_; }

private:
    bool grow();

    struct Free_frame {
        Free_frame *next;
    };
    Free_frame *free_ = nullptr;
    uint64_t window_ = 0, quota_ = 0, next_block_ = 0;
    uint64_t in_use_ = 0;
};

#endif
