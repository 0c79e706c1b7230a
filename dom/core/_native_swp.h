/* The sweeps' hooks (_native_swp.c: the type and the trade path; _native_swp_runs.c: the runs
 * opened and closed on the detector's own state). Every global name here starts with swp_ / SWP_. */
#ifndef DOM_NATIVE_SWP_H
#define DOM_NATIVE_SWP_H
#include "_native_roll.h"
#include "_native_trd.h"

#define SWP_LIM (1LL << 61)  /* times: a sum of two fits */
#define SWP_EXACT (1LL << 53) /* prices and sizes: exact as doubles */
#define SWP_FAR (1LL << 62)  /* sweep.py's _FAR */

enum { SWP_R_FIRST_T, SWP_R_LAST_T, SWP_R_FIRST_PX, SWP_R_LAST_PX, SWP_R_LEVELS, SWP_R_QTY, SWP_R_NOTIONAL, SWP_R_TRADES, SWP_R_ID, SWP_R_N };
enum { SWP_E_T, SWP_E_TAKER, SWP_E_PX, SWP_E_QTY, SWP_E_N };

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    int depth;                   /* 0: trades; 1: depth messages (only the time read) */
    PyObject *det, *fallback, *runs, *sizes, *run_cls, *ev_cls, *synced, *top, *buy, *descs;
    PyMemberDef *r[SWP_R_N], *e[SWP_E_N];
    long long window, horizon, min_levels, warmup;
    double min_notional, pct, lot, tick;
} swp_Hook;

extern PyObject *swp_s_deadline, *swp_s_floor, *swp_s_state, *swp_s_add, *swp_s_expire, *swp_s_outsized, *swp_inf;

/* a run's int slot within +-lim: 1 with *v set, 0 not taken, -1 error */
int swp_ll(PyObject *o, PyMemberDef *m, long long lim, long long *v);
/* a slot set to a new int: 0, or -1 with an error set */
int swp_set_ll(PyObject *o, PyMemberDef *m, long long v);
/* _close of a run not announced (key: its side as a bool): 0, or -1 with an error set */
int swp_close(swp_Hook *h, PyObject *key, PyObject *run);
/* _expire(t) when no run to close was announced: 1 done, 0 one was (nothing changed), -1 error */
int swp_expire(swp_Hook *h, long long t);
/* a new run, as _Run(t, px, qty, notional): 0, or -1 with an error set */
int swp_open(swp_Hook *h, PyObject *key, PyObject *t, PyObject *px, PyObject *qty, double notional);
/* qty >= det.floor: 1, 0, or -1 with an error set */
int swp_outsized(swp_Hook *h, long long qty);

#endif
