// SPDX-License-Identifier: MIT
// What is typed at the console for the Linux processes, edited a line at a time as a
// terminal in canonical mode edits it (until issue 15's tty): printable characters and tabs
// are echoed and kept; backspace (DEL or BS) erases one, Ctrl-U the line; Enter (CR or LF)
// ends the line, which becomes readable with its '\n'; Ctrl-D ends it without one, or, on
// an empty line, makes the next read return end of file. Other control characters are
// ignored. Lines wait here until read; what does not fit is dropped and counted.
#ifndef LINUX_CONSOLE_INPUT_HPP
#define LINUX_CONSOLE_INPUT_HPP

#include <stddef.h>
#include <stdint.h>

class Console_input {
public:
    static constexpr size_t capacity = 4096;  // finished lines and the line being typed

    // Where the echo goes (the console).
    using Echo = void (*)(const char *bytes, size_t n);

    // Edits typed bytes in, echoing what a terminal would.
    void take(const char *bytes, size_t n, Echo echo);
    // A read would not block: a finished line waits, or an end of file.
    bool readable() const { return ready_ > 0 || end_of_file_; }
    // Takes up to n bytes of finished lines; 0 at an end of file (which it consumes) or when
    // nothing is readable.
    size_t read(char *out, size_t n);
    size_t dropped() const { return dropped_; }

private:
    void finish_line();

    // [0, ready_) are finished lines, [ready_, used_) the line being typed.
    char bytes_[capacity] = {};
    size_t ready_ = 0, used_ = 0;
    bool end_of_file_ = false;
    size_t dropped_ = 0;
};

#endif
