// SPDX-License-Identifier: MIT
// The I/O ports of one address space: which mapping-database node gives it each port, and
// its I/O permission bitmap (one bit per port, set = denied, as the TSS wants it).
//
// Nothing is allocated until the space gets its first port: then an 8 KiB bitmap (all
// ports denied) and a page directory of 128 slot-page pointers; each slot page holds the
// nodes of 512 ports and is allocated when a port in its range is first reserved. All of
// it stays until the space goes (release), even when the space loses its ports again, so
// that no operation here frees memory under a caller. A space with ports therefore costs
// 12 KiB plus 4 KiB per 512-port range it has used.
//
// The bitmap is loaded into the CPU's TSS when the space runs (io_space-tss.cpp): only when
// it differs from the one loaded, and only the bytes [extent_begin(), extent_end()) (no
// other byte has ever permitted a port), so a space with a few ports costs a copy of a few
// bytes wherever they lie: a PCI card's ports at 0xc000 as little as the CMOS's at 0x70.
// key() is what the TSS's loaded copy is compared with: nullptr while the space has no
// port, so switching between spaces without ports costs one comparison and nothing else.
//
// A pure data structure over a Page_allocator (tested on the host); keeping the TSS
// coherent when ports of the running space change is the caller's (Io_mapper's) part.
#pragma once

#include "cpu_local.hpp"
#include "page_allocator.hpp"
#include "types.hpp"

class Mapping;

class Io_space {
public:
    enum class Error { none, bad_port, out_of_memory };

    static constexpr unsigned ports = 1u << 16;
    static constexpr unsigned bitmap_bytes = ports / 8;
    static constexpr unsigned bitmap_order = 1;  // 8 KiB
    static constexpr unsigned slots_per_page = static_cast<unsigned>(page_size / sizeof(Mapping *));
    static constexpr unsigned slot_pages = ports / slots_per_page;

    constexpr Io_space() = default;
    Io_space(const Io_space &) = delete;
    Io_space &operator=(const Io_space &) = delete;

    // Makes sure every port of [first, end) has a slot (and the bitmap exists): afterwards
    // insert cannot fail for them. A failure changes no answer of find, permits or key
    // (empty slot pages it got stay until release).
    [[nodiscard]] Error reserve(Page_allocator &pages, unsigned first, unsigned end);
    // The node giving this space port, or nullptr.
    Mapping *find(unsigned port) const
    {
        if (port >= ports || directory_ == nullptr)
            return nullptr;
        Mapping **slots = directory_[port / slots_per_page];
        return slots == nullptr ? nullptr : slots[port % slots_per_page];
    }
    // Records node as the mapping of port and permits the port. The port must be reserved
    // and have no node.
    void insert(unsigned port, Mapping *node);
    // Forgets the node of port (which must have one) and denies the port.
    void remove(unsigned port);
    // The first port of [first, end) with a node, or end if none has one. It reads the
    // bitmap a word (64 ports) at a time and only within the extent, so its cost follows the
    // ports the space may have, not the size of the range: an fpage of all 65536 ports costs
    // little for a space with a few.
    unsigned next_port(unsigned first, unsigned end) const
    {
        // Outside the extent no bit was ever cleared; a port has a node iff its bit is clear.
        unsigned limit = end < extent_end_ * 8 ? end : extent_end_ * 8;
        unsigned start = first > extent_begin_ * 8 ? first : extent_begin_ * 8;
        for (unsigned port = start; port < limit; port = (port / 64 + 1) * 64) {
            uint64_t word;
            __builtin_memcpy(&word, bitmap_ + port / 64 * 8, sizeof word);  // inside the extent
            if (uint64_t permitted = ~word >> (port % 64); permitted != 0) {
                unsigned found = port + static_cast<unsigned>(__builtin_ctzll(permitted));
                return found < limit ? found : end;
            }
        }
        return end;
    }
    // Gives every page back (the space goes); afterwards it is as new.
    void release(Page_allocator &pages);

    unsigned port_count() const { return port_count_; }
    // The bitmap while the space has ports, else nullptr (see above).
    const uint8_t *key() const { return key_; }
    const uint8_t *bitmap() const { return bitmap_; }
    // The bitmap's bytes that have ever permitted a port lie in [extent_begin(), extent_end());
    // both multiples of 8, so that the TSS copy moves words; empty (0, 0) before any port.
    unsigned extent_begin() const { return extent_begin_; }
    unsigned extent_end() const { return extent_end_; }
    bool permits(unsigned port) const
    {
        return port < ports && bitmap_ != nullptr && (bitmap_[port / 8] >> (port % 8) & 1) == 0;
    }

    // The TSS side (io_space-tss.cpp, kernel only): makes the CPU's I/O bitmap this space's
    // when it is not already; inline, since every space switch asks.
    void activate() const;
    // Loads this space's bitmap (or "deny all" without ports) into the TSS unconditionally.
    void load() const;
    // Called before release: the TSS must not keep a copy keyed by memory about to be freed.
    void forget() const;
    // Called after insert or remove: a copy of the bitmap the TSS keeps is out of date.
    void changed() const;

private:
    uint8_t *bitmap_ = nullptr;
    Mapping ***directory_ = nullptr;  // slot_pages pointers to slot pages (or nullptr)
    const uint8_t *key_ = nullptr;
    unsigned port_count_ = 0;
    unsigned extent_begin_ = 0, extent_end_ = 0;
};

// Inline, with load and the copy it makes: a call here would make the IPC direct path
// set up a stack frame on every IPC, not only on switches that load a bitmap.
[[gnu::always_inline]] inline void Io_space::activate() const
{
    // The one comparison every space switch pays (both nullptr between spaces without ports).
    if (!Cpu_local::io_loaded_is(key_))
        load();
}

[[gnu::always_inline]] inline void Io_space::load() const
{
    Cpu_local &local = Cpu_local::get();
    if (key_ == nullptr) {
        local.tss.deny_all_ports();
    } else if (local.io_cached == key_) {
        local.tss.use_io_bitmap();  // (a server's ports between calls of its clients)
    } else {
        local.tss.load_io_bitmap(bitmap_, extent_begin_, extent_end_);
        local.io_cached = key_;
    }
    local.io_loaded = key_;
}
