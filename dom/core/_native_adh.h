/* Absorption's depth hook (_native_adh.c, _native_adh_ep.c): what its two parts share. Every
 * global name here starts with adh_ / ADH_. */
#ifndef DOM_NATIVE_ADH_H
#define DOM_NATIVE_ADH_H
#include "_native.h"
#include <structmember.h>

#define ADH_T (1LL << 62) /* times */
#define ADH_Q (1LL << 60) /* sizes and volumes */
#define ADH_MAX 32        /* open episodes the hook takes */

enum { E_SIDE, E_PX, E_T0, E_LAST_TRADE, E_LAST_Q, E_LAST_D, E_MAX_Q, E_REFILL, E_TIMES, E_CUM, E_MSGS, E_CROSS,
       E_ANNOUNCED, E_COUNT };

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *det, *on_delta, *judge, *tick, *eps, *slack, *delta_cls, *ep_cls, *bid, *ask, *deque_cls, *append, *popleft;
    PyObject *descs; /* (ts and the episode's descriptors: kept alive with their PyMemberDefs) */
    PyMemberDef *m_ts, *m[E_COUNT];
    long long w_ns;
} adh_Hook;

#define ADH_SLOT(obj, m) (*(PyObject **)((char *)(obj) + (m)->offset))

/* in_range_fast (_native.h) with CPython 3.11's three-digit ints under 2^63 (the exchange times
 * in nanoseconds) read from their digits too: 1 (*v set) for an exact int within +-lim, 0 for
 * anything else, -1 with an error set. */
static inline int adh_int(PyObject *o, long long lim, long long *v)
{
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000 && PyLong_SHIFT == 30
    if (PyLong_CheckExact(o) && (Py_SIZE(o) == 3 || Py_SIZE(o) == -3)) {
        const digit *d = ((PyLongObject *)o)->ob_digit;
        if (d[2] < 8) {
            long long x = (long long)((unsigned long long)d[0] | ((unsigned long long)d[1] << 30)
                                      | ((unsigned long long)d[2] << 60));
            *v = x = Py_SIZE(o) < 0 ? -x : x;
            return x >= -lim && x <= lim;
        }
    }
#endif
    return in_range_fast(o, lim, v);
}

/* _native_adh_ep.c: an episode read and worked on */
int adh_ready(adh_Hook *h, PyObject *ep);
int adh_takes(adh_Hook *h, PyObject *ep, long long now, PyObject *lv[2], PyObject **shown);
int adh_judge(adh_Hook *h, PyObject *ep, long long mark);
#endif
