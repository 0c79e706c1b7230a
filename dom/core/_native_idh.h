/* IcebergDetector's depth hook (IdhHook): its state, and what _native_idh_read.c gives
 * _native_idh.c (the book's reads, the usual size, the ends heap). Every global name here starts
 * with idh_ / Idh. */
#ifndef DOM_NATIVE_IDH_H
#define DOM_NATIVE_IDH_H
#include "_native_ice.h"
#include "_native_trd.h"

#define IDH_TOP 10  /* the levels _usual reads */
#define IDH_EXACT (1LL << 53)  /* a double holds every int within */

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *det, *on_delta, *judge, *tail; /* the detector and its bound on_delta, _judge, _tail */
    PyObject *ends, *usual, *slack, *bid, *ask, *cls, *desc;
    PyMemberDef *m_ts;
    /* the book's classes and the slots read (book_fields): OrderBook's bids and asks,
     * BookSideLevels' _index, _live and _live_n, PriceIndex's flat */
    PyObject *book_fields;
    PyObject *levels, *heappop, *heappush; /* det.levels (changed in place), heapq's two */
    PyTypeObject *book_cls, *side_cls, *index_cls;
    PyMemberDef *m_bids, *m_asks, *m_index, *m_live, *m_live_n, *m_flat;
    long long end_ns;
    double min_add;
    PyObject *s_wait, *s_depth_t, *s_book, *s_top, *ten, *s_rec, *s_n_ends;
} IdhHook;

/* An object slot's value, borrowed (NULL: unset). */
static inline PyObject *idh_slot(PyObject *o, PyMemberDef *m)
{
    return *(PyObject **)((char *)o + m->offset);
}

/* _native_idh_read.c: a side's best price (1 / 0 not taken / -1 error); the side's usual size
 * _usual would give, not stored (1 / 0 not taken / -1 error); the ends heap's entries that end
 * nothing (0 none due left / 1 _end_quiet goes on / -1 error) */
int idh_best(IdhHook *h, PyObject *side, int r, long long *px, int *none);
int idh_usual(IdhHook *h, PyObject *side, PyObject *book_side, double *u);
int idh_ends(IdhHook *h, long long depth_t);

#endif
