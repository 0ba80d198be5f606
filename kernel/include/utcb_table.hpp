// SPDX-License-Identifier: MIT
// The UTCB slots of a space: which thread has its UTCB in each 1 KiB slot of the space's
// UTCB area, and the kernel frames backing the slots' pages.
//
// Slots are grouped in chunks of slots_per_chunk, each chunk one page allocated when a
// slot in it is first prepared and kept until release(): a space with a few threads costs
// one page, and the lookup of a local thread id (on the IPC path) is two loads. A space has
// max_slots slots, as many as there are thread numbers, so every thread could have a UTCB
// in one space (X.2 programs give the root task's threads UTCBs by thread number).
#pragma once

#include "abi.h"
#include "page_allocator.hpp"
#include "types.hpp"

class Thread;

class Utcb_table {
public:
    static constexpr size_t slots_per_page = page_size / TERN_UTCB_SIZE;
    static constexpr size_t slots_per_chunk = 256;
    static constexpr size_t max_slots = 4096;

    enum class Error { none, out_of_memory, no_such_slot };

    // The thread whose UTCB is in slot; nullptr if none (or no such slot).
    Thread *thread(size_t slot) const
    {
        const Chunk *chunk = chunk_of(slot);
        return chunk == nullptr ? nullptr : chunk->threads[slot % slots_per_chunk];
    }
    // The frame backing slot's page, 0 if it has none yet.
    Phys_addr frame(size_t slot) const
    {
        const Chunk *chunk = chunk_of(slot);
        return chunk == nullptr ? 0 : chunk->frames[slot % slots_per_chunk / slots_per_page];
    }

    // Makes slot's chunk exist, so that set_thread and set_frame on it cannot fail.
    [[nodiscard]] Error prepare(size_t slot, Page_allocator &pages);
    // Both require a prepared slot; anything else is ignored.
    void set_thread(size_t slot, Thread *thread);
    void set_frame(size_t slot, Phys_addr frame);

    // Frees every frame set and every chunk; the table is empty afterwards.
    void release(Page_allocator &pages);

private:
    struct Chunk {
        Thread *threads[slots_per_chunk];
        Phys_addr frames[slots_per_chunk / slots_per_page];
    };
    static_assert(sizeof(Chunk) <= page_size);
    static_assert(max_slots % slots_per_chunk == 0 && slots_per_chunk % slots_per_page == 0);

    Chunk *chunk_of(size_t slot) const { return slot < max_slots ? chunks_[slot / slots_per_chunk] : nullptr; }

    Chunk *chunks_[max_slots / slots_per_chunk] = {};
};
