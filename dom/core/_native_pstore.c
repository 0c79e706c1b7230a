/* dom.core._native.PullStore: pulled liquidity's candidates (their size and distance histories), the
 * mids of the last second and the size increases, in C structures keyed by (side, price) as ints.
 * Its methods are spoof_store.PullState's (dom/core/detectors/spoof_store.py: each documented
 * there) and give the same results; _native_pulls.c reads and writes it directly.
 *
 * What it takes: sides the two objects it was made with; times, distances and mids (twice the mid)
 * exact ints within +-2^62; prices and sizes exact ints within +-2^61, sizes at least 0. Anything
 * else: TypeError (not an exact int, not a side's object, not a dict or list where one is read) or
 * ValueError (out of range), the store unchanged. Memory: what the detector's trims leave (sweep,
 * mid, expire). The methods are in _native_pmeth.c. */
#include <math.h>
#include "_native_pstore.h"

#define SEC 1000000000LL

/* ------------------------------------------------------------------------------ rings */

int ps_ring_push(Ring *r, long long t, long long a, long long b)
{
    if (r->n == r->cap) {
        Py_ssize_t cap = r->cap ? 2 * r->cap : 4;
        Item *v = PyMem_Malloc(cap * sizeof(Item));
        if (v == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = 0; i < r->n; i++)
            v[i] = *ps_ring_at(r, i);
        PyMem_Free(r->v);
        r->v = v;
        r->head = 0;
        r->cap = cap;
    }
    Item *x = ps_ring_at(r, r->n);
    x->t = t;
    x->a = a;
    x->b = b;
    r->n++;
    return 0;
}

void ps_ring_pop(Ring *r)
{
    r->n--;
    r->head = r->n ? (r->head + 1 == r->cap ? 0 : r->head + 1) : 0;
}

void ps_ring_free(Ring *r)
{
    PyMem_Free(r->v);
    r->v = NULL;
    r->head = r->n = r->cap = 0;
}

/* ------------------------------------------------------------------------- arguments */

/* *v from an exact int within +-lim: 0; -1 with TypeError / ValueError set. */
int ps_arg_ll(PyObject *o, long long lim, long long *v)
{
    int r = in_range_fast(o, lim, v);
    if (r > 0)
        return 0;
    if (r == 0)
        PyErr_SetString(PyLong_CheckExact(o) ? PyExc_ValueError : PyExc_TypeError,
                        "PullStore takes exact ints within its bounds");
    return -1;
}

int ps_arg_size(PyObject *o, long long *v)
{
    if (ps_arg_ll(o, PS_PX, v) < 0)
        return -1;
    if (*v < 0) {
        PyErr_SetString(PyExc_ValueError, "PullStore takes no negative size");
        return -1;
    }
    return 0;
}

/* 0 for the bid, 1 for the ask; -1 with ValueError set. */
int ps_arg_side(PStore *s, PyObject *o)
{
    if (o == s->side[0])
        return 0;
    if (o == s->side[1])
        return 1;
    PyErr_SetString(PyExc_ValueError, "PullStore: not one of its sides");
    return -1;
}

/* None (*none = 1) or an exact int within +-lim: 0; -1 with an error set. */
int ps_arg_opt(PyObject *o, long long lim, long long *v, int *none)
{
    *none = o == Py_None;
    return *none ? 0 : ps_arg_ll(o, lim, v);
}

int ps_nargs(Py_ssize_t nargs, Py_ssize_t want, const char *sig)
{
    if (nargs == want)
        return 0;
    PyErr_Format(PyExc_TypeError, "PullStore.%s", sig);
    return -1;
}

/* A 128-bit int as a Python int (sums and ranges of 61- and 62-bit values). */
PyObject *ps_from_i128(__int128 v)
{
    if (v >= LLONG_MIN && v <= LLONG_MAX)
        return PyLong_FromLongLong((long long)v);
    PyObject *hi = PyLong_FromLongLong((long long)(v >> 62)), *lo = PyLong_FromLongLong((long long)(v & ((1LL << 62) - 1)));
    PyObject *sh = PyLong_FromLong(62), *a = hi && sh ? PyNumber_Lshift(hi, sh) : NULL;
    PyObject *r = a && lo ? PyNumber_Add(a, lo) : NULL;
    Py_XDECREF(hi);
    Py_XDECREF(lo);
    Py_XDECREF(sh);
    Py_XDECREF(a);
    return r;
}

/* q < 0.5 * t as Python compares an int with that float (t within +-2^62: its half fits). */
static int under_half(long long q, long long t)
{
    double h = 0.5 * (double)t, f = floor(h);
    return h == f ? q < (long long)h : q <= (long long)f;
}

/* ------------------------------------------------------------------------- candidates */

PCand *ps_find(PStore *s, int k, long long px)
{
    for (Py_ssize_t i = 0; i < s->n; i++)
        if (s->c[i].px == px && s->c[i].k == k)
            return &s->c[i];
    return NULL;
}

int ps_seen(PCand *c, long long t, long long q)
{
    if (q > c->peak)
        c->peak = q;
    return ps_ring_push(&c->sizes, t, q, 0);
}

void ps_cand_free(PCand *c)
{
    ps_ring_free(&c->sizes);
    ps_ring_free(&c->dists);
    Py_CLEAR(c->key);
}

void ps_remove_at(PStore *s, Py_ssize_t i)
{
    ps_cand_free(&s->c[i]);
    memmove(&s->c[i], &s->c[i + 1], (s->n - i - 1) * sizeof(PCand));
    s->n--;
}

int ps_mid(PStore *s, long long now, int has, long long m2)
{
    if (has && ps_ring_push(&s->mids, now, m2, 0) < 0)
        return -1;
    long long cut = now - SEC;
    while (s->mids.n && ps_ring_at(&s->mids, 0)->t <= cut)
        ps_ring_pop(&s->mids);
    return 0;
}

void ps_expire(PStore *s, long long horizon)
{
    for (int k = 0; k < 2; k++)
        while (s->adds[k].n && ps_ring_at(&s->adds[k], 0)->t < horizon)
            ps_ring_pop(&s->adds[k]);
}

/* The size at px in levels (0: none): 0 with *q set; -1 with an error set (levels not an exact
 * dict, a size not an exact int within +-2^61). */
int ps_level_at(PyObject *levels, long long px, long long *q)
{
    if (!PyDict_CheckExact(levels)) {
        PyErr_SetString(PyExc_TypeError, "PullStore reads levels from a dict");
        return -1;
    }
    PyObject *k = PyLong_FromLongLong(px);
    if (k == NULL)
        return -1;
    PyObject *v = PyDict_GetItemWithError(levels, k);
    Py_DECREF(k);
    *q = 0;
    if (v == NULL)
        return PyErr_Occurred() ? -1 : 1;  /* 1: none there */
    return ps_arg_ll(v, PS_PX, q);
}

/* ps_level_at for c's price, with the int key it keeps. */
int ps_cand_level(PCand *c, PyObject *levels, long long *q)
{
    if (!PyDict_CheckExact(levels))
        return ps_level_at(levels, c->px, q);
    if (c->key == NULL && (c->key = PyLong_FromLongLong(c->px)) == NULL)
        return -1;
    PyObject *v = PyDict_GetItemWithError(levels, c->key);
    *q = 0;
    if (v == NULL)
        return PyErr_Occurred() ? -1 : 1;  /* 1: none there */
    return ps_arg_ll(v, PS_PX, q);
}

int ps_sweep(PStore *s, int nbb, long long bb, int nba, long long ba, int ntb, long long tb, int nta, long long ta,
             long long hb, long long ha, PyObject *bl, PyObject *al, long long now, long long approach, long long old,
             long long *lo_out, long long *hi_out)
{
    long long stack[32], *qs = stack;
    if (s->n > 32 && (qs = PyMem_Malloc(s->n * sizeof(long long))) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    int r = 0;
    for (Py_ssize_t i = 0; i < s->n && r >= 0; i++)  /* the levels read first: nothing done on a refusal */
        r = ps_cand_level(&s->c[i], s->c[i].k ? al : bl, &qs[i]) < 0 ? -1 : 0;
    long long lo = PS_T, hi = -PS_T;
    Py_ssize_t w = 0;
    for (Py_ssize_t i = 0; i < s->n; i++) {
        PCand *c = &s->c[i];
        if (r >= 0) {  /* (after an error, the rest kept as they were) */
            int nod = c->k ? nba : nbb, nt = c->k ? nta : ntb;
            long long d = c->k ? c->px - ba : bb - c->px, t = c->k ? ta : tb, half = c->k ? ha : hb;
            if (!nod && (c->dists.n == 0 || ps_ring_at(&c->dists, c->dists.n - 1)->a != d)
                    && ps_ring_push(&c->dists, now, d, 0) < 0)
                r = -1;
            while (c->dists.n > 1 && ps_ring_at(&c->dists, 1)->t <= approach)
                ps_ring_pop(&c->dists);
            while (c->sizes.n > 1 && ps_ring_at(&c->sizes, 1)->t <= old)
                ps_ring_pop(&c->sizes);
            if (r >= 0 && !c->pending && (nt || under_half(qs[i], t) || nod || d < 0 || d > half)) {
                ps_cand_free(c);
                continue;
            }
            if (c->px < lo)
                lo = c->px;
            if (c->px > hi)
                hi = c->px;
        }
        if (w != i)
            s->c[w] = *c;
        w++;
    }
    s->n = w;
    *lo_out = lo;
    *hi_out = hi;
    if (qs != stack)
        PyMem_Free(qs);
    return r;
}

/* ------------------------------------------------------------------------------ type */

static Py_ssize_t ps_len(PStore *s)
{
    return s->n;
}

static PyObject *ps_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *bid, *ask;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "PullStore(bid, ask)");
        return NULL;
    }
    if (!PyArg_UnpackTuple(args, "PullStore", 2, 2, &bid, &ask))
        return NULL;
    PStore *s = (PStore *)type->tp_alloc(type, 0);
    if (s == NULL)
        return NULL;
    s->side[0] = Py_NewRef(bid);
    s->side[1] = Py_NewRef(ask);
    return (PyObject *)s;
}

static int ps_traverse(PStore *s, visitproc visit, void *arg)
{
    Py_VISIT(s->side[0]);
    Py_VISIT(s->side[1]);
    return 0;
}

static int ps_clear_refs(PStore *s)
{
    Py_CLEAR(s->side[0]);
    Py_CLEAR(s->side[1]);
    return 0;
}

static void ps_dealloc(PStore *s)
{
    PyObject_GC_UnTrack(s);
    ps_clear_refs(s);
    for (Py_ssize_t i = 0; i < s->n; i++)
        ps_cand_free(&s->c[i]);
    PyMem_Free(s->c);
    ps_ring_free(&s->mids);
    ps_ring_free(&s->adds[0]);
    ps_ring_free(&s->adds[1]);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

static PySequenceMethods as_seq = {.sq_length = (lenfunc)ps_len};

PyTypeObject PStoreType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.PullStore",
    .tp_doc = "Pulled liquidity's candidates, mids and size increases in C (spoof_store.PullState's twin).",
    .tp_basicsize = sizeof(PStore),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = ps_new,
    .tp_dealloc = (destructor)ps_dealloc,
    .tp_traverse = (traverseproc)ps_traverse,
    .tp_clear = (inquiry)ps_clear_refs,
    .tp_methods = ps_methods,
    .tp_as_sequence = &as_seq,
};
