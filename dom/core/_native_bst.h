/* The bursts' hook (BurstHook, _native_bst.c) and its rule (_native_bst_rule.c). Every global name
 * here starts with bst_. */
#ifndef DOM_NATIVE_BST_H
#define DOM_NATIVE_BST_H
#include "_native.h"
#include "_native_trd.h"

#define BST_SEC 1000000000LL
#define BST_LIM (1LL << 61)
#define BST_EXACT (1LL << 53)

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    int depth;
    PyObject *det, *fallback, *trades, *mids, *ev_cls, *descs;
    PyMemberDef *m_T, *m_qty; /* the event's exchange time; a trade's size */
    long long w_ns;
    /* the rule's kit (p NULL: a window at a burst's volume goes to the methods): the detector's
     * params (det.p must still be them), the feed states a burst may start in, and from the params
     * burst_warmup_s, burst_volume_mult, burst_min_move_bps, burst_move_sigma */
    PyObject *p, *synced, *top;
    long long warmup;
    double vol_mult, min_bps, move_sigma;
} bst_Hook;

/* What an event leaves for _judge to read: the window's volume, det.last_mid, the mids popped from
 * the left (km) and the mid appended (0: none). */
typedef struct {
    long long wsum, last_mid, new_mid;
    Py_ssize_t km;
} bst_After;

/* _native_bst_rule.c: the kit read (0 / -1 ValueError); _judge's rule with no episode open on the
 * state the event leaves, sym the symbol's state (1: no burst starts / 0 not taken: one starts, or
 * a value it does not take / -1 error); its names interned (0 / -1). */
int bst_rule_kit(bst_Hook *h, PyObject *rule);
int bst_rule(bst_Hook *h, PyObject *sym, const bst_After *a);
int bst_rule_register(void);

#endif
