// SPDX-License-Identifier: MIT
// The 64-bit task-state segment: the stack the CPU switches to on entry from user mode
// (rsp0), the interrupt stacks (IST) for faults that must not trust the current stack, and
// the I/O permission bitmap of the running space (one bit per port, set = denied).
//
// The bitmap covers all 65536 ports, followed by the 0xff byte the CPU needs because it
// always reads two bytes; the segment limit ends there. A space without ports gets "deny
// all" with one store: the bitmap offset moves beyond the limit. Otherwise the running
// space's bitmap is copied in (Io_space::load); only the bytes that may hold a clear bit
// are copied, and [io_dirty_begin_, io_dirty_end_) remembers where they went, so the next
// copy knows which bytes of the old one it must set back to 0xff. Invariant: every byte of
// the TSS's bitmap outside that range is 0xff.
#pragma once

#include <stdint.h>

class Tss {
public:
    enum Ist : uint8_t {
        none = 0,
        double_fault = 1,
        nmi = 2,
        machine_check = 3,
        // Every other vector: the frame moves off it at once (entry.asm, interrupt_common),
        // so it holds one frame and two registers, never more.
        entry = 4,
    };

    static constexpr unsigned ist_stack_size = 8192;
    static constexpr unsigned entry_stack_size = 256;

    static constexpr unsigned io_bitmap_bytes = 65536 / 8;

    void init();
    void set_kernel_stack(uint64_t top) { rsp_[0] = top; }
    static constexpr unsigned rsp0_offset = 4;  // checked in Tss::init
    // Where the stack top of interrupt stack ist lies (entry.asm reads the double fault's).
    static constexpr unsigned ist_offset(Ist ist) { return 36u + 8u * (static_cast<unsigned>(ist) - 1u); }

    // The segment limit (the offset of its last byte), for the GDT descriptor.
    static constexpr uint32_t limit();
    // Every port is denied (the bitmap offset lies beyond the limit); the bitmap's bytes stay.
    void deny_all_ports() { io_map_base_ = no_io_bitmap; }
    // What the CPU reads: the bitmap, and whether the bitmap counts (host tests).
    const uint8_t *io_bitmap() const { return io_bitmap_; }
    bool denies_all_ports() const { return io_map_base_ == no_io_bitmap; }
    // The bitmap's bytes as they are decide again.
    void use_io_bitmap() { io_map_base_ = __builtin_offsetof(Tss, io_bitmap_); }
    // Makes bitmap[begin, end) the I/O bitmap (every other port denied) and uses it; begin
    // and end are multiples of 8, begin <= end.
    // Inline: it is part of a space switch (Io_space::load).
    [[gnu::always_inline]] void load_io_bitmap(const uint8_t *bitmap, unsigned begin, unsigned end)
    {
        // Eight bytes at a time: extents are multiples of 8 (Io_space::extent_begin).
        if (end > io_bitmap_bytes)
            end = io_bitmap_bytes;
        constexpr uint64_t denied = ~uint64_t{0};
        for (unsigned i = io_dirty_begin_; i < io_dirty_end_; i += 8)
            __builtin_memcpy(io_bitmap_ + i, &denied, 8);
        for (unsigned i = begin; i < end; i += 8) {
            uint64_t word;
            __builtin_memcpy(&word, bitmap + i, 8);
            __builtin_memcpy(io_bitmap_ + i, &word, 8);
        }
        io_dirty_begin_ = static_cast<uint16_t>(begin);
        io_dirty_end_ = static_cast<uint16_t>(end);
        io_map_base_ = __builtin_offsetof(Tss, io_bitmap_);
    }

private:
    static constexpr uint16_t no_io_bitmap = 0xffff;

    uint32_t reserved0_;
    uint64_t rsp_[3];
    uint64_t reserved1_;
    uint64_t ist_[7];
    uint64_t reserved2_;
    uint16_t reserved3_;
    uint16_t io_map_base_;
    uint8_t io_bitmap_[io_bitmap_bytes];
    uint8_t io_bitmap_end_;  // 0xff
    // Not the CPU's (beyond the limit): the bitmap bytes that may hold a clear bit.
    uint16_t io_dirty_begin_, io_dirty_end_;
} __attribute__((packed));

constexpr uint32_t Tss::limit() { return __builtin_offsetof(Tss, io_bitmap_end_); }

