/* dom.core._native: the pump's trade of a followed symbol, as the Engine counts it and gives it to the
 * symbol's trade hooks (_native_mrg.h). */
#include "_native_mrg.h"

/* o.name += by */
int mrg_incr(PyObject *o, PyObject *name, PyObject *by)
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
        if ((tid = mrg_slot_get(t, mrg_s_trade_id, mrg_tid_slots)) == NULL
            || (lid = mrg_slot_get(last, mrg_s_trade_id, mrg_tid_slots)) == NULL)
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

/* out += hook(*args) (Engine._on_trade's): 0, or -1 with an error set. A hook's empty list adds
 * nothing (list.__iadd__ of one: out as it was), so it is not handed to PyNumber_InPlaceAdd. */
static int mrg_hook_add(PyObject **out, PyObject *hook, PyObject *const *args)
{
    PyObject *r = PyObject_Vectorcall(hook, args, 2, NULL);
    if (r == NULL)
        return -1;
    if (PyList_CheckExact(r) && PyList_GET_SIZE(r) == 0) {
        Py_DECREF(r);
        return 0;
    }
    PyObject *o = PyNumber_InPlaceAdd(*out, r);
    Py_DECREF(r);
    if (o == NULL)
        return -1;
    Py_SETREF(*out, o);
    return 0;
}

/* Engine._on_trade(st, t): its outputs (a new list), or NULL with an error set. st.trade_hooks, a
 * list, is read by index as its iterator reads it (its length read again before each hook: one a
 * hook adds is called, one it removes is not); anything else through its iterator. */
PyObject *mrg_on_trade(const mrg_Ctx *c, PyObject *st, PyObject *t)
{
    PyObject *out = PyList_New(0), *hooks = NULL, *state = NULL;
    int counted = out == NULL ? -1 : mrg_count_trade(c->engine, st, t);
    if (counted <= 0)
        goto done;
    if ((hooks = PyObject_GetAttr(st, mrg_s_trade_hooks)) == NULL)
        goto fail;
    PyObject *args[2] = {st, t}, *hook;
    if (PyList_CheckExact(hooks))
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(hooks); i++) {
            hook = Py_NewRef(PyList_GET_ITEM(hooks, i));
            int rc = mrg_hook_add(&out, hook, args);
            Py_DECREF(hook);
            if (rc < 0)
                goto fail;
        }
    else {
        PyObject *it = PyObject_GetIter(hooks);
        if (it == NULL)
            goto fail;
        while ((hook = PyIter_Next(it)) != NULL) {
            int rc = mrg_hook_add(&out, hook, args);
            Py_DECREF(hook);
            if (rc < 0) {
                Py_DECREF(it);
                goto fail;
            }
        }
        Py_DECREF(it);
    }
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
