/* SPDX-License-Identifier: MIT */
/* KIP: the kernel interface page as X.2 describes it and docs/abi.md lays it out. */
#include "systest.h"
#include <string.h>

static L4_Word_t kip_word(L4_Word_t offset) { return *(volatile L4_Word_t *)((L4_Word_t)kip + offset); }

static void kip_magic(void)
{
    L4_Word_t version, flags, id;
    void *base = L4_KernelInterface(&version, &flags, &id);
    CHECK((L4_Word_t)base == KIP_AREA, "KernelInterface returned %p, expected %#lx", base, KIP_AREA);
    L4_Word_t magic = kip_word(TERN_KIP_MAGIC) & 0xffffffffUL;
    CHECK(magic == 0x4be6344cUL, "magic word %#lx, expected 0x4be6344c ('L4uK')", magic);
}

static void kip_api_version(void)
{
    L4_Word_t version, flags, id;
    L4_KernelInterface(&version, &flags, &id);
    CHECK((version >> 24 & 0xff) == 0x84, "KernelInterface API version %#lx, expected version byte 0x84", version);
    CHECK(kip_word(TERN_KIP_API_VERSION) == version, "KIP API version word %#lx differs from KernelInterface's %#lx",
          kip_word(TERN_KIP_API_VERSION), version);
    CHECK(L4_ApiVersion() == version, "L4_ApiVersion %#lx differs from %#lx", L4_ApiVersion(), version);
}

static void kip_api_flags(void)
{
    L4_Word_t version, flags, id;
    L4_KernelInterface(&version, &flags, &id);
    /* X.2: ww (bits 3..2) = 01 for 64-bit words, ee (1..0) = 00 little endian. */
    CHECK((flags & 0xf) == 0x4, "API flags %#lx, expected 0x4 (64-bit, little endian)", flags);
    CHECK(kip_word(TERN_KIP_API_FLAGS) == flags, "KIP API flags %#lx differ from KernelInterface's %#lx",
          kip_word(TERN_KIP_API_FLAGS), flags);
}

static void kip_kernel_id(void)
{
    L4_Word_t version, flags, id;
    L4_KernelInterface(&version, &flags, &id);
    L4_Word_t description = kip_word(TERN_KIP_KERNEL_DESCRIPTION);
    CHECK(description != 0 && description < 0x1000, "kernel description offset %#lx is not inside the KIP", description);
    L4_Word_t described = kip_word(description);
    CHECK(described == id, "kernel id %#lx from KernelInterface, %#lx in the kernel description", id, described);
    CHECK((id >> 24 & 0xff) == TERN_KERNEL_ID && (id >> 16 & 0xff) == TERN_KERNEL_SUBID,
          "kernel id %#lx, expected id %#x subid %#x", id, TERN_KERNEL_ID, TERN_KERNEL_SUBID);
}

static void kip_memory_descriptors(void)
{
    L4_Word_t count = L4_NumMemoryDescriptors(kip);
    CHECK(count > 0 && count <= TERN_KIP_MEMORY_DESCRIPTOR_COUNT, "%lu memory descriptors", count);
    L4_Word_t conventional = 0;
    for (L4_Word_t i = 0; i < count; ++i) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        CHECK(d != 0, "descriptor %lu missing", i);
        CHECK(L4_MemoryDescLow(d) < L4_MemoryDescHigh(d), "descriptor %lu: low %#lx not below high %#lx", i,
              L4_MemoryDescLow(d), L4_MemoryDescHigh(d));
        if (L4_MemoryDescType(d) == L4_ConventionalMemoryType && !L4_IsMemoryDescVirtual(d))
            conventional += L4_MemoryDescHigh(d) + 1 - L4_MemoryDescLow(d);
    }
    CHECK(conventional >= (1UL << 20), "only %lu bytes of conventional physical memory described", conventional);
}

static void kip_syscall_links(void)
{
    static const L4_Word_t links[] = {TERN_KIP_LINK_SPACE_CONTROL,     TERN_KIP_LINK_THREAD_CONTROL,
                                      TERN_KIP_LINK_PROCESSOR_CONTROL, TERN_KIP_LINK_MEMORY_CONTROL,
                                      TERN_KIP_LINK_IPC,               TERN_KIP_LINK_LIPC,
                                      TERN_KIP_LINK_UNMAP,             TERN_KIP_LINK_EXCHANGE_REGISTERS,
                                      TERN_KIP_LINK_SYSTEM_CLOCK,      TERN_KIP_LINK_THREAD_SWITCH,
                                      TERN_KIP_LINK_SCHEDULE,          TERN_KIP_LINK_ARCH0,
                                      TERN_KIP_LINK_ARCH1,             TERN_KIP_LINK_ARCH2};
    unsigned n = sizeof links / sizeof links[0];
    for (unsigned i = 0; i < n; ++i) {
        L4_Word_t link = kip_word(links[i]);
        CHECK(link >= TERN_KIP_STUBS && link < TERN_KIP_STUBS + 0x1000,
              "link at KIP offset %#lx is %#lx, expected an offset into the stub page above the KIP", links[i], link);
        for (unsigned j = 0; j < i; ++j)
            CHECK(kip_word(links[j]) != link, "links at %#lx and %#lx are both %#lx", links[j], links[i], link);
    }
}

static void kip_utcb_info(void)
{
    CHECK(L4_UtcbSize(kip) == 1024, "UTCB size %lu, expected 1024", L4_UtcbSize(kip));
    CHECK(L4_UtcbAlignmentLog2(kip) == 10, "UTCB alignment log2 %lu, expected 10", L4_UtcbAlignmentLog2(kip));
    CHECK(L4_UtcbAreaSizeLog2(kip) == 12, "minimal UTCB area log2 %lu, expected 12", L4_UtcbAreaSizeLog2(kip));
    CHECK(L4_MyLocalId().raw == UTCB_AREA, "root task UTCB (local id) %#lx, expected the area base %#lx",
          L4_MyLocalId().raw, UTCB_AREA);
}

static void kip_area_info(void)
{
    CHECK(L4_KipAreaSizeLog2(kip) == 13, "KIP area size log2 %lu, expected 13 (the KIP and its stub page)",
          L4_KipAreaSizeLog2(kip));
}

static void kip_thread_info(void)
{
    CHECK(L4_ThreadIdUserBase(kip) == 512, "user base %lu, expected 512", L4_ThreadIdUserBase(kip));
    CHECK(L4_ThreadIdSystemBase(kip) == 256, "system base %lu, expected 256", L4_ThreadIdSystemBase(kip));
    CHECK(L4_ThreadIdBits(kip) >= 12, "thread id bits %lu, expected at least 12", L4_ThreadIdBits(kip));
    CHECK(main_tid.raw == L4_GlobalId(L4_ThreadIdUserBase(kip) + 2, 1).raw,
          "root task is %lx, expected thread UserBase + 2 version 1", main_tid.raw);
}

static void kip_boot_images(void)
{
    L4_Word_t ip = kip_word(TERN_KIP_ROOT_SERVER_IP);
    L4_Word_t here = (L4_Word_t)kip_boot_images;
    CHECK(image_low < image_high, "root server image [%#lx, %#lx) empty", image_low, image_high);
    CHECK(ip >= image_low && ip < image_high, "root server IP %#lx outside its image [%#lx, %#lx)", ip, image_low,
          image_high);
    CHECK(here >= image_low && here < image_high, "this code at %#lx is outside the described image [%#lx, %#lx)",
          here, image_low, image_high);
    L4_Word_t s0_ip = kip_word(TERN_KIP_SIGMA0_IP), s0_low = kip_word(TERN_KIP_SIGMA0_LOW),
              s0_high = kip_word(TERN_KIP_SIGMA0_HIGH);
    CHECK(s0_ip >= s0_low && s0_ip < s0_high, "sigma0 IP %#lx outside its image [%#lx, %#lx)", s0_ip, s0_low,
          s0_high);
    CHECK(kip_word(TERN_KIP_SIGMA0_SP) != 0 && kip_word(TERN_KIP_ROOT_SERVER_SP) != 0, "boot task stack pointers zero");
}

static void kip_processors(void)
{
    CHECK(L4_NumProcessors(kip) == 1, "%lu processors, expected 1", L4_NumProcessors(kip));
    CHECK(L4_ProcessorNo() == 0, "running on processor %lu, expected 0", L4_ProcessorNo());
}

static void kip_page_info(void)
{
    CHECK((L4_PageSizeMask(kip) & 0x1000) != 0, "page size mask %#lx lacks 4 KiB", L4_PageSizeMask(kip));
    CHECK((L4_PageSizeMask(kip) & 0xfff) == 0, "page size mask %#lx has sizes below 4 KiB", L4_PageSizeMask(kip));
    CHECK(L4_PageRights(kip) == 7, "page rights %#lx, expected rwx (7)", L4_PageRights(kip));
}

static void kip_read_only(void)
{
    L4_Word_t value = 0, label = 0, address = 0;
    enum probe_result r = probe(KIP_AREA + 0x100, 0, 0, &value, &label, &address);
    CHECK(r == PROBE_OK, "reading the KIP from another thread gave result %d (fault %#lx at %#lx)", r, label, address);
    r = probe(KIP_AREA + 0x100, 1, 0x1234, 0, &label, &address);
    CHECK(r == PROBE_FAULT, "a write to the KIP did not fault (probe result %d)", r);
    CHECK((label & 2) != 0 && address == KIP_AREA + 0x100, "write fault label %#lx address %#lx, expected w bit and %#lx",
          label, address, KIP_AREA + 0x100);
    CHECK(kip_word(0x100) == value, "KIP word changed from %#lx to %#lx", value, kip_word(0x100));
    L4_Word_t stub = KIP_AREA + kip_word(TERN_KIP_LINK_SYSTEM_CLOCK);
    L4_Word_t code = *(volatile L4_Word_t *)stub;
    r = probe(stub, 1, 0x1234, 0, &label, &address);
    CHECK(r == PROBE_FAULT && (label & 2) != 0 && address == stub,
          "a write to the stub page gave probe result %d, label %#lx, address %#lx; expected a write fault at %#lx", r,
          label, address, stub);
    CHECK(*(volatile L4_Word_t *)stub == code, "the SystemClock stub changed from %#lx to %#lx", code,
          *(volatile L4_Word_t *)stub);
}

/* The KIP is data the kernel writes (UTCB pointers, statistics) and is never executed; the
 * stub page is code and is never written: an emulator that translates code must treat a
 * store into a page it translated code from as self-modifying code. */
static void kip_code_and_data_apart(void)
{
    L4_Word_t label = 0, address = 0;
    enum probe_result r = probe_exec(KIP_AREA + 0x100, &label, &address);
    CHECK(r == PROBE_FAULT && (label & 1) != 0 && address == KIP_AREA + 0x100,
          "calling into the KIP page gave probe result %d, label %#lx, address %#lx; expected an execute fault", r,
          label, address);
    L4_Word_t clock_stub = KIP_AREA + kip_word(TERN_KIP_LINK_SYSTEM_CLOCK);
    r = probe_exec(clock_stub, &label, &address);
    CHECK(r == PROBE_OK, "calling the SystemClock stub at %#lx gave probe result %d (label %#lx, address %#lx)",
          clock_stub, r, label, address);
    CHECK(kip_word(TERN_KIP_UTCB_POINTERS) == L4_MyLocalId().raw, "the UTCB pointer word says %#lx, expected %#lx",
          kip_word(TERN_KIP_UTCB_POINTERS), L4_MyLocalId().raw);
}

static void kip_description(void)
{
    const L4_Word_t *description = (const L4_Word_t *)((L4_Word_t)kip + kip_word(TERN_KIP_KERNEL_DESCRIPTION));
    L4_Word_t supplier = description[3] & 0xffffffffUL;
    CHECK(supplier == ('T' | 'e' << 8 | 'r' << 16 | (L4_Word_t)'n' << 24), "supplier word %#lx, expected \"Tern\"",
          supplier);
    const char *text = L4_KernelVersionString(kip);
    const char *want = "Tern";
    for (int i = 0; want[i] != '\0'; ++i)
        CHECK(text[i] == want[i], "version string does not start with \"Tern\" (char %d is %#x)", i,
              (unsigned)(unsigned char)text[i]);
}

/* X.2's processor descriptor: internal (core, here the TSC) and external (the timer's bus)
 * clocks in kHz. The internal one must agree with the TSC against SystemClock. */
static void kip_processor_frequencies(void)
{
    L4_ProcDesc_t *cpu = L4_ProcDesc(kip, 0);
    CHECK(cpu != 0, "no processor descriptor");
    L4_Word_t internal = L4_ProcDescInternalFreq(cpu), external = L4_ProcDescExternalFreq(cpu);
    CHECK(internal != 0 && external != 0, "frequencies %lu kHz (internal) and %lu kHz (external), expected both "
          "known", internal, external);
    L4_Word_t clock0 = L4_SystemClock().raw, tsc0 = __L4_Rdtsc();
    sleep_ms(50);
    L4_Word_t clock1 = L4_SystemClock().raw, tsc1 = __L4_Rdtsc();
    L4_Word_t measured = (tsc1 - tsc0) * 1000 / (clock1 - clock0);
    CHECK(measured > internal * 95 / 100 && measured < internal * 105 / 100,
          "the TSC ran at %lu kHz against SystemClock, the KIP says %lu kHz", measured, internal);
}

/* The feature strings after the version string: Pistachio's name for the one extension of
 * X.2's rules Tern has (EXR0022). */
/* KIP0016 expected "pagerexregs" alone until the kernel listed its memory per thread
 * (KIP0017) as a second feature, and then those two until it listed its message-signalled
 * interrupt lines (KIP0020) as a third. */
static void kip_features(void)
{
    CHECK(L4_Feature(kip, 0) != 0 && strcmp(L4_Feature(kip, 0), "pagerexregs") == 0,
          "feature 0 is \"%s\", expected \"pagerexregs\"", L4_Feature(kip, 0) != 0 ? L4_Feature(kip, 0) : "(none)");
    CHECK(L4_Feature(kip, 1) != 0 && strncmp(L4_Feature(kip, 1), "threadmemory=", 13) == 0,
          "feature 1 is \"%s\", expected \"threadmemory=N\"", L4_Feature(kip, 1) != 0 ? L4_Feature(kip, 1) : "(none)");
    CHECK(L4_Feature(kip, 2) != 0 && strncmp(L4_Feature(kip, 2), "msi=", 4) == 0,
          "feature 2 is \"%s\", expected \"msi=...\"", L4_Feature(kip, 2) != 0 ? L4_Feature(kip, 2) : "(none)");
    CHECK(L4_Feature(kip, 3) == 0, "a fourth feature \"%s\"", L4_Feature(kip, 3));
    CHECK(L4_HasFeature("pagerexregs") && !L4_HasFeature("smallspaces"), "L4_HasFeature disagrees with the list");
}

/* The kernel memory a thread costs (its control block with its kernel stack): 4 KiB, as
 * Pistachio's x86-64 thread control block; the shell's ps prints it from this feature. */
static void kip_clock_precision(void)
{
    void *interface = L4_GetKernelInterface();
    CHECK(L4_ReadPrecision(interface) == 1 && L4_SchedulePrecision(interface) == 1,
          "ClockInfo says read precision %lu us, schedule precision %lu us (expected 1 and 1: the TSC clock, the "
          "one-shot timer)", L4_ReadPrecision(interface), L4_SchedulePrecision(interface));
}

static void kip_thread_memory(void)
{
    const char *feature = L4_Feature(kip, 1);
    CHECK(feature != 0 && strcmp(feature, "threadmemory=4096") == 0, "feature 1 is \"%s\", expected "
          "\"threadmemory=4096\"", feature != 0 ? feature : "(none)");
}

/* Lines 24-31 are message-signalled: a device raises line 24 + i by writing 88 + i (its
 * vector) to the boot CPU's local APIC, 0xfee00000 with its id (0 on QEMU and Bochs) in
 * bits 19..12 (IRQ0014 associates them). */
static void kip_msi_lines(void)
{
    const char *feature = L4_Feature(kip, 2);
    CHECK(feature != 0 && strcmp(feature, "msi=24,8,0xfee00000,88") == 0,
          "feature 2 is \"%s\", expected \"msi=24,8,0xfee00000,88\"", feature != 0 ? feature : "(none)");
}

static const struct systest kip_tests[] = {
    {"KIP0001", "KernelInterface returns the KIP at the root task's KIP area and it carries the magic", kip_magic},
    {"KIP0002", "API version is X.2 (0x84) in KernelInterface, the KIP and L4_ApiVersion", kip_api_version},
    {"KIP0003", "API flags say 64-bit little endian in KernelInterface and the KIP", kip_api_flags},
    {"KIP0004", "kernel id from KernelInterface matches the kernel description (Tern)", kip_kernel_id},
    {"KIP0005", "memory descriptors are present and describe conventional memory", kip_memory_descriptors},
    {"KIP0006", "every system-call link is a distinct offset into the stub page above the KIP", kip_syscall_links},
    {"KIP0007", "UTCB area info gives 1 KiB UTCBs, 1 KiB alignment and 4 KiB minimal areas", kip_utcb_info},
    {"KIP0008", "KIP area info gives an 8 KiB KIP area (the KIP and its stub page)", kip_area_info},
    {"KIP0009", "thread info gives user base 512 and system base 256 and the root task is 514", kip_thread_info},
    {"KIP0010", "root server and sigma0 images are described with IPs inside them", kip_boot_images},
    {"KIP0011", "processor info describes one processor", kip_processors},
    {"KIP0012", "page info offers 4 KiB pages with rwx rights", kip_page_info},
    {"KIP0013", "the KIP and its stub page are readable but a write to either faults", kip_read_only},
    {"KIP0014", "kernel description names the supplier and version string Tern", kip_description},
    {"KIP0015", "the processor descriptor gives the TSC's and the timer bus's frequencies in kHz",
     kip_processor_frequencies},
    {"KIP0016", "the KIP lists the features \"pagerexregs\", \"threadmemory=N\" and \"msi=...\" and no other", kip_features},
    {"KIP0017", "the feature \"threadmemory=4096\" says a thread costs 4 KiB of kernel memory", kip_thread_memory},
    {"KIP0018", "the KIP page faults when executed and holds the UTCB pointer; the stub page runs", kip_code_and_data_apart},
    {"KIP0019", "ClockInfo gives 1 us for reading the clock and for timeouts (the one-shot timer)", kip_clock_precision},
    {"KIP0020", "the feature \"msi=24,8,0xfee00000,88\" names eight message-signalled lines (24-31)", kip_msi_lines},
};
SYSTEST_GROUP(kip) = {"kip", kip_tests, SYSTEST_COUNT(kip_tests)};
