// SPDX-License-Identifier: MIT
// The console server (<l4/tern/console.h>, docs/system.md): owns COM1, buffers what is
// typed, hands it to readers in order of arrival, writes what clients send, and tells
// the interrupt waiters of Ctrl-C. One thread, serving in libl4's server loop
// (<l4/tern/server.hpp>): every reply is sent with a zero timeout to a caller blocked in
// its call, so no client can block the console.
//
// The device: at start the console asks the root task for COM1's ports and IRQ 4 (the
// boot configuration must grant them). With both, reception is interrupt-driven: the
// interrupt thread's message arrives in the same receive as client requests, and the
// next reply-and-wait acknowledges it. Without the interrupt (a kernel that cannot give
// it) the UART is polled at every 10 ms receive timeout; without the ports, the kernel's
// debug console is polled the same way. Both fallbacks are reported at start.
//
// Queued requests (readers, interrupt waiters): a thread has at most one, since a thread
// that sends a new request is no longer waiting for the old one; when a queue is full, its
// oldest entry is answered BUSY with a zero timeout (a thread that ended, or sent without
// waiting, just loses the slot), so only clients blocked in their call keep a place.
#include <l4/arch.h>
#include <l4/ipc.h>
#include <l4/thread.h>
#include <l4/tern/kernel_labels.h>
#include <l4/tern/names.hpp>
#include <l4/tern/queue.hpp>
#include <l4/tern/server.hpp>
#include <l4/tern/system.hpp>
#include <l4io.h>

#include "serial.hpp"
#include "task.hpp"

namespace {

constexpr unsigned input_bytes = 1024;
constexpr unsigned max_readers = 8;
constexpr unsigned max_waiters = 4;
constexpr unsigned poll_ms = 10;

struct Reader {
    L4_ThreadId_t thread;
    L4_Word_t max;
};

class Console final : public tern::Server
{
public:
    void claim_device();
    [[noreturn]] void start();
    void write(const char *bytes, unsigned long n);
    void write_logged(const char *bytes, unsigned long n);  // and kept in the log

private:
    tern::Reply handle(L4_ThreadId_t from, const tern::Message &message, tern::Message &reply) override;
    void idle() override;
    tern::Reply request(L4_ThreadId_t from, const tern::Message &message, tern::Message &reply);
    void take_byte(char c);
    void forget(L4_ThreadId_t thread);
    void serve_readers();
    void drain();

    Serial serial_;
    L4_ThreadId_t irq_thread_ = L4_nilthread;
    char input_[input_bytes] = {};
    unsigned input_head_ = 0, input_count_ = 0;
    tern::Queue<Reader, max_readers> readers_;
    tern::Queue<L4_ThreadId_t, max_waiters> waiters_;
    bool pass_interrupts_ = false;  // Ctrl-C is read like any byte (TERN_CONSOLE_PASS_INTERRUPTS)
    // The log: the last TERN_CONSOLE_LOG_BYTES bytes of WRITE, byte p at log_[p % size].
    char log_[TERN_CONSOLE_LOG_BYTES] = {};
    L4_Word_t logged_ = 0;
    L4_Word_t bytes_received_ = 0, bytes_written_ = 0, interrupts_ = 0, bytes_dropped_ = 0;
};

Console console;

void Console::write(const char *bytes, unsigned long n)
{
    for (unsigned long i = 0; i < n; ++i) {
        if (bytes[i] == '\n')
            serial_.put('\r');  // terminals want CR LF
        serial_.put(bytes[i]);
    }
    bytes_written_ += n;
}

void Console::write_logged(const char *bytes, unsigned long n)
{
    write(bytes, n);
    for (unsigned long i = 0; i < n; ++i)
        log_[logged_++ % TERN_CONSOLE_LOG_BYTES] = bytes[i];
}

void Console::take_byte(char c)
{
    ++bytes_received_;
    if (c == TERN_CONSOLE_CTRL_C && !waiters_.empty() && !pass_interrupts_) {
        waiters_.for_each([](L4_ThreadId_t waiter) { tern::Message(tern::Status::ok).send_now(waiter); });
        waiters_.clear();
        return;
    }
    if (input_count_ == input_bytes) {
        ++bytes_dropped_;
        return;
    }
    input_[(input_head_ + input_count_++) % input_bytes] = c;
}

// A thread that sends a request no longer waits for one it queued before: forget it.
void Console::forget(L4_ThreadId_t thread)
{
    readers_.remove_if([thread](const Reader &reader) { return L4_IsThreadEqual(reader.thread, thread); });
    waiters_.remove_if([thread](L4_ThreadId_t waiter) { return L4_IsThreadEqual(waiter, thread); });
}

// Gives buffered input to waiting readers, oldest first.
void Console::serve_readers()
{
    while (input_count_ > 0 && !readers_.empty()) {
        Reader reader = readers_.front();
        readers_.pop();
        unsigned n = static_cast<unsigned>(input_count_ < reader.max ? input_count_ : reader.max);
        char bytes[TERN_CONSOLE_MAX_BYTES];
        for (unsigned i = 0; i < n; ++i)
            bytes[i] = input_[(input_head_ + i) % input_bytes];
        tern::Message answer(tern::Status::ok);
        answer.add(n);
        answer.add_bytes(bytes, n);
        if (answer.send_now(reader.thread)) {
            input_head_ = (input_head_ + n) % input_bytes;
            input_count_ -= n;
        }
    }
}

// Reads what the device holds and hands it to the readers.
void Console::drain()
{
    char c;
    while (serial_.get(c))
        take_byte(c);
    serve_readers();
}

// The polling fallback's tick.
void Console::idle()
{
    if (serial_.mode() != TERN_CONSOLE_UART_IRQ)
        drain();
}

tern::Reply Console::handle(L4_ThreadId_t from, const tern::Message &message, tern::Message &reply)
{
    if (L4_IsThreadEqual(from, irq_thread_) && (message.label() & TERN_LABEL_MASK) == TERN_LABEL_INTERRUPT) {
        ++interrupts_;
        drain();
        return tern::Reply::now;  // the empty reply acknowledges the interrupt and unmasks it
    }
    if (serial_.mode() != TERN_CONSOLE_UART_IRQ)
        drain();
    return request(from, message, reply);
}

// A client request: the reply now, or later for a queued one.
tern::Reply Console::request(L4_ThreadId_t from, const tern::Message &message, tern::Message &reply)
{
    unsigned words = message.untyped();
    forget(from);
    if (message.typed() != 0) {
        reply = tern::Message(tern::Status::malformed);
        return tern::Reply::now;
    }
    switch (message.label()) {
    case TERN_CONSOLE_WRITE:
    case TERN_CONSOLE_WRITE_OUTPUT: {
        L4_Word_t n = message.word(0);
        char bytes[TERN_CONSOLE_MAX_BYTES];
        if (n == 0 || n > TERN_CONSOLE_MAX_BYTES || words != 1 + (n + 7) / 8 ||
            !message.bytes(1, static_cast<unsigned>(n), bytes))
            break;
        if (message.label() == TERN_CONSOLE_WRITE)
            write_logged(bytes, n);
        else
            write(bytes, n);
        reply = tern::Message(tern::Status::ok);
        reply.add(n);
        return tern::Reply::now;
    }
    case TERN_CONSOLE_READ: {
        L4_Word_t max = words == 1 ? message.word(0) : 0;
        if (max == 0 || max > TERN_CONSOLE_MAX_BYTES)
            break;
        if (readers_.full()) {  // make room: the oldest is answered busy
            tern::Message(tern::Status::busy).send_now(readers_.front().thread);
            readers_.pop();
        }
        readers_.push({from, max});
        serve_readers();
        return tern::Reply::later;
    }
    case TERN_CONSOLE_WAIT_INTERRUPT:
        if (words != 0)
            break;
        if (waiters_.full()) {
            tern::Message(tern::Status::busy).send_now(waiters_.front());
            waiters_.pop();
        }
        waiters_.push(from);
        return tern::Reply::later;
    case TERN_CONSOLE_PASS_INTERRUPTS:
        if (words != 1 || message.word(0) > 1)
            break;
        pass_interrupts_ = message.word(0) == 1;
        reply = tern::Message(tern::Status::ok);
        return tern::Reply::now;
    case TERN_CONSOLE_LOG: {
        if (words != 1)
            break;
        L4_Word_t first = logged_ > TERN_CONSOLE_LOG_BYTES ? logged_ - TERN_CONSOLE_LOG_BYTES : 0;
        L4_Word_t position = message.word(0) < first ? first : message.word(0);
        L4_Word_t n = position < logged_ ? logged_ - position : 0;
        n = n < TERN_CONSOLE_LOG_READ_MAX ? n : TERN_CONSOLE_LOG_READ_MAX;
        char bytes[TERN_CONSOLE_LOG_READ_MAX];
        for (L4_Word_t i = 0; i < n; ++i)
            bytes[i] = log_[(position + i) % TERN_CONSOLE_LOG_BYTES];
        reply = tern::Message(tern::Status::ok);
        reply.add(logged_);
        reply.add(first);
        reply.add(n);
        reply.add_bytes(bytes, static_cast<unsigned>(n));
        return tern::Reply::now;
    }
    case TERN_CONSOLE_INFO: {
        if (words != 0)
            break;
        const L4_Word_t info[] = {serial_.mode(), bytes_received_, bytes_written_, interrupts_, readers_.size(),
                                  waiters_.size()};
        reply = tern::Message(tern::Status::ok);
        for (L4_Word_t word : info)
            reply.add(word);
        return tern::Reply::now;
    }
    default:
        reply = tern::Message(tern::Status::unknown);
        return tern::Reply::now;
    }
    reply = tern::Message(tern::Status::malformed);
    return tern::Reply::now;
}

// Asks the root task for COM1's ports, then its interrupt; sets the mode.
void Console::claim_device()
{
    L4_Word_t fpage = L4_IoFpage(Serial::com1_base, Serial::com1_ports).raw;
    L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
    tern::Message reply;
    tern::Status status = tern::system::call(TERN_SYSTEM_IO_PORTS, fpage, &reply);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (status != tern::Status::ok || reply.typed() != 2) {
        printf("console: no I/O ports for COM1 (status %lu): fallback, polling the kernel debug console\n",
               tern::raw(status));
        serial_.set_mode(TERN_CONSOLE_KDB);
        return;
    }
    serial_.set_mode(TERN_CONSOLE_UART_POLLED);
    if (tern::system::call(TERN_SYSTEM_IRQ, Serial::com1_irq) != tern::Status::ok) {
        printf("console: IRQ %u not available: fallback, polling COM1 every %u ms\n", Serial::com1_irq, poll_ms);
        return;
    }
    irq_thread_ = L4_GlobalId(Serial::com1_irq, 1);
    serial_.set_mode(TERN_CONSOLE_UART_IRQ);
}

// Prepares the device, registers the name and serves for ever.
void Console::start()
{
    serial_.init();
    tern::Status status = tern::names::register_name("console", L4_Myself());
    if (status != tern::Status::ok)
        printf("console: cannot register the name \"console\" (status %lu)\n", tern::raw(status));
    static const char *const modes[] = {"COM1, interrupt-driven", "COM1, polled", "kernel debug console, polled"};
    printf("console: serving on %s\n", modes[serial_.mode()]);
    serve(serial_.mode() == TERN_CONSOLE_UART_IRQ ? L4_Never : L4_TimePeriod(poll_ms * 1000));
}

}  // namespace

int main()
{
    task::set_writer([](const char *bytes, unsigned long n) { console.write_logged(bytes, n); });
    console.claim_device();
    console.start();
}
