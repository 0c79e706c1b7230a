/* dom.core._native: the usual depthUpdate frame read from its bytes (frame()'s depth case). */
#include "_native.h"

/* ---- frame() with its depth argument: the usual USDⓈ-M depthUpdate frame read by the strict
 * reader of _native_json.c, its rows of ["<price>","<size>"] included. What the reader accepts
 * orjson reads as these very keys and values, so the BookDelta built here is the one depth()
 * builds from orjson's dict (U, u, pu (default -1) and T exact ints in range, first <= last, both
 * sides plain decimal strings on their steps); anything else is declined (None) and the decoder
 * parses the frame with orjson. */

static inline const char *bk_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* out[i] = (px, qty), the pair untracked by the collector (two ints hold no reference): the rows
 * of levels() as the strict reader's walk (bk_levels) and the one-pass reader (dcd_levels) give
 * them. 0, or -1 with an error set (out unchanged). */
int bk_set_pair(PyObject *out, Py_ssize_t i, long long px, long long qty)
{
    PyObject *a = PyLong_FromLongLong(px), *b = a == NULL ? NULL : PyLong_FromLongLong(qty);
    PyObject *pair = b == NULL ? NULL : PyTuple_New(2);
    if (pair == NULL) {
        Py_XDECREF(a);
        Py_XDECREF(b);
        return -1;
    }
    PyTuple_SET_ITEM(pair, 0, a);
    PyTuple_SET_ITEM(pair, 1, b);
    PyObject_GC_UnTrack(pair);
    PyTuple_SET_ITEM(out, i, pair);
    return 0;
}

/* The rows of a kind-4 pair as levels() gives them for plain decimal strings: a tuple of
 * (price steps, size steps), the pairs and the tuple untracked as levels() leaves them; None
 * (declined) when a string is not plain or not on its step; NULL with an error set. */
static PyObject *bk_levels(const jsn_Pair *x, const char *end, long long pm, int ps, long long qm, int qs)
{
    PyObject *out = PyTuple_New(x->slen);
    if (out == NULL)
        return NULL;
    /* (read by jsn_object: '[' then rows ["s" ',' "s"] with ',' between them, JSON's whitespace
     * around any token where its flags took it: a walk that skips it finds the same tokens) */
    const char *p = x->s + 1;
    for (Py_ssize_t i = 0; i < x->slen; i++) {
        long long v[2];
        p = bk_ws(p, end) + 1;  /* the row's '[' */
        for (int j = 0; j < 2; j++) {
            p = bk_ws(p, end) + 1;  /* the opening '"' */
            const char *q = memchr(p, '"', (size_t)(end - p));  /* (no escapes: the closing one) */
            if (q == NULL || !plain_chars((const unsigned char *)p, q - p, j ? qm : pm, j ? qs : ps, &v[j])) {
                Py_DECREF(out);
                Py_RETURN_NONE;
            }
            p = bk_ws(q + 1, end) + 1;  /* ',' or the row's ']' */
        }
        p = bk_ws(p, end) + 1;  /* ',' or the list's ']' */
        if (bk_set_pair(out, i, v[0], v[1]) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    PyObject_GC_UnTrack(out);
    return out;
}

static int bk_is(const jsn_Pair *x, const char *text, Py_ssize_t len)
{
    return x != NULL && x->kind == 0 && x->slen == len && memcmp(x->s, text, (size_t)len) == 0;
}

/* Is this the pairs of a depthUpdate event (frame() then takes it here or declines it)? */
int bk_is_depth(jsn_Pair *pairs, int n)
{
    return bk_is(jsn_at(pairs, n, "e"), "depthUpdate", 11);
}

/* The depthUpdate event of pairs (the strict reader's, the frame ending at end) as the decoder's
 * [BookDelta]; None for anything depth() and the decoder's fast path do not take. depth:
 * (BookDelta, its 9 members). */
PyObject *bk_depth_pairs(jsn_Pair *pairs, int n, const char *end, PyObject *table, PyObject *insts,
                         PyObject *depth, PyObject *recv)
{
    jsn_Pair *s = jsn_at(pairs, n, "s"), *b = jsn_at(pairs, n, "b"), *a = jsn_at(pairs, n, "a");
    if (jsn_at(pairs, n, "lastUpdateId") != NULL || !bk_is_depth(pairs, n) || s == NULL || s->kind != 0 || b == NULL
            || b->kind != 4 || a == NULL || a->kind != 4)
        Py_RETURN_NONE;
    long long first, last, prev, t;
    if (!jsn_int(pairs, n, "U", 0, MAX_ID, -1, &first, NULL) || !jsn_int(pairs, n, "u", 0, MAX_ID, -1, &last, NULL)
            || !jsn_int(pairs, n, "pu", -1, MAX_ID, -1, &prev, NULL) || !jsn_int(pairs, n, "T", 1, MAX_MS, -1, &t, NULL)
            || first > last)
        Py_RETURN_NONE;
    PyObject *entry;
    long long pm, qm;
    long ps, qs;
    int got = frm_entry(s, table, insts, &entry, &pm, &ps, &qm, &qs);
    if (got <= 0) {
        if (got < 0)
            return NULL;
        Py_RETURN_NONE;
    }
    Py_INCREF(entry);
    PyObject *bids = bk_levels(b, end, pm, (int)ps, qm, (int)qs), *asks = NULL, *ids[4] = {NULL, NULL, NULL, NULL};
    PyObject *ev = NULL, *out = NULL;
    if (bids == NULL || bids == Py_None)
        goto done;
    asks = bk_levels(a, end, pm, (int)ps, qm, (int)qs);
    if (asks == NULL || asks == Py_None)
        goto done;
    if ((ids[0] = PyLong_FromLongLong(first)) == NULL || (ids[1] = PyLong_FromLongLong(last)) == NULL
            || (ids[2] = PyLong_FromLongLong(prev)) == NULL || (ids[3] = PyLong_FromLongLong(t * 1000000LL)) == NULL)
        goto done;
    PyObject *vals[9] = {PyTuple_GET_ITEM(entry, 1), bids, asks, ids[0], ids[1], ids[2], ids[3], recv, Py_None};
    ev = build(PyTuple_GET_ITEM(depth, 0), PyTuple_GET_ITEM(depth, 1), vals, 9);
    if (ev != NULL && (out = PyList_New(1)) != NULL) {
        PyList_SET_ITEM(out, 0, ev);
        ev = NULL;
    }
done:
    Py_DECREF(entry);
    Py_XDECREF(ev);
    for (int i = 0; i < 4; i++)
        Py_XDECREF(ids[i]);
    int none = (bids == Py_None || asks == Py_None) && !PyErr_Occurred();
    Py_XDECREF(bids);
    Py_XDECREF(asks);
    if (out == NULL && none)
        Py_RETURN_NONE;
    return out;
}
