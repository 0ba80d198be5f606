/* SPDX-License-Identifier: MIT */
/* IPC: message transfer, partners, ids, call and reply, error paths. */
#include "systest.h"

/* What a receiving thread got. */
static struct {
    volatile L4_Word_t tag, error, from, done;
    volatile L4_Word_t words[64];
} rx;

static void rx_clear(void)
{
    rx.tag = rx.error = rx.from = rx.done = 0;
    for (int i = 0; i < 64; ++i)
        rx.words[i] = 0;
}

static void rx_record(L4_MsgTag_t tag, L4_ThreadId_t from)
{
    rx.tag = tag.raw;
    rx.error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    rx.from = from.raw;
    for (int i = 1; i < 64; ++i)
        rx.words[i] = mr(i);
    rx.done = 1;
}

/* Receives once from arg (0: anythread) with a 2 s timeout, records it, reports. */
static void receiver(L4_Word_t arg)
{
    L4_ThreadId_t from = L4_nilthread, spec;
    spec.raw = arg == 0 ? L4_anythread.raw : arg;
    L4_MsgTag_t tag = L4_Ipc(L4_nilthread, spec, L4_Timeouts(L4_Never, ms_time(2000)), &from);
    rx_record(tag, from);
    report_to_main(0, 0, 0, 0);
}

/* Starts a receiver and waits until it blocks in its receive. */
static L4_ThreadId_t waiting_receiver(L4_Word_t from_spec)
{
    rx_clear();
    L4_ThreadId_t t = spawn_simple(receiver, from_spec);
    if (L4_IsNilThread(t))
        return t;
    if (wait_state(t, 2, 1000) == 0) {
        fail("receiver thread %lx never blocked in its receive", t.raw);
        return L4_nilthread;
    }
    return t;
}

static int collect_report(L4_ThreadId_t t)
{
    L4_MsgTag_t tag = recv_ms(t, 2000, 0);
    if (!is_label(tag, LABEL_REPORT)) {
        fail("no report from thread %lx (tag %#lx, ErrorCode %lu)", t.raw, tag.raw, L4_ErrorCode());
        return 0;
    }
    return 1;
}

static L4_Word_t pattern(int i) { return 0x0123456789abcdefUL * (L4_Word_t)i ^ ((L4_Word_t)i << 56); }

static void send_all_words(void)
{
    L4_ThreadId_t t = waiting_receiver(main_tid.raw);
    CHECK(!L4_IsNilThread(t), "no receiver");
    L4_Word_t words[63];
    for (int i = 0; i < 63; ++i)
        words[i] = pattern(i + 1);
    load_words(LABEL_PING, 63, words);
    L4_MsgTag_t tag = send_ms(t, 1000);
    CHECK(L4_IpcSucceeded(tag), "send failed with ErrorCode %lu", L4_ErrorCode());
    if (!collect_report(t))
        return;
    L4_MsgTag_t got = {.raw = rx.tag};
    CHECK(L4_IpcSucceeded(got), "receiver's IPC failed with ErrorCode %lu", rx.error);
    CHECK(L4_UntypedWords(got) == 63 && L4_TypedWords(got) == 0, "received tag %#lx, expected u = 63, t = 0", rx.tag);
    CHECK((L4_Label(got) & LABEL_MASK) == LABEL_PING, "received label %#lx, expected %#lx", L4_Label(got), LABEL_PING);
    for (int i = 1; i <= 63; ++i)
        CHECK(rx.words[i] == pattern(i), "MR%d is %#lx, expected %#lx", i, rx.words[i], pattern(i));
    CHECK(rx.from == seen_as(main_tid).raw, "receiver saw sender %#lx, expected %#lx", rx.from, seen_as(main_tid).raw);
}

static void late_receiver(L4_Word_t arg)
{
    sleep_ms(arg);
    receiver(0);
}

static void send_blocks_until_receiver(void)
{
    rx_clear();
    L4_ThreadId_t t = spawn_simple(late_receiver, 30);
    CHECK(!L4_IsNilThread(t), "no thread");
    load_msg(LABEL_PING, 3, 11, 22, 33);
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = send_ms(t, 2000);
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcSucceeded(tag), "send failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(took >= 20000, "send returned after %lu us, before the receiver (sleeping 30 ms) could receive", took);
    if (!collect_report(t))
        return;
    CHECK(rx.words[1] == 11 && rx.words[2] == 22 && rx.words[3] == 33, "received %lu %lu %lu, expected 11 22 33",
          rx.words[1], rx.words[2], rx.words[3]);
}

static void sender(L4_Word_t arg)
{
    load_msg(LABEL_PING, 1, arg, 0, 0);
    L4_MsgTag_t tag = send_ms(main_tid, 2000);
    (void)tag;
}

/* X.2: a sender in the receiver's space is named by its local id, however the receiver
 * waited (Pistachio's l4test, "From parameter (local)"). */
static void open_wait_local_id(void)
{
    L4_ThreadId_t t = spawn_simple(sender, 77);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_ThreadId_t local = L4_LocalIdOf(t);
    CHECK(L4_IsLocalId(local), "no local id for %#lx", t.raw);
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = L4_Wait_Timeout(ms_time(1000), &from);
    CHECK(L4_IpcSucceeded(tag), "wait failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(from.raw == local.raw, "sender reported as %#lx, expected its local id %#lx", from.raw, local.raw);
    CHECK(mr(1) == 77, "MR1 %lu, expected 77", mr(1));
}

static void anylocal_gives_local_id(void)
{
    L4_ThreadId_t t = spawn_simple(sender, 78);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(L4_anylocalthread, 1000, &from);
    CHECK(L4_IpcSucceeded(tag), "receive failed with ErrorCode %lu", L4_ErrorCode());
    L4_Word_t local = utcb_of_slot(slot_of(t));
    CHECK(from.raw == local, "sender reported as %#lx, expected its local id %#lx", from.raw, local);
    CHECK(L4_IsLocalId(from), "%#lx is not a local id", from.raw);
}

static void closed_receive_local_id(void)
{
    L4_ThreadId_t t = spawn_simple(sender, 79);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_ThreadId_t local = {.raw = utcb_of_slot(slot_of(t))};
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(local, 1000, &from);
    CHECK(L4_IpcSucceeded(tag), "receive from local id %#lx failed with ErrorCode %lu", local.raw, L4_ErrorCode());
    CHECK(from.raw == local.raw, "sender reported as %#lx, expected %#lx", from.raw, local.raw);
    CHECK(mr(1) == 79, "MR1 %lu, expected 79", mr(1));
}

static void send_to_local_id(void)
{
    L4_ThreadId_t t = waiting_receiver(0);
    CHECK(!L4_IsNilThread(t), "no receiver");
    L4_ThreadId_t local = {.raw = utcb_of_slot(slot_of(t))};
    CHECK(L4_LocalIdOf(t).raw == local.raw, "L4_LocalIdOf(%lx) is %#lx, expected %#lx", t.raw, L4_LocalIdOf(t).raw,
          local.raw);
    load_msg(LABEL_PING, 1, 0xabc, 0, 0);
    L4_MsgTag_t tag = send_ms(local, 1000);
    CHECK(L4_IpcSucceeded(tag), "send to local id %#lx failed with ErrorCode %lu", local.raw, L4_ErrorCode());
    if (!collect_report(t))
        return;
    CHECK(rx.words[1] == 0xabc, "receiver got %#lx, expected 0xabc", rx.words[1]);
    CHECK(rx.from == seen_as(main_tid).raw, "open wait saw sender %#lx, expected the local id %#lx", rx.from,
          seen_as(main_tid).raw);
}

static void echo_server(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = L4_Wait_Timeout(ms_time(2000), &from);
    if (L4_IpcFailed(tag))
        return;
    L4_Word_t value = mr(1);
    load_msg(LABEL_PING, 2, value * 2, from.raw, 0);
    L4_Reply(from);
}

static void call_and_reply(void)
{
    L4_ThreadId_t t = spawn_simple(echo_server, 0);
    CHECK(!L4_IsNilThread(t), "no server");
    CHECK(wait_state(t, 2, 1000), "server never waited");
    load_msg(LABEL_PING, 1, 21, 0, 0);
    L4_MsgTag_t tag = L4_Call_Timeouts(t, ms_time(1000), ms_time(1000));
    CHECK(L4_IpcSucceeded(tag), "call failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(mr(1) == 42, "reply MR1 %lu, expected 42", mr(1));
    CHECK(mr(2) == seen_as(main_tid).raw, "server saw caller %#lx, expected %#lx", mr(2), seen_as(main_tid).raw);
    CHECK(L4_UntypedWords(tag) == 2, "reply tag %#lx, expected u = 2", tag.raw);
}

static volatile L4_Word_t reply_wait_result;

static void reply_wait_server(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t from = L4_nilthread, next = L4_nilthread;
    L4_MsgTag_t tag = L4_Wait_Timeout(ms_time(2000), &from);
    if (L4_IpcFailed(tag))
        return;
    load_msg(LABEL_PING, 1, mr(1) + 1, 0, 0);
    tag = L4_ReplyWait_Timeout(from, ms_time(2000), &next);
    if (L4_IpcFailed(tag)) {
        reply_wait_result = 0x100 + L4_ErrorCode();
        return;
    }
    reply_wait_result = next.raw == seen_as(main_tid).raw ? 1 : 2;
    load_msg(LABEL_PING, 1, mr(1) + 1, 0, 0);
    L4_Reply(next);
}

static void reply_and_wait(void)
{
    reply_wait_result = 0;
    L4_ThreadId_t t = spawn_simple(reply_wait_server, 0);
    CHECK(!L4_IsNilThread(t), "no server");
    CHECK(wait_state(t, 2, 1000), "server never waited");
    load_msg(LABEL_PING, 1, 5, 0, 0);
    L4_MsgTag_t tag = L4_Call_Timeouts(t, ms_time(1000), ms_time(1000));
    CHECK(L4_IpcSucceeded(tag) && mr(1) == 6, "first call: tag %#lx MR1 %lu ErrorCode %lu, expected reply 6", tag.raw,
          mr(1), L4_ErrorCode());
    load_msg(LABEL_PING, 1, 10, 0, 0);
    tag = L4_Call_Timeouts(t, ms_time(1000), ms_time(1000));
    CHECK(L4_IpcSucceeded(tag) && mr(1) == 11, "second call: tag %#lx MR1 %lu ErrorCode %lu, expected reply 11",
          tag.raw, mr(1), L4_ErrorCode());
    CHECK(reply_wait_result == 1, "server's ReplyWait result %#lx, expected to receive from the main thread",
          reply_wait_result);
}

static void send_to_self(void)
{
    load_msg(LABEL_PING, 1, 1, 0, 0);
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = send_ms(main_tid, 500);
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcFailed(tag), "send to self succeeded");
    CHECK(L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE),
          "ErrorCode %lu, expected %lu (no partner, send phase)", L4_ErrorCode(),
          IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE));
    CHECK(took < 200000, "failing took %lu us", took);
}

static void receive_from_missing(void)
{
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = recv_ms(L4_GlobalId(3998, 1), 500, 0);
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcFailed(tag), "receive from a nonexistent thread succeeded");
    CHECK(L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE),
          "ErrorCode %lu, expected %lu (no partner, receive phase)", L4_ErrorCode(),
          IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE));
    CHECK(took < 200000, "failing took %lu us (should not wait for the timeout)", took);
    CHECK((tag.raw & 0xf000) == 0x8000, "failed tag %#lx, expected only the E flag", tag.raw);
}

static void send_to_missing(void)
{
    load_msg(LABEL_PING, 1, 1, 0, 0);
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = send_ms(L4_GlobalId(3998, 1), 500);
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcFailed(tag), "send to a nonexistent thread succeeded");
    CHECK(L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE),
          "ErrorCode %lu, expected %lu (no partner, send phase)", L4_ErrorCode(),
          IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE));
    CHECK(took < 200000, "failing took %lu us", took);
}

static void send_wrong_version(void)
{
    L4_ThreadId_t t = waiting_receiver(0);
    CHECK(!L4_IsNilThread(t), "no receiver");
    L4_ThreadId_t wrong = L4_GlobalId(L4_ThreadNo(t), 2);
    load_msg(LABEL_PING, 1, 1, 0, 0);
    L4_MsgTag_t tag = send_ms(wrong, 500);
    CHECK(L4_IpcFailed(tag), "send to %#lx (version 2 of a version-1 thread) succeeded", wrong.raw);
    CHECK(L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE), "ErrorCode %lu, expected %lu",
          L4_ErrorCode(), IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE));
    CHECK(!rx.done, "the receiver got a message");
}

static void malformed_tag(void)
{
    L4_ThreadId_t t = waiting_receiver(main_tid.raw);
    CHECK(!L4_IsNilThread(t), "no receiver");
    L4_LoadMR(0, (LABEL_PING << 16) | (30UL << 6) | 40); /* u = 40, t = 30: 70 words */
    L4_MsgTag_t tag = send_ms(t, 500);
    CHECK(L4_IpcFailed(tag), "a 70-word message was sent");
    CHECK(L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, SEND_PHASE),
          "sender ErrorCode %lu, expected %lu (message overflow, send phase)", L4_ErrorCode(),
          IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, SEND_PHASE));
    if (!collect_report(t))
        return;
    L4_MsgTag_t got = {.raw = rx.tag};
    CHECK(L4_IpcFailed(got) && rx.error == IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, RECV_PHASE),
          "receiver tag %#lx ErrorCode %lu, expected failure with %lu (message overflow, receive phase)", rx.tag,
          rx.error, IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, RECV_PHASE));
}

static char string_source[64] = "a string item";

static void string_item_refused(void)
{
    L4_ThreadId_t t = waiting_receiver(main_tid.raw);
    CHECK(!L4_IsNilThread(t), "no receiver");
    L4_StringItem_t item = L4_StringItem(sizeof string_source, string_source);
    L4_LoadMR(0, (LABEL_PING << 16) | (2UL << 6));
    L4_LoadMR(1, item.raw[0]);
    L4_LoadMR(2, item.raw[1]);
    L4_MsgTag_t tag = send_ms(t, 500);
    CHECK(L4_IpcFailed(tag), "a string item was sent");
    CHECK(L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, SEND_PHASE),
          "sender ErrorCode %lu, expected %lu (message overflow, send phase)", L4_ErrorCode(),
          IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, SEND_PHASE));
    if (!collect_report(t))
        return;
    CHECK(rx.error == IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, RECV_PHASE),
          "receiver ErrorCode %lu, expected %lu (message overflow, receive phase)", rx.error,
          IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, RECV_PHASE));
}

static void label_delivered(void)
{
    L4_ThreadId_t t = waiting_receiver(main_tid.raw);
    CHECK(!L4_IsNilThread(t), "no receiver");
    L4_Word_t label = 0xfedcba987654UL;
    load_msg(label, 1, 5, 0, 0);
    L4_MsgTag_t tag = send_ms(t, 500);
    CHECK(L4_IpcSucceeded(tag), "send failed with ErrorCode %lu", L4_ErrorCode());
    if (!collect_report(t))
        return;
    L4_MsgTag_t got = {.raw = rx.tag};
    CHECK(L4_Label(got) == label, "label %#lx, expected %#lx", L4_Label(got), label);
    CHECK((rx.tag & 0xf000) == 0, "received flags %#lx, expected none", (rx.tag >> 12) & 0xf);
    CHECK(L4_UntypedWords(got) == 1 && rx.words[1] == 5, "tag %#lx MR1 %lu", rx.tag, rx.words[1]);
}

static void empty_message(void)
{
    L4_ThreadId_t t = waiting_receiver(main_tid.raw);
    CHECK(!L4_IsNilThread(t), "no receiver");
    load_msg(LABEL_PING, 0, 0, 0, 0);
    L4_MsgTag_t tag = send_ms(t, 500);
    CHECK(L4_IpcSucceeded(tag), "send failed with ErrorCode %lu", L4_ErrorCode());
    if (!collect_report(t))
        return;
    CHECK(rx.tag == (LABEL_PING << 16), "received tag %#lx, expected %#lx (u = t = 0)", rx.tag, LABEL_PING << 16);
}

static L4_ThreadId_t queued_sender(L4_Word_t value)
{
    L4_ThreadId_t t = spawn_simple(sender, value);
    if (L4_IsNilThread(t))
        return t;
    if (wait_state(t, 4, 1000) == 0) {
        fail("sender %lx never blocked sending", t.raw);
        return L4_nilthread;
    }
    return t;
}

static void senders_fifo(void)
{
    L4_ThreadId_t a = queued_sender(1), b = queued_sender(2), c = queued_sender(3);
    CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b) && !L4_IsNilThread(c), "senders not queued");
    L4_ThreadId_t expected[3] = {a, b, c};
    for (int i = 0; i < 3; ++i) {
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = L4_Wait_Timeout(ms_time(0), &from);
        CHECK(L4_IpcSucceeded(tag), "receive %d failed with ErrorCode %lu", i, L4_ErrorCode());
        CHECK(from.raw == seen_as(expected[i]).raw && mr(1) == (L4_Word_t)i + 1,
              "receive %d got %#lx (MR1 %lu), expected %#lx: senders not served in arrival order", i, from.raw, mr(1),
              seen_as(expected[i]).raw);
    }
}

static void closed_receive_picks(void)
{
    L4_ThreadId_t a = queued_sender(1), b = queued_sender(2);
    CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b), "senders not queued");
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(b, 0, &from);
    CHECK(L4_IpcSucceeded(tag) && from.raw == seen_as(b).raw && mr(1) == 2,
          "closed receive from the second sender got %#lx MR1 %lu (ErrorCode %lu)", from.raw, mr(1),
          L4_IpcFailed(tag) ? L4_ErrorCode() : 0);
    tag = L4_Wait_Timeout(ms_time(0), &from);
    CHECK(L4_IpcSucceeded(tag) && from.raw == seen_as(a).raw && mr(1) == 1, "next open receive got %#lx MR1 %lu (ErrorCode %lu)",
          from.raw, mr(1), L4_IpcFailed(tag) ? L4_ErrorCode() : 0);
}

static void lipc_server(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = L4_Lipc(L4_nilthread, L4_anylocalthread, L4_Timeouts(L4_Never, ms_time(2000)), &from);
    if (L4_IpcFailed(tag))
        return;
    load_msg(LABEL_PING, 2, mr(1) + 100, from.raw, 0);
    L4_Lipc(from, L4_nilthread, L4_Timeouts(ms_time(0), L4_Never), &from);
}

static void lipc_local(void)
{
    L4_ThreadId_t t = spawn_simple(lipc_server, 0);
    CHECK(!L4_IsNilThread(t), "no server");
    CHECK(wait_state(t, 2, 1000), "server never waited");
    L4_ThreadId_t local = {.raw = utcb_of_slot(slot_of(t))};
    L4_ThreadId_t from = L4_nilthread;
    load_msg(LABEL_PING, 1, 1, 0, 0);
    L4_MsgTag_t tag = L4_Lipc(local, local, L4_Timeouts(ms_time(1000), ms_time(1000)), &from);
    CHECK(L4_IpcSucceeded(tag), "Lipc call failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(mr(1) == 101, "reply MR1 %lu, expected 101", mr(1));
    CHECK(mr(2) == L4_MyLocalId().raw, "server saw %#lx, expected the caller's local id %#lx", mr(2),
          L4_MyLocalId().raw);
    CHECK(from.raw == local.raw, "reply from %#lx, expected %#lx", from.raw, local.raw);
}

static void silent_receiver(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = L4_Wait_Timeout(ms_time(2000), &from);
    rx_record(tag, from);
    sleep_ms(500); /* no reply */
}

static void call_receive_timeout(void)
{
    rx_clear();
    L4_ThreadId_t t = spawn_simple(silent_receiver, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    CHECK(wait_state(t, 2, 1000), "receiver never waited");
    load_msg(LABEL_PING, 1, 9, 0, 0);
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = L4_Call_Timeouts(t, ms_time(1000), ms_time(50));
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcFailed(tag), "call without reply succeeded");
    CHECK(L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE),
          "ErrorCode %lu, expected %lu (timeout, receive phase)", L4_ErrorCode(),
          IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE));
    CHECK(rx.done && rx.words[1] == 9, "the callee did not get the message (done %lu, MR1 %lu)", rx.done, rx.words[1]);
    /* 50 ms as an X.2 period is 49984 us (10-bit mantissa): that, not 50000, is the bound. */
    CHECK(took >= period_us(50) && took < 1000000, "receive phase timed out after %lu us, expected %lu us or more",
          took, period_us(50));
}

static volatile L4_Word_t zero_reply_error;

static void late_zero_replier(L4_Word_t arg)
{
    sleep_ms(arg);
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(main_tid, 2000, &from);
    if (L4_IpcFailed(tag)) {
        zero_reply_error = 0x100 + L4_ErrorCode();
        return;
    }
    load_msg(LABEL_PING, 1, mr(1) + 1, 0, 0);
    tag = L4_Reply(from);
    zero_reply_error = L4_IpcFailed(tag) ? 0x200 + L4_ErrorCode() : 1;
    report_to_main(0, 0, 0, 0);
}

static void call_queued_zero_reply(void)
{
    zero_reply_error = 0;
    L4_ThreadId_t t = spawn_simple(late_zero_replier, 30);
    CHECK(!L4_IsNilThread(t), "no thread");
    load_msg(LABEL_PING, 1, 41, 0, 0);
    L4_MsgTag_t tag = L4_Call_Timeouts(t, ms_time(2000), ms_time(2000));
    CHECK(L4_IpcSucceeded(tag) && mr(1) == 42, "call got tag %#lx MR1 %lu ErrorCode %lu, expected reply 42", tag.raw,
          mr(1), L4_IpcFailed(tag) ? L4_ErrorCode() : 0);
    tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "no report from the replier");
    CHECK(zero_reply_error == 1, "replier's zero-timeout reply result %#lx", zero_reply_error);
}

static void nil_ipc(void)
{
    L4_ThreadId_t from = L4_nilthread;
    set_error_code(0);
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = L4_Ipc(L4_nilthread, L4_nilthread, L4_Timeouts(L4_Never, L4_Never), &from);
    CHECK(L4_IpcSucceeded(tag), "IPC with neither send nor receive phase failed: tag %#lx ErrorCode %lu", tag.raw,
          L4_ErrorCode());
    CHECK(now_us() - before < 200000, "it took %lu us", now_us() - before);
}

static void zero_timeout_send_to_waiting(void)
{
    L4_ThreadId_t t = waiting_receiver(0);
    CHECK(!L4_IsNilThread(t), "no receiver");
    load_msg(LABEL_PING, 1, 0x77, 0, 0);
    L4_MsgTag_t tag = send_ms(t, 0);
    CHECK(L4_IpcSucceeded(tag), "zero-timeout send to a waiting receiver failed with ErrorCode %lu", L4_ErrorCode());
    if (!collect_report(t))
        return;
    CHECK(rx.words[1] == 0x77, "receiver got %#lx", rx.words[1]);
}

static void zero_timeout_receive_queued(void)
{
    L4_ThreadId_t t = queued_sender(0x88);
    CHECK(!L4_IsNilThread(t), "sender not queued");
    L4_MsgTag_t tag = recv_ms(t, 0, 0);
    CHECK(L4_IpcSucceeded(tag) && mr(1) == 0x88, "zero-timeout receive from a queued sender: tag %#lx MR1 %#lx "
          "ErrorCode %lu", tag.raw, mr(1), L4_IpcFailed(tag) ? L4_ErrorCode() : 0);
}

static void from_of_closed_global(void)
{
    L4_ThreadId_t t = spawn_simple(sender, 5);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(t, 1000, &from);
    CHECK(L4_IpcSucceeded(tag), "receive failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(from.raw == seen_as(t).raw && L4_IsLocalId(from), "closed receive by global id reported %#lx, expected the "
          "local id %#lx", from.raw, seen_as(t).raw);
}

static void sender_to(L4_Word_t target)
{
    L4_ThreadId_t to = {.raw = target};
    load_msg(LABEL_PING, 1, 99, 0, 0);
    send_ms(to, 2000);
}

static void wrong_sender_not_accepted(void)
{
    /* A receiver waiting for the main thread does not take another thread's message. */
    L4_ThreadId_t r = waiting_receiver(main_tid.raw);
    CHECK(!L4_IsNilThread(r), "no receiver");
    L4_ThreadId_t other = spawn_simple(sender_to, r.raw);
    CHECK(!L4_IsNilThread(other), "no other thread");
    CHECK(wait_state(other, 4, 1000), "the other sender did not block although the receiver waits for someone else");
    CHECK(!rx.done, "receiver in a closed wait for the main thread took another thread's message (MR1 %lu)",
          rx.words[1]);
    load_msg(LABEL_PING, 1, 3, 0, 0);
    L4_MsgTag_t tag = send_ms(r, 500);
    CHECK(L4_IpcSucceeded(tag), "send from the awaited thread failed with ErrorCode %lu", L4_ErrorCode());
    if (!collect_report(r))
        return;
    CHECK(rx.words[1] == 3 && rx.from == seen_as(main_tid).raw, "receiver got MR1 %lu from %#lx, expected 3 from %#lx",
          rx.words[1], rx.from, seen_as(main_tid).raw);
}

static void closed_wait_missing_thread(void)
{
    rx_clear();
    L4_ThreadId_t r = spawn_simple(receiver, L4_GlobalId(3997, 1).raw);
    CHECK(!L4_IsNilThread(r), "no receiver");
    L4_Word_t before = now_us();
    if (!collect_report(r))
        return;
    CHECK(now_us() - before < 1000000, "the receive ended only after %lu us (its timeout is 2 s)", now_us() - before);
    CHECK(rx.error == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE), "its ErrorCode is %lu, expected %lu", rx.error,
          IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE));
}

/* A child in another space sends 63 words: MR3 and up travel between two UTCBs. */
static void long_sender_child(void)
{
    L4_Word_t words[63];
    for (int i = 0; i < 63; ++i)
        words[i] = pattern(i + 1) ^ 0xc0ffee;
    load_words(LABEL_PING, 63, words);
    send_ms(main_tid, 2000);
    park();
}

static void words_across_spaces(void)
{
    L4_ThreadId_t child = spawn_child(long_sender_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = serve_child(child, 2000, &from);
    CHECK(is_label(tag, LABEL_PING) && L4_UntypedWords(tag) == 63, "tag %#lx from %#lx, expected 63 words", tag.raw,
          from.raw);
    for (int i = 1; i <= 63; ++i)
        CHECK(mr(i) == (pattern(i) ^ 0xc0ffee), "MR%d is %#lx, expected %#lx", i, mr(i), pattern(i) ^ 0xc0ffee);
}

static void server_child(void)
{
    for (;;) {
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = L4_Wait_Timeout(ms_time(2000), &from);
        if (L4_IpcFailed(tag))
            continue;
        L4_Word_t words[8];
        for (int i = 0; i < 8; ++i)
            words[i] = mr(i + 1) + 1;
        load_words(LABEL_PING, 8, words);
        L4_Reply(from);
    }
}

static void call_across_spaces(void)
{
    L4_ThreadId_t child = spawn_child(server_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    /* Serve its page faults until it waits for requests. */
    L4_MsgTag_t tag = serve_child(child, 100, 0);
    CHECK(L4_IpcFailed(tag), "unexpected message from the server child (tag %#lx)", tag.raw);
    L4_Word_t words[8];
    for (int i = 0; i < 8; ++i)
        words[i] = 1000 * (L4_Word_t)i;
    for (int round = 0; round < 3; ++round) {
        load_words(LABEL_PING, 8, words);
        tag = L4_Call_Timeouts(child, ms_time(1000), ms_time(1000));
        for (int n = 0; is_page_fault(tag) && n < 100; ++n) { /* the reply may need a page of the child's */
            CHECK(answer_page_fault(child), "could not answer the child's fault");
            tag = recv_ms(child, 1000, 0);
        }
        CHECK(L4_IpcSucceeded(tag) && L4_UntypedWords(tag) == 8, "call %d: tag %#lx ErrorCode %lu", round, tag.raw,
              L4_IpcFailed(tag) ? L4_ErrorCode() : 0);
        for (int i = 0; i < 8; ++i)
            CHECK(mr(i + 1) == words[i] + 1, "call %d: reply MR%d %#lx, expected %#lx", round, i + 1, mr(i + 1),
                  words[i] + 1);
        for (int i = 0; i < 8; ++i)
            words[i] += 1;
    }
}

static void receive_from_unused_local_id(void)
{
    L4_ThreadId_t unused = {.raw = UTCB_AREA + 62 * UTCB_SIZE};
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = recv_ms(unused, 500, 0);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE),
          "closed receive from local id %#lx (no thread has that UTCB): tag %#lx ErrorCode %lu, expected %lu",
          unused.raw, tag.raw, L4_ErrorCode(), IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE));
    CHECK(now_us() - before < 200000, "failing took %lu us", now_us() - before);
}

static void faulting_reader(L4_Word_t address)
{
    L4_Word_t v = *(volatile L4_Word_t *)address;
    report_to_main(1, v, 0, 0);
}

static volatile L4_Word_t intruder_error;

static void intruder(L4_Word_t target)
{
    L4_ThreadId_t to = {.raw = target};
    load_msg(LABEL_PING, 2, 0x1111, 0x2222, 0);
    L4_MsgTag_t tag = send_ms(to, 50);
    intruder_error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    report_to_main(0, 0, 0, 0);
}

static L4_Word_t fault_source[512] __attribute__((aligned(4096)));

static void fault_wait_is_closed(void)
{
    for (int i = 0; i < 512; ++i)
        fault_source[i] = 0xfa00 + (L4_Word_t)i;
    L4_Word_t w = WINDOW(35);
    L4_ThreadId_t t = spawn(faulting_reader, w + 8, -1, main_tid);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_page_fault(tag) && mr(1) == w + 8, "no page fault at %#lx (tag %#lx)", w + 8, tag.raw);
    intruder_error = 0xee;
    L4_ThreadId_t x = spawn_simple(intruder, t.raw);
    CHECK(!L4_IsNilThread(x), "no intruder");
    CHECK(is_label(recv_ms(x, 1000, 0), LABEL_REPORT), "no report from the intruder");
    CHECK(intruder_error == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, SEND_PHASE), "a send to a thread waiting for its pager "
          "ended with ErrorCode %lu, expected a send timeout (%lu)", intruder_error,
          IPC_ERR(TERN_IPC_ERROR_TIMEOUT, SEND_PHASE));
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2((L4_Word_t)fault_source, 12), 7), w));
    L4_MsgLoad(&msg);
    CHECK(L4_IpcSucceeded(send_ms(t, 500)), "pager reply failed with ErrorCode %lu", L4_ErrorCode());
    tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT) && mr(1) == fault_source[1], "after the pager's reply the thread read %#lx "
          "(tag %#lx), expected %#lx", mr(1), tag.raw, fault_source[1]);
}

/* Answers every call with the words it got, each plus one, until the test ends. */
static void echo_plus_one(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t words = L4_UntypedWords(tag);
        for (L4_Word_t i = 1; i <= words; ++i) {
            L4_Word_t w;
            L4_StoreMR((int)i, &w);
            L4_LoadMR((int)i, w + 1);
        }
        tag.X.flags = 0;
        L4_Set_MsgTag(tag);
        tag = L4_ReplyWait(from, &from);
    }
}

static void many_calls_keep_every_word(void)
{
    L4_ThreadId_t t = spawn(echo_plus_one, 0, 255, sigma0_tid);
    CHECK(!L4_IsNilThread(t), "no echo thread");
    for (L4_Word_t round = 0; round < 1000; ++round) {
        L4_Word_t words = round % 64;
        for (L4_Word_t i = 1; i <= words; ++i)
            L4_LoadMR((int)i, round * 100 + i);
        L4_MsgTag_t tag = {.raw = (0x100 + (round & 0xff)) << 16 | words};
        L4_Set_MsgTag(tag);
        tag = L4_Call(t);
        CHECK(L4_IpcSucceeded(tag), "call %lu failed with ErrorCode %lu", round, L4_ErrorCode());
        CHECK(L4_UntypedWords(tag) == words && L4_Label(tag) == 0x100 + (round & 0xff),
              "call %lu: reply tag %#lx, expected %lu words and label %#lx", round, tag.raw, words,
              0x100 + (round & 0xff));
        for (L4_Word_t i = 1; i <= words; ++i)
            CHECK(mr((int)i) == round * 100 + i + 1, "call %lu: MR%lu is %#lx, expected %#lx", round, i, mr((int)i),
                  round * 100 + i + 1);
    }
}

/* --- the fast path (IPC0034): the KIP's IPC statistics count the calls the general path takes --- */


/* rounds calls of 0..5 words to partner; how many the general path took meanwhile (~0 on failure). */
static L4_Word_t general_ipcs_of_calls(L4_ThreadId_t partner, L4_Word_t rounds)
{
    L4_Word_t before = general_ipcs();
    L4_Word_t failures = call_rounds(partner, rounds);
    if (failures != 0) {
        fail("%lu of %lu calls to %#lx failed (last ErrorCode %lu)", failures, rounds, partner.raw, L4_ErrorCode());
        return ~0UL;
    }
    return general_ipcs() - before;
}

/* Starts partner threads for the fast-path tests: local in the root task's space (priority
 * 255), remote in a space of its own, whose page faults until it waits are served here. 0
 * (failure recorded) when either is missing. */
static int start_partners(thread_fn local_fn, void (*remote_fn)(void), L4_ThreadId_t *local, L4_ThreadId_t *remote)
{
    *local = spawn(local_fn, 0, 255, sigma0_tid);
    *remote = spawn_child(remote_fn, 0);
    if (L4_IsNilThread(*local) || L4_IsNilThread(*remote)) {
        fail("no partner threads");
        return 0;
    }
    remember_child(*remote);
    L4_ThreadId_t sender;
    (void)serve_child(*remote, 300, &sender);
    return 1;
}

static void fast_path_taken(void)
{
    int fast = fast_path_on();
    L4_ThreadId_t local, remote;
    if (!start_partners(echo_plus_one, child_echo, &local, &remote))
        return;
    /* The child faults again during its first calls: call_child serves that. */
    for (int warm = 0; warm < 4; ++warm) {
        L4_Set_MsgTag(L4_Niltag);
        L4_MsgTag_t tag = call_child(remote, ms_time(2000), ms_time(2000));
        CHECK(L4_IpcSucceeded(tag), "warm-up call %d to the child failed, ErrorCode %lu", warm, L4_ErrorCode());
    }
    /* The first call to a partner joins its closed waiters on the general path. */
    (void)general_ipcs_of_calls(local, 2);
    L4_Word_t intra = general_ipcs_of_calls(local, 100);
    (void)general_ipcs_of_calls(remote, 2);
    L4_Word_t inter = general_ipcs_of_calls(remote, 100);
    if (fast) {
        CHECK(intra == 0, "100 intra-space call round trips took the general path %lu times", intra);
        CHECK(inter == 0, "100 inter-space call round trips took the general path %lu times", inter);
    } else {
        CHECK(intra == 200 && inter == 200, "with ipc=general, 100 round trips took the general path %lu times "
              "(intra) and %lu (inter), expected 200 each", intra, inter);
    }
    /* A receive timeout is the general path's: each call with one counts (and its reply). */
    L4_Word_t before = general_ipcs();
    L4_Set_MsgTag(L4_Niltag);
    L4_MsgTag_t tag = L4_Call_Timeouts(local, L4_Never, ms_time(1000));
    CHECK(L4_IpcSucceeded(tag) && general_ipcs() - before >= 1, "a call with a receive timeout: tag %#lx, %lu "
          "general IPCs", tag.raw, general_ipcs() - before);
}

/* --- what the fast path must get right (IPC0035-IPC0038; tools/mutate_fast_path.py breaks each) --- */

/* Replies to every call with the sender's id as it saw it, in MR1. */
static void from_echo(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_Wait(&from);
    for (;;) {
        load_msg(LABEL_REPORT, 1, from.raw, 0, 0);
        L4_ReplyWait(from, &from);
    }
}

static void child_from_echo(void)
{
    L4_ThreadId_t from;
    L4_Wait(&from);
    for (;;) {
        L4_LoadMR(0, LABEL_REPORT << 16 | 1);
        L4_LoadMR(1, from.raw);
        L4_ReplyWait(from, &from);
    }
}

static void sender_named_by_space(void)
{
    L4_ThreadId_t local, remote;
    if (!start_partners(from_echo, child_from_echo, &local, &remote))
        return;
    /* All calls to one partner, then all to the other: the first call to a partner joins its
     * closed waiters on the general path; the fast path takes the others. */
    for (int round = 0; round < 4; ++round) {
        L4_Set_MsgTag(L4_Niltag);
        L4_MsgTag_t tag = L4_Call(local);
        CHECK(L4_IpcSucceeded(tag) && mr(1) == seen_as(main_tid).raw, "call %d in one space: tag %#lx, the receiver "
              "saw the sender as %#lx, expected its local id %#lx", round, tag.raw, mr(1), seen_as(main_tid).raw);
    }
    for (int round = 0; round < 4; ++round) {
        L4_Set_MsgTag(L4_Niltag);
        L4_MsgTag_t tag = call_child(remote, L4_Never, L4_Never);
        CHECK(L4_IpcSucceeded(tag) && mr(1) == main_tid.raw, "call %d to another space: tag %#lx, the receiver saw "
              "the sender as %#lx, expected its global id %#lx", round, tag.raw, mr(1), main_tid.raw);
    }
}

/* A receiver waiting for the reply of one thread takes no call of another. */
static void keeps_message(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_Wait(&from);
    park();
}

static L4_ThreadId_t awaited;

static void calls_awaited(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_Wait(&from); /* the main thread's first call, answered so that it joins our waiters */
    L4_Set_MsgTag(L4_Niltag);
    L4_Reply(from);
    L4_Set_MsgTag(L4_Niltag);
    L4_MsgTag_t tag = L4_Call(awaited); /* never answered */
    load_msg(LABEL_REPORT, 1, tag.raw, 0, 0);
    L4_Send_Timeout(main_tid, ms_time(1000)); /* only if a wrong message ended the wait */
    park();
}

static void closed_receiver_refuses_others(void)
{
    awaited = spawn(keeps_message, 0, 255, sigma0_tid);
    L4_ThreadId_t caller = spawn(calls_awaited, 0, 255, sigma0_tid);
    CHECK(!L4_IsNilThread(awaited) && !L4_IsNilThread(caller), "no threads");
    if (failed_now())
        return;
    L4_Set_MsgTag(L4_Niltag);
    CHECK(L4_IpcSucceeded(L4_Call(caller)), "the first call failed, ErrorCode %lu", L4_ErrorCode());
    CHECK(wait_state(caller, 2, 1000), "the caller never waited for its partner's reply");
    L4_Set_MsgTag(L4_Niltag);
    L4_MsgTag_t tag = L4_Call_Timeouts(caller, ms_time(50), L4_Never);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, SEND_PHASE),
          "a call to a thread waiting for another's reply: tag %#lx, ErrorCode %lu, expected a send timeout (%lu)",
          tag.raw, L4_ErrorCode(), IPC_ERR(TERN_IPC_ERROR_TIMEOUT, SEND_PHASE));
}

/* A call to a waiting receiver of lower priority lets a ready thread of a priority between
 * them run first (the receiver sees that it ran). */
static volatile L4_Word_t middle_ran;

static void middle_thread(L4_Word_t arg)
{
    (void)arg;
    middle_ran = 1;
    park();
}

static void low_echo(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_Wait(&from);
    for (;;) {
        load_msg(LABEL_REPORT, 1, middle_ran, 0, 0);
        L4_ReplyWait(from, &from);
    }
}

static void waiting_receiver_keeps_priority_order(void)
{
    middle_ran = 0;
    L4_ThreadId_t low = spawn(low_echo, 0, 10, sigma0_tid);
    CHECK(!L4_IsNilThread(low) && wait_state(low, 2, 1000), "no low-priority echo thread");
    if (failed_now())
        return;
    L4_Set_MsgTag(L4_Niltag);
    CHECK(L4_IpcSucceeded(L4_Call(low)) && mr(1) == 0, "the first call: ErrorCode %lu, MR1 %lu", L4_ErrorCode(), mr(1));
    L4_ThreadId_t middle = spawn(middle_thread, 0, 20, sigma0_tid); /* ready, below us */
    CHECK(!L4_IsNilThread(middle), "no middle thread");
    L4_Set_MsgTag(L4_Niltag);
    L4_MsgTag_t tag = L4_Call(low);
    CHECK(L4_IpcSucceeded(tag) && mr(1) == 1, "the receiver of priority 10 ran before the ready thread of priority "
          "20 (it saw middle_ran %lu; tag %#lx)", mr(1), tag.raw);
}

/* A caller whose partner is deleted while it waits for the reply learns so at once. */
static L4_ThreadId_t doomed;

static void calls_doomed(L4_Word_t arg)
{
    (void)arg;
    L4_Set_MsgTag(L4_Niltag);
    L4_MsgTag_t tag = L4_Call(doomed);
    load_msg(LABEL_REPORT, 2, tag.raw, L4_IpcFailed(tag) ? L4_ErrorCode() : 0, 0);
    L4_Send_Timeout(main_tid, ms_time(1000));
    park();
}

static void deleted_partner_ends_call(void)
{
    doomed = spawn(keeps_message, 0, 255, sigma0_tid);
    CHECK(!L4_IsNilThread(doomed) && wait_state(doomed, 2, 1000), "no partner");
    L4_ThreadId_t caller = spawn(calls_doomed, 0, 255, sigma0_tid);
    CHECK(!L4_IsNilThread(caller) && wait_state(caller, 2, 1000), "the caller never waited for the reply");
    if (failed_now())
        return;
    kill_thread(doomed);
    L4_MsgTag_t tag = recv_ms(caller, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT) && mr(2) == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE),
          "after its partner's deletion the caller reported tag %#lx, ErrorCode %lu (expected no partner in the "
          "receive phase, %lu)", is_label(tag, LABEL_REPORT) ? mr(1) : tag.raw, mr(2),
          IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE));
}

/* X.2 IPC with both phases: the send to a waiting receiver completes, then the receive phase
 * is a closed wait for a thread that does not exist, which ends at once (not at its timeout). */
static void send_then_receive_from_missing_thread(void)
{
    rx_clear();
    L4_ThreadId_t t = spawn_simple(silent_receiver, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    CHECK(wait_state(t, 2, 1000), "receiver never waited");
    load_msg(LABEL_PING, 1, 7, 0, 0);
    L4_ThreadId_t from = L4_nilthread;
    L4_Word_t before = now_us();
    L4_MsgTag_t tag = L4_Ipc(t, L4_GlobalId(3995, 1), L4_Timeouts(ms_time(1000), ms_time(1000)), &from);
    L4_Word_t took = now_us() - before;
    CHECK(L4_IpcFailed(tag), "the IPC succeeded");
    CHECK(L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE),
          "ErrorCode %lu, expected %lu (no partner, receive phase)", L4_ErrorCode(),
          IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE));
    sleep_ms(20); /* the receiver, made ready by the send, records what it got */
    CHECK(rx.done && rx.words[1] == 7, "the receiver did not get the message (done %lu, MR1 %lu)", rx.done,
          rx.words[1]);
    CHECK(took < 500000, "the receive phase waited %lu us for a thread that does not exist", took);
}

static const struct systest ipc_tests[] = {
    {"IPC0001", "send to a waiting receiver delivers every untyped word (63)", send_all_words},
    {"IPC0002", "send to a thread not yet receiving blocks until it receives, then delivers",
     send_blocks_until_receiver},
    {"IPC0003", "open wait reports a same-space sender by its local id (X.2)", open_wait_local_id},
    {"IPC0004", "anylocalthread receive reports the sender's local id", anylocal_gives_local_id},
    {"IPC0005", "closed receive naming a local id takes that thread's message", closed_receive_local_id},
    {"IPC0006", "send to a local id reaches the thread with that UTCB", send_to_local_id},
    {"IPC0007", "Call delivers the request and returns the callee's reply", call_and_reply},
    {"IPC0008", "ReplyWait replies to one caller and receives the next request", reply_and_wait},
    {"IPC0009", "send to self fails at once with no partner in the send phase (4)", send_to_self},
    {"IPC0010", "closed receive from a nonexistent thread fails at once with no partner receive phase (5)",
     receive_from_missing},
    {"IPC0011", "send to a nonexistent thread fails at once with no partner send phase (4)", send_to_missing},
    {"IPC0012", "send to a thread id with the wrong version fails with no partner", send_wrong_version},
    {"IPC0013", "tag with u + t > 63 fails with message overflow for sender (8) and receiver (9)", malformed_tag},
    {"IPC0014", "string items are refused with message overflow for sender (8) and receiver (9)", string_item_refused},
    {"IPC0015", "the 48-bit label arrives intact with no flags set", label_delivered},
    {"IPC0016", "an empty message (u = 0) arrives as a bare tag", empty_message},
    {"IPC0017", "queued senders are received in arrival order", senders_fifo},
    {"IPC0018", "closed receive takes the named sender out of the queue ahead of others", closed_receive_picks},
    {"IPC0019", "Lipc call and reply between local threads with local ids", lipc_local},
    {"IPC0020", "Call whose callee never replies fails with receive-phase timeout (3) after the send",
     call_receive_timeout},
    {"IPC0021", "a callee that took the queued Call can reply with zero timeout", call_queued_zero_reply},
    {"IPC0022", "IPC with nil destination and nil source returns at once without error", nil_ipc},
    {"IPC0023", "zero-timeout send to a waiting receiver succeeds", zero_timeout_send_to_waiting},
    {"IPC0024", "zero-timeout receive from an already queued sender succeeds", zero_timeout_receive_queued},
    {"IPC0025", "closed receive by global id of a same-space sender reports its local id (X.2)",
     from_of_closed_global},
    {"IPC0026", "a receiver in a closed wait ignores other senders and takes the awaited one",
     wrong_sender_not_accepted},
    {"IPC0027", "a thread's closed wait for a nonexistent thread ends at once with no partner (5)",
     closed_wait_missing_thread},
    {"IPC0028", "63 words sent from another space arrive intact", words_across_spaces},
    {"IPC0029", "Call to a server in another space returns its replies, three times", call_across_spaces},
    {"IPC0030", "closed receive from a local id no thread has fails at once with no partner (5)",
     receive_from_unused_local_id},
    {"IPC0031", "a thread waiting for its pager's reply takes no other message", fault_wait_is_closed},
    {"IPC0032", "1000 calls of 0 to 63 words to an echo server come back with every word and the label",
     many_calls_keep_every_word},
    {"IPC0034", "call round trips to a waiting echo thread, intra- and inter-space, take the fast path (none "
                "counted by the KIP's general-IPC count; all with ipc=general)", fast_path_taken},
    {"IPC0035", "a call without timeouts names its sender by local id in the receiver's space, by global id "
                "from another", sender_named_by_space},
    {"IPC0036", "a thread waiting for one thread's reply takes no call of another: that call's send times out",
     closed_receiver_refuses_others},
    {"IPC0037", "a call to a waiting lower-priority thread lets a ready thread of a priority between them run first",
     waiting_receiver_keeps_priority_order},
    {"IPC0038", "deleting the partner of a waiting call (its first to that partner) ends the call with no partner",
     deleted_partner_ends_call},
    {"IPC0033", "a send whose receive phase names a nonexistent thread delivers, then fails at once with no partner (5)",
     send_then_receive_from_missing_thread},
};
SYSTEST_GROUP(ipc) = {"ipc", ipc_tests, SYSTEST_COUNT(ipc_tests)};
