/* SPDX-License-Identifier: MIT */
/* STR: string items (X.2 long IPC): simple and compound strings, receive buffers, the
 * received item, overflow, strings together with map items, both rendezvous orders, page
 * faults on the receiver's and on the sender's side served by their pagers, transfer
 * timeouts with the bytes copied, a sender deleted in the middle of a copy, and a copy
 * cancelled by ExchangeRegisters. */
#include "systest.h"

static unsigned char source[3][4096] __attribute__((aligned(4096)));
static unsigned char target[4][4096] __attribute__((aligned(4096)));

static void fill(unsigned char *p, unsigned long n, unsigned seed)
{
    for (unsigned long i = 0; i < n; ++i)
        p[i] = (unsigned char)(seed * 31u + i * 7u + (i >> 8));
}

static int same(const unsigned char *a, const unsigned char *b, unsigned long n)
{
    for (unsigned long i = 0; i < n; ++i)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* ------------------------------------------------------------------ receiver thread */

/* What the receiver set up and what it got. */
static struct {
    volatile int compound;        /* buffer: two substrings of 64 bytes, else one of `size` */
    volatile int two_buffers;     /* a second buffer string (target[2]) follows */
    volatile int no_strings;      /* accept no strings at all */
    volatile L4_Word_t size;      /* simple buffer size */
    volatile L4_Word_t address;   /* simple buffer address */
    volatile L4_Word_t delay_ms;  /* sleep before receiving (sender queues first) */
    volatile L4_Word_t xfer;      /* XferTimeouts to set, 0: leave */
    volatile L4_Word_t from;      /* whom to receive from (0: the main thread) */
    L4_MsgBuffer_t *volatile buffer; /* accept strings into these buffer strings instead */
    volatile L4_Word_t tag, error, mr[6];
} rx;

static void string_receiver(L4_Word_t arg)
{
    (void)arg;
    L4_MsgBuffer_t buffer;
    L4_MsgBufferClear(&buffer);
    if (rx.compound) {
        /* A compound item grows past L4_StringItem_t (X.2): give it room. */
        static L4_Word_t room[8];
        L4_StringItem_t *s = (L4_StringItem_t *)room;
        *s = L4_StringItem(64, target[0]);
        L4_AddSubstringAddressTo(s, target[1]);
        L4_MsgBufferAppendRcvString(&buffer, s);
    } else {
        L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem((int)rx.size, (void *)rx.address));
    }
    if (rx.two_buffers)
        L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem(4096, target[2]));
    if (rx.no_strings)
        L4_Accept(L4_UntypedWordsAcceptor);
    else if (rx.buffer != 0)
        L4_AcceptStrings(L4_StringItemsAcceptor, rx.buffer);
    else
        L4_AcceptStrings(L4_AddAcceptor(L4_StringItemsAcceptor, L4_MapGrantItems(L4_FpageLog2(WINDOW(40), 24))), &buffer);
    if (rx.xfer != 0)
        L4_Set_XferTimeouts(rx.xfer);
    if (rx.delay_ms != 0)
        sleep_ms(rx.delay_ms);
    L4_MsgTag_t tag = recv_ms(rx.from != 0 ? (L4_ThreadId_t){.raw = rx.from} : main_tid, 3000, 0);
    rx.tag = tag.raw;
    rx.error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    for (int i = 0; i < 6; ++i)
        rx.mr[i] = mr(i + 1);
    L4_Accept(L4_UntypedWordsAcceptor);
    report_to_main(0, 0, 0, 0);
    park();
}

static void reset_rx(void)
{
    rx.compound = rx.two_buffers = rx.no_strings = 0;
    rx.size = sizeof target[0];
    rx.address = (L4_Word_t)target[0];
    rx.delay_ms = rx.xfer = rx.from = 0;
    rx.buffer = 0;
    rx.tag = rx.error = 0;
    for (unsigned i = 0; i < 4; ++i)
        for (unsigned j = 0; j < 4096; ++j)
            target[i][j] = 0;
}

/* Starts a receiver with pager `pager`, waits until it receives (unless it is to sleep
 * first), sends msg with a 2 s timeout and collects the receiver's report. Returns the
 * send result tag; the receiver's results are in rx. */
static L4_MsgTag_t exchange(L4_Msg_t *msg, L4_ThreadId_t pager, L4_ThreadId_t *receiver_out)
{
    L4_ThreadId_t t = spawn(string_receiver, 0, -1, pager);
    if (receiver_out != 0)
        *receiver_out = t;
    if (L4_IsNilThread(t))
        return L4_Niltag;
    if (rx.delay_ms == 0 && !wait_state(t, 2, 1000))
        fail("the receiver never waited");
    L4_MsgLoad(msg);
    L4_MsgTag_t sent = send_ms(t, 2000);
    L4_Word_t send_error = L4_IpcFailed(sent) ? L4_ErrorCode() : 0;
    L4_MsgTag_t report = recv_ms(t, 3000, 0);
    if (!is_label(report, LABEL_REPORT))
        fail("no report from the receiver (tag %#lx)", report.raw);
    if (receiver_out == 0)
        kill_thread(t);
    set_error_code(send_error);
    return sent;
}

static L4_MsgTag_t send_simple(unsigned long bytes, L4_ThreadId_t pager)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendWord(&msg, 0x5157);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem((int)bytes, source[0]));
    return exchange(&msg, pager, 0);
}

/* ------------------------------------------------------------------ tests */

static void simple_string(void)
{
    reset_rx();
    fill(source[0], 4096, 1);
    L4_MsgTag_t sent = send_simple(1000, sigma0_tid);
    CHECK(L4_IpcSucceeded(sent), "the send failed with ErrorCode %#lx", L4_ErrorCode());
    L4_MsgTag_t got = {.raw = rx.tag};
    CHECK(L4_IpcSucceeded(got), "the receive failed with ErrorCode %#lx", rx.error);
    CHECK(same(source[0], target[0], 1000), "the buffer does not hold the sent bytes");
    CHECK(target[0][1000] == 0, "bytes beyond the string were written");
    CHECK(L4_UntypedWords(got) == 1 && rx.mr[0] == 0x5157, "untyped words %lu, MR1 %#lx", L4_UntypedWords(got),
          rx.mr[0]);
    CHECK(L4_TypedWords(got) == 2, "typed words %lu, expected one simple string item (2)", L4_TypedWords(got));
    CHECK((rx.mr[1] >> 10) == 1000 && (rx.mr[1] & 8) == 0, "received item word %#lx, expected length 1000", rx.mr[1]);
    CHECK(rx.mr[2] == (L4_Word_t)target[0], "received item address %#lx, expected the buffer %p", rx.mr[2],
          (void *)target[0]);
}

static void sender_first(void)
{
    reset_rx();
    rx.delay_ms = 30; /* the sender queues first; the receiver takes it from its queue */
    fill(source[0], 4096, 2);
    L4_MsgTag_t sent = send_simple(3000, sigma0_tid);
    CHECK(L4_IpcSucceeded(sent), "the send failed with ErrorCode %#lx", L4_ErrorCode());
    CHECK(L4_IpcSucceeded((L4_MsgTag_t){.raw = rx.tag}), "the receive failed with ErrorCode %#lx", rx.error);
    CHECK(same(source[0], target[0], 3000), "the buffer does not hold the sent bytes");
}

static void compound_sender(void)
{
    reset_rx();
    fill(source[0], 4096, 3);
    fill(source[1], 4096, 4);
    fill(source[2], 4096, 5);
    static L4_Word_t room[8];
    L4_StringItem_t *s = (L4_StringItem_t *)room;
    *s = L4_StringItem(100, source[0]);
    L4_AddSubstringAddressTo(s, source[1]);
    L4_StringItem_t third = L4_StringItem(50, source[2]);
    L4_AddSubstringTo(s, &third);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendStringItem(&msg, s);
    L4_MsgTag_t sent = exchange(&msg, sigma0_tid, 0);
    CHECK(L4_IpcSucceeded(sent), "the send failed with ErrorCode %#lx", L4_ErrorCode());
    CHECK(L4_IpcSucceeded((L4_MsgTag_t){.raw = rx.tag}), "the receive failed with ErrorCode %#lx", rx.error);
    CHECK(same(target[0], source[0], 100) && same(target[0] + 100, source[1], 100) &&
              same(target[0] + 200, source[2], 50),
          "the buffer does not hold the three substrings one after the other");
    CHECK((rx.mr[0] >> 10) == 250, "received length %lu, expected 250", rx.mr[0] >> 10);
}

static void compound_receiver(void)
{
    reset_rx();
    rx.compound = 1; /* two substrings of 64 bytes: target[0], target[1] */
    fill(source[0], 4096, 6);
    L4_MsgTag_t sent = send_simple(100, sigma0_tid);
    CHECK(L4_IpcSucceeded(sent), "the send failed with ErrorCode %#lx", L4_ErrorCode());
    CHECK(L4_IpcSucceeded((L4_MsgTag_t){.raw = rx.tag}), "the receive failed with ErrorCode %#lx", rx.error);
    CHECK(same(target[0], source[0], 64) && same(target[1], source[0] + 64, 36),
          "the bytes are not scattered over the two buffer substrings");
    CHECK(target[0][64] == 0 && target[1][36] == 0, "bytes beyond the substrings were written");
}

static void overflow_reports_bytes(void)
{
    reset_rx();
    rx.size = 300;
    fill(source[0], 4096, 7);
    L4_MsgTag_t sent = send_simple(1000, sigma0_tid);
    L4_Word_t send_error = L4_ErrorCode();
    CHECK(L4_IpcFailed(sent), "a string larger than the buffer was sent without error");
    CHECK((send_error & 0xf) == IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, SEND_PHASE) && (send_error >> 4) == 300,
          "sender ErrorCode %#lx, expected message overflow (4) in the send phase after 300 bytes", send_error);
    CHECK((rx.error & 0xf) == IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, RECV_PHASE) && (rx.error >> 4) == 300,
          "receiver ErrorCode %#lx, expected message overflow after 300 bytes", rx.error);
    CHECK(same(target[0], source[0], 300) && target[0][300] == 0, "the buffer does not hold exactly 300 bytes");
}

static void not_accepted(void)
{
    reset_rx();
    rx.no_strings = 1;
    L4_MsgTag_t sent = send_simple(10, sigma0_tid);
    L4_Word_t send_error = L4_ErrorCode();
    CHECK(L4_IpcFailed(sent) && (send_error & 0xf) == IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, SEND_PHASE),
          "a string to a receiver that accepts none: tag %#lx ErrorCode %#lx, expected message overflow", sent.raw,
          send_error);
    CHECK(target[0][0] == 0, "bytes arrived anyway");
}

static void two_strings_two_buffers(void)
{
    reset_rx();
    rx.two_buffers = 1;
    rx.size = 64;
    fill(source[0], 4096, 8);
    fill(source[1], 4096, 9);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(64, source[0]));
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(2000, source[1]));
    L4_MsgTag_t sent = exchange(&msg, sigma0_tid, 0);
    CHECK(L4_IpcSucceeded(sent), "the send failed with ErrorCode %#lx", L4_ErrorCode());
    CHECK(L4_IpcSucceeded((L4_MsgTag_t){.raw = rx.tag}), "the receive failed with ErrorCode %#lx", rx.error);
    CHECK(same(target[0], source[0], 64), "the first string is not in the first buffer");
    CHECK(same(target[2], source[1], 2000), "the second string is not in the second buffer");
    CHECK(L4_TypedWords((L4_MsgTag_t){.raw = rx.tag}) == 4 && (rx.mr[2] >> 10) == 2000 &&
              rx.mr[3] == (L4_Word_t)target[2],
          "received items %#lx %#lx, expected the second of 2000 bytes at the second buffer", rx.mr[2], rx.mr[3]);
}

static void string_with_map_item(void)
{
    reset_rx();
    fill(source[0], 4096, 10);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(128, source[0]));
    L4_Fpage_t page = L4_FpageLog2((L4_Word_t)source[1], 12);
    L4_Set_Rights(&page, L4_Readable);
    L4_MsgAppendMapItem(&msg, L4_MapItem(page, 0));
    fill(source[1], 4096, 11);
    L4_MsgTag_t sent = exchange(&msg, sigma0_tid, 0);
    CHECK(L4_IpcSucceeded(sent), "the send failed with ErrorCode %#lx", L4_ErrorCode());
    CHECK(L4_IpcSucceeded((L4_MsgTag_t){.raw = rx.tag}), "the receive failed with ErrorCode %#lx", rx.error);
    CHECK(same(target[0], source[0], 128), "the string did not arrive");
    CHECK(L4_TypedWords((L4_MsgTag_t){.raw = rx.tag}) == 4 && (rx.mr[2] & 0xe) == 0x8,
          "typed words %lu, item word %#lx: expected the string then the map item",
          L4_TypedWords((L4_MsgTag_t){.raw = rx.tag}), rx.mr[2]);
    L4_Word_t value = 0;
    enum probe_result r = probe(WINDOW(40) + 8, 0, 0, &value, 0, 0);
    CHECK(r == PROBE_OK && value == ((L4_Word_t *)source[1])[1], "the mapped page reads %#lx (probe %d)", value,
          (int)r);
}

/* ------------------------------------------------------------------ faults during the copy */

/* A pager thread: answers up to `count` page faults by mapping source page 2 (filled
 * with a pattern) at the fault address, counting them; with `silent` it never answers. */
static struct {
    volatile L4_Word_t faults, last_address, silent;
} pg;

static void string_pager(L4_Word_t arg)
{
    (void)arg;
    for (;;) {
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = L4_Wait_Timeout(ms_time(5000), &from);
        if (L4_IpcFailed(tag) || !is_page_fault(tag))
            continue;
        pg.faults++;
        pg.last_address = mr(1);
        if (pg.silent)
            continue;
        L4_Word_t page = mr(1) & ~(PAGE_SIZE - 1);
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_Fpage_t f = L4_FpageLog2((L4_Word_t)target[3], 12);
        L4_Set_Rights(&f, L4_ReadWriteOnly);
        L4_MsgAppendMapItem(&msg, L4_MapItem(f, page));
        L4_MsgLoad(&msg);
        L4_Send_Timeout(from, ms_time(500));
    }
}

static void receiver_side_fault(void)
{
    reset_rx();
    pg.faults = pg.silent = 0;
    L4_ThreadId_t pager = spawn(string_pager, 0, -1, sigma0_tid);
    CHECK(!L4_IsNilThread(pager), "no pager thread");
    L4_Word_t buffer = WINDOW(41) + 0x100; /* unmapped: the receiver's pager maps target[3] there */
    rx.address = buffer;
    rx.size = 2000;
    for (unsigned j = 0; j < 4096; ++j)
        target[3][j] = 0;
    fill(source[0], 4096, 12);
    L4_MsgTag_t sent = send_simple(2000, pager);
    kill_thread(pager);
    CHECK(L4_IpcSucceeded(sent), "the send failed with ErrorCode %#lx", L4_ErrorCode());
    CHECK(L4_IpcSucceeded((L4_MsgTag_t){.raw = rx.tag}), "the receive failed with ErrorCode %#lx", rx.error);
    CHECK(pg.faults >= 1 && (pg.last_address & ~(PAGE_SIZE - 1)) == WINDOW(41),
          "the receiver's pager saw %lu faults, the last at %#lx, expected one in the buffer", pg.faults,
          pg.last_address);
    CHECK(same(target[3] + 0x100, source[0], 2000), "the bytes did not land in the page the pager mapped");
}

/* A sender thread whose string lies in an unmapped window, its pager being string_pager. */
static volatile L4_Word_t sender_result, sender_error;
static volatile L4_Word_t sender_window; /* a fresh, unmapped window per test */
static volatile L4_Word_t sender_xfer;   /* the sender's XferTimeouts, 0: leave them */

static void faulting_sender(L4_Word_t to_raw)
{
    if (sender_xfer != 0)
        L4_Set_XferTimeouts(sender_xfer);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(1500, (void *)(sender_window + 0x200)));
    L4_MsgLoad(&msg);
    L4_MsgTag_t tag = send_ms((L4_ThreadId_t){.raw = to_raw}, 3000);
    sender_result = tag.raw;
    sender_error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    park();
}

/* Receives in the main thread from a faulting sender with the given pager behaviour. */
static L4_MsgTag_t receive_from_faulting_sender(L4_Word_t window, int silent, L4_Word_t xfer,
                                                L4_ThreadId_t *sender_out, L4_ThreadId_t *pager_out)
{
    sender_window = window;
    pg.faults = 0;
    pg.silent = (L4_Word_t)silent;
    sender_result = sender_error = 0;
    fill(target[3], 4096, 13);
    for (unsigned j = 0; j < 4096; ++j)
        target[0][j] = 0;
    L4_ThreadId_t pager = spawn(string_pager, 0, -1, sigma0_tid);
    *pager_out = pager;
    L4_ThreadId_t sender = spawn(faulting_sender, main_tid.raw, -1, pager);
    *sender_out = sender;
    L4_MsgBuffer_t buffer;
    L4_MsgBufferClear(&buffer);
    L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem(4096, target[0]));
    L4_AcceptStrings(L4_StringItemsAcceptor, &buffer);
    L4_Word_t old_xfer = L4_XferTimeouts();
    L4_Set_XferTimeouts(xfer);
    L4_MsgTag_t tag = recv_ms(sender, 3000, 0);
    L4_Set_XferTimeouts(old_xfer);
    L4_Accept(L4_UntypedWordsAcceptor);
    return tag;
}

static void sender_side_fault(void)
{
    L4_ThreadId_t sender, pager;
    L4_MsgTag_t tag = receive_from_faulting_sender(WINDOW(42), 0, 0, &sender, &pager);
    L4_Word_t error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    sleep_ms(20);
    kill_thread(sender);
    kill_thread(pager);
    CHECK(L4_IpcSucceeded(tag), "the receive failed with ErrorCode %#lx", error);
    CHECK(pg.faults >= 1 && (pg.last_address & ~(PAGE_SIZE - 1)) == WINDOW(42),
          "the sender's pager saw %lu faults, last at %#lx, expected the sender's string page", pg.faults,
          pg.last_address);
    CHECK(same(target[0], target[3] + 0x200, 1500), "the bytes are not those of the page the sender's pager mapped");
    CHECK(sender_result != 0 && sender_error == 0, "the sender's IPC ended with tag %#lx ErrorCode %#lx", sender_result,
          sender_error);
}

static void transfer_timeout(void)
{
    L4_ThreadId_t sender, pager;
    /* Receive XferTimeout 20 ms (the sender's send XferTimeout stays never). */
    L4_Word_t xfer = ms_time(20).raw;
    L4_MsgTag_t tag = receive_from_faulting_sender(WINDOW(43), 1, xfer, &sender, &pager);
    L4_Word_t error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    sleep_ms(20);
    kill_thread(sender);
    kill_thread(pager);
    CHECK(L4_IpcFailed(tag), "the receive succeeded although the sender's pager never answered");
    CHECK((error & 0xf) == IPC_ERR(TERN_IPC_ERROR_TRANSFER_TIMEOUT_PARTNER, RECV_PHASE) && (error >> 4) == 0,
          "receiver ErrorCode %#lx, expected transfer timeout in the partner's space (6) after 0 bytes", error);
    CHECK((sender_error & 0xf) == IPC_ERR(TERN_IPC_ERROR_TRANSFER_TIMEOUT_INVOKER, SEND_PHASE),
          "sender ErrorCode %#lx, expected transfer timeout in its own space (5)", sender_error);
}

/* l4test's "Zero xfer timeouts": the receiver's buffer is not mapped and both transfer
 * timeouts (the sender's send, the receiver's receive) are zero. The copy ends at the
 * receiver's first fault without a fault IPC; the fault is in the receiver's space, so X.2
 * gives the receiver 5 (its own space) and the sender 6 (the partner's). */
static void zero_transfer_timeout(void)
{
    reset_rx();
    pg.faults = pg.silent = 0;
    L4_ThreadId_t pager = spawn(string_pager, 0, -1, sigma0_tid);
    CHECK(!L4_IsNilThread(pager), "no pager thread");
    rx.address = WINDOW(70) + 0x100; /* unmapped: a fault would go to string_pager */
    rx.size = 2000;
    rx.xfer = L4_Timeouts(L4_Never, L4_ZeroTime);
    fill(source[0], 4096, 14);
    L4_Word_t old_xfer = L4_XferTimeouts();
    L4_Set_XferTimeouts(L4_Timeouts(L4_ZeroTime, L4_Never));
    L4_MsgTag_t sent = send_simple(2000, pager);
    L4_Word_t send_error = L4_IpcFailed(sent) ? L4_ErrorCode() : 0;
    L4_Set_XferTimeouts(old_xfer);
    kill_thread(pager);
    CHECK(L4_IpcFailed(sent) && send_error == IPC_ERR(TERN_IPC_ERROR_TRANSFER_TIMEOUT_PARTNER, SEND_PHASE),
          "sender ErrorCode %#lx, expected transfer timeout in the partner's space (6), send phase, after 0 bytes",
          send_error);
    CHECK(L4_IpcFailed((L4_MsgTag_t){.raw = rx.tag}) &&
              rx.error == IPC_ERR(TERN_IPC_ERROR_TRANSFER_TIMEOUT_INVOKER, RECV_PHASE),
          "receiver ErrorCode %#lx, expected transfer timeout in its own space (5), receive phase, after 0 bytes",
          rx.error);
    CHECK(pg.faults == 0, "the receiver's pager saw %lu faults: a zero transfer timeout makes no fault IPC", pg.faults);
}

/* l4test's "Sender xfer timeout": the sender's string is not mapped, its pager never
 * answers, and the sender's send transfer timeout (20 ms) is the shorter (the receiver's
 * is never): the sender gets 5 (its own space), the receiver 6, and nothing is copied. */
static void sender_transfer_timeout(void)
{
    L4_ThreadId_t sender, pager;
    sender_xfer = L4_Timeouts(ms_time(20), L4_Never);
    L4_MsgTag_t tag = receive_from_faulting_sender(WINDOW(71), 1, L4_Timeouts(L4_Never, L4_Never), &sender, &pager);
    L4_Word_t error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    sleep_ms(20);
    sender_xfer = 0;
    kill_thread(sender);
    kill_thread(pager);
    CHECK(L4_IpcFailed(tag) && error == IPC_ERR(TERN_IPC_ERROR_TRANSFER_TIMEOUT_PARTNER, RECV_PHASE),
          "receiver ErrorCode %#lx, expected transfer timeout in the partner's space (6), receive phase, after 0 bytes",
          error);
    CHECK(sender_error == IPC_ERR(TERN_IPC_ERROR_TRANSFER_TIMEOUT_INVOKER, SEND_PHASE),
          "sender ErrorCode %#lx, expected transfer timeout in its own space (5), send phase, after 0 bytes",
          sender_error);
    unsigned long written = 0;
    for (unsigned j = 0; j < 4096; ++j)
        written += target[0][j] != 0;
    CHECK(written == 0, "%lu bytes of the receive buffer were written although nothing was transferred", written);
}

/* l4test's "Sender abort": the sender is a thread of another space, paged by the main
 * thread, which cancels the sender's page-fault IPC in the middle of the copy with
 * ExchangeRegisters (allowed to the space of a thread's pager, EXR0022) instead of
 * answering it. Both IPCs end with aborted (7), the bytes copied before the fault as
 * offset. */
static volatile L4_Word_t abort_receiver;

static void aborted_sender_child(void)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    /* 0x100 bytes at the end of source[0], then 0x100 of source[1]. */
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(0x200, source[0] + 0xf00));
    L4_MsgLoad(&msg);
    L4_MsgTag_t tag = send_ms((L4_ThreadId_t){.raw = abort_receiver}, 3000);
    report_to_main(2, tag.raw, L4_IpcFailed(tag) ? L4_ErrorCode() : 0, 0);
    park();
}

static void sender_fault_cancelled_by_pager(void)
{
    reset_rx();
    rx.from = L4_anythread.raw;
    fill(source[0], 4096, 15);
    fill(source[1], 4096, 16);
    L4_ThreadId_t receiver = spawn(string_receiver, 0, -1, sigma0_tid);
    CHECK(!L4_IsNilThread(receiver) && wait_state(receiver, 2, 1000), "the receiver never waited");
    abort_receiver = receiver.raw;
    L4_ThreadId_t child = spawn_child(aborted_sender_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    int cancelled = 0, child_done = 0, receiver_done = 0;
    L4_Word_t child_error = 0, cancel_result = 0;
    for (int i = 0; i < 200 && !(child_done && receiver_done); ++i) {
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = recv_ms(L4_anythread, 3000, &from);
        if (L4_IpcFailed(tag))
            break;
        if (from.raw == child.raw && is_page_fault(tag)) {
            if ((mr(1) & ~(PAGE_SIZE - 1)) == (L4_Word_t)source[1] && !cancelled) {
                L4_Word_t control, sp, ip, flags, handle;
                L4_ThreadId_t pager;
                cancelled = 1;
                cancel_result = L4_ExchangeRegisters(child, 6 /* cancel send and receive */, 0, 0, 0, 0, L4_nilthread,
                                                     &control, &sp, &ip, &flags, &handle, &pager).raw;
            } else if (!answer_page_fault(from)) {
                break;
            }
        } else if (from.raw == child.raw && is_label(tag, LABEL_REPORT)) {
            child_error = mr(2);
            child_done = 1;
        } else if (from.raw == seen_as(receiver).raw && is_label(tag, LABEL_REPORT)) {
            receiver_done = 1;
        }
    }
    kill_thread(receiver);
    CHECK(cancelled && cancel_result != 0, "the pager did not cancel the sender's fault on its second page (%d, %#lx)",
          cancelled, cancel_result);
    CHECK(child_done && child_error == (IPC_ERR(TERN_IPC_ERROR_ABORTED, SEND_PHASE) | 0x100 << 4),
          "sender ErrorCode %#lx, expected aborted (7), send phase, after 0x100 bytes", child_error);
    CHECK(receiver_done && rx.error == (IPC_ERR(TERN_IPC_ERROR_ABORTED, RECV_PHASE) | 0x100 << 4),
          "receiver ErrorCode %#lx, expected aborted (7), receive phase, after 0x100 bytes", rx.error);
    CHECK(same(target[0], source[0] + 0xf00, 0x100) && target[0][0x100] == 0,
          "the receive buffer does not hold exactly the 0x100 bytes copied before the fault");
}

/* Deletes the thread arg after 50 ms. */
static void killer_thread(L4_Word_t victim)
{
    sleep_ms(50);
    L4_ThreadControl((L4_ThreadId_t){.raw = victim}, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    park();
}

static void sender_deleted_mid_copy(void)
{
    L4_ThreadId_t pager = spawn(string_pager, 0, -1, sigma0_tid);
    CHECK(!L4_IsNilThread(pager), "no pager thread");
    pg.faults = 0;
    pg.silent = 1;
    sender_window = WINDOW(44);
    /* A helper deletes the sender while its pager keeps silent. */
    L4_ThreadId_t sender = spawn(faulting_sender, main_tid.raw, -1, pager);
    CHECK(!L4_IsNilThread(sender), "no sender thread");
    L4_MsgBuffer_t buffer;
    L4_MsgBufferClear(&buffer);
    L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem(4096, target[0]));
    L4_AcceptStrings(L4_StringItemsAcceptor, &buffer);
    L4_ThreadId_t killer = spawn(killer_thread, sender.raw, -1, sigma0_tid);
    L4_MsgTag_t tag = recv_ms(sender, 3000, 0);
    L4_Word_t error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    L4_Accept(L4_UntypedWordsAcceptor);
    sleep_ms(20);
    kill_thread(killer);
    kill_thread(pager);
    forget_thread(sender);
    CHECK(L4_IpcFailed(tag), "the receive succeeded although the sender was deleted");
    CHECK((error & 0xf) == IPC_ERR(TERN_IPC_ERROR_ABORTED, RECV_PHASE), "receiver ErrorCode %#lx, expected aborted (7)", error);
    CHECK(pg.faults >= 1, "the sender never faulted");
}

/* The receiver's pager for STR0014: before it maps the receiver's page it flushes the
 * sender's string page, as if another thread unmapped it in the middle of the copy. */
static volatile L4_Word_t flushing_faults;

static void flushing_pager(L4_Word_t arg)
{
    (void)arg;
    for (;;) {
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = L4_Wait_Timeout(ms_time(5000), &from);
        if (L4_IpcFailed(tag) || !is_page_fault(tag))
            continue;
        flushing_faults++;
        L4_Word_t page = mr(1) & ~(PAGE_SIZE - 1);
        L4_Flush(L4_FpageAddRights(L4_FpageLog2(sender_window, 12), L4_FullyAccessible));
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_Fpage_t f = L4_FpageLog2((L4_Word_t)target[2], 12);
        L4_Set_Rights(&f, L4_ReadWriteOnly);
        L4_MsgAppendMapItem(&msg, L4_MapItem(f, page));
        L4_MsgLoad(&msg);
        L4_Send_Timeout(from, ms_time(500));
    }
}

static void unmapped_mid_copy(void)
{
    /* The sender's string (1500 bytes at WINDOW(46) + 0x200) is paged by string_pager with
     * target[3]; the receiver's buffer (WINDOW(47) + 0x100) by flushing_pager with target[2]. */
    pg.faults = 0;
    pg.silent = 0;
    flushing_faults = 0;
    sender_window = WINDOW(46);
    sender_result = sender_error = 0;
    fill(target[3], 4096, 15);
    for (unsigned j = 0; j < 4096; ++j)
        target[2][j] = 0;
    L4_ThreadId_t sender_pager = spawn(string_pager, 0, -1, sigma0_tid);
    L4_ThreadId_t receiver_pager = spawn(flushing_pager, 0, -1, sigma0_tid);
    reset_rx();
    rx.address = WINDOW(47) + 0x100;
    rx.size = 2048;
    rx.from = L4_anythread.raw;
    L4_ThreadId_t receiver = spawn(string_receiver, 0, -1, receiver_pager);
    CHECK(!L4_IsNilThread(sender_pager) && !L4_IsNilThread(receiver_pager) && !L4_IsNilThread(receiver),
          "threads missing");
    CHECK(wait_state(receiver, 2, 1000) != 0, "the receiver never waited");
    L4_ThreadId_t sender = spawn(faulting_sender, receiver.raw, -1, sender_pager);
    L4_MsgTag_t report = recv_ms(receiver, 3000, 0);
    sleep_ms(20);
    kill_thread(sender);
    kill_thread(receiver);
    kill_thread(sender_pager);
    kill_thread(receiver_pager);
    CHECK(is_label(report, LABEL_REPORT), "no report from the receiver (tag %#lx)", report.raw);
    CHECK(L4_IpcSucceeded((L4_MsgTag_t){.raw = rx.tag}), "the receive failed with ErrorCode %#lx", rx.error);
    CHECK(flushing_faults == 1, "the receiver's pager saw %lu faults, expected 1", flushing_faults);
    CHECK(pg.faults == 2, "the sender's pager saw %lu faults, expected 2 (its page was unmapped mid-copy)",
          pg.faults);
    CHECK(same(target[2] + 0x100, target[3] + 0x200, 1500), "the copied bytes are not the sender's");
    CHECK(sender_error == 0, "the sender's IPC failed with ErrorCode %#lx", sender_error);
}

/* Stops (and so cancels the IPC of) the thread arg after 50 ms; first it records what
 * Schedule reports of both sides of the copy (X.2: 7 receiving, 5 sending). */
static volatile L4_Word_t copier_state, sender_state;

static void canceller_thread(L4_Word_t victim)
{
    sleep_ms(50);
    L4_Word_t time_control;
    copier_state = L4_Schedule((L4_ThreadId_t){.raw = victim}, ~0UL, ~0UL, ~0UL, ~0UL, &time_control);
    sender_state = L4_Schedule(main_tid, ~0UL, ~0UL, ~0UL, ~0UL, &time_control);
    (void)L4_AbortReceive_and_stop((L4_ThreadId_t){.raw = victim});
    park();
}

static void cancel_mid_copy(void)
{
    reset_rx();
    pg.faults = 0;
    pg.silent = 1;
    L4_ThreadId_t pager = spawn(string_pager, 0, -1, sigma0_tid);
    CHECK(!L4_IsNilThread(pager), "no pager thread");
    rx.address = WINDOW(45) + 0x80; /* unmapped; its pager never answers */
    rx.size = 512;
    L4_ThreadId_t receiver = spawn(string_receiver, 0, -1, pager);
    CHECK(!L4_IsNilThread(receiver), "no receiver thread");
    CHECK(wait_state(receiver, 2, 1000) != 0, "the receiver never waited");
    L4_ThreadId_t canceller = spawn(canceller_thread, receiver.raw, -1, sigma0_tid);
    fill(source[0], 4096, 14);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(512, source[0]));
    L4_MsgLoad(&msg);
    L4_Word_t before = now_us();
    L4_MsgTag_t sent = send_ms(receiver, 2000);
    L4_Word_t error = L4_IpcFailed(sent) ? L4_ErrorCode() : 0;
    L4_Word_t took = now_us() - before;
    kill_thread(canceller);
    kill_thread(receiver);
    kill_thread(pager);
    CHECK(pg.faults == 1, "the receiver's pager saw %lu faults, expected 1", pg.faults);
    CHECK(L4_IpcFailed(sent) && (error & 0xf) == IPC_ERR(TERN_IPC_ERROR_ABORTED, SEND_PHASE) && (error >> 4) == 0,
          "sender tag %#lx ErrorCode %#lx, expected aborted (7) in the send phase after 0 bytes", sent.raw, error);
    CHECK(took < 1000000, "the send ended only after %lu us", took);
    CHECK(copier_state == 7 && sender_state == 5,
          "Schedule reported the copier as %lu and the sender as %lu during the copy, expected 7 and 5", copier_state,
          sender_state);
}

/* Both sides of a message cut by message overflow: ErrorCode with the offset X.2 defines,
 * the bytes transferred before the error, counted over all the message's strings. */
static void check_cut(L4_MsgTag_t sent, L4_Word_t offset)
{
    L4_Word_t send_error = L4_ErrorCode();
    L4_Word_t send_expected = IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, SEND_PHASE) | offset << 4;
    L4_Word_t receive_expected = IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, RECV_PHASE) | offset << 4;
    CHECK(L4_IpcFailed(sent) && send_error == send_expected,
          "sender tag %#lx ErrorCode %#lx, expected message overflow in the send phase after %#lx bytes (%#lx)",
          sent.raw, send_error, offset, send_expected);
    CHECK(L4_IpcFailed((L4_MsgTag_t){.raw = rx.tag}) && rx.error == receive_expected,
          "receiver tag %#lx ErrorCode %#lx, expected message overflow in the receive phase after %#lx bytes (%#lx)",
          rx.tag, rx.error, offset, receive_expected);
    CHECK(same(target[0], source[0], offset), "the buffers do not hold the %#lx bytes transferred", offset);
    CHECK(target[0][offset] == 0, "a byte beyond the cut (%#lx) was written", offset);
}

/* l4test's "Missing receive buffer": two strings of 128 bytes, one buffer string of 256
 * (without a next one): the first string arrives, the second has no buffer. */
static void missing_buffer_offset(void)
{
    reset_rx();
    fill(source[0], 256, 20);
    static L4_MsgBuffer_t buffer;
    L4_MsgBufferClear(&buffer);
    L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem(256, target[0]));
    rx.buffer = &buffer;
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(128, source[0]));
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(128, source[0] + 128));
    L4_MsgTag_t sent = exchange(&msg, sigma0_tid, 0);
    check_cut(sent, 128);
}

/* l4test's "Complex cut message": the sender's strings are 3 x 32 and 2 x 64 + 2 x 16 bytes
 * (96 and 160), the receiver's buffer strings 4 x 16 + 32 and 3 x 32 + 60 bytes (96 and
 * 156): the first string fills the first buffer, the second overflows the second after
 * 156 of its bytes, 252 in all. */
static void complex_cut_offset(void)
{
    reset_rx();
    fill(source[0], 256, 21);
    unsigned char *t = target[0], *f = source[0];
    static L4_Word_t room[4][16];
    L4_StringItem_t *b1 = (L4_StringItem_t *)room[0], *b2 = (L4_StringItem_t *)room[1];
    *b1 = L4_StringItem(16, t);
    L4_AddSubstringAddressTo(b1, t + 16);
    L4_AddSubstringAddressTo(b1, t + 32);
    L4_AddSubstringAddressTo(b1, t + 48);
    L4_StringItem_t unit = L4_StringItem(32, t + 64);
    L4_AddSubstringTo(b1, &unit);
    *b2 = L4_StringItem(32, t + 96);
    L4_AddSubstringAddressTo(b2, t + 128);
    L4_AddSubstringAddressTo(b2, t + 160);
    unit = L4_StringItem(60, t + 192);
    L4_AddSubstringTo(b2, &unit);
    static L4_MsgBuffer_t buffer;
    L4_MsgBufferClear(&buffer);
    L4_MsgBufferAppendRcvString(&buffer, b1);
    L4_MsgBufferAppendRcvString(&buffer, b2);
    rx.buffer = &buffer;

    L4_StringItem_t *s1 = (L4_StringItem_t *)room[2], *s2 = (L4_StringItem_t *)room[3];
    *s1 = L4_StringItem(32, f);
    L4_AddSubstringAddressTo(s1, f + 32);
    L4_AddSubstringAddressTo(s1, f + 64);
    *s2 = L4_StringItem(64, f + 96);
    L4_AddSubstringAddressTo(s2, f + 160);
    unit = L4_StringItem(16, f + 224);
    L4_AddSubstringTo(s2, &unit);
    L4_AddSubstringAddressTo(s2, f + 240);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendStringItem(&msg, s1);
    L4_MsgAppendStringItem(&msg, s2);
    L4_MsgTag_t sent = exchange(&msg, sigma0_tid, 0);
    check_cut(sent, 252);
}

static const struct systest string_tests[] = {
    {"STR0001", "a simple string arrives in the receiver's buffer, described by the received item", simple_string},
    {"STR0002", "a string from a sender queued before the receiver came is copied too", sender_first},
    {"STR0003", "a compound string of three substrings arrives in one buffer, in order", compound_sender},
    {"STR0004", "a string is scattered over a compound receive buffer's substrings", compound_receiver},
    {"STR0005", "a string larger than the buffer fails with message overflow after the bytes that fit",
     overflow_reports_bytes},
    {"STR0006", "a string to a receiver that accepts none fails with message overflow", not_accepted},
    {"STR0007", "two strings go into two buffer strings", two_strings_two_buffers},
    {"STR0008", "a string and a map item in one message are both delivered", string_with_map_item},
    {"STR0009", "a missing page of the receive buffer is faulted in by the receiver's pager mid-copy",
     receiver_side_fault},
    {"STR0010", "a missing page of the sender's string is faulted in by the sender's pager mid-copy",
     sender_side_fault},
    {"STR0011", "an unanswered fault ends the copy with transfer timeouts (6 receiver, 5 sender)", transfer_timeout},
    {"STR0012", "deleting the sender while its fault waits aborts the receiver's IPC (7)", sender_deleted_mid_copy},
    {"STR0014", "a sender page unmapped in the middle of a copy is faulted in again, the bytes stay right",
     unmapped_mid_copy},
    {"STR0013", "cancelling the receiver's fault IPC during a copy aborts the sender's IPC (7); Schedule shows the copy " "as receiving and sending",
     cancel_mid_copy},
    {"STR0015", "a second string without a buffer string fails with message overflow after the first string's "
     "bytes (l4test's missing receive buffer)", missing_buffer_offset},
    {"STR0016", "a message cut in its second compound string reports the bytes of both strings transferred (l4test's "
     "complex cut message)", complex_cut_offset},
    {"STR0017", "zero transfer timeouts end the copy at the receiver's fault without a fault IPC (5 receiver, 6 "
     "sender: the fault was in the receiver's space)", zero_transfer_timeout},
    {"STR0018", "the sender's shorter transfer timeout on its own unanswered fault: 5 sender, 6 receiver, nothing "
     "copied", sender_transfer_timeout},
    {"STR0019", "a sender's pager in another space cancels the sender's fault IPC mid-copy: both aborted (7) after "
     "the bytes copied (l4test's sender abort)", sender_fault_cancelled_by_pager},
};
SYSTEST_GROUP(string) = {"string", string_tests, SYSTEST_COUNT(string_tests)};
