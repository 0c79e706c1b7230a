/* dom.core._native: the book's hot loops: apply(), apply_book() and top() over a side's dict and
 * flat index. */
#include "_native.h"

/* A side of at least this many levels goes to the sorted batch's walk (_native_dsp.c); fewer
 * cost less one by one (the built-in market's ~5 a side: benchmarks/book.py's synthetic stream
 * 3.80-3.91x ccxt.pro with every batch of 2 or more there, 3.95-4.16x from 8 on; a real
 * BTCUSDT message's ~34 a side take the walk either way). */
#define DSP_MIN 8

/* An int's value when it fits in a long long (1), else 0 (not an int, or past a long long: the
 * caller compares the objects). CPython 3.11's one- and two-digit ints (every price, size and
 * index key of a book) are read from their digits without a call. */
static inline int ll_of(PyObject *o, long long *v)
{
    if (!PyLong_Check(o))
        return 0;
    if (int_digits(o, v))
        return 1;
    int of;
    *v = PyLong_AsLongLongAndOverflow(o, &of);
    return !of;
}

/* a < b for two ints (kv: b's value when kfast; b NULL: an int of value kv, made here if a cannot be
 * read as a C number). 1, 0, or -1 on error. */
static inline int int_lt(PyObject *a, PyObject *b, long long kv, int kfast)
{
    long long av;
    if (kfast && ll_of(a, &av))
        return av < kv;
    if (b != NULL)
        return PyObject_RichCompareBool(a, b, Py_LT);
    PyObject *k = PyLong_FromLongLong(kv);
    int lt = k == NULL ? -1 : PyObject_RichCompareBool(a, k, Py_LT);
    Py_XDECREF(k);
    return lt;
}

/* bisect_left(flat[:hi], key), galloping down from hi (every key from hi on is known >= key): the
 * keys that change most sit near the best price, the end of the list, and a sorted batch's keys
 * are searched from the largest down, each from where the last one was found, so a search mostly
 * costs a few comparisons. key NULL: kfast is set and kv is the key. -1 with an error set. */
Py_ssize_t bk_bisect_down(PyObject *flat, Py_ssize_t hi, PyObject *key, long long kv, int kfast)
{
    Py_ssize_t top = hi, lo = 0;
    for (Py_ssize_t step = 1; step <= top; step *= 2) {
        int lt = int_lt(PyList_GET_ITEM(flat, top - step), key, kv, kfast);
        if (lt < 0)
            return -1;
        if (lt) {
            lo = top - step + 1;
            break;
        }
        hi = top - step;
    }
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        int lt = int_lt(PyList_GET_ITEM(flat, mid), key, kv, kfast);
        if (lt < 0)
            return -1;
        if (lt)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* PyList_Insert(list, at, v) for 0 <= at <= len(list), its items moved by one memmove (CPython
 * 3.11's PyList_Insert moves them one at a time: most of the book's cost of a new level deep in
 * a side). v is appended (a new reference, the list grown as append grows it), then put at ``at``. */
static int rpl_insert(PyObject *list, Py_ssize_t at, PyObject *v)
{
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (at < 0 || at > n) {
        PyErr_SetString(PyExc_IndexError, "insert position out of range");
        return -1;
    }
    if (PyList_Append(list, v) < 0)
        return -1;
    PyObject **items = ((PyListObject *)list)->ob_item;
    memmove(&items[at + 1], &items[at], (size_t)(n - at) * sizeof(PyObject *));
    items[at] = v;  /* (the reference the append took) */
    return 0;
}

/* del list[at] for 0 <= at < len(list): the items after it moved by one memmove (PyList_SetSlice
 * goes through its general slice assignment for it); the list keeps its room. */
static int bk_list_del(PyObject *list, Py_ssize_t at)
{
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (at < 0 || at >= n) {
        PyErr_SetString(PyExc_IndexError, "delete position out of range");
        return -1;
    }
    PyObject **items = ((PyListObject *)list)->ob_item, *gone = items[at];
    memmove(&items[at], &items[at + 1], (size_t)(n - 1 - at) * sizeof(PyObject *));
    Py_SET_SIZE(list, n - 1);
    Py_DECREF(gone);
    return 0;
}

/* (a, b) for two ints, untracked by the cyclic GC as CPython itself would untrack it at its next
 * collection (a tuple of atoms cannot be part of a cycle): fewer tracked objects per message,
 * fewer collections. */
static PyObject *pair_of(PyObject *a, PyObject *b)
{
    PyObject *t = PyTuple_Pack(2, a, b);
    if (t != NULL)
        PyObject_GC_UnTrack(t);
    return t;
}

/* The live top-N list after the flat index changed at its position ``at``. kind 1: a level
 * inserted (flat now has m keys); kind 0: a size changed; kind -1: a level deleted (flat now has
 * m keys, it was at ``at`` before). Keeps live == [(r*k, d[r*k]) for k in flat[:-n - 1:-1]]. */
static int live_update(PyObject *live, Py_ssize_t n, int kind, Py_ssize_t at, PyObject *flat, PyObject *d,
                       long r, PyObject *px, PyObject *qty)
{
    Py_ssize_t m = PyList_GET_SIZE(flat);
    if (kind >= 0) {
        Py_ssize_t rank = m - 1 - at;
        if (rank >= n)
            return 0;
        PyObject *t = pair_of(px, qty);
        if (t == NULL)
            return -1;
        if (kind == 0)
            return PyList_SetItem(live, rank, t);  /* steals t */
        int rc = rpl_insert(live, rank, t);
        Py_DECREF(t);
        if (rc == 0 && PyList_GET_SIZE(live) > n)
            rc = PyList_SetSlice(live, n, PyList_GET_SIZE(live), NULL);
        return rc;
    }
    Py_ssize_t rank = m - at;
    if (rank >= PyList_GET_SIZE(live))
        return 0;
    if (PyList_SetSlice(live, rank, rank + 1, NULL) < 0)
        return -1;
    if (m < n)
        return 0;
    PyObject *k = PyList_GET_ITEM(flat, m - n);
    PyObject *p = r > 0 ? (Py_INCREF(k), k) : PyNumber_Negative(k);
    if (p == NULL)
        return -1;
    PyObject *q = PyDict_GetItemWithError(d, p);
    if (q == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetObject(PyExc_KeyError, p);
        Py_DECREF(p);
        return -1;
    }
    PyObject *t = pair_of(p, q);
    Py_DECREF(p);
    if (t == NULL)
        return -1;
    int rc = PyList_Append(live, t);
    Py_DECREF(t);
    return rc;
}

/* Is px one of live's levels' prices or better than its last (a size change to look up)? */
static int in_live(PyObject *live, Py_ssize_t n, long r, PyObject *px)
{
    Py_ssize_t k = PyList_GET_SIZE(live);
    if (k < n)
        return 1;  /* every level of the side is in it */
    PyObject *edge = PyTuple_GET_ITEM(PyList_GET_ITEM(live, k - 1), 0);
    long long pv, ev;
    if (ll_of(px, &pv) && ll_of(edge, &ev))
        return r > 0 ? pv >= ev : pv <= ev;
    return PyObject_RichCompareBool(px, edge, r > 0 ? Py_GE : Py_LE);
}

/* Is every level an exact (int, int) tuple? Anything else goes the Python way (which takes any
 * two-item row), checked before anything is applied. */
static int levels_ok(PyObject *levels)
{
    if (!PyTuple_CheckExact(levels))
        return 0;
    for (Py_ssize_t i = 0, n = PyTuple_GET_SIZE(levels); i < n; i++) {
        PyObject *lv = PyTuple_GET_ITEM(levels, i);
        if (!PyTuple_CheckExact(lv) || PyTuple_GET_SIZE(lv) != 2 || !PyLong_CheckExact(PyTuple_GET_ITEM(lv, 0))
                || !PyLong_CheckExact(PyTuple_GET_ITEM(lv, 1)))
            return 0;
    }
    return 1;
}

/* apply() on one side, its levels already checked by levels_ok; the other args are checked here.
 * New reference: the best key or None. */
static PyObject *apply_side(PyObject *d, PyObject *flat, PyObject *r_obj, PyObject *levels, PyObject *changes,
                            PyObject *side, PyObject *live, PyObject *n_obj)
{
    if (!PyDict_CheckExact(d) || !PyList_CheckExact(flat) || !PyLong_CheckExact(r_obj) || !PyTuple_CheckExact(levels)
            || (changes != Py_None && !PyList_CheckExact(changes)) || (live != Py_None && !PyList_CheckExact(live))
            || !PyLong_CheckExact(n_obj)) {
        PyErr_SetString(PyExc_TypeError, "apply(d: dict, flat: list, r: int, levels: tuple, changes: list | None, side, "
                                         "live: list | None, n: int)");
        return NULL;
    }
    long r = PyLong_AsLong(r_obj);
    Py_ssize_t live_n = PyLong_AsSsize_t(n_obj);
    if (r != 1 && r != -1) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "r must be 1 or -1");
        return NULL;
    }
    if (live_n < 0 || PyErr_Occurred()) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "n must be >= 0");
        return NULL;
    }
    if (live != Py_None && PyList_GET_SIZE(live) > live_n) {
        PyErr_SetString(PyExc_ValueError, "live holds more than n levels");
        return NULL;
    }
    if (live_n == 0)
        live = Py_None;
    Py_ssize_t n = PyTuple_GET_SIZE(levels);
    if (n >= DSP_MIN) {  /* a sorted batch, as venues send them: in one merge (_native_dsp.c) */
        PyObject *sorted_best = NULL;
        int done = dsp_apply_sorted(d, flat, r, levels, changes, side, live, live_n, &sorted_best);
        if (done != 0)
            return done < 0 ? NULL : sorted_best;
    }
    /* The batch's best key: best_kv (of best_px, borrowed) while every key is a C number, the int
     * best once one is not (a px past +-2^62: no book's, but an int all the same). */
    PyObject *best = NULL, *best_px = NULL;
    long long best_kv = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *lv = PyTuple_GET_ITEM(levels, i);
        PyObject *px = PyTuple_GET_ITEM(lv, 0), *qty = PyTuple_GET_ITEM(lv, 1);
        /* The key r * px: a C number (its int made only when the index takes a new level), else
         * the int itself. */
        long long pv, kv = 0;
        int kfast = ll_of(px, &pv) && pv > -MAX_ID && pv < MAX_ID;
        PyObject *key = NULL;
        if (kfast)
            kv = r > 0 ? pv : -pv;
        else if ((key = r > 0 ? (Py_INCREF(px), px) : PyNumber_Negative(px)) == NULL)
            goto error;
        if (best == NULL && kfast) {
            if (best_px == NULL || kv > best_kv) {
                best_px = px;
                best_kv = kv;
            }
        } else {
            if (best == NULL && best_px != NULL
                    && (best = r > 0 ? (Py_INCREF(best_px), best_px) : PyLong_FromLongLong(best_kv)) == NULL) {
                Py_XDECREF(key);
                goto error;
            }
            PyObject *k = key != NULL ? (Py_INCREF(key), key) : r > 0 ? (Py_INCREF(px), px) : PyLong_FromLongLong(kv);
            int gt = k == NULL ? -1 : best == NULL ? 1 : PyObject_RichCompareBool(k, best, Py_GT);
            if (gt > 0)
                Py_XSETREF(best, k);
            else
                Py_XDECREF(k);
            if (gt < 0) {
                Py_XDECREF(key);
                goto error;
            }
        }
        long long qv;
        int pos = ll_of(qty, &qv) ? qv > 0 : PyObject_RichCompareBool(qty, ZERO, Py_GT);
        PyObject *old = PyDict_GetItemWithError(d, px);  /* borrowed */
        if (pos < 0 || (old == NULL && PyErr_Occurred())) {
            Py_XDECREF(key);
            goto error;
        }
        Py_XINCREF(old);
        int rc = 0;
        if (pos) {
            int same = 0;
            if (old != NULL) {
                long long ov;
                same = ll_of(old, &ov) && ll_of(qty, &qv) ? ov == qv : PyObject_RichCompareBool(old, qty, Py_EQ);
                if (same < 0)
                    rc = -1;
            }
            /* (apply without changes stores an equal size too: the dict keeps the new object) */
            if (rc == 0 && (!same || changes == Py_None)) {
                if (PyDict_SetItem(d, px, qty) < 0)
                    rc = -1;
                else if (old == NULL) {
                    Py_ssize_t at = bk_bisect_down(flat, PyList_GET_SIZE(flat), key, kv, kfast);
                    if (at >= 0 && key == NULL)  /* the index holds the key as an int */
                        key = r > 0 ? (Py_INCREF(px), px) : PyLong_FromLongLong(kv);
                    rc = at < 0 || key == NULL ? -1 : rpl_insert(flat, at, key);
                    if (rc == 0 && live != Py_None)
                        rc = live_update(live, live_n, 1, at, flat, d, r, px, qty);
                } else if (live != Py_None && !same) {
                    int inside = in_live(live, live_n, r, px);
                    if (inside < 0)
                        rc = -1;
                    else if (inside) {
                        Py_ssize_t at = bk_bisect_down(flat, PyList_GET_SIZE(flat), key, kv, kfast);
                        rc = at < 0 ? -1 : live_update(live, live_n, 0, at, flat, d, r, px, qty);
                    }
                }
                if (rc == 0 && changes != Py_None && !same) {
                    PyObject *t = PyTuple_Pack(4, side, px, old != NULL ? old : ZERO, qty);
                    rc = t == NULL ? -1 : PyList_Append(changes, t);
                    Py_XDECREF(t);
                }
            }
        } else if (old != NULL) {
            if (PyDict_DelItem(d, px) < 0)
                rc = -1;
            else {
                Py_ssize_t at = bk_bisect_down(flat, PyList_GET_SIZE(flat), key, kv, kfast);
                rc = at < 0 ? -1 : bk_list_del(flat, at);
                if (rc == 0 && live != Py_None)
                    rc = live_update(live, live_n, -1, at, flat, d, r, px, qty);
            }
            if (rc == 0 && changes != Py_None) {
                PyObject *t = PyTuple_Pack(4, side, px, old, ZERO);
                rc = t == NULL ? -1 : PyList_Append(changes, t);
                Py_XDECREF(t);
            }
        }
        Py_XDECREF(old);
        Py_XDECREF(key);
        if (rc < 0)
            goto error;
    }
    if (best != NULL)
        return best;
    if (best_px != NULL)
        return r > 0 ? (Py_INCREF(best_px), best_px) : PyLong_FromLongLong(best_kv);
    Py_RETURN_NONE;
error:
    Py_XDECREF(best);
    return NULL;
}

PyObject *apply(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "apply takes 8 arguments");
        return NULL;
    }
    if (!levels_ok(args[3]))
        Py_RETURN_NOTIMPLEMENTED;
    return apply_side(args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7]);
}


/* What apply_side takes of one BookSideLevels, as new references (side: None unless asked). */
enum { BK_D, BK_IDX, BK_FLAT, BK_R, BK_SIDE, BK_LIVE, BK_N, BK_ATTRS };

static int bk_read(PyObject *obj, PyObject **v, int want_side)
{
    v[BK_D] = PyObject_GetAttr(obj, S_levels);
    v[BK_IDX] = v[BK_D] ? PyObject_GetAttr(obj, S_index) : NULL;
    v[BK_FLAT] = v[BK_IDX] ? PyObject_GetAttr(v[BK_IDX], S_flat) : NULL;
    v[BK_R] = v[BK_FLAT] ? PyObject_GetAttr(obj, S_r) : NULL;
    v[BK_SIDE] = !v[BK_R] ? NULL : want_side ? PyObject_GetAttr(obj, S_side) : (Py_INCREF(Py_None), Py_None);
    v[BK_LIVE] = v[BK_SIDE] ? PyObject_GetAttr(obj, S_live) : NULL;
    v[BK_N] = v[BK_LIVE] ? PyObject_GetAttr(obj, S_live_n) : NULL;
    return v[BK_N] != NULL ? 0 : -1;
}

static void bk_drop(PyObject **v)
{
    for (int i = 0; i < BK_ATTRS; i++)
        Py_CLEAR(v[i]);
}

/* apply_side on a side read by bk_read, then its cached top dropped when the batch reached inside
 * it (as BookSideLevels.apply does). 0, or -1 with an error set. */
static int bk_apply_read(PyObject *obj, PyObject **v, PyObject *levels, PyObject *changes)
{
    PyObject *best = apply_side(v[BK_D], v[BK_FLAT], v[BK_R], levels, changes, v[BK_SIDE], v[BK_LIVE], v[BK_N]);
    if (best == NULL)
        return -1;
    int rc = 0;
    if (best != Py_None) {
        PyObject *top = PyObject_GetAttr(obj, S_top), *edge = NULL;
        if (top == NULL)
            rc = -1;
        else if (top != Py_None) {
            edge = PyObject_GetAttr(obj, S_top_edge);
            long long bv, ev;
            int ge = edge == NULL ? -1 : ll_of(best, &bv) && ll_of(edge, &ev) ? bv >= ev
                                                                            : PyObject_RichCompareBool(best, edge, Py_GE);
            if (ge < 0 || (ge && PyObject_SetAttr(obj, S_top, Py_None) < 0))
                rc = -1;
        }
        Py_XDECREF(top);
        Py_XDECREF(edge);
    }
    Py_DECREF(best);
    return rc;
}

/* One BookSideLevels: apply() with its own attributes, then its cached top dropped when the
 * batch reached inside it. The side's flat index length, or -1. */
static Py_ssize_t apply_obj(PyObject *obj, PyObject *levels)
{
    PyObject *v[BK_ATTRS];
    Py_ssize_t out = -1;
    if (bk_read(obj, v, 0) == 0 && bk_apply_read(obj, v, levels, Py_None) == 0)
        out = PyList_GET_SIZE(v[BK_FLAT]);
    bk_drop(v);
    return out;
}

/* book_apply(bids_side, asks_side, bids, asks, changes, flat_max) -> bool | None: OrderBook's
 * apply of a delta and its check in one call. Both sides' apply (changes None: apply_book's) or
 * apply_changes (bids then asks, each level that changed appended to changes), then: True when
 * nothing is left to do (neither index past flat_max, the book neither crossed nor locked); False
 * when the caller must rebalance the indexes and check() the book; None, nothing applied, for
 * what the C loop does not take (a level that is not an exact (int, int) tuple, a side whose
 * index is a tree): the Python way. */
PyObject *bk_book_apply(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || (args[4] != Py_None && !PyList_CheckExact(args[4])) || !PyLong_CheckExact(args[5])) {
        PyErr_SetString(PyExc_TypeError, "book_apply(bids_side, asks_side, bids: tuple, asks: tuple, "
                                         "changes: list | None, flat_max: int)");
        return NULL;
    }
    Py_ssize_t flat_max = PyLong_AsSsize_t(args[5]);
    if (flat_max == -1 && PyErr_Occurred())
        return NULL;
    if (!levels_ok(args[2]) || !levels_ok(args[3]))
        Py_RETURN_NONE;
    PyObject *changes = args[4], *b[BK_ATTRS], *a[BK_ATTRS], *out = NULL;
    int want_side = changes != Py_None;
    if (bk_read(args[0], b, want_side) < 0) {
        bk_drop(b);
        return NULL;
    }
    if (bk_read(args[1], a, want_side) < 0)
        goto done;
    if (!PyList_CheckExact(b[BK_FLAT]) || !PyList_CheckExact(a[BK_FLAT])) {  /* (a tree: None) */
        out = Py_None;
        Py_INCREF(out);
        goto done;
    }
    if (bk_apply_read(args[0], b, args[2], changes) < 0 || bk_apply_read(args[1], a, args[3], changes) < 0)
        goto done;
    PyObject *bf = b[BK_FLAT], *af = a[BK_FLAT];
    Py_ssize_t nb = PyList_GET_SIZE(bf), na = PyList_GET_SIZE(af);
    int ok = nb <= flat_max && na <= flat_max;
    if (ok && nb > 0 && na > 0) {  /* check()'s first test: best bid < best ask (-af[-1]) */
        long long bv, av;
        ok = ll_of(PyList_GET_ITEM(bf, nb - 1), &bv) && ll_of(PyList_GET_ITEM(af, na - 1), &av) && av > -MAX_ID
             && av < MAX_ID && bv < -av;
        PyErr_Clear();  /* (an index key that is no C number: check() says) */
    }
    out = PyBool_FromLong(ok);
done:
    bk_drop(b);
    bk_drop(a);
    return out;
}

PyObject *apply_book(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "apply_book(bids_side, asks_side, bids: tuple, asks: tuple)");
        return NULL;
    }
    if (!levels_ok(args[2]) || !levels_ok(args[3]))
        Py_RETURN_NONE;
    Py_ssize_t b = apply_obj(args[0], args[2]);
    if (b < 0)
        return NULL;
    Py_ssize_t a = apply_obj(args[1], args[3]);
    if (a < 0)
        return NULL;
    return PyLong_FromSsize_t(a > b ? a : b);
}

PyObject *top(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyList_CheckExact(args[0]) || !PyDict_CheckExact(args[1]) || !PyLong_CheckExact(args[2])
            || !PyLong_CheckExact(args[3])) {
        PyErr_SetString(PyExc_TypeError, "top(flat: list, d: dict, r: int, n: int)");
        return NULL;
    }
    PyObject *flat = args[0], *d = args[1];
    long r = PyLong_AsLong(args[2]);
    Py_ssize_t n = PyLong_AsSsize_t(args[3]);
    if ((r != 1 && r != -1) || (n == -1 && PyErr_Occurred())) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "r must be 1 or -1");
        return NULL;
    }
    Py_ssize_t m = PyList_GET_SIZE(flat);
    if (n < 0)
        n = 0;
    if (n > m)
        n = m;
    PyObject *out = PyList_New(n);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *k = PyList_GET_ITEM(flat, m - 1 - i);
        PyObject *px = r > 0 ? (Py_INCREF(k), k) : PyNumber_Negative(k);
        if (px == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyObject *qty = PyDict_GetItemWithError(d, px);
        if (qty == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, px);
            Py_DECREF(px);
            Py_DECREF(out);
            return NULL;
        }
        Py_INCREF(qty);
        PyObject *pair = PyTuple_New(2);
        if (pair == NULL) {
            Py_DECREF(px);
            Py_DECREF(qty);
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(pair, 0, px);
        PyTuple_SET_ITEM(pair, 1, qty);
        PyObject_GC_UnTrack(pair);
        PyList_SET_ITEM(out, i, pair);
    }
    return out;
}
