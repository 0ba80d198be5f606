/* SPDX-License-Identifier: MIT */
/* MAP: map and grant items, receive windows, Unmap. Also the memory probe the other
 * groups use: a fresh thread whose pager is the main thread touches an address, so an
 * unmapped address shows as a page-fault message instead of stalling the suite. */
#include "systest.h"

/* ------------------------------------------------------------------ probe */

static struct {
    volatile L4_Word_t address, value, write;
} probe_args;

static void probe_thread(L4_Word_t arg)
{
    (void)arg;
    volatile L4_Word_t *p = (volatile L4_Word_t *)probe_args.address;
    if (probe_args.write) {
        *p = probe_args.value;
        report_to_main(1, 1, 0, 0);
    } else {
        L4_Word_t v = *p;
        report_to_main(1, v, 0, 0);
    }
}

enum probe_result probe(L4_Word_t address, int write, L4_Word_t value, L4_Word_t *read_value, L4_Word_t *fault_label,
                        L4_Word_t *fault_address)
{
    probe_args.address = address;
    probe_args.value = value;
    probe_args.write = (L4_Word_t)write;
    L4_ThreadId_t t = spawn(probe_thread, 0, -1, main_tid);
    if (L4_IsNilThread(t))
        return PROBE_ERROR;
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    enum probe_result result = PROBE_TIMEOUT;
    if (is_page_fault(tag)) {
        if (fault_label != 0)
            *fault_label = L4_Label(tag) & LABEL_MASK;
        if (fault_address != 0)
            *fault_address = mr(1);
        result = PROBE_FAULT;
    } else if (is_label(tag, LABEL_REPORT)) {
        if (read_value != 0)
            *read_value = mr(1);
        result = PROBE_OK;
    }
    kill_thread(t);
    return result;
}

static const char *probe_name(enum probe_result r)
{
    switch (r) {
    case PROBE_OK: return "no fault";
    case PROBE_FAULT: return "a page fault";
    case PROBE_TIMEOUT: return "no answer";
    default: return "no probe thread";
    }
}

/* ------------------------------------------------------------------ receiving maps */

static L4_Word_t source_pages[3][512] __attribute__((aligned(8192)));

static void fill_sources(void)
{
    for (int p = 0; p < 3; ++p)
        for (int i = 0; i < 512; ++i)
            source_pages[p][i] = 0x5a00000000000000UL | ((L4_Word_t)p << 32) | (L4_Word_t)i;
}

static struct {
    volatile L4_Word_t acceptor, tag, error, mr1, mr2, done;
} mrx;

/* Receives one message from the main thread with the acceptor in mrx.acceptor, records it
 * and reports. */
static void map_receiver(L4_Word_t arg)
{
    (void)arg;
    L4_Acceptor_t acceptor = {.raw = mrx.acceptor};
    L4_Accept(acceptor);
    L4_MsgTag_t tag = recv_ms(main_tid, 2000, 0);
    mrx.tag = tag.raw;
    mrx.error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    mrx.mr1 = mr(1);
    mrx.mr2 = mr(2);
    mrx.done = 1;
    L4_Accept(L4_UntypedWordsAcceptor);
    report_to_main(0, 0, 0, 0);
}

/* The receiver's part of send_item; the receiver thread is deleted again. */
static int send_item_to(L4_ThreadId_t t, L4_Fpage_t fpage, L4_Word_t send_base, int grant);

int send_item(L4_Acceptor_t acceptor, L4_Fpage_t fpage, L4_Word_t send_base, int grant)
{
    mrx.acceptor = acceptor.raw;
    mrx.done = 0;
    L4_ThreadId_t t = spawn(map_receiver, 0, -1, main_tid);
    if (L4_IsNilThread(t))
        return 0;
    int sent = send_item_to(t, fpage, send_base, grant);
    kill_thread(t); /* so that a test can send many items without running out of slots */
    return sent;
}

static int send_item_to(L4_ThreadId_t t, L4_Fpage_t fpage, L4_Word_t send_base, int grant)
{
    if (!wait_state(t, 2, 1000)) {
        fail("map receiver never waited");
        return 0;
    }
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    if (grant)
        L4_MsgAppendGrantItem(&msg, L4_GrantItem(fpage, send_base));
    else
        L4_MsgAppendMapItem(&msg, L4_MapItem(fpage, send_base));
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgLoad(&msg);
    L4_MsgTag_t tag = send_ms(t, 1000);
    if (L4_IpcFailed(tag)) {
        fail("sending the item failed with ErrorCode %lu", L4_ErrorCode());
        return 0;
    }
    tag = recv_ms(t, 1000, 0);
    if (!is_label(tag, LABEL_REPORT)) {
        fail("no report from the receiver (tag %#lx)", tag.raw);
        return 0;
    }
    if (L4_IpcFailed((L4_MsgTag_t){.raw = mrx.tag})) {
        fail("receiver's IPC failed with ErrorCode %lu", mrx.error);
        return 0;
    }
    return 1;
}

L4_Acceptor_t window(L4_Word_t base, int log2) { return L4_MapGrantItems(L4_FpageLog2(base, log2)); }

L4_Fpage_t with_rights(L4_Fpage_t f, L4_Word_t rights)
{
    L4_Set_Rights(&f, rights);
    return f;
}

static void map_to_window(void)
{
    fill_sources();
    L4_Word_t w = WINDOW(10);
    CHECK(send_item(window(w, 12), with_rights(L4_FpageLog2((L4_Word_t)source_pages[0], 12), L4_ReadWriteOnly), 0, 0),
          "no transfer");
    L4_Word_t value = 0, label = 0, address = 0;
    enum probe_result r = probe(w + 8 * 7, 0, 0, &value, &label, &address);
    CHECK(r == PROBE_OK, "reading the window gave %s (label %#lx address %#lx)", probe_name(r), label, address);
    CHECK(value == source_pages[0][7], "window word 7 is %#lx, expected the sender's %#lx", value, source_pages[0][7]);
}

static void map_item_words(void)
{
    fill_sources();
    L4_Word_t w = WINDOW(11);
    L4_Fpage_t f = with_rights(L4_FpageLog2((L4_Word_t)source_pages[0], 12), L4_Readable);
    CHECK(send_item(window(w, 12), f, 0, 0), "no transfer");
    L4_MsgTag_t tag = {.raw = mrx.tag};
    CHECK(L4_UntypedWords(tag) == 0 && L4_TypedWords(tag) == 2, "received tag %#lx, expected u = 0, t = 2", mrx.tag);
    CHECK((mrx.mr1 & 0xe) == 0x8, "MR1 %#lx is not a map item (type bits %#lx)", mrx.mr1, mrx.mr1 & 0xe);
    CHECK((mrx.mr2 & ~0xfUL) == (f.raw & ~0xfUL), "MR2 %#lx, expected the sent fpage %#lx", mrx.mr2, f.raw);
}

/* Sends a map (grant: 1) item of source_pages[0] to a fresh receiver whose receive window
 * is nil (it accepts untyped words only). Returns 1 with the sender's and the receiver's
 * ErrorCode (0 for an IPC that succeeded), 0 when the receiver did not report. */
static int send_to_nil_window(L4_Word_t send_base, int grant, L4_Word_t *send_error, L4_Word_t *receive_error)
{
    mrx.acceptor = L4_UntypedWordsAcceptor.raw;
    mrx.done = 0;
    L4_ThreadId_t t = spawn(map_receiver, 0, -1, main_tid);
    if (L4_IsNilThread(t))
        return 0;
    int reported = 0;
    if (!wait_state(t, 2, 1000)) {
        fail("map receiver never waited");
    } else {
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_Fpage_t page = with_rights(L4_FpageLog2((L4_Word_t)source_pages[0], 12), 7);
        if (grant)
            L4_MsgAppendGrantItem(&msg, L4_GrantItem(page, send_base));
        else
            L4_MsgAppendMapItem(&msg, L4_MapItem(page, send_base));
        L4_Set_MsgLabel(&msg, LABEL_PING);
        L4_MsgLoad(&msg);
        set_error_code(0);
        L4_MsgTag_t tag = send_ms(t, 1000);
        *send_error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
        tag = recv_ms(t, 1000, 0);
        if (!is_label(tag, LABEL_REPORT))
            fail("no report from the receiver (tag %#lx)", tag.raw);
        else
            reported = 1;
        *receive_error = mrx.error;
    }
    kill_thread(t);
    return reported;
}

static void no_window_no_mapping(void)
{
    fill_sources();
    L4_Word_t w = WINDOW(12);
    L4_Word_t send_error = 0, receive_error = 0;
    if (!send_to_nil_window(w, 0, &send_error, &receive_error))
        return;
    L4_Word_t label = 0, address = 0;
    enum probe_result r = probe(w, 0, 0, 0, &label, &address);
    CHECK(r == PROBE_FAULT, "reading where a receiver without a window would have got the page gave %s",
          probe_name(r));
}

static void read_only_mapping(void)
{
    fill_sources();
    L4_Word_t w = WINDOW(13);
    CHECK(send_item(window(w, 12), with_rights(L4_FpageLog2((L4_Word_t)source_pages[1], 12), L4_Readable), 0, 0),
          "no transfer");
    L4_Word_t value = 0, label = 0, address = 0;
    enum probe_result r = probe(w + 16, 0, 0, &value, &label, &address);
    CHECK(r == PROBE_OK && value == source_pages[1][2], "read gave %s, value %#lx (expected %#lx)", probe_name(r),
          value, source_pages[1][2]);
    r = probe(w + 16, 1, 0xbad, 0, &label, &address);
    CHECK(r == PROBE_FAULT, "writing a read-only mapping gave %s", probe_name(r));
    CHECK((label & 0xf) == 2 && address == w + 16, "fault label %#lx address %#lx, expected w access at %#lx", label,
          address, w + 16);
    CHECK(source_pages[1][2] != 0xbad, "the source page was written");
}

static void writable_mapping_shared(void)
{
    fill_sources();
    L4_Word_t w = WINDOW(14);
    CHECK(send_item(window(w, 12), with_rights(L4_FpageLog2((L4_Word_t)source_pages[2], 12), L4_ReadWriteOnly), 0,
                    0),
          "no transfer");
    enum probe_result r = probe(w + 8 * 100, 1, 0xfeedface, 0, 0, 0);
    CHECK(r == PROBE_OK, "writing the window gave %s", probe_name(r));
    CHECK(source_pages[2][100] == 0xfeedface, "sender's page word is %#lx after the receiver wrote 0xfeedface",
          source_pages[2][100]);
}

static void big_fpage_small_window(void)
{
    fill_sources();
    L4_Word_t w = WINDOW(15);
    /* source_pages[0..1] is an aligned 8 KiB fpage; send base 0x1000 selects its second page. */
    CHECK(send_item(window(w, 12), with_rights(L4_FpageLog2((L4_Word_t)source_pages[0], 13), L4_Readable), 0x1000, 0),
          "no transfer");
    L4_Word_t value = 0;
    enum probe_result r = probe(w, 0, 0, &value, 0, 0);
    CHECK(r == PROBE_OK, "reading the window gave %s", probe_name(r));
    CHECK(value == source_pages[1][0], "window holds %#lx, expected the second page's %#lx (first page: %#lx)", value,
          source_pages[1][0], source_pages[0][0]);
}

static void small_fpage_big_window(void)
{
    fill_sources();
    L4_Word_t w = WINDOW(16);
    CHECK(send_item(window(w, 16), with_rights(L4_FpageLog2((L4_Word_t)source_pages[2], 12), L4_Readable), 0x3000, 0),
          "no transfer");
    L4_Word_t value = 0;
    enum probe_result r = probe(w + 0x3000, 0, 0, &value, 0, 0);
    CHECK(r == PROBE_OK && value == source_pages[2][0], "window + 0x3000 gave %s, value %#lx (expected %#lx)",
          probe_name(r), value, source_pages[2][0]);
    r = probe(w, 0, 0, 0, 0, 0);
    CHECK(r == PROBE_FAULT, "window base (outside the send base's page) gave %s", probe_name(r));
}

static void unmapped_source_maps_nothing(void)
{
    L4_Word_t w = WINDOW(17);
    CHECK(send_item(window(w, 12), with_rights(L4_FpageLog2(WINDOW(18), 12), 7), 0, 0), "no transfer");
    enum probe_result r = probe(w, 0, 0, 0, 0, 0);
    CHECK(r == PROBE_FAULT, "the window after mapping unmapped memory gave %s", probe_name(r));
}

static struct {
    volatile L4_Word_t first, second, unmap_mr0;
} flush_result;

static void flushing_receiver(L4_Word_t w)
{
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(w, 12)));
    L4_MsgTag_t tag = recv_ms(main_tid, 2000, 0);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (L4_IpcFailed(tag))
        return;
    flush_result.first = *(volatile L4_Word_t *)w;
    L4_Fpage_t f = L4_Flush(with_rights(L4_FpageLog2(w, 12), 7));
    flush_result.unmap_mr0 = f.raw;
    report_to_main(0, 0, 0, 0);
    flush_result.second = *(volatile L4_Word_t *)w; /* must fault now */
    report_to_main(1, 1, 0, 0);
}

static void flush_own_mapping(void)
{
    fill_sources();
    L4_Word_t w = WINDOW(19);
    flush_result.first = flush_result.second = flush_result.unmap_mr0 = 0;
    L4_ThreadId_t t = spawn(flushing_receiver, w, -1, main_tid);
    CHECK(!L4_IsNilThread(t) && wait_state(t, 2, 1000), "receiver never waited");
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendMapItem(&msg, L4_MapItem(with_rights(L4_FpageLog2((L4_Word_t)source_pages[0], 12), 4), 0));
    L4_MsgLoad(&msg);
    CHECK(L4_IpcSucceeded(send_ms(t, 1000)), "map failed with ErrorCode %lu", L4_ErrorCode());
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "receiver faulted or stopped before the flush (tag %#lx, label %#lx, MR1 %#lx)",
          tag.raw, L4_Label(tag), mr(1));
    CHECK(flush_result.first == source_pages[0][0], "mapped word %#lx, expected %#lx", flush_result.first,
          source_pages[0][0]);
    tag = recv_ms(t, 1000, 0);
    CHECK(is_page_fault(tag), "reading after the flush did not fault (tag %#lx, value %#lx)", tag.raw,
          flush_result.second);
    CHECK(mr(1) == w, "fault address %#lx, expected %#lx", mr(1), w);
}

static void unmap_returns_fpage(void)
{
    L4_Fpage_t f = with_rights(L4_FpageLog2(WINDOW(20), 12), 7);
    L4_Fpage_t back = L4_Flush(f);
    CHECK((back.raw & ~0xfUL) == (f.raw & ~0xfUL), "Unmap returned %#lx for %#lx: base or size changed", back.raw,
          f.raw);
    L4_Fpage_t g = with_rights(L4_FpageLog2(WINDOW(20), 14), 7);
    L4_LoadMR(0, f.raw);
    L4_LoadMR(1, g.raw);
    L4_Unmap(0x40 | 1);
    CHECK((mr(0) & ~0xfUL) == (f.raw & ~0xfUL) && (mr(1) & ~0xfUL) == (g.raw & ~0xfUL),
          "two-fpage Unmap returned %#lx %#lx for %#lx %#lx", mr(0), mr(1), f.raw, g.raw);
}

static void unmap_without_flush_keeps_own(void)
{
    fill_sources();
    L4_Word_t w = WINDOW(21);
    CHECK(send_item(window(w, 12), with_rights(L4_FpageLog2((L4_Word_t)source_pages[1], 12), L4_Readable), 0, 0),
          "no transfer");
    /* The main thread's space holds the mapping too (same space): unmap without flush. */
    L4_UnmapFpage(with_rights(L4_FpageLog2(w, 12), 7));
    L4_Word_t value = 0;
    enum probe_result r = probe(w, 0, 0, &value, 0, 0);
    CHECK(r == PROBE_OK && value == source_pages[1][0], "after Unmap without the flush bit the window gave %s "
          "(value %#lx)", probe_name(r), value);
    L4_Flush(with_rights(L4_FpageLog2(w, 12), 7));
    r = probe(w, 0, 0, &value, 0, 0);
    CHECK(r == PROBE_FAULT, "after Flush the window gave %s", probe_name(r));
}

static void map_into_kip_area_refused(void)
{
    fill_sources();
    CHECK(send_item(window(KIP_AREA, 12), with_rights(L4_FpageLog2((L4_Word_t)source_pages[0], 12), 7), 0, 0),
          "no transfer");
    L4_Word_t magic = *(volatile L4_Word_t *)KIP_AREA & 0xffffffffUL;
    CHECK(magic == 0x4be6344cUL, "after a map item aimed at the KIP area the KIP reads %#lx", magic);
    L4_Word_t stub = KIP_AREA + TERN_KIP_STUBS;
    L4_Word_t code = *(volatile L4_Word_t *)stub;
    CHECK(send_item(window(stub, 12), with_rights(L4_FpageLog2((L4_Word_t)source_pages[0], 12), 7), 0, 0),
          "no transfer");
    CHECK(*(volatile L4_Word_t *)stub == code, "after a map item aimed at the stub page it reads %#lx, was %#lx",
          *(volatile L4_Word_t *)stub, code);
    CHECK((code & 0xff) == 0xb8, "the first stub starts with %#lx, expected mov eax, imm32 (0xb8)", code & 0xff);
    /* Then syscall (0f 05) in ring 3; in ring 0 cli (fa) before the jump into the kernel. */
    L4_Word_t next = code >> 40 & 0xff;
    CHECK(next == (suite_in_ring0() ? 0xfaUL : 0x0fUL), "the first stub goes on with %#lx", next);
}

static void utcb_not_mappable(void)
{
    L4_Word_t w = WINDOW(22);
    CHECK(send_item(window(w, 12), with_rights(L4_FpageLog2(UTCB_AREA, 12), 7), 0, 0), "no transfer");
    enum probe_result r = probe(w, 0, 0, 0, 0, 0);
    CHECK(r == PROBE_FAULT, "mapping the sender's UTCB page gave %s when read (UTCB pages must not be mapped)",
          probe_name(r));
}

/* Cross-space grant: a child grants a page it has to the main thread. */
static L4_Word_t grant_page[512] __attribute__((aligned(4096)));

static void granting_child(void)
{
    volatile L4_Word_t *p = grant_page;
    L4_Word_t before = p[3]; /* fault the page in */
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendGrantItem(&msg, L4_GrantItem(with_rights(L4_FpageLog2((L4_Word_t)grant_page, 12), 7), 0));
    L4_Set_MsgLabel(&msg, LABEL_REPORT);
    L4_MsgLoad(&msg);
    L4_MsgTag_t tag = send_ms(main_tid, 2000);
    L4_Word_t after = p[3]; /* the page is gone: this faults to the pager */
    report_to_main(3, before, after, tag.raw);
    park();
}

static void grant_moves_page(void)
{
    for (int i = 0; i < 512; ++i)
        grant_page[i] = 0x6700000000000000UL + (L4_Word_t)i;
    L4_Word_t w = WINDOW(23);
    L4_Accept(window(w, 12));
    L4_ThreadId_t child = spawn_child(granting_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    L4_Accept(L4_UntypedWordsAcceptor);
    CHECK(is_label(tag, LABEL_REPORT) && L4_TypedWords(tag) == 2, "no grant message from the child (tag %#lx)",
          tag.raw);
    CHECK((mr(1) & 0xe) == 0xa, "MR1 %#lx is not a grant item", mr(1));
    L4_Word_t value = 0;
    enum probe_result r = probe(w + 24, 0, 0, &value, 0, 0);
    CHECK(r == PROBE_OK && value == grant_page[3], "granted window gave %s, value %#lx (expected %#lx)", probe_name(r),
          value, grant_page[3]);
    /* The child's next touch of the page must fault again. */
    L4_ThreadId_t from = L4_nilthread;
    tag = recv_ms(child, 1000, &from);
    CHECK(is_page_fault(tag), "the granter read the granted page without a fault (tag %#lx)", tag.raw);
    CHECK(mr(1) == (L4_Word_t)&grant_page[3], "fault at %#lx, expected %#lx", mr(1), (L4_Word_t)&grant_page[3]);
}

/* X.2: a nil receive window accepts no map or grant items; a message with one overflows
 * (as l4test's "phony receive" of sigma0 expects), for the sender and the receiver. */
static void nil_window_overflows(void)
{
    fill_sources();
    for (int grant = 0; grant < 2; ++grant) {
        L4_Word_t send_error = ~0UL, receive_error = ~0UL;
        if (!send_to_nil_window(WINDOW(12), grant, &send_error, &receive_error))
            return;
        CHECK(send_error == IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, SEND_PHASE),
              "a %s item to a nil receive window: sender ErrorCode %#lx, expected message overflow in the send phase "
              "(%#lx)", grant ? "grant" : "map", send_error, IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, SEND_PHASE));
        CHECK(receive_error == IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, RECV_PHASE),
              "a %s item to a nil receive window: receiver ErrorCode %#lx, expected message overflow in the receive "
              "phase (%#lx)", grant ? "grant" : "map", receive_error,
              IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, RECV_PHASE));
    }
    /* The grant did not take the page from the sender. */
    CHECK(source_pages[0][5] == (0x5a00000000000000UL | 5), "the sender's page changed (%#lx)", source_pages[0][5]);
}

static const struct systest map_tests[] = {
    {"MAP0001", "a map item puts the sender's page at the receiver's window", map_to_window},
    {"MAP0002", "the receiver gets the map item itself as two typed words (t = 2)", map_item_words},
    {"MAP0003", "a receiver that accepts no map items gets no mapping", no_window_no_mapping},
    {"MAP0004", "a read-only map item gives a mapping that faults on write with the w bit", read_only_mapping},
    {"MAP0005", "a writable mapping shares memory with the sender", writable_mapping_shared},
    {"MAP0006", "an fpage larger than the window maps the part the send base selects", big_fpage_small_window},
    {"MAP0007", "an fpage smaller than the window lands at the send base offset in it", small_fpage_big_window},
    {"MAP0008", "a map item of memory the sender does not have maps nothing", unmapped_source_maps_nothing},
    {"MAP0009", "Flush of the caller's own mapping makes the next access fault", flush_own_mapping},
    {"MAP0010", "Unmap returns each fpage in its MR with base and size unchanged", unmap_returns_fpage},
    {"MAP0011", "Unmap without the flush bit keeps the caller's own mapping, Flush removes it",
     unmap_without_flush_keeps_own},
    {"MAP0012", "a map item aimed at the receiver's KIP area leaves the KIP and its stub page in place",
     map_into_kip_area_refused},
    {"MAP0013", "the sender's UTCB page cannot be mapped to others", utcb_not_mappable},
    {"MAP0014", "a grant item between spaces moves the page (granter faults on it afterwards)", grant_moves_page},
    {"MAP0015", "a map or grant item to a receiver with a nil receive window is message overflow for both",
     nil_window_overflows},
};
SYSTEST_GROUP(map) = {"map", map_tests, SYSTEST_COUNT(map_tests)};
