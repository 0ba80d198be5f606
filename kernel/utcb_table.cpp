// SPDX-License-Identifier: MIT
#include "utcb_table.hpp"

Utcb_table::Error Utcb_table::prepare(size_t slot, Page_allocator &pages)
{
    if (slot >= max_slots)
        return Error::no_such_slot;
    Chunk *&chunk = chunks_[slot / slots_per_chunk];
    if (chunk != nullptr)
        return Error::none;
    Phys_addr page = pages.allocate();
    if (page == 0)
        return Error::out_of_memory;
    chunk = static_cast<Chunk *>(pages.virtual_address(page));
    for (Thread *&thread : chunk->threads)
        thread = nullptr;
    for (Phys_addr &frame : chunk->frames)
        frame = 0;
    return Error::none;
}

void Utcb_table::set_thread(size_t slot, Thread *thread)
{
    if (Chunk *chunk = chunk_of(slot))
        chunk->threads[slot % slots_per_chunk] = thread;
}

void Utcb_table::set_frame(size_t slot, Phys_addr frame)
{
    if (Chunk *chunk = chunk_of(slot))
        chunk->frames[slot % slots_per_chunk / slots_per_page] = frame;
}

void Utcb_table::release(Page_allocator &pages)
{
    for (Chunk *&chunk : chunks_) {
        if (chunk == nullptr)
            continue;
        for (Phys_addr frame : chunk->frames)
            if (frame != 0)
                (void)pages.free(frame);
        (void)pages.free(pages.physical_address(chunk));
        chunk = nullptr;
    }
}
