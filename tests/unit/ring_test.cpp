// SPDX-License-Identifier: MIT
// Host tests of the intrusive ring behind the ready and send queues, including a
// randomized comparison with std::deque.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <vector>

#include "ring.hpp"

namespace {

struct Item {
    int value = 0;
    Ring_link<Item> link;
    Ring_link<Item> other;
};

using Item_ring = Ring<Item, &Item::link>;

std::vector<int> contents(const Item_ring &ring)
{
    std::vector<int> values;
    ring.find([&values](const Item &item) {
        values.push_back(item.value);
        return false;
    });
    return values;
}

}  // namespace

TEST(Ring, starts_empty_and_unlinked)
{
    Item_ring ring;
    Item a;
    EXPECT_TRUE(ring.empty());
    EXPECT_EQ(ring.front(), nullptr);
    EXPECT_FALSE(a.link.linked());
    EXPECT_EQ(ring.find([](const Item &) { return true; }), nullptr);
}

TEST(Ring, keeps_insertion_order)
{
    Item_ring ring;
    Item items[4];
    for (int i = 0; i < 4; ++i) {
        items[i].value = i;
        ring.push_back(&items[i]);
    }
    EXPECT_EQ(contents(ring), (std::vector<int>{0, 1, 2, 3}));
    EXPECT_EQ(ring.front(), &items[0]);
    EXPECT_TRUE(items[3].link.linked());
}

TEST(Ring, removes_head_middle_tail_and_last)
{
    Item_ring ring;
    Item items[4];
    for (int i = 0; i < 4; ++i) {
        items[i].value = i;
        ring.push_back(&items[i]);
    }
    ring.remove(&items[0]);
    EXPECT_EQ(ring.front(), &items[1]);
    ring.remove(&items[2]);
    ring.remove(&items[3]);
    EXPECT_EQ(contents(ring), (std::vector<int>{1}));
    EXPECT_FALSE(items[0].link.linked());
    ring.remove(&items[1]);
    EXPECT_TRUE(ring.empty());
    EXPECT_FALSE(items[1].link.linked());
}

TEST(Ring, find_returns_the_first_match_in_order)
{
    Item_ring ring;
    Item items[5];
    for (int i = 0; i < 5; ++i) {
        items[i].value = i % 2;
        ring.push_back(&items[i]);
    }
    EXPECT_EQ(ring.find([](const Item &item) { return item.value == 1; }), &items[1]);
    EXPECT_EQ(ring.find([](const Item &item) { return item.value == 7; }), nullptr);
}

TEST(Ring, two_links_make_two_independent_rings)
{
    Item_ring first;
    Ring<Item, &Item::other> second;
    Item a, b;
    a.value = 1;
    b.value = 2;
    first.push_back(&a);
    first.push_back(&b);
    second.push_back(&b);
    first.remove(&b);
    EXPECT_EQ(contents(first), (std::vector<int>{1}));
    EXPECT_EQ(second.front(), &b);
    EXPECT_TRUE(b.other.linked());
}

TEST(Ring, random_operations_match_a_deque)
{
    std::mt19937 random(1234);
    constexpr int count = 64;
    std::vector<Item> items(count);
    for (int i = 0; i < count; ++i)
        items[static_cast<size_t>(i)].value = i;
    Item_ring ring;
    std::deque<int> model;
    for (int step = 0; step < 20000; ++step) {
        int i = static_cast<int>(random() % count);
        Item &item = items[static_cast<size_t>(i)];
        if (item.link.linked()) {
            ring.remove(&item);
            model.erase(std::find(model.begin(), model.end(), i));
        } else {
            ring.push_back(&item);
            model.push_back(i);
        }
        if (step % 97 == 0) {
            ASSERT_EQ(contents(ring), std::vector<int>(model.begin(), model.end())) << "step " << step;
        }
    }
    EXPECT_EQ(contents(ring), std::vector<int>(model.begin(), model.end()));
}

TEST(Ring, push_front_makes_the_item_first_and_keeps_the_order_of_the_rest)
{
    Item a{1, {}, {}}, b{2, {}, {}}, c{3, {}, {}};
    Item_ring ring;
    ring.push_back(&a);
    ring.push_back(&b);
    ring.push_front(&c);
    EXPECT_EQ(contents(ring), (std::vector<int>{3, 1, 2}));
    ring.remove(&c);
    EXPECT_EQ(contents(ring), (std::vector<int>{1, 2}));
    ring.remove(&a);
    ring.remove(&b);
    EXPECT_TRUE(ring.empty());
    ring.push_front(&a);
    EXPECT_EQ(ring.front(), &a);
}
