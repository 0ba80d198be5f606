// SPDX-License-Identifier: MIT
// One Linux process's memory as the personality keeps it: the areas the process may touch
// (its ELF segments, its heap, its stack, its mappings), each with its protection and what
// fills a page the first time it is touched (zeros, or bytes of a file), and the frames
// of the server that back the pages touched so far. The server maps a frame into the
// process when the process faults on its page; it reads and writes the process's memory
// for system calls through the same frames (copy_in, copy_out), filling pages as needed.
#ifndef LINUX_PROCESS_MEMORY_HPP
#define LINUX_PROCESS_MEMORY_HPP

#include <stddef.h>
#include <stdint.h>

#include "frame_pool.hpp"

class Process_memory {
public:
    static constexpr uint64_t page_size = 4096;
    static constexpr unsigned max_areas = 64;
    // The highest address a process may use, below the KIP and UTCB areas root gives it.
    static constexpr uint64_t user_limit = 0x00007f0000000000;

    enum class Error { none, no_memory, overlap, bad_range, no_area, access, too_many };

    struct Area {
        uint64_t start, end;      // page aligned, start < end
        uint32_t prot;            // linux_abi::prot_* bits
        const uint8_t *file;      // bytes that fill the area from file_start on (nullptr: zeros)
        uint64_t file_start;      // the address of file[0] (page aligned)
        uint64_t file_bytes;      // how many bytes of file fill from file_start; zeros beyond
    };

    explicit Process_memory(Frame_pool &frames) : frames_(frames) {}
    Process_memory(const Process_memory &) = delete;
    Process_memory &operator=(const Process_memory &) = delete;
    ~Process_memory() { clear(); }

    // Adds an area of zeros, or filled from file; no page of it may be in another area.
    Error add(uint64_t start, uint64_t end, uint32_t prot, const uint8_t *file = nullptr, uint64_t file_start = 0,
              uint64_t file_bytes = 0);
    // Removes whatever areas and pages lie in [start, end); the caller has unmapped them
    // from the process. Areas are cut where the range ends.
    Error remove(uint64_t start, uint64_t end);
    // Changes the protection of [start, end), which areas must cover whole; areas are cut
    // where the range ends. The caller unmaps the range's pages from the process, so that
    // they fault in again with the new rights.
    Error protect(uint64_t start, uint64_t end, uint32_t prot);
    // Moves the end of the area that starts at start (the heap) to end, freeing the pages
    // above it when it shrinks; end == start removes the area.
    Error resize(uint64_t start, uint64_t end);
    // The area holding address, or nullptr.
    const Area *find(uint64_t address) const;
    // Where an area of at least size bytes is free, the highest below limit (0: none).
    uint64_t free_range(uint64_t size, uint64_t limit) const;

    // The server's frame backing the page at address, filled when first needed: nullptr
    // with no_area outside every area, access when the area does not allow access (prot
    // bits), no_memory when no frame is left. A write to a page shared copy-on-write
    // gets the page a frame of its own first (or keeps the frame if no one else has it
    // any more). shared: set when the page is still shared, so the process may not be
    // given write access to it yet.
    uint8_t *page(uint64_t address, uint32_t access, Error &error, bool *shared = nullptr);
    // Makes this (empty) memory a copy of parent's for fork: the same areas, every page
    // shared copy-on-write (write_protect is called with each of parent's frames the
    // process may have been given write access to). no_memory leaves this empty.
    Error copy_of(Process_memory &parent);
    // Copies between the process's memory and the server's; checked like page(): fault
    // (no_area or access) for an address the process could not touch so.
    Error copy_in(void *to, uint64_t from, size_t n);
    Error copy_out(uint64_t to, const void *from, size_t n);

    // Takes the pages of [start, end) back from the process (unmap_frame), keeping them:
    // the process faults them in again.
    void revoke(uint64_t start, uint64_t end);
    // Drops every area and frees every frame.
    void clear();
    // Called with each frame before it is freed, to take it back from the process (the
    // server's unmap); none by default (the host tests).
    void (*unmap_frame)(void *frame) = nullptr;
    // Where read-only file pages come from, shared (Page_cache); nullptr: each a copy.
    class Page_cache *page_cache = nullptr;
    // Called with each frame whose mappings must lose write access (fork's sharing), then
    // write_protect_done once at the end of copy_of, failed or not: the server batches the
    // revocations (one Unmap for up to 64 pages) and must finish them before the parent runs.
    void (*write_protect)(void *frame) = nullptr;
    void (*write_protect_done)() = nullptr;
    unsigned area_count() const { return area_count_; }
    const Area &area(unsigned i) const { return areas_[i]; }
    uint64_t resident_pages() const { return resident_; }

private:
    // A table of 512 entries: a next-level table's address, or in the last level a frame's
    // address with copy_on_write in its low bit; 0 none.
    static constexpr unsigned levels = 4, entries = 512;
    static constexpr uint64_t copy_on_write = 1;
    static uint8_t *frame_of(uint64_t entry) { return reinterpret_cast<uint8_t *>(entry & ~(page_size - 1)); }

    uint64_t *slot(uint64_t address, bool make);
    // The index of the first entry of table from from on that is in use, or entries.
    static unsigned next_used(const uint64_t *table, unsigned from);
    void free_table(uint64_t *table, unsigned level);
    bool copy_table(uint64_t *from, uint64_t *&to, unsigned level, uint64_t base);
    void drop_pages(uint64_t start, uint64_t end);

    Frame_pool &frames_;
    Area areas_[max_areas] = {};  // sorted by start
    unsigned area_count_ = 0;
    uint64_t *root_ = nullptr;
    uint64_t resident_ = 0;
};

#endif
