/* dom.core._native: rpl_lines(), a block of a recording's lines decoded in one call. */
#include "_native_dcd.h"

/* The lines dom.store.recording.frames_of_block turns into a plain Frame (no REST snapshot) whose
 * frame the decoder's frame() takes: "<recv_ns> <frame>", recv_ns 1 to 19 ASCII digits below 2^63 (leading
 * zeros allowed: int() reads them), the frame neither a bare REST body ({"lastUpdateId"...) nor a
 * combined-stream frame whose stream name ends in @depthSnapshot (or has no closing quote). */
static const char SNAP[] = "{\"stream\":\"", BARE[] = "{\"lastUpdateId\"", SUFFIX[] = "@depthSnapshot";

/* Is [p, end) a frame frames_of_block gives no snapshot symbol, with a stream name it can read? */
static int rpl_plain(const char *p, const char *end)
{
    Py_ssize_t len = end - p, ls = (Py_ssize_t)sizeof(SNAP) - 1, lb = (Py_ssize_t)sizeof(BARE) - 1;
    if (len >= ls && memcmp(p, SNAP, ls) == 0) {
        const char *name = p + ls, *q = memchr(name, '"', (size_t)(end - name));
        Py_ssize_t lx = (Py_ssize_t)sizeof(SUFFIX) - 1;
        if (q == NULL)
            return 0;  /* (no closing quote: the Python reader's own business) */
        return !(q - name >= lx && memcmp(q - lx, SUFFIX, lx) == 0);
    }
    return !(len >= lb && memcmp(p, BARE, lb) == 0);
}

/* ---- A depthUpdate frame read from its bytes by frame()'s strict reader (_native_json.c) with one
 * more kind of value: a list of ["<string>","<string>"] rows (b and a). What it accepts orjson
 * reads as these very keys and values; anything else is declined, and the decoder parses the
 * frame with orjson. */

/* The usual depthUpdate frame at [p, end) as the decoder's [BookDelta] (what native.depth gives
 * from orjson's dict of it: frame()'s reading of it, bk_depth_pairs); None for anything else.
 * depth: (BookDelta, its 9 members). */
static PyObject *rpl_depth_at(const char *p, const char *end, PyObject *table, PyObject *insts, PyObject *depth,
                              PyObject *recv)
{
    jsn_Pair pairs[JSN_PAIRS];
    int n = 0;
    if (!jsn_event(p, end, pairs, &n, 1))
        Py_RETURN_NONE;
    return bk_depth_pairs(pairs, n, end, table, insts, depth, recv);
}

/* rpl_peek(raw) -> (e, s, has_pu) | None: what a recording's scan reads of a frame (its event
 * object: the envelope's data, or the frame itself), for a frame the strict reader takes: e the
 * "e" string (None when missing, False when not a string), s the "s" string (None when missing or
 * not a string), has_pu whether it has a "pu". None for anything else (the scan parses it with
 * orjson). */
static PyObject *rpl_peek_at(const char *p, const char *end)
{
    jsn_Pair pairs[JSN_PAIRS];
    int n = 0;
    if (!jsn_event(p, end, pairs, &n, 1))
        Py_RETURN_NONE;
    jsn_Pair *e = jsn_at(pairs, n, "e"), *s = jsn_at(pairs, n, "s");
    PyObject *eo = e == NULL ? (Py_INCREF(Py_None), Py_None)
                 : e->kind == 0 ? PyUnicode_FromStringAndSize(e->s, e->slen) : (Py_INCREF(Py_False), Py_False);
    PyObject *so = s == NULL || s->kind != 0 ? (Py_INCREF(Py_None), Py_None) : PyUnicode_FromStringAndSize(s->s, s->slen);
    PyObject *out = eo == NULL || so == NULL ? NULL
                  : PyTuple_Pack(3, eo, so, jsn_at(pairs, n, "pu") != NULL ? Py_True : Py_False);
    Py_XDECREF(eo);
    Py_XDECREF(so);
    return out;
}

PyObject *rpl_peek(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 1 || !PyBytes_CheckExact(args[0])) {
        PyErr_SetString(PyExc_TypeError, "rpl_peek(raw: bytes)");
        return NULL;
    }
    const char *p = PyBytes_AS_STRING(args[0]);
    return rpl_peek_at(p, p + PyBytes_GET_SIZE(args[0]));
}

/* rpl_scan(lines, n0) -> list: rpl_peek of each non-empty line of ``lines`` (line numbers n0 + 1
 * on) that is "<digits> <frame>" with a plain frame (no REST snapshot) the strict reader takes,
 * else the line number alone (the scan reads that line's frame, or bad line, the Python way). */
PyObject *rpl_scan(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_CheckExact(args[0]) || !PyLong_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "rpl_scan(lines: list, n0: int)");
        return NULL;
    }
    Py_ssize_t n0 = PyLong_AsSsize_t(args[1]);
    if (n0 == -1 && PyErr_Occurred())
        return NULL;
    if (n0 < 0 || n0 > PY_SSIZE_T_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "n0 must be >= 0");
        return NULL;
    }
    PyObject *lines = args[0], *out = PyList_New(0), *texts[2] = {NULL, NULL};
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(lines); i++) {
        PyObject *line = PyList_GET_ITEM(lines, i), *item;
        if (!PyBytes_CheckExact(line)) {
            PyErr_SetString(PyExc_TypeError, "rpl_scan: a line is not bytes");
            goto fail;
        }
        Py_ssize_t len = PyBytes_GET_SIZE(line);
        if (len == 0)
            continue;
        const char *p = PyBytes_AS_STRING(line), *end = p + len, *sp = memchr(p, ' ', (size_t)len);
        int ok = sp != NULL && sp > p;
        for (const char *q = p; ok && q < sp; q++)
            ok = *q >= '0' && *q <= '9';
        item = NULL;
        int got = ok && rpl_plain(sp + 1, end) ? dcd_peek(texts, sp + 1, end, &item) : 1;
        if (got == 0)  /* not the usual compact frame: the strict reader's */
            item = rpl_peek_at(sp + 1, end);
        else if (item == NULL && got > 0)
            item = (Py_INCREF(Py_None), Py_None);
        if (item == NULL)
            goto fail;
        if (item == Py_None) {
            Py_DECREF(item);
            if ((item = PyLong_FromSsize_t(n0 + i + 1)) == NULL)
                goto fail;
        }
        int rc = PyList_Append(out, item);
        Py_DECREF(item);
        if (rc < 0)
            goto fail;
    }
    Py_XDECREF(texts[0]);
    Py_XDECREF(texts[1]);
    return out;
fail:
    Py_XDECREF(texts[0]);
    Py_XDECREF(texts[1]);
    Py_DECREF(out);
    return NULL;
}

/* rpl_lines(lines, n0, table, instruments, kinds, depth) -> list: for each non-empty line of ``lines``
 * (line numbers n0 + 1 on), in order, ``(line_no, recv_ns, events)`` when the line is a plain
 * frame that frame() decodes, or (depth not None) the usual depthUpdate rpl_depth_at reads, else the line number alone (the caller reads that line the Python
 * way: a bad line, a snapshot, a depth update or anything frame() declines). Empty lines give
 * nothing, as frames_of_block skips them. */
PyObject *rpl_lines(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyList_CheckExact(args[0]) || !PyLong_CheckExact(args[1]) || !PyDict_Check(args[2])
            || !PyDict_Check(args[3]) || !kinds_ok(args[4])
            || (args[5] != Py_None && (!PyTuple_CheckExact(args[5]) || PyTuple_GET_SIZE(args[5]) != 2
                                       || !PyType_Check(PyTuple_GET_ITEM(args[5], 0))
                                       || !PyTuple_CheckExact(PyTuple_GET_ITEM(args[5], 1))
                                       || PyTuple_GET_SIZE(PyTuple_GET_ITEM(args[5], 1)) != 9))) {
        PyErr_SetString(PyExc_TypeError, "rpl_lines(lines: list, n0: int, table: dict, instruments: dict, kinds: 7-tuple, "
                                         "depth: (cls, members: 9-tuple) | None)");
        return NULL;
    }
    PyObject *lines = args[0], *table = args[2], *insts = args[3], *kinds = args[4], *depth = args[5];
    Py_ssize_t n0 = PyLong_AsSsize_t(args[1]);
    if (n0 == -1 && PyErr_Occurred())
        return NULL;
    if (n0 < 0 || n0 > PY_SSIZE_T_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "n0 must be >= 0");
        return NULL;
    }
    Py_ssize_t m = PyList_GET_SIZE(lines);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    dcd_Ctx ctx;  /* the one-pass reader's, over the block (_native_dcd.c) */
    dcd_init(&ctx, table, insts, kinds, depth);
    for (Py_ssize_t i = 0; i < m; i++) {
        PyObject *line = PyList_GET_ITEM(lines, i);
        if (!PyBytes_CheckExact(line)) {
            PyErr_SetString(PyExc_TypeError, "rpl_lines: a line is not bytes");
            goto fail;
        }
        Py_ssize_t len = PyBytes_GET_SIZE(line);
        if (len == 0)
            continue;
        Py_INCREF(line);  /* (held while read: the list may be changed by nothing here, but be safe) */
        const char *p = PyBytes_AS_STRING(line), *end = p + len;
        const char *sp = memchr(p, ' ', (size_t)len);
        PyObject *no = PyLong_FromSsize_t(n0 + i + 1), *item = NULL;
        if (no == NULL) {
            Py_DECREF(line);
            goto fail;
        }
        unsigned long long ts = 0;  /* (19 digits at most: below 2^64, checked against 2^63 - 1) */
        int ok = sp != NULL && sp > p && sp - p <= 19;
        for (const char *q = p; ok && q < sp; q++) {
            if (*q < '0' || *q > '9')
                ok = 0;
            else
                ts = ts * 10 + (unsigned long long)(*q - '0');
        }
        ok = ok && ts <= (unsigned long long)LLONG_MAX && rpl_plain(sp + 1, end);
        if (ok) {
            PyObject *recv = PyLong_FromLongLong((long long)ts), *evs = NULL;
            int got = recv == NULL ? -1 : dcd_frame(&ctx, sp + 1, end, recv, &evs);
            if (got == 0)  /* not the usual frame: the strict reader's */
                evs = rpl_frame_at(sp + 1, end, table, insts, kinds, recv);
            if (got == 0 && evs == Py_None && depth != Py_None) {
                Py_DECREF(evs);
                evs = rpl_depth_at(sp + 1, end, table, insts, depth, recv);
            }
            if (evs == NULL) {
                Py_XDECREF(recv);
                Py_DECREF(no);
                Py_DECREF(line);
                goto fail;
            }
            if (evs != Py_None) {
                item = PyTuple_New(3);
                if (item == NULL) {
                    Py_DECREF(evs);
                    Py_DECREF(recv);
                    Py_DECREF(no);
                    Py_DECREF(line);
                    goto fail;
                }
                PyTuple_SET_ITEM(item, 0, no);
                PyTuple_SET_ITEM(item, 1, recv);
                PyTuple_SET_ITEM(item, 2, evs);
            } else {
                Py_DECREF(evs);
                Py_DECREF(recv);
            }
        }
        Py_DECREF(line);
        if (item == NULL)
            item = no;  /* the line number alone: the Python way */
        int rc = PyList_Append(out, item);
        Py_DECREF(item);
        if (rc < 0)
            goto fail;
    }
    dcd_clear(&ctx);
    return out;
fail:
    dcd_clear(&ctx);
    Py_DECREF(out);
    return NULL;
}

/* split_lines(rest, data) -> list[bytes]: (rest + data).split(b"\n") without the concatenation
 * (rest holds no b"\n": the unterminated end of the data read before), each line found by memchr
 * instead of bytes.split's test of every byte (_line_blocks in dom/store/recording.py). */
PyObject *rpl_split_lines(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyBytes_CheckExact(args[0]) || !PyBytes_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "split_lines(rest: bytes, data: bytes)");
        return NULL;
    }
    const char *r = PyBytes_AS_STRING(args[0]), *p = PyBytes_AS_STRING(args[1]), *end = p + PyBytes_GET_SIZE(args[1]);
    Py_ssize_t lr = PyBytes_GET_SIZE(args[0]);
    if (lr > 0 && memchr(r, '\n', (size_t)lr) != NULL) {
        PyErr_SetString(PyExc_ValueError, "split_lines: rest holds a line end");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (int first = 1;; first = 0) {
        const char *q = memchr(p, '\n', (size_t)(end - p));
        const char *e = q == NULL ? end : q;
        PyObject *line;
        if (first && lr > 0) {
            line = PyBytes_FromStringAndSize(NULL, lr + (e - p));
            if (line != NULL) {
                memcpy(PyBytes_AS_STRING(line), r, (size_t)lr);
                memcpy(PyBytes_AS_STRING(line) + lr, p, (size_t)(e - p));
            }
        } else if (first && q == NULL && lr == 0) {
            line = args[1];  /* no line end: the data itself, as bytes.split gives it */
            Py_INCREF(line);
        } else {
            line = PyBytes_FromStringAndSize(p, e - p);
        }
        if (line == NULL || PyList_Append(out, line) < 0) {
            Py_XDECREF(line);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(line);
        if (q == NULL)
            return out;
        p = q + 1;
    }
}
