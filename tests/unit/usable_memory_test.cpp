// SPDX-License-Identifier: MIT
#include "usable_memory.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace {

constexpr Phys_range no_kernel = {0, 0};

class Info_builder {
public:
    Info_builder() { info_.clear(); }

    Info_builder &region(uint64_t base, uint64_t size, Memory_type type)
    {
        info_.regions[info_.region_count++] = {base, size, type};
        return *this;
    }
    // The module's string "m" lies at line_at (two bytes with its terminator).
    Info_builder &module(Phys_addr begin, Phys_addr end, Phys_addr line_at = 0x500)
    {
        Boot_module &module = info_.modules[info_.module_count++];
        module.image = {begin, end};
        module.line = "m";
        module.line_memory = {line_at, line_at + 2};
        return *this;
    }
    Info_builder &command_line(Phys_addr begin, Phys_addr end)
    {
        info_.command_line = "x";
        info_.command_line_memory = {begin, end};
        return *this;
    }
    const Boot_info &info() const { return info_; }

private:
    Boot_info info_{};
};

::testing::AssertionResult holds_exactly(const Range_set &set, std::vector<Phys_range> expected)
{
    bool same = set.count() == expected.size();
    for (size_t i = 0; same && i < expected.size(); ++i)
        same = set[i].begin == expected[i].begin && set[i].end == expected[i].end;
    if (same)
        return ::testing::AssertionSuccess();
    auto failure = ::testing::AssertionFailure() << std::hex << "usable is";
    for (size_t i = 0; i < set.count(); ++i)
        failure << " [" << set[i].begin << ", " << set[i].end << ")";
    failure << "; expected";
    for (Phys_range r : expected)
        failure << " [" << r.begin << ", " << r.end << ")";
    return failure;
}

}  // namespace

TEST(Usable_memory, usable_regions_minus_the_first_mib)
{
    Info_builder boot;
    boot.region(0, 0x9fc00, Memory_type::usable)
        .region(0x100000, 0x4000000, Memory_type::usable)
        .region(0x2000000, 0x6000000, Memory_type::usable);  // overlapping usable regions merge
    Range_set usable;
    ASSERT_EQ(Usable_memory::compute(boot.info(), no_kernel, usable), Usable_memory::Error::none);
    EXPECT_TRUE(holds_exactly(usable, {{0x100000, 0x8000000}}));
}

TEST(Usable_memory, no_usable_region_gives_an_empty_set)
{
    Info_builder boot;
    boot.region(0x100000, 0x100000, Memory_type::reserved);
    Range_set usable;
    ASSERT_EQ(usable.insert({0x500000, 0x600000}), Range_set::Error::none);  // stale content is cleared
    ASSERT_EQ(Usable_memory::compute(boot.info(), no_kernel, usable), Usable_memory::Error::none);
    EXPECT_EQ(usable.count(), 0u);
}

TEST(Usable_memory, reserved_wins_where_regions_overlap)
{
    // The reserved region comes before and after usable ones in the list; order must not matter.
    Info_builder boot;
    boot.region(0x200000, 0x1000, Memory_type::reserved)
        .region(0x100000, 0x300000, Memory_type::usable)
        .region(0x380000, 0x100000, Memory_type::acpi_nvs)
        .region(0x500000, 0x100000, Memory_type::usable)
        .region(0x4ff800, 0x1000, Memory_type::defective);
    Range_set usable;
    ASSERT_EQ(Usable_memory::compute(boot.info(), no_kernel, usable), Usable_memory::Error::none);
    EXPECT_TRUE(holds_exactly(usable, {{0x100000, 0x200000}, {0x201000, 0x380000}, {0x500800, 0x600000}}));
}

TEST(Usable_memory, every_non_usable_type_is_taken_out)
{
    Info_builder boot;
    boot.region(0x100000, 0x1000000, Memory_type::usable)
        .region(0x200000, 0x1000, Memory_type::reserved)
        .region(0x300000, 0x1000, Memory_type::acpi_reclaimable)
        .region(0x400000, 0x1000, Memory_type::acpi_nvs)
        .region(0x500000, 0x1000, Memory_type::defective);
    Range_set usable;
    ASSERT_EQ(Usable_memory::compute(boot.info(), no_kernel, usable), Usable_memory::Error::none);
    EXPECT_EQ(usable.count(), 5u);
    EXPECT_EQ(usable.total_size(), 0x1000000u - 4 * 0x1000);
    for (Phys_addr taken : {0x200000u, 0x300000u, 0x400000u, 0x500000u})
        EXPECT_FALSE(usable.overlaps({taken, taken + 0x1000})) << std::hex << taken;
}

TEST(Usable_memory, kernel_image_is_taken_out)
{
    Info_builder boot;
    boot.region(0, 0x9fc00, Memory_type::usable).region(0x100000, 0x1000000, Memory_type::usable);
    Range_set usable;
    ASSERT_EQ(Usable_memory::compute(boot.info(), {0x200000, 0x345000}, usable), Usable_memory::Error::none);
    EXPECT_TRUE(holds_exactly(usable, {{0x100000, 0x200000}, {0x345000, 0x1100000}}));
}

TEST(Usable_memory, modules_are_taken_out_rounded_outward_to_pages)
{
    Info_builder boot;
    boot.region(0x100000, 0x1000000, Memory_type::usable)
        .module(0x400800, 0x402001)
        .module(0x600000, 0x601000)
        .module(0x7ff000, 0x800001);
    Range_set usable;
    ASSERT_EQ(Usable_memory::compute(boot.info(), no_kernel, usable), Usable_memory::Error::none);
    EXPECT_FALSE(usable.overlaps({0x400000, 0x403000}));
    EXPECT_TRUE(usable.contains({0x100000, 0x400000}));
    EXPECT_TRUE(usable.contains({0x403000, 0x600000}));
    EXPECT_FALSE(usable.overlaps({0x600000, 0x601000}));
    EXPECT_TRUE(usable.contains({0x601000, 0x7ff000}));
    EXPECT_FALSE(usable.overlaps({0x7ff000, 0x801000}));
    EXPECT_TRUE(usable.contains({0x801000, 0x1100000}));
    EXPECT_EQ(usable.total_size(), 0x1000000u - 0x3000 - 0x1000 - 0x2000);
}

TEST(Usable_memory, module_strings_are_taken_out_with_their_pages)
{
    Info_builder boot;
    boot.region(0x100000, 0x1000000, Memory_type::usable)
        .module(0x400000, 0x401000, 0x200fff)  // its string crosses a page boundary
        .module(0x600000, 0x601000, 0x300800);
    Range_set usable;
    ASSERT_EQ(Usable_memory::compute(boot.info(), no_kernel, usable), Usable_memory::Error::none);
    EXPECT_FALSE(usable.overlaps({0x200000, 0x202000}));
    EXPECT_FALSE(usable.overlaps({0x300000, 0x301000}));
    EXPECT_TRUE(usable.contains({0x202000, 0x300000}));
    EXPECT_EQ(usable.total_size(), 0x1000000u - 0x1000 - 0x1000 - 0x2000 - 0x1000);
}

TEST(Usable_memory, the_command_line_is_taken_out_with_its_pages)
{
    Info_builder boot;
    boot.region(0x100000, 0x1000000, Memory_type::usable).command_line(0x2007f0, 0x201010);
    Range_set usable;
    ASSERT_EQ(Usable_memory::compute(boot.info(), no_kernel, usable), Usable_memory::Error::none);
    EXPECT_FALSE(usable.overlaps({0x200000, 0x202000}));
    EXPECT_EQ(usable.total_size(), 0x1000000u - 0x2000);
}

TEST(Usable_memory, region_past_the_top_of_the_address_space_is_clamped)
{
    Info_builder boot;
    boot.region(0xffffffff00000000, 0x200000000, Memory_type::usable)  // wraps past 2^64
        .region(0x100000, 0x100000, Memory_type::usable);
    Range_set usable;
    ASSERT_EQ(Usable_memory::compute(boot.info(), no_kernel, usable), Usable_memory::Error::none);
    EXPECT_TRUE(holds_exactly(usable, {{0x100000, 0x200000}, {0xffffffff00000000, 0xffffffffffffffff}}));

    // Ending exactly at 2^64 also wraps to 0 and is clamped the same way.
    Info_builder exact;
    exact.region(0xfffffffff0000000, 0x10000000, Memory_type::usable);
    ASSERT_EQ(Usable_memory::compute(exact.info(), no_kernel, usable), Usable_memory::Error::none);
    EXPECT_TRUE(holds_exactly(usable, {{0xfffffffff0000000, 0xffffffffffffffff}}));
}

TEST(Usable_memory, reserved_region_past_the_top_is_clamped_too)
{
    Info_builder boot;
    boot.region(0x100000, 0xfffffffffff00000, Memory_type::usable)  // up to 2^64, clamped
        .region(0x800000000, 0xfffffff900000000, Memory_type::reserved);  // from 32 GiB to past the top
    Range_set usable;
    ASSERT_EQ(Usable_memory::compute(boot.info(), no_kernel, usable), Usable_memory::Error::none);
    EXPECT_TRUE(holds_exactly(usable, {{0x100000, 0x800000000}}));
}

TEST(Usable_memory, too_fragmented_memory_is_reported)
{
    // One big usable region cut by 127 reserved holes gives 128 ranges (the capacity);
    // the kernel image then splits one more.
    Info_builder boot;
    boot.region(0x100000, 0x10000000, Memory_type::usable);
    for (uint64_t i = 1; i < Range_set::capacity; ++i)
        boot.region(0x100000 + i * 0x100000, 0x1000, Memory_type::reserved);
    Range_set usable;
    ASSERT_EQ(Usable_memory::compute(boot.info(), no_kernel, usable), Usable_memory::Error::none);
    EXPECT_EQ(usable.count(), Range_set::capacity);
    EXPECT_EQ(Usable_memory::compute(boot.info(), {0x180000, 0x181000}, usable), Usable_memory::Error::too_many_ranges);
}

namespace {

Range_set set_of(std::initializer_list<Phys_range> ranges)
{
    Range_set set;
    for (Phys_range range : ranges)
        EXPECT_EQ(set.insert(range), Range_set::Error::none);
    return set;
}

constexpr uint64_t two_mib = 0x200000;

}  // namespace

TEST(Usable_memory, split_whole_frames_keeps_aligned_frames_and_hands_out_the_edges)
{
    // Below 1 MiB, a range around the kernel, and a top range ending under the firmware.
    Range_set usable = set_of({{0x1000, 0x9f000}, {0x300000, 0x7fe0000}, {0x100000000, 0x100400000}});
    Range_set whole;
    Range_set edges;
    ASSERT_EQ(Usable_memory::split_whole_frames(usable, two_mib, whole, edges), Usable_memory::Error::none);
    EXPECT_TRUE(holds_exactly(whole, {{0x400000, 0x7e00000}, {0x100000000, 0x100400000}}));
    EXPECT_TRUE(holds_exactly(edges, {{0x1000, 0x9f000}, {0x300000, 0x400000}, {0x7e00000, 0x7fe0000}}));
    EXPECT_EQ(whole.total_size() + edges.total_size(), usable.total_size());
}

TEST(Usable_memory, split_whole_frames_of_a_range_in_one_frame_is_all_edge)
{
    // Two frames' worth, but straddling a boundary without covering either frame whole.
    Range_set usable = set_of({{two_mib - 0x1000, 2 * two_mib - 0x1000}, {~uint64_t{0} - 0xfff, ~uint64_t{0}}});
    Range_set whole;
    Range_set edges;
    ASSERT_EQ(Usable_memory::split_whole_frames(usable, two_mib, whole, edges), Usable_memory::Error::none);
    EXPECT_EQ(whole.count(), 0u);
    EXPECT_TRUE(holds_exactly(edges, {{two_mib - 0x1000, 2 * two_mib - 0x1000}, {~uint64_t{0} - 0xfff, ~uint64_t{0}}}));
}

TEST(Usable_memory, split_whole_frames_reports_too_many_edges)
{
    // Every range has two edges: half the capacity in ranges fills the edge set exactly.
    Range_set usable;
    for (uint64_t i = 0; i < Range_set::capacity / 2 + 1; ++i)
        ASSERT_EQ(usable.insert({i * 4 * two_mib + 0x1000, i * 4 * two_mib + 3 * two_mib - 0x1000}),
                  Range_set::Error::none);
    Range_set whole;
    Range_set edges;
    EXPECT_EQ(Usable_memory::split_whole_frames(usable, two_mib, whole, edges), Usable_memory::Error::too_many_ranges);
}
