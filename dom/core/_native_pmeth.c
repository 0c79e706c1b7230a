/* dom.core._native.PullStore's methods (the type and what _native_pulls.c uses of it are in
 * _native_pstore.c): spoof_store.PullState's, each documented there, with the same results. */
#include "_native_pstore.h"

#define SEC 1000000000LL

#define METHOD(name) static PyObject *name(PStore *s, PyObject *const *a, Py_ssize_t nargs)

METHOD(m_clear)
{
    if (ps_nargs(nargs, 0, "clear()") < 0)
        return NULL;
    for (Py_ssize_t i = 0; i < s->n; i++)
        ps_cand_free(&s->c[i]);
    s->n = 0;
    ps_ring_free(&s->mids);
    ps_ring_free(&s->adds[0]);
    ps_ring_free(&s->adds[1]);
    Py_RETURN_NONE;
}

METHOD(m_mid)
{
    long long now, m2 = 0;
    int none;
    if (ps_nargs(nargs, 2, "mid(now, m2)") < 0 || ps_arg_ll(a[0], PS_T, &now) < 0 || ps_arg_opt(a[1], PS_T, &m2, &none) < 0
            || ps_mid(s, now, !none, m2) < 0)
        return NULL;
    Py_RETURN_NONE;
}

METHOD(m_mid_range)
{
    long long before;
    if (ps_nargs(nargs, 1, "mid_range(before)") < 0 || ps_arg_ll(a[0], PS_T, &before) < 0)
        return NULL;
    return pjd_mid_range(s, before);
}

METHOD(m_add)
{
    long long t, px, added;
    int k;
    if (ps_nargs(nargs, 4, "add(side, t, px, added)") < 0 || (k = ps_arg_side(s, a[0])) < 0 || ps_arg_ll(a[1], PS_T, &t) < 0
            || ps_arg_ll(a[2], PS_PX, &px) < 0 || ps_arg_ll(a[3], PS_T, &added) < 0 || ps_ring_push(&s->adds[k], t, px, added) < 0)
        return NULL;
    Py_RETURN_NONE;
}

METHOD(m_expire)
{
    long long horizon;
    if (ps_nargs(nargs, 1, "expire(horizon)") < 0 || ps_arg_ll(a[0], LLONG_MAX, &horizon) < 0)
        return NULL;
    ps_expire(s, horizon);
    Py_RETURN_NONE;
}

METHOD(m_moved)
{
    long long lo, hi, px, r;
    int k;
    if (ps_nargs(nargs, 5, "moved(side, lo, hi, px, r)") < 0 || (k = ps_arg_side(s, a[0])) < 0
            || ps_arg_ll(a[1], LLONG_MAX, &lo) < 0 || ps_arg_ll(a[2], LLONG_MAX, &hi) < 0 || ps_arg_ll(a[3], PS_PX, &px) < 0
            || ps_arg_ll(a[4], LLONG_MAX, &r) < 0)
        return NULL;
    __int128 sum = 0;
    for (Py_ssize_t i = 0; i < s->adds[k].n; i++) {
        Item *x = ps_ring_at(&s->adds[k], i);
        long long d = x->a > px ? x->a - px : px - x->a;
        if (lo <= x->t && x->t <= hi && x->a != px && d <= r)
            sum += x->b;
    }
    return ps_from_i128(sum);
}

METHOD(m_added)
{
    int k;
    if (ps_nargs(nargs, 1, "added(side)") < 0 || (k = ps_arg_side(s, a[0])) < 0)
        return NULL;
    PyObject *out = PyList_New(s->adds[k].n);
    for (Py_ssize_t i = 0; out && i < s->adds[k].n; i++) {
        Item *x = ps_ring_at(&s->adds[k], i);
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
    int k = ps_arg_side(s, a[0]);
    if (k < 0 || ps_arg_ll(a[1], PS_PX, &px) < 0)
        return -1;
    *c = ps_find(s, k, px);
    return 0;
}

METHOD(m_has)
{
    PCand *c;
    if (ps_nargs(nargs, 2, "has(side, px)") < 0 || arg_cand(s, a, &c) < 0)
        return NULL;
    return PyBool_FromLong(c != NULL);
}

/* new(side, px, now, d, q, step) once its arguments are read (k the side's place): 0, -1 with an
 * error set. pulls_delta's own _level calls it too. */
int ps_new_cand(PStore *s, int k, long long px, long long now, long long d, long long q, long long step)
{
    PCand *c = ps_find(s, k, px);
    if (c == NULL) {
        if (s->n == s->cap) {
            Py_ssize_t cap = s->cap ? 2 * s->cap : 8;
            PCand *v = PyMem_Realloc(s->c, cap * sizeof(PCand));
            if (v == NULL)
                return PyErr_NoMemory(), -1;
            s->c = v;
            s->cap = cap;
        }
        c = &s->c[s->n];
        memset(c, 0, sizeof *c);
        s->n++;
    } else  /* (a dict's key assigned again: its place kept, its value new) */
        ps_cand_free(c);
    c->px = px;
    c->k = k;
    c->first_ns = now;
    c->d0 = d;
    c->peak = q;
    c->step = step;
    c->pending = 0;
    if (ps_ring_push(&c->sizes, now, q, 0) < 0 || ps_ring_push(&c->dists, now, d, 0) < 0)
        return -1;
    return 0;
}

METHOD(m_new)
{
    long long px, now, d, q, step;
    int k;
    if (ps_nargs(nargs, 6, "new(side, px, now, d, q, step)") < 0 || (k = ps_arg_side(s, a[0])) < 0
            || ps_arg_ll(a[1], PS_PX, &px) < 0 || ps_arg_ll(a[2], PS_T, &now) < 0 || ps_arg_ll(a[3], PS_T, &d) < 0
            || ps_arg_size(a[4], &q) < 0 || ps_arg_ll(a[5], PS_T, &step) < 0 || ps_new_cand(s, k, px, now, d, q, step) < 0)
        return NULL;
    Py_RETURN_NONE;
}

METHOD(m_seen)
{
    PCand *c;
    long long t, q;
    if (ps_nargs(nargs, 4, "seen(side, px, t, q)") < 0 || arg_cand(s, a, &c) < 0 || ps_arg_ll(a[2], PS_T, &t) < 0
            || ps_arg_size(a[3], &q) < 0)
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
    if (ps_nargs(nargs, 5, "seen_band(side, lo, hi, levels, now)") < 0 || (k = ps_arg_side(s, a[0])) < 0
            || ps_arg_ll(a[1], LLONG_MAX, &lo) < 0 || ps_arg_ll(a[2], LLONG_MAX, &hi) < 0 || ps_arg_ll(a[4], PS_T, &now) < 0)
        return NULL;
    long long stack[32], *qs = stack;
    if (s->n > 32 && (qs = PyMem_Malloc(s->n * sizeof(long long))) == NULL)
        return PyErr_NoMemory();
    int r = 0;
    for (Py_ssize_t i = 0; i < s->n && r >= 0; i++) {  /* read and checked first */
        PCand *c = &s->c[i];
        qs[i] = -1;
        if (c->k == k && lo <= c->px && c->px <= hi) {
            int got = ps_cand_level(c, a[3], &qs[i]);
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
    if (ps_nargs(nargs, 3, "hits(band, t, side)") < 0 || (k = ps_arg_side(s, a[2])) < 0 || ps_arg_ll(a[1], PS_T, &t) < 0)
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
        } else if (ps_arg_ll(PyTuple_GET_ITEM(lv, 0), PS_PX, &px) < 0 || ps_arg_ll(PyTuple_GET_ITEM(lv, 1), PS_T, &q) < 0)
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
    if (ps_nargs(nargs, 3, "facts(side, px, now)") < 0 || arg_cand(s, a, &c) < 0 || ps_arg_ll(a[2], PS_T, &now) < 0)
        return NULL;
    if (c == NULL)
        Py_RETURN_NONE;
    if (c->sizes.n == 0 || c->dists.n == 0) {
        PyErr_SetString(PyExc_ValueError, "PullStore: a candidate without sizes or distances");
        return NULL;
    }
    long long ref = ps_ring_at(&c->sizes, 0)->a, ago, far;
    for (Py_ssize_t i = 1; i < c->sizes.n; i++)
        if (ps_ring_at(&c->sizes, i)->a > ref)
            ref = ps_ring_at(&c->sizes, i)->a;
    pjd_dists_back(c, now - SEC, &ago, &far);
    return Py_BuildValue("(OLLLLLLL)", c->pending ? Py_True : Py_False, ref, ps_ring_at(&c->dists, c->dists.n - 1)->a,
                         ago, far, c->d0, c->first_ns, c->step);
}

METHOD(m_mark)
{
    PCand *c;
    if (ps_nargs(nargs, 2, "mark(side, px)") < 0 || arg_cand(s, a, &c) < 0)
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
    if (ps_nargs(nargs, 2, "remove(side, px)") < 0 || arg_cand(s, a, &c) < 0)
        return NULL;
    if (c != NULL)
        ps_remove_at(s, c - s->c);
    Py_RETURN_NONE;
}

METHOD(m_sweep)
{
    long long bb = 0, ba = 0, tb = 0, ta = 0, hb, ha, now, approach, old, lo, hi;
    int nbb, nba, ntb, nta;
    if (ps_nargs(nargs, 11, "sweep(bb, ba, tb, ta, hb, ha, bl, al, now, approach, old)") < 0
            || ps_arg_opt(a[0], PS_PX, &bb, &nbb) < 0 || ps_arg_opt(a[1], PS_PX, &ba, &nba) < 0
            || ps_arg_opt(a[2], PS_T, &tb, &ntb) < 0 || ps_arg_opt(a[3], PS_T, &ta, &nta) < 0 || ps_arg_ll(a[4], PS_T, &hb) < 0
            || ps_arg_ll(a[5], PS_T, &ha) < 0 || ps_arg_ll(a[8], PS_T, &now) < 0 || ps_arg_ll(a[9], LLONG_MAX, &approach) < 0
            || ps_arg_ll(a[10], LLONG_MAX, &old) < 0)
        return NULL;
    if (ps_sweep(s, nbb, bb, nba, ba, ntb, tb, nta, ta, hb, ha, a[6], a[7], now, approach, old, &lo, &hi) < 0)
        return NULL;
    return Py_BuildValue("(LL)", lo, hi);
}

static PyObject *pairs(const Ring *r)
{
    PyObject *out = PyList_New(r->n);
    for (Py_ssize_t i = 0; out && i < r->n; i++) {
        Item *x = ps_ring_at(r, i);
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
    if (ps_nargs(nargs, 0, "state()") < 0)
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
PyMethodDef ps_methods[] = {
    M("clear", m_clear), M("mid", m_mid), M("mid_range", m_mid_range), M("add", m_add), M("expire", m_expire),
    M("moved", m_moved), M("added", m_added), M("has", m_has), M("new", m_new), M("seen", m_seen),
    M("seen_band", m_seen_band), M("hits", m_hits), M("facts", m_facts), M("mark", m_mark), M("remove", m_remove),
    M("sweep", m_sweep), M("state", m_state), {NULL, NULL, 0, NULL}};

