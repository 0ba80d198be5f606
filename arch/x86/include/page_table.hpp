// SPDX-License-Identifier: MIT
// A 4-level x86-64 page table reached through the direct map. This is the mechanism
// only (walk, create, map); what gets mapped where is the callers' policy.
//
// User page directories and page tables (the levels that hold leaves: 2 MiB and 4 KiB
// pages) take two pages: the hardware table, then a page of slots, one per entry, for the
// mapping-database node of that entry's mapping (nullptr for kernel-owned pages such as
// UTCBs and the KIP, which have none). The slot of an entry is at the same index, 4 KiB on.
#pragma once

#include "page_allocator.hpp"
#include "types.hpp"
#include "words.hpp"

class Mapping;

class Page_table {
public:
    struct Attributes {
        bool writable;
        bool executable;
        bool user;
        bool global;
        bool uncached;
    };

    static constexpr uint64_t large_page_size = uint64_t{1} << 21;
    // User pages lie below this. The last page under 2^47 stays unmapped in every space: a
    // `syscall` at its very end would make the return address 2^47, non-canonical, and
    // iretq faults on that in ring 0 (on Intel CPUs).
    static constexpr uint64_t user_limit = (uint64_t{1} << 47) - (uint64_t{1} << 12);

    enum class Error { none, out_of_memory, already_mapped, misaligned };

    [[nodiscard]] Error create(Page_allocator &pages);

    // Maps [virt, virt + size) to [phys, ...). Uses 2 MiB pages where both addresses and
    // the remaining size allow it and allow_large is set. Fails (possibly after mapping a
    // prefix) if a page is already mapped; used where failure is fatal.
    [[nodiscard]] Error map(Virt_addr virt, Phys_addr phys, uint64_t size, Attributes attributes,
                            bool allow_large);

    // Removes the 4 KiB mapping of virt, if any, and returns the old entry (0 if none).
    // The caller flushes the TLB (invalidate() or a CR3 reload).
    uint64_t unmap(Virt_addr virt);
    static void invalidate(Virt_addr virt) { asm volatile("invlpg (%0)" : : "r"(virt) : "memory"); }

    // Makes the whole lower half supervisor memory, whatever its leaves say, or user memory
    // again: the user bit of its root entries, now and in those made later (a kernel-mode
    // task's space: it runs in ring 0, and SMEP and SMAP, where enabled, concern user pages).
    void set_user_half_supervisor(bool supervisor);

    // Frees every table of the lower (user) half and the root. The frames mapped are not
    // the table's to free.
    void destroy_user_half();

    // Shares the kernel half of the address space: copies the root entries of other's
    // upper half. The kernel creates every upper-half table before the first space exists,
    // so the entries never change afterwards.
    void share_kernel_half(const Page_table &other);

    // The leaf entry mapping virt (0 if none) and its page size.
    uint64_t lookup(Virt_addr virt, uint64_t &page_bytes) const;

    Phys_addr root() const { return root_; }

    // --- user leaves with their mapping-database slots ---
    struct Leaf {
        uint64_t *entry = nullptr;  // the PTE or 2 MiB PDE; nullptr when nothing is mapped
        Mapping **slot = nullptr;
        uint64_t bytes = 0;         // page_size or large_page_size
        Virt_addr base = 0;         // the page's address
        bool present() const { return entry != nullptr; }
        Phys_addr frame() const { return *entry & address_mask & ~(bytes - 1); }
    };
    // The user leaf mapping virt (in the lower half), if any.
    Leaf find(Virt_addr virt) const;
    // Maps one user page of bytes (4 KiB or 2 MiB) at virt with leaf bits (present, user,
    // rights) and node in its slot. Nothing may be mapped in that range; an empty page
    // table under a 2 MiB page is freed. Fails before changing anything.
    [[nodiscard]] Error insert(Virt_addr virt, Phys_addr phys, uint64_t bytes, uint64_t bits, Mapping *node);
    // Clears a leaf and its slot; returns the old entry (for its accessed and dirty bits).
    // The caller invalidates the TLB.
    static uint64_t remove(const Leaf &leaf);
    // Turns the 2 MiB leaf at virt into a page table of 512 4 KiB entries with the same frame
    // and rights, the slot of page i holding nodes[i]. table is an order-1 block (see
    // table_order) the caller got beforehand, so nothing here can fail.
    void split_large(Virt_addr virt, Mapping *const *nodes, Phys_addr table);
    static constexpr unsigned leaf_table_order = 1;  // a table and its slots
    // Calls visit(const Leaf &) for each present user leaf overlapping [begin, end), in
    // address order, skipping absent tables; visit may remove or split the leaf it is given.
    template <typename Visit>
    void for_each_leaf(Virt_addr begin, Virt_addr end, Visit &&visit);

    // Entry bits.
    static constexpr uint64_t present = 1u << 0;
    static constexpr uint64_t writable = 1u << 1;
    static constexpr uint64_t user = 1u << 2;
    static constexpr uint64_t write_through = 1u << 3;
    static constexpr uint64_t cache_disable = 1u << 4;
    static constexpr uint64_t large = 1u << 7;
    static constexpr uint64_t global = 1u << 8;
    static constexpr uint64_t no_execute = uint64_t{1} << 63;
    static constexpr uint64_t address_mask = 0x000ffffffffff000;

    static constexpr uint64_t accessed = 1u << 5;
    static constexpr uint64_t dirty = 1u << 6;

private:
    static uint64_t *table(Phys_addr address);
    static Mapping **slots(uint64_t *table) { return reinterpret_cast<Mapping **>(table + 512); }
    // A zeroed table (with zeroed slots when it holds leaves), 0 when out of memory.
    Phys_addr new_table(bool with_slots);
    static uint64_t leaf_bits(Attributes attributes);
    // The table the entry points to, created (zeroed) if the entry is empty; leaf_level
    // tables of the user half get slots.
    // root_level: entry is one of the root's (whose user bit make_user_half_supervisor clears).
    Error descend(uint64_t &entry, bool user_table, bool root_level, bool leaf_level, uint64_t *&next);

    Page_allocator *pages_ = nullptr;
    Phys_addr root_ = 0;
    uint64_t root_user_bit_ = user;  // 0 once the user half is supervisor memory
};

template <typename Visit>
void Page_table::for_each_leaf(Virt_addr begin, Virt_addr end, Visit &&visit)
{
    // Each table is walked once, entry by entry, and an absent entry skips what it would
    // cover: a space of a few pages costs a few tables' scans, not a walk from the root for
    // each of their empty entries. (A loop, not a recursion: the kernel's stack-depth
    // check bounds what it can see.) The visitor may change the entry it is shown (remove
    // it, or split a large page into a table it walks itself); later entries are read afresh.
    constexpr uint64_t user_end = uint64_t{1} << 47;
    constexpr unsigned root_level = 3;  // level l's entries cover 1 << (12 + 9 l) bytes
    if (end > user_end)
        end = user_end;
    uint64_t *entries = table(root_);
    unsigned level = root_level;
    for (Virt_addr virt = align_down(begin, page_size); virt < end;) {
        unsigned shift = 12 + 9 * level;
        uint64_t span = uint64_t{1} << shift;
        uint64_t &entry = entries[(virt >> shift) & 511];
        if ((entry & present) != 0 && level > 0 && !(level == 1 && (entry & large) != 0)) {
            entries = table(entry & address_mask);
            --level;
            continue;
        }
        unsigned index = (virt >> shift) & 511;
        unsigned next = index + 1;
        if ((entry & present) != 0) {
            Leaf leaf = {&entry, &slots(entries)[index], span, align_down(virt, span)};
            visit(static_cast<const Leaf &>(leaf));
        } else {
            // A run of absent entries is passed in one step (most of a table is empty).
            next = static_cast<unsigned>(find_word_with(entries, next, 512, present));
        }
        virt = align_down(virt, span) + (next - index) * span;
        if (level < root_level && (virt & ((span << 9) - 1)) == 0) {
            // Past the end of this table: down again from the root (once per 512 entries).
            entries = table(root_);
            level = root_level;
        }
    }
}
