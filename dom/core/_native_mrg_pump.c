/* dom.core._native: the merge's pump and lines, the one-engine pipeline's loop and the replay's (_native_mrg.h). */
#include "_native_mrg.h"

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
    c->tk_sym = c->tk_st = c->tk_last = NULL;
    c->tk_n = 0;
    return 0;
}

/* A run of tickers of one followed symbol is written once: st.last_ticker = the last, and
 * st.stats.tickers += their number, what Engine.feed leaves after each of them in turn. The run is
 * written before anything that may run Python code (a feed, a hook, a route, the snapshot check,
 * the counts written back, a push other than a ticker's), before another symbol's run, and at the
 * end of each call, so no Python code ever sees the counts behind. With an error already set
 * (a call ending in one), the run is written all the same and the first error kept. */
static int mrg_tk_flush(mrg_Ctx *c)
{
    if (c->tk_st == NULL)
        return 0;
    PyObject *st = c->tk_st, *last = c->tk_last, *sym = c->tk_sym, *et, *ev, *tb;
    Py_ssize_t n = c->tk_n;
    c->tk_st = c->tk_last = c->tk_sym = NULL;
    c->tk_n = 0;
    PyErr_Fetch(&et, &ev, &tb);
    int r = PyObject_SetAttr(st, mrg_s_last_ticker, last);
    if (r == 0) {
        PyObject *stats = PyObject_GetAttr(st, mrg_s_stats), *by = stats == NULL ? NULL : PyLong_FromSsize_t(n);
        r = by == NULL ? -1 : mrg_incr(stats, mrg_s_tickers, by);
        Py_XDECREF(by);
        Py_XDECREF(stats);
    }
    Py_DECREF(st);
    Py_DECREF(last);
    Py_DECREF(sym);
    if (et != NULL) {
        if (r < 0)
            PyErr_Clear();
        PyErr_Restore(et, ev, tb);
        return -1;
    }
    return r;
}

/* summ.lines, summ.messages and tally.line_no as lines() has them now. */
static int mrg_sync(mrg_Ctx *c)
{
    if (c->summ == NULL)
        return 0;
    if (mrg_tk_flush(c) < 0)
        return -1;
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

/* One released event to the engine, as OneEnginePipeline.feed gives it: out = feed(e); if out:
 * pipe.cause = e and each output to route. On the Engine itself (symbols given), a BookTicker or
 * Trade of a symbol whose depth is followed is what Engine.feed does with it, without its frames:
 * the ticker set as the symbol's last and counted (no observer sees it); the trade counted and
 * given to the symbol's trade_hooks, as _on_trade gives it. */
static int mrg_dispatch(PyObject *e, mrg_Ctx *c, PyTypeObject *t_ticker, PyTypeObject *t_trade)
{
    PyObject *out = NULL;
    if (c->symbols != Py_None && Py_TYPE(e) == t_ticker) {
        /* A ticker of the run's symbol joins it (nothing has run since its state was read); one
         * of another followed symbol (an exact str, its state's top_only an exact False) starts
         * a run; anything else is written first and goes the usual way. */
        PyObject *sym = mrg_slot_get(e, mrg_s_symbol, mrg_sym_slots);
        if (sym == NULL)
            return -1;
        if (sym == c->tk_sym) {
            Py_DECREF(sym);
            Py_INCREF(e);
            Py_SETREF(c->tk_last, e);
            c->tk_n++;
            return 0;
        }
        if (!PyUnicode_CheckExact(sym) && mrg_tk_flush(c) < 0) {
            Py_DECREF(sym);
            return -1;
        }
        PyObject *st = PyDict_GetItemWithError(c->symbols, sym);
        if (st == NULL) {
            Py_DECREF(sym);
            return PyErr_Occurred() ? -1 : 0;
        }
        Py_INCREF(st);
        PyObject *top = PyObject_GetAttr(st, mrg_s_top_only);
        if (top == Py_False && PyUnicode_CheckExact(sym) && mrg_tk_flush(c) == 0) {
            Py_DECREF(top);
            Py_INCREF(e);
            c->tk_sym = sym;
            c->tk_st = st;
            c->tk_last = e;
            c->tk_n = 1;
            return 0;
        }
        Py_DECREF(sym);
        int t = top == NULL || PyErr_Occurred() || mrg_tk_flush(c) < 0 ? -1 : PyObject_IsTrue(top);
        Py_XDECREF(top);
        if (t == 0) {  /* (top_only false, not exactly False: written at once, as before) */
            int r = PyObject_SetAttr(st, mrg_s_last_ticker, e) < 0 ? -1 : 0;
            if (r == 0) {
                PyObject *stats = PyObject_GetAttr(st, mrg_s_stats);
                r = stats == NULL ? -1 : mrg_incr(stats, mrg_s_tickers, mrg_one);
                Py_XDECREF(stats);
            }
            Py_DECREF(st);
            return r;
        }
        Py_DECREF(st);
        if (t < 0)
            return -1;
    } else if (mrg_tk_flush(c) < 0)
        return -1;
    else if (c->symbols != Py_None && Py_TYPE(e) == t_trade) {
        PyObject *sym = mrg_slot_get(e, mrg_s_symbol, mrg_sym_slots);
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

/* OneEnginePipeline.feed(events) with the context read. A list (a decoded line's events, the
 * usual) is read by index. */
static int mrg_pump_events(mrg_Merge *m, mrg_Ctx *c, PyObject *events)
{
    int is_list = PyList_CheckExact(events);
    PyObject *it = is_list ? NULL : PyObject_GetIter(events), *ev;
    if (!is_list && it == NULL)
        return -1;
    int rc = 0;
    for (Py_ssize_t i = 0; rc == 0; i++) {
        if (is_list) {
            if (i >= PyList_GET_SIZE(events))
                break;
            ev = PyList_GET_ITEM(events, i);
            Py_INCREF(ev);
        } else if (mrg_tk_flush(c) < 0) {  /* (an iterator's next may run Python code) */
            rc = -1;
            break;
        } else if ((ev = PyIter_Next(it)) == NULL)
            break;
        if (Py_TYPE(ev) != m->t_ticker && mrg_tk_flush(c) < 0) {  /* (a push that may run Python code) */
            Py_DECREF(ev);
            rc = -1;
            break;
        }
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
            for (Py_ssize_t j = 0; rc == 0 && j < PyList_GET_SIZE(out); j++)
                rc = mrg_dispatch(PyList_GET_ITEM(out, j), c, m->t_ticker, m->t_trade);
        } else
            rc = -1;
        Py_XDECREF(out);
        Py_DECREF(ev);
    }
    Py_XDECREF(it);
    return rc < 0 || PyErr_Occurred() ? -1 : 0;
}

/* pump(ctx, events): OneEnginePipeline.feed(events) in one call. ctx = (feed, symbols, BookSnapshot,
 * repeats_book, pipe, route, engine, FeedState.SYNCED, Alert): the engine's feed, its symbols dict
 * when it is an Engine itself (else None: every event through feed), the snapshot type, the
 * pipeline's _repeats_book (a snapshot it answers True for is dropped before the merge), the
 * pipeline (its cause) and its _route, the engine (its trade_ids), what _on_trade reads. */
PyObject *mrg_pump(mrg_Merge *m, PyObject *const *args, Py_ssize_t nargs)
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
    if (mrg_tk_flush(&c) < 0)
        rc = -1;
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
PyObject *mrg_lines(mrg_Merge *m, PyObject *const *args, Py_ssize_t nargs)
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
    if (mrg_sync(&c) < 0)  /* (the tickers' run written first) */
        rc = -1;
    Py_DECREF(items);
    Py_DECREF(args[1]);
    Py_DECREF(args[0]);
    return rc < 0 ? NULL : PyLong_FromSsize_t(i);
}
