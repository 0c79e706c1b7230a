/* dom.core._native.AbsSide's state (_native_abs.c: the type; _native_abs_tab.c: its rings and
 * tables by price). */
#ifndef DOM_NATIVE_ABS_H
#define DOM_NATIVE_ABS_H
#include "_native.h"

#define LIM_T (1LL << 61)  /* a time, a price, a bound */
#define LIM_Q (1LL << 40)  /* a trade's size */
#define LIM_TOT (1LL << 53)  /* a total: exact as a double (the track test compares it with one) */
#define FAR (1LL << 62)  /* absorption_state._FAR; also the limit of a bound (a time less a window) */

typedef struct {
    long long *t, *q;
    Py_ssize_t head, n, cap;  /* cap: 0 or a power of two */
    long long total;
} Ring;

typedef struct {
    long long px;
    Ring r;  /* (empty in the thresholds' table) */
    PyObject *thr;  /* the thresholds' table: None or an int */
    double tf;  /* frac * thr (the track test's bar) when thr is an int */
} Win;

/* Entries by price: open addressing, linear probing, cap 0 or a power of two. */
typedef struct {
    Win **slots;
    Py_ssize_t cap, used;
} Tab;

#define THR_MAX 4096  /* thresholds kept a side: past it the cache starts again (_Side.thr_set) */

typedef struct {
    PyObject_HEAD
    PyObject *side;
    int bid;
    long long rate_ns, w_ns;
    double frac;
    Ring times, sw;
    Tab win;  /* the windows over W */
    Tab th;  /* the thresholds cached by price (not tied to a window: a level that comes back keeps it) */
    long long edge, last_px;
    int has_last;
} AbsSide;

#define AT(r, i) (((r)->head + (i)) & ((r)->cap - 1))

static inline Py_ssize_t home(Tab *t, long long px)
{
    return (Py_ssize_t)(((unsigned long long)px * 0x9E3779B97F4A7C15ULL) >> 20) & (t->cap - 1);
}

int abs_ring_push(Ring *r, long long t, long long q);
long long abs_ring_prune(Ring *r, long long lo);
void abs_ring_free(Ring *r);
Win *abs_find(Tab *t, long long px);
void abs_win_free(Win *w);
Win *abs_add(Tab *t, long long px);
void abs_drop_slot(Tab *t, Py_ssize_t i);
void abs_tab_clear(Tab *t);
PyObject *abs_pairs(Ring *r, int with_q);
/* AbsSide.trade's work, its result for a window total, and what it would give without changing
 * anything (_native_abs.c; the absorption trade hook's, _native_atd.c) */
int abs_trade_ll(AbsSide *s, long long px, long long T, long long q, int track, long long *out);
long long abs_track(AbsSide *s, long long px, long long vw, int track);
int abs_trade_peek(AbsSide *s, long long px, long long T, long long q, int track, long long *out);

#endif
