// SPDX-License-Identifier: MIT
#include "console_input.hpp"

#include <string.h>

namespace {

constexpr char backspace = 0x08, erase = 0x7f, kill_line = 0x15, end_of_file = 0x04;

}  // namespace

void Console_input::finish_line()
{
    ready_ = used_;
}

void Console_input::take(const char *bytes, size_t n, Echo echo)
{
    for (size_t i = 0; i < n; ++i) {
        char c = bytes[i];
        if (c == '\r' || c == '\n') {
            if (used_ == capacity) {
                ++dropped_;  // no room for the line's end: it ends without it
            } else {
                bytes_[used_++] = '\n';
            }
            finish_line();
            echo("\r\n", 2);
        } else if (c == backspace || c == erase) {
            if (used_ > ready_) {
                --used_;
                echo("\b \b", 3);
            }
        } else if (c == kill_line) {
            for (; used_ > ready_; --used_)
                echo("\b \b", 3);
        } else if (c == end_of_file) {
            if (used_ == ready_)
                end_of_file_ = true;
            finish_line();
        } else if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') {
            if (used_ == capacity) {
                ++dropped_;
                continue;
            }
            bytes_[used_++] = c;
            echo(&c, 1);
        }
    }
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
