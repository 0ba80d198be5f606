// SPDX-License-Identifier: MIT
// ioctl, and the console as a terminal. Under the shell's linux command the console is the
// terminal of the session that command started (its controlling terminal): termios settings
// that the line discipline (Console_input) follows, a window size, a foreground process
// group that keys signal. Elsewhere (./tern linux, a program run at boot) the console is a
// plain stream, as a pipe would be, and terminal ioctls are ENOTTY there.
#include <string.h>

#include "linux_abi.hpp"
#include "linux_server.hpp"

using namespace linux_abi;

namespace {

constexpr uint32_t o_nonblock = 04000;
constexpr int sighup = 1, sigcont = 18, sigttou = 22, sigwinch = 28;
constexpr int si_kernel = 0x80;

}  // namespace

bool Linux_server::is_terminal(const Open_file &file) const
{
    return file.kind == Open_file::Kind::console && console_reader_active_;
}

bool Linux_server::controls_terminal(const Process &process) const
{
    return console_reader_active_ && terminal_session_ != 0 && process.session == terminal_session_;
}

void Linux_server::take_terminal(const Process &leader)
{
    terminal_session_ = leader.session;
    terminal_group_ = leader.group;
}

void Linux_server::signal_group(int group, uint32_t signals)
{
    for (int signal = 1; signal <= 32; ++signal) {  // (the keys' and the terminal's signals are all below 32)
        if ((signals & (uint32_t{1} << (signal - 1))) == 0)
            continue;
        for (Process *target : processes_)
            if (target != nullptr && target->state == Process::State::running && target->group == group)
                send_signal(*target, signal, si_kernel, 0);
    }
}

int64_t Linux_server::sys_ioctl(Thread &thread, uint64_t fd, uint64_t request, uint64_t argument)
{
    Process &process = *thread.process;
    Open_file *file = file_of(process, fd);
    if (file == nullptr)
        return error(Errno::badf);
    // Linux takes the request as an unsigned int: the upper half of the register is ignored.
    Ioctl command = static_cast<Ioctl>(static_cast<uint32_t>(request));
    switch (command) {  // the ones every descriptor answers
    case Ioctl::fioclex:
        process.close_on_exec |= uint64_t{1} << fd;
        return 0;
    case Ioctl::fionclex:
        process.close_on_exec &= ~(uint64_t{1} << fd);
        return 0;
    case Ioctl::fionbio: {
        int32_t on;
        Process_memory::Error copied = process.memory.copy_in(&on, argument, sizeof on);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        file->flags = on != 0 ? file->flags | o_nonblock : file->flags & ~o_nonblock;
        return 0;
    }
    default:
        break;
    }
    if (is_terminal(*file))
        return terminal_ioctl(thread, command, argument);
    if (command != Ioctl::fionread)
        return error(Errno::notty);
    int32_t available;
    if (file->kind == Open_file::Kind::pipe_read) {
        available = static_cast<int32_t>(file->pipe->used());
    } else if (file->kind == Open_file::Kind::inode) {
        Vfs::Stat stat;
        if (vfs_.stat(file->inode, stat) != Errno::none || (stat.mode & Vfs::type_mask) != Vfs::type_regular)
            return error(Errno::notty);
        available = stat.size > file->offset ? static_cast<int32_t>(stat.size - file->offset) : 0;
    } else if (file->kind == Open_file::Kind::inet_socket) {
        available = static_cast<int32_t>(socket_available(*file));
    } else if (file->kind == Open_file::Kind::unix_socket) {
        available = file->pipe != nullptr ? static_cast<int32_t>(file->pipe->used()) : 0;
    } else {
        return error(Errno::notty);
    }
    Process_memory::Error copied = process.memory.copy_out(argument, &available, sizeof available);
    return copied == Process_memory::Error::none ? 0 : memory_error(copied);
}

int64_t Linux_server::terminal_ioctl(Thread &thread, Ioctl command, uint64_t argument)
{
    Process &process = *thread.process;
    Process_memory::Error copied = Process_memory::Error::none;
    bool changes = command == Ioctl::tcsets || command == Ioctl::tcsetsw || command == Ioctl::tcsetsf ||
                   command == Ioctl::tcflsh || command == Ioctl::tcxonc || command == Ioctl::tiocspgrp;
    if (int64_t checked = changes ? background_check(thread, sigttou) : 0; checked != 0)
        return checked;
    switch (command) {
    case Ioctl::tcgets: {
        Termios settings = console_input_.settings();
        copied = process.memory.copy_out(argument, &settings, sizeof settings);
        break;
    }
    case Ioctl::tcsets:
    case Ioctl::tcsetsw:  // (output is written at once: nothing to drain)
    case Ioctl::tcsetsf: {
        Termios settings;
        copied = process.memory.copy_in(&settings, argument, sizeof settings);
        if (copied != Process_memory::Error::none)
            break;
        if (command == Ioctl::tcsetsf)
            console_input_.flush();
        console_input_.set_settings(settings);
        wake_blocked();  // raw mode may have made bytes readable
        return 0;
    }
    case Ioctl::tiocgwinsz:
        copied = process.memory.copy_out(argument, &window_size_, sizeof window_size_);
        break;
    case Ioctl::tiocswinsz: {
        Window_size size;
        copied = process.memory.copy_in(&size, argument, sizeof size);
        if (copied != Process_memory::Error::none)
            break;
        bool changed = memcmp(&size, &window_size_, sizeof size) != 0;
        window_size_ = size;
        if (changed)
            signal_group(terminal_group_, uint32_t{1} << (sigwinch - 1));
        return 0;
    }
    case Ioctl::fionread: {
        int32_t available = static_cast<int32_t>(console_input_.available());
        copied = process.memory.copy_out(argument, &available, sizeof available);
        break;
    }
    case Ioctl::tcflsh:
        if (argument > 2)
            return error(Errno::inval);
        if (argument != 1)  // TCIFLUSH or TCIOFLUSH; output is never held back
            console_input_.flush();
        return 0;
    case Ioctl::tcsbrk:
    case Ioctl::tcsbrkp:
    case Ioctl::tcxonc:
        return 0;  // output is written at once and never stopped
    case Ioctl::tiocgpgrp:
    case Ioctl::tiocgsid: {
        if (!controls_terminal(process))
            return error(Errno::notty);
        int32_t id = command == Ioctl::tiocgpgrp ? terminal_group_ : terminal_session_;
        copied = process.memory.copy_out(argument, &id, sizeof id);
        break;
    }
    case Ioctl::tiocspgrp:
        return set_foreground_group(process, argument);
    case Ioctl::tiocsctty:
        if (controls_terminal(process))
            return 0;
        if (process.pid != process.session)
            return error(Errno::perm);
        if (terminal_session_ != 0 && session_exists(terminal_session_) && argument != 1)
            return error(Errno::perm);  // another session's (root may steal it with 1)
        take_terminal(process);
        return 0;
    case Ioctl::tiocnotty:
        if (!controls_terminal(process))
            return error(Errno::notty);
        if (process.pid == process.session) {
            // The session leader gives it up: its foreground group is hung up, as in Linux.
            signal_group(terminal_group_, (uint32_t{1} << (sighup - 1)) | (uint32_t{1} << (sigcont - 1)));
            terminal_session_ = terminal_group_ = 0;
        }
        return 0;
    default:
        return error(Errno::notty);
    }
    return copied == Process_memory::Error::none ? 0 : memory_error(copied);
}

int64_t Linux_server::set_foreground_group(Process &process, uint64_t argument)
{
    if (!controls_terminal(process))
        return error(Errno::notty);
    int32_t group;
    Process_memory::Error copied = process.memory.copy_in(&group, argument, sizeof group);
    if (copied != Process_memory::Error::none)
        return memory_error(copied);
    if (group < 0)
        return error(Errno::inval);
    bool exists = false, in_session = false;
    for (Process *member : processes_)
        if (member != nullptr && member->state == Process::State::running && member->group == group) {
            exists = true;
            in_session = in_session || member->session == terminal_session_;
        }
    if (!exists)
        return error(Errno::srch);
    if (!in_session)
        return error(Errno::perm);
    terminal_group_ = group;
    return 0;
}

int64_t Linux_server::background_check(Thread &thread, int signal)
{
    Process &process = *thread.process;
    if (!controls_terminal(process) || process.group == terminal_group_)
        return 0;
    const Process::Signal_action &action = process.actions[signal - 1];
    bool blocked_or_ignored = (thread.blocked & (uint64_t{1} << (signal - 1))) != 0 || action.handler == 1 /* SIG_IGN */;
    if (blocked_or_ignored)  // a change the job lets through; a read it cannot have
        return signal == sigttou ? 0 : error(Errno::io);
    if (group_orphaned(process.group))
        return error(Errno::io);
    signal_group(process.group, uint32_t{1} << (signal - 1));
    return restart;
}

bool Linux_server::session_exists(int session) const
{
    for (const Process *member : processes_)
        if (member != nullptr && member->state == Process::State::running && member->session == session)
            return true;
    return false;
}
