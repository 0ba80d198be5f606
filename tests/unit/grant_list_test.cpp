// SPDX-License-Identifier: MIT
// sigma0's Grant_list against a page-by-page model.
#include "grant_list.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>

namespace {

constexpr uint64_t page = 4096;

}  // namespace

TEST(Grant_list, neighbouring_grants_of_one_owner_merge)
{
    auto list = std::make_unique<Grant_list>();
    ASSERT_TRUE(list->add(10 * page, 11 * page, 7));
    ASSERT_TRUE(list->add(12 * page, 13 * page, 7));
    EXPECT_EQ(list->runs(), 2u);
    ASSERT_TRUE(list->add(11 * page, 12 * page, 7));  // fills the gap: one run
    EXPECT_EQ(list->runs(), 1u);
    EXPECT_TRUE(list->given_to(10 * page, 13 * page, 7));
    ASSERT_TRUE(list->add(13 * page, 14 * page, 8));  // another owner: its own run
    EXPECT_EQ(list->runs(), 2u);
    EXPECT_TRUE(list->given_to(13 * page, 14 * page, 8));
    EXPECT_FALSE(list->given_to(12 * page, 14 * page, 7));  // partly another's
    EXPECT_FALSE(list->given_to(12 * page, 14 * page, 8));
    EXPECT_FALSE(list->given_to(9 * page, 11 * page, 7));   // partly nobody's
    EXPECT_FALSE(list->given_to(14 * page, 15 * page, 8));
    EXPECT_TRUE(list->given_to(10 * page + 8, 10 * page + 16, 7));
}

TEST(Grant_list, a_full_list_refuses_and_changes_nothing)
{
    auto list = std::make_unique<Grant_list>();
    // Every other page, alternating owners: nothing merges.
    for (uint64_t i = 0; i < Grant_list::capacity; ++i)
        ASSERT_TRUE(list->add(2 * i * page, (2 * i + 1) * page, i % 2)) << i;
    EXPECT_EQ(list->runs(), Grant_list::capacity);
    EXPECT_FALSE(list->add(1 * page, 2 * page, 5));
    EXPECT_FALSE(list->given_to(1 * page, 2 * page, 5));
    EXPECT_EQ(list->runs(), Grant_list::capacity);
    // A grant that merges needs no new run.
    EXPECT_TRUE(list->add(1 * page, 2 * page, 0));
    EXPECT_TRUE(list->given_to(0, 2 * page, 0));
}

TEST(Grant_list, random_grants_match_a_model)
{
    auto list = std::make_unique<Grant_list>();
    std::map<uint64_t, uint64_t> owner_of_page;
    std::mt19937_64 random(3);
    constexpr uint64_t pages = 3000;
    for (int step = 0; step < 4000; ++step) {
        uint64_t first = random() % pages, count = 1 + random() % 8, owner = random() % 3;
        bool free = true;
        for (uint64_t p = first; p < first + count; ++p)
            free &= owner_of_page.count(p) == 0;
        if (free) {
            ASSERT_TRUE(list->add(first * page, (first + count) * page, owner));
            for (uint64_t p = first; p < first + count; ++p)
                owner_of_page[p] = owner;
        }
        uint64_t probe = random() % pages, probe_count = 1 + random() % 4, probe_owner = random() % 3;
        bool expected = true;
        for (uint64_t p = probe; p < probe + probe_count; ++p) {
            auto found = owner_of_page.find(p);
            expected &= found != owner_of_page.end() && found->second == probe_owner;
        }
        ASSERT_EQ(list->given_to(probe * page, (probe + probe_count) * page, probe_owner), expected)
            << "step " << step << " probe " << probe << "+" << probe_count << " owner " << probe_owner;
    }
    EXPECT_LT(list->runs(), Grant_list::capacity);
}
