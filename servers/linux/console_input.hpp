// SPDX-License-Identifier: MIT
// The console's line discipline: what is typed at the console for the Linux processes,
// processed as Linux's n_tty processes it under the terminal's termios settings.
// * Input flags: ISTRIP, IGNCR, ICRNL, INLCR.
// * ISIG: the VINTR, VQUIT and VSUSP characters raise SIGINT, SIGQUIT and SIGTSTP for the
//   foreground process group (the caller sends them) and flush the input unless NOFLSH.
// * ICANON (canonical mode): bytes are edited a line at a time: VERASE erases one, VWERASE
//   (with IEXTEN) a word, VKILL the line; a newline, VEOL or VEOL2 ends the line, which
//   becomes readable; VEOF ends it without itself, or, on an empty line, makes the next read
//   return end of file. Any other byte is kept.
// * Otherwise (raw mode) every byte is readable at once; how long a read waits for how many
//   (VMIN, VTIME) is the reader's to decide (Linux_server::console_read), from available()
//   and when the last bytes came.
// * IEXTEN: VLNEXT (^V) makes the next byte an ordinary one; with ECHO, VREPRINT (^R) shows
//   the line typed so far again on a line of its own.
// * ECHO, ECHOE, ECHOKE, ECHONL, ECHOCTL: what a terminal would show is echoed, control
//   characters as ^X.
// Bytes wait here until read; what does not fit is dropped and counted. Not done: output
// processing (the console server turns \n into \r\n), IXON flow control (^S, ^Q), VDISCARD
// (which Linux's n_tty does not do either).
#ifndef LINUX_CONSOLE_INPUT_HPP
#define LINUX_CONSOLE_INPUT_HPP

#include <stddef.h>
#include <stdint.h>

#include "linux_abi.hpp"

class Console_input {
public:
    static constexpr size_t capacity = 4096;  // readable bytes and the line being typed

    // Where the echo goes (the console).
    using Echo = void (*)(const char *bytes, size_t n);

    // Linux's settings for a new terminal: canonical mode, echo, signals from keys, ^C ^\ ^? ^U ^D ^Z.
    static linux_abi::Termios initial_settings();

    // Processes typed bytes, echoing what a terminal would. Returns the signals the bytes
    // raised for the foreground process group, bit n-1 for signal n.
    uint32_t take(const char *bytes, size_t n, Echo echo);
    // A read would not block: bytes wait, an end of file does, or VMIN is 0 in raw mode.
    bool readable() const;
    // Takes up to n readable bytes; 0 at an end of file (which it consumes) or when
    // nothing is readable.
    size_t read(char *out, size_t n);
    // The bytes a read would take now (FIONREAD).
    size_t available() const { return ready_; }
    // Drops what was typed and not read (TCFLSH, TCSETSF).
    void flush();

    const linux_abi::Termios &settings() const { return settings_; }
    // New settings (TCSETS): leaving canonical mode makes the line being typed readable.
    void set_settings(const linux_abi::Termios &settings);
    size_t dropped() const { return dropped_; }

private:
    bool canonical() const { return (settings_.lflag & linux_abi::icanon) != 0; }
    bool is(uint8_t c, linux_abi::Control_character which) const;
    void keep(char c, Echo echo);
    void erase(Echo echo);
    void echo_character(char c, Echo echo) const;
    void finish_line() { ready_ = used_; }

    linux_abi::Termios settings_ = initial_settings();
    // [0, ready_) are readable, [ready_, used_) the line being typed (canonical mode).
    char bytes_[capacity] = {};
    size_t ready_ = 0, used_ = 0;
    bool end_of_file_ = false;
    bool literal_next_ = false;  // VLNEXT came: the next byte is not special
    size_t dropped_ = 0;
};

#endif
