// SPDX-License-Identifier: MIT
// Host tests of the scheduler's sorted list of IPC timeouts, including a randomized
// comparison with a sorted model.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "timeout_list.hpp"

namespace {

struct Waiter : Timeout_list::Entry {
    int number = 0;
};

// Takes every entry due at now, in the order the list gives them.
std::vector<int> expire(Timeout_list &list, uint64_t now)
{
    std::vector<int> numbers;
    while (Timeout_list::Entry *entry = list.take_expired(now))
        numbers.push_back(static_cast<Waiter *>(entry)->number);
    return numbers;
}

}  // namespace

TEST(Timeout_list, starts_empty)
{
    Timeout_list list;
    Waiter a;
    EXPECT_TRUE(list.empty());
    EXPECT_FALSE(list.contains(a));
    EXPECT_EQ(list.take_expired(~uint64_t{0}), nullptr);
}

TEST(Timeout_list, fires_in_deadline_order_and_only_when_due)
{
    Timeout_list list;
    Waiter w[4];
    for (int i = 0; i < 4; ++i)
        w[i].number = i;
    list.add(w[0], 300);
    list.add(w[1], 100);
    list.add(w[2], 200);
    list.add(w[3], 400);
    for (Waiter &waiter : w)
        EXPECT_TRUE(list.contains(waiter));
    EXPECT_EQ(w[2].deadline(), 200u);
    EXPECT_EQ(expire(list, 99), std::vector<int>{});
    EXPECT_EQ(expire(list, 250), (std::vector<int>{1, 2}));
    EXPECT_FALSE(list.contains(w[1]));
    EXPECT_FALSE(list.contains(w[2]));
    EXPECT_EQ(w[1].deadline(), 100u);  // kept after it fired
    EXPECT_TRUE(list.contains(w[0]));
    EXPECT_EQ(expire(list, 1000), (std::vector<int>{0, 3}));
    EXPECT_TRUE(list.empty());
}

TEST(Timeout_list, equal_deadlines_fire_in_the_order_added)
{
    Timeout_list list;
    Waiter w[3];
    for (int i = 0; i < 3; ++i) {
        w[i].number = i;
        list.add(w[i], 50);
    }
    EXPECT_EQ(expire(list, 50), (std::vector<int>{0, 1, 2}));
}

TEST(Timeout_list, removes_first_middle_last_and_absent)
{
    Timeout_list list;
    Waiter w[5];
    for (int i = 0; i < 5; ++i) {
        w[i].number = i;
        list.add(w[i], uint64_t(10 * (i + 1)));
    }
    list.remove(w[0]);
    list.remove(w[2]);
    list.remove(w[4]);
    list.remove(w[4]);  // not in the list: nothing happens
    EXPECT_FALSE(list.contains(w[0]));
    EXPECT_FALSE(list.contains(w[2]));
    EXPECT_FALSE(list.contains(w[4]));
    // A removed entry can be added again, with a new deadline.
    list.add(w[0], 35);
    EXPECT_EQ(expire(list, 100), (std::vector<int>{1, 0, 3}));
    EXPECT_TRUE(list.empty());
}

TEST(Timeout_list, matches_a_sorted_model)
{
    std::mt19937_64 random(10);
    constexpr int count = 64;
    std::vector<Waiter> waiters(count);
    for (int i = 0; i < count; ++i)
        waiters[size_t(i)].number = i;
    Timeout_list list;
    struct Model_entry {
        uint64_t deadline;
        uint64_t added;  // equal deadlines fire in this order
        int number;
    };
    std::vector<Model_entry> model;
    uint64_t now = 0, additions = 0;
    for (int step = 0; step < 20000; ++step) {
        int i = int(random() % count);
        Waiter &waiter = waiters[size_t(i)];
        auto in_model = std::find_if(model.begin(), model.end(), [i](const Model_entry &e) { return e.number == i; });
        ASSERT_EQ(list.contains(waiter), in_model != model.end());
        switch (random() % 3) {
        case 0:
            if (in_model == model.end()) {
                uint64_t deadline = now + random() % 50;
                list.add(waiter, deadline);
                model.push_back({deadline, additions++, i});
            }
            break;
        case 1:
            list.remove(waiter);
            if (in_model != model.end())
                model.erase(in_model);
            break;
        default: {
            now += random() % 10;
            std::sort(model.begin(), model.end(), [](const Model_entry &a, const Model_entry &b) {
                return a.deadline != b.deadline ? a.deadline < b.deadline : a.added < b.added;
            });
            std::vector<int> due;
            while (!model.empty() && model.front().deadline <= now) {
                due.push_back(model.front().number);
                model.erase(model.begin());
            }
            ASSERT_EQ(expire(list, now), due);
        }
        }
    }
}
