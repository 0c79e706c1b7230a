/* dom.core._native: the events of the usual Binance frame the one-pass reader read (dcd_frame;
 * the reading itself, dcd_read, in _native_dcd.c): the very events frm_pairs_at and
 * bk_depth_pairs build for it, or 0 (declined) where they would decline or raise. */
#include "_native_dcd.h"

/* The rows read as levels() gives them: a tuple of (price, size) pairs, both untracked as
 * bk_levels leaves them. */
static PyObject *dcd_levels(const long long *buf, Py_ssize_t n)
{
    PyObject *out = PyTuple_New(n);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (bk_set_pair(out, i, buf[2 * i], buf[2 * i + 1]) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    PyObject_GC_UnTrack(out);
    return out;
}


/* A string value's decimal, plain and on its steps (steps_at: 1 to 40 characters), or 0. */
static inline int dcd_steps(const dcd_Val *x, long long mant, int scale, long long *out)
{
    if (x->kind == 5) {  /* (read on these very steps as it came) */
        *out = x->v;
        return 1;
    }
    const char *p = x->s;
    return x->kind == 0 && x->len > 0 && x->len <= 40 && dcd_decimal(&p, x->s + x->len, mant, scale, out)
           && p == x->s + x->len;
}

/* An id field as jsn_int takes it: in [lo, hi), or missing with dflt >= lo. */
static inline int dcd_id(const dcd_Val *vals, unsigned seen, int k, long long lo, long long hi, long long dflt,
                         long long *v)
{
    if (!(seen >> k & 1)) {
        *v = dflt;
        return dflt >= lo;
    }
    if (vals[k].kind != 1 || vals[k].v < lo || vals[k].v >= hi)
        return 0;
    *v = vals[k].v;
    return 1;
}

static inline int dcd_is(const dcd_Val *x, const char *text, Py_ssize_t len)
{
    return (x->kind == 0 || x->kind == 5) && x->len == len && memcmp(x->s, text, (size_t)len) == 0;
}

/* [obj] with obj = cls(*vals) as build() makes it; NULL with an error set. */
static PyObject *dcd_one(PyObject *cls, PyObject *members, PyObject *const *vals, Py_ssize_t n)
{
    PyObject *ev = build(cls, members, vals, n), *out = ev == NULL ? NULL : PyList_New(1);
    if (out == NULL) {
        Py_XDECREF(ev);
        return NULL;
    }
    PyList_SET_ITEM(out, 0, ev);
    return out;
}

/* n new ints of v[0..n) into o (all or none): 1, or -1 with an error set. */
static int dcd_ints(PyObject **o, const long long *v, int n)
{
    for (int i = 0; i < n; i++)
        if ((o[i] = PyLong_FromLongLong(v[i])) == NULL) {
            while (i-- > 0)
                Py_DECREF(o[i]);
            return -1;
        }
    return 1;
}

static void dcd_drop(PyObject **o, int n)
{
    for (int i = 0; i < n; i++)
        Py_DECREF(o[i]);
}


int dcd_frame(dcd_Ctx *c, const char *p, const char *end, PyObject *recv, PyObject **out)
{
    dcd_Val vals[K_N];
    long long rows[2][2 * DCD_ROWS];
    Py_ssize_t nrows[2] = {0, 0};
    unsigned seen = 0;
    PyObject *entry = NULL;
    *out = NULL;
    int r = dcd_read(c, p, end, DCD_DECODE, vals, &seen, rows, nrows, &entry);
    if (r <= 0)
        return r;
    int rowed = ((seen >> K_b & 1) && vals[K_b].kind == 4) || ((seen >> K_a & 1) && vals[K_a].kind == 4);
    if (!(seen >> K_e & 1) || !(seen >> K_s & 1) || vals[K_s].kind != 0)
        return 0;
    /* The event: frm_pairs_at's kinds (no rows in them) or bk_depth_pairs' depthUpdate. */
    const dcd_Val *e = &vals[K_e];
    int kind;
    if (dcd_is(e, "bookTicker", 10))
        kind = 0;
    else if (dcd_is(e, "aggTrade", 8))
        kind = 1;
    else if (dcd_is(e, "trade", 5))
        kind = PyTuple_GET_ITEM(c->kinds, 6) == Py_True ? 2 : -1;
    else if (dcd_is(e, "depthUpdate", 11))
        kind = 3;
    else
        kind = -1;
    if (kind < 0 || (kind < 3 && rowed))
        return 0;
    if (entry == NULL) {
        int r = dcd_entry(c, vals[K_s].s, vals[K_s].len, &entry);
        if (r <= 0)
            return r;
    }
    PyObject *symbol = PyTuple_GET_ITEM(entry, 1), *o[4];
    long long n[4], t;
    if (kind == 0) {
        if (!dcd_id(vals, seen, K_u, 0, MAX_ID, -1, &n[0]) || !dcd_id(vals, seen, K_T, 1, MAX_MS, -1, &t))
            return 0;
        long long v[4];
        static const int keys[4] = {K_b, K_B, K_a, K_A};
        for (int i = 0; i < 4; i++)
            if (!(seen >> keys[i] & 1)
                    || !dcd_steps(&vals[keys[i]], i & 1 ? c->qm : c->pm, i & 1 ? c->qs : c->ps, &v[i]))
                return 0;
        n[1] = t * 1000000LL;
        PyObject *w[4];
        if (dcd_ints(o, n, 2) < 0)
            return -1;
        if (dcd_ints(w, v, 4) < 0) {
            dcd_drop(o, 2);
            return -1;
        }
        PyObject *args[8] = {symbol, o[0], w[0], w[1], w[2], w[3], o[1], recv};
        *out = dcd_one(PyTuple_GET_ITEM(c->kinds, 0), PyTuple_GET_ITEM(c->kinds, 1), args, 8);
        dcd_drop(o, 2);
        dcd_drop(w, 4);
        return *out == NULL ? -1 : 1;
    }
    if (kind == 3) {
        long long first, last, prev;
        if (!(seen >> K_b & 1) || vals[K_b].kind != 4 || !(seen >> K_a & 1) || vals[K_a].kind != 4
                || !dcd_id(vals, seen, K_U, 0, MAX_ID, -1, &first) || !dcd_id(vals, seen, K_u, 0, MAX_ID, -1, &last)
                || !dcd_id(vals, seen, K_pu, -1, MAX_ID, -1, &prev) || !dcd_id(vals, seen, K_T, 1, MAX_MS, -1, &t)
                || first > last)
            return 0;
        n[0] = first;
        n[1] = last;
        n[2] = prev;
        n[3] = t * 1000000LL;
        PyObject *bids = dcd_levels(rows[0], nrows[0]), *asks = bids == NULL ? NULL : dcd_levels(rows[1], nrows[1]);
        if (asks == NULL || dcd_ints(o, n, 4) < 0) {
            Py_XDECREF(bids);
            Py_XDECREF(asks);
            return -1;
        }
        PyObject *args[9] = {symbol, bids, asks, o[0], o[1], o[2], o[3], recv, Py_None};
        *out = dcd_one(PyTuple_GET_ITEM(c->depth, 0), PyTuple_GET_ITEM(c->depth, 1), args, 9);
        dcd_drop(o, 4);
        Py_DECREF(bids);
        Py_DECREF(asks);
        return *out == NULL ? -1 : 1;
    }
    /* a trade: m a bool; the ids; _ms(m, "T", "E"); q and p plain, on their steps, positive */
    const dcd_Val *bm = &vals[K_m];
    if (!(seen >> K_m & 1) || bm->kind < 2)
        return 0;
    if (kind == 1) {
        if (!dcd_id(vals, seen, K_a, 0, MAX_ID, -1, &n[0]) || !dcd_id(vals, seen, K_f, -1, MAX_ID, -1, &n[2])
                || !dcd_id(vals, seen, K_l, -1, MAX_ID, -1, &n[3]))
            return 0;
    } else {
        if (!dcd_id(vals, seen, K_t, 0, MAX_ID, -1, &n[0]))
            return 0;
        n[2] = n[3] = n[0];
    }
    n[1] = 0;
    static const int tk[2] = {K_T, K_E};
    for (int i = 0; i < 2; i++) {
        const dcd_Val *x = &vals[tk[i]];
        if (!(seen >> tk[i] & 1) || (x->kind == 1 && x->v == 0))
            continue;
        if (x->kind != 1 || x->v < 0 || x->v >= MAX_MS)
            return 0;
        n[1] = x->v * 1000000LL;
        break;
    }
    long long v[2];
    if (!(seen >> K_q & 1) || !dcd_steps(&vals[K_q], c->qm, c->qs, &v[0]) || !(seen >> K_p & 1)
            || !dcd_steps(&vals[K_p], c->pm, c->ps, &v[1]) || v[0] <= 0 || v[1] <= 0)
        return 0;
    PyObject *w[2];
    if (dcd_ints(o, n, 4) < 0)
        return -1;
    if (dcd_ints(w, v, 2) < 0) {
        dcd_drop(o, 4);
        return -1;
    }
    PyObject *args[9] = {symbol, w[1], w[0], PyTuple_GET_ITEM(c->kinds, bm->kind == 2 ? 4 : 5), o[0], o[1], recv,
                         o[2], o[3]};
    *out = dcd_one(PyTuple_GET_ITEM(c->kinds, 2), PyTuple_GET_ITEM(c->kinds, 3), args, 9);
    dcd_drop(o, 4);
    dcd_drop(w, 2);
    return *out == NULL ? -1 : 1;
}
