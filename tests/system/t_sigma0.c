/* SPDX-License-Identifier: MIT */
/* SIG: the sigma0 protocol as sigma0/sigma0.c serves it. */
#include "systest.h"

/* The end of the highest conventional physical memory the KIP describes (0 if none). */
static L4_Word_t conventional_end(void)
{
    L4_Word_t end = 0;
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); ++i) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        if (L4_MemoryDescType(d) == L4_ConventionalMemoryType && !L4_IsMemoryDescVirtual(d) &&
            L4_MemoryDescHigh(d) + 1 > end)
            end = L4_MemoryDescHigh(d) + 1;
    }
    return end & ~(PAGE_SIZE - 1);
}

static int is_conventional(L4_Word_t base, L4_Word_t size)
{
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); ++i) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        if (L4_MemoryDescType(d) == L4_ConventionalMemoryType && !L4_IsMemoryDescVirtual(d) &&
            base >= L4_MemoryDescLow(d) && base + size - 1 <= L4_MemoryDescHigh(d))
            return 1;
    }
    return 0;
}

static L4_Fpage_t rw_page(L4_Word_t base, int log2)
{
    L4_Fpage_t f = L4_FpageLog2(base, log2);
    L4_Set_Rights(&f, L4_ReadWriteOnly);
    return f;
}

static int usable_at(L4_Word_t address)
{
    enum probe_result r = probe(address, 1, 0x5157a0 + address, 0, 0, 0);
    if (r != PROBE_OK) {
        fail("writing the received memory at %#lx did not work (probe result %d)", address, r);
        return 0;
    }
    L4_Word_t value = 0;
    r = probe(address, 0, 0, &value, 0, 0);
    if (r != PROBE_OK || value != 0x5157a0 + address) {
        fail("reading back at %#lx gave %#lx (probe result %d)", address, value, r);
        return 0;
    }
    return 1;
}

static L4_Word_t requested_page;

static void get_page(void)
{
    start_watchdog(2000); /* libl4's sigma0 calls wait with timeout never */
    L4_Word_t end = conventional_end();
    CHECK(end != 0, "no conventional memory described");
    requested_page = end - PAGE_SIZE;
    L4_Word_t w = WINDOW(40);
    L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(sigma0_tid, rw_page(requested_page, 12), L4_FpageLog2(w, 12));
    CHECK(!L4_IsNilFpage(got), "sigma0 refused page %#lx (tag ErrorCode %lu)", requested_page, L4_ErrorCode());
    CHECK(L4_Address(got) == requested_page && L4_SizeLog2(got) == 12, "sigma0 gave %#lx (size log2 %lu), expected "
          "%#lx size 12", L4_Address(got), L4_SizeLog2(got), requested_page);
    usable_at(w + 0x80);
}

static void page_asker(L4_Word_t page)
{
    L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(sigma0_tid, rw_page(page, 12), L4_FpageLog2(WINDOW(41), 12));
    report_to_main(1, got.raw, 0, 0);
}

static void get_page_other_thread(void)
{
    start_watchdog(2000);
    CHECK(requested_page != 0, "SIG0001 got no page");
    L4_ThreadId_t t = spawn_simple(page_asker, requested_page);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "the other thread did not report (tag %#lx)", tag.raw);
    CHECK(L4_IsNilFpage((L4_Fpage_t){.raw = mr(1)}), "sigma0 gave page %#lx, given to the main thread, to another "
          "thread too (%#lx)", requested_page, mr(1));
}

/* Pistachio's l4test flushes pages of its own and faults them in again from sigma0. */
static void get_page_again(void)
{
    start_watchdog(2000);
    CHECK(requested_page != 0, "SIG0001 got no page");
    L4_Word_t first = WINDOW(40), again = WINDOW(50);
    *(volatile L4_Word_t *)(first + 0x100) = 0x5eedbeef;
    L4_Flush(L4_FpageAddRights(L4_FpageLog2(first, 12), L4_FullyAccessible));
    CHECK(probe(first + 0x100, 0, 0, 0, 0, 0) != PROBE_OK, "the page was still mapped after the flush");
    L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(sigma0_tid, rw_page(requested_page, 12), L4_FpageLog2(again, 12));
    CHECK(!L4_IsNilFpage(got) && L4_Address(got) == requested_page, "sigma0 refused the thread it gave page %#lx the "
          "same page again (got %#lx)", requested_page, got.raw);
    L4_Word_t value = *(volatile L4_Word_t *)(again + 0x100);
    CHECK(value == 0x5eedbeef, "the page given again holds %#lx, not what was written to it", value);
}

static void get_any(void)
{
    start_watchdog(2000);
    L4_Word_t w = WINDOW(42);
    L4_Fpage_t got = L4_Sigma0_GetAny(sigma0_tid, 12, L4_FpageLog2(w, 12));
    CHECK(!L4_IsNilFpage(got), "GetAny of 4 KiB refused");
    CHECK(L4_SizeLog2(got) == 12, "GetAny gave size log2 %lu", L4_SizeLog2(got));
    CHECK(is_conventional(L4_Address(got), 4096), "GetAny gave %#lx, not conventional memory", L4_Address(got));
    usable_at(w + 0xff8);
}

static void get_any_64k(void)
{
    start_watchdog(2000);
    L4_Word_t w = WINDOW(43);
    L4_Fpage_t got = L4_Sigma0_GetAny(sigma0_tid, 16, L4_FpageLog2(w, 16));
    CHECK(!L4_IsNilFpage(got), "GetAny of 64 KiB refused");
    CHECK(L4_SizeLog2(got) == 16 && (L4_Address(got) & 0xffff) == 0, "GetAny gave %#lx size log2 %lu, expected an "
          "aligned 64 KiB fpage", L4_Address(got), L4_SizeLog2(got));
    CHECK(is_conventional(L4_Address(got), 0x10000), "GetAny gave %#lx, not conventional memory", L4_Address(got));
    if (!usable_at(w))
        return;
    usable_at(w + 0xf000);
}

static void not_owned(void)
{
    start_watchdog(2000);
    L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(sigma0_tid, rw_page(0x1000, 12), L4_FpageLog2(WINDOW(44), 12));
    CHECK(L4_IsNilFpage(got), "sigma0 gave physical page 0x1000 (below 1 MiB, not its memory)");
    got = L4_Sigma0_GetPage_RcvWindow(sigma0_tid, rw_page(0x100000, 12), L4_FpageLog2(WINDOW(44), 12));
    CHECK(L4_IsNilFpage(got), "sigma0 gave physical page 0x100000 (the kernel's)");
}

/* X.2 programs expect no answer to a message of no sigma0 protocol (l4test's "phony send":
 * label 0, two words); sigma0 goes on serving. */
static void foreign_message(void)
{
    start_watchdog(3000);
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(WINDOW(45), 12)));
    static const L4_Word_t labels[] = {0, 0x1234};
    for (unsigned i = 0; i < 2; ++i) {
        load_msg(labels[i], 2, 0, 0, 0);
        L4_MsgTag_t tag = L4_Call_Timeouts(sigma0_tid, ms_time(1000), ms_time(200));
        CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == 3, "a message with label %#lx got tag %#lx, ErrorCode %lu; "
              "expected no answer (receive timeout, 3)", labels[i], tag.raw, L4_ErrorCode());
    }
    L4_Fpage_t got = L4_Sigma0_GetAny(sigma0_tid, 12, L4_FpageLog2(WINDOW(46), 12));
    CHECK(!L4_IsNilFpage(got), "sigma0 stopped serving after the odd message");
}

/* A request of sigma0's protocol with the wrong words is refused, not ignored. */
static void malformed_request(void)
{
    start_watchdog(2000);
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(WINDOW(45), 12)));
    L4_LoadMR(0, (SIGMA0_LABEL << 16) | 1);
    L4_LoadMR(1, L4_FpageLog2(~0UL, 12).raw);
    L4_MsgTag_t tag = L4_Call_Timeouts(sigma0_tid, ms_time(1000), ms_time(1000));
    CHECK(L4_IpcSucceeded(tag), "call failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(L4_TypedWords(tag) == 2 && mr(2) == 0, "a one-word request got tag %#lx MR2 %#lx, expected a nil map item",
          tag.raw, mr(2));
}

/* Pistachio's sigma0 extension, which its l4test calls: label -1001 << 4, MR1 2 dumps the
 * memory pools; answered with an empty message. */
static void pool_dump(void)
{
    start_watchdog(2000);
    L4_LoadMR(0, TERN_SIGMA0_POOLS_LABEL << 16 | 2);
    L4_LoadMR(1, TERN_SIGMA0_POOLS_DUMP);
    L4_LoadMR(2, 1);
    L4_MsgTag_t tag = L4_Call_Timeouts(sigma0_tid, ms_time(1000), ms_time(1000));
    CHECK(L4_IpcSucceeded(tag) && L4_UntypedWords(tag) == 0 && L4_TypedWords(tag) == 0,
          "the pool dump got tag %#lx, ErrorCode %lu; expected an empty answer", tag.raw, L4_ErrorCode());
}

static void attributes_refused(void)
{
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(WINDOW(47), 12)));
    L4_LoadMR(0, (SIGMA0_LABEL << 16) | 2);
    L4_LoadMR(1, L4_FpageLog2(~0UL, 12).raw);
    L4_LoadMR(2, 1); /* a caching attribute sigma0 does not support */
    L4_MsgTag_t tag = L4_Call_Timeouts(sigma0_tid, ms_time(1000), ms_time(1000));
    CHECK(L4_IpcSucceeded(tag), "call to sigma0 failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(mr(2) == 0, "request with attribute 1 was granted %#lx", mr(2));
}

static void reply_is_map_item(void)
{
    L4_Word_t w = WINDOW(48);
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(w, 12)));
    L4_LoadMR(0, (SIGMA0_LABEL << 16) | 2);
    L4_LoadMR(1, L4_FpageLog2(~0UL, 12).raw | L4_ReadWriteOnly);
    L4_LoadMR(2, 0);
    L4_MsgTag_t tag = L4_Call_Timeouts(sigma0_tid, ms_time(1000), ms_time(1000));
    CHECK(L4_IpcSucceeded(tag), "call failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(L4_UntypedWords(tag) == 0 && L4_TypedWords(tag) == 2, "reply tag %#lx, expected u = 0, t = 2", tag.raw);
    CHECK((mr(1) & 0xe) == 0x8, "MR1 %#lx is not a map item", mr(1));
    L4_Fpage_t f = {.raw = mr(2)};
    CHECK(!L4_IsNilFpage(f) && L4_SizeLog2(f) == 12 && (mr(1) & ~0x3ffUL) == L4_Address(f),
          "map item %#lx %#lx: expected a 4 KiB fpage sent at its own address", mr(1), mr(2));
    CHECK((L4_Rights(f) & L4_ReadWriteOnly) == L4_ReadWriteOnly, "rights %#lx lack rw", L4_Rights(f));
}

static void sigma0_reader(L4_Word_t address)
{
    L4_Word_t v = *(volatile L4_Word_t *)address;
    report_to_main(1, v, 0, 0);
}

/* The end of the largest range of conventional physical memory (0 if none). Smaller ranges
 * come and go with the size of the boot modules: the kernel hands sigma0 its free blocks. */
static L4_Word_t largest_conventional_end(void)
{
    L4_Word_t end = 0, size = 0;
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); ++i) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        if (L4_MemoryDescType(d) == L4_ConventionalMemoryType && !L4_IsMemoryDescVirtual(d) &&
            L4_MemoryDescHigh(d) + 1 - L4_MemoryDescLow(d) > size) {
            size = L4_MemoryDescHigh(d) + 1 - L4_MemoryDescLow(d);
            end = L4_MemoryDescHigh(d) + 1;
        }
    }
    return size >= 0x20000 ? end & ~(PAGE_SIZE - 1) : 0;
}

static void idempotent_fault(void)
{
    start_watchdog(2000);
    L4_Word_t end = largest_conventional_end();
    CHECK(end != 0, "no conventional memory range of 128 KiB or more described");
    L4_Word_t page = end - 0x10000; /* sigma0 hands out GetAny memory from the bottom */
    L4_ThreadId_t t = spawn(sigma0_reader, page + 0x18, -1, sigma0_tid);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "a thread whose pager is sigma0 got no mapping for its fault at physical "
          "address %#lx (tag %#lx)", page + 0x18, tag.raw);
    L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(sigma0_tid, rw_page(page, 12), L4_FpageLog2(WINDOW(49), 12));
    CHECK(L4_IsNilFpage(got), "sigma0 handed out page %#lx again after mapping it for a fault", page);
}

static const struct systest sigma0_tests[] = {
    {"SIG0001", "GetPage of a free physical page maps it at the receive window, readable and writable", get_page},
    {"SIG0002", "a page sigma0 gave one thread is refused to another with the nil fpage", get_page_other_thread,
     .needs = "SIG0001"},
    {"SIG0003", "GetAny of 4 KiB gives a usable page of conventional memory", get_any},
    {"SIG0004", "GetAny of 64 KiB gives an aligned, usable 64 KiB fpage", get_any_64k},
    {"SIG0005", "sigma0 refuses pages it does not own (low memory, the kernel)", not_owned},
    {"SIG0006", "sigma0 leaves a message of no protocol it speaks unanswered (receive timeout) and keeps serving",
     foreign_message},
    {"SIG0007", "sigma0 refuses requests with unsupported attributes", attributes_refused},
    {"SIG0008", "sigma0's reply is one map item sending the fpage at its own address", reply_is_map_item},
    {"SIG0009", "a page fault sent to sigma0 maps its physical page one to one and counts it as given",
     idempotent_fault},
    {"SIG0010", "the thread sigma0 gave a page gets it again, also after flushing it from its own space",
     get_page_again, .needs = "SIG0001"},
    {"SIG0011", "a sigma0 request with the wrong number of words is answered with a nil map item", malformed_request},
    {"SIG0012", "Pistachio's pool-dump extension (label -1001 << 4) is answered with an empty message", pool_dump},
};
SYSTEST_GROUP(sigma0) = {"sigma0", sigma0_tests, SYSTEST_COUNT(sigma0_tests)};
