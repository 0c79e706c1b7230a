/* Absorption's trade hook (_native_atd.c, _native_atd_ep.c): what its two parts share. Every
 * global name here starts with atd_ / ATD_. */
#ifndef DOM_NATIVE_ATD_H
#define DOM_NATIVE_ATD_H
#include "_native_abs.h"
#include "_native_trd.h"

#define ATD_T (1LL << 62) /* an episode's times */
#define ATD_Q (1LL << 52) /* its volumes: a difference of two, and half of one, exact as doubles */
#define ATD_MAX 64        /* open episodes the hook reads */

/* the episode's fields the hook reads (slots of the episode class) */
enum { P_SIDE, P_PX, P_FIRST, P_LAST_TRADE, P_TRADED, P_TIMES, P_CUM, P_PEAK, P_ANN, P_CROSS, P_SENT, P_COUNT };
/* the trade's */
enum { F_TAKER, F_PX, F_T, F_QTY, F_COUNT };

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *det, *on_trade, *threshold, *check_cross, *eps, *slack, *trade_cls, *ep_cls, *synced, *buy, *bid;
    PyObject *descs; /* the descriptors (kept alive with their PyMemberDefs) */
    PyMemberDef *f[F_COUNT], *m[P_COUNT];
    long long w_ns;
} atd_Hook;

#define ATD_SLOT(obj, m) (*(PyObject **)((char *)(obj) + (m)->offset))

/* An open episode as the hook reads it (_native_atd_ep.c). */
typedef struct {
    long long last_trade, traded, peak, cross, sent, cum_last, times_last;
    int announced, has_times;
} atd_Ep;

/* 1 (*e read) for an episode of the hook's class with those fields exact ints within their
 * limits, announced a bool, times and cum lists whose last items (if any) are exact ints; 0 for
 * anything else; -1 on error. */
int atd_ep_read(atd_Hook *h, PyObject *ep, atd_Ep *e);
/* The open episodes of side other than skip that a trade at px, time T goes through
 * (_trade_through's test), in eps' order: 0 with their keys in hits[0..*n) (borrowed) when none of
 * them is announced; 1 when one is (its end is on_trade's), -1 for a value not read here (the
 * detector decides). hits has room for ATD_MAX. */
int atd_through(atd_Hook *h, PyObject *side, int bid, long long px, long long T, PyObject *skip, PyObject **hits,
                int *n);
/* The count of a trade (T_o, q) into ep (read into e; vw its window total), on_trade's order:
 * traded, last_trade_ns, add_trade in time order, peak_w. 0, or -1 on error. */
int atd_count(atd_Hook *h, PyObject *ep, const atd_Ep *e, PyObject *T_o, long long T, long long q, long long vw);
#endif
