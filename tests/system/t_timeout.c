/* SPDX-License-Identifier: MIT */
/* TMO: send and receive timeouts: zero, relative, absolute, never. */
#include "systest.h"

#define TIMEOUT_RECV IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE)
#define TIMEOUT_SEND IPC_ERR(TERN_IPC_ERROR_TIMEOUT, SEND_PHASE)

static void zero_receive(void)
{
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = recv_ms(sigma0_tid, 0, 0);
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == TIMEOUT_RECV, "tag %#lx ErrorCode %lu, expected timeout in the "
          "receive phase (%lu)", tag.raw, L4_ErrorCode(), TIMEOUT_RECV);
    CHECK(took < 20000, "a zero timeout took %lu us", took);
}

static volatile L4_Word_t late_result, late_word;

static void late_zero_receiver(L4_Word_t ms)
{
    sleep_ms(ms);
    L4_MsgTag_t tag = recv_ms(L4_anythread, 0, 0);
    late_result = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    late_word = mr(1);
    report_to_main(0, 0, 0, 0);
}

static void zero_send(void)
{
    late_result = 0xee;
    L4_ThreadId_t t = spawn_simple(late_zero_receiver, 30);
    CHECK(!L4_IsNilThread(t), "no thread");
    load_msg(LABEL_PING, 1, 0x1111, 0, 0);
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = send_ms(t, 0);
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == TIMEOUT_SEND, "tag %#lx ErrorCode %lu, expected timeout in the send "
          "phase (%lu)", tag.raw, L4_ErrorCode(), TIMEOUT_SEND);
    CHECK(took < 20000, "a zero send timeout took %lu us", took);
    tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "no report from the late receiver");
    CHECK(late_result == TIMEOUT_RECV, "the message sent with zero timeout arrived later anyway (receiver result %lu, "
          "MR1 %#lx)", late_result, late_word);
}

static void relative_receive(void)
{
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = recv_ms(sigma0_tid, 50, 0);
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == TIMEOUT_RECV, "tag %#lx ErrorCode %lu, expected %lu", tag.raw,
          L4_ErrorCode(), TIMEOUT_RECV);
    CHECK(took >= period_us(50), "a 50 ms (%lu us) receive timeout fired after %lu us", period_us(50), took);
    CHECK(took < 500000, "a 50 ms receive timeout fired only after %lu us", took);
}

static void busy_receiver(L4_Word_t ms)
{
    /* Waits for sigma0 (which never sends): closed, so others' sends stay queued. */
    sleep_ms(ms);
    L4_MsgTag_t tag = recv_ms(L4_anythread, 0, 0);
    late_result = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    late_word = mr(1);
    report_to_main(0, 0, 0, 0);
}

static void relative_send(void)
{
    late_result = 0xee;
    L4_ThreadId_t t = spawn_simple(busy_receiver, 100);
    CHECK(!L4_IsNilThread(t), "no thread");
    CHECK(wait_state(t, 2, 1000), "receiver never blocked");
    load_msg(LABEL_PING, 1, 0x2222, 0, 0);
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = send_ms(t, 30);
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == TIMEOUT_SEND, "tag %#lx ErrorCode %lu, expected %lu", tag.raw,
          L4_ErrorCode(), TIMEOUT_SEND);
    CHECK(took >= period_us(30), "a 30 ms (%lu us) send timeout fired after %lu us", period_us(30), took);
    CHECK(took < 500000, "a 30 ms send timeout fired only after %lu us", took);
}

static void late_sender(L4_Word_t ms)
{
    sleep_ms(ms);
    load_msg(LABEL_PING, 1, 0x3333, 0, 0);
    send_ms(main_tid, 2000);
}

static void never_receive(void)
{
    L4_ThreadId_t t = spawn_simple(late_sender, 40);
    CHECK(!L4_IsNilThread(t), "no thread");
    start_watchdog(2000);
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = L4_Receive(t);
    L4_Word_t took = now_us() - before;
    CHECK(!watchdog_fired, "receive with timeout never did not end when the partner sent (watchdog canceled it)");
    CHECK(L4_IpcSucceeded(tag) && mr(1) == 0x3333, "tag %#lx MR1 %#lx ErrorCode %lu", tag.raw, mr(1),
          L4_IpcFailed(tag) ? L4_ErrorCode() : 0);
    CHECK(took >= period_us(40), "received after %lu us, before the partner (sleeping 40 ms) sent", took);
}

static volatile L4_Word_t never_send_got;

static void late_receiver(L4_Word_t ms)
{
    sleep_ms(ms);
    L4_MsgTag_t tag = recv_ms(main_tid, 2000, 0);
    never_send_got = L4_IpcSucceeded(tag) ? mr(1) : 0;
}

static void never_send(void)
{
    never_send_got = 0;
    L4_ThreadId_t t = spawn_simple(late_receiver, 40);
    CHECK(!L4_IsNilThread(t), "no thread");
    start_watchdog(2000);
    load_msg(LABEL_PING, 1, 0x4444, 0, 0);
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = L4_Send(t);
    L4_Word_t took = now_us() - before;
    CHECK(!watchdog_fired, "send with timeout never did not end when the receiver arrived");
    CHECK(L4_IpcSucceeded(tag), "send failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(took >= period_us(40), "send completed after %lu us, before the receiver (sleeping 40 ms) received", took);
    sleep_ms(10);
    CHECK(never_send_got == 0x4444, "receiver got %#lx", never_send_got);
}

static void absolute_timeout(void)
{
    L4_Word_t target = now_us() + 40000;
    L4_Time_t point = time_point(target);
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = L4_Ipc(L4_nilthread, sigma0_tid, L4_Timeouts(L4_Never, point), &(L4_ThreadId_t){.raw = 0});
    L4_Word_t after = now_us();
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == TIMEOUT_RECV, "tag %#lx ErrorCode %lu, expected %lu", tag.raw,
          L4_ErrorCode(), TIMEOUT_RECV);
    L4_Word_t e = (point.raw >> 11) & 15;
    CHECK(after + (1UL << e) >= target, "time point %#x for clock %lu fired at %lu, early by %lu us", point.raw, target,
          after, target - after);
    CHECK(after - before < 500000, "time point 40 ms ahead fired after %lu us", after - before);
}

static void absolute_timeout_past(void)
{
    L4_Word_t target = now_us() + 20000;
    L4_Time_t point = time_point(target);
    sleep_ms(40); /* the point is now in the past */
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = L4_Ipc(L4_nilthread, sigma0_tid, L4_Timeouts(L4_Never, point), &(L4_ThreadId_t){.raw = 0});
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == TIMEOUT_RECV, "tag %#lx ErrorCode %lu, expected %lu", tag.raw,
          L4_ErrorCode(), TIMEOUT_RECV);
    /* A point in the past is reached at once or, read modulo its period, a period later:
     * the period of a 20 ms point is 32.768 ms. */
    CHECK(took < 100000, "a time point 20 ms in the past fired after %lu us", took);
}

static void sleep_blocks(void)
{
    L4_Word_t before = now_us();
    L4_Sleep(ms_time(30));
    L4_Word_t took = now_us() - before;
    CHECK(took >= period_us(30), "L4_Sleep of 30 ms (a receive from oneself with that timeout) returned after %lu us "
          "(ErrorCode %lu)", took, L4_ErrorCode());
    CHECK(took < 500000, "L4_Sleep of 30 ms took %lu us", took);
}

static volatile L4_Word_t order_log[4];
static volatile L4_Word_t order_count;

static void timed_waiter(L4_Word_t ms)
{
    recv_ms(sigma0_tid, ms, 0);
    order_log[order_count++ & 3] = ms;
}

static void timeouts_in_deadline_order(void)
{
    order_count = 0;
    L4_ThreadId_t a = spawn_simple(timed_waiter, 60);
    L4_ThreadId_t b = spawn_simple(timed_waiter, 20);
    L4_ThreadId_t c = spawn_simple(timed_waiter, 40);
    CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b) && !L4_IsNilThread(c), "no threads");
    sleep_ms(150);
    CHECK(order_count == 3, "%lu of 3 timeouts fired within 150 ms", order_count);
    CHECK(order_log[0] == 20 && order_log[1] == 40 && order_log[2] == 60,
          "timeouts of 60, 20 and 40 ms (started in that order) fired as %lu, %lu, %lu", order_log[0], order_log[1],
          order_log[2]);
}

static void sender_removed_on_timeout(void)
{
    late_result = 0xee;
    L4_ThreadId_t t = spawn_simple(busy_receiver, 60);
    CHECK(!L4_IsNilThread(t), "no thread");
    CHECK(wait_state(t, 2, 1000), "receiver never blocked");
    load_msg(LABEL_PING, 1, 0x5555, 0, 0);
    L4_MsgTag_t tag = send_ms(t, 20);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == TIMEOUT_SEND, "send ErrorCode %lu, expected %lu", L4_ErrorCode(),
          TIMEOUT_SEND);
    tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "no report");
    CHECK(late_result == TIMEOUT_RECV, "receiver found the timed-out message (MR1 %#lx, result %lu)", late_word,
          late_result);
}

static void late_silent_receiver(L4_Word_t ms)
{
    sleep_ms(ms);
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = L4_Wait_Timeout(ms_time(2000), &from);
    (void)tag;
    sleep_ms(1000); /* never replies */
}

static void call_receive_timeout_after_send(void)
{
    L4_ThreadId_t t = spawn_simple(late_silent_receiver, 50);
    CHECK(!L4_IsNilThread(t), "no thread");
    load_msg(LABEL_PING, 1, 1, 0, 0);
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = L4_Call_Timeouts(t, ms_time(1000), ms_time(30));
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == TIMEOUT_RECV, "call ErrorCode %lu, expected %lu (receive phase)",
          L4_ErrorCode(), TIMEOUT_RECV);
    CHECK(took >= period_us(50) + period_us(30) - 10000,
          "call failed after %lu us: the 30 ms receive timeout started before the 50 ms late receiver took the "
          "message", took);
    CHECK(took < 600000, "call failed only after %lu us", took);
}

static void short_timeout(void)
{
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = recv_ms(sigma0_tid, 1, 0);
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == TIMEOUT_RECV, "ErrorCode %lu", L4_ErrorCode());
    CHECK(took >= period_us(1), "1 ms timeout fired after %lu us", took);
    CHECK(took < 40000, "1 ms timeout fired only after %lu us (ticks are 10 ms)", took);
}

/* TMO0015: the timer is programmed for the earliest timeout, not only at the 10 ms ticks:
 * timeouts from 100 us to 7 ms end within 1 ms of their deadline, however they fall between
 * ticks. */
static void timeouts_end_between_ticks(void)
{
    static const L4_Word_t lengths_us[] = {100, 700, 2000, 3300, 7000, 2500, 150};
    for (unsigned i = 0; i < sizeof lengths_us / sizeof lengths_us[0]; ++i) {
        L4_Word_t before = now_us();
        L4_MsgTag_t tag = L4_Receive_Timeout(sigma0_tid, L4_TimePeriod(lengths_us[i]));
        L4_Word_t took = now_us() - before;
        CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == TIMEOUT_RECV, "ErrorCode %lu", L4_ErrorCode());
        CHECK(took >= lengths_us[i] && took < lengths_us[i] + 1000, "a %lu us timeout ended after %lu us",
              lengths_us[i], took);
    }
    L4_Word_t before = now_us();
    L4_Sleep(L4_TimePeriod(1500));
    L4_Word_t slept = now_us() - before;
    CHECK(slept >= 1500 && slept < 2500, "L4_Sleep of 1.5 ms took %lu us", slept);
}

static volatile L4_Word_t queued_call_got;

/* Receives from the main thread only after a while, so the main thread's call waits queued. */
static void delayed_call_receiver(L4_Word_t arg)
{
    (void)arg;
    sleep_ms(30);
    L4_MsgTag_t tag = recv_ms(main_tid, 1000, 0);
    queued_call_got = L4_IpcSucceeded(tag) ? mr(1) : 0;
    report_to_main(1, queued_call_got, 0, 0);
    park();
}

static void queued_call_zero_receive_timeout(void)
{
    queued_call_got = 0;
    L4_ThreadId_t t = spawn_simple(delayed_call_receiver, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    load_msg(0x77, 1, 0xca11, 0, 0);
    L4_MsgTag_t tag = L4_Call_Timeouts(t, L4_TimePeriod(1000000), L4_ZeroTime);
    L4_Word_t error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    CHECK(error == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE),
          "the call ended with ErrorCode %lu, expected a receive-phase timeout (%lu)", error,
          IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE));
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "the receiver did not report");
    CHECK(queued_call_got == 0xca11, "the receiver got %#lx, expected the call's word 0xca11", queued_call_got);
}

static const struct systest timeout_tests[] = {
    {"TMO0001", "zero receive timeout with no sender fails at once with timeout receive phase (3)", zero_receive},
    {"TMO0002", "zero send timeout to a thread not receiving fails at once (2) and delivers nothing", zero_send},
    {"TMO0003", "a 50 ms receive timeout fires no earlier than 50 ms with ErrorCode 3", relative_receive},
    {"TMO0004", "a 30 ms send timeout fires no earlier than 30 ms with ErrorCode 2", relative_send},
    {"TMO0005", "receive with timeout never completes when the partner sends 40 ms later", never_receive},
    {"TMO0006", "send with timeout never completes when the receiver arrives 40 ms later", never_send},
    {"TMO0007", "an absolute time point 40 ms ahead fires at that clock value, not before", absolute_timeout},
    {"TMO0008", "an absolute time point already past fires promptly", absolute_timeout_past},
    {"TMO0009", "L4_Sleep of 30 ms blocks at least 30 ms", sleep_blocks},
    {"TMO0010", "timeouts of several threads fire in deadline order", timeouts_in_deadline_order},
    {"TMO0011", "a sender whose send timeout fired is no longer queued at the receiver", sender_removed_on_timeout},
    {"TMO0012", "a Call's receive timeout starts when its send phase ends", call_receive_timeout_after_send},
    {"TMO0013", "a 1 ms timeout fires after at least 1 ms and within a few ticks", short_timeout},
    {"TMO0014", "a queued call with a zero receive timeout is delivered, then fails with a receive timeout",
     queued_call_zero_receive_timeout},
    {"TMO0015", "timeouts from 100 us to 7 ms end within 1 ms of their deadline, between the 10 ms ticks (the "
     "timer is programmed for the earliest timeout)", timeouts_end_between_ticks},
};
SYSTEST_GROUP(timeout) = {"timeout", timeout_tests, SYSTEST_COUNT(timeout_tests)};
