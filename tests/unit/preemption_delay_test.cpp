// SPDX-License-Identifier: MIT
// Host tests of the X.2 delayed-preemption state: which preemptions a thread may delay,
// for how long, and how its budget is spent and given back.
#include <gtest/gtest.h>

#include "preemption_delay.hpp"

namespace {

using Verdict = Preemption_delay::Verdict;

Preemption_delay configured(uint8_t sensitive, uint16_t max_delay)
{
    Preemption_delay delay;
    delay.configure(sensitive, max_delay);
    return delay;
}

}  // namespace

TEST(Preemption_delay, the_default_never_delays)
{
    Preemption_delay delay;
    EXPECT_EQ(delay.decide(1000, 100, 100, true), Verdict::preempt);
    EXPECT_FALSE(delay.running());
}

TEST(Preemption_delay, only_when_the_thread_asks_for_it)
{
    Preemption_delay delay = configured(150, 5000);
    EXPECT_EQ(delay.decide(1000, 100, 100, false), Verdict::preempt);
    EXPECT_FALSE(delay.running());
    EXPECT_EQ(delay.decide(1000, 100, 100, true), Verdict::delay_started);
    EXPECT_TRUE(delay.running());
    EXPECT_EQ(delay.deadline_us(), 6000u);
}

TEST(Preemption_delay, competitors_up_to_the_sensitive_priority_are_delayed)
{
    Preemption_delay delay = configured(150, 5000);
    EXPECT_EQ(delay.decide(0, 151, 100, true), Verdict::preempt);
    EXPECT_EQ(delay.decide(0, 150, 100, true), Verdict::delay_started);
    // While the delay runs, a competitor above the sensitive priority still preempts.
    EXPECT_EQ(delay.decide(100, 200, 100, true), Verdict::preempt);
    EXPECT_EQ(delay.decide(100, 120, 100, true), Verdict::delaying);
}

TEST(Preemption_delay, the_sensitive_priority_is_never_below_the_own_priority)
{
    Preemption_delay delay = configured(10, 5000);
    EXPECT_EQ(delay.decide(0, 100, 100, true), Verdict::delay_started);  // end of its time slice
}

TEST(Preemption_delay, a_delay_runs_until_its_deadline_then_overruns)
{
    Preemption_delay delay = configured(100, 5000);
    ASSERT_EQ(delay.decide(1000, 100, 100, true), Verdict::delay_started);
    EXPECT_EQ(delay.decide(5999, 100, 100, true), Verdict::delaying);
    EXPECT_EQ(delay.decide(6000, 100, 100, true), Verdict::overrun);
    EXPECT_EQ(delay.decide(7000, 100, 100, false), Verdict::overrun);  // still running until ended
}

TEST(Preemption_delay, an_overrun_spends_the_budget_until_the_next_thread_switch)
{
    Preemption_delay delay = configured(100, 5000);
    ASSERT_EQ(delay.decide(0, 100, 100, true), Verdict::delay_started);
    delay.end(true);
    EXPECT_FALSE(delay.running());
    EXPECT_EQ(delay.decide(20000, 100, 100, true), Verdict::preempt);
    delay.restore();
    EXPECT_EQ(delay.decide(30000, 100, 100, true), Verdict::delay_started);
    EXPECT_EQ(delay.deadline_us(), 35000u);
}

TEST(Preemption_delay, giving_up_the_processor_in_time_gives_the_budget_back)
{
    Preemption_delay delay = configured(100, 5000);
    ASSERT_EQ(delay.decide(0, 100, 100, true), Verdict::delay_started);
    EXPECT_EQ(delay.decide(1000, 100, 100, true), Verdict::delaying);
    delay.end(false);
    EXPECT_TRUE(delay.available());
    EXPECT_EQ(delay.decide(2000, 100, 100, true), Verdict::delay_started);
}

TEST(Preemption_delay, a_zero_maximum_delay_disables_it_and_reconfiguring_refills)
{
    Preemption_delay delay = configured(200, 0);
    EXPECT_EQ(delay.decide(0, 150, 100, true), Verdict::preempt);
    delay.configure(200, 100);
    EXPECT_EQ(delay.sensitive_priority(), 200);
    EXPECT_EQ(delay.max_delay_us(), 100);
    ASSERT_EQ(delay.decide(0, 150, 100, true), Verdict::delay_started);
    delay.end(true);
    delay.configure(200, 100);
    EXPECT_EQ(delay.decide(500, 150, 100, true), Verdict::delay_started);
}
