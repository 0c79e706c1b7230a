/* dom.core._native: the merge's releases and its push (dom.core.merge.TimeMerge's, in C; see _native_mrg.h). */
#include "_native_mrg.h"

/* ---------------------------------------------------------------------------- releases */

int mrg_release_due(mrg_Merge *m, PyObject *out)
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

int mrg_release_symbol(mrg_Merge *m, PyObject *sym, PyObject *out)
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

int mrg_flush_into(mrg_Merge *m, PyObject *out)
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
int mrg_push_into(mrg_Merge *m, PyObject *ev, PyObject *out)
{
    PyTypeObject *kind = Py_TYPE(ev);
    PyObject *sym, *ts;
    int k;
    if (kind == m->t_ticker || kind == m->t_mark) {
        if ((sym = mrg_slot_get(ev, mrg_s_symbol, mrg_sym_slots)) == NULL)
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
            if ((ts = mrg_slot_get(ev, mrg_s_ts, mrg_ts_slots)) == NULL)
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
        if ((sym = mrg_slot_get(ev, mrg_s_symbol, mrg_sym_slots)) == NULL)
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
    if ((ts = mrg_slot_get(ev, mrg_s_ts, mrg_ts_slots)) == NULL) {
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
