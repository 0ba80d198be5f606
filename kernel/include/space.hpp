// SPDX-License-Identifier: MIT
// An address space: its page table (the kernel half shared by all), the KIP and UTCB
// areas X.2's SpaceControl sets, and the threads living in it. A space exists while it
// has threads; the last thread's deletion destroys it.
#pragma once

#include "abi.h"
#include "cpu.hpp"
#include "fpage.hpp"
#include "space_resources.hpp"
#include "page_allocator.hpp"
#include "page_table.hpp"
#include "range_set.hpp"
#include "slab_cache.hpp"
#include "utcb_table.hpp"

class Thread;

class Space {
public:
    enum class Error { none, out_of_memory, bad_address, already_mapped };

    static Space *create(Page_allocator &pages, Error &error);
    void destroy();

    bool is_initialized() const { return !kip_area_.is_nil(); }
    // X.2 SpaceControl: sets the areas once, before the first thread is activated.
    Error set_areas(Fpage kip_area, Fpage utcb_area);
    Fpage kip_area() const { return kip_area_; }
    Fpage utcb_area() const { return utcb_area_; }
    // Whether [virt, virt + bytes) touches the KIP or UTCB area, which take no mappings.
    bool is_reserved(Virt_addr virt, uint64_t bytes) const
    {
        auto overlaps = [virt, bytes](Fpage area) {
            return !area.is_nil() && virt < area.base() + area.size() && area.base() < virt + bytes;
        };
        return overlaps(kip_area_) || overlaps(utcb_area_);
    }

    static constexpr Virt_addr user_end = Virt_addr{1} << 47;

    // User mappings are made, moved and revoked by Mapper, with the mapping database; the
    // page table is its to change (UTCB and KIP pages aside). The architecture's other
    // resources (x86: I/O ports) are Resource_mapper's in the same way.
    friend class Mapper;
    friend Resource_mapper;
    // Whether this is the space the CPU runs in (its page table is loaded).
    bool is_active() const { return Cpu::read_cr3() == table_.root(); }
    // Drops the TLB entry of virt if this space is the active one (the others have no
    // entries: a space switch reloads CR3 and user pages are not global).
    void invalidate(Virt_addr virt) const
    {
        if (is_active())
            Page_table::invalidate(virt);
    }
    // The kernel-side address of the UTCB at utcb (inside the UTCB area), backing its page
    // with fresh zeroed memory on first use; nullptr when out of memory.
    void *utcb_memory(Virt_addr utcb);
    // The physical frame mapped at virt for user access, or 0.
    Phys_addr translate(Virt_addr virt, bool for_write) const;

    // Whether utcb is one of the UTCB slots the space keeps (the first
    // Utcb_table::max_slots of its UTCB area): a thread can have its UTCB there and nowhere else.
    bool has_utcb_slot(Virt_addr utcb) const { return utcb_index(utcb) < Utcb_table::max_slots; }
    // The thread whose UTCB is at utcb (local thread ids are UTCB addresses).
    Thread *thread_at_utcb(Virt_addr utcb) const { return utcbs_.thread(utcb_index(utcb)); }
    // Only for a utcb whose memory utcb_memory() has given.
    void set_thread_at_utcb(Virt_addr utcb, Thread *thread) { utcbs_.set_thread(utcb_index(utcb), thread); }

    // Loads the page table and, if it differs from the loaded one, the architecture's
    // per-space state (x86: the I/O bitmap; one comparison for spaces without ports).
    [[gnu::always_inline]] void activate() const
    {
        Cpu::write_cr3(table_.root());
        resources_.activate();
    }
    // The same, unless this space is loaded already: after a kernel thread (which runs in
    // the space it found) the space switched to is often still the loaded one, and loading
    // CR3 again would only flush the TLB.
    void activate_unless_loaded() const
    {
        if (Cpu::read_cr3() != table_.root())
            activate();
    }
    void add_thread() { ++threads_; }
    // Returns true when that was the last thread.
    bool remove_thread() { return --threads_ == 0; }
    bool privileged() const { return privileged_; }
    // Tern extension (SpaceControl control bit 0): the `syscall` instruction of this
    // space's threads goes to their exception handler as exception IPC (vector 256)
    // instead of to the kernel, so that a personality server can implement another
    // system's system calls (as L4Linux does).
    bool reflects_syscalls() const { return reflects_syscalls_; }
    void set_reflects_syscalls(bool reflect)
    {
        reflects_syscalls_ = reflect;
        takes_direct_ipc_ = !reflect && direct_ipc_enabled_;
        update_fast_switch_key();
    }
    // Whether IPC of this space's threads may take the direct path: not when system calls
    // are reflected, nor when the boot option ipc=general turned it off (set before the
    // first space exists). One flag, so the path tests one byte.
    bool takes_direct_ipc() const { return takes_direct_ipc_; }
    // Tern extension (SpaceControl's kernel_mode, privileged, only before the areas are
    // set): the space's threads run in ring 0, its user half is supervisor memory, and its
    // KIP area has the kernel-task stub page (docs/kernel.md, "Kernel-mode tasks").
    bool kernel_mode() const { return kernel_mode_; }
    // Only while the areas are not set (no thread of the space can have run).
    void set_kernel_mode(bool kernel_mode)
    {
        kernel_mode_ = kernel_mode;
        table_.set_user_half_supervisor(kernel_mode);
        update_fast_switch_key();
    }
    // The GS base of this space's threads by default: processor 0's UTCB pointer in the
    // space's KIP (one processor for now).
    uint64_t user_gs_base() const { return kip_area_.base() + TERN_KIP_UTCB_POINTERS; }
    // What the IPC fast path compares between two spaces: equal keys mean both take the
    // fast path and have the same default GS base (the same KIP address). 0: not fast.
    uint64_t fast_switch_key() const { return fast_switch_key_; }
    // The one bit in which two spaces' keys may differ and still take the fast path: their
    // ring (a kernel-mode task's threads leave it by iretq, ring 3's by sysretq).
    static constexpr uint64_t fast_switch_key_ring_bit = 2;
    static void set_direct_ipc(bool enabled) { direct_ipc_enabled_ = enabled; }
    void make_privileged() { privileged_ = true; }
    // sigma0's space: idempotent, and the owner of every I/O port and of device memory,
    // whose mapping-database roots are made on its first map of them (Mapper, Resource_mapper).
    bool is_sigma0() const { return sigma0_; }
    void make_sigma0() { sigma0_ = true; }

    static Slab_cache &cache();
    static void set_kernel_table(const Page_table &kernel);

private:
    // Index of the UTCB slot at utcb, or Utcb_table::max_slots if it is not one. On the IPC
    // path (local ids): the area is kept decoded, so this is a subtraction and two tests.
    size_t utcb_index(Virt_addr utcb) const
    {
        uint64_t offset = utcb - utcb_slots_base_;  // wraps to a huge value below the base
        if (offset >= utcb_slots_bytes_ || (offset & (TERN_UTCB_SIZE - 1)) != 0)
            return Utcb_table::max_slots;
        return offset / TERN_UTCB_SIZE;
    }


    void update_fast_switch_key()
    {
        fast_switch_key_ =
            takes_direct_ipc_ && is_initialized() ? kip_area_.base() | 1 | (kernel_mode_ ? fast_switch_key_ring_bit : 0)
                                                  : 0;
    }

    Page_table table_;
    Space_resources resources_;
    Page_allocator *pages_ = nullptr;
    Fpage kip_area_;
    Fpage utcb_area_;
    unsigned threads_ = 0;
    bool privileged_ = false;
    bool sigma0_ = false;
    bool reflects_syscalls_ = false;
    bool kernel_mode_ = false;
    bool takes_direct_ipc_ = direct_ipc_enabled_;
    uint64_t fast_switch_key_ = 0;
    static inline bool direct_ipc_enabled_ = true;
    Utcb_table utcbs_;
    // The slots' part of the UTCB area, decoded: its base and its first
    // min(area size, max_slots UTCBs) bytes (0: no area yet).
    Virt_addr utcb_slots_base_ = 0;
    uint64_t utcb_slots_bytes_ = 0;
};
