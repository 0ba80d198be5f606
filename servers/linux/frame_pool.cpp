// SPDX-License-Identifier: MIT
#include "frame_pool.hpp"

#include <l4/sigma0.h>
#include <string.h>

void Frame_pool::init(uint64_t window, uint64_t quota)
{
    window_ = next_block_ = window;
    quota_ = quota;
}

// One more block from sigma0, cut into frames on the free list.
bool Frame_pool::grow()
{
    constexpr uint64_t block = uint64_t{1} << block_log2;
    if (next_block_ - window_ + block > quota_)
        return false;
    L4_Fpage_t got = L4_Sigma0_GetAny(L4_nilthread, block_log2, L4_FpageLog2(next_block_, block_log2));
    if (L4_IsNilFpage(got))
        return false;
    for (uint64_t frame = next_block_ + block; frame > next_block_;) {
        frame -= frame_size;
        auto *free = reinterpret_cast<Free_frame *>(frame);
        free->next = free_;
        free_ = free;
    }
    next_block_ += block;
    return true;
}

void *Frame_pool::allocate()
{
    if (free_ == nullptr && !grow())
        return nullptr;
    Free_frame *frame = free_;
    free_ = frame->next;
    ++in_use_;
    memset(frame, 0, frame_size);  // nothing of another process, or of the server, shows through
    return frame;
}

void Frame_pool::release(void *frame)
{
    auto *free = static_cast<Free_frame *>(frame);
    free->next = free_;
    free_ = free;
    --in_use_;
}
