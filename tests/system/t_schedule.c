/* SPDX-License-Identifier: MIT */
/* SCH: Schedule, ThreadSwitch, priorities, preemption and time slices. */
#include "systest.h"

static L4_Word_t schedule(L4_ThreadId_t t, L4_Word_t time, L4_Word_t processor, L4_Word_t prio, L4_Word_t *old)
{
    L4_Word_t dummy;
    set_error_code(0xee);
    return L4_Schedule(t, time, processor, prio, ~0UL, old != 0 ? old : &dummy);
}

static L4_Word_t state_of(L4_ThreadId_t t) { return schedule(t, ~0UL, ~0UL, ~0UL, 0); }

static volatile L4_Word_t order[16];
static volatile L4_Word_t order_n;

static void order_reset(void)
{
    order_n = 0;
    for (int i = 0; i < 16; ++i)
        order[i] = 0;
}

static void order_add(L4_Word_t v)
{
    if (order_n < 16)
        order[order_n] = v;
    ++order_n;
}

static void logger(L4_Word_t me) { order_add(me); }

static volatile L4_Word_t spin_count;

static void spinner(L4_Word_t arg)
{
    (void)arg;
    for (;;)
        ++spin_count;
}

static void result_running(void)
{
    L4_ThreadId_t t = spawn_simple(spinner, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Word_t r = state_of(t);
    CHECK(r == L4_SCHEDRESULT_RUNNING, "Schedule of a ready thread returned %lu (ErrorCode %lu), expected 3", r,
          L4_ErrorCode());
    r = state_of(main_tid);
    CHECK(r == L4_SCHEDRESULT_RUNNING, "Schedule of oneself returned %lu (ErrorCode %lu), expected 3", r,
          L4_ErrorCode());
}

static void priority_too_high(void)
{
    L4_ThreadId_t t = spawn_simple(spinner, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Word_t r = schedule(t, ~0UL, ~0UL, 256, 0);
    CHECK(r == 0 && L4_ErrorCode() == L4_ERROR_INVALID_PARAM, "priority 256: result %lu, ErrorCode %lu; expected 0 "
          "and 5", r, L4_ErrorCode());
}

static void missing_thread(void)
{
    L4_Word_t r = state_of(L4_GlobalId(3970, 1));
    CHECK(r == 0 && L4_ErrorCode() == L4_ERROR_INVALID_THREAD, "result %lu, ErrorCode %lu; expected 0 and 2", r,
          L4_ErrorCode());
}

static void bad_processor(void)
{
    L4_Word_t r = schedule(main_tid, ~0UL, 1, ~0UL, 0);
    CHECK(r == 0 && L4_ErrorCode() == L4_ERROR_INVALID_PARAM, "processor 1: result %lu, ErrorCode %lu; expected 0 "
          "and 5", r, L4_ErrorCode());
    r = schedule(main_tid, ~0UL, 0, ~0UL, 0);
    CHECK(r == L4_SCHEDRESULT_RUNNING, "processor 0: result %lu, ErrorCode %lu", r, L4_ErrorCode());
}

static void unprivileged_schedule(void)
{
    const struct unpriv_results *u = unprivileged_results();
    CHECK(u->valid, "%s", u->why);
    CHECK(u->result[U_SCHEDULE_MAIN] == 0 && u->error[U_SCHEDULE_MAIN] == L4_ERROR_NO_PRIVILEGE,
          "Schedule of the root task: result %lu, ErrorCode %lu; expected 0 and 1", u->result[U_SCHEDULE_MAIN],
          u->error[U_SCHEDULE_MAIN]);
    CHECK(u->result[U_SCHEDULE_SELF] == 0 && u->error[U_SCHEDULE_SELF] == L4_ERROR_NO_PRIVILEGE,
          "Schedule of itself (its scheduler is the root task): result %lu, ErrorCode %lu; expected 0 and 1",
          u->result[U_SCHEDULE_SELF], u->error[U_SCHEDULE_SELF]);
}

static void higher_runs_first(void)
{
    order_reset();
    L4_ThreadId_t a = spawn(logger, 150, 150, sigma0_tid);
    L4_ThreadId_t b = spawn(logger, 200, 200, sigma0_tid);
    L4_ThreadId_t c = spawn(logger, 100, 100, sigma0_tid);
    CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b) && !L4_IsNilThread(c), "no threads");
    sleep_ms(30);
    CHECK(order_n == 3, "%lu of 3 threads ran", order_n);
    CHECK(order[0] == 200 && order[1] == 150 && order[2] == 100,
          "threads of priority 150, 200, 100 (started in that order) ran as %lu, %lu, %lu", order[0], order[1],
          order[2]);
}

static void reprioritise(void)
{
    order_reset();
    L4_ThreadId_t a = spawn(logger, 1, 100, sigma0_tid);
    L4_ThreadId_t b = spawn(logger, 2, 100, sigma0_tid);
    CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b), "no threads");
    L4_Word_t r = schedule(b, ~0UL, ~0UL, 120, 0);
    CHECK(r == L4_SCHEDRESULT_RUNNING, "Schedule returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    sleep_ms(30);
    CHECK(order_n == 2 && order[0] == 2 && order[1] == 1, "after raising the second thread to 120 they ran as %lu, %lu "
          "(%lu ran)", order[0], order[1], order_n);
}

static volatile L4_Word_t rr_last, rr_switches, rr_count[2], longest[2];

static void rr_spinner(L4_Word_t me)
{
    for (;;) {
        if (rr_last != me) {
            rr_last = me;
            ++rr_switches;
        }
        ++rr_count[me];
    }
}

static void round_robin(void)
{
    rr_last = 99;
    rr_switches = rr_count[0] = rr_count[1] = 0;
    L4_ThreadId_t a = spawn_simple(rr_spinner, 0);
    L4_ThreadId_t b = spawn_simple(rr_spinner, 1);
    CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b), "no threads");
    sleep_ms(200);
    L4_Stop(a);
    L4_Stop(b);
    CHECK(rr_count[0] > 0 && rr_count[1] > 0, "in 200 ms one equal-priority spinner never ran (%lu, %lu)",
          rr_count[0], rr_count[1]);
    CHECK(rr_switches >= 6, "two equal-priority spinners alternated only %lu times in 200 ms (10 ms slices)",
          rr_switches);
}

static volatile L4_Word_t woke_after, low_spins_at_wake;

static void timed_high(L4_Word_t arg)
{
    (void)arg;
    L4_Word_t start = now_us();
    recv_ms(sigma0_tid, 30, 0);
    woke_after = now_us() - start;
    low_spins_at_wake = spin_count;
}

static void preemption(void)
{
    spin_count = 0;
    woke_after = low_spins_at_wake = 0;
    L4_ThreadId_t low = spawn(spinner, 0, 50, sigma0_tid);
    L4_ThreadId_t high = spawn(timed_high, 0, 200, sigma0_tid);
    CHECK(!L4_IsNilThread(low) && !L4_IsNilThread(high), "no threads");
    sleep_ms(150);
    CHECK(woke_after != 0, "the priority-200 thread never ran again while a priority-50 thread spun");
    CHECK(woke_after >= period_us(30) && woke_after < 80000,
          "the high thread's 30 ms timeout ended after %lu us although a low-priority thread was spinning",
          woke_after);
    CHECK(low_spins_at_wake != 0, "the low-priority thread did not run meanwhile");
}

static volatile L4_Word_t low_ran, low_ran_during_spin;

static void low_flag(L4_Word_t arg)
{
    (void)arg;
    low_ran = 1;
}

static void high_spin(L4_Word_t arg)
{
    L4_Word_t start = now_us();
    while (now_us() - start < arg * 1000)
        ;
    low_ran_during_spin = low_ran;
}

static void lower_waits(void)
{
    low_ran = 0;
    low_ran_during_spin = 2;
    L4_ThreadId_t low = spawn(low_flag, 0, 100, sigma0_tid);
    L4_ThreadId_t high = spawn(high_spin, 50, 200, sigma0_tid);
    CHECK(!L4_IsNilThread(low) && !L4_IsNilThread(high), "no threads");
    sleep_ms(100);
    CHECK(low_ran_during_spin == 0, "a priority-100 thread ran while a priority-200 thread spun for 50 ms (%lu)",
          low_ran_during_spin);
    CHECK(low_ran == 1, "the low thread did not run after the spinner stopped");
}

static volatile L4_Word_t switched_flag;

static void set_switched(L4_Word_t arg)
{
    (void)arg;
    switched_flag = 1;
}

static void thread_switch_to(void)
{
    switched_flag = 0;
    L4_ThreadId_t t = spawn_simple(set_switched, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_ThreadSwitch(t);
    CHECK(switched_flag == 1, "ThreadSwitch to a ready priority-100 thread returned before it ran");
}

static void yielder(L4_Word_t me)
{
    order_add(me * 10 + 1);
    L4_Yield();
    order_add(me * 10 + 2);
}

static void yield_alternates(void)
{
    order_reset();
    L4_ThreadId_t a = spawn_simple(yielder, 1);
    L4_ThreadId_t b = spawn_simple(yielder, 2);
    CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b), "no threads");
    sleep_ms(30);
    CHECK(order_n == 4, "%lu of 4 steps happened", order_n);
    CHECK(order[0] == 11 && order[1] == 21 && order[2] == 12 && order[3] == 22,
          "yielding equal-priority threads ran as %lu %lu %lu %lu, expected 11 21 12 22", order[0], order[1], order[2],
          order[3]);
}

static void yield_keeps_lower_waiting(void)
{
    switched_flag = 0;
    L4_ThreadId_t t = spawn_simple(set_switched, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Yield();
    CHECK(switched_flag == 0, "L4_Yield of the priority-255 thread ran a priority-100 thread");
}

static void default_time_slice(void)
{
    L4_ThreadId_t t = spawn_simple(spinner, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Time_t slice, quantum;
    L4_Word_t r = L4_Timeslice(t, &slice, &quantum);
    CHECK(r != 0, "L4_Timeslice failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(decode_period(slice.raw) == 10000, "time slice field %#x (%lu us as a time period), expected a 10 ms period; "
          "raw old time control %#lx", slice.raw, decode_period(slice.raw),
          ((L4_Word_t)slice.raw << 16) | quantum.raw);
}

static void slice_spinner(L4_Word_t me)
{
    L4_Word_t segment_start = now_us();
    for (;;) {
        L4_Word_t now = now_us();
        if (rr_last != me) {
            /* now may have been read before a preemption: start the stretch afresh. */
            rr_last = me;
            segment_start = now = now_us();
        }
        if (now - segment_start > longest[me])
            longest[me] = now - segment_start;
    }
}

static void longer_slice(void)
{
    rr_last = 99;
    longest[0] = longest[1] = 0;
    L4_ThreadId_t a = spawn_simple(slice_spinner, 0);
    L4_ThreadId_t b = spawn_simple(slice_spinner, 1);
    CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b), "no threads");
    L4_Word_t r = L4_Set_Timeslice(a, L4_TimePeriod(50000), L4_Never);
    CHECK(r != 0, "L4_Set_Timeslice failed with ErrorCode %lu", L4_ErrorCode());
    sleep_ms(400);
    L4_Stop(a);
    L4_Stop(b);
    CHECK(longest[0] >= 35000, "the thread with a 50 ms slice ran at most %lu us at a stretch", longest[0]);
    CHECK(longest[0] < 100000, "the thread with a 50 ms slice ran %lu us at a stretch: its slice did not end",
          longest[0]);
    CHECK(longest[1] > 0, "the thread with the default slice never ran");
    CHECK(longest[1] < 30000, "the thread with the default 10 ms slice ran %lu us at a stretch", longest[1]);
}

static void blocked_receiver(L4_Word_t arg)
{
    (void)arg;
    recv_ms(main_tid, 2000, 0);
}

static void result_waiting(void)
{
    L4_ThreadId_t t = spawn_simple(blocked_receiver, 0);
    CHECK(!L4_IsNilThread(t) && wait_state(t, 2, 1000), "receiver never blocked");
    L4_Word_t r = state_of(t);
    CHECK(r == L4_SCHEDRESULT_WAITING, "Schedule of a thread blocked in receive returned %lu (ErrorCode %lu), "
          "expected 6 (waiting)", r, L4_ErrorCode());
}

static void blocked_sender(L4_Word_t arg)
{
    (void)arg;
    load_msg(LABEL_PING, 0, 0, 0, 0);
    send_ms(main_tid, 2000);
}

static void result_pending_send(void)
{
    L4_ThreadId_t t = spawn_simple(blocked_sender, 0);
    CHECK(!L4_IsNilThread(t) && wait_state(t, 4, 1000), "sender never blocked");
    L4_Word_t r = state_of(t);
    CHECK(r == L4_SCHEDRESULT_PENDING_SEND, "Schedule of a thread blocked in send returned %lu (ErrorCode %lu), "
          "expected 4 (pending send)", r, L4_ErrorCode());
}

static void result_inactive(void)
{
    L4_ThreadId_t t = new_tid();
    CHECK(L4_ThreadControl(t, main_tid, main_tid, L4_nilthread, (void *)-1) == 1, "could not create");
    L4_Word_t r = state_of(t);
    L4_Word_t error = L4_ErrorCode();
    L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    CHECK(r == L4_SCHEDRESULT_INACTIVE, "Schedule of a created but inactive thread returned %lu (ErrorCode %lu), "
          "expected 2 (inactive)", r, error);
}

static volatile L4_Word_t high_got, low_saw;

static void high_receiver(L4_Word_t from)
{
    L4_ThreadId_t f = {.raw = from};
    L4_MsgTag_t tag = recv_ms(f, 2000, 0);
    high_got = L4_IpcSucceeded(tag) ? 1 : 2;
}

static void low_sender(L4_Word_t to_unused)
{
    (void)to_unused;
    sleep_ms(10);
    L4_ThreadId_t to = {.raw = order[0]};
    load_msg(LABEL_PING, 0, 0, 0, 0);
    L4_MsgTag_t tag = send_ms(to, 1000);
    low_saw = L4_IpcSucceeded(tag) ? high_got : 3;
}

static void wake_preempts(void)
{
    high_got = 0;
    low_saw = 9;
    order_reset();
    L4_ThreadId_t low = spawn(low_sender, 0, 100, sigma0_tid);
    CHECK(!L4_IsNilThread(low), "no low thread");
    L4_ThreadId_t high = spawn(high_receiver, low.raw, 200, sigma0_tid);
    CHECK(!L4_IsNilThread(high), "no high thread");
    order[0] = high.raw;
    sleep_ms(50);
    CHECK(low_saw != 9, "the sender did not finish");
    CHECK(low_saw != 3, "the send failed");
    CHECK(low_saw == 1, "right after its send the priority-100 sender saw the priority-200 receiver had not run yet");
}

static void lowest_priority_runs(void)
{
    switched_flag = 0;
    L4_ThreadId_t t = spawn(set_switched, 0, 0, sigma0_tid);
    CHECK(!L4_IsNilThread(t), "no thread");
    sleep_ms(20);
    CHECK(switched_flag == 1, "a priority-0 thread did not run while every other thread was blocked");
}

static void switcher_to_nobody(L4_Word_t me)
{
    order_add(me * 10 + 1);
    L4_ThreadSwitch(L4_GlobalId(3971, 1)); /* no such thread: a plain yield */
    order_add(me * 10 + 2);
}

static void switch_to_missing(void)
{
    order_reset();
    L4_ThreadId_t a = spawn_simple(switcher_to_nobody, 1);
    L4_ThreadId_t b = spawn_simple(logger, 5);
    CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b), "no threads");
    sleep_ms(30);
    CHECK(order_n == 3, "%lu of 3 steps happened", order_n);
    CHECK(order[0] == 11 && order[1] == 5 && order[2] == 12, "ran as %lu %lu %lu, expected 11 5 12 (ThreadSwitch to "
          "a nonexistent thread yields to the equal-priority thread)", order[0], order[1], order[2]);
}

static void unsupported_controls_refused(void)
{
    L4_ThreadId_t t = spawn_simple(spinner, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Word_t old;
    /* Priority 50 together with a finite total quantum of 100 ms: refused as a whole. */
    L4_Word_t time_control = (L4_Word_t)0xffff << 16 | L4_TimePeriod(100000).raw;
    set_error_code(0xee);
    L4_Word_t r = L4_Schedule(t, time_control, ~0UL, 50, ~0UL, &old);
    CHECK(r == 0 && L4_ErrorCode() == 5, "a finite total quantum: result %lu, ErrorCode %lu; expected 0 and 5", r,
          L4_ErrorCode());
    set_error_code(0xee);
    r = L4_Schedule(t, ~0UL, ~0UL, 50, 0, &old);
    CHECK(r == 0 && L4_ErrorCode() == 5, "preemption control: result %lu, ErrorCode %lu; expected 0 and 5", r,
          L4_ErrorCode());
    r = L4_Schedule(t, ~0UL, ~0UL, 60, ~0UL, &old);
    CHECK(r != 0, "a plain priority change after the refusals failed with ErrorCode %lu", L4_ErrorCode());
}

void schedule_tests(void)
{
    run_test("SCH0001", "Schedule of a ready thread and of oneself returns running (3)", result_running);
    run_test("SCH0002", "Schedule with priority 256 fails with invalid parameter (5)", priority_too_high);
    run_test("SCH0003", "Schedule of a nonexistent thread fails with invalid thread (2)", missing_thread);
    run_test("SCH0004", "Schedule naming processor 1 fails with invalid parameter (5), processor 0 is fine",
             bad_processor);
    run_test("SCH0005", "Schedule by an unprivileged thread that is not the scheduler fails with no privilege (1)",
             unprivileged_schedule);
    run_test("SCH0006", "the highest-priority ready thread runs first", higher_runs_first);
    run_test("SCH0007", "Schedule raising a ready thread's priority makes it run first", reprioritise);
    run_test("SCH0008", "equal-priority threads share the processor round-robin in time slices", round_robin);
    run_test("SCH0009", "a higher-priority thread whose timeout fires preempts a spinning lower one", preemption);
    run_test("SCH0010", "a lower-priority thread does not run while a higher-priority one spins", lower_waits);
    run_test("SCH0011", "ThreadSwitch to a ready thread runs it before the caller continues", thread_switch_to);
    run_test("SCH0012", "L4_Yield passes the processor between equal-priority threads in turn", yield_alternates);
    run_test("SCH0013", "L4_Yield of the highest-priority thread does not run lower ones", yield_keeps_lower_waiting);
    run_test("SCH0014", "L4_Timeslice reports the default 10 ms time slice as a time period", default_time_slice);
    run_test("SCH0015", "a 50 ms time slice set by Schedule lets a thread run longer at a stretch", longer_slice);
    run_test("SCH0016", "Schedule of a thread blocked in receive reports waiting (6)", result_waiting);
    run_test("SCH0017", "Schedule of a thread blocked in send reports pending send (4)", result_pending_send);
    run_test("SCH0018", "Schedule of a created but inactive thread reports inactive (2)", result_inactive);
    run_test("SCH0019", "a send that wakes a higher-priority receiver switches to it at once", wake_preempts);
    run_test("SCH0020", "a priority-0 thread runs when nothing else is ready", lowest_priority_runs);
    run_test("SCH0021", "ThreadSwitch to a nonexistent thread acts as a yield", switch_to_missing);
    run_test("SCH0022", "a finite total quantum or preemption control is refused with invalid parameter (5)",
             unsupported_controls_refused);
}
