/* SPDX-License-Identifier: MIT */
/* The console server (<l4/tern/console.h>, docs/system.md): owns COM1, buffers what is
 * typed, hands it to readers in order of arrival, writes what clients send, and tells
 * the interrupt waiters of Ctrl-C. One thread; every reply is sent with a zero timeout to
 * a caller blocked in its call, so no client can block the console.
 *
 * The device: at start the console asks the root task for COM1's ports and IRQ 4 (the
 * boot configuration must grant them). With both, reception is interrupt-driven: the
 * interrupt thread's message arrives in the same receive as client requests, and the
 * next reply-and-wait acknowledges it. Without the interrupt (a kernel that cannot give
 * it) the UART is polled at every 10 ms receive timeout; without the ports, the kernel's
 * debug console is polled the same way. Both fallbacks are reported at start.
 *
 * Queued requests (readers, interrupt waiters): a thread has at most one, since a thread
 * that sends a new request is no longer waiting for the old one; when a queue is full, its
 * oldest entry is answered BUSY with a zero timeout (a thread that ended, or sent without
 * waiting, just loses the slot), so only clients blocked in their call keep a place. */
#include <l4/ipc.h>
#include <l4/thread.h>
#include <l4/arch.h>
#include <l4/tern/names.h>
#include <l4/tern/system.h>
#include <l4io.h>

#include "serial.h"
#include "task.h"

#define INPUT_BYTES 1024
#define MAX_READERS 8
#define MAX_WAITERS 4
#define LABEL_MASK 0xffffffffffffUL
#define INTERRUPT_LABEL ((-1UL << 4) & LABEL_MASK)
#define POLL_MS 10

struct reader {
    L4_ThreadId_t thread;
    L4_Word_t max;
};

static char input[INPUT_BYTES];
static unsigned input_head, input_count;
static struct reader readers[MAX_READERS];
static unsigned reader_count;
static L4_ThreadId_t waiters[MAX_WAITERS];
static unsigned waiter_count;
static L4_Word_t bytes_received, bytes_written, interrupts, bytes_dropped;
static L4_ThreadId_t irq_thread;

/* The request being handled, copied out of the message registers before anything (an
 * answer to a reader, an interrupt waiter) loads them again. */
static L4_Word_t request_words[1 + TERN_CONSOLE_MAX_BYTES / 8];

static L4_Word_t mr(int i) { return request_words[i - 1]; }

static void write_bytes(const char *bytes, unsigned long n)
{
    for (unsigned long i = 0; i < n; ++i) {
        if (bytes[i] == '\n')
            serial_put('\r'); /* terminals want CR LF */
        serial_put(bytes[i]);
    }
    bytes_written += n;
}

/* Sends status and words to a caller blocked in its call; 1 when it got them. */
static int answer(L4_ThreadId_t to, L4_Word_t status, unsigned count, const L4_Word_t *words)
{
    tern_load(status, count, words);
    return L4_IpcSucceeded(L4_Send_Timeout(to, L4_ZeroTime)) != 0;
}

static void take_byte(char c)
{
    ++bytes_received;
    if (c == TERN_CONSOLE_CTRL_C && waiter_count > 0) {
        for (unsigned i = 0; i < waiter_count; ++i)
            answer(waiters[i], TERN_OK, 0, 0);
        waiter_count = 0;
        return;
    }
    if (input_count == INPUT_BYTES) {
        ++bytes_dropped;
        return;
    }
    input[(input_head + input_count++) % INPUT_BYTES] = c;
}

/* Drops queued entry i of a queue of count entries of size bytes each. */
static void drop_entry(void *queue, unsigned *count, unsigned i, unsigned long size)
{
    char *bytes = queue;
    for (unsigned j = i + 1; j < *count; ++j)
        for (unsigned long b = 0; b < size; ++b)
            bytes[(j - 1) * size + b] = bytes[j * size + b];
    --*count;
}

/* A thread that sends a request no longer waits for one it queued before: forget it. */
static void forget(L4_ThreadId_t thread)
{
    for (unsigned i = reader_count; i-- > 0;)
        if (L4_IsThreadEqual(readers[i].thread, thread))
            drop_entry(readers, &reader_count, i, sizeof readers[0]);
    for (unsigned i = waiter_count; i-- > 0;)
        if (L4_IsThreadEqual(waiters[i], thread))
            drop_entry(waiters, &waiter_count, i, sizeof waiters[0]);
}

/* Gives buffered input to waiting readers, oldest first. */
static void serve_readers(void)
{
    while (input_count > 0 && reader_count > 0) {
        struct reader r = readers[0];
        for (unsigned i = 1; i < reader_count; ++i)
            readers[i - 1] = readers[i];
        --reader_count;
        L4_Word_t words[1 + TERN_CONSOLE_MAX_BYTES / 8] = {0};
        L4_Word_t n = input_count < r.max ? input_count : r.max;
        for (L4_Word_t i = 0; i < n; ++i)
            words[1 + i / 8] |= (L4_Word_t)(unsigned char)input[(input_head + i) % INPUT_BYTES] << (8 * (i % 8));
        words[0] = n;
        if (answer(r.thread, TERN_OK, 1 + (unsigned)((n + 7) / 8), words)) {
            input_head = (unsigned)((input_head + n) % INPUT_BYTES);
            input_count -= (unsigned)n;
        }
    }
}

static void poll_device(void)
{
    char c;
    while (serial_get(&c))
        take_byte(c);
}

/* A client request, its words already in request_words; 1 when the reply is loaded, 0
 * when it comes later. */
static int request(L4_ThreadId_t from, L4_MsgTag_t tag)
{
    L4_Word_t label = L4_Label(tag), words = L4_UntypedWords(tag);
    forget(from);
    if (L4_TypedWords(tag) != 0) {
        tern_load(TERN_ERROR_MALFORMED, 0, 0);
        return 1;
    }
    switch (label) {
    case TERN_CONSOLE_WRITE: {
        L4_Word_t n = words >= 1 ? mr(1) : 0;
        if (n == 0 || n > TERN_CONSOLE_MAX_BYTES || words != 1 + (n + 7) / 8)
            break;
        char bytes[TERN_CONSOLE_MAX_BYTES];
        for (L4_Word_t i = 0; i < n; ++i)
            bytes[i] = (char)(mr(2 + (int)(i / 8)) >> (8 * (i % 8)));
        write_bytes(bytes, n);
        tern_load(TERN_OK, 1, &n);
        return 1;
    }
    case TERN_CONSOLE_READ: {
        L4_Word_t max = words == 1 ? mr(1) : 0;
        if (max == 0 || max > TERN_CONSOLE_MAX_BYTES)
            break;
        if (reader_count == MAX_READERS) { /* make room: the oldest is answered busy */
            answer(readers[0].thread, TERN_ERROR_BUSY, 0, 0);
            drop_entry(readers, &reader_count, 0, sizeof readers[0]);
        }
        readers[reader_count++] = (struct reader){from, max};
        serve_readers();
        return 0;
    }
    case TERN_CONSOLE_WAIT_INTERRUPT:
        if (words != 0)
            break;
        if (waiter_count == MAX_WAITERS) {
            answer(waiters[0], TERN_ERROR_BUSY, 0, 0);
            drop_entry(waiters, &waiter_count, 0, sizeof waiters[0]);
        }
        waiters[waiter_count++] = from;
        return 0;
    case TERN_CONSOLE_INFO: {
        if (words != 0)
            break;
        L4_Word_t info[6] = {serial_mode, bytes_received, bytes_written, interrupts, reader_count, waiter_count};
        tern_load(TERN_OK, 6, info);
        return 1;
    }
    default:
        tern_load(TERN_ERROR_UNKNOWN, 0, 0);
        return 1;
    }
    tern_load(TERN_ERROR_MALFORMED, 0, 0);
    return 1;
}

/* Asks the root task for COM1's ports, then its interrupt; sets the mode. */
static void claim_device(void)
{
    L4_Word_t fpage = L4_IoFpage(COM1_BASE, COM1_PORTS).raw;
    L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
    L4_Word_t status = tern_system_call(TERN_SYSTEM_IO_PORTS, 1, &fpage);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (status != TERN_OK || L4_TypedWords(L4_MsgTag()) != 2) {
        printf("console: no I/O ports for COM1 (status %lu): fallback, polling the kernel debug console\n", status);
        serial_mode = TERN_CONSOLE_KDB;
        return;
    }
    L4_Word_t irq = COM1_IRQ;
    serial_mode = TERN_CONSOLE_UART_POLLED;
    irq_thread = L4_GlobalId(COM1_IRQ, 1);
    if (tern_system_call(TERN_SYSTEM_IRQ, 1, &irq) != TERN_OK) {
        printf("console: IRQ %d not available: fallback, polling COM1 every %d ms\n", COM1_IRQ, POLL_MS);
        irq_thread = L4_nilthread;
        return;
    }
    serial_mode = TERN_CONSOLE_UART_IRQ;
}

int main(void)
{
    task_set_writer(write_bytes);
    claim_device();
    serial_init();
    L4_Word_t status = tern_names_register("console", L4_Myself());
    if (status != TERN_OK)
        printf("console: cannot register the name \"console\" (status %lu)\n", status);
    static const char *modes[] = {"COM1, interrupt-driven", "COM1, polled", "kernel debug console, polled"};
    printf("console: serving on %s\n", modes[serial_mode]);

    L4_Time_t wait = serial_mode == TERN_CONSOLE_UART_IRQ ? L4_Never : L4_TimePeriod(POLL_MS * 1000);
    L4_ThreadId_t from, to = L4_nilthread;
    for (;;) {
        /* Reply (or acknowledge the interrupt) and wait, in one IPC. Input is handed to
         * readers before a reply is loaded: answering them uses the message registers. */
        L4_MsgTag_t tag = L4_Ipc(to, L4_anythread, L4_Timeouts(L4_ZeroTime, wait), &from);
        to = L4_nilthread;
        if (L4_IpcFailed(tag)) {
            if (serial_mode != TERN_CONSOLE_UART_IRQ) { /* the polling fallback's tick */
                poll_device();
                serve_readers();
            }
        } else if (L4_IsThreadEqual(from, irq_thread) && (L4_Label(tag) & LABEL_MASK) == INTERRUPT_LABEL) {
            ++interrupts;
            poll_device();
            serve_readers();
            tern_load(0, 0, 0);
            to = irq_thread; /* the acknowledgement unmasks the interrupt */
        } else {
            /* Copy the request out first: polling may answer readers, which loads the MRs. */
            unsigned count = (unsigned)L4_UntypedWords(tag);
            for (unsigned i = 0; i < count && i < sizeof request_words / sizeof request_words[0]; ++i)
                L4_StoreMR((int)i + 1, &request_words[i]);
            if (serial_mode != TERN_CONSOLE_UART_IRQ) {
                poll_device();
                serve_readers();
            }
            if (request(from, tag))
                to = from;
        }
    }
}
