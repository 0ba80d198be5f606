// SPDX-License-Identifier: MIT
#include "console_input.hpp"

#include <string.h>

using namespace linux_abi;

namespace {

constexpr int sigint = 2, sigquit = 3, sigtstp = 20;

bool is_control(char c)
{
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

}  // namespace

Termios Console_input::initial_settings()
{
    Termios settings{};
    settings.iflag = icrnl | ixon;
    settings.oflag = opost | onlcr;
    settings.cflag = b38400 | cs8 | cread | hupcl;
    settings.lflag = isig | icanon | echo | echoe | echok | echoctl | echoke | iexten;
    settings.cc[vintr] = 0x03;
    settings.cc[vquit] = 0x1c;
    settings.cc[verase] = 0x7f;
    settings.cc[vkill] = 0x15;
    settings.cc[veof] = 0x04;
    settings.cc[vmin] = 1;
    settings.cc[vstart] = 0x11;
    settings.cc[vstop] = 0x13;
    settings.cc[vsusp] = 0x1a;
    settings.cc[vreprint] = 0x12;
    settings.cc[vdiscard] = 0x0f;
    settings.cc[vwerase] = 0x17;
    settings.cc[vlnext] = 0x16;
    return settings;
}

bool Console_input::is(uint8_t c, Control_character which) const
{
    // A control character of 0 is disabled (_POSIX_VDISABLE).
    return settings_.cc[which] != 0 && settings_.cc[which] == c;
}

void Console_input::echo_character(char c, Echo echo) const
{
    if ((settings_.lflag & linux_abi::echo) == 0)
        return;
    if (c == '\n') {
        echo("\r\n", 2);
    } else if (is_control(c) && c != '\t' && (settings_.lflag & echoctl) != 0) {
        char shown[2] = {'^', static_cast<char>(c ^ 0x40)};
        echo(shown, 2);
    } else {
        echo(&c, 1);
    }
}

void Console_input::keep(char c, Echo echo)
{
    if (used_ == capacity) {
        ++dropped_;
        return;
    }
    bytes_[used_++] = c;
    echo_character(c, echo);
    if (!canonical())
        finish_line();
}

void Console_input::erase(Echo echo)
{
    char c = bytes_[--used_];
    if ((settings_.lflag & (linux_abi::echo | echoe)) != (linux_abi::echo | echoe))
        return;
    bool two_columns = is_control(c) && c != '\t' && (settings_.lflag & echoctl) != 0;
    echo("\b \b\b \b", two_columns ? 6 : 3);
}

uint32_t Console_input::take(const char *bytes, size_t n, Echo echo)
{
    uint32_t raised = 0;
    for (size_t i = 0; i < n; ++i) {
        char c = bytes[i];
        if ((settings_.iflag & istrip) != 0)
            c = static_cast<char>(c & 0x7f);
        if (c == '\r') {
            if ((settings_.iflag & igncr) != 0)
                continue;
            if ((settings_.iflag & icrnl) != 0)
                c = '\n';
        } else if (c == '\n' && (settings_.iflag & inlcr) != 0) {
            c = '\r';
        }
        uint8_t key = static_cast<uint8_t>(c);
        if (literal_next_) {
            literal_next_ = false;
            keep(c, echo);
            continue;
        }
        if ((settings_.lflag & iexten) != 0 && is(key, vlnext)) {
            literal_next_ = true;  // the next byte is kept as it is, whatever it means
            continue;
        }
        if ((settings_.lflag & isig) != 0 && (is(key, vintr) || is(key, vquit) || is(key, vsusp))) {
            int signal = is(key, vintr) ? sigint : is(key, vquit) ? sigquit : sigtstp;
            raised |= uint32_t{1} << (signal - 1);
            if ((settings_.lflag & noflsh) == 0)
                flush();
            echo_character(c, echo);
            continue;
        }
        if (!canonical()) {
            keep(c, echo);
            continue;
        }
        if (is(key, verase)) {
            if (used_ > ready_)
                erase(echo);
        } else if (is(key, vwerase) && (settings_.lflag & iexten) != 0) {
            while (used_ > ready_ && (bytes_[used_ - 1] == ' ' || bytes_[used_ - 1] == '\t'))
                erase(echo);
            while (used_ > ready_ && bytes_[used_ - 1] != ' ' && bytes_[used_ - 1] != '\t')
                erase(echo);
        } else if (is(key, vreprint) && (settings_.lflag & (linux_abi::echo | iexten)) == (linux_abi::echo | iexten)) {
            // ^R: the line typed so far again, on a line of its own (n_tty's reprint).
            echo_character(c, echo);
            echo("\r\n", 2);
            for (size_t at = ready_; at < used_; ++at)
                echo_character(bytes_[at], echo);
        } else if (is(key, vkill)) {
            if ((settings_.lflag & (echoke | echoe)) != 0) {
                while (used_ > ready_)
                    erase(echo);
            } else {
                used_ = ready_;
                if ((settings_.lflag & (linux_abi::echo | echok)) == (linux_abi::echo | echok))
                    echo("\r\n", 2);
            }
        } else if (is(key, veof)) {
            if (used_ == ready_)
                end_of_file_ = true;
            finish_line();
        } else if (c == '\n' || is(key, veol) || is(key, veol2)) {
            if (used_ == capacity)
                ++dropped_;  // no room for the line's end: it ends without it
            else
                bytes_[used_++] = c;
            finish_line();
            if (c == '\n' && (settings_.lflag & echonl) != 0)
                echo("\r\n", 2);
            else
                echo_character(c, echo);
        } else {
            keep(c, echo);
        }
    }
    return raised;
}

bool Console_input::readable() const
{
    return ready_ > 0 || end_of_file_ || (!canonical() && settings_.cc[vmin] == 0);
}

size_t Console_input::read(char *out, size_t n)
{
    if (ready_ == 0) {
        end_of_file_ = false;  // (the end of file, if any, is this read's 0)
        return 0;
    }
    size_t taken = n < ready_ ? n : ready_;
    memcpy(out, bytes_, taken);
    memmove(bytes_, bytes_ + taken, used_ - taken);
    ready_ -= taken;
    used_ -= taken;
    return taken;
}

void Console_input::flush()
{
    ready_ = used_ = 0;
    end_of_file_ = false;
}

void Console_input::set_settings(const Termios &settings)
{
    settings_ = settings;
    if (!canonical())
        finish_line();
}
