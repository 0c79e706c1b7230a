/* dom.core._native: the Binance decoder's usual depth, bookTicker and trade objects, from the
 * dicts orjson gives: depth() and event(). */
#include "_native.h"

/* depth(m, spec, cls, members, symbol, recv_ns) -> cls instance | None: the Binance USDⓈ-M
 * decoder's usual depth frame in one call (its fast path: U, u, pu and T exact ints in range,
 * first <= last, both sides lists of at most MAX_ROWS rows levels() takes); None, nothing
 * built, for anything else, which the decoder then takes the exact way. */
PyObject *depth(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyDict_CheckExact(args[0]) || !PyType_Check(args[2]) || !PyTuple_CheckExact(args[3])
            || PyTuple_GET_SIZE(args[3]) != 9) {
        PyErr_SetString(PyExc_TypeError, "depth(m: dict, spec, cls, members: 9-tuple, symbol, recv_ns)");
        return NULL;
    }
    if (!spec_ok(args[1]))
        return NULL;
    PyObject *m = args[0], *o_first, *o_last, *o_prev, *o_t;
    long long first, last, prev, t;
    int r;
    if ((r = field_in(m, S_U, 0, MAX_ID, -1, &o_first, &first)) <= 0
            || (r = field_in(m, S_u, 0, MAX_ID, -1, &o_last, &last)) <= 0
            || (r = field_in(m, S_pu, -1, MAX_ID, -1, &o_prev, &prev)) <= 0
            || (r = field_in(m, S_T, 1, MAX_MS, -1, &o_t, &t)) <= 0) {
        if (r < 0)
            return NULL;
        Py_RETURN_NONE;
    }
    if (first > last)
        Py_RETURN_NONE;
    PyObject *rows[2], *sides[2] = {NULL, NULL}, *keys[2] = {S_b, S_a};
    for (int i = 0; i < 2; i++) {
        rows[i] = PyDict_GetItemWithError(m, keys[i]);
        if (rows[i] == NULL && PyErr_Occurred())
            goto fail;
        if (rows[i] == NULL || !PyList_CheckExact(rows[i]) || PyList_GET_SIZE(rows[i]) > MAX_ROWS)
            goto none;
    }
    /* the rows stay referenced by m: a parse cache's __missing__ cannot drop them, but hold them */
    Py_INCREF(rows[0]);
    Py_INCREF(rows[1]);
    for (int i = 0; i < 2; i++) {
        sides[i] = rows_to_levels(rows[i], args[1]);
        if (sides[i] == NULL || sides[i] == Py_None)
            break;
    }
    Py_DECREF(rows[0]);
    Py_DECREF(rows[1]);
    if (sides[0] == NULL || sides[1] == NULL) {
        if (PyErr_Occurred())
            goto fail;
        goto none;  /* (a side that came back None ended the loop: the other is NULL) */
    }
    if (sides[0] == Py_None || sides[1] == Py_None)
        goto none;
    PyObject *prev_obj = o_prev != NULL ? (Py_INCREF(o_prev), o_prev) : PyLong_FromLong(-1);
    PyObject *ts = PyLong_FromLongLong(t * 1000000LL);  /* t < 2^43: no overflow */
    if (prev_obj == NULL || ts == NULL) {
        Py_XDECREF(prev_obj);
        Py_XDECREF(ts);
        goto fail;
    }
    PyObject *vals[9] = {args[4], sides[0], sides[1], o_first, o_last, prev_obj, ts, args[5], Py_None};
    PyObject *obj = build(args[2], args[3], vals, 9);
    Py_DECREF(prev_obj);
    Py_DECREF(ts);
    Py_DECREF(sides[0]);
    Py_DECREF(sides[1]);
    return obj;
none:
    Py_XDECREF(sides[0]);
    Py_XDECREF(sides[1]);
    Py_RETURN_NONE;
fail:
    Py_XDECREF(sides[0]);
    Py_XDECREF(sides[1]);
    return NULL;
}


/* m[key], an exact str, in steps as the parse cache gives it (plain decimals parsed here). New
 * reference; NULL, with no error set, for anything else (missing, another type, not valid, or
 * whatever the cache raised: the Python path then meets the same). */
static PyObject *value_of(PyObject *m, PyObject *key, PyObject *spec, int which)
{
    PyObject *o = PyDict_GetItemWithError(m, key);
    if (o == NULL || !PyUnicode_CheckExact(o)) {
        PyErr_Clear();
        return NULL;
    }
    long long mant = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, which ? 2 : 0));
    long sc = PyLong_AsLong(PyTuple_GET_ITEM(spec, which ? 3 : 1));
    if (PyErr_Occurred() || mant <= 0 || sc < 0 || sc > 18) {
        PyErr_Clear();
        return NULL;
    }
    Py_INCREF(o);
    int miss = 0;
    PyObject *v = steps(o, mant, (int)sc, PyTuple_GET_ITEM(spec, which ? 5 : 4), &miss);
    Py_DECREF(o);
    if (v == NULL)
        PyErr_Clear();
    return v;
}

/* _ms(m, "T", "E") where both are what the usual frame holds: 1 with *ns set (0 when neither is
 * there or both are 0 / null), 0 for a value of another type or out of range (the Python path
 * says what), -1 with an error set. */
static int time_of(PyObject *m, long long *ns)
{
    PyObject *keys[2] = {S_T, S_E};
    for (int i = 0; i < 2; i++) {
        PyObject *o = PyDict_GetItemWithError(m, keys[i]);
        if (o == NULL) {
            if (PyErr_Occurred())
                return -1;
            continue;
        }
        if (o == Py_None)
            continue;
        long long x;
        int r = exact_int(o, &x);
        if (r <= 0)
            return r;
        if (x == 0)
            continue;
        if (x < 0 || x >= MAX_MS)
            return 0;
        *ns = x * 1000000LL;
        return 1;
    }
    *ns = 0;
    return 1;
}

/* BinanceDecoder._ticker's usual frame: u and T exact ints in range, b/B/a/A valid decimal strings. */
static PyObject *ticker_of(PyObject *m, PyObject *symbol, PyObject *spec, PyObject *kinds, PyObject *recv)
{
    PyObject *o_uid, *o_t;
    long long uid, t;
    int r;
    if ((r = field_in(m, S_u, 0, MAX_ID, -1, &o_uid, &uid)) <= 0 || (r = field_in(m, S_T, 1, MAX_MS, -1, &o_t, &t)) <= 0) {
        if (r < 0)
            return NULL;
        Py_RETURN_NONE;
    }
    PyObject *v[4] = {NULL, NULL, NULL, NULL}, *keys[4] = {S_b, S_B, S_a, S_A};
    for (int i = 0; i < 4; i++)
        if ((v[i] = value_of(m, keys[i], spec, i & 1)) == NULL)
            break;
    PyObject *out = NULL, *ts = NULL;
    if (v[3] == NULL) {
        out = Py_None;
        Py_INCREF(out);
    } else if ((ts = PyLong_FromLongLong(t * 1000000LL)) != NULL) {
        PyObject *vals[8] = {symbol, o_uid, v[0], v[1], v[2], v[3], ts, recv};
        out = build(PyTuple_GET_ITEM(kinds, 0), PyTuple_GET_ITEM(kinds, 1), vals, 8);
    }
    Py_XDECREF(ts);
    for (int i = 0; i < 4; i++)
        Py_XDECREF(v[i]);
    return out;
}

/* BinanceDecoder._trade's usual frame: q and p valid and positive, m a bool, the ids (a, f, l of an
 * aggTrade; t of a trade) exact ints in range, T / E as time_of takes them. */
static PyObject *trade_of(PyObject *m, PyObject *symbol, PyObject *spec, PyObject *kinds, PyObject *recv, int agg)
{
    PyObject *q = value_of(m, S_q, spec, 1);
    PyObject *px = q == NULL ? NULL : value_of(m, S_p, spec, 0);
    PyObject *out = NULL, *ts = NULL, *first = NULL, *last = NULL, *o_tid, *o_f, *o_l;
    long long tid, f, l, ns;
    int r = 1;
    if (px == NULL || PyObject_RichCompareBool(q, ZERO, Py_GT) != 1 || PyObject_RichCompareBool(px, ZERO, Py_GT) != 1)
        goto none;
    PyObject *bm = PyDict_GetItemWithError(m, S_m);
    if (bm != Py_True && bm != Py_False)
        goto none;
    if (agg) {
        if ((r = field_in(m, S_a, 0, MAX_ID, -1, &o_tid, &tid)) <= 0 || (r = field_in(m, S_f, -1, MAX_ID, -1, &o_f, &f)) <= 0
                || (r = field_in(m, S_l, -1, MAX_ID, -1, &o_l, &l)) <= 0)
            goto none;
        first = o_f != NULL ? (Py_INCREF(o_f), o_f) : PyLong_FromLong(-1);
        last = o_l != NULL ? (Py_INCREF(o_l), o_l) : PyLong_FromLong(-1);
    } else {
        if ((r = field_in(m, S_t, 0, MAX_ID, -1, &o_tid, &tid)) <= 0)
            goto none;
        first = o_tid;
        last = o_tid;
        Py_INCREF(first);
        Py_INCREF(last);
    }
    if (first == NULL || last == NULL) {
        r = -1;
        goto none;
    }
    if ((r = time_of(m, &ns)) <= 0)
        goto none;
    if ((ts = PyLong_FromLongLong(ns)) == NULL) {
        r = -1;
        goto none;
    }
    PyObject *vals[9] = {symbol, px, q, PyTuple_GET_ITEM(kinds, bm == Py_True ? 4 : 5), o_tid, ts, recv, first, last};
    out = build(PyTuple_GET_ITEM(kinds, 2), PyTuple_GET_ITEM(kinds, 3), vals, 9);
    goto done;
none:
    if (r < 0) {
        out = NULL;  /* an error is set */
    } else {
        PyErr_Clear();
        out = Py_None;
        Py_INCREF(out);
    }
done:
    Py_XDECREF(q);
    Py_XDECREF(px);
    Py_XDECREF(ts);
    Py_XDECREF(first);
    Py_XDECREF(last);
    return out;
}

/* event()'s and frame()'s kinds: (BookTicker, its 8 members, Trade, its 9 members, ...), 7 items. */
int kinds_ok(PyObject *k)
{
    return PyTuple_CheckExact(k) && PyTuple_GET_SIZE(k) == 7 && PyType_Check(PyTuple_GET_ITEM(k, 0))
           && PyTuple_CheckExact(PyTuple_GET_ITEM(k, 1)) && PyTuple_GET_SIZE(PyTuple_GET_ITEM(k, 1)) == 8
           && PyType_Check(PyTuple_GET_ITEM(k, 2)) && PyTuple_CheckExact(PyTuple_GET_ITEM(k, 3))
           && PyTuple_GET_SIZE(PyTuple_GET_ITEM(k, 3)) == 9;
}

/* event(m, table, instruments, kinds, recv_ns) -> [event] | None: BinanceDecoder._event for the
 * usual bookTicker, aggTrade and trade object in one call. table: symbol -> (instrument, its
 * symbol, spec as levels() takes it), for the instruments in ``instruments`` (an entry whose
 * instrument is not the one ``instruments`` holds is not used); kinds: (BookTicker, its members,
 * Trade, its members, TakerSide.SELL, TakerSide.BUY, raw_trades). None, nothing built, for any
 * other object (a snapshot body, another event, an unknown symbol, a field the fast paths above
 * do not take): the decoder's Python path then gives the same events or the same error. */
PyObject *event(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyDict_CheckExact(args[0]) || !PyDict_Check(args[1]) || !PyDict_Check(args[2])
            || !kinds_ok(args[3])) {
        PyErr_SetString(PyExc_TypeError, "event(m: dict, table: dict, instruments: dict, kinds: 7-tuple, recv_ns)");
        return NULL;
    }
    PyObject *m = args[0], *kinds = args[3];
    if (PyDict_GetItemWithError(m, S_lastUpdateId) != NULL || PyErr_Occurred())
        goto decline;
    PyObject *e = PyDict_GetItemWithError(m, S_e);
    if (e == NULL || !PyUnicode_CheckExact(e))
        goto decline;
    int kind;  /* 0 bookTicker, 1 aggTrade, 2 trade */
    if (PyUnicode_CompareWithASCIIString(e, "bookTicker") == 0)
        kind = 0;
    else if (PyUnicode_CompareWithASCIIString(e, "aggTrade") == 0)
        kind = 1;
    else if (PyUnicode_CompareWithASCIIString(e, "trade") == 0 && PyTuple_GET_ITEM(kinds, 6) == Py_True)
        kind = 2;
    else
        goto decline;
    PyObject *sym = PyDict_GetItemWithError(m, S_s);
    if (sym == NULL || !PyUnicode_CheckExact(sym))
        goto decline;
    PyObject *entry = PyDict_GetItemWithError(args[1], sym);
    PyObject *inst = entry == NULL ? NULL : PyDict_GetItemWithError(args[2], sym);
    if (inst == NULL || !PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 3 || PyTuple_GET_ITEM(entry, 0) != inst
            || !spec_ok(PyTuple_GET_ITEM(entry, 2)))
        goto decline;
    Py_INCREF(entry);  /* (a parse cache's __missing__ runs Python code) */
    PyObject *ev = kind == 0 ? ticker_of(m, PyTuple_GET_ITEM(entry, 1), PyTuple_GET_ITEM(entry, 2), kinds, args[4])
                             : trade_of(m, PyTuple_GET_ITEM(entry, 1), PyTuple_GET_ITEM(entry, 2), kinds, args[4], kind == 1);
    Py_DECREF(entry);
    if (ev == NULL || ev == Py_None)
        return ev;
    PyObject *out = PyList_New(1);
    if (out == NULL) {
        Py_DECREF(ev);
        return NULL;
    }
    PyList_SET_ITEM(out, 0, ev);
    return out;
decline:
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}
