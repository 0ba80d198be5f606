// SPDX-License-Identifier: MIT
// Host tests of the fixed-size tables of libl4's C++ server runtime: tern::Pool (the root
// task's name tables) and tern::Queue (the console's readers and waiters), including a
// randomized comparison of the queue with std::deque.
#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <vector>

// By path: libl4's include directory would put its freestanding string.h before the host's.
#include "../../libl4/include/l4/tern/pool.hpp"
#include "../../libl4/include/l4/tern/queue.hpp"

namespace {

struct Entry {
    int value = 7;
};

template <unsigned N>
std::vector<int> values(tern::Queue<int, N> &queue)
{
    std::vector<int> seen;
    queue.for_each([&seen](int value) { seen.push_back(value); });
    return seen;
}

}  // namespace

TEST(Pool, allocates_every_slot_once_then_refuses)
{
    tern::Pool<Entry, 3> pool;
    Entry *a = pool.allocate(), *b = pool.allocate(), *c = pool.allocate();
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    ASSERT_NE(c, nullptr);
    EXPECT_NE(a, b);
    EXPECT_NE(b, c);
    EXPECT_EQ(pool.allocate(), nullptr);
    EXPECT_EQ(pool.in_use(), 3u);
}

TEST(Pool, a_freed_slot_comes_back_default_constructed)
{
    tern::Pool<Entry, 2> pool;
    Entry *a = pool.allocate();
    pool.allocate();
    a->value = 42;
    pool.free(a);
    EXPECT_EQ(pool.in_use(), 1u);
    Entry *again = pool.allocate();
    EXPECT_EQ(again, a);
    EXPECT_EQ(again->value, 7);
}

TEST(Pool, for_each_visits_the_used_in_slot_order_and_may_free)
{
    tern::Pool<Entry, 4> pool;
    for (int i = 0; i < 4; ++i)
        pool.allocate()->value = i;
    pool.free(pool.find([](const Entry &e) { return e.value == 1; }));
    std::vector<int> seen;
    pool.for_each([&](Entry &e) {
        seen.push_back(e.value);
        if (e.value == 2)
            pool.free(&e);
    });
    EXPECT_EQ(seen, (std::vector<int>{0, 2, 3}));
    EXPECT_EQ(pool.in_use(), 2u);
    EXPECT_EQ(pool.find([](const Entry &e) { return e.value == 2; }), nullptr);
}

TEST(Queue, keeps_the_order_and_refuses_when_full)
{
    tern::Queue<int, 3> queue;
    EXPECT_TRUE(queue.empty());
    EXPECT_TRUE(queue.push(1));
    EXPECT_TRUE(queue.push(2));
    EXPECT_TRUE(queue.push(3));
    EXPECT_TRUE(queue.full());
    EXPECT_FALSE(queue.push(4));
    EXPECT_EQ(values(queue), (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(queue.front(), 1);
    queue.pop();
    EXPECT_EQ(queue.front(), 2);
    EXPECT_EQ(queue.size(), 2u);
}

TEST(Queue, remove_if_keeps_the_order_of_the_rest)
{
    tern::Queue<int, 6> queue;
    for (int value : {1, 2, 3, 2, 4, 2})
        queue.push(value);
    queue.remove_if([](int value) { return value == 2; });
    EXPECT_EQ(values(queue), (std::vector<int>{1, 3, 4}));
    queue.clear();
    EXPECT_TRUE(queue.empty());
}

TEST(Queue, behaves_like_a_bounded_deque)
{
    std::mt19937 random(10);
    tern::Queue<int, 8> queue;
    std::deque<int> model;
    for (int step = 0; step < 5000; ++step) {
        int value = static_cast<int>(random() % 16);
        switch (random() % 3) {
        case 0:
            EXPECT_EQ(queue.push(value), model.size() < 8);
            if (model.size() < 8)
                model.push_back(value);
            break;
        case 1:
            if (!model.empty()) {
                EXPECT_EQ(queue.front(), model.front());
                queue.pop();
                model.pop_front();
            }
            break;
        default:
            queue.remove_if([value](int v) { return v == value; });
            std::erase(model, value);
            break;
        }
        ASSERT_EQ(values(queue), std::vector<int>(model.begin(), model.end()));
    }
}
