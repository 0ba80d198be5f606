// SPDX-License-Identifier: MIT
// Host tests of what tools/abi_gen.py generates from abi/x86_64.toml: the bit-field
// accessors (C++ and C), the protocol labels, and the register views of system calls.
#include <gtest/gtest.h>

#include "abi.h"
#include "abi_layout.hpp"
#include "message_tag.hpp"
#include "syscall_frame.hpp"

namespace {

// A word with every bit different from its neighbours' pattern, so that a wrong shift shows.
constexpr uint64_t pattern = 0x9e3779b97f4a7c15;

}  // namespace

TEST(Abi_layout, field_accessors_round_trip_and_leave_other_bits)
{
    Abi_field field{10, 54};
    EXPECT_EQ(field.mask(), ~uint64_t{0x3ff});
    EXPECT_EQ(field.get(field.make(0x123456)), 0x123456u);
    EXPECT_EQ(field.with(pattern, 5) & ~field.mask(), pattern & ~field.mask());
    EXPECT_EQ(field.get(field.with(pattern, 5)), 5u);
    Abi_field whole{0, 64};
    EXPECT_EQ(whole.mask(), ~uint64_t{0});
    EXPECT_EQ(whole.get(pattern), pattern);
}

TEST(Abi_layout, map_and_grant_items_decode_as_x2_encodes_them)
{
    // X.2: snd_base 63..10 | 0 9..4 | type 3..1 (100 map, 101 grant) | C 0.
    uint64_t map = 0x7f0000400ull | 0x8 | 1;
    uint64_t grant = 0x7f0000400ull | 0xa;
    EXPECT_EQ(Abi::Typed_item::type.get(map), Abi::Typed_item::type_map);
    EXPECT_EQ(Abi::Typed_item::type.get(grant), Abi::Typed_item::type_grant);
    EXPECT_TRUE(Abi::Typed_item::more.is_set(map));
    EXPECT_FALSE(Abi::Typed_item::more.is_set(grant));
    EXPECT_EQ(map & Abi::Typed_item::hint.mask(), 0x7f0000400ull);
    EXPECT_TRUE(Abi::String_item::not_string.is_set(map));
    EXPECT_TRUE(Abi::String_item::not_string.is_set(grant));
}

TEST(Abi_layout, string_items_decode_as_x2_encodes_them)
{
    // X.2: length 63..10 | c 9 | j - 1 8..4 | 0hh 3..1 | C 0.
    uint64_t item = uint64_t{4096} << 10 | 1u << 9 | 2u << 4 | 1;
    EXPECT_FALSE(Abi::String_item::not_string.is_set(item));
    EXPECT_EQ(Abi::String_item::length.get(item), 4096u);
    EXPECT_TRUE(Abi::String_item::continued.is_set(item));
    EXPECT_EQ(Abi::String_item::substrings_minus_one.get(item), 2u);
    EXPECT_TRUE(Abi::String_item::more.is_set(item));
    EXPECT_EQ(Abi::String_item::length.make(4096), uint64_t{4096} << 10);
}

TEST(Abi_layout, acceptor_and_buffer_strings)
{
    uint64_t acceptor = 0x40000000 | 22u << 4 | 1;  // an fpage's base and size, strings accepted
    EXPECT_TRUE(Abi::Acceptor::strings.is_set(acceptor));
    EXPECT_EQ(acceptor & Abi::Acceptor::window.mask(), 0x40000000u | 22u << 4);
    EXPECT_TRUE(Abi::Buffer_string::more.is_set(uint64_t{100} << 10 | 1));
    EXPECT_FALSE(Abi::Buffer_string::more.is_set(uint64_t{100} << 10));
}

TEST(Abi_layout, protocol_labels_are_negative_ids_in_48_bits)
{
    constexpr uint64_t label_bits = (uint64_t{1} << 48) - 1;
    EXPECT_EQ(Abi::interrupt_label, (~uint64_t{0} << 4) & label_bits);
    EXPECT_EQ(Abi::page_fault_label, (static_cast<uint64_t>(-2) << 4) & label_bits);
    EXPECT_EQ(Abi::preemption_label, (static_cast<uint64_t>(-3) << 4) & label_bits);
    EXPECT_EQ(Abi::exception_label, (static_cast<uint64_t>(-5) << 4) & label_bits);
    EXPECT_EQ(Abi::sigma0_label, 0xffffffffffa0u);
    // A page fault's label carries the access in its low bits; the protocol is what is left.
    EXPECT_EQ(Abi::protocol_label(Abi::page_fault_label | 6), Abi::page_fault_label);
    EXPECT_EQ(tern_protocol_label(TERN_LABEL_PAGE_FAULT | 6), TERN_LABEL_PAGE_FAULT);
    // A label taken from a whole tag (L4_Label) may have bits above 48 in a sloppy caller.
    EXPECT_EQ(Abi::protocol_label(~uint64_t{0}), Abi::interrupt_label);
    EXPECT_EQ(Message_tag::make(Abi::exception_label, 2, 0).label(), Abi::exception_label);
    EXPECT_EQ(Abi::label_of(Abi::page_fault_id, 6), Abi::page_fault_label | 6);
    EXPECT_EQ(Abi::label_of(Abi::preemption_id, 0), Abi::preemption_label);
    EXPECT_EQ(Abi::label_of(Abi::sigma0_id, 0), TERN_LABEL_SIGMA0);
}

TEST(Abi_layout, message_tag_fields_match_the_kernel_tag)
{
    Message_tag tag = Message_tag::make(0x1234, 5, 7, 0x9);
    EXPECT_EQ(Abi::Message_tag::label.get(tag.raw()), 0x1234u);
    EXPECT_EQ(Abi::Message_tag::untyped.get(tag.raw()), 5u);
    EXPECT_EQ(Abi::Message_tag::typed.get(tag.raw()), 7u);
    EXPECT_EQ(Abi::Message_tag::flags.get(tag.raw()), 0x9u);
    EXPECT_EQ(Abi::Message_tag::flags.make(8), Message_tag::error_flag);
}

TEST(Abi_layout, exchange_registers_control_bits_are_x2s)
{
    namespace Control = Abi::Exregs_control;
    EXPECT_EQ(Control::halt.mask(), 0x001u);
    EXPECT_EQ(Control::cancel_receive.mask(), 0x002u);
    EXPECT_EQ(Control::cancel_send.mask(), 0x004u);
    EXPECT_EQ(Control::set_sp.mask(), 0x008u);
    EXPECT_EQ(Control::set_ip.mask(), 0x010u);
    EXPECT_EQ(Control::set_flags.mask(), 0x020u);
    EXPECT_EQ(Control::set_handle.mask(), 0x040u);
    EXPECT_EQ(Control::set_pager.mask(), 0x080u);
    EXPECT_EQ(Control::set_halt.mask(), 0x100u);
    EXPECT_EQ(Control::deliver.mask(), 0x200u);
    EXPECT_EQ(Control::fields, 0x3ffu);
    EXPECT_EQ(Abi::Exregs_state::halted.make(1) | Abi::Exregs_state::receiving.make(1) |
                  Abi::Exregs_state::sending.make(1),
              7u);
}

TEST(Abi_layout, utcb_flags_are_bits_5_to_7)
{
    EXPECT_EQ(Abi::Utcb_flags::preemption_fault.mask(), 1u << 5);
    EXPECT_EQ(Abi::Utcb_flags::delay_preemption.mask(), 1u << 6);
    EXPECT_EQ(Abi::Utcb_flags::preemption_pending.mask(), 1u << 7);
}

TEST(Abi_layout, ipc_error_codes)
{
    uint64_t error = uint64_t{300} << 4 | TERN_IPC_ERROR_MESSAGE_OVERFLOW << 1 | 1;
    EXPECT_EQ(Abi::Ipc_error::phase.get(error), 1u);
    EXPECT_EQ(Abi::Ipc_error::code.get(error), TERN_IPC_ERROR_MESSAGE_OVERFLOW);
    EXPECT_EQ(Abi::Ipc_error::offset.get(error), 300u);
}

// The C accessors of abi.h (what libl4 uses) agree with the kernel's fields.
TEST(Abi_layout, c_accessors_agree_with_the_kernels)
{
    EXPECT_EQ(tern_string_item_length(pattern), Abi::String_item::length.get(pattern));
    EXPECT_EQ(tern_string_item_substrings_minus_one(pattern), Abi::String_item::substrings_minus_one.get(pattern));
    EXPECT_EQ(tern_typed_item_type(pattern), Abi::Typed_item::type.get(pattern));
    EXPECT_EQ(tern_typed_item_with_type(pattern, 4), Abi::Typed_item::type.with(pattern, 4));
    EXPECT_EQ(tern_message_tag_label(pattern), Abi::Message_tag::label.get(pattern));
    EXPECT_EQ(tern_message_tag_with_untyped(pattern, 63), Abi::Message_tag::untyped.with(pattern, 63));
    EXPECT_EQ(TERN_EXREGS_CONTROL_SET_PAGER_MASK, Abi::Exregs_control::set_pager.mask());
    EXPECT_EQ(TERN_UTCB_FLAGS_PREEMPTION_PENDING_SHIFT, Abi::Utcb_flags::preemption_pending.shift);
    EXPECT_EQ(TERN_TYPED_ITEM_HINT_MASK, Abi::Typed_item::hint.mask());
    EXPECT_EQ(TERN_EXREGS_CONTROL_FIELDS, Abi::Exregs_control::fields);
}

TEST(Syscall_frame, ipc_message_registers_by_index_are_the_named_ones)
{
    Exception_frame frame{};
    Sys_ipc call{frame};
    for (unsigned i = 0; i < Sys_ipc::register_mrs; ++i)
        call.set_mr(i, 100 + i);
    EXPECT_EQ(call.mr0(), 100u);
    EXPECT_EQ(call.mr1(), 101u);
    EXPECT_EQ(call.mr2(), 102u);
    call.set_mr1(7);
    EXPECT_EQ(call.mr(1), 7u);
    call.set_from(9);
    call.clear_outputs();
    for (unsigned i = 0; i < Sys_ipc::register_mrs; ++i)
        EXPECT_EQ(call.mr(i), 0u);
}

// The direct path's view of the entry's arguments reads what the frame view reads.
TEST(Syscall_frame, ipc_entry_arguments_are_the_frames_registers)
{
    Exception_frame frame{};
    uint64_t *words = reinterpret_cast<uint64_t *>(&frame);
    for (size_t i = 0; i < sizeof frame / sizeof(uint64_t); ++i)
        words[i] = 0x1000 + i;
    Sys_ipc_entry entry{{frame.rdi, frame.rsi, frame.rdx, frame.rcx, frame.r8, frame.r9}, frame};
    Sys_ipc call{frame};
    EXPECT_EQ(entry.to(), call.to());
    EXPECT_EQ(entry.from_specifier(), call.from_specifier());
    EXPECT_EQ(entry.timeouts(), call.timeouts());
    EXPECT_EQ(entry.mr0(), call.mr0());
    EXPECT_EQ(entry.mr1(), call.mr1());
    EXPECT_EQ(entry.mr2(), call.mr2());
}

TEST(Syscall_frame, a_failed_call_clears_every_output)
{
    Exception_frame frame{};
    uint64_t *words = reinterpret_cast<uint64_t *>(&frame);
    for (size_t i = 0; i < sizeof frame / sizeof(uint64_t); ++i)
        words[i] = ~uint64_t{0};
    Sys_exchange_registers call{frame};
    call.clear_outputs();
    Exception_frame check = frame;
    Sys_exchange_registers again{check};
    again.set_result(0);
    again.set_old_control(0);
    again.set_old_sp(0);
    again.set_old_ip(0);
    again.set_old_flags(0);
    again.set_old_user_defined_handle(0);
    again.set_old_pager(0);
    EXPECT_EQ(memcmp(&check, &frame, sizeof frame), 0);
    EXPECT_EQ(frame.rbx, ~uint64_t{0});  // not an output
}
