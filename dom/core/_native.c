/* dom.core._native: the book's hot loops in C (optional; dom.core.accel loads it).
 *
 * Each function is an exact replacement of a pure-Python loop in dom/core/book.py or of the
 * depth decoder's comprehension (dom/venues/binance_usdm/codec.py), and gives the same result:
 * the tests run both against each other. Pure and synchronous: no I/O, no clock, no global
 * state; it reads and writes only the Python objects it is handed.
 *
 *   levels(rows, (price_mant, price_scale, qty_mant, qty_scale, pc, qc))
 *           -> tuple[(int, int), ...] | None
 *       [(pc[p], qc[q]) for p, q in rows] for a list of two-item lists of str, the plain
 *       decimal strings parsed here (the value Step.to_int gives: steps of mant * 10^-scale),
 *       others through the parse caches; None when a row is anything else or a value is not
 *       valid (KeyError from a cache): the caller then goes the exact, row-by-row way.
 *   apply(d, flat, r, levels, changes, side, live, n) -> int | None | NotImplemented
 *       BookSideLevels' apply / apply_changes over a flat index: levels is a tuple of
 *       (int, int) (NotImplemented, nothing done, for any other level); changes is a list (append (side, px, old, new) per changed level) or None;
 *       live is None or the side's best n levels as a list, kept so level by level (a change
 *       inside it replaces, inserts or deletes one entry) instead of rebuilt on each read.
 *       Returns the largest index key (r * px) among levels, None when there are none.
 *   apply_book(bids_side, asks_side, bids, asks) -> int | None
 *       apply() on both BookSideLevels of a book with their own attributes (no change list),
 *       dropping a side's cached top when the batch reached inside it; returns the longer flat
 *       index's length (the caller turns an index past its limit into a tree); None, nothing
 *       done, when a level is not an exact (int, int) tuple.
 *   depth(m, spec, cls, members, symbol, recv_ns) -> cls instance | None
 *       BinanceDecoder._depth's usual frame in one call: U, u, pu (default -1) and T exact ints
 *       in range, U <= u, "b" and "a" lists levels() takes; the event built as object.__new__
 *       and a store through each member descriptor (``members``: the class's, in field order),
 *       as types.fast_init's __init__ builds it without its Python frame (ts_exchange_ns =
 *       T * 10^6, no checksum). None for anything else: the decoder's
 *       Python path then gives the same event or the same error.
 *   event(m, table, instruments, kinds, recv_ns) -> [event] | None
 *       BinanceDecoder._event's usual bookTicker, aggTrade and trade object in one call: the
 *       checks of _ticker's and _trade's fast paths (ids and times exact ints in range, the
 *       decimal strings valid, sizes and trade prices positive, m a bool), the event built as
 *       depth() builds its own. None for anything else, which the decoder takes the Python way.
 *   frame(raw, table, instruments, kinds, recv_ns) -> [event] | None
 *       decode(raw) for the usual bookTicker / trade frame, read from its bytes by a strict
 *       reader (one flat object, plain or in a {"stream", "data"} envelope, no whitespace, no
 *       escapes, no floats, no nesting, each key once) with event()'s checks; None for anything
 *       else, which the decoder parses with orjson.
 *   top(flat, d, r, n) -> list[(int, int)]
 *       The n best levels, best first: [(r * k, d[r * k]) for k in flat[:-n - 1:-1]].
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *ZERO;

/* The value of cache[key]: a hit without calling Python, else cache[key] (its __missing__).
 * New reference; NULL with KeyError cleared and *miss set for "not valid", NULL with an error
 * set for anything else. */
static PyObject *lookup(PyObject *cache, PyObject *key, int *miss)
{
    PyObject *v = PyDict_GetItemWithError(cache, key);
    if (v != NULL) {
        Py_INCREF(v);
        return v;
    }
    if (PyErr_Occurred())
        return NULL;
    v = PyObject_GetItem(cache, key);
    if (v == NULL && PyErr_ExceptionMatches(PyExc_KeyError)) {
        PyErr_Clear();
        *miss = 1;
    }
    return v;
}

/* A plain decimal string ("123", "123.45": ASCII digits, at most one dot with digits on both
 * sides) as a whole number of steps of mant * 10^-scale, exactly as Step.to_int gives it; 1 with
 * *out set, 0 when the text is anything else or not a multiple (the caller then asks the Python
 * parse cache, whose answer is the exact one, error included). */
static int plain_chars(const unsigned char *c, Py_ssize_t len, long long mant, int scale, long long *out)
{
    unsigned long long v = 0;
    int digits = 0, frac = -1;
    for (Py_ssize_t i = 0; i < len; i++) {
        unsigned char ch = c[i];
        if (ch >= '0' && ch <= '9') {
            if (++digits > 18)
                return 0;
            v = v * 10 + (ch - '0');
            if (frac >= 0)
                frac++;
        } else if (ch == '.' && frac < 0 && i > 0 && i + 1 < len) {
            frac = 0;
        } else {
            return 0;
        }
    }
    if (digits == 0)
        return 0;
    int sc = frac < 0 ? 0 : frac;
    while (sc > scale) {  /* more decimals than the step: they must be zeros */
        if (v % 10)
            return 0;
        v /= 10;
        sc--;
    }
    while (sc < scale) {
        if (v > 99999999999999999ULL)  /* would pass 10^18: let Python do it */
            return 0;
        v *= 10;
        sc++;
    }
    if (v % (unsigned long long)mant)
        return 0;
    *out = (long long)(v / (unsigned long long)mant);
    return 1;
}

static int plain_steps(PyObject *text, long long mant, int scale, long long *out)
{
    if (!PyUnicode_IS_ASCII(text))
        return 0;
    return plain_chars(PyUnicode_1BYTE_DATA(text), PyUnicode_GET_LENGTH(text), mant, scale, out);
}

/* One price or size: parsed in C when plain, else cache[text] (the cache parses a miss itself).
 * New reference; NULL with *miss set when the text is not valid (KeyError cleared), NULL with an
 * error set for anything else. */
static PyObject *steps(PyObject *text, long long mant, int scale, PyObject *cache, int *miss)
{
    long long q;
    if (plain_steps(text, mant, scale, &q))
        return PyLong_FromLongLong(q);
    return lookup(cache, text, miss);
}

static int spec_ok(PyObject *spec)
{
    if (!PyTuple_CheckExact(spec) || PyTuple_GET_SIZE(spec) != 6 || !PyDict_Check(PyTuple_GET_ITEM(spec, 4))
            || !PyDict_Check(PyTuple_GET_ITEM(spec, 5))) {
        PyErr_SetString(PyExc_TypeError,
                        "levels(rows: list, (price_mant, price_scale, qty_mant, qty_scale, pc: dict, qc: dict))");
        return 0;
    }
    return 1;
}

/* levels() once its arguments are checked: rows a list, spec a tuple as spec_ok takes. */
static PyObject *rows_to_levels(PyObject *rows, PyObject *spec)
{
    PyObject *pc = PyTuple_GET_ITEM(spec, 4), *qc = PyTuple_GET_ITEM(spec, 5);
    long long pm = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, 0)), qm = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, 2));
    long ps = PyLong_AsLong(PyTuple_GET_ITEM(spec, 1)), qs = PyLong_AsLong(PyTuple_GET_ITEM(spec, 3));
    if (PyErr_Occurred())
        return NULL;
    if (pm <= 0 || qm <= 0 || ps < 0 || qs < 0 || ps > 18 || qs > 18) {
        PyErr_SetString(PyExc_ValueError, "a step's mant must be positive and its scale 0..18");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(rows);
    PyObject *out = PyTuple_New(n);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i >= PyList_GET_SIZE(rows))  /* a __missing__ cannot reach the list, but be safe */
            goto fallback;
        PyObject *row = PyList_GET_ITEM(rows, i);
        if (!PyList_CheckExact(row) || PyList_GET_SIZE(row) != 2)
            goto fallback;
        PyObject *p = PyList_GET_ITEM(row, 0), *q = PyList_GET_ITEM(row, 1);
        if (!PyUnicode_CheckExact(p) || !PyUnicode_CheckExact(q))
            goto fallback;
        Py_INCREF(p);
        Py_INCREF(q);
        int miss = 0;
        PyObject *a = steps(p, pm, (int)ps, pc, &miss);
        PyObject *b = a == NULL ? NULL : steps(q, qm, (int)qs, qc, &miss);
        Py_DECREF(p);
        Py_DECREF(q);
        if (b == NULL) {
            Py_XDECREF(a);
            if (miss)
                goto fallback;
            Py_DECREF(out);
            return NULL;
        }
        PyObject *pair = PyTuple_New(2);
        if (pair == NULL) {
            Py_DECREF(a);
            Py_DECREF(b);
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(pair, 0, a);
        PyTuple_SET_ITEM(pair, 1, b);
        PyObject_GC_UnTrack(pair);  /* two ints: no cycle possible (CPython untracks it later) */
        PyTuple_SET_ITEM(out, i, pair);
    }
    PyObject_GC_UnTrack(out);  /* immutable, holding only untracked pairs of ints */
    return out;
fallback:
    Py_DECREF(out);
    Py_RETURN_NONE;
}

static PyObject *levels(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_CheckExact(args[0])) {
        PyErr_SetString(PyExc_TypeError,
                        "levels(rows: list, (price_mant, price_scale, qty_mant, qty_scale, pc: dict, qc: dict))");
        return NULL;
    }
    if (!spec_ok(args[1]))
        return NULL;
    return rows_to_levels(args[0], args[1]);
}

static PyObject *S_U, *S_u, *S_pu, *S_T, *S_b, *S_a;

/* An id or time field: 1 with *v set when m[key] is an exact int (not a bool) in [lo, hi); 0 when
 * missing, of another type or out of range; -1 with an error set. */
static int field_in(PyObject *m, PyObject *key, long long lo, long long hi, long long dflt, PyObject **obj,
                    long long *v)
{
    PyObject *o = PyDict_GetItemWithError(m, key);
    if (o == NULL) {
        if (PyErr_Occurred())
            return -1;
        if (dflt < lo)  /* no default: a missing field is the exact path's to report */
            return 0;
        *obj = NULL;
        *v = dflt;
        return 1;
    }
    if (!PyLong_CheckExact(o))
        return 0;
    int over = 0;
    long long x = PyLong_AsLongLongAndOverflow(o, &over);
    if (x == -1 && PyErr_Occurred())
        return -1;
    if (over || x < lo || x >= hi)
        return 0;
    *obj = o;
    *v = x;
    return 1;
}

/* obj = cls.__new__(cls) with vals[i] stored through members[i] (the class's slot descriptors in
 * field order): what types.fast_init's __init__ does, without its Python frame. New reference. */
static PyObject *build(PyObject *cls, PyObject *members, PyObject *const *vals, Py_ssize_t n)
{
    PyObject *empty = PyTuple_New(0);
    PyObject *obj = empty == NULL ? NULL : PyBaseObject_Type.tp_new((PyTypeObject *)cls, empty, NULL);
    Py_XDECREF(empty);
    for (Py_ssize_t i = 0; obj != NULL && i < n; i++) {
        PyObject *desc = PyTuple_GET_ITEM(members, i);
        descrsetfunc set = Py_TYPE(desc)->tp_descr_set;
        if (set == NULL) {
            PyErr_SetString(PyExc_TypeError, "a member is not a data descriptor");
            Py_CLEAR(obj);
        } else if (set(desc, obj, vals[i]) < 0) {
            Py_CLEAR(obj);
        }
    }
    return obj;
}

#define MAX_ID (1LL << 62)
#define MAX_MS (1LL << 43)
#define MAX_ROWS 20000

/* depth(m, spec, cls, members, symbol, recv_ns) -> cls instance | None: the Binance USDⓈ-M
 * decoder's usual depth frame in one call (its fast path: U, u, pu and T exact ints in range,
 * first <= last, both sides lists of at most MAX_ROWS rows levels() takes); None, nothing
 * built, for anything else, which the decoder then takes the exact way. */
static PyObject *depth(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
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

static PyObject *S_e, *S_s, *S_lastUpdateId, *S_E, *S_B, *S_A, *S_q, *S_p, *S_m, *S_t, *S_f, *S_l;

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
        if (!PyLong_CheckExact(o))
            return 0;
        int over = 0;
        long long x = PyLong_AsLongLongAndOverflow(o, &over);
        if (x == -1 && PyErr_Occurred())
            return -1;
        if (over)
            return 0;
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

/* event(m, table, instruments, kinds, recv_ns) -> [event] | None: BinanceDecoder._event for the
 * usual bookTicker, aggTrade and trade object in one call. table: symbol -> (instrument, its
 * symbol, spec as levels() takes it), for the instruments in ``instruments`` (an entry whose
 * instrument is not the one ``instruments`` holds is not used); kinds: (BookTicker, its members,
 * Trade, its members, TakerSide.SELL, TakerSide.BUY, raw_trades). None, nothing built, for any
 * other object (a snapshot body, another event, an unknown symbol, a field the fast paths above
 * do not take): the decoder's Python path then gives the same events or the same error. */
static PyObject *event(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyDict_CheckExact(args[0]) || !PyDict_Check(args[1]) || !PyDict_Check(args[2])
            || !PyTuple_CheckExact(args[3]) || PyTuple_GET_SIZE(args[3]) != 7 || !PyType_Check(PyTuple_GET_ITEM(args[3], 0))
            || !PyTuple_CheckExact(PyTuple_GET_ITEM(args[3], 1)) || PyTuple_GET_SIZE(PyTuple_GET_ITEM(args[3], 1)) != 8
            || !PyType_Check(PyTuple_GET_ITEM(args[3], 2)) || !PyTuple_CheckExact(PyTuple_GET_ITEM(args[3], 3))
            || PyTuple_GET_SIZE(PyTuple_GET_ITEM(args[3], 3)) != 9) {
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

/* ---- frame(): the usual bookTicker / trade frame read from its bytes, without orjson's objects.
 * A strict reader: one flat JSON object (or {"stream":"...","data":<it>}), no whitespace, keys of
 * [A-Za-z0-9_], each once, values ASCII strings without escapes, integers of at most 18 digits
 * without leading zeros, true or false. Anything else (and any other event) is declined, and the
 * decoder parses the frame with orjson: for what it accepts, orjson gives these very keys and
 * values, so the event built from them is the one event() builds from orjson's dict. */

#define MAX_PAIRS 16

typedef struct {
    const char *key;
    Py_ssize_t klen;
    int kind;  /* 0 string, 1 integer, 2 true, 3 false */
    const char *s;
    Py_ssize_t slen;
    long long v;
} Pair;

/* A string at p (after its opening quote): its length up to the closing quote, or -1. */
static Py_ssize_t str_len(const char *p, const char *end, int key)
{
    const char *q = p;
    while (q < end && *q != '"') {
        unsigned char c = (unsigned char)*q;
        if (key ? !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
                : (c < 0x20 || c > 0x7e || c == '\\'))
            return -1;
        q++;
    }
    return q < end ? q - p : -1;
}

/* One flat object at *pp ('{' ... '}'): its pairs; *pp moved past it. 0 when declined. */
static int read_object(const char **pp, const char *end, Pair *pairs, int *np)
{
    const char *p = *pp;
    int n = 0;
    if (p >= end || *p++ != '{')
        return 0;
    if (p < end && *p == '}')
        return 0;  /* (an empty object is no event) */
    for (;;) {
        if (n == MAX_PAIRS || p >= end || *p++ != '"')
            return 0;
        Py_ssize_t kl = str_len(p, end, 1);
        if (kl <= 0)
            return 0;
        Pair *x = &pairs[n];
        x->key = p;
        x->klen = kl;
        for (int i = 0; i < n; i++)
            if (pairs[i].klen == kl && memcmp(pairs[i].key, p, kl) == 0)
                return 0;  /* a key twice */
        p += kl + 1;
        if (p >= end || *p++ != ':' || p >= end)
            return 0;
        if (*p == '"') {
            Py_ssize_t sl = str_len(++p, end, 0);
            if (sl < 0)
                return 0;
            x->kind = 0;
            x->s = p;
            x->slen = sl;
            p += sl + 1;
        } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            int neg = *p == '-';
            if (neg)
                p++;
            const char *d = p;
            unsigned long long v = 0;
            while (p < end && *p >= '0' && *p <= '9')
                v = v * 10 + (unsigned long long)(*p++ - '0');
            if (p == d || p - d > 18 || (*d == '0' && p - d > 1) || (neg && v == 0))
                return 0;
            if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
                return 0;
            x->kind = 1;
            x->v = neg ? -(long long)v : (long long)v;
        } else if (end - p >= 4 && memcmp(p, "true", 4) == 0) {
            x->kind = 2;
            p += 4;
        } else if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
            x->kind = 3;
            p += 5;
        } else {
            return 0;
        }
        n++;
        if (p >= end)
            return 0;
        if (*p == '}') {
            *pp = p + 1;
            *np = n;
            return 1;
        }
        if (*p++ != ',')
            return 0;
    }
}

static Pair *pair_at(Pair *pairs, int n, const char *key)
{
    Py_ssize_t kl = (Py_ssize_t)strlen(key);
    for (int i = 0; i < n; i++)
        if (pairs[i].klen == kl && memcmp(pairs[i].key, key, kl) == 0)
            return &pairs[i];
    return NULL;
}

/* An integer field in [lo, hi): 1 with *v; 0 when missing (*v = dflt if dflt >= lo, else
 * declined), of another kind or out of range (declined: return -1 means "decline"). */
static int int_at(Pair *pairs, int n, const char *key, long long lo, long long hi, long long dflt, long long *v,
                  int *present)
{
    Pair *x = pair_at(pairs, n, key);
    *present = x != NULL;
    if (x == NULL) {
        if (dflt < lo)
            return 0;
        *v = dflt;
        return 1;
    }
    if (x->kind != 1 || x->v < lo || x->v >= hi)
        return 0;
    *v = x->v;
    return 1;
}

/* A decimal string field in steps (plain decimals only: what plain_steps takes), as a new int;
 * NULL (no error set) when missing or anything else; *err set on a real error. */
static PyObject *steps_at(Pair *pairs, int n, const char *key, long long mant, int scale, int *err)
{
    Pair *x = pair_at(pairs, n, key);
    long long q;  /* (the reader took only ASCII: the bytes are the string's characters) */
    if (x == NULL || x->kind != 0 || x->slen == 0 || x->slen > 40
            || !plain_chars((const unsigned char *)x->s, x->slen, mant, scale, &q))
        return NULL;
    PyObject *o = PyLong_FromLongLong(q);
    if (o == NULL)
        *err = 1;
    return o;
}

static int is_str(Pair *x, const char *text)
{
    Py_ssize_t l = (Py_ssize_t)strlen(text);
    return x != NULL && x->kind == 0 && x->slen == l && memcmp(x->s, text, l) == 0;
}

/* frame(raw, table, instruments, kinds, recv_ns) -> [event] | None: what decode(raw) gives for
 * the usual bookTicker, aggTrade and trade frame (the checks of event()), read from the bytes. */
static PyObject *frame(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyBytes_CheckExact(args[0]) || !PyDict_Check(args[1]) || !PyDict_Check(args[2])
            || !PyTuple_CheckExact(args[3]) || PyTuple_GET_SIZE(args[3]) != 7 || !PyType_Check(PyTuple_GET_ITEM(args[3], 0))
            || !PyTuple_CheckExact(PyTuple_GET_ITEM(args[3], 1)) || PyTuple_GET_SIZE(PyTuple_GET_ITEM(args[3], 1)) != 8
            || !PyType_Check(PyTuple_GET_ITEM(args[3], 2)) || !PyTuple_CheckExact(PyTuple_GET_ITEM(args[3], 3))
            || PyTuple_GET_SIZE(PyTuple_GET_ITEM(args[3], 3)) != 9) {
        PyErr_SetString(PyExc_TypeError, "frame(raw: bytes, table: dict, instruments: dict, kinds: 7-tuple, recv_ns)");
        return NULL;
    }
    PyObject *kinds = args[3], *recv = args[4];
    const char *p = PyBytes_AS_STRING(args[0]), *end = p + PyBytes_GET_SIZE(args[0]);
    static const char env[] = "{\"stream\":\"";
    int wrapped = end - p > (Py_ssize_t)sizeof(env) && memcmp(p, env, sizeof(env) - 1) == 0;
    if (wrapped) {
        p += sizeof(env) - 1;
        Py_ssize_t sl = str_len(p, end, 0);
        static const char data[] = "\",\"data\":";
        if (sl < 0 || end - (p + sl) < (Py_ssize_t)sizeof(data) || memcmp(p + sl, data, sizeof(data) - 1) != 0)
            Py_RETURN_NONE;
        p += sl + sizeof(data) - 1;
    }
    Pair pairs[MAX_PAIRS];
    int n = 0;
    if (!read_object(&p, end, pairs, &n))
        Py_RETURN_NONE;
    if (wrapped && (p >= end || *p++ != '}'))
        Py_RETURN_NONE;
    if (p != end || pair_at(pairs, n, "lastUpdateId") != NULL
            || (!wrapped && (pair_at(pairs, n, "stream") != NULL || pair_at(pairs, n, "data") != NULL)))
        Py_RETURN_NONE;  /* (a bare object with "stream" and "data" would be read as an envelope) */
    Pair *e = pair_at(pairs, n, "e"), *s = pair_at(pairs, n, "s");
    int kind;
    if (is_str(e, "bookTicker"))
        kind = 0;
    else if (is_str(e, "aggTrade"))
        kind = 1;
    else if (is_str(e, "trade") && PyTuple_GET_ITEM(kinds, 6) == Py_True)
        kind = 2;
    else
        Py_RETURN_NONE;
    if (s == NULL || s->kind != 0)
        Py_RETURN_NONE;
    PyObject *sym = PyUnicode_FromStringAndSize(s->s, s->slen);
    if (sym == NULL)
        return NULL;
    PyObject *entry = PyDict_GetItemWithError(args[1], sym);
    PyObject *inst = entry == NULL ? NULL : PyDict_GetItemWithError(args[2], sym);
    Py_DECREF(sym);
    if (inst == NULL || !PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 3 || PyTuple_GET_ITEM(entry, 0) != inst
            || !spec_ok(PyTuple_GET_ITEM(entry, 2))) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    PyObject *spec = PyTuple_GET_ITEM(entry, 2), *symbol = PyTuple_GET_ITEM(entry, 1);
    long long pm = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, 0)), qm = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, 2));
    long ps = PyLong_AsLong(PyTuple_GET_ITEM(spec, 1)), qs = PyLong_AsLong(PyTuple_GET_ITEM(spec, 3));
    if (PyErr_Occurred())
        return NULL;
    if (pm <= 0 || qm <= 0 || ps < 0 || qs < 0 || ps > 18 || qs > 18)
        Py_RETURN_NONE;
    PyObject *v[4] = {NULL, NULL, NULL, NULL}, *ids[4] = {NULL, NULL, NULL, NULL}, *ev = NULL;
    int err = 0, present;
    long long a, b, c, t;
    if (kind == 0) {
        const char *keys[4] = {"b", "B", "a", "A"};
        if (int_at(pairs, n, "u", 0, MAX_ID, -1, &a, &present) && int_at(pairs, n, "T", 1, MAX_MS, -1, &t, &present)) {
            for (int i = 0; i < 4 && !err; i++)
                if ((v[i] = steps_at(pairs, n, keys[i], i & 1 ? qm : pm, (int)(i & 1 ? qs : ps), &err)) == NULL)
                    break;
            if (v[3] != NULL && (ids[0] = PyLong_FromLongLong(a)) != NULL && (ids[1] = PyLong_FromLongLong(t * 1000000LL)) != NULL) {
                PyObject *vals[8] = {symbol, ids[0], v[0], v[1], v[2], v[3], ids[1], recv};
                ev = build(PyTuple_GET_ITEM(kinds, 0), PyTuple_GET_ITEM(kinds, 1), vals, 8);
            }
        }
    } else {
        Pair *bm = pair_at(pairs, n, "m");
        int ok = bm != NULL && bm->kind >= 2;
        if (ok && kind == 1)
            ok = int_at(pairs, n, "a", 0, MAX_ID, -1, &a, &present) && int_at(pairs, n, "f", -1, MAX_ID, -1, &b, &present)
                 && int_at(pairs, n, "l", -1, MAX_ID, -1, &c, &present);
        else if (ok) {
            ok = int_at(pairs, n, "t", 0, MAX_ID, -1, &a, &present);
            b = c = a;
        }
        t = 0;
        if (ok) {  /* _ms(m, "T", "E"): the first present and not 0 */
            const char *tk[2] = {"T", "E"};
            for (int i = 0; i < 2; i++) {
                Pair *x = pair_at(pairs, n, tk[i]);
                if (x == NULL || (x->kind == 1 && x->v == 0))
                    continue;
                if (x->kind != 1 || x->v < 0 || x->v >= MAX_MS)
                    ok = 0;
                else
                    t = x->v * 1000000LL;
                break;
            }
        }
        if (ok && (v[0] = steps_at(pairs, n, "q", qm, (int)qs, &err)) != NULL
                && (v[1] = steps_at(pairs, n, "p", pm, (int)ps, &err)) != NULL
                && PyObject_RichCompareBool(v[0], ZERO, Py_GT) == 1 && PyObject_RichCompareBool(v[1], ZERO, Py_GT) == 1
                && (ids[0] = PyLong_FromLongLong(a)) != NULL && (ids[1] = PyLong_FromLongLong(t)) != NULL
                && (ids[2] = PyLong_FromLongLong(b)) != NULL && (ids[3] = PyLong_FromLongLong(c)) != NULL) {
            PyObject *vals[9] = {symbol, v[1], v[0], PyTuple_GET_ITEM(kinds, bm->kind == 2 ? 4 : 5), ids[0], ids[1],
                                 recv, ids[2], ids[3]};
            ev = build(PyTuple_GET_ITEM(kinds, 2), PyTuple_GET_ITEM(kinds, 3), vals, 9);
        }
    }
    for (int i = 0; i < 4; i++) {
        Py_XDECREF(v[i]);
        Py_XDECREF(ids[i]);
    }
    if (ev == NULL) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    PyObject *out = PyList_New(1);
    if (out == NULL) {
        Py_DECREF(ev);
        return NULL;
    }
    PyList_SET_ITEM(out, 0, ev);
    return out;
}

/* An int's value when it fits in a long long (1), else 0: comparisons of C numbers instead of
 * PyObject_RichCompare where they can be (prices, sizes and index keys nearly always fit). */
static inline int ll_of(PyObject *o, long long *v)
{
    int of;
    *v = PyLong_AsLongLongAndOverflow(o, &of);
    return !of;
}

/* a < b for two ints (kv: b's value when kfast). 1, 0, or -1 on error. */
static inline int int_lt(PyObject *a, PyObject *b, long long kv, int kfast)
{
    long long av;
    if (kfast && ll_of(a, &av))
        return av < kv;
    return PyObject_RichCompareBool(a, b, Py_LT);
}

/* bisect_left(flat, key), galloping from the end: the keys that change most sit near the best
 * price, the end of the list, so a search mostly costs a few comparisons. */
static Py_ssize_t bisect(PyObject *flat, PyObject *key)
{
    long long kv;
    int kfast = ll_of(key, &kv);
    Py_ssize_t m = PyList_GET_SIZE(flat), lo = 0, hi = m;
    for (Py_ssize_t step = 1; step <= m; step *= 2) {
        int lt = int_lt(PyList_GET_ITEM(flat, m - step), key, kv, kfast);
        if (lt < 0)
            return -1;
        if (lt) {
            lo = m - step + 1;
            break;
        }
        hi = m - step;
    }
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
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
        int rc = PyList_Insert(live, rank, t);
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
    PyObject *best = NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *lv = PyTuple_GET_ITEM(levels, i);
        PyObject *px = PyTuple_GET_ITEM(lv, 0), *qty = PyTuple_GET_ITEM(lv, 1);
        PyObject *key = r > 0 ? (Py_INCREF(px), px) : PyNumber_Negative(px);
        if (key == NULL)
            goto error;
        if (best == NULL) {
            Py_INCREF(key);
            best = key;
        } else {
            long long kv;
            int gt = ll_of(key, &kv) ? int_lt(best, key, kv, 1) : PyObject_RichCompareBool(key, best, Py_GT);
            if (gt < 0) {
                Py_DECREF(key);
                goto error;
            }
            if (gt) {
                Py_INCREF(key);
                Py_SETREF(best, key);
            }
        }
        long long qv;
        int pos = ll_of(qty, &qv) ? qv > 0 : PyObject_RichCompareBool(qty, ZERO, Py_GT);
        PyObject *old = PyDict_GetItemWithError(d, px);  /* borrowed */
        if (pos < 0 || (old == NULL && PyErr_Occurred())) {
            Py_DECREF(key);
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
                    Py_ssize_t at = bisect(flat, key);
                    rc = at < 0 ? -1 : PyList_Insert(flat, at, key);
                    if (rc == 0 && live != Py_None)
                        rc = live_update(live, live_n, 1, at, flat, d, r, px, qty);
                } else if (live != Py_None && !same) {
                    int inside = in_live(live, live_n, r, px);
                    if (inside < 0)
                        rc = -1;
                    else if (inside) {
                        Py_ssize_t at = bisect(flat, key);
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
                Py_ssize_t at = bisect(flat, key);
                rc = at < 0 ? -1 : PyList_SetSlice(flat, at, at + 1, NULL);
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
        Py_DECREF(key);
        if (rc < 0)
            goto error;
    }
    if (best == NULL)
        Py_RETURN_NONE;
    return best;
error:
    Py_XDECREF(best);
    return NULL;
}

static PyObject *apply(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "apply takes 8 arguments");
        return NULL;
    }
    if (!levels_ok(args[3]))
        Py_RETURN_NOTIMPLEMENTED;
    return apply_side(args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7]);
}

static PyObject *S_levels, *S_index, *S_flat, *S_r, *S_side, *S_live, *S_live_n, *S_top, *S_top_edge;

/* One BookSideLevels: apply() with its own attributes, then its cached top dropped when the
 * batch reached inside it (as BookSideLevels.apply does). The side's flat index length, or -1. */
static Py_ssize_t apply_obj(PyObject *obj, PyObject *levels)
{
    Py_ssize_t out = -1;
    PyObject *d = PyObject_GetAttr(obj, S_levels), *idx = PyObject_GetAttr(obj, S_index);
    PyObject *flat = idx ? PyObject_GetAttr(idx, S_flat) : NULL, *r = PyObject_GetAttr(obj, S_r);
    PyObject *side = PyObject_GetAttr(obj, S_side), *live = PyObject_GetAttr(obj, S_live);
    PyObject *n = PyObject_GetAttr(obj, S_live_n), *best = NULL, *top = NULL, *edge = NULL;
    if (!d || !flat || !r || !side || !live || !n)
        goto done;
    best = apply_side(d, flat, r, levels, Py_None, side, live, n);
    if (best == NULL)
        goto done;
    if (best != Py_None) {
        top = PyObject_GetAttr(obj, S_top);
        if (top == NULL)
            goto done;
        if (top != Py_None) {
            edge = PyObject_GetAttr(obj, S_top_edge);
            if (edge == NULL)
                goto done;
            int ge = PyObject_RichCompareBool(best, edge, Py_GE);
            if (ge < 0 || (ge && PyObject_SetAttr(obj, S_top, Py_None) < 0))
                goto done;
        }
    }
    out = PyList_GET_SIZE(flat);
done:
    Py_XDECREF(d);
    Py_XDECREF(idx);
    Py_XDECREF(flat);
    Py_XDECREF(r);
    Py_XDECREF(side);
    Py_XDECREF(live);
    Py_XDECREF(n);
    Py_XDECREF(best);
    Py_XDECREF(top);
    Py_XDECREF(edge);
    return out;
}

static PyObject *apply_book(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
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

static PyObject *top(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
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

static PyMethodDef methods[] = {
    {"levels", (PyCFunction)(void (*)(void))levels, METH_FASTCALL, "Decimal-string rows to (px, qty) via the parse caches."},
    {"apply", (PyCFunction)(void (*)(void))apply, METH_FASTCALL, "Apply levels to one book side's dict and flat index."},
    {"top", (PyCFunction)(void (*)(void))top, METH_FASTCALL, "The n best levels of one side, best first."},
    {"depth", (PyCFunction)(void (*)(void))depth, METH_FASTCALL,
     "A Binance USDⓈ-M depth frame's usual case as the event, in one call; None for any other."},
    {"event", (PyCFunction)(void (*)(void))event, METH_FASTCALL,
     "A Binance bookTicker, aggTrade or trade object's usual case as [event], in one call; None for any other."},
    {"frame", (PyCFunction)(void (*)(void))frame, METH_FASTCALL,
     "event() read from a frame's bytes (a strict reader for the usual frame); None for any other."},
    {"apply_book", (PyCFunction)(void (*)(void))apply_book, METH_FASTCALL,
     "apply() on a book's two BookSideLevels with their own attributes; the longer index's length."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void)
{
    ZERO = PyLong_FromLong(0);
    if (ZERO == NULL)
        return NULL;
    const char *names[] = {"levels", "_index", "flat", "_r", "side", "_live", "_live_n", "_top", "_top_edge"};
    PyObject **slots[] = {&S_levels, &S_index, &S_flat, &S_r, &S_side, &S_live, &S_live_n, &S_top, &S_top_edge};
    for (int i = 0; i < 9; i++)
        if ((*slots[i] = PyUnicode_InternFromString(names[i])) == NULL)
            return NULL;
    const char *keys[] = {"U", "u", "pu", "T", "b", "a"};
    PyObject **kslots[] = {&S_U, &S_u, &S_pu, &S_T, &S_b, &S_a};
    for (int i = 0; i < 6; i++)
        if ((*kslots[i] = PyUnicode_InternFromString(keys[i])) == NULL)
            return NULL;
    const char *more[] = {"e", "s", "lastUpdateId", "E", "B", "A", "q", "p", "m", "t", "f", "l"};
    PyObject **mslots[] = {&S_e, &S_s, &S_lastUpdateId, &S_E, &S_B, &S_A, &S_q, &S_p, &S_m, &S_t, &S_f, &S_l};
    for (int i = 0; i < 12; i++)
        if ((*mslots[i] = PyUnicode_InternFromString(more[i])) == NULL)
            return NULL;
    return PyModule_Create(&module);
}
