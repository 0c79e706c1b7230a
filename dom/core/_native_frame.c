/* dom.core._native: frame(), the usual bookTicker / trade frame read from its bytes. */
#include "_native_dcd.h"

/* ---- frame(): the usual bookTicker / trade frame read from its bytes, without orjson's objects, by
 * the strict reader of _native_json.c (no lists). Anything it declines (and any other event) the
 * decoder parses with orjson: for what it accepts, orjson gives these very keys and values, so the
 * event built from them is the one event() builds from orjson's dict. */

/* A decimal string field in steps (plain decimals only: what plain_steps takes), as a new int;
 * NULL (no error set) when missing or anything else; *err set on a real error. */
static PyObject *steps_at(jsn_Pair *pairs, int n, const char *key, long long mant, int scale, int *err)
{
    jsn_Pair *x = jsn_at(pairs, n, key);
    long long q;  /* (the reader took only ASCII: the bytes are the string's characters) */
    if (x == NULL || x->kind != 0 || x->slen == 0 || x->slen > 40
            || !plain_chars((const unsigned char *)x->s, x->slen, mant, scale, &q))
        return NULL;
    PyObject *o = PyLong_FromLongLong(q);
    if (o == NULL)
        *err = 1;
    return o;
}

static int is_str(jsn_Pair *x, const char *text)
{
    Py_ssize_t l = (Py_ssize_t)strlen(text);
    return x != NULL && x->kind == 0 && x->slen == l && memcmp(x->s, text, l) == 0;
}

/* frame(raw, table, instruments, kinds, recv_ns[, depth]) -> [event] | None: what decode(raw) gives for
 * the usual bookTicker, aggTrade and trade frame (the checks of event()), read from the bytes; with
 * depth ((BookDelta, its 9 members), not None), the usual depthUpdate frame too (what depth() gives
 * from orjson's dict of it: _native_bk.c). */
PyObject *frame(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if ((nargs != 5 && nargs != 6) || !PyBytes_CheckExact(args[0]) || !PyDict_Check(args[1]) || !PyDict_Check(args[2])
            || !kinds_ok(args[3]) || (nargs == 6 && args[5] != Py_None && !frm_depth_ok(args[5]))) {
        PyErr_SetString(PyExc_TypeError, "frame(raw: bytes, table: dict, instruments: dict, kinds: 7-tuple, recv_ns, "
                                         "depth: (cls, members: 9-tuple) | None = None)");
        return NULL;
    }
    const char *p = PyBytes_AS_STRING(args[0]), *end = p + PyBytes_GET_SIZE(args[0]);
    /* The usual compact frame in one pass (_native_dcd.c); the rest as below. */
    dcd_Ctx ctx;
    PyObject *got = NULL;
    dcd_init(&ctx, args[1], args[2], args[3], nargs == 6 ? args[5] : Py_None);
    int r = dcd_frame(&ctx, p, end, args[4], &got);
    dcd_clear(&ctx);
    if (r != 0)
        return got;
    if (nargs == 5 || args[5] == Py_None)
        return rpl_frame_at(p, end, args[1], args[2], args[3], args[4]);
    /* One read with rows and whitespace taken (json.dumps writes ", " and ": "): a depthUpdate
     * goes to _native_bk.c; any other event with rows in it is declined, as the reader without
     * rows declines it; the rest as rpl_frame_at takes it. */
    jsn_Pair pairs[JSN_PAIRS];
    int n = 0;
    if (!jsn_event(p, end, pairs, &n, JSN_ROWS | JSN_WS))
        Py_RETURN_NONE;
    if (bk_is_depth(pairs, n))
        return bk_depth_pairs(pairs, n, end, args[1], args[2], args[5], args[4]);
    for (int i = 0; i < n; i++)
        if (pairs[i].kind == 4)
            Py_RETURN_NONE;
    return frm_pairs_at(pairs, n, args[1], args[2], args[3], args[4]);
}

/* frame()'s depth argument: (cls, its 9 members) */
int frm_depth_ok(PyObject *d)
{
    return PyTuple_CheckExact(d) && PyTuple_GET_SIZE(d) == 2 && PyType_Check(PyTuple_GET_ITEM(d, 0))
           && PyTuple_CheckExact(PyTuple_GET_ITEM(d, 1)) && PyTuple_GET_SIZE(PyTuple_GET_ITEM(d, 1)) == 9;
}

/* The decoder's entry for a frame's "s" string (table: symbol -> (instrument, symbol, spec); insts:
 * symbol -> instrument) and its spec's steps: 1 with *entry (borrowed) and the steps; 0 when
 * declined (an unknown symbol, an entry or spec of another shape, steps out of range); -1 with an
 * error set. Shared by frame() and the recording's depth lines (_native_rpl.c). */
int frm_entry(const jsn_Pair *s, PyObject *table, PyObject *insts, PyObject **entry, long long *pm, long *ps,
              long long *qm, long *qs)
{
    PyObject *sym = PyUnicode_FromStringAndSize(s->s, s->slen);
    if (sym == NULL)
        return -1;
    PyObject *e = PyDict_GetItemWithError(table, sym);
    PyObject *inst = e == NULL ? NULL : PyDict_GetItemWithError(insts, sym);
    Py_DECREF(sym);
    if (inst == NULL || !PyTuple_CheckExact(e) || PyTuple_GET_SIZE(e) != 3 || PyTuple_GET_ITEM(e, 0) != inst
            || !spec_ok(PyTuple_GET_ITEM(e, 2)))
        return PyErr_Occurred() ? -1 : 0;
    PyObject *spec = PyTuple_GET_ITEM(e, 2);
    *pm = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, 0));
    *qm = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, 2));
    *ps = PyLong_AsLong(PyTuple_GET_ITEM(spec, 1));
    *qs = PyLong_AsLong(PyTuple_GET_ITEM(spec, 3));
    if (PyErr_Occurred())
        return -1;
    *entry = e;
    return *pm > 0 && *qm > 0 && *ps >= 0 && *qs >= 0 && *ps <= 18 && *qs <= 18;
}

/* frame() on the bytes [p, end), its other arguments already checked (table and instruments
 * dicts, kinds_ok(kinds)): a recording's line decoded in place (_native_rpl.c). */
PyObject *rpl_frame_at(const char *p, const char *end, PyObject *table, PyObject *insts, PyObject *kinds,
                       PyObject *recv)
{
    jsn_Pair pairs[JSN_PAIRS];
    int n = 0;
    if (!jsn_event(p, end, pairs, &n, 0))
        Py_RETURN_NONE;
    return frm_pairs_at(pairs, n, table, insts, kinds, recv);
}

/* rpl_frame_at once the strict reader has read the event's pairs (none of them rows). */
PyObject *frm_pairs_at(jsn_Pair *pairs, int n, PyObject *table, PyObject *insts, PyObject *kinds, PyObject *recv)
{
    if (jsn_at(pairs, n, "lastUpdateId") != NULL)
        Py_RETURN_NONE;
    jsn_Pair *e = jsn_at(pairs, n, "e"), *s = jsn_at(pairs, n, "s");
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
    PyObject *entry;
    long long pm, qm;
    long ps, qs;
    int got = frm_entry(s, table, insts, &entry, &pm, &ps, &qm, &qs);
    if (got <= 0) {
        if (got < 0)
            return NULL;
        Py_RETURN_NONE;
    }
    PyObject *symbol = PyTuple_GET_ITEM(entry, 1);
    PyObject *v[4] = {NULL, NULL, NULL, NULL}, *ids[4] = {NULL, NULL, NULL, NULL}, *ev = NULL;
    int err = 0, present;
    long long a, b, c, t;
    if (kind == 0) {
        const char *keys[4] = {"b", "B", "a", "A"};
        if (jsn_int(pairs, n, "u", 0, MAX_ID, -1, &a, &present) && jsn_int(pairs, n, "T", 1, MAX_MS, -1, &t, &present)) {
            for (int i = 0; i < 4 && !err; i++)
                if ((v[i] = steps_at(pairs, n, keys[i], i & 1 ? qm : pm, (int)(i & 1 ? qs : ps), &err)) == NULL)
                    break;
            if (v[3] != NULL && (ids[0] = PyLong_FromLongLong(a)) != NULL && (ids[1] = PyLong_FromLongLong(t * 1000000LL)) != NULL) {
                PyObject *vals[8] = {symbol, ids[0], v[0], v[1], v[2], v[3], ids[1], recv};
                ev = build(PyTuple_GET_ITEM(kinds, 0), PyTuple_GET_ITEM(kinds, 1), vals, 8);
            }
        }
    } else {
        jsn_Pair *bm = jsn_at(pairs, n, "m");
        int ok = bm != NULL && bm->kind >= 2;
        if (ok && kind == 1)
            ok = jsn_int(pairs, n, "a", 0, MAX_ID, -1, &a, &present) && jsn_int(pairs, n, "f", -1, MAX_ID, -1, &b, &present)
                 && jsn_int(pairs, n, "l", -1, MAX_ID, -1, &c, &present);
        else if (ok) {
            ok = jsn_int(pairs, n, "t", 0, MAX_ID, -1, &a, &present);
            b = c = a;
        }
        t = 0;
        if (ok) {  /* _ms(m, "T", "E"): the first present and not 0 */
            const char *tk[2] = {"T", "E"};
            for (int i = 0; i < 2; i++) {
                jsn_Pair *x = jsn_at(pairs, n, tk[i]);
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
