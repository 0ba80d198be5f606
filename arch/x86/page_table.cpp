// SPDX-License-Identifier: MIT
#include "page_table.hpp"

#include "memory_layout.hpp"

namespace {

constexpr unsigned index_at(Virt_addr virt, unsigned level)  // level 4 = PML4 .. 1 = PT
{
    return static_cast<unsigned>(virt >> (page_shift + 9 * (level - 1))) & 511;
}

}  // namespace

uint64_t *Page_table::table(Phys_addr address) { return Memory_layout::direct_map<uint64_t>(address); }

uint64_t Page_table::leaf_bits(Attributes attributes)
{
    uint64_t bits = present;
    if (attributes.writable)
        bits |= writable;
    if (!attributes.executable)
        bits |= no_execute;
    if (attributes.user)
        bits |= user;
    if (attributes.global)
        bits |= global;
    if (attributes.uncached)
        bits |= cache_disable | write_through;
    return bits;
}

Page_table::Error Page_table::create(Page_allocator &pages)
{
    pages_ = &pages;
    root_ = pages.allocate();
    if (root_ == 0)
        return Error::out_of_memory;
    fill_words(table(root_), 512, 0);
    return Error::none;
}

Phys_addr Page_table::new_table(bool with_slots)
{
    Phys_addr frame = pages_->allocate(with_slots ? leaf_table_order : 0);
    if (frame == 0)
        return 0;
    fill_words(table(frame), with_slots ? 1024 : 512, 0);
    return frame;
}

Page_table::Error Page_table::descend(uint64_t &entry, bool user_table, bool root_level, bool leaf_level,
                                      uint64_t *&next)
{
    if ((entry & present) == 0) {
        Phys_addr frame = new_table(user_table && leaf_level);
        if (frame == 0)
            return Error::out_of_memory;
        // Intermediate entries grant everything; the leaf decides (the root's user bit aside).
        entry = frame | present | writable | (user_table ? (root_level ? root_user_bit_ : user) : 0);
    } else if ((entry & large) != 0) {
        return Error::already_mapped;
    }
    next = table(entry & address_mask);
    return Error::none;
}

Page_table::Error Page_table::map(Virt_addr virt, Phys_addr phys, uint64_t size, Attributes attributes,
                                  bool allow_large)
{
    if (!is_aligned(virt | phys | size, page_size))
        return Error::misaligned;
    if (attributes.user && (virt >= user_limit || size > user_limit - virt))
        return Error::misaligned;
    uint64_t bits = leaf_bits(attributes);

    while (size > 0) {
        uint64_t *pdpt;
        uint64_t *pd;
        if (Error e = descend(table(root_)[index_at(virt, 4)], attributes.user, true, false, pdpt); e != Error::none)
            return e;
        if (Error e = descend(pdpt[index_at(virt, 3)], attributes.user, false, true, pd); e != Error::none)
            return e;
        uint64_t &pd_entry = pd[index_at(virt, 2)];

        if (allow_large && is_aligned(virt | phys, large_page_size) && size >= large_page_size &&
            (pd_entry & present) == 0) {
            pd_entry = phys | bits | large;
            virt += large_page_size;
            phys += large_page_size;
            size -= large_page_size;
            continue;
        }
        uint64_t *pt;
        if (Error e = descend(pd_entry, attributes.user, false, true, pt); e != Error::none)
            return e;
        uint64_t &pt_entry = pt[index_at(virt, 1)];
        if ((pt_entry & present) != 0)
            return Error::already_mapped;
        pt_entry = phys | bits;
        virt += page_size;
        phys += page_size;
        size -= page_size;
    }
    return Error::none;
}

uint64_t Page_table::lookup(Virt_addr virt, uint64_t &page_bytes) const
{
    uint64_t entry = table(root_)[index_at(virt, 4)];
    for (unsigned level = 3; level >= 1; --level) {
        if ((entry & present) == 0)
            return 0;
        entry = table(entry & address_mask)[index_at(virt, level)];
        if (level == 2 && (entry & large) != 0 && (entry & present) != 0) {
            page_bytes = large_page_size;
            return entry;
        }
    }
    page_bytes = page_size;
    return (entry & present) != 0 ? entry : 0;
}

uint64_t Page_table::unmap(Virt_addr virt)
{
    uint64_t *entry = &table(root_)[index_at(virt, 4)];
    for (unsigned level = 3; level >= 1; --level) {
        if ((*entry & present) == 0 || (*entry & large) != 0)
            return 0;
        entry = &table(*entry & address_mask)[index_at(virt, level)];
    }
    uint64_t old = *entry;
    *entry = 0;
    return old;
}

void Page_table::set_user_half_supervisor(bool supervisor)
{
    root_user_bit_ = supervisor ? 0 : user;
    uint64_t *entries = table(root_);
    for (size_t i = find_word_with(entries, 0, 256, present); i < 256; i = find_word_with(entries, i + 1, 256, present))
        entries[i] = (entries[i] & ~user) | root_user_bit_;
}

void Page_table::destroy_user_half()
{
    // Only present entries are looked at: find_word_with passes the empty runs quickly.
    auto next = [](const uint64_t *entries, unsigned from, unsigned end) {
        return static_cast<unsigned>(find_word_with(entries, from, end, present));
    };
    uint64_t *pml4 = table(root_);
    for (unsigned i = next(pml4, 0, 256); i < 256; i = next(pml4, i + 1, 256)) {
        uint64_t *pdpt = table(pml4[i] & address_mask);
        for (unsigned j = next(pdpt, 0, 512); j < 512; j = next(pdpt, j + 1, 512)) {
            if ((pdpt[j] & large) != 0)
                continue;
            uint64_t *pd = table(pdpt[j] & address_mask);
            for (unsigned k = next(pd, 0, 512); k < 512; k = next(pd, k + 1, 512))
                if ((pd[k] & large) == 0)
                    (void)pages_->free(pd[k] & address_mask, leaf_table_order);
            (void)pages_->free(pdpt[j] & address_mask, leaf_table_order);
        }
        (void)pages_->free(pml4[i] & address_mask);
    }
    (void)pages_->free(root_);
    root_ = 0;
}

Page_table::Leaf Page_table::find(Virt_addr virt) const
{
    if (virt >= uint64_t{1} << 47)
        return {};
    uint64_t *entries = table(root_);
    for (unsigned shift = 39;; shift -= 9) {
        uint64_t &entry = entries[(virt >> shift) & 511];
        if ((entry & present) == 0)
            return {};
        if (shift == 12 || (shift == 21 && (entry & large) != 0))
            return {&entry, &slots(entries)[(virt >> shift) & 511], uint64_t{1} << shift,
                    align_down(virt, uint64_t{1} << shift)};
        if (shift == 30 && (entry & large) != 0)
            return {};  // no 1 GiB user pages
        entries = table(entry & address_mask);
    }
}

Page_table::Error Page_table::insert(Virt_addr virt, Phys_addr phys, uint64_t bytes, uint64_t bits, Mapping *node)
{
    if ((bytes != page_size && bytes != large_page_size) || !is_aligned(virt | phys, bytes) || virt >= user_limit ||
        bytes > user_limit - virt)
        return Error::misaligned;
    // Find or make the tables first; only the last step changes a mapping.
    uint64_t *pdpt;
    uint64_t *pd;
    if (Error e = descend(table(root_)[index_at(virt, 4)], true, true, false, pdpt); e != Error::none)
        return e;
    if (Error e = descend(pdpt[index_at(virt, 3)], true, false, true, pd); e != Error::none)
        return e;
    uint64_t &pd_entry = pd[index_at(virt, 2)];
    if (bytes == large_page_size) {
        if ((pd_entry & present) != 0) {
            if ((pd_entry & large) != 0)
                return Error::already_mapped;
            uint64_t *pt = table(pd_entry & address_mask);
            for (unsigned i = 0; i < 512; ++i)
                if ((pt[i] & present) != 0)
                    return Error::already_mapped;
            (void)pages_->free(pd_entry & address_mask, leaf_table_order);
        }
        pd_entry = phys | bits | large;
        slots(pd)[index_at(virt, 2)] = node;
        return Error::none;
    }
    uint64_t *pt;
    if (Error e = descend(pd_entry, true, false, true, pt); e != Error::none)
        return e;
    uint64_t &pt_entry = pt[index_at(virt, 1)];
    if ((pt_entry & present) != 0)
        return Error::already_mapped;
    pt_entry = phys | bits;
    slots(pt)[index_at(virt, 1)] = node;
    return Error::none;
}

uint64_t Page_table::remove(const Leaf &leaf)
{
    uint64_t old = *leaf.entry;
    *leaf.entry = 0;
    *leaf.slot = nullptr;
    return old;
}

void Page_table::split_large(Virt_addr virt, Mapping *const *nodes, Phys_addr new_pt)
{
    Leaf leaf = find(virt);
    uint64_t *pt = table(new_pt);
    uint64_t bits = *leaf.entry & ~address_mask & ~large;
    Phys_addr frame = leaf.frame();
    for (unsigned i = 0; i < 512; ++i) {
        pt[i] = (frame + i * page_size) | bits;
        slots(pt)[i] = nodes[i];
    }
    *leaf.entry = new_pt | present | writable | user;
    *leaf.slot = nullptr;
}

void Page_table::share_kernel_half(const Page_table &other)
{
    copy_words(table(root_) + 256, table(other.root_) + 256, 256);
}
