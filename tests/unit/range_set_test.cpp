// SPDX-License-Identifier: MIT
#include "range_set.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace {

std::vector<Phys_range> ranges_of(const Range_set &set)
{
    std::vector<Phys_range> out;
    for (size_t i = 0; i < set.count(); ++i)
        out.push_back(set[i]);
    return out;
}

// Sorted, non-empty, disjoint and non-touching.
::testing::AssertionResult well_formed(const Range_set &set)
{
    if (set.count() > Range_set::capacity)
        return ::testing::AssertionFailure() << "count " << set.count() << " above capacity";
    for (size_t i = 0; i < set.count(); ++i) {
        if (set[i].empty())
            return ::testing::AssertionFailure() << "range " << i << " is empty";
        if (i > 0 && !(set[i - 1].end < set[i].begin))
            return ::testing::AssertionFailure() << "ranges " << i - 1 << " and " << i << " touch or are unsorted";
    }
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult holds_exactly(const Range_set &set, std::vector<Phys_range> expected)
{
    std::vector<Phys_range> actual = ranges_of(set);
    bool same = actual.size() == expected.size();
    for (size_t i = 0; same && i < actual.size(); ++i)
        same = actual[i].begin == expected[i].begin && actual[i].end == expected[i].end;
    if (same)
        return ::testing::AssertionSuccess();
    auto failure = ::testing::AssertionFailure() << "set holds";
    for (Phys_range r : actual)
        failure << " [" << r.begin << ", " << r.end << ")";
    failure << "; expected";
    for (Phys_range r : expected)
        failure << " [" << r.begin << ", " << r.end << ")";
    return failure;
}

// Fills the set to capacity with ranges [10 i, 10 i + 5).
void fill_to_capacity(Range_set &set)
{
    for (uint64_t i = 0; i < Range_set::capacity; ++i)
        ASSERT_EQ(set.insert({10 * i, 10 * i + 5}), Range_set::Error::none);
    ASSERT_EQ(set.count(), Range_set::capacity);
}

}  // namespace

TEST(Range_set, starts_empty_and_clear_empties_it)
{
    Range_set set;
    EXPECT_EQ(set.count(), 0u);
    EXPECT_EQ(set.total_size(), 0u);
    EXPECT_FALSE(set.overlaps({0, ~uint64_t{0}}));
    EXPECT_FALSE(set.contains({0, 1}));

    // clear() returns to that state.
    ASSERT_EQ(set.insert({1, 2}), Range_set::Error::none);
    ASSERT_EQ(set.insert({5, 9}), Range_set::Error::none);
    set.clear();
    EXPECT_EQ(set.count(), 0u);
    EXPECT_EQ(set.total_size(), 0u);
    EXPECT_FALSE(set.overlaps({0, 100}));
}

TEST(Range_set, insert_keeps_ranges_sorted)
{
    Range_set set;
    ASSERT_EQ(set.insert({500, 600}), Range_set::Error::none);
    ASSERT_EQ(set.insert({100, 200}), Range_set::Error::none);
    ASSERT_EQ(set.insert({300, 400}), Range_set::Error::none);
    EXPECT_TRUE(holds_exactly(set, {{100, 200}, {300, 400}, {500, 600}}));
    EXPECT_EQ(set.total_size(), 300u);
}

TEST(Range_set, insert_merges_overlapping_ranges)
{
    Range_set set;
    ASSERT_EQ(set.insert({100, 200}), Range_set::Error::none);
    ASSERT_EQ(set.insert({150, 250}), Range_set::Error::none);
    EXPECT_TRUE(holds_exactly(set, {{100, 250}}));
    ASSERT_EQ(set.insert({50, 120}), Range_set::Error::none);
    EXPECT_TRUE(holds_exactly(set, {{50, 250}}));
    ASSERT_EQ(set.insert({60, 70}), Range_set::Error::none);  // already inside
    EXPECT_TRUE(holds_exactly(set, {{50, 250}}));

    // One insert bridging several ranges merges them all.
    set.clear();
    for (uint64_t begin : {100u, 300u, 500u, 700u, 900u})
        ASSERT_EQ(set.insert({begin, begin + 100}), Range_set::Error::none);
    ASSERT_EQ(set.insert({250, 750}), Range_set::Error::none);
    EXPECT_TRUE(holds_exactly(set, {{100, 200}, {250, 800}, {900, 1000}}));
    ASSERT_EQ(set.insert({0, 2000}), Range_set::Error::none);
    EXPECT_TRUE(holds_exactly(set, {{0, 2000}}));
}

TEST(Range_set, insert_merges_touching_ranges)
{
    Range_set set;
    ASSERT_EQ(set.insert({100, 200}), Range_set::Error::none);
    ASSERT_EQ(set.insert({200, 300}), Range_set::Error::none);
    ASSERT_EQ(set.insert({50, 100}), Range_set::Error::none);
    EXPECT_TRUE(holds_exactly(set, {{50, 300}}));
    ASSERT_EQ(set.insert({301, 302}), Range_set::Error::none);  // a gap of one stays a gap
    EXPECT_TRUE(holds_exactly(set, {{50, 300}, {301, 302}}));
}

TEST(Range_set, empty_ranges_are_ignored)
{
    Range_set set;
    ASSERT_EQ(set.insert({100, 100}), Range_set::Error::none);
    ASSERT_EQ(set.insert({200, 100}), Range_set::Error::none);
    EXPECT_EQ(set.count(), 0u);
    ASSERT_EQ(set.insert({100, 200}), Range_set::Error::none);
    ASSERT_EQ(set.remove({150, 150}), Range_set::Error::none);
    ASSERT_EQ(set.remove({190, 110}), Range_set::Error::none);
    EXPECT_TRUE(holds_exactly(set, {{100, 200}}));
}

TEST(Range_set, remove_from_the_middle_splits_a_range)
{
    Range_set set;
    ASSERT_EQ(set.insert({100, 400}), Range_set::Error::none);
    ASSERT_EQ(set.remove({200, 300}), Range_set::Error::none);
    EXPECT_TRUE(holds_exactly(set, {{100, 200}, {300, 400}}));
    EXPECT_EQ(set.total_size(), 200u);
}

TEST(Range_set, remove_trims_heads_and_tails_and_drops_covered_ranges)
{
    Range_set set;
    for (uint64_t begin : {100u, 300u, 500u, 700u})
        ASSERT_EQ(set.insert({begin, begin + 100}), Range_set::Error::none);
    ASSERT_EQ(set.remove({150, 750}), Range_set::Error::none);
    EXPECT_TRUE(holds_exactly(set, {{100, 150}, {750, 800}}));
    ASSERT_EQ(set.remove({100, 150}), Range_set::Error::none);  // exactly a whole range
    EXPECT_TRUE(holds_exactly(set, {{750, 800}}));
    ASSERT_EQ(set.remove({0, 1000}), Range_set::Error::none);
    EXPECT_EQ(set.count(), 0u);

    // Removing what only touches, or misses, changes nothing.
    set.clear();
    ASSERT_EQ(set.insert({100, 200}), Range_set::Error::none);
    ASSERT_EQ(set.insert({300, 400}), Range_set::Error::none);
    ASSERT_EQ(set.remove({200, 300}), Range_set::Error::none);  // only touches both
    ASSERT_EQ(set.remove({0, 100}), Range_set::Error::none);
    ASSERT_EQ(set.remove({400, 1000}), Range_set::Error::none);
    EXPECT_TRUE(holds_exactly(set, {{100, 200}, {300, 400}}));
}

TEST(Range_set, insert_into_full_set_fails_unchanged_unless_it_merges)
{
    Range_set set;
    fill_to_capacity(set);
    std::vector<Phys_range> before = ranges_of(set);
    EXPECT_EQ(set.insert({10000, 10001}), Range_set::Error::full);  // would need a new slot
    EXPECT_EQ(set.insert({6, 8}), Range_set::Error::full);          // in a gap, touching nothing
    EXPECT_TRUE(holds_exactly(set, before));

    // An insert that merges needs no slot, so it works even when full.
    EXPECT_EQ(set.insert({5, 10}), Range_set::Error::none);  // joins the first two ranges
    EXPECT_EQ(set.count(), Range_set::capacity - 1);
    EXPECT_EQ(set[0].begin, 0u);
    EXPECT_EQ(set[0].end, 15u);
    EXPECT_TRUE(well_formed(set));
}

TEST(Range_set, split_in_full_set_fails_and_leaves_it_unchanged)
{
    Range_set set;
    fill_to_capacity(set);
    std::vector<Phys_range> before = ranges_of(set);
    EXPECT_EQ(set.remove({32, 33}), Range_set::Error::full);
    EXPECT_TRUE(holds_exactly(set, before));
    // Trimming needs no slot, so it works even when full.
    EXPECT_EQ(set.remove({30, 32}), Range_set::Error::none);
    EXPECT_EQ(set[3].begin, 32u);
    EXPECT_EQ(set.count(), Range_set::capacity);
}

TEST(Range_set, overlaps_and_contains_answer_against_all_ranges)
{
    Range_set set;
    ASSERT_EQ(set.insert({100, 200}), Range_set::Error::none);
    ASSERT_EQ(set.insert({300, 400}), Range_set::Error::none);
    EXPECT_TRUE(set.overlaps({199, 201}));
    EXPECT_TRUE(set.overlaps({0, 1000}));
    EXPECT_FALSE(set.overlaps({200, 300}));
    EXPECT_FALSE(set.overlaps({150, 150}));  // empty overlaps nothing
    EXPECT_TRUE(set.contains({300, 400}));
    EXPECT_TRUE(set.contains({120, 130}));
    EXPECT_FALSE(set.contains({150, 350}));  // spans the gap
    EXPECT_FALSE(set.contains({399, 401}));
    EXPECT_TRUE(set.contains({250, 250}));  // the empty range is in every set
}

TEST(Range_set, random_operations_agree_with_a_set_of_points)
{
    // Universe [0, 600): up to 300 separate ranges fit, so "full" is reached too.
    constexpr uint64_t universe = 600;
    std::mt19937_64 random(20240611);
    std::uniform_int_distribution<uint64_t> point(0, universe);
    std::uniform_int_distribution<uint64_t> short_length(1, 2);
    std::uniform_int_distribution<uint64_t> long_length(0, 60);
    std::uniform_int_distribution<int> percent(0, 99);

    Range_set set;
    std::set<uint64_t> model;
    size_t full_refusals = 0;
    size_t most_ranges = 0;

    for (int step = 0; step < 20000; ++step) {
        // Phases alternate: small toggles fragment the set towards capacity, a mix of
        // long and short ones coarsens it again.
        bool fragmenting = (step / 2500) % 2 == 0;
        uint64_t begin = point(random);
        uint64_t length = fragmenting || percent(random) < 70 ? short_length(random) : long_length(random);
        Phys_range range{begin, begin + length};
        if (percent(random) < 5)
            range = {begin + length, begin};  // reversed, i.e. empty
        bool inserting = percent(random) < (model.size() > universe / 2 ? 40 : 60);

        std::vector<Phys_range> before = ranges_of(set);
        Range_set::Error error = inserting ? set.insert(range) : set.remove(range);
        if (error == Range_set::Error::full) {
            ++full_refusals;
            ASSERT_TRUE(holds_exactly(set, before)) << "step " << step;
            ASSERT_EQ(set.count(), Range_set::capacity) << "step " << step;
        } else {
            ASSERT_EQ(error, Range_set::Error::none) << "step " << step;
            for (uint64_t p = range.begin; p < range.end; ++p)
                inserting ? (void)model.insert(p) : (void)model.erase(p);
        }

        ASSERT_TRUE(well_formed(set)) << "step " << step;
        most_ranges = std::max(most_ranges, set.count());
        ASSERT_EQ(set.total_size(), model.size()) << "step " << step;
        for (size_t i = 0; i < set.count(); ++i)
            for (uint64_t p = set[i].begin; p < set[i].end; ++p)
                ASSERT_TRUE(model.count(p)) << "step " << step << ": point " << p << " should not be in the set";

        // Queries on a random range against the model.
        uint64_t q_begin = point(random);
        Phys_range query{q_begin, q_begin + long_length(random) % 12};
        bool any = false;
        bool all = true;
        for (uint64_t p = query.begin; p < query.end; ++p) {
            bool in = model.count(p) != 0;
            any = any || in;
            all = all && in;
        }
        ASSERT_EQ(set.overlaps(query), any) << "step " << step;
        ASSERT_EQ(set.contains(query), all) << "step " << step;
    }
    EXPECT_GT(full_refusals, 0u) << "the walk never reached capacity (at most " << most_ranges
                                 << " ranges); the test lost its edge";
}
