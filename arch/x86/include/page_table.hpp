// SPDX-License-Identifier: MIT
// A 4-level x86-64 page table reached through the direct map. This is the mechanism
// only (walk, create, map); what gets mapped where is the callers' policy.
#pragma once

#include "page_allocator.hpp"
#include "types.hpp"

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

private:
    static uint64_t *table(Phys_addr address);
    static uint64_t leaf_bits(Attributes attributes);
    // The table the entry points to, created (zeroed) if the entry is empty.
    Error descend(uint64_t &entry, bool user_table, uint64_t *&next);

    Page_allocator *pages_ = nullptr;
    Phys_addr root_ = 0;
};
