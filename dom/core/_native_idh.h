/* IcebergDetector's depth hook (IdhHook): its state, and what _native_idh_read.c gives
 * _native_idh.c (the book's reads, the usual size, the ends heap). Every global name here starts
 * with idh_ / Idh. */
#ifndef DOM_NATIVE_IDH_H
#define DOM_NATIVE_IDH_H
#include "_native_ice.h"
#include "_native_trd.h"

#define IDH_TOP 10  /* the levels _usual reads */
#define IDH_EXACT (1LL << 53)  /* a double holds every int within */
#define IDH_LV_MAX 40  /* the slots of a level class the hook makes levels of */

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
    PyObject *s_wait, *s_depth_t, *s_book, *s_top, *ten, *s_rec, *s_n_ends, *s_levels, *s_ends;
    /* the new levels' class and its slots (_native_idh_level.c; lv_cls NULL: _judge makes them):
     * lv_defs each slot's value but side, px, first_ns and rec (lv_at), fresh lists where lv_fresh */
    PyTypeObject *lv_cls;
    PyObject *lv_defs;
    Py_ssize_t lv_n;
    PyMemberDef *lv_m[IDH_LV_MAX];
    char lv_fresh[IDH_LV_MAX];
    int lv_at[4];
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

/* _native_idh_level.c: the level class's kit read when the hook is made (0 / -1 ValueError); a new
 * level made and pushed as _judge's NEW and PUSH do (1 / 0 not taken, nothing changed / -1 error);
 * whether det.levels and det._ends are still the hook's (else C leaves them to the methods) */
int idh_level_kit(IdhHook *h, PyObject *kit);
int idh_own(IdhHook *h);  /* det.levels and det._ends the hook's own: 1 / 0 */
int idh_level(IdhHook *h, PyObject *side, const long long *rec, PyObject *ice_rec, int flags);

#endif
