// SPDX-License-Identifier: MIT
#include "frame_pool.hpp"

#include <string.h>

namespace {

unsigned index_of(const void *frame, uint64_t window)
{
    return static_cast<unsigned>((reinterpret_cast<uint64_t>(frame) - window) / Frame_pool::frame_size);
}

}  // namespace

void Frame_pool::init(uint64_t window, uint64_t quota, Block_source source)
{
    source_ = source;
    window_ = next_block_ = window;
    quota_ = quota < max_quota ? quota : max_quota;
}

// One more block from sigma0, cut into frames on the free list.
bool Frame_pool::grow()
{
    constexpr uint64_t block = uint64_t{1} << block_log2;
    if (next_block_ - window_ + block > quota_)
        return false;
    if (!source_(next_block_, block_log2))
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

void *Frame_pool::take()
{
    if (free_ == nullptr && !grow())
        return nullptr;
    Free_frame *frame = free_;
    free_ = frame->next;
    ++in_use_;
    references_[index_of(frame, window_)] = 1;
    return frame;
}

void *Frame_pool::allocate()
{
    void *frame = take();
    if (frame != nullptr)
        memset(frame, 0, frame_size);  // nothing of another process, or of the server, shows through
    return frame;
}

void *Frame_pool::allocate_copy(const void *source)
{
    void *frame = take();
    if (frame != nullptr)
        memcpy(frame, source, frame_size);
    return frame;
}

void Frame_pool::share(void *frame) { ++references_[index_of(frame, window_)]; }

unsigned Frame_pool::references(const void *frame) const { return references_[index_of(frame, window_)]; }

void Frame_pool::release(void *frame)
{
    if (--references_[index_of(frame, window_)] != 0)
        return;
    auto *free = static_cast<Free_frame *>(frame);
    free->next = free_;
    free_ = free;
    --in_use_;
}
