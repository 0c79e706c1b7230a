/* dom.core._native: PullStore, pulled liquidity's candidates, mids and size increases held in C
 * (_native_pstore.c; its Python twin is spoof_store.PullState), and what _native_pulls.c and
 * _native_pgate.c use of it directly. */
#ifndef DOM_NATIVE_PSTORE_H
#define DOM_NATIVE_PSTORE_H
#include "_native.h"

#define PS_PX (1LL << 61)  /* prices and sizes: within +-2^61 */
#define PS_T (1LL << 62)   /* times, distances, mids (twice the mid): within +-2^62 */

/* opt_int (_native.h) through in_range_fast. */
static inline int pdh_opt_int(PyObject *o, long long lim, long long *v, int *none)
{
    *none = o == Py_None;
    return *none ? 1 : in_range_fast(o, lim, v);
}

typedef struct {
    long long t, a, b;  /* (t, value) pairs use a; size increases (t, px, added) a and b */
} Item;

/* A first-in first-out queue of items (a ring; grows by doubling, never shrinks but on clear). */
typedef struct {
    Item *v;
    Py_ssize_t head, n, cap;
} Ring;

static inline Item *ps_ring_at(const Ring *r, Py_ssize_t i)
{
    Py_ssize_t k = r->head + i;
    return &r->v[k >= r->cap ? k - r->cap : k];
}

typedef struct {
    long long px, first_ns, d0, peak, step;
    int k, pending;  /* k: 0 the bid, 1 the ask */
    Ring sizes, dists;  /* (t, size) over the drop window; (t, distance) when it changed */
    PyObject *key;      /* px as an int, made when first needed to read its level (NULL before) */
} PCand;

typedef struct {
    PyObject_HEAD
    PyObject *side[2];  /* the bid and ask objects it was made with */
    Ring mids;          /* (t, 2 x mid) */
    Ring adds[2];       /* (t, px, added), bid then ask */
    PCand *c;           /* the candidates, in the order they were added */
    Py_ssize_t n, cap;
} PStore;

extern PyTypeObject PStoreType;
int ps_ring_push(Ring *r, long long t, long long a, long long b);
void ps_ring_pop(Ring *r);
void ps_ring_free(Ring *r);
PCand *ps_find(PStore *s, int k, long long px);
int ps_seen(PCand *c, long long t, long long q);
int ps_mid(PStore *s, long long now, int has, long long m2);
void ps_expire(PStore *s, long long horizon);
int ps_sweep(PStore *s, int nbb, long long bb, int nba, long long ba, int ntb, long long tb, int nta, long long ta,
             long long hb, long long ha, PyObject *bl, PyObject *al, long long now, long long approach, long long old,
             long long *lo, long long *hi);
/* The methods' shared parts (_native_pstore.c); _native_pmeth.c holds the methods. */
int ps_arg_ll(PyObject *o, long long lim, long long *v);
int ps_arg_size(PyObject *o, long long *v);
int ps_arg_side(PStore *s, PyObject *o);
int ps_arg_opt(PyObject *o, long long lim, long long *v, int *none);
int ps_nargs(Py_ssize_t nargs, Py_ssize_t want, const char *sig);
PyObject *ps_from_i128(__int128 v);
void ps_cand_free(PCand *c);
int ps_new_cand(PStore *s, int k, long long px, long long now, long long d, long long q, long long step);
void ps_remove_at(PStore *s, Py_ssize_t i);
int ps_level_at(PyObject *levels, long long px, long long *q);
int ps_cand_level(PCand *c, PyObject *levels, long long *q);
extern PyMethodDef ps_methods[];
/* _native_pgate.c: would _maybe_pull go past its first checks for this drop of c? (1 / 0, -1 on error)
 * gh: det.held from its median dict on; bl, al: the book's levels. */
int pull_gate(Gate *g, PyObject *const *gh, PyObject *bl, PyObject *al, PCand *c, long long after, PyObject *side,
              long long *out);
/* _native_pulls.c: pulls_delta's work once its arguments are checked: args (det, sym, changes, now,
 * bb, ba), kit and H the items of the kit (PDH_KIT) and of det.held (PDH_HELD, its store a PStore);
 * sides the book's bid and ask sides where the caller has read them (else NULL).
 * None, NotImplemented (nothing done) or NULL with an error set. */
#define PDH_KIT 7
#define PDH_HELD 19
/* det.lim (held's last item): its length, the places of the last depth time and the one before */
#define PDH_LIM 8

/* lim[i] = v (det.lim, the pulls' list of PDH_LIM bounds): 0, or -1 with an error set when the
 * list is not of PDH_LIM items (a comparison before may have run Python that changed it). */
static inline int lim_put(PyObject *lim, Py_ssize_t i, PyObject *v)
{
    if (PyList_GET_SIZE(lim) != PDH_LIM) {
        PyErr_SetString(PyExc_ValueError, "det.lim: a list of eight");
        return -1;
    }
    PyObject *old = PyList_GET_ITEM(lim, i);
    PyList_SET_ITEM(lim, i, Py_NewRef(v));
    Py_DECREF(old);
    return 0;
}
#define PDH_DEPTH 6
#define PDH_PREV 7
/* _native_pjd.c: the rest of _maybe_pull once pull_gate said 2 (see there). 1 done, 0 not taken, -1 error. */
int pjd_pull(PyObject *pk, PyObject *det, PStore *st, PCand *c, PyObject *side, PyObject *other, PyObject *pxo,
             PyObject *aftero, long long after, PyObject *nowo, long long now, int nbest, long long best, PyObject *lv,
             PyObject *threshold, PyObject *trades, PyObject *prev, const long long *g);
/* _native_pjd_tape.c: TakerTape.volume_after(lo) in C (lo_o: lo as an int); NotImplemented, nothing done, where
 * it does not take the tape. */
PyObject *pjd_volume_after(PyObject *tape, long long lo, PyObject *lo_o);
PyObject *pdh_delta(PyObject *const *args, PyObject *const *kit, PyObject *const *H, PyObject *const *sides);
extern PyTypeObject pdh_HookType;

/* _native_pjd.c: a candidate's distance a second before and its largest (the store's facts and the
 * pulls made in C); the range of the mids noted before a time (the store's mid_range). */
void pjd_dists_back(const PCand *c, long long cut, long long *ago, long long *far);
PyObject *pjd_mid_range(PStore *st, long long before);
/* _native_plevel.c: _level for pulls_delta (see there). 1 done, 0 not taken, -1 error. */
int pl_level(PyObject *pk, PyObject *threshold, PyObject *lim, PStore *st, int k, PyObject *side, PyObject *px,
             long long p, PyObject *q, long long vq, PyObject *now, long long t_now, long long d);

#endif
