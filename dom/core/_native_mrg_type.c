/* dom.core._native: the TimeMerge type (_native_mrg.h), its methods and attributes. */
#include "_native_mrg.h"
#include <structmember.h>

PyObject *mrg_s_symbol, *mrg_s_ts, *mrg_s_top_only, *mrg_s_last_ticker, *mrg_s_stats, *mrg_s_tickers, *mrg_s_cause,
    *mrg_s_last_trade, *mrg_s_trade_ids, *mrg_s_trade_id, *mrg_s_trade_duplicates, *mrg_s_trade_gaps, *mrg_s_trades_missed,
    *mrg_s_trades, *mrg_s_trade_hooks, *mrg_s_state, *mrg_s_lines, *mrg_s_messages, *mrg_s_line_no, *mrg_s_snapshots,
    *mrg_kinds[3], *mrg_one;

/* ------------------------------------------------------------------------------ methods */

PyObject *mrg_push(mrg_Merge *m, PyObject *ev)
{
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    int r = mrg_push_into(m, ev, out);
    if (r < 0 || (r == 1 && PyList_Append(out, ev) < 0))
        Py_CLEAR(out);
    return out;
}

PyObject *mrg_flush(mrg_Merge *m, PyObject *unused)
{
    PyObject *out = PyList_New(0);
    if (out != NULL && mrg_flush_into(m, out) < 0)
        Py_CLEAR(out);
    return out;
}

PyObject *mrg_held_depth(mrg_Merge *m, PyObject *sym)
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
