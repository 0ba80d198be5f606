// SPDX-License-Identifier: MIT
#include "process_memory.hpp"

#include "page_cache.hpp"

#include <string.h>

namespace {

uint64_t page_down(uint64_t address) { return address & ~(Process_memory::page_size - 1); }

}  // namespace

Process_memory::Error Process_memory::add(uint64_t start, uint64_t end, uint32_t prot, const uint8_t *file,
                                          uint64_t file_start, uint64_t file_bytes)
{
    if (start >= end || page_down(start) != start || page_down(end) != end || end > user_limit)
        return Error::bad_range;
    if (area_count_ == max_areas)
        return Error::too_many;
    unsigned at = 0;
    while (at < area_count_ && areas_[at].start < start)
        ++at;
    if ((at > 0 && areas_[at - 1].end > start) || (at < area_count_ && areas_[at].start < end))
        return Error::overlap;
    for (unsigned i = area_count_; i > at; --i)
        areas_[i] = areas_[i - 1];
    areas_[at] = Area{start, end, prot, file, file_start, file == nullptr ? 0 : file_bytes};
    ++area_count_;
    return Error::none;
}

Process_memory::Error Process_memory::remove(uint64_t start, uint64_t end)
{
    if (start >= end || page_down(start) != start || page_down(end) != end || end > user_limit)
        return Error::bad_range;
    // An area reaching over both ends is split in two: that needs a free slot.
    for (unsigned i = 0; i < area_count_; ++i)
        if (areas_[i].start < start && areas_[i].end > end && area_count_ == max_areas)
            return Error::too_many;
    drop_pages(start, end);
    unsigned kept = 0;
    Area split = {};
    bool has_split = false;
    for (unsigned i = 0; i < area_count_; ++i) {
        Area a = areas_[i];
        if (a.end <= start || a.start >= end) {
            areas_[kept++] = a;
            continue;
        }
        if (a.start < start && a.end > end) {
            split = a;
            split.start = end;
            has_split = true;
        }
        if (a.start < start) {
            a.end = start;
            areas_[kept++] = a;
        } else if (a.end > end) {
            a.start = end;
            areas_[kept++] = a;
        }
    }
    area_count_ = kept;
    if (has_split)
        (void)add(split.start, split.end, split.prot, split.file, split.file_start, split.file_bytes);
    return Error::none;
}

Process_memory::Error Process_memory::protect(uint64_t start, uint64_t end, uint32_t prot)
{
    if (start >= end || page_down(start) != start || page_down(end) != end || end > user_limit)
        return Error::bad_range;
    // Covered whole, and room for the pieces: at most two more areas.
    uint64_t covered = start;
    for (unsigned i = 0; i < area_count_ && covered < end; ++i)
        if (areas_[i].start <= covered && areas_[i].end > covered)
            covered = areas_[i].end;
    if (covered < end)
        return Error::no_area;
    if (area_count_ + 2 > max_areas)
        return Error::too_many;
    Area pieces[max_areas + 2];
    unsigned count = 0;
    for (unsigned i = 0; i < area_count_; ++i) {
        Area a = areas_[i];
        if (a.end <= start || a.start >= end) {
            pieces[count++] = a;
            continue;
        }
        if (a.start < start) {
            Area below = a;
            below.end = start;
            pieces[count++] = below;
        }
        Area middle = a;
        middle.start = a.start < start ? start : a.start;
        middle.end = a.end > end ? end : a.end;
        middle.prot = prot;
        pieces[count++] = middle;
        if (a.end > end) {
            Area above = a;
            above.start = end;
            pieces[count++] = above;
        }
    }
    for (unsigned i = 0; i < count; ++i)
        areas_[i] = pieces[i];
    area_count_ = count;
    return Error::none;
}

Process_memory::Error Process_memory::resize(uint64_t start, uint64_t end)
{
    if (page_down(end) != end || end < start || end > user_limit)
        return Error::bad_range;
    unsigned i = 0;
    while (i < area_count_ && areas_[i].start != start)
        ++i;
    if (i == area_count_)
        return Error::no_area;
    if (end == start)
        return remove(start, areas_[i].end);
    if (i + 1 < area_count_ && areas_[i + 1].start < end)
        return Error::overlap;
    if (end < areas_[i].end)
        drop_pages(end, areas_[i].end);
    areas_[i].end = end;
    return Error::none;
}

const Process_memory::Area *Process_memory::find(uint64_t address) const
{
    // Binary search for the last area starting at or below address (areas are sorted and
    // disjoint): every system call that touches memory asks, and a stack lies last of dozens.
    unsigned low = 0, high = area_count_;
    while (low < high) {
        unsigned middle = (low + high) / 2;
        if (areas_[middle].start <= address)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0 || address >= areas_[low - 1].end)
        return nullptr;
    return &areas_[low - 1];
}

uint64_t Process_memory::free_range(uint64_t size, uint64_t limit) const
{
    if (size == 0 || size > limit)
        return 0;
    uint64_t top = page_down(limit);
    if (top < size)
        return 0;
    for (unsigned i = area_count_; i-- > 0;) {
        if (areas_[i].start >= top)
            continue;
        if (areas_[i].end <= top - size)
            return top - size;
        top = areas_[i].start;
        if (top < size)
            return 0;
    }
    return top - size >= page_size ? top - size : 0;
}

// The page-table slot of address, tables made on the way when make.
uint64_t *Process_memory::slot(uint64_t address, bool make)
{
    if (root_ == nullptr) {
        if (!make || (root_ = static_cast<uint64_t *>(frames_.allocate())) == nullptr)
            return nullptr;
    }
    uint64_t *table = root_;
    for (unsigned level = levels - 1; level > 0; --level) {
        uint64_t &entry = table[(address >> (12 + 9 * level)) & (entries - 1)];
        if (entry == 0) {
            if (!make)
                return nullptr;
            void *next = frames_.allocate();
            if (next == nullptr)
                return nullptr;
            entry = reinterpret_cast<uint64_t>(next);
        }
        table = reinterpret_cast<uint64_t *>(entry);
    }
    return &table[(address >> 12) & (entries - 1)];
}

uint8_t *Process_memory::page(uint64_t address, uint32_t access, Error &error, bool *shared)
{
    const Area *area = find(address);
    if (area == nullptr) {
        error = Error::no_area;
        return nullptr;
    }
    if ((access & ~area->prot) != 0) {
        error = Error::access;
        return nullptr;
    }
    uint64_t *entry = slot(address, true);
    if (entry == nullptr) {
        error = Error::no_memory;
        return nullptr;
    }
    if (*entry == 0) {
        uint64_t base = page_down(address);
        bool from_file = area->file != nullptr && base >= area->file_start && base - area->file_start < area->file_bytes;
        uint64_t offset = from_file ? base - area->file_start : 0, n = from_file ? area->file_bytes - offset : 0;
        if (from_file && (area->prot & 2 /* PROT_WRITE */) == 0 && page_cache != nullptr) {
            // Code and constants: the frame every process shares, copy-on-write should one
            // make it writable later.
            uint8_t *shared_frame = page_cache->page(area->file + offset, n < page_size ? n : page_size);
            if (shared_frame == nullptr) {
                error = Error::no_memory;
                return nullptr;
            }
            *entry = reinterpret_cast<uint64_t>(shared_frame) | copy_on_write;
        } else {
            auto *frame = static_cast<uint8_t *>(frames_.allocate());
            if (frame == nullptr) {
                error = Error::no_memory;
                return nullptr;
            }
            if (from_file)
                memcpy(frame, area->file + offset, n < page_size ? n : page_size);
            *entry = reinterpret_cast<uint64_t>(frame);
        }
        ++resident_;
    }
    if ((*entry & copy_on_write) != 0 && (access & 2 /* write */) != 0) {
        uint8_t *old = frame_of(*entry);
        if (frames_.references(old) > 1) {
            auto *copy = static_cast<uint8_t *>(frames_.allocate_copy(old));
            if (copy == nullptr) {
                error = Error::no_memory;
                return nullptr;
            }
            // Whoever shares the old frame maps it again at its next touch; this process
            // must not go on reading the old frame where it now has its own.
            if (unmap_frame != nullptr)
                unmap_frame(old);
            frames_.release(old);
            *entry = reinterpret_cast<uint64_t>(copy);
        } else {
            *entry &= ~copy_on_write;  // the others have gone: the frame is this process's alone
        }
    }
    if (shared != nullptr)
        *shared = (*entry & copy_on_write) != 0;
    error = Error::none;
    return frame_of(*entry);
}

// Copies the table at level (covering from base on) into a new one, sharing its frames.
unsigned Process_memory::next_used(const uint64_t *table, unsigned from)
{
    for (; from < entries && (from & 7) != 0; ++from)
        if (table[from] != 0)
            return from;
    // Eight entries a step through the rest: a process's tables are mostly empty.
    for (; from < entries; from += 8) {
        const uint64_t *e = table + from;
        if ((e[0] | e[1] | e[2] | e[3] | e[4] | e[5] | e[6] | e[7]) != 0)
            break;
    }
    for (; from < entries; ++from)
        if (table[from] != 0)
            return from;
    return entries;
}

bool Process_memory::copy_table(uint64_t *from, uint64_t *&to, unsigned level, uint64_t base)
{
    to = static_cast<uint64_t *>(frames_.allocate());
    if (to == nullptr)
        return false;
    uint64_t span = uint64_t{1} << (12 + 9 * level);
    for (unsigned i = next_used(from, 0); i < entries; i = next_used(from, i + 1)) {
        if (level > 0) {
            uint64_t *child = nullptr;
            bool copied = copy_table(reinterpret_cast<uint64_t *>(from[i]), child, level - 1, base + i * span);
            if (child != nullptr)
                to[i] = reinterpret_cast<uint64_t>(child);
            if (!copied)
                return false;
            continue;
        }
        uint8_t *frame = frame_of(from[i]);
        const Area *area = find(base + i * span);
        if ((from[i] & copy_on_write) == 0 && area != nullptr && (area->prot & 2) != 0 && write_protect != nullptr)
            write_protect(frame);
        from[i] |= copy_on_write;
        frames_.share(frame);
        to[i] = from[i];
        ++resident_;
    }
    return true;
}

Process_memory::Error Process_memory::copy_of(Process_memory &parent)
{
    clear();
    for (unsigned i = 0; i < parent.area_count_; ++i)
        areas_[i] = parent.areas_[i];
    area_count_ = parent.area_count_;
    if (parent.root_ != nullptr) {
        // find() above reads the areas, which are the parent's too.
        bool copied = copy_table(parent.root_, root_, levels - 1, 0);
        if (write_protect_done != nullptr)
            write_protect_done();
        if (!copied) {
            clear();
            return Error::no_memory;
        }
    }
    return Error::none;
}

Process_memory::Error Process_memory::copy_in(void *to, uint64_t from, size_t n)
{
    auto *out = static_cast<uint8_t *>(to);
    while (n > 0) {
        Error error;
        const uint8_t *frame = page(from, 1 /* read */, error);
        if (frame == nullptr)
            return error;
        uint64_t offset = from & (page_size - 1), chunk = page_size - offset;
        if (chunk > n)
            chunk = n;
        memcpy(out, frame + offset, chunk);
        out += chunk;
        from += chunk;
        n -= chunk;
    }
    return Error::none;
}

Process_memory::Error Process_memory::copy_out(uint64_t to, const void *from, size_t n)
{
    const auto *in = static_cast<const uint8_t *>(from);
    while (n > 0) {
        Error error;
        uint8_t *frame = page(to, 2 /* write */, error);
        if (frame == nullptr)
            return error;
        uint64_t offset = to & (page_size - 1), chunk = page_size - offset;
        if (chunk > n)
            chunk = n;
        memcpy(frame + offset, in, chunk);
        in += chunk;
        to += chunk;
        n -= chunk;
    }
    return Error::none;
}

void Process_memory::drop_pages(uint64_t start, uint64_t end)
{
    for (uint64_t address = start; address < end; address += page_size) {
        uint64_t *entry = slot(address, false);
        if (entry == nullptr) {
            // No table here: skip to the next table's first page.
            address = (address | ((uint64_t{1} << 21) - 1)) + 1 - page_size;
            continue;
        }
        if (*entry != 0) {
            if (unmap_frame != nullptr)
                unmap_frame(frame_of(*entry));
            frames_.release(frame_of(*entry));
            *entry = 0;
            --resident_;
        }
    }
}

void Process_memory::revoke(uint64_t start, uint64_t end)
{
    if (unmap_frame == nullptr)
        return;
    for (uint64_t address = start; address < end; address += page_size) {
        uint64_t *entry = slot(address, false);
        if (entry != nullptr && *entry != 0)
            unmap_frame(frame_of(*entry));
    }
}

void Process_memory::free_table(uint64_t *table, unsigned level)
{
    for (unsigned i = next_used(table, 0); i < entries; i = next_used(table, i + 1)) {
        if (level > 0)
            free_table(reinterpret_cast<uint64_t *>(table[i]), level - 1);
        else
            frames_.release(frame_of(table[i]));
    }
    frames_.release(table);
}

void Process_memory::clear()
{
    if (root_ != nullptr)
        free_table(root_, levels - 1);
    root_ = nullptr;
    area_count_ = 0;
    resident_ = 0;
}
