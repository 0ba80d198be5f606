// SPDX-License-Identifier: MIT
// Host tests of the X.2 value types the kernel decodes from user registers: thread ids,
// message tags, flexpages and timeouts.
#include <gtest/gtest.h>

#include "fpage.hpp"
#include "message_tag.hpp"
#include "thread_id.hpp"
#include "timeout.hpp"

TEST(Thread_id, global_ids_keep_number_and_version)
{
    Thread_id id = Thread_id::global(514, 1);
    EXPECT_EQ(id.raw(), (uint64_t{514} << 32) | 1);
    EXPECT_EQ(id.number(), 514u);
    EXPECT_EQ(id.version(), 1u);
    EXPECT_TRUE(id.is_global());
    EXPECT_FALSE(id.is_local());
}

TEST(Thread_id, special_ids_are_recognised_and_not_concrete)
{
    EXPECT_TRUE(Thread_id::nil().is_nil());
    EXPECT_FALSE(Thread_id::nil().is_global());
    EXPECT_FALSE(Thread_id::nil().is_local());
    EXPECT_TRUE(Thread_id::any().is_any());
    EXPECT_FALSE(Thread_id::any().is_global());
    EXPECT_TRUE(Thread_id::any_local().is_any_local());
    EXPECT_FALSE(Thread_id::any_local().is_local());
    EXPECT_EQ(Thread_id::any_local().raw(), ~uint64_t{0} << 6);
}

TEST(Thread_id, local_ids_have_six_zero_bits)
{
    Thread_id local(0x7ffffff00400);
    EXPECT_TRUE(local.is_local());
    EXPECT_FALSE(local.is_global());
    // A version whose low six bits are zero would look local: such a global id is not global.
    EXPECT_FALSE(Thread_id::global(600, 64).is_global());
    EXPECT_TRUE(Thread_id::global(600, 65).is_global());
}

TEST(Message_tag, fields_round_trip_through_the_x2_layout)
{
    Message_tag tag = Message_tag::make(0xfffffffffff0, 5, 4, 0x8);
    EXPECT_EQ(tag.untyped(), 5u);
    EXPECT_EQ(tag.typed(), 4u);
    EXPECT_EQ(tag.flags(), 0x8u);
    EXPECT_EQ(tag.label(), 0xfffffffffff0u);
    EXPECT_EQ(tag.words(), 9u);
    EXPECT_EQ(Message_tag(0x3f).untyped(), 63u);
    EXPECT_EQ(Message_tag(0xfc0).typed(), 63u);
    EXPECT_EQ(Message_tag::error_flag, 0x8000u);
}

TEST(Message_tag, without_flags_clears_only_the_flags)
{
    Message_tag tag = Message_tag::make(0xabcd, 7, 2, 0xf).without_flags();
    EXPECT_EQ(tag.flags(), 0u);
    EXPECT_EQ(tag.label(), 0xabcdu);
    EXPECT_EQ(tag.untyped(), 7u);
    EXPECT_EQ(tag.typed(), 2u);
}

TEST(Message_tag, oversized_fields_are_cut_to_their_width)
{
    Message_tag tag = Message_tag::make(1, 64, 65);
    EXPECT_EQ(tag.untyped(), 0u);
    EXPECT_EQ(tag.typed(), 1u);
}

TEST(Fpage, decodes_base_size_and_rights)
{
    Fpage page = Fpage::make(0x123000, 12, Fpage::read | Fpage::write);
    EXPECT_EQ(page.base(), 0x123000u);
    EXPECT_EQ(page.size(), 4096u);
    EXPECT_EQ(page.rights(), 6u);
    EXPECT_TRUE(page.is_valid_region());
    EXPECT_TRUE(page.contains(0x123fff));
    EXPECT_FALSE(page.contains(0x124000));
    EXPECT_FALSE(page.contains(0x122fff));
}

TEST(Fpage, ignores_base_bits_below_the_size)
{
    Fpage page(0x12345000 | (16u << 4));
    EXPECT_EQ(page.base(), 0x12340000u);
}

TEST(Fpage, nil_complete_and_too_small_pages)
{
    EXPECT_TRUE(Fpage(0).is_nil());
    EXPECT_TRUE(Fpage::make(0, 1, 7).is_complete());
    EXPECT_FALSE(Fpage::make(0, 1, 7).is_valid_region());
    EXPECT_FALSE(Fpage::make(0x1000, 11, 7).is_valid_region());
    EXPECT_EQ(Fpage(63u << 4).size(), uint64_t{1} << 63);
}

TEST(Timeout, never_and_zero)
{
    EXPECT_EQ(Timeout::deadline(0, 1000), Timeout::never);
    EXPECT_EQ(Timeout::deadline(0x0400, 1000), 1000u);  // L4_ZeroTime
}

TEST(Timeout, relative_periods_are_mantissa_times_two_to_the_exponent)
{
    EXPECT_EQ(Timeout::deadline(static_cast<uint16_t>(10 << 10 | 1000), 5), 5 + (uint64_t{1000} << 10));
    EXPECT_EQ(Timeout::deadline(1, 0), 1u);
    EXPECT_EQ(Timeout::deadline(static_cast<uint16_t>(31 << 10 | 1023), 0), uint64_t{1023} << 31);
}

TEST(Timeout, relative_period_does_not_wrap_past_the_end_of_time)
{
    EXPECT_EQ(Timeout::deadline(static_cast<uint16_t>(31 << 10 | 1023), ~uint64_t{0} - 5), Timeout::never);
}

TEST(Timeout, absolute_point_in_this_or_the_next_period)
{
    // e = 0: period bit is bit 10; m gives bits 9..0 of the point.
    uint64_t now = 0x1000;  // bit 10 clear, bits 9..0 zero
    uint16_t same_period = static_cast<uint16_t>(0x8000 | 0 << 10 | 0x200);
    EXPECT_EQ(Timeout::deadline(same_period, now), 0x1200u);
    uint16_t next_period = static_cast<uint16_t>(0x8000 | 1 << 10 | 0x200);
    EXPECT_EQ(Timeout::deadline(next_period, now), 0x1600u);
    // A point already passed in this period is due now.
    EXPECT_EQ(Timeout::deadline(same_period, 0x1300), 0x1300u);
}

TEST(Timeout, the_ipc_word_splits_into_send_and_receive)
{
    uint64_t word = uint64_t{0x1234} << 16 | 0x5678;
    EXPECT_EQ(Timeout::send_part(word), 0x1234u);
    EXPECT_EQ(Timeout::receive_part(word), 0x5678u);
}

TEST(Timeout, periods_decode_to_microseconds_and_points_are_not_periods)
{
    EXPECT_TRUE(Timeout::is_period(0));
    EXPECT_TRUE(Timeout::is_period(0x7fff));
    EXPECT_FALSE(Timeout::is_period(0x8000));
    EXPECT_FALSE(Timeout::is_period(0xffff));
    EXPECT_EQ(Timeout::period_us(0), Timeout::never);
    EXPECT_EQ(Timeout::period_us(0x0400), 0u);  // "zero"
    EXPECT_EQ(Timeout::period_us(static_cast<uint16_t>(3 << 10 | 1000)), 8000u);
    EXPECT_EQ(Timeout::period_us(static_cast<uint16_t>(31 << 10 | 1023)), uint64_t{1023} << 31);
    for (uint64_t us : {uint64_t{1}, uint64_t{999}, uint64_t{25000}, uint64_t{500000}, uint64_t{123456789}}) {
        uint64_t decoded = Timeout::period_us(Timeout::encode_period(us));
        EXPECT_LE(decoded, us);
        EXPECT_GT(decoded, us - us / 512 - 1);
    }
}

TEST(Timeout, periods_encode_to_the_closest_value_from_below)
{
    EXPECT_EQ(Timeout::encode_period(Timeout::never), 0u);
    EXPECT_EQ(Timeout::encode_period(0), 0x0400u);
    EXPECT_EQ(Timeout::encode_period(1000), 1000u);
    uint16_t ten_ms = Timeout::encode_period(10000);
    EXPECT_EQ(Timeout::deadline(ten_ms, 0), uint64_t{10000} >> 4 << 4);
    EXPECT_LE(Timeout::deadline(Timeout::encode_period(123456789), 0), 123456789u);
    EXPECT_GE(Timeout::deadline(Timeout::encode_period(123456789), 0), 123456789u - (uint64_t{1} << 17));
}
