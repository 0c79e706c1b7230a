/* dom.core._native.PullStore: pulled liquidity's candidates (their size and distance histories), the
 * mids of the last second and the size increases, in C structures keyed by (side, price) as ints.
 * Its methods are spoof_store.PullState's (dom/core/detectors/spoof_store.py: each documented
 * there) and give the same results; _native_pulls.c reads and writes it directly.
 *
 * What it takes: sides the two objects it was made with; times exact ints within +-2^62; prices,
 * sizes exact ints within +-2^61, sizes at least 0. Anything else: TypeError
 * (not an exact int, not a side's object, not a dict or list where one is read) or ValueError (out of
 * range), the store unchanged. Memory: what the detector's trims leave (sweep, mid, expire). */
#include <math.h>
#include "_native_pstore.h"

#define SEC 1000000000LL

/* ------------------------------------------------------------------------------ rings */

int ring_push(Ring *r, long long t, long long a, long long b)
{
    if (r->n == r->cap) {
        Py_ssize_t cap = r->cap ? 2 * r->cap : 4;
        Item *v = PyMem_Malloc(cap * sizeof(Item));
        if (v == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = 0; i < r->n; i++)
            v[i] = *ring_at(r, i);
        PyMem_Free(r->v);
        r->v = v;
        r->head = 0;
        r->cap = cap;
    }
    Item *x = ring_at(r, r->n);
    x->t = t;
    x->a = a;
    x->b = b;
    r->n++;
    return 0;
}

void ring_pop(Ring *r)
{
    r->n--;
    r->head = r->n ? (r->head + 1 == r->cap ? 0 : r->head + 1) : 0;
}

static void ring_free(Ring *r)
{
    PyMem_Free(r->v);
    r->v = NULL;
    r->head = r->n = r->cap = 0;
}

/* ------------------------------------------------------------------------- arguments */

/* *v from an exact int within +-lim: 0; -1 with TypeError / ValueError set. */
static int arg_ll(PyObject *o, long long lim, long long *v)
{
    int r = in_range(o, lim, v);
    if (r > 0)
        return 0;
    if (r == 0)
        PyErr_SetString(PyLong_CheckExact(o) ? PyExc_ValueError : PyExc_TypeError,
                        "PullStore takes exact ints within its bounds");
    return -1;
}

static int arg_size(PyObject *o, long long *v)
{
    if (arg_ll(o, PS_PX, v) < 0)
        return -1;
    if (*v < 0) {
        PyErr_SetString(PyExc_ValueError, "PullStore takes no negative size");
        return -1;
    }
    return 0;
}

/* 0 for the bid, 1 for the ask; -1 with ValueError set. */
static int arg_side(PStore *s, PyObject *o)
{
    if (o == s->side[0])
        return 0;
    if (o == s->side[1])
        return 1;
    PyErr_SetString(PyExc_ValueError, "PullStore: not one of its sides");
    return -1;
}

/* None (*none = 1) or an exact int within +-lim: 0; -1 with an error set. */
static int arg_opt(PyObject *o, long long lim, long long *v, int *none)
{
    *none = o == Py_None;
    return *none ? 0 : arg_ll(o, lim, v);
}

static int nargs_is(Py_ssize_t nargs, Py_ssize_t want, const char *sig)
{
    if (nargs == want)
        return 0;
    PyErr_Format(PyExc_TypeError, "PullStore.%s", sig);
    return -1;
}

/* A 128-bit int as a Python int (sums and ranges of 61- and 62-bit values). */
static PyObject *from_i128(__int128 v)
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
    return ring_push(&c->sizes, t, q, 0);
}

static void cand_free(PCand *c)
{
    ring_free(&c->sizes);
    ring_free(&c->dists);
}

static void ps_remove_at(PStore *s, Py_ssize_t i)
{
    cand_free(&s->c[i]);
    memmove(&s->c[i], &s->c[i + 1], (s->n - i - 1) * sizeof(PCand));
    s->n--;
}

int ps_mid(PStore *s, long long now, int has, long long m2)
{
    if (has && ring_push(&s->mids, now, m2, 0) < 0)
        return -1;
    long long cut = now - SEC;
    while (s->mids.n && ring_at(&s->mids, 0)->t <= cut)
        ring_pop(&s->mids);
    return 0;
}

void ps_expire(PStore *s, long long horizon)
{
    for (int k = 0; k < 2; k++)
        while (s->adds[k].n && ring_at(&s->adds[k], 0)->t < horizon)
            ring_pop(&s->adds[k]);
}

/* The size at px in levels (0: none): 0 with *q set; -1 with an error set (levels not an exact
 * dict, a size not an exact int within +-2^61). */
static int level_at(PyObject *levels, long long px, long long *q)
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
    return arg_ll(v, PS_PX, q);
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
        r = level_at(s->c[i].k ? al : bl, s->c[i].px, &qs[i]) < 0 ? -1 : 0;
    long long lo = PS_T, hi = -PS_T;
    Py_ssize_t w = 0;
    for (Py_ssize_t i = 0; i < s->n; i++) {
        PCand *c = &s->c[i];
        if (r >= 0) {  /* (after an error, the rest kept as they were) */
            int nod = c->k ? nba : nbb, nt = c->k ? nta : ntb;
            long long d = c->k ? c->px - ba : bb - c->px, t = c->k ? ta : tb, half = c->k ? ha : hb;
            if (!nod && (c->dists.n == 0 || ring_at(&c->dists, c->dists.n - 1)->a != d)
                    && ring_push(&c->dists, now, d, 0) < 0)
                r = -1;
            while (c->dists.n > 1 && ring_at(&c->dists, 1)->t <= approach)
                ring_pop(&c->dists);
            while (c->sizes.n > 1 && ring_at(&c->sizes, 1)->t <= old)
                ring_pop(&c->sizes);
            if (r >= 0 && !c->pending && (nt || under_half(qs[i], t) || nod || d < 0 || d > half)) {
                cand_free(c);
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

/* -------------------------------------------------------------------------- methods */

#define METHOD(name) static PyObject *name(PStore *s, PyObject *const *a, Py_ssize_t nargs)

METHOD(m_clear)
{
    if (nargs_is(nargs, 0, "clear()") < 0)
        return NULL;
    for (Py_ssize_t i = 0; i < s->n; i++)
        cand_free(&s->c[i]);
    s->n = 0;
    ring_free(&s->mids);
    ring_free(&s->adds[0]);
    ring_free(&s->adds[1]);
    Py_RETURN_NONE;
}

METHOD(m_mid)
{
    long long now, m2 = 0;
    int none;
    if (nargs_is(nargs, 2, "mid(now, m2)") < 0 || arg_ll(a[0], PS_T, &now) < 0 || arg_opt(a[1], PS_T, &m2, &none) < 0
            || ps_mid(s, now, !none, m2) < 0)
        return NULL;
    Py_RETURN_NONE;
}

METHOD(m_mid_range)
{
    long long before, mn = 0, mx = 0;
    int any = 0;
    if (nargs_is(nargs, 1, "mid_range(before)") < 0 || arg_ll(a[0], PS_T, &before) < 0)
        return NULL;
    for (Py_ssize_t i = 0; i < s->mids.n; i++) {
        Item *x = ring_at(&s->mids, i);
        if (x->t < before) {
            if (!any || x->a < mn)
                mn = x->a;
            if (!any || x->a > mx)
                mx = x->a;
            any = 1;
        }
    }
    return from_i128((__int128)mx - mn);
}

METHOD(m_add)
{
    long long t, px, added;
    int k;
    if (nargs_is(nargs, 4, "add(side, t, px, added)") < 0 || (k = arg_side(s, a[0])) < 0 || arg_ll(a[1], PS_T, &t) < 0
            || arg_ll(a[2], PS_PX, &px) < 0 || arg_ll(a[3], PS_T, &added) < 0 || ring_push(&s->adds[k], t, px, added) < 0)
        return NULL;
    Py_RETURN_NONE;
}

METHOD(m_expire)
{
    long long horizon;
    if (nargs_is(nargs, 1, "expire(horizon)") < 0 || arg_ll(a[0], LLONG_MAX, &horizon) < 0)
        return NULL;
    ps_expire(s, horizon);
    Py_RETURN_NONE;
}

METHOD(m_moved)
{
    long long lo, hi, px, r;
    int k;
    if (nargs_is(nargs, 5, "moved(side, lo, hi, px, r)") < 0 || (k = arg_side(s, a[0])) < 0
            || arg_ll(a[1], LLONG_MAX, &lo) < 0 || arg_ll(a[2], LLONG_MAX, &hi) < 0 || arg_ll(a[3], PS_PX, &px) < 0
            || arg_ll(a[4], LLONG_MAX, &r) < 0)
        return NULL;
    __int128 sum = 0;
    for (Py_ssize_t i = 0; i < s->adds[k].n; i++) {
        Item *x = ring_at(&s->adds[k], i);
        long long d = x->a > px ? x->a - px : px - x->a;
        if (lo <= x->t && x->t <= hi && x->a != px && d <= r)
            sum += x->b;
    }
    return from_i128(sum);
}

METHOD(m_added)
{
    int k;
    if (nargs_is(nargs, 1, "added(side)") < 0 || (k = arg_side(s, a[0])) < 0)
        return NULL;
    PyObject *out = PyList_New(s->adds[k].n);
    for (Py_ssize_t i = 0; out && i < s->adds[k].n; i++) {
        Item *x = ring_at(&s->adds[k], i);
        PyObject *y = Py_BuildValue("(LLL)", x->t, x->a, x->b);
        if (y == NULL)
            Py_CLEAR(out);
        else
            PyList_SET_ITEM(out, i, y);
    }
    return out;
}

/* The candidate a[0], a[1] names (side, px): 0 with *c set (NULL: none); -1 with an error set. */
static int arg_cand(PStore *s, PyObject *const *a, PCand **c)
{
    long long px;
    int k = arg_side(s, a[0]);
    if (k < 0 || arg_ll(a[1], PS_PX, &px) < 0)
        return -1;
    *c = ps_find(s, k, px);
    return 0;
}

METHOD(m_has)
{
    PCand *c;
    if (nargs_is(nargs, 2, "has(side, px)") < 0 || arg_cand(s, a, &c) < 0)
        return NULL;
    return PyBool_FromLong(c != NULL);
}

METHOD(m_new)
{
    long long px, now, d, q, step;
    int k;
    if (nargs_is(nargs, 6, "new(side, px, now, d, q, step)") < 0 || (k = arg_side(s, a[0])) < 0
            || arg_ll(a[1], PS_PX, &px) < 0 || arg_ll(a[2], PS_T, &now) < 0 || arg_ll(a[3], PS_T, &d) < 0
            || arg_size(a[4], &q) < 0 || arg_ll(a[5], PS_T, &step) < 0)
        return NULL;
    PCand *c = ps_find(s, k, px);
    if (c == NULL) {
        if (s->n == s->cap) {
            Py_ssize_t cap = s->cap ? 2 * s->cap : 8;
            PCand *v = PyMem_Realloc(s->c, cap * sizeof(PCand));
            if (v == NULL)
                return PyErr_NoMemory();
            s->c = v;
            s->cap = cap;
        }
        c = &s->c[s->n];
        memset(c, 0, sizeof *c);
        s->n++;
    } else  /* (a dict's key assigned again: its place kept, its value new) */
        cand_free(c);
    c->px = px;
    c->k = k;
    c->first_ns = now;
    c->d0 = d;
    c->peak = q;
    c->step = step;
    c->pending = 0;
    if (ring_push(&c->sizes, now, q, 0) < 0 || ring_push(&c->dists, now, d, 0) < 0)
        return NULL;
    Py_RETURN_NONE;
}

METHOD(m_seen)
{
    PCand *c;
    long long t, q;
    if (nargs_is(nargs, 4, "seen(side, px, t, q)") < 0 || arg_cand(s, a, &c) < 0 || arg_ll(a[2], PS_T, &t) < 0
            || arg_size(a[3], &q) < 0)
        return NULL;
    if (c == NULL)
        Py_RETURN_FALSE;
    if (ps_seen(c, t, q) < 0)
        return NULL;
    Py_RETURN_TRUE;
}

METHOD(m_seen_band)
{
    long long lo, hi, now;
    int k;
    if (nargs_is(nargs, 5, "seen_band(side, lo, hi, levels, now)") < 0 || (k = arg_side(s, a[0])) < 0
            || arg_ll(a[1], LLONG_MAX, &lo) < 0 || arg_ll(a[2], LLONG_MAX, &hi) < 0 || arg_ll(a[4], PS_T, &now) < 0)
        return NULL;
    long long stack[32], *qs = stack;
    if (s->n > 32 && (qs = PyMem_Malloc(s->n * sizeof(long long))) == NULL)
        return PyErr_NoMemory();
    int r = 0;
    for (Py_ssize_t i = 0; i < s->n && r >= 0; i++) {  /* read and checked first */
        PCand *c = &s->c[i];
        qs[i] = -1;
        if (c->k == k && lo <= c->px && c->px <= hi) {
            int got = level_at(a[3], c->px, &qs[i]);
            if (got == 0 && qs[i] < 0) {
                PyErr_SetString(PyExc_ValueError, "PullStore takes no negative size");
                got = -1;
            }
            r = got < 0 ? -1 : 0;
            if (got == 1)
                qs[i] = -1;  /* (none there) */
        }
    }
    for (Py_ssize_t i = 0; i < s->n && r >= 0; i++)
        if (qs[i] >= 0)
            r = ps_seen(&s->c[i], now, qs[i]);
    if (qs != stack)
        PyMem_Free(qs);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

METHOD(m_hits)
{
    long long t, px, q;
    int k;
    if (nargs_is(nargs, 3, "hits(band, t, side)") < 0 || (k = arg_side(s, a[2])) < 0 || arg_ll(a[1], PS_T, &t) < 0)
        return NULL;
    PyObject *band = a[0];
    if (!PyList_CheckExact(band)) {
        PyErr_SetString(PyExc_TypeError, "PullStore.hits reads a list of (px, q)");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    for (Py_ssize_t i = 0; out && i < PyList_GET_SIZE(band); i++) {
        PyObject *lv = PyList_GET_ITEM(band, i);
        if (!PyTuple_CheckExact(lv) || PyTuple_GET_SIZE(lv) != 2) {
            PyErr_SetString(PyExc_TypeError, "PullStore.hits reads a list of (px, q)");
            Py_CLEAR(out);
        } else if (arg_ll(PyTuple_GET_ITEM(lv, 0), PS_PX, &px) < 0 || arg_ll(PyTuple_GET_ITEM(lv, 1), PS_T, &q) < 0)
            Py_CLEAR(out);
        else if ((q >= t || ps_find(s, k, px) != NULL) && PyList_Append(out, lv) < 0)
            Py_CLEAR(out);
    }
    return out;
}

METHOD(m_facts)
{
    PCand *c;
    long long now;
    if (nargs_is(nargs, 3, "facts(side, px, now)") < 0 || arg_cand(s, a, &c) < 0 || arg_ll(a[2], PS_T, &now) < 0)
        return NULL;
    if (c == NULL)
        Py_RETURN_NONE;
    if (c->sizes.n == 0 || c->dists.n == 0) {
        PyErr_SetString(PyExc_ValueError, "PullStore: a candidate without sizes or distances");
        return NULL;
    }
    long long ref = ring_at(&c->sizes, 0)->a, far = ring_at(&c->dists, 0)->a, ago = far, cut = now - SEC;
    for (Py_ssize_t i = 1; i < c->sizes.n; i++)
        if (ring_at(&c->sizes, i)->a > ref)
            ref = ring_at(&c->sizes, i)->a;
    int open = 1;
    for (Py_ssize_t i = 0; i < c->dists.n; i++) {
        Item *x = ring_at(&c->dists, i);
        if (x->t > cut)
            open = 0;
        if (open)
            ago = x->a;
        if (x->a > far)
            far = x->a;
    }
    return Py_BuildValue("(OLLLLLLL)", c->pending ? Py_True : Py_False, ref, ring_at(&c->dists, c->dists.n - 1)->a,
                         ago, far, c->d0, c->first_ns, c->step);
}

METHOD(m_mark)
{
    PCand *c;
    if (nargs_is(nargs, 2, "mark(side, px)") < 0 || arg_cand(s, a, &c) < 0)
        return NULL;
    if (c == NULL) {
        PyObject *key = PyTuple_Pack(2, a[0], a[1]);
        if (key != NULL)
            PyErr_SetObject(PyExc_KeyError, key);
        Py_XDECREF(key);
        return NULL;
    }
    c->pending = 1;
    Py_RETURN_NONE;
}

METHOD(m_remove)
{
    PCand *c;
    if (nargs_is(nargs, 2, "remove(side, px)") < 0 || arg_cand(s, a, &c) < 0)
        return NULL;
    if (c != NULL)
        ps_remove_at(s, c - s->c);
    Py_RETURN_NONE;
}

METHOD(m_sweep)
{
    long long bb = 0, ba = 0, tb = 0, ta = 0, hb, ha, now, approach, old, lo, hi;
    int nbb, nba, ntb, nta;
    if (nargs_is(nargs, 11, "sweep(bb, ba, tb, ta, hb, ha, bl, al, now, approach, old)") < 0
            || arg_opt(a[0], PS_PX, &bb, &nbb) < 0 || arg_opt(a[1], PS_PX, &ba, &nba) < 0
            || arg_opt(a[2], PS_T, &tb, &ntb) < 0 || arg_opt(a[3], PS_T, &ta, &nta) < 0 || arg_ll(a[4], PS_T, &hb) < 0
            || arg_ll(a[5], PS_T, &ha) < 0 || arg_ll(a[8], PS_T, &now) < 0 || arg_ll(a[9], LLONG_MAX, &approach) < 0
            || arg_ll(a[10], LLONG_MAX, &old) < 0)
        return NULL;
    if (ps_sweep(s, nbb, bb, nba, ba, ntb, tb, nta, ta, hb, ha, a[6], a[7], now, approach, old, &lo, &hi) < 0)
        return NULL;
    return Py_BuildValue("(LL)", lo, hi);
}

static PyObject *pairs(const Ring *r)
{
    PyObject *out = PyList_New(r->n);
    for (Py_ssize_t i = 0; out && i < r->n; i++) {
        Item *x = ring_at(r, i);
        PyObject *y = Py_BuildValue("(LL)", x->t, x->a);
        if (y == NULL)
            Py_CLEAR(out);
        else
            PyList_SET_ITEM(out, i, y);
    }
    return out;
}

METHOD(m_state)
{
    if (nargs_is(nargs, 0, "state()") < 0)
        return NULL;
    PyObject *cands = PyDict_New(), *mids = NULL, *adds = NULL, *a0 = NULL, *a1 = NULL, *res = NULL;
    for (Py_ssize_t i = 0; cands && i < s->n; i++) {
        PCand *c = &s->c[i];
        PyObject *sz = pairs(&c->sizes), *ds = sz ? pairs(&c->dists) : NULL;
        PyObject *v = ds ? Py_BuildValue("(LLLOOOL)", c->first_ns, c->d0, c->peak, sz, ds,
                                         c->pending ? Py_True : Py_False, c->step) : NULL;
        PyObject *k = v ? Py_BuildValue("(OL)", s->side[c->k], c->px) : NULL;
        if (k == NULL || PyDict_SetItem(cands, k, v) < 0)
            Py_CLEAR(cands);
        Py_XDECREF(sz);
        Py_XDECREF(ds);
        Py_XDECREF(v);
        Py_XDECREF(k);
    }
    if (cands && (mids = pairs(&s->mids)) != NULL && (a0 = m_added(s, &s->side[0], 1)) != NULL
            && (a1 = m_added(s, &s->side[1], 1)) != NULL && (adds = PyDict_New()) != NULL
            && PyDict_SetItem(adds, s->side[0], a0) == 0 && PyDict_SetItem(adds, s->side[1], a1) == 0)
        res = PyTuple_Pack(3, cands, mids, adds);
    Py_XDECREF(cands);
    Py_XDECREF(mids);
    Py_XDECREF(adds);
    Py_XDECREF(a0);
    Py_XDECREF(a1);
    return res;
}

#define M(name, f) {name, (PyCFunction)(void (*)(void))f, METH_FASTCALL, NULL}
static PyMethodDef methods[] = {
    M("clear", m_clear), M("mid", m_mid), M("mid_range", m_mid_range), M("add", m_add), M("expire", m_expire),
    M("moved", m_moved), M("added", m_added), M("has", m_has), M("new", m_new), M("seen", m_seen),
    M("seen_band", m_seen_band), M("hits", m_hits), M("facts", m_facts), M("mark", m_mark), M("remove", m_remove),
    M("sweep", m_sweep), M("state", m_state), {NULL, NULL, 0, NULL}};

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
        cand_free(&s->c[i]);
    PyMem_Free(s->c);
    ring_free(&s->mids);
    ring_free(&s->adds[0]);
    ring_free(&s->adds[1]);
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
    .tp_methods = methods,
    .tp_as_sequence = &as_seq,
};
