/* dom.core._native.IceWait's state (_native_ice.c: the type; _native_ice_tab.c: its table of keys
 * and their rings of trades). Every global name here starts with ice_ / Ice / ICE_. */
#ifndef DOM_NATIVE_ICE_H
#define DOM_NATIVE_ICE_H
#include "_native.h"

#define ICE_LIM_T (1LL << 61)  /* a time, a price */
#define ICE_LIM_S (1LL << 53)  /* a level's size (the twin compares half of one, a float, with a volume) */
#define ICE_LIM_W (1LL << 60)  /* the refill window */
#define ICE_LIM_Q (1LL << 40)  /* a trade's size */
#define ICE_LIM_MASS (1LL << 61)  /* the sizes waiting at a key and traded there, in absolute value: every sum is exact */
#define ICE_NEVER (1LL << 62)  /* iceberg_wait._NEVER; also the limit of a bound */
#define ICE_NEAR 5  /* iceberg_wait.NEAR */
#define ICE_REC 5  /* a waiting change: t, ask, px, before, after */
#define ICE_KEY(px, ask) (2 * (px) + (ask))
#define ICE_SEC 1000000000LL
/* what a judgement leaves to Python (iceberg_wait.py NEW, PUSH, OVERRUN, ADD) */
#define ICE_NEW 1
#define ICE_PUSH 2
#define ICE_OVR 4
#define ICE_ADD 8

/* A followed level's numbers (iceberg_wait._Rec is its twin): shared with the detector's _Level. */
typedef struct {
    PyObject_HEAD
    long long traded, last, max_q, last_q;
} IceLevel;

typedef struct {
    long long key, px, seq;  /* seq: when its queue of trades began */
    int ask;
    IceLevel *rec;  /* the level followed there, or NULL */
    int watched, wstate;  /* the null control's watch there: its window ends and hits */
    long long wnear, wfs, wfe;
    long long *t, *q;  /* the trades waiting: a ring */
    Py_ssize_t head, n, cap;  /* cap: 0 or a power of two */
    long long mass;  /* the sum of |q| waiting */
} IceKey;

typedef struct {
    PyObject_HEAD
    PyObject *bid, *ask;
    IceKey **slots;  /* open addressing, linear probing, cap 0 or a power of two */
    Py_ssize_t cap, used;
    long long seq, first;  /* first: at most the time at the front of any key's queue */
    long long *pend;  /* the waiting changes, ICE_REC numbers each: a ring */
    Py_ssize_t phead, pn, pcap;
    Py_ssize_t waiting;  /* trades waiting, all keys */
    long long window_ns;  /* iceberg_refill_window_ms in ns */
    int overrun;  /* iceberg_overrun_chance > 0 */
    long long counts[3];  /* the null control's depletions, near_hits, far_hits */
} IceWait;

extern PyTypeObject IceWaitType, IceLevelType;
/* trade(side, px, T, qty) on an IceWait, from C (_native_trd.c) */
PyObject *ice_trade_args(PyObject *w, PyObject *const *args);

/* NotImplemented for a value not taken (r == 0), NULL on an error (r < 0) */
#define DECLINE(r) do { if ((r) < 0) return NULL; Py_RETURN_NOTIMPLEMENTED; } while (0)

/* 0 bid, 1 ask, -1 neither */
static inline int ask_of(IceWait *w, PyObject *side)
{
    return side == w->bid ? 0 : side == w->ask ? 1 : -1;
}

/* Any exact int, clamped to +-ICE_NEVER (a bound: every held time and price is within +-2^61). */
static inline int bound(PyObject *o, long long *v)
{
    if (!PyLong_CheckExact(o))
        return 0;
    int over = 0;
    long long x = PyLong_AsLongLongAndOverflow(o, &over);
    if (x == -1 && PyErr_Occurred())
        return -1;
    *v = over > 0 || x > ICE_NEVER ? ICE_NEVER : over < 0 || x < -ICE_NEVER ? -ICE_NEVER : x;
    return 1;
}

static inline PyObject *side_obj(IceWait *w, int ask)
{
    return ask ? w->ask : w->bid;
}

/* _native_ice_tab.c */
IceKey *ice_find(IceWait *w, long long key);
IceKey *ice_add(IceWait *w, long long key, long long px, int ask);
void ice_drop(IceWait *w, long long key);
void ice_tab_clear(IceWait *w);
int ice_push(IceKey *e, long long t, long long q);
int ice_seq_order(const void *a, const void *b);  /* qsort: keys in the order their queues of trades began */

/* _native_ice_judge.c: IceWait's methods judge, step, late */
PyObject *ice_judge(IceWait *w, PyObject *const *args, Py_ssize_t nargs);
PyObject *ice_step(IceWait *w, PyObject *mark_obj);
PyObject *ice_late(IceWait *w, PyObject *late_obj);
/* the same work for C callers (_native_idh.c, the depth hook): delta's, on numbers (win: each
 * side's window, lo and hi, bids then asks) 1 / 0 not taken / -1 error; step's (idh_step_at) */
int idh_delta_at(IceWait *w, long long t, PyObject *changes, const long long *win);
int idh_step_at(IceWait *w, long long mark, IceKey **ep, long long *rec, long long *v);
int idh_late_due(IceWait *w, long long late);  /* would late(late) take trades (else its work done) */

/* _native_ice_read.c: IceWait's methods sizes, counts, set_counts, recs_by_key, state */
PyObject *ice_sizes(IceWait *w, PyObject *unused);
PyObject *ice_counts(IceWait *w, PyObject *unused);
PyObject *ice_set_counts(IceWait *w, PyObject *d);
PyObject *ice_recs(IceWait *w, PyObject *unused);
PyObject *ice_state(IceWait *w, PyObject *unused);

#endif
