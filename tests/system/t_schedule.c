/* SPDX-License-Identifier: MIT */
/* SCH: Schedule, ThreadSwitch, priorities, preemption and time slices. */
#include "systest.h"

#include <l4/tern/processor_time.h>

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

/* A tick during the donated run may give the processor back to the caller (ready, of the
 * higher priority) before the thread got to its store: Bochs, whose clock counts
 * instructions, had one land there every time once other tests shifted its phase. So three
 * tries, each with a new thread; ThreadSwitch that never runs the thread first fails all. */
static void thread_switch_to(void)
{
    for (int attempt = 0; attempt < 3; ++attempt) {
        switched_flag = 0;
        L4_ThreadId_t t = spawn_simple(set_switched, 0);
        CHECK(!L4_IsNilThread(t), "no thread");
        L4_ThreadSwitch(t);
        if (switched_flag == 1)
            return;
        sleep_ms(2);  /* (it runs now, and ends) */
    }
    CHECK(0, "ThreadSwitch to a ready priority-100 thread returned before it ran, three times");
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

/* Time control with the time slice unchanged and the given total quantum field. */
#define QUANTUM_ONLY(raw) (((L4_Word_t)0xffff << 16) | (raw))

static L4_Word_t quantum_field(L4_Word_t time_control) { return time_control & 0xffff; }

static void malformed_controls_refused(void)
{
    L4_ThreadId_t t = spawn_simple(spinner, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Word_t old;
    const L4_Word_t quantum = QUANTUM_ONLY(L4_TimePeriod(30000).raw);
    const struct {
        const char *what;
        L4_Word_t time, preemption;
    } bad[] = {
        {"a total quantum given as a time point", QUANTUM_ONLY(0x8000 | 0x100), ~0UL},
        {"a time slice given as a time point", ((L4_Word_t)(0x8000 | 0x100) << 16) | 0xffff, ~0UL},
        {"time control bits above 31", (1UL << 32) | quantum, ~0UL},
        {"preemption control bits above 23 (Pistachio's HS extension)", quantum, 1UL << 25},
        {"preemption control bit 24", quantum, 1UL << 24 | 100},
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        set_error_code(0xee);
        /* Priority 50 rides along: a refusal must change nothing at all. */
        L4_Word_t r = L4_Schedule(t, bad[i].time, ~0UL, 50, bad[i].preemption, &old);
        CHECK(r == 0 && L4_ErrorCode() == L4_ERROR_INVALID_PARAM, "%s: result %lu, ErrorCode %lu; expected 0 and 5",
              bad[i].what, r, L4_ErrorCode());
        r = schedule(t, ~0UL, ~0UL, ~0UL, &old);
        CHECK(r == L4_SCHEDRESULT_RUNNING && quantum_field(old) == 0,
              "after refusing %s the thread's total quantum is %#lx, expected 0 (never: unchanged)", bad[i].what,
              quantum_field(old));
    }
    /* Well-formed controls are taken, all in one call. */
    L4_Word_t r = L4_Schedule(t, quantum, ~0UL, 50, (150UL << 16) | 1000, &old);
    CHECK(r == L4_SCHEDRESULT_RUNNING, "a finite total quantum with preemption control and priority 50: result %lu, "
          "ErrorCode %lu", r, L4_ErrorCode());
    r = schedule(t, ~0UL, ~0UL, ~0UL, &old);
    CHECK(decode_period(quantum_field(old)) > 0 && decode_period(quantum_field(old)) <= 30000,
          "the total quantum set to 30 ms reads back as %#lx", quantum_field(old));
}

/* --- total quantum (X.2 preemption protocol) --- */

static volatile L4_Word_t quantum_spins;

static void quantum_spinner(L4_Word_t arg)
{
    (void)arg;
    for (;;)
        ++quantum_spins;
}

/* The time a thread ran before its preemption message is whole ticks of 10 ms: a quantum
 * of q us ends at the first tick that brings the charged ticks to q or more, and the
 * first tick charges a whole tick however little of it the thread ran. */
static void quantum_expiry(void)
{
    quantum_spins = 0;
    L4_ThreadId_t t = spawn_simple(quantum_spinner, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Word_t old;
    L4_Word_t r = schedule(t, QUANTUM_ONLY(L4_TimePeriod(25000).raw), ~0UL, ~0UL, &old);
    CHECK(r == L4_SCHEDRESULT_RUNNING, "setting a 25 ms total quantum: result %lu, ErrorCode %lu", r,
          L4_ErrorCode());
    CHECK(quantum_field(old) == 0, "the default total quantum reads %#lx, expected 0 (never)", quantum_field(old));

    L4_Word_t start = now_us();
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(t, 1000, &from);
    L4_Word_t arrived = now_us();
    CHECK(L4_IpcSucceeded(tag), "no preemption message within 1 s of a 25 ms quantum (ErrorCode %lu)",
          L4_ErrorCode());
    CHECK(from.raw == seen_as(t).raw, "the message came from %#lx, not from the thread %#lx", from.raw, seen_as(t).raw);
    CHECK(is_label(tag, PREEMPT_LABEL), "label %#lx, expected %#lx (-3 << 4)", L4_Label(tag), PREEMPT_LABEL);
    CHECK(L4_UntypedWords(tag) == 2 && L4_TypedWords(tag) == 0, "%lu untyped and %lu typed words, expected 2 and 0",
          (L4_Word_t)L4_UntypedWords(tag), (L4_Word_t)L4_TypedWords(tag));
    L4_Word_t clock = mr(1);
    CHECK(mr(2) == 0, "MR2 (upper word of the clock) is %#lx", mr(2));
    CHECK(clock >= start && clock <= arrived, "the message's clock %lu is not between %lu and %lu", clock, start,
          arrived);
    CHECK(clock - start >= 20000, "the preemption came %lu us after the thread started: a 25 ms quantum is at least "
          "two whole ticks", clock - start);
    CHECK(clock - start < 100000, "the preemption came only %lu us after the thread started", clock - start);
    CHECK(quantum_spins != 0, "the thread never ran");

    /* It waits for the reply: it does not run, and it has no quantum left. */
    L4_Word_t spins = quantum_spins;
    sleep_ms(50);
    CHECK(quantum_spins == spins, "the thread ran on (%lu spins) after its preemption message, before any reply",
          quantum_spins - spins);
    r = schedule(t, QUANTUM_ONLY(L4_TimePeriod(50000).raw), ~0UL, ~0UL, &old);
    CHECK(r != 0, "granting 50 ms failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(quantum_field(old) != 0 && decode_period(quantum_field(old)) == 0,
          "the exhausted quantum reads %#lx, expected a zero period", quantum_field(old));

    /* The reply with a new quantum lets it go on, until that is used up too. */
    load_msg(LABEL_PING, 0, 0, 0, 0);
    L4_Word_t replied = now_us();
    tag = send_ms(t, 100);
    CHECK(L4_IpcSucceeded(tag), "the reply failed with ErrorCode %lu", L4_ErrorCode());
    spins = quantum_spins;
    tag = recv_ms(t, 1000, &from);
    CHECK(is_label(tag, PREEMPT_LABEL), "no second preemption message after granting 50 ms (tag %#lx, ErrorCode %lu)",
          tag.raw, L4_ErrorCode());
    CHECK(quantum_spins != spins, "the thread did not run between the reply and its second preemption");
    CHECK(mr(1) - replied >= 40000 && mr(1) - replied < 150000,
          "the second preemption came %lu us after the reply that granted 50 ms", mr(1) - replied);
}

static void reply_without_quantum(void)
{
    quantum_spins = 0;
    L4_ThreadId_t t = spawn_simple(quantum_spinner, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Word_t old;
    CHECK(schedule(t, QUANTUM_ONLY(L4_TimePeriod(20000).raw), ~0UL, ~0UL, &old) != 0,
          "setting a 20 ms quantum failed with ErrorCode %lu", L4_ErrorCode());
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, PREEMPT_LABEL), "no preemption message (tag %#lx, ErrorCode %lu)", tag.raw, L4_ErrorCode());
    /* A reply that leaves the quantum exhausted: the thread asks again at once, without
     * running in between. */
    for (int round = 0; round < 3; ++round) {
        L4_Word_t spins = quantum_spins;
        load_msg(LABEL_PING, 0, 0, 0, 0);
        L4_Word_t replied = now_us();
        tag = L4_Call_Timeouts(t, ms_time(100), ms_time(100));
        CHECK(is_label(tag, PREEMPT_LABEL), "round %d: no new preemption message after a reply without quantum "
              "(tag %#lx, ErrorCode %lu)", round, tag.raw, L4_ErrorCode());
        CHECK(mr(1) >= replied && mr(1) - replied < 5000, "round %d: the next message came %lu us after the reply",
              round, mr(1) - replied);
        CHECK(quantum_spins == spins, "round %d: the thread ran (%lu spins) without quantum", round,
              quantum_spins - spins);
    }
}

static void quantum_reported(void)
{
    quantum_spins = 0;
    L4_ThreadId_t t = spawn_simple(quantum_spinner, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Word_t old;
    CHECK(schedule(t, QUANTUM_ONLY(L4_TimePeriod(500000).raw), ~0UL, ~0UL, &old) != 0,
          "setting a 500 ms quantum failed with ErrorCode %lu", L4_ErrorCode());
    schedule(t, ~0UL, ~0UL, ~0UL, &old);
    L4_Word_t before = decode_period(quantum_field(old));
    CHECK(before <= 500000 && before >= 499000, "a fresh 500 ms quantum reads as %lu us (field %#lx)", before,
          quantum_field(old));
    CHECK(decode_period(old >> 16) == 10000, "the time slice field reads %#lx, expected the 10 ms slice",
          (old >> 16) & 0xffff);
    sleep_ms(100);
    schedule(t, ~0UL, ~0UL, ~0UL, &old);
    L4_Word_t after = decode_period(quantum_field(old));
    CHECK(quantum_spins != 0, "the thread never ran");
    CHECK(after >= 370000 && after <= 420000,
          "after the thread ran about 100 ms its remaining quantum reads %lu us, expected about 400 ms", after);
}

static void quantum_never(void)
{
    quantum_spins = 0;
    L4_ThreadId_t t = spawn_simple(quantum_spinner, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Word_t old;
    CHECK(schedule(t, QUANTUM_ONLY(L4_TimePeriod(20000).raw), ~0UL, ~0UL, &old) != 0,
          "setting a 20 ms quantum failed with ErrorCode %lu", L4_ErrorCode());
    /* L4_Never (0) replaces it by an infinite one. */
    CHECK(L4_Set_Timeslice(t, L4_TimePeriod(10000), L4_Never) != 0, "L4_Set_Timeslice with L4_Never failed with "
          "ErrorCode %lu", L4_ErrorCode());
    schedule(t, ~0UL, ~0UL, ~0UL, &old);
    CHECK(quantum_field(old) == 0, "an infinite total quantum reads %#lx, expected 0 (never)", quantum_field(old));
    L4_MsgTag_t tag = recv_ms(t, 150, 0);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE),
          "a thread with an infinite quantum sent its scheduler %#lx (ErrorCode %lu) within 150 ms", tag.raw,
          L4_ErrorCode());
    CHECK(quantum_spins != 0, "the thread did not run");
}

static void parker(L4_Word_t arg)
{
    (void)arg;
}

static void quantum_without_scheduler(void)
{
    quantum_spins = 0;
    L4_ThreadId_t scheduler = spawn_simple(parker, 0);
    L4_ThreadId_t t = spawn_simple(quantum_spinner, 0);
    CHECK(!L4_IsNilThread(scheduler) && !L4_IsNilThread(t), "no threads");
    L4_Word_t r = L4_ThreadControl(t, main_tid, scheduler, L4_nilthread, (void *)-1);
    CHECK(r == 1, "making the other thread its scheduler failed with ErrorCode %lu", L4_ErrorCode());
    kill_thread(scheduler);
    L4_Word_t old;
    CHECK(schedule(t, QUANTUM_ONLY(L4_TimePeriod(20000).raw), ~0UL, ~0UL, &old) != 0,
          "setting a 20 ms quantum failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(wait_state(t, 1, 500) == 1, "the thread whose scheduler is gone was not halted when its quantum ran out "
          "(state %#lx, %lu spins)", thread_state(t, 0, 0), quantum_spins);
    L4_Word_t spins = quantum_spins;
    sleep_ms(30);
    CHECK(quantum_spins == spins, "the halted thread still runs");
    /* Resumed without quantum it stops again; given an infinite one it goes on. */
    L4_Start(t);
    CHECK(wait_state(t, 1, 500) == 1, "resumed without quantum, the thread was not halted again");
    CHECK(quantum_spins == spins, "resumed without quantum, the thread ran (%lu spins)", quantum_spins - spins);
    CHECK(schedule(t, QUANTUM_ONLY(0), ~0UL, ~0UL, &old) != 0, "setting an infinite quantum failed");
    L4_Start(t);
    sleep_ms(30);
    CHECK(quantum_spins != spins, "with an infinite quantum and resumed, the thread did not run");
}

/* --- delayed preemption (X.2 preemption control) --- */

static volatile L4_Word_t other_ran, other_saw_done, cs_done, cs_saw_other, cs_flags, cs_pending[2], cs_seen_at;
static volatile L4_Word_t high_saw_done, high_slept;

static void delay_reset(void)
{
    other_ran = other_saw_done = cs_done = cs_saw_other = cs_flags = cs_seen_at = 0;
    cs_pending[0] = cs_pending[1] = 9;
    high_saw_done = 9;
    high_slept = 0;
}

static void other_thread(L4_Word_t arg)
{
    (void)arg;
    other_saw_done = cs_done;
    other_ran = 1;
}

/* arg of critical_section: its length in ms and what it asks for. UTCBs are reused between
 * tests, so every thread sets both flags itself. */
#define CS_REQUEST (1UL << 16)     /* delayed preemption (UTCB flags bit 6) */
#define CS_FAULT (1UL << 17)       /* preemption-fault exception (bit 5), handler: main */

/* A critical section of arg ms, then a yield. */
static void critical_section(L4_Word_t arg)
{
    if (arg & CS_FAULT) {
        L4_Set_ExceptionHandler(main_tid);
        L4_EnablePreemptionFaultException();
    } else {
        L4_DisablePreemptionFaultException();
    }
    if (arg & CS_REQUEST)
        L4_EnablePreemption();
    else
        L4_DisablePreemption();
    L4_Word_t start = now_us();
    L4_Word_t now;
    while ((now = now_us()) - start < (arg & 0xffff) * 1000)
        if (other_ran && cs_seen_at == 0)
            cs_seen_at = now - start + 1;
    cs_saw_other = other_ran;
    cs_flags = my_utcb()[TERN_UTCB_FLAGS / 8];
    cs_pending[0] = L4_PreemptionPending();
    cs_pending[1] = L4_PreemptionPending();
    L4_DisablePreemption();
    L4_DisablePreemptionFaultException();
    cs_done = 1;
    L4_ThreadSwitch(L4_nilthread);
}

static L4_ThreadId_t start_critical(L4_Word_t arg, L4_Word_t sensitive, L4_Word_t max_delay_us)
{
    L4_ThreadId_t t = spawn(critical_section, arg, 100, sigma0_tid);
    if (L4_IsNilThread(t))
        return t;
    L4_Word_t r = L4_Set_PreemptionDelay(t, sensitive, max_delay_us);
    if (r != L4_SCHEDRESULT_RUNNING) {
        fail("L4_Set_PreemptionDelay(%lu, %lu us) returned %lu, ErrorCode %lu", sensitive, max_delay_us, r,
             L4_ErrorCode());
        return L4_nilthread;
    }
    return t;
}

static void delay_at_slice_end(void)
{
    delay_reset();
    L4_ThreadId_t t = start_critical(25 | CS_REQUEST, 100, 50000);
    L4_ThreadId_t o = spawn(other_thread, 0, 100, sigma0_tid);
    CHECK(!L4_IsNilThread(t) && !L4_IsNilThread(o), "no threads");
    sleep_ms(150);
    CHECK(cs_done, "the critical section did not end");
    CHECK(!cs_saw_other, "an equal-priority thread ran during a 25 ms critical section with a 50 ms delay allowed");
    CHECK(cs_flags & (1UL << 7), "the preemption-pending flag was not set (flags %#lx)", cs_flags);
    CHECK(other_ran && other_saw_done, "the other thread did not run after the yield that ended the critical section");
}

static void pending_read_clears(void)
{
    delay_reset();
    L4_ThreadId_t t = start_critical(25 | CS_REQUEST, 100, 50000);
    L4_ThreadId_t o = spawn(other_thread, 0, 100, sigma0_tid);
    CHECK(!L4_IsNilThread(t) && !L4_IsNilThread(o), "no threads");
    sleep_ms(150);
    CHECK(cs_done, "the critical section did not end");
    CHECK(cs_pending[0] == 1 && cs_pending[1] == 0,
          "L4_PreemptionPending returned %lu and then %lu, expected 1 then 0", cs_pending[0], cs_pending[1]);
}

static void delay_not_requested(void)
{
    delay_reset();
    /* Preemption control allows a 50 ms delay, but the thread does not ask for one. */
    L4_ThreadId_t t = start_critical(25, 100, 50000);
    L4_ThreadId_t o = spawn(other_thread, 0, 100, sigma0_tid);
    CHECK(!L4_IsNilThread(t) && !L4_IsNilThread(o), "no threads");
    sleep_ms(150);
    CHECK(cs_done, "the critical section did not end");
    CHECK(cs_saw_other, "without the delay flag the equal-priority thread still waited for a 25 ms critical section");
    CHECK(!(cs_flags & (1UL << 7)), "the preemption-pending flag was set without a delay (flags %#lx)", cs_flags);
}

static void delay_overrun(void)
{
    delay_reset();
    L4_ThreadId_t t = start_critical(60 | CS_REQUEST, 100, 5000);
    L4_ThreadId_t o = spawn(other_thread, 0, 100, sigma0_tid);
    CHECK(!L4_IsNilThread(t) && !L4_IsNilThread(o), "no threads");
    sleep_ms(200);
    CHECK(cs_done, "the critical section did not end");
    CHECK(cs_seen_at != 0, "the equal-priority thread never ran during 60 ms although only 5 ms of delay were "
          "allowed");
    CHECK(cs_seen_at < 35000, "the equal-priority thread ran only %lu us into the critical section (delay 5 ms, "
          "ticks of 10 ms)", cs_seen_at - 1);
    CHECK(!(cs_flags & (1UL << 7)), "the preemption-pending flag is still set after the overrun was preempted "
          "(flags %#lx)", cs_flags);
}

static void delay_overrun_fault(void)
{
    delay_reset();
    L4_ThreadId_t t = start_critical(60 | CS_REQUEST | CS_FAULT, 100, 5000);
    L4_ThreadId_t o = spawn(other_thread, 0, 100, sigma0_tid);
    CHECK(!L4_IsNilThread(t) && !L4_IsNilThread(o), "no threads");
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(t, 500, &from);
    CHECK(is_exception(tag), "no exception message from the thread that overran its delay (tag %#lx, ErrorCode %lu)",
          tag.raw, L4_ErrorCode());
    CHECK(L4_UntypedWords(tag) == EXC_WORDS, "%lu words, expected %d", (L4_Word_t)L4_UntypedWords(tag), EXC_WORDS);
    CHECK(mr(X_VECTOR) == PREEMPTION_FAULT_VECTOR, "vector %lu, expected %lu (preemption fault)", mr(X_VECTOR),
          PREEMPTION_FAULT_VECTOR);
    /* It may have been interrupted in a KIP stub (SystemClock) as well as in its own code. */
    L4_Word_t rip = mr(X_RIP);
    CHECK((rip >= image_low && rip < image_high) || IN_STUB_PAGE(rip),
          "rip %#lx is neither in the test image nor in the KIP's stub page", rip);
    CHECK(!cs_done, "the critical section ended before the fault");
    load_msg(0, 0, 0, 0, 0); /* a short reply leaves the registers */
    tag = send_ms(t, 100);
    CHECK(L4_IpcSucceeded(tag), "the reply failed with ErrorCode %lu", L4_ErrorCode());
    sleep_ms(150);
    CHECK(cs_done, "the thread did not finish its critical section after the reply");
}

static void sleeping_high(L4_Word_t arg)
{
    (void)arg;
    L4_Word_t start = now_us();
    sleep_ms(5);
    high_slept = now_us() - start;
    high_saw_done = cs_done;
}

static void wakeup_up_to_sensitive_delayed(void)
{
    delay_reset();
    /* The woken thread (120) is below the sensitive priority (150). */
    L4_ThreadId_t h = spawn(sleeping_high, 0, 120, sigma0_tid);
    L4_ThreadId_t t = start_critical(25 | CS_REQUEST, 150, 50000);
    CHECK(!L4_IsNilThread(h) && !L4_IsNilThread(t), "no threads");
    sleep_ms(150);
    CHECK(cs_done, "the critical section did not end");
    CHECK(high_saw_done == 1, "a priority-120 thread woke into a priority-100 thread's critical section although "
          "its sensitive priority is 150 (saw %lu)", high_saw_done);
    CHECK(cs_flags & (1UL << 7), "the preemption-pending flag was not set (flags %#lx)", cs_flags);
}

static void wakeup_above_sensitive_preempts(void)
{
    delay_reset();
    /* The woken thread (200) is above the sensitive priority (150). */
    L4_ThreadId_t h = spawn(sleeping_high, 0, 200, sigma0_tid);
    L4_ThreadId_t t = start_critical(40 | CS_REQUEST, 150, 50000);
    CHECK(!L4_IsNilThread(h) && !L4_IsNilThread(t), "no threads");
    sleep_ms(150);
    CHECK(cs_done, "the critical section did not end");
    CHECK(high_saw_done == 0, "a priority-200 thread had to wait for the end of a critical section with sensitive "
          "priority 150 (saw %lu)", high_saw_done);
    CHECK(high_slept < 25000, "the priority-200 thread's 5 ms sleep took %lu us", high_slept);
}

/* --- an unprivileged scheduler --- */

enum { SELF_HIGH, SELF_HIGH_ERROR, SELF_SLICE, SELF_OWN, SELF_OWN_ERROR, SELF_LOWER, SELF_LOWER_ERROR, SELF_BACK,
       SELF_BACK_ERROR, SELF_SENSITIVE, SELF_SENSITIVE_ERROR, SELF_SENSITIVE_LOW, SELF_WORDS };
#define SLICE_50MS (((L4_Word_t)L4_TimePeriod(50000).raw << 16) | 0xffff)

/* A thread of an unprivileged task that is its own scheduler, at priority 100. */
static void self_scheduler_child(void)
{
    L4_Word_t w[SELF_WORDS], old = 0;
    set_error_code(0xee);
    w[SELF_HIGH] = L4_Schedule(L4_Myself(), SLICE_50MS, ~0UL, 254, ~0UL, &old);
    w[SELF_HIGH_ERROR] = L4_ErrorCode();
    (void)L4_Schedule(L4_Myself(), ~0UL, ~0UL, ~0UL, ~0UL, &old);
    w[SELF_SLICE] = old >> 16;
    set_error_code(0xee);
    w[SELF_OWN] = L4_Schedule(L4_Myself(), ~0UL, ~0UL, 100, ~0UL, &old);
    w[SELF_OWN_ERROR] = L4_ErrorCode();
    set_error_code(0xee);
    w[SELF_LOWER] = L4_Schedule(L4_Myself(), ~0UL, ~0UL, 50, ~0UL, &old);
    w[SELF_LOWER_ERROR] = L4_ErrorCode();
    set_error_code(0xee);
    w[SELF_BACK] = L4_Schedule(L4_Myself(), ~0UL, ~0UL, 100, ~0UL, &old);
    w[SELF_BACK_ERROR] = L4_ErrorCode();
    set_error_code(0xee);
    w[SELF_SENSITIVE] = L4_Schedule(L4_Myself(), ~0UL, ~0UL, ~0UL, 200UL << 16 | 1000, &old);
    w[SELF_SENSITIVE_ERROR] = L4_ErrorCode();
    w[SELF_SENSITIVE_LOW] = L4_Schedule(L4_Myself(), ~0UL, ~0UL, ~0UL, 40UL << 16 | 1000, &old);
    load_words(LABEL_REPORT, SELF_WORDS, w);
    send_ms(main_tid, 2000);
    park();
}

static void unprivileged_priority_ceiling(void)
{
    L4_ThreadId_t child = spawn_child(self_scheduler_child, 0);
    CHECK(!L4_IsNilThread(child), "no child task");
    /* The child (priority 100) has not run yet: the root task runs at 255. */
    CHECK(L4_ThreadControl(child, child, child, L4_nilthread, (void *)-1) == 1,
          "making the child its own scheduler failed: ErrorCode %lu", L4_ErrorCode());
    L4_MsgTag_t tag = serve_child(child, 3000, 0);
    CHECK(is_label(tag, LABEL_REPORT) && L4_UntypedWords(tag) == SELF_WORDS, "the child did not report (tag %#lx)",
          tag.raw);
    L4_Word_t w[SELF_WORDS];
    for (int i = 0; i < SELF_WORDS; ++i)
        w[i] = mr(i + 1);
    CHECK(w[SELF_HIGH] == 0 && w[SELF_HIGH_ERROR] == L4_ERROR_INVALID_PARAM,
          "priority 254 above its own 100: result %lu, ErrorCode %lu; expected 0 and 5", w[SELF_HIGH],
          w[SELF_HIGH_ERROR]);
    CHECK(w[SELF_SLICE] == L4_TimePeriod(10000).raw,
          "the refused call changed the time slice to %#lx (expected 10 ms, %#x)", w[SELF_SLICE],
          L4_TimePeriod(10000).raw);
    CHECK(w[SELF_OWN] == L4_SCHEDRESULT_RUNNING, "its own priority 100: result %lu, ErrorCode %lu", w[SELF_OWN],
          w[SELF_OWN_ERROR]);
    CHECK(w[SELF_LOWER] == L4_SCHEDRESULT_RUNNING, "priority 50: result %lu, ErrorCode %lu", w[SELF_LOWER],
          w[SELF_LOWER_ERROR]);
    CHECK(w[SELF_BACK] == 0 && w[SELF_BACK_ERROR] == L4_ERROR_INVALID_PARAM,
          "back to 100 from 50: result %lu, ErrorCode %lu; expected 0 and 5", w[SELF_BACK], w[SELF_BACK_ERROR]);
    CHECK(w[SELF_SENSITIVE] == 0 && w[SELF_SENSITIVE_ERROR] == L4_ERROR_INVALID_PARAM,
          "sensitive priority 200 above its own 50: result %lu, ErrorCode %lu; expected 0 and 5", w[SELF_SENSITIVE],
          w[SELF_SENSITIVE_ERROR]);
    CHECK(w[SELF_SENSITIVE_LOW] == L4_SCHEDRESULT_RUNNING, "sensitive priority 40: result %lu", w[SELF_SENSITIVE_LOW]);
    /* The root task is privileged: any priority. */
    CHECK(schedule(child, ~0UL, ~0UL, 254, 0) != 0, "the root task could not set priority 254: ErrorCode %lu",
          L4_ErrorCode());
}

/* SCH0036: a sender queued at the main thread (priority 255, as the root task) notes when
 * its send has returned; the main thread notes when its receive has. */
static void queued_send_then_note(L4_Word_t me)
{
    load_msg(LABEL_PING, 1, me, 0, 0);
    L4_MsgTag_t tag = send_ms(main_tid, 2000);
    order_add(L4_IpcSucceeded(tag) ? me : 99);
    park();
}

static L4_Word_t receive_then_note(int prio)
{
    order_reset();
    L4_ThreadId_t t = spawn(queued_send_then_note, 1, prio, sigma0_tid);
    if (L4_IsNilThread(t) || wait_state(t, 4, 1000) == 0) {
        fail("the sender (priority %d) never blocked sending", prio);
        return 0;
    }
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    order_add(L4_IpcSucceeded(tag) && mr(1) == 1 ? 2 : 98);
    sleep_ms(5); /* the lower-priority sender notes now */
    kill_thread(t);
    return order_n == 2 ? order[0] * 10 + order[1] : 0;
}

static void taken_sender_runs_first(void)
{
    /* Equal priority: the sender, blocked longer, goes on before the receiver. */
    L4_Word_t seen = receive_then_note(255);
    CHECK(seen == 12, "order %lu, expected 12: the receiver went on before the equal-priority sender whose message it "
          "took", seen);
    /* A lower priority sender runs once the receiver blocks. */
    seen = receive_then_note(100);
    CHECK(seen == 21, "order %lu, expected 21: a lower-priority sender ran before its receiver", seen);
}

/* SCH0037 (Tern's): Schedule's time_used and the KIP's idle time. Ticks are charged whole
 * to the thread they interrupt, so the figures are checked to within ticks. */
static void time_used_and_idle(void)
{
    spin_count = 0;
    L4_ThreadId_t spinning = spawn(spinner, 0, 50, sigma0_tid);
    CHECK(!L4_IsNilThread(spinning), "no thread");
    L4_Word_t before = 1, after_run = 0, later = 0;
    CHECK(tern_time_used(spinning, &before) == 3, "Schedule of the new spinner did not report running");
    sleep_ms(100);
    L4_Stop(spinning);
    CHECK(tern_time_used(spinning, &after_run) != 0, "Schedule failed (ErrorCode %lu)", L4_ErrorCode());
    CHECK(after_run >= 50000 && after_run <= 120000 && after_run >= before,
          "a spinner that had the processor for 100 ms while the caller slept was charged %lu us", after_run - before);
    L4_Word_t idle_before = tern_idle_time(0);
    sleep_ms(100);
    CHECK(tern_time_used(spinning, &later) != 0 && later == after_run,
          "a stopped thread's time grew from %lu to %lu us", after_run, later);
    L4_Word_t idle = tern_idle_time(0) - idle_before;
    CHECK(idle >= 50000 && idle <= 120000, "100 ms with every thread waiting counted %lu us idle", idle);
    CHECK(tern_idle_time(1) == 0 && tern_idle_time(99) == 0, "a processor that does not exist has idle time");
    L4_Word_t unchanged = 12345;
    CHECK(tern_time_used(L4_GlobalId(3970, 1), &unchanged) == 0 && L4_ErrorCode() == L4_ERROR_INVALID_THREAD &&
              unchanged == 12345,
          "Schedule of a nonexistent thread: ErrorCode %lu, time %lu (expected 2, unchanged)", L4_ErrorCode(),
          unchanged);
    kill_thread(spinning);
}

static const struct systest schedule_tests[] = {
    {"SCH0001", "Schedule of a ready thread and of oneself returns running (3)", result_running},
    {"SCH0002", "Schedule with priority 256 fails with invalid parameter (5)", priority_too_high},
    {"SCH0003", "Schedule of a nonexistent thread fails with invalid thread (2)", missing_thread},
    {"SCH0004", "Schedule naming processor 1 fails with invalid parameter (5), processor 0 is fine", bad_processor},
    {"SCH0005", "Schedule by an unprivileged thread that is not the scheduler fails with no privilege (1)",
     unprivileged_schedule},
    {"SCH0006", "the highest-priority ready thread runs first", higher_runs_first},
    {"SCH0007", "Schedule raising a ready thread's priority makes it run first", reprioritise},
    {"SCH0008", "equal-priority threads share the processor round-robin in time slices", round_robin},
    {"SCH0009", "a higher-priority thread whose timeout fires preempts a spinning lower one", preemption},
    {"SCH0010", "a lower-priority thread does not run while a higher-priority one spins", lower_waits},
    {"SCH0011", "ThreadSwitch to a ready thread runs it before the caller continues", thread_switch_to},
    {"SCH0012", "L4_Yield passes the processor between equal-priority threads in turn", yield_alternates},
    {"SCH0013", "L4_Yield of the highest-priority thread does not run lower ones", yield_keeps_lower_waiting},
    {"SCH0014", "L4_Timeslice reports the default 10 ms time slice as a time period", default_time_slice},
    {"SCH0015", "a 50 ms time slice set by Schedule lets a thread run longer at a stretch", longer_slice},
    {"SCH0016", "Schedule of a thread blocked in receive reports waiting (6)", result_waiting},
    {"SCH0017", "Schedule of a thread blocked in send reports pending send (4)", result_pending_send},
    {"SCH0018", "Schedule of a created but inactive thread reports inactive (2)", result_inactive},
    {"SCH0019", "a send that wakes a higher-priority receiver switches to it at once", wake_preempts},
    {"SCH0020", "a priority-0 thread runs when nothing else is ready", lowest_priority_runs},
    {"SCH0021", "ThreadSwitch to a nonexistent thread acts as a yield", switch_to_missing},
    {"SCH0022", "Schedule refuses malformed time and preemption controls (5) changing nothing, takes " "well-formed ones",
     malformed_controls_refused},
    {"SCH0023", "an exhausted total quantum sends the preemption message (-3) to the scheduler, the thread " "waits for the reply, a new quantum lets it go on",
     quantum_expiry},
    {"SCH0024", "Schedule reports the remaining total quantum as a time period", quantum_reported},
    {"SCH0025", "an infinite total quantum (never) never expires", quantum_never},
    {"SCH0026", "a thread whose scheduler is gone stays halted when its quantum runs out", quantum_without_scheduler},
    {"SCH0027", "delayed preemption lets a critical section end before an equal-priority thread runs and " "sets the pending flag",
     delay_at_slice_end},
    {"SCH0028", "L4_PreemptionPending reports the delayed preemption once and clears the flag", pending_read_clears},
    {"SCH0029", "a thread that does not ask for delayed preemption (UTCB flag) is preempted as usual",
     delay_not_requested},
    {"SCH0030", "a thread that overruns its delay is preempted at the next tick", delay_overrun},
    {"SCH0031", "an overrun with the preemption-fault flag raises a preemption-fault exception IPC",
     delay_overrun_fault},
    {"SCH0032", "a wakeup up to the sensitive priority waits for the critical section", wakeup_up_to_sensitive_delayed},
    {"SCH0033", "a wakeup above the sensitive priority preempts at once", wakeup_above_sensitive_preempts},
    {"SCH0034", "a reply that grants no quantum gets the next preemption message at once, the thread does " "not run",
     reply_without_quantum},
    {"SCH0035", "an unprivileged scheduler cannot set a priority or sensitive priority above its own (invalid " "parameter, 5, changing nothing); the root task can",
     unprivileged_priority_ceiling},
    {"SCH0036", "a receive that takes a queued sender's message lets that sender run first at equal priority, "
     "not at a lower one (Pistachio's order, which l4test's page-fault tests rely on)", taken_sender_runs_first},
    {"SCH0037", "Schedule returns a thread's processor time (Tern's): a spinner's grows by the ticks it ran, a "
     "stopped one's not at all; the KIP counts the processor's idle ticks", time_used_and_idle},
};
SYSTEST_GROUP(schedule) = {"schedule", schedule_tests, SYSTEST_COUNT(schedule_tests)};
