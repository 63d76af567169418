/*
 * The one place ncursesw enters Swift (LightTouchTerminal is its only user).
 *
 * SwiftPM drops pkg-config's -D flags, so the wide-character API is switched
 * on here, before curses.h. The static inline wrappers stand in for what
 * Swift cannot import: function-like macros (COLOR_PAIR, A_BOLD, getmaxyx),
 * and globals that Swift 6 rejects as unsafe (stdscr, COLORS).
 */
#ifndef LIGHTTOUCH_CNCURSESW_SHIM_H
#define LIGHTTOUCH_CNCURSESW_SHIM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
/* Last: term.h defines macros named after capabilities (lines, columns, ...). */
#include <term.h>

/*
 * setlocale(LC_ALL, "") : needed before initscr for wide characters. If one
 * category names a locale that is not installed the whole call fails; the
 * character type, which is all ncurses needs, is then set on its own, so the
 * screen gets the codeset lt_locale_codeset reported.
 */
static inline void lt_curses_use_environment_locale(void) {
    if (setlocale(LC_ALL, "") == NULL) (void)setlocale(LC_CTYPE, "");
}

static inline int lt_isatty(int fd) { return isatty(fd); }

/* newterm on the process's stdout and stdin (globals Swift 6 will not touch). */
static inline SCREEN *lt_newterm_stdio(void) { return newterm(NULL, stdout, stdin); }

/* $TERM, or NULL. */
static inline const char *lt_term_name(void) { return getenv("TERM"); }

static inline WINDOW *lt_stdscr(void) { return stdscr; }
static inline int lt_lines(void) { return LINES; }
static inline int lt_cols(void) { return COLS; }
static inline int lt_colors(void) { return COLORS; }

static inline void lt_getmaxyx(int *rows, int *cols) {
    int y, x;
    getmaxyx(stdscr, y, x);
    *rows = y;
    *cols = x;
}

static inline attr_t lt_a_normal(void) { return A_NORMAL; }
static inline attr_t lt_a_bold(void) { return A_BOLD; }
static inline attr_t lt_a_dim(void) { return A_DIM; }
static inline attr_t lt_a_reverse(void) { return A_REVERSE; }
static inline attr_t lt_a_underline(void) { return A_UNDERLINE; }
static inline attr_t lt_color_pair(short pair) { return (attr_t)COLOR_PAIR(pair); }

static inline int lt_attrset(attr_t attributes) { return wattrset(stdscr, (int)attributes); }

/* Writes n wide characters at (y, x) with the current attributes. */
static inline int lt_mvaddnwstr(int y, int x, const wchar_t *text, int n) { return mvwaddnwstr(stdscr, y, x, text, n); }

static inline int lt_getch(void) { return wgetch(stdscr); }
static inline int lt_keypad(bool on) { return keypad(stdscr, on); }
static inline int lt_nodelay(bool on) { return nodelay(stdscr, on); }
static inline int lt_erase(void) { return werase(stdscr); }
static inline int lt_clearok(bool on) { return clearok(stdscr, on); }
static inline int lt_refresh(void) { return wrefresh(stdscr); }

/*
 * The character set (nl_langinfo(CODESET)) of the locale `name` for the
 * character type, copied into `buffer`: "UTF-8", "ANSI_X3.4-1968" for C and
 * POSIX, and the C locale's for a locale that is not installed (setlocale would
 * fail and leave C). Uses newlocale, so the process's locale is untouched.
 */
static inline void lt_locale_codeset(const char *name, char *buffer, size_t size) {
    if (buffer == NULL || size == 0) return;
    buffer[0] = 0;
    locale_t locale = newlocale(LC_CTYPE_MASK, name != NULL ? name : "C", (locale_t)0);
    if (locale == (locale_t)0) locale = newlocale(LC_CTYPE_MASK, "C", (locale_t)0);
    if (locale == (locale_t)0) return;
    const char *codeset = nl_langinfo_l(CODESET, locale);
    snprintf(buffer, size, "%s", codeset != NULL ? codeset : "");
    freelocale(locale);
}

/* lt_terminfo_probe's answers. */
#define LT_TERMINFO_NO_DATABASE (-1) /* no terminfo database was found */
#define LT_TERMINFO_NOT_FOUND 0      /* no entry for the name, or a generic type ("I need something more specific") */
#define LT_TERMINFO_HARDCOPY 1       /* a hardcopy terminal (hc) */
#define LT_TERMINFO_FOUND 2          /* an entry setupterm accepts; see *has_cup and *has_clear */

/*
 * Looks `name` up in the terminfo database with setupterm (on fd 1) and says
 * whether the entry has cursor addressing (cup) and clear-screen (clear), which
 * curses needs to draw a full screen. ncurses' current terminal is put back as
 * it was, so this may run before newterm.
 */
static inline int lt_terminfo_probe(const char *name, int *has_cup, int *has_clear) {
    *has_cup = 0;
    *has_clear = 0;
    TERMINAL *saved = cur_term;
    int error = 0;
    int status = setupterm(name, 1, &error);
    if (status == OK) {
        const char *cup = tigetstr("cup");
        const char *clear = tigetstr("clear");
        *has_cup = cup != NULL && cup != (const char *)-1;
        *has_clear = clear != NULL && clear != (const char *)-1;
    }
    TERMINAL *probe = set_curterm(saved);
    if (probe != NULL && probe != saved) del_curterm(probe);
    if (status == OK) return LT_TERMINFO_FOUND;
    if (error == 1) return LT_TERMINFO_HARDCOPY;
    if (error == -1) return LT_TERMINFO_NO_DATABASE;
    return LT_TERMINFO_NOT_FOUND;
}

#endif
