/* dom.core._native: TimeMerge, dom.core.merge.TimeMerge in C, and its pump (a replay line's events
 * through the merge and into the detectors' engine in one call).
 *
 * The same state as the Python class, in the same objects: each symbol's heap is a list of
 * (ts, kind, n, event) tuples and the symbols' order a list of (ts, symbol) tuples, sifted by
 * mrg_sift_down/mrg_sift_up, which are heapq's own (CPython's _heapqmodule.c, step for step), with
 * its tuples' "<" read from their ints when they are exact ints within int64 and left to Python
 * otherwise. So the heaps hold the same tuples in the same places and the release order is the
 * twin's, whatever the times are (floats, huge ints, equal, out of order): the comparisons are
 * Python's. */
#include "_native.h"
#include <structmember.h>

typedef struct {
    PyObject_HEAD
    PyObject *hold_ns;       /* an exact int, 0 <= hold_ns < 2^63 */
    long long hold;
    PyObject *max_held_o;    /* an exact int >= 1 */
    Py_ssize_t max_held;
    PyObject *clock;         /* the newest exchange time seen on any stream */
    Py_ssize_t late, forced, held;
    PyObject *held_tickers;  /* symbols whose tickers are held like depth (a set; settable) */
    PyObject *heaps;         /* symbol -> heap (list) of (ts, kind, n, event) */
    PyObject *order;         /* heap (list) of (head ts, symbol); entries may be stale */
    PyObject *frontier;      /* symbol -> (ts, kind, n) of the last released event */
    PyObject *seq;           /* symbol -> [n, ts] * 3 (trade, depth, ticker streams): count, latest time */
    PyTypeObject *t_ticker, *t_mark, *t_trade, *t_delta;
} mrg_Merge;

static PyObject *mrg_s_symbol, *mrg_s_ts, *mrg_s_top_only, *mrg_s_last_ticker, *mrg_s_stats, *mrg_s_tickers,
    *mrg_s_cause, *mrg_s_last_trade, *mrg_s_trade_ids, *mrg_s_trade_id, *mrg_s_trade_duplicates, *mrg_s_trade_gaps,
    *mrg_s_trades_missed, *mrg_s_trades, *mrg_s_trade_hooks, *mrg_s_state, *mrg_s_lines, *mrg_s_messages,
    *mrg_s_line_no, *mrg_s_snapshots, *mrg_kinds[3], *mrg_one;

/* ------------------------------------------------------------------------------ comparisons */

static inline int mrg_i64(PyObject *o, long long *v)
{
    if (!PyLong_CheckExact(o))
        return 0;
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000 && PyLong_SHIFT == 30
    /* CPython 3.11's ints of up to three 30-bit digits below 2^63 (a nanosecond time is three)
     * read from their digits; the others through the API */
    Py_ssize_t n = Py_SIZE(o), an = n < 0 ? -n : n;
    const digit *d = ((PyLongObject *)o)->ob_digit;
    if (an <= 2 || (an == 3 && d[2] < 8)) {
        unsigned long long x = an == 0 ? 0 : (unsigned long long)d[0];
        if (an >= 2)
            x |= (unsigned long long)d[1] << PyLong_SHIFT;
        if (an == 3)
            x |= (unsigned long long)d[2] << (2 * PyLong_SHIFT);
        *v = n < 0 ? -(long long)x : (long long)x;
        return 1;
    }
#endif
    int ovf = 0;
    long long x = PyLong_AsLongLongAndOverflow(o, &ovf);
    if (ovf)
        return 0;
    *v = x;
    return 1;
}

/* a <op> b as Python's expression says it (no identity shortcut): 1, 0, -1 with an error set. */
static int mrg_op(PyObject *a, PyObject *b, int op)
{
    long long x, y;
    if (mrg_i64(a, &x) && mrg_i64(b, &y))
        switch (op) {
        case Py_LT: return x < y;
        case Py_LE: return x <= y;
        case Py_GT: return x > y;
        case Py_GE: return x >= y;
        case Py_EQ: return x == y;
        default: return x != y;
        }
    PyObject *r = PyObject_RichCompare(a, b, op);
    if (r == NULL)
        return -1;
    int t = PyObject_IsTrue(r);
    Py_DECREF(r);
    return t;
}

/* a < b for two of the merge's tuples, as tuple comparison decides it: (ts, kind, n, event) items,
 * (ts, kind, n) frontiers, (ts, symbol) order entries. Their ints read in C when exact; a tie on
 * what is read in C, or anything else, goes to Python's own comparison of the tuples. */
static int mrg_lt(PyObject *a, PyObject *b)
{
    if (PyTuple_CheckExact(a) && PyTuple_CheckExact(b)) {
        Py_ssize_t na = PyTuple_GET_SIZE(a), nb = PyTuple_GET_SIZE(b);
        long long x, y;
        if (na >= 3 && nb >= 3 && na + nb >= 7) {
            int i;
            for (i = 0; i < 3; i++) {
                if (!mrg_i64(PyTuple_GET_ITEM(a, i), &x) || !mrg_i64(PyTuple_GET_ITEM(b, i), &y))
                    break;
                if (x != y)
                    return x < y;
            }
            if (i == 3 && (na == 3 || nb == 3))
                return na < nb;  /* (ts, kind, n) equal: the shorter is the smaller */
        } else if (na == 2 && nb == 2 && mrg_i64(PyTuple_GET_ITEM(a, 0), &x)
                   && mrg_i64(PyTuple_GET_ITEM(b, 0), &y)) {
            if (x != y)
                return x < y;
            PyObject *sa = PyTuple_GET_ITEM(a, 1), *sb = PyTuple_GET_ITEM(b, 1);
            if (PyUnicode_CheckExact(sa) && PyUnicode_CheckExact(sb))
                return PyUnicode_Compare(sa, sb) < 0;
        }
    }
    return PyObject_RichCompareBool(a, b, Py_LT);
}

/* a <= limit, limit held as an int64 (fast) or an object. */
typedef struct {
    int fast;
    long long v;
    PyObject *o;
} mrg_Limit;

static int mrg_limit(mrg_Merge *m, mrg_Limit *lim)
{
    long long c;
    lim->o = NULL;
    lim->fast = mrg_i64(m->clock, &c) && !__builtin_sub_overflow(c, m->hold, &lim->v);
    if (!lim->fast && (lim->o = PyNumber_Subtract(m->clock, m->hold_ns)) == NULL)
        return -1;
    return 0;
}

static int mrg_le_limit(PyObject *a, const mrg_Limit *lim)
{
    long long x;
    if (lim->fast && mrg_i64(a, &x))
        return x <= lim->v;
    if (lim->fast) {
        PyObject *o = PyLong_FromLongLong(lim->v);
        if (o == NULL)
            return -1;
        int r = mrg_op(a, o, Py_LE);
        Py_DECREF(o);
        return r;
    }
    return mrg_op(a, lim->o, Py_LE);
}

/* ------------------------------------------------------------------ heapq, step for step */

static int mrg_sift_down(PyObject *heap, Py_ssize_t startpos, Py_ssize_t pos)
{
    Py_ssize_t size = PyList_GET_SIZE(heap);
    PyObject **arr = ((PyListObject *)heap)->ob_item, *newitem = arr[pos], *parent;
    while (pos > startpos) {
        Py_ssize_t parentpos = (pos - 1) >> 1;
        parent = arr[parentpos];
        Py_INCREF(newitem);
        Py_INCREF(parent);
        int cmp = mrg_lt(newitem, parent);
        Py_DECREF(parent);
        Py_DECREF(newitem);
        if (cmp < 0)
            return -1;
        if (size != PyList_GET_SIZE(heap)) {
            PyErr_SetString(PyExc_RuntimeError, "list changed size during iteration");
            return -1;
        }
        if (cmp == 0)
            break;
        arr = ((PyListObject *)heap)->ob_item;
        parent = arr[parentpos];
        newitem = arr[pos];
        arr[parentpos] = newitem;
        arr[pos] = parent;
        pos = parentpos;
    }
    return 0;
}

static int mrg_sift_up(PyObject *heap, Py_ssize_t pos)
{
    Py_ssize_t endpos = PyList_GET_SIZE(heap), startpos = pos, limit = endpos >> 1;
    PyObject **arr = ((PyListObject *)heap)->ob_item;
    while (pos < limit) {
        Py_ssize_t childpos = 2 * pos + 1;
        if (childpos + 1 < endpos) {
            PyObject *a = arr[childpos], *b = arr[childpos + 1];
            Py_INCREF(a);
            Py_INCREF(b);
            int cmp = mrg_lt(a, b);
            Py_DECREF(a);
            Py_DECREF(b);
            if (cmp < 0)
                return -1;
            childpos += ((unsigned)cmp ^ 1);
            arr = ((PyListObject *)heap)->ob_item;
            if (endpos != PyList_GET_SIZE(heap)) {
                PyErr_SetString(PyExc_RuntimeError, "list changed size during iteration");
                return -1;
            }
        }
        PyObject *tmp1 = arr[childpos], *tmp2 = arr[pos];
        arr[childpos] = tmp2;
        arr[pos] = tmp1;
        pos = childpos;
    }
    return mrg_sift_down(heap, startpos, pos);
}

/* heappush; steals item. */
static int mrg_heappush(PyObject *heap, PyObject *item)
{
    int r = PyList_Append(heap, item);
    Py_DECREF(item);
    if (r < 0)
        return -1;
    return mrg_sift_down(heap, 0, PyList_GET_SIZE(heap) - 1);
}

/* heappop of a non-empty heap: a new reference, or NULL with an error set. */
static PyObject *mrg_heappop(PyObject *heap)
{
    Py_ssize_t n = PyList_GET_SIZE(heap);
    PyObject *last = PyList_GET_ITEM(heap, n - 1);
    Py_INCREF(last);
    if (PyList_SetSlice(heap, n - 1, n, NULL) < 0) {
        Py_DECREF(last);
        return NULL;
    }
    if (n == 1)
        return last;
    PyObject *ret = PyList_GET_ITEM(heap, 0);
    PyList_SET_ITEM(heap, 0, last);
    if (mrg_sift_up(heap, 0) < 0) {
        Py_DECREF(ret);
        return NULL;
    }
    return ret;
}

/* heappush(order, (ts, sym)). */
static int mrg_order_push(mrg_Merge *m, PyObject *ts, PyObject *sym)
{
    PyObject *e = PyTuple_Pack(2, ts, sym);
    return e == NULL ? -1 : mrg_heappush(m->order, e);
}

/* frontier[sym] = item[:3] */
static int mrg_set_front(mrg_Merge *m, PyObject *sym, PyObject *item)
{
    PyObject *f = PyTuple_GetSlice(item, 0, 3);
    if (f == NULL)
        return -1;
    int r = PyDict_SetItem(m->frontier, sym, f);
    Py_DECREF(f);
    return r;
}

/* ---------------------------------------------------------------------------- releases */

static int mrg_release_due(mrg_Merge *m, PyObject *out)
{
    mrg_Limit lim;
    Py_ssize_t n0 = PyList_GET_SIZE(out);
    int rc = -1;
    if (mrg_limit(m, &lim) < 0)
        return -1;
    while (PyList_GET_SIZE(m->order) > 0) {
        int due = mrg_le_limit(PyTuple_GET_ITEM(PyList_GET_ITEM(m->order, 0), 0), &lim);
        if (due < 0)
            goto done;
        if (!due)
            break;
        PyObject *entry = mrg_heappop(m->order);
        if (entry == NULL)
            goto done;
        PyObject *ts = PyTuple_GET_ITEM(entry, 0), *sym = PyTuple_GET_ITEM(entry, 1);
        PyObject *heap = PyDict_GetItemWithError(m->heaps, sym);
        if (heap == NULL && PyErr_Occurred()) {
            Py_DECREF(entry);
            goto done;
        }
        int stale = heap == NULL || PyList_GET_SIZE(heap) == 0;
        if (!stale) {
            stale = mrg_op(PyTuple_GET_ITEM(PyList_GET_ITEM(heap, 0), 0), ts, Py_NE);
            if (stale < 0) {
                Py_DECREF(entry);
                goto done;
            }
        }
        if (stale) {
            Py_DECREF(entry);
            continue;  /* the symbol's head changed since */
        }
        Py_INCREF(heap);
        PyObject *item = NULL;
        int ok = 0;
        for (;;) {
            Py_XDECREF(item);
            if ((item = mrg_heappop(heap)) == NULL || PyList_Append(out, PyTuple_GET_ITEM(item, 3)) < 0)
                break;
            if (PyList_GET_SIZE(heap) == 0) {
                ok = 1;
                break;
            }
            int more = mrg_le_limit(PyTuple_GET_ITEM(PyList_GET_ITEM(heap, 0), 0), &lim);
            if (more < 0)
                break;
            if (!more) {
                ok = 1;
                break;
            }
        }
        ok = ok && mrg_set_front(m, sym, item) == 0
             && (PyList_GET_SIZE(heap) == 0
                 || mrg_order_push(m, PyTuple_GET_ITEM(PyList_GET_ITEM(heap, 0), 0), sym) == 0);
        Py_XDECREF(item);
        Py_DECREF(heap);
        Py_DECREF(entry);
        if (!ok)
            goto done;
    }
    rc = 0;
done:
    m->held -= PyList_GET_SIZE(out) - n0;
    Py_XDECREF(lim.o);
    return rc;
}

static int mrg_release_symbol(mrg_Merge *m, PyObject *sym, PyObject *out)
{
    PyObject *heap = PyDict_GetItemWithError(m->heaps, sym);
    if (heap == NULL)
        return PyErr_Occurred() ? -1 : 0;
    if (PyList_GET_SIZE(heap) == 0)
        return 0;
    Py_ssize_t n0 = PyList_GET_SIZE(out);
    PyObject *item = NULL;
    int rc = 0;
    Py_INCREF(heap);
    while (PyList_GET_SIZE(heap) > 0) {
        Py_XDECREF(item);
        if ((item = mrg_heappop(heap)) == NULL || PyList_Append(out, PyTuple_GET_ITEM(item, 3)) < 0) {
            rc = -1;
            break;
        }
    }
    if (rc == 0)
        rc = mrg_set_front(m, sym, item);
    Py_XDECREF(item);
    Py_DECREF(heap);
    m->held -= PyList_GET_SIZE(out) - n0;
    return rc;
}

static int mrg_flush_into(mrg_Merge *m, PyObject *out)
{
    PyObject *syms = PyDict_Keys(m->heaps);
    if (syms == NULL || PyList_Sort(syms) < 0) {
        Py_XDECREF(syms);
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(syms); i++)
        if (mrg_release_symbol(m, PyList_GET_ITEM(syms, i), out) < 0) {
            Py_DECREF(syms);
            return -1;
        }
    Py_DECREF(syms);
    return PyList_SetSlice(m->order, 0, PyList_GET_SIZE(m->order), NULL);
}

/* --------------------------------------------------------------------------------- push */

/* The twin's push: 1 when ev alone goes straight through (nothing appended), 0 with what it
 * releases appended to out (ev among them when it goes through), -1 with an error set. */
static int mrg_push_into(mrg_Merge *m, PyObject *ev, PyObject *out)
{
    PyTypeObject *kind = Py_TYPE(ev);
    PyObject *sym, *ts;
    int k;
    if (kind == m->t_ticker || kind == m->t_mark) {
        if ((sym = PyObject_GetAttr(ev, mrg_s_symbol)) == NULL)
            return -1;
        int held = 0;
        if (kind == m->t_ticker && m->held_tickers == NULL) {
            Py_DECREF(sym);
            PyErr_SetString(PyExc_AttributeError, "held_tickers");
            return -1;
        }
        if (kind == m->t_ticker && (held = PySequence_Contains(m->held_tickers, sym)) < 0) {
            Py_DECREF(sym);
            return -1;
        }
        if (!held) {
            Py_DECREF(sym);
            if ((ts = PyObject_GetAttr(ev, mrg_s_ts)) == NULL)
                return -1;
            int gt = mrg_op(ts, m->clock, Py_GT);
            if (gt <= 0) {
                Py_DECREF(ts);
                return gt < 0 ? -1 : 1;
            }
            Py_SETREF(m->clock, ts);
            if (PyList_GET_SIZE(m->order) == 0)
                return 1;
            mrg_Limit lim;
            if (mrg_limit(m, &lim) < 0)
                return -1;
            int due = mrg_le_limit(PyTuple_GET_ITEM(PyList_GET_ITEM(m->order, 0), 0), &lim);
            Py_XDECREF(lim.o);
            if (due <= 0)
                return due < 0 ? -1 : 1;
            if (mrg_release_due(m, out) < 0)
                return -1;
            return PyList_Append(out, ev);
        }
        k = 2;
    } else if (kind == m->t_trade || kind == m->t_delta) {
        if ((sym = PyObject_GetAttr(ev, mrg_s_symbol)) == NULL)
            return -1;
        k = kind == m->t_trade ? 0 : 1;
    } else {
        /* a barrier: what its symbol holds (or everything, without a symbol) goes first */
        int r;
        if ((sym = PyObject_GetAttr(ev, mrg_s_symbol)) == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_AttributeError))
                return -1;
            PyErr_Clear();
            r = mrg_flush_into(m, out);
        } else {
            r = sym == Py_None ? mrg_flush_into(m, out) : mrg_release_symbol(m, sym, out);
            Py_DECREF(sym);
        }
        return r < 0 ? -1 : PyList_Append(out, ev);
    }
    /* held: a trade, a delta, or a held ticker of sym */
    int rc = -1;
    PyObject *rec = NULL, *item = NULL, *heap = NULL;
    if ((ts = PyObject_GetAttr(ev, mrg_s_ts)) == NULL) {
        Py_DECREF(sym);
        return -1;
    }
    int le0 = mrg_op(ts, ZERO, Py_LE);
    if (le0 != 0) {
        if (le0 > 0 && mrg_release_symbol(m, sym, out) == 0)
            rc = PyList_Append(out, ev);
        goto done;
    }
    if ((rec = PyDict_GetItemWithError(m->seq, sym)) != NULL)
        Py_INCREF(rec);
    else if (PyErr_Occurred() || (rec = PyList_New(6)) == NULL)
        goto done;
    else {
        for (int i = 0; i < 6; i++) {
            Py_INCREF(ZERO);
            PyList_SET_ITEM(rec, i, ZERO);
        }
        if (PyDict_SetItem(m->seq, sym, rec) < 0)
            goto done;
    }
    PyObject *n = PyList_GET_ITEM(rec, 2 * k), *last_ts = PyList_GET_ITEM(rec, 2 * k + 1);
    int lt = mrg_op(ts, last_ts, Py_LT);
    if (lt < 0)
        goto done;
    if (lt) {
        Py_INCREF(last_ts);
        Py_SETREF(ts, last_ts);  /* the stream's own order first */
    }
    PyObject *n1 = PyNumber_Add(n, mrg_one);
    if (n1 == NULL)
        goto done;
    item = PyTuple_Pack(4, ts, mrg_kinds[k], n, ev);
    if (item == NULL) {
        Py_DECREF(n1);
        goto done;
    }
    Py_INCREF(ts);
    PyList_SetItem(rec, 2 * k, n1);
    PyList_SetItem(rec, 2 * k + 1, ts);
    PyObject *front = PyDict_GetItemWithError(m->frontier, sym);
    if (front == NULL && PyErr_Occurred())
        goto done;
    if (front != NULL) {
        Py_INCREF(front);
        int late = mrg_lt(item, front);
        Py_DECREF(front);
        if (late < 0)
            goto done;
        if (late) {
            m->late++;
            rc = 1;
            goto done;
        }
    }
    if ((heap = PyDict_GetItemWithError(m->heaps, sym)) != NULL)
        Py_INCREF(heap);
    else if (PyErr_Occurred() || (heap = PyList_New(0)) == NULL || PyDict_SetItem(m->heaps, sym, heap) < 0)
        goto done;
    int first = PyList_GET_SIZE(heap) == 0;
    if (!first && (first = mrg_lt(item, PyList_GET_ITEM(heap, 0))) < 0)
        goto done;
    if (first && mrg_order_push(m, ts, sym) < 0)
        goto done;
    Py_INCREF(item);
    if (mrg_heappush(heap, item) < 0)
        goto done;
    m->held++;
    int gt = mrg_op(ts, m->clock, Py_GT);
    if (gt < 0)
        goto done;
    if (gt) {
        Py_INCREF(ts);
        Py_SETREF(m->clock, ts);
    }
    if (PyList_GET_SIZE(m->order) == 0) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        goto done;
    }
    mrg_Limit lim;
    if (mrg_limit(m, &lim) < 0)
        goto done;
    int due = mrg_le_limit(PyTuple_GET_ITEM(PyList_GET_ITEM(m->order, 0), 0), &lim);
    Py_XDECREF(lim.o);
    if (due < 0 || (due && mrg_release_due(m, out) < 0))
        goto done;
    if (PyList_GET_SIZE(heap) > m->max_held) {
        PyObject *it = mrg_heappop(heap);
        if (it == NULL)
            goto done;
        m->held--;
        m->forced++;
        int bad = mrg_set_front(m, sym, it) < 0 || PyList_Append(out, PyTuple_GET_ITEM(it, 3)) < 0;
        Py_DECREF(it);
        if (bad || (PyList_GET_SIZE(heap) > 0
                    && mrg_order_push(m, PyTuple_GET_ITEM(PyList_GET_ITEM(heap, 0), 0), sym) < 0))
            goto done;
    }
    rc = 0;
done:
    Py_XDECREF(heap);
    Py_XDECREF(item);
    Py_XDECREF(rec);
    Py_DECREF(ts);
    Py_DECREF(sym);
    return rc;
}

/* ------------------------------------------------------------------------------ methods */

static PyObject *mrg_push(mrg_Merge *m, PyObject *ev)
{
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    int r = mrg_push_into(m, ev, out);
    if (r < 0 || (r == 1 && PyList_Append(out, ev) < 0))
        Py_CLEAR(out);
    return out;
}

static PyObject *mrg_flush(mrg_Merge *m, PyObject *unused)
{
    PyObject *out = PyList_New(0);
    if (out != NULL && mrg_flush_into(m, out) < 0)
        Py_CLEAR(out);
    return out;
}

static PyObject *mrg_held_depth(mrg_Merge *m, PyObject *sym)
{
    PyObject *heap = PyDict_GetItemWithError(m->heaps, sym);
    if (heap == NULL)
        return PyErr_Occurred() ? NULL : PyList_New(0);
    PyObject *items = PyList_GetSlice(heap, 0, PyList_GET_SIZE(heap)), *out = PyList_New(0);
    if (items == NULL || out == NULL || PyList_Sort(items) < 0)
        goto fail;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *it = PyList_GET_ITEM(items, i);
        if (PyTuple_GET_ITEM(it, 1) == mrg_kinds[1] && PyList_Append(out, PyTuple_GET_ITEM(it, 3)) < 0)
            goto fail;
    }
    Py_DECREF(items);
    return out;
fail:
    Py_XDECREF(items);
    Py_XDECREF(out);
    return NULL;
}

/* The pump's context: OneEnginePipeline's (see pump). */
typedef struct {
    PyObject *feed, *symbols, *snap, *repeats, *pipe, *route, *engine, *synced, *alert;
    /* lines(): Replay.run's counts as they stand (summ NULL otherwise), written to the summary and
     * the tally before any output is routed (the tally dates a status by them) and at the end */
    PyObject *summ, *tally, *line_no, *line_written;
    Py_ssize_t lines, lines_written, messages, messages_written;
} mrg_Ctx;

static int mrg_ctx(PyObject *o, mrg_Ctx *c)
{
    if (!PyTuple_CheckExact(o) || PyTuple_GET_SIZE(o) != 9 || (PyTuple_GET_ITEM(o, 1) != Py_None
                                                                && !PyDict_CheckExact(PyTuple_GET_ITEM(o, 1)))) {
        PyErr_SetString(PyExc_TypeError, "ctx: (feed, symbols: dict | None, BookSnapshot, repeats_book, pipe, route, "
                                         "engine, FeedState.SYNCED, Alert)");
        return -1;
    }
    PyObject **f[] = {&c->feed, &c->symbols, &c->snap, &c->repeats, &c->pipe, &c->route, &c->engine, &c->synced,
                      &c->alert};
    for (int i = 0; i < 9; i++)
        *f[i] = PyTuple_GET_ITEM(o, i);
    c->summ = c->tally = c->line_no = c->line_written = NULL;
    c->lines = c->lines_written = c->messages = c->messages_written = 0;
    return 0;
}

/* summ.lines, summ.messages and tally.line_no as lines() has them now. */
static int mrg_sync(mrg_Ctx *c)
{
    if (c->summ == NULL)
        return 0;
    PyObject *names[2] = {mrg_s_lines, mrg_s_messages};
    Py_ssize_t *now[2] = {&c->lines, &c->messages}, *written[2] = {&c->lines_written, &c->messages_written};
    for (int i = 0; i < 2; i++)
        if (*now[i] != *written[i]) {
            PyObject *o = PyLong_FromSsize_t(*now[i]);
            int r = o == NULL ? -1 : PyObject_SetAttr(c->summ, names[i], o);
            Py_XDECREF(o);
            if (r < 0)
                return -1;
            *written[i] = *now[i];
        }
    if (c->line_no != c->line_written) {
        if (PyObject_SetAttr(c->tally, mrg_s_line_no, c->line_no) < 0)
            return -1;
        c->line_written = c->line_no;
    }
    return 0;
}

/* o.name += 1 */
static int mrg_incr(PyObject *o, PyObject *name, PyObject *by)
{
    PyObject *n = PyObject_GetAttr(o, name), *n1 = n == NULL ? NULL : PyNumber_InPlaceAdd(n, by);
    int r = n1 == NULL ? -1 : PyObject_SetAttr(o, name, n1);
    Py_XDECREF(n1);
    Py_XDECREF(n);
    return r;
}

/* Engine._count_trade(st, t): 1 counted, 0 a repeat (dropped), -1 an error. */
static int mrg_count_trade(PyObject *engine, PyObject *st, PyObject *t)
{
    PyObject *stats = PyObject_GetAttr(st, mrg_s_stats), *last = NULL, *ids = NULL, *tid = NULL, *lid = NULL,
             *nxt = NULL, *gap = NULL, *missed = NULL;
    int rc = -1;
    if (stats == NULL || (last = PyObject_GetAttr(st, mrg_s_last_trade)) == NULL
        || (ids = PyObject_GetAttr(engine, mrg_s_trade_ids)) == NULL)
        goto done;
    int on = PyObject_IsTrue(ids);
    if (on < 0)
        goto done;
    if (on && last != Py_None) {
        if ((tid = PyObject_GetAttr(t, mrg_s_trade_id)) == NULL || (lid = PyObject_GetAttr(last, mrg_s_trade_id)) == NULL)
            goto done;
        int dup = mrg_op(tid, lid, Py_LE);
        if (dup < 0)
            goto done;
        if (dup) {
            rc = mrg_incr(stats, mrg_s_trade_duplicates, mrg_one) < 0 ? -1 : 0;
            goto done;
        }
        if ((nxt = PyNumber_Add(lid, mrg_one)) == NULL)
            goto done;
        int ne = mrg_op(tid, nxt, Py_NE);
        if (ne < 0)
            goto done;
        if (ne) {
            if (mrg_incr(stats, mrg_s_trade_gaps, mrg_one) < 0 || (gap = PyNumber_Subtract(tid, lid)) == NULL
                || (missed = PyNumber_Subtract(gap, mrg_one)) == NULL
                || mrg_incr(stats, mrg_s_trades_missed, missed) < 0)
                goto done;
        }
    }
    if (mrg_incr(stats, mrg_s_trades, mrg_one) < 0 || PyObject_SetAttr(st, mrg_s_last_trade, t) < 0)
        goto done;
    rc = 1;
done:
    Py_XDECREF(missed);
    Py_XDECREF(gap);
    Py_XDECREF(nxt);
    Py_XDECREF(lid);
    Py_XDECREF(tid);
    Py_XDECREF(ids);
    Py_XDECREF(last);
    Py_XDECREF(stats);
    return rc;
}

/* Engine._on_trade(st, t): its outputs (a new list), or NULL with an error set. */
static PyObject *mrg_on_trade(const mrg_Ctx *c, PyObject *st, PyObject *t)
{
    PyObject *out = PyList_New(0), *hooks = NULL, *state = NULL;
    int counted = out == NULL ? -1 : mrg_count_trade(c->engine, st, t);
    if (counted <= 0)
        goto done;
    if ((hooks = PyObject_GetAttr(st, mrg_s_trade_hooks)) == NULL)
        goto fail;
    PyObject *it = PyObject_GetIter(hooks), *hook;
    if (it == NULL)
        goto fail;
    PyObject *args[2] = {st, t};
    while ((hook = PyIter_Next(it)) != NULL) {
        PyObject *r = PyObject_Vectorcall(hook, args, 2, NULL), *o = r == NULL ? NULL : PyNumber_InPlaceAdd(out, r);
        Py_XDECREF(r);
        Py_DECREF(hook);
        if (o == NULL) {
            Py_DECREF(it);
            goto fail;
        }
        Py_SETREF(out, o);
    }
    Py_DECREF(it);
    if (PyErr_Occurred() || (state = PyObject_GetAttr(st, mrg_s_state)) == NULL)
        goto fail;
    if (state != c->synced) {
        PyObject *kept = PyList_New(0), *it2 = kept == NULL ? NULL : PyObject_GetIter(out), *o;
        if (it2 == NULL) {
            Py_XDECREF(kept);
            goto fail;
        }
        while ((o = PyIter_Next(it2)) != NULL) {
            int a = PyObject_IsInstance(o, c->alert);
            if (a < 0 || (a == 0 && PyList_Append(kept, o) < 0)) {
                Py_DECREF(o);
                Py_DECREF(it2);
                Py_DECREF(kept);
                goto fail;
            }
            Py_DECREF(o);
        }
        Py_DECREF(it2);
        if (PyErr_Occurred()) {
            Py_DECREF(kept);
            goto fail;
        }
        Py_SETREF(out, kept);
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    if (counted < 0)
        Py_CLEAR(out);
    Py_XDECREF(state);
    Py_XDECREF(hooks);
    return out;
}

/* One released event to the engine, as OneEnginePipeline.feed gives it: out = feed(e); if out:
 * pipe.cause = e and each output to route. On the Engine itself (symbols given), a BookTicker or
 * Trade of a symbol whose depth is followed is what Engine.feed does with it, without its frames:
 * the ticker set as the symbol's last and counted (no observer sees it); the trade counted and
 * given to the symbol's trade_hooks, as _on_trade gives it. */
static int mrg_dispatch(PyObject *e, mrg_Ctx *c, PyTypeObject *t_ticker, PyTypeObject *t_trade)
{
    PyObject *out = NULL;
    if (c->symbols != Py_None && (Py_TYPE(e) == t_ticker || Py_TYPE(e) == t_trade)) {
        PyObject *sym = PyObject_GetAttr(e, mrg_s_symbol);
        if (sym == NULL)
            return -1;
        PyObject *st = PyDict_GetItemWithError(c->symbols, sym);
        Py_DECREF(sym);
        if (st == NULL)
            return PyErr_Occurred() ? -1 : 0;
        Py_INCREF(st);
        PyObject *top = PyObject_GetAttr(st, mrg_s_top_only);
        int t = top == NULL ? -1 : PyObject_IsTrue(top);
        Py_XDECREF(top);
        if (t == 0 && Py_TYPE(e) == t_ticker) {
            int r = PyObject_SetAttr(st, mrg_s_last_ticker, e) < 0 ? -1 : 0;
            if (r == 0) {
                PyObject *stats = PyObject_GetAttr(st, mrg_s_stats);
                r = stats == NULL ? -1 : mrg_incr(stats, mrg_s_tickers, mrg_one);
                Py_XDECREF(stats);
            }
            Py_DECREF(st);
            return r;
        }
        if (t == 0 && (out = mrg_on_trade(c, st, e)) == NULL)
            t = -1;
        Py_DECREF(st);
        if (t < 0)
            return -1;
    }
    if (out == NULL && (out = PyObject_CallOneArg(c->feed, e)) == NULL)
        return -1;
    int any = PyObject_IsTrue(out), rc = any < 0 ? -1 : 0;
    if (any > 0) {
        PyObject *it = mrg_sync(c) < 0 || PyObject_SetAttr(c->pipe, mrg_s_cause, e) < 0 ? NULL : PyObject_GetIter(out), *o;
        if (it == NULL)
            rc = -1;
        else {
            while ((o = PyIter_Next(it)) != NULL) {
                PyObject *r = PyObject_CallOneArg(c->route, o);
                Py_DECREF(o);
                if (r == NULL) {
                    rc = -1;
                    break;
                }
                Py_DECREF(r);
            }
            if (rc == 0 && PyErr_Occurred())
                rc = -1;
            Py_DECREF(it);
        }
    }
    Py_DECREF(out);
    return rc;
}

/* OneEnginePipeline.feed(events) with the context read. */
static int mrg_pump_events(mrg_Merge *m, mrg_Ctx *c, PyObject *events)
{
    PyObject *it = PyObject_GetIter(events), *ev;
    if (it == NULL)
        return -1;
    int rc = 0;
    while (rc == 0 && (ev = PyIter_Next(it)) != NULL) {
        if ((PyObject *)Py_TYPE(ev) == c->snap) {
            PyObject *r = PyObject_CallOneArg(c->repeats, ev);
            int t = r == NULL ? -1 : PyObject_IsTrue(r);
            Py_XDECREF(r);
            if (t != 0) {
                rc = t < 0 ? -1 : 0;
                Py_DECREF(ev);
                continue;
            }
        }
        PyObject *out = PyList_New(0);
        int r = out == NULL ? -1 : mrg_push_into(m, ev, out);
        if (r == 1)
            rc = mrg_dispatch(ev, c, m->t_ticker, m->t_trade);
        else if (r == 0) {
            for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(out); i++)
                rc = mrg_dispatch(PyList_GET_ITEM(out, i), c, m->t_ticker, m->t_trade);
        } else
            rc = -1;
        Py_XDECREF(out);
        Py_DECREF(ev);
    }
    Py_DECREF(it);
    return rc < 0 || PyErr_Occurred() ? -1 : 0;
}

/* pump(ctx, events): OneEnginePipeline.feed(events) in one call. ctx = (feed, symbols, BookSnapshot,
 * repeats_book, pipe, route, engine, FeedState.SYNCED, Alert): the engine's feed, its symbols dict
 * when it is an Engine itself (else None: every event through feed), the snapshot type, the
 * pipeline's _repeats_book (a snapshot it answers True for is dropped before the merge), the
 * pipeline (its cause) and its _route, the engine (its trade_ids), what _on_trade reads. */
static PyObject *mrg_pump(mrg_Merge *m, PyObject *const *args, Py_ssize_t nargs)
{
    mrg_Ctx c;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "pump(ctx, events)");
        return NULL;
    }
    if (mrg_ctx(args[0], &c) < 0)
        return NULL;
    Py_INCREF(args[0]);
    int rc = mrg_pump_events(m, &c, args[1]);
    Py_DECREF(args[0]);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* lines(ctx, lctx, items, i) -> int: Replay.run's loop over a block of decoded lines from items[i]
 * on, for the lines that are (line_no, recv_ns, events: list): counted in the summary (lines,
 * messages, snapshots), the line number set on the tally, each delta's arrival kept
 * (arrivals[id(delta)] = (lines, line_no)), the events pumped. Returns the index of the first
 * item it leaves to the caller (a bad line: events not a list), or len(items).
 * lctx = (summary, tally, arrivals: dict, BookDelta). */
static PyObject *mrg_lines(mrg_Merge *m, PyObject *const *args, Py_ssize_t nargs)
{
    mrg_Ctx c;
    if (nargs != 4 || !PyTuple_CheckExact(args[1]) || PyTuple_GET_SIZE(args[1]) != 4
        || !PyDict_CheckExact(PyTuple_GET_ITEM(args[1], 2)) || !PyList_CheckExact(args[2])
        || !PyLong_CheckExact(args[3])) {
        PyErr_SetString(PyExc_TypeError, "lines(ctx, (summary, tally, arrivals: dict, BookDelta), items: list, i: int)");
        return NULL;
    }
    if (mrg_ctx(args[0], &c) < 0)
        return NULL;
    Py_ssize_t i = PyLong_AsSsize_t(args[3]);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (i < 0) {
        PyErr_SetString(PyExc_ValueError, "i must be >= 0");
        return NULL;
    }
    PyObject *summ = PyTuple_GET_ITEM(args[1], 0), *tally = PyTuple_GET_ITEM(args[1], 1),
             *arrivals = PyTuple_GET_ITEM(args[1], 2), *t_delta = PyTuple_GET_ITEM(args[1], 3), *items = args[2];
    PyObject *o0 = PyObject_GetAttr(summ, mrg_s_lines), *o1 = o0 == NULL ? NULL : PyObject_GetAttr(summ, mrg_s_messages);
    c.lines = o0 == NULL ? -1 : PyLong_AsSsize_t(o0);
    c.messages = o1 == NULL ? -1 : PyLong_AsSsize_t(o1);
    Py_XDECREF(o0);
    Py_XDECREF(o1);
    if ((c.lines == -1 || c.messages == -1) && PyErr_Occurred())
        return NULL;
    c.summ = summ;
    c.tally = tally;
    c.lines_written = c.lines;
    c.messages_written = c.messages;
    Py_INCREF(args[0]);
    Py_INCREF(args[1]);
    Py_INCREF(items);
    int rc = 0;
    for (; i < PyList_GET_SIZE(items); i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != 3 || !PyList_CheckExact(PyTuple_GET_ITEM(item, 2)))
            break;
        Py_INCREF(item);
        PyObject *no = PyTuple_GET_ITEM(item, 0), *evs = PyTuple_GET_ITEM(item, 2), *lines = NULL, *at = NULL;
        c.lines++;
        c.messages++;
        c.line_no = no;  /* (alive in items, held here) */
        rc = -1;
        Py_ssize_t n = PyList_GET_SIZE(evs);
        if (n > 0) {
            if ((PyObject *)Py_TYPE(PyList_GET_ITEM(evs, 0)) == c.snap) {
                if (mrg_sync(&c) < 0 || mrg_incr(summ, mrg_s_snapshots, mrg_one) < 0)
                    goto next;
            }
            for (Py_ssize_t j = 0; j < PyList_GET_SIZE(evs); j++) {  /* (the first, and the others of a longer line) */
                PyObject *ev = PyList_GET_ITEM(evs, j);
                if ((PyObject *)Py_TYPE(ev) != t_delta)
                    continue;
                if (at == NULL && ((lines = PyLong_FromSsize_t(c.lines)) == NULL
                                   || (at = PyTuple_Pack(2, lines, no)) == NULL))
                    goto next;
                PyObject *id = PyLong_FromVoidPtr(ev);
                int r = id == NULL ? -1 : PyDict_SetItem(arrivals, id, at);
                Py_XDECREF(id);
                if (r < 0)
                    goto next;
            }
        }
        rc = mrg_pump_events(m, &c, evs);
    next:
        Py_XDECREF(at);
        Py_XDECREF(lines);
        Py_DECREF(item);
        if (rc < 0)
            break;
    }
    if (mrg_sync(&c) < 0)
        rc = -1;
    Py_DECREF(items);
    Py_DECREF(args[1]);
    Py_DECREF(args[0]);
    return rc < 0 ? NULL : PyLong_FromSsize_t(i);
}

/* ------------------------------------------------------------------------------- the type */

static PyObject *mrg_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *hold, *maxh, *types;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "TimeMerge(hold_ns, max_held, (BookTicker, MarkPrice, Trade, BookDelta))");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "O!O!O!:TimeMerge", &PyLong_Type, &hold, &PyLong_Type, &maxh, &PyTuple_Type, &types))
        return NULL;
    if (!PyLong_CheckExact(hold) || !PyLong_CheckExact(maxh) || PyTuple_GET_SIZE(types) != 4) {
        PyErr_SetString(PyExc_TypeError, "TimeMerge(hold_ns: int, max_held: int, four types)");
        return NULL;
    }
    for (int i = 0; i < 4; i++)
        if (!PyType_Check(PyTuple_GET_ITEM(types, i))) {
            PyErr_SetString(PyExc_TypeError, "TimeMerge: the four event types");
            return NULL;
        }
    long long h = PyLong_AsLongLong(hold);
    if (h == -1 && PyErr_Occurred())
        return NULL;
    if (h < 0) {
        PyErr_SetString(PyExc_ValueError, "hold_ns must be >= 0");
        return NULL;
    }
    int ovf = 0;
    long long mh = PyLong_AsLongLongAndOverflow(maxh, &ovf);
    if (ovf < 0 || (!ovf && mh < 1)) {
        PyErr_SetString(PyExc_ValueError, "max_held must be >= 1");
        return NULL;
    }
    mrg_Merge *m = (mrg_Merge *)type->tp_alloc(type, 0);
    if (m == NULL)
        return NULL;
    m->hold = h;
    m->max_held = ovf > 0 || mh > PY_SSIZE_T_MAX ? PY_SSIZE_T_MAX : (Py_ssize_t)mh;
    Py_INCREF(hold);
    m->hold_ns = hold;
    Py_INCREF(maxh);
    m->max_held_o = maxh;
    Py_INCREF(ZERO);
    m->clock = ZERO;
    PyTypeObject **ts[] = {&m->t_ticker, &m->t_mark, &m->t_trade, &m->t_delta};
    for (int i = 0; i < 4; i++) {
        *ts[i] = (PyTypeObject *)PyTuple_GET_ITEM(types, i);
        Py_INCREF(*ts[i]);
    }
    if ((m->held_tickers = PySet_New(NULL)) == NULL || (m->heaps = PyDict_New()) == NULL
        || (m->order = PyList_New(0)) == NULL || (m->frontier = PyDict_New()) == NULL
        || (m->seq = PyDict_New()) == NULL) {
        Py_DECREF(m);
        return NULL;
    }
    return (PyObject *)m;
}

static int mrg_traverse(mrg_Merge *m, visitproc visit, void *arg)
{
    Py_VISIT(m->hold_ns);
    Py_VISIT(m->max_held_o);
    Py_VISIT(m->clock);
    Py_VISIT(m->held_tickers);
    Py_VISIT(m->heaps);
    Py_VISIT(m->order);
    Py_VISIT(m->frontier);
    Py_VISIT(m->seq);
    Py_VISIT(m->t_ticker);
    Py_VISIT(m->t_mark);
    Py_VISIT(m->t_trade);
    Py_VISIT(m->t_delta);
    return 0;
}

static int mrg_clear(mrg_Merge *m)
{
    Py_CLEAR(m->hold_ns);
    Py_CLEAR(m->max_held_o);
    Py_CLEAR(m->clock);
    Py_CLEAR(m->held_tickers);
    Py_CLEAR(m->heaps);
    Py_CLEAR(m->order);
    Py_CLEAR(m->frontier);
    Py_CLEAR(m->seq);
    Py_CLEAR(m->t_ticker);
    Py_CLEAR(m->t_mark);
    Py_CLEAR(m->t_trade);
    Py_CLEAR(m->t_delta);
    return 0;
}

static void mrg_dealloc(mrg_Merge *m)
{
    PyObject_GC_UnTrack(m);
    mrg_clear(m);
    Py_TYPE(m)->tp_free((PyObject *)m);
}

static PyMethodDef mrg_methods[] = {
    {"push", (PyCFunction)mrg_push, METH_O, "Take one event; return the events it releases, in order (possibly none)."},
    {"flush", (PyCFunction)mrg_flush, METH_NOARGS, "Release everything held, symbol by symbol in key order."},
    {"held_depth", (PyCFunction)mrg_held_depth, METH_O, "The deltas a symbol holds now, in their stream's order."},
    {"pump", (PyCFunction)(void (*)(void))mrg_pump, METH_FASTCALL,
     "pump(ctx, events): OneEnginePipeline.feed(events) in one call (push, then each release to the engine)."},
    {"lines", (PyCFunction)(void (*)(void))mrg_lines, METH_FASTCALL,
     "lines(ctx, lctx, items, i): Replay.run's loop over a block of decoded lines, up to the first bad one."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef mrg_members[] = {
    {"hold_ns", T_OBJECT_EX, offsetof(mrg_Merge, hold_ns), READONLY, NULL},
    {"max_held", T_OBJECT_EX, offsetof(mrg_Merge, max_held_o), READONLY, NULL},
    {"clock", T_OBJECT_EX, offsetof(mrg_Merge, clock), READONLY, NULL},
    {"late", T_PYSSIZET, offsetof(mrg_Merge, late), READONLY, NULL},
    {"forced", T_PYSSIZET, offsetof(mrg_Merge, forced), READONLY, NULL},
    {"held", T_PYSSIZET, offsetof(mrg_Merge, held), READONLY, NULL},
    {"held_tickers", T_OBJECT_EX, offsetof(mrg_Merge, held_tickers), 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject mrg_MergeType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.TimeMerge",
    .tp_basicsize = sizeof(mrg_Merge),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "dom.core.merge.TimeMerge in C: TimeMerge(hold_ns, max_held, (BookTicker, MarkPrice, Trade, BookDelta)).",
    .tp_new = mrg_new,
    .tp_dealloc = (destructor)mrg_dealloc,
    .tp_traverse = (traverseproc)mrg_traverse,
    .tp_clear = (inquiry)mrg_clear,
    .tp_methods = mrg_methods,
    .tp_members = mrg_members,
};

int mrg_register(PyObject *m)
{
    PyObject **names[] = {&mrg_s_symbol, &mrg_s_ts, &mrg_s_top_only, &mrg_s_last_ticker, &mrg_s_stats, &mrg_s_tickers,
                          &mrg_s_cause, &mrg_s_last_trade, &mrg_s_trade_ids, &mrg_s_trade_id, &mrg_s_trade_duplicates,
                          &mrg_s_trade_gaps, &mrg_s_trades_missed, &mrg_s_trades, &mrg_s_trade_hooks, &mrg_s_state,
                          &mrg_s_lines, &mrg_s_messages, &mrg_s_line_no, &mrg_s_snapshots};
    const char *text[] = {"symbol", "ts_exchange_ns", "top_only", "last_ticker", "stats", "tickers", "cause",
                          "last_trade", "trade_ids", "trade_id", "trade_duplicates", "trade_gaps", "trades_missed",
                          "trades", "trade_hooks", "state", "lines", "messages", "line_no", "snapshots"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if ((*names[i] = PyUnicode_InternFromString(text[i])) == NULL)
            return -1;
    for (int i = 0; i < 3; i++)
        if ((mrg_kinds[i] = PyLong_FromLong(i)) == NULL)
            return -1;
    if ((mrg_one = PyLong_FromLong(1)) == NULL || PyType_Ready(&mrg_MergeType) < 0)
        return -1;
    return PyModule_AddObjectRef(m, "TimeMerge", (PyObject *)&mrg_MergeType);
}
