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
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <wchar.h>

/* setlocale(LC_ALL, "") : needed before initscr for wide characters. */
static inline void lt_curses_use_environment_locale(void) { setlocale(LC_ALL, ""); }

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

#endif
