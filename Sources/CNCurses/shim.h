#ifndef TRACESCOPE_CNCURSES_SHIM_H
#define TRACESCOPE_CNCURSES_SHIM_H
/* Wide-character ncurses, with accessors for what Swift cannot import or must not touch as mutable globals. */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *tracescope_stdscr(void) { return stdscr; }
static inline int tracescope_lines(void) { return LINES; }
static inline int tracescope_cols(void) { return COLS; }
static inline int tracescope_colors(void) { return COLORS; }
static inline int tracescope_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t tracescope_a_normal(void) { return A_NORMAL; }
static inline attr_t tracescope_a_bold(void) { return A_BOLD; }
static inline attr_t tracescope_a_dim(void) { return A_DIM; }
static inline attr_t tracescope_a_reverse(void) { return A_REVERSE; }
static inline attr_t tracescope_a_underline(void) { return A_UNDERLINE; }
static inline int tracescope_key_resize(void) { return KEY_RESIZE; }
static inline int tracescope_key_up(void) { return KEY_UP; }
static inline int tracescope_key_down(void) { return KEY_DOWN; }
static inline int tracescope_key_left(void) { return KEY_LEFT; }
static inline int tracescope_key_right(void) { return KEY_RIGHT; }
static inline int tracescope_key_enter(void) { return KEY_ENTER; }
static inline int tracescope_key_backspace(void) { return KEY_BACKSPACE; }
static inline int tracescope_key_npage(void) { return KEY_NPAGE; }
static inline int tracescope_key_ppage(void) { return KEY_PPAGE; }
static inline int tracescope_key_btab(void) { return KEY_BTAB; }
static inline int tracescope_err(void) { return ERR; }
/* Mouse (as htop and k9s): clicks, double-clicks and the wheel, reported as KEY_MOUSE. */
static inline int tracescope_key_mouse(void) { return KEY_MOUSE; }
static inline void tracescope_enable_mouse(void) {
    mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
              | BUTTON5_PRESSED
#endif
              , NULL);
}
/* The pending mouse event: 1 click, 2 double-click, 3 wheel up, 4 wheel down, 0 anything else. */
static inline int tracescope_read_mouse(int *x, int *y) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    *x = event.x;
    *y = event.y;
    if (event.bstate & BUTTON1_DOUBLE_CLICKED) return 2;
    if (event.bstate & BUTTON1_CLICKED) return 1;
    if (event.bstate & BUTTON4_PRESSED) return 3;
#ifdef BUTTON5_PRESSED
    if (event.bstate & BUTTON5_PRESSED) return 4;
#endif
    return 0;
}
/* Esc alone arrives after this many milliseconds instead of ncurses' default second. */
static inline void tracescope_set_escdelay(int ms) { set_escdelay(ms); }
/* Draws a run of characters with attributes and a colour pair. */
static inline int tracescope_draw(int y, int x, const wchar_t *text, int length, attr_t attrs, short pair) {
    attr_set(attrs, pair, NULL);
    return mvaddnwstr(y, x, text, length);
}
#endif
