/* dom.core._native.StepStore's reads (recent, clean, state) and the type (the pass and the store's
 * rings and tables: _native_steps.c, which says what it takes). */
#include "_native_steps.h"

/* ------------------------------------------------------------------------------ the reads */

static long long clamp(PyObject *o, int *ok)
{
    int over = 0;
    long long x = PyLong_AsLongLongAndOverflow(o, &over);
    *ok = !(x == -1 && PyErr_Occurred());
    return over > 0 || x > STP_FAR ? STP_FAR : over < 0 || x < -STP_FAR ? -STP_FAR : x;
}

/* recent(side, px, now) -> (t, step): StepState.recent. A side that is neither of the store's, a
 * price past +-2^60: (0, 0) (no entry has it); a time clamped to +-2^62 (the same answer). */
static PyObject *stp_recent(StepStore *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "recent(side, px, now)");
        return NULL;
    }
    if (!PyLong_CheckExact(args[1]) || !PyLong_CheckExact(args[2]))
        Py_RETURN_NOTIMPLEMENTED;
    int ok;
    long long now = clamp(args[2], &ok), px;
    if (!ok)
        return NULL;
    int r = in_range(args[1], STP_V, &px);
    if (r < 0)
        return NULL;
    PyObject *side = args[0];
    if (r > 0 && s->used && (side == s->bid || side == s->ask)) {
        Slot *e = &s->tab[slot_of(s->tab, s->tcap, 2 * px + (side == s->ask))];
        if (e->used && now - e->t <= STP_KEEP_NS)
            return Py_BuildValue("(LL)", e->t, e->step);
    }
    return PyTuple_Pack(2, ZERO, ZERO);
}

/* clean(now): StepState.clean (a time past +-2^61: NotImplemented, nothing changed). */
static PyObject *stp_clean(StepStore *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 1) {
        PyErr_SetString(PyExc_TypeError, "clean(now)");
        return NULL;
    }
    long long now;
    int r = in_range(args[0], STP_T, &now);
    if (r <= 0)
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    if (s->n == 0 && s->cap > 64) {  /* (a burst of steps gone: the ring back to its usual size) */
        PyMem_Free(s->ring);
        s->ring = NULL, s->cap = 0, s->head = 0;
    }
    if (s->used && now >= s->clean_ns) {
        long long lo = now - STP_KEEP_NS;
        Py_ssize_t live = 0;
        for (Py_ssize_t i = 0; i < s->tcap; i++)
            live += s->tab[i].used && s->tab[i].t >= lo;
        Py_ssize_t cap = 16;
        while (2 * live > cap)
            cap *= 2;
        if (live == 0) {
            PyMem_Free(s->tab);
            s->tab = NULL, s->tcap = s->used = 0;
        } else if (stp_tab_rebuild(s, cap, lo) < 0)
            return NULL;
        s->clean_ns = now + STP_CLEAN_NS;
    }
    Py_RETURN_NONE;
}

/* state() -> (kept, at, clean_ns): StepState.state. */
static PyObject *stp_state(StepStore *s, PyObject *Py_UNUSED(ignored))
{
    PyObject *kept = PyList_New(s->n), *at = PyDict_New();
    if (kept == NULL || at == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < s->n; i++) {
        Rec *x = REC(s, i);
        PyObject *t = Py_BuildValue("(LOLLLL)", x->t, x->side ? s->ask : s->bid, x->px, x->step, x->lo, x->hi);
        if (t == NULL)
            goto fail;
        PyList_SET_ITEM(kept, i, t);
    }
    for (Py_ssize_t i = 0; i < s->tcap; i++) {
        Slot *e = &s->tab[i];
        if (!e->used)
            continue;
        long long side = e->key & 1, px = (e->key - side) / 2;
        PyObject *k = Py_BuildValue("(OL)", side ? s->ask : s->bid, px), *v = Py_BuildValue("(LL)", e->t, e->step);
        int bad = k == NULL || v == NULL || PyDict_SetItem(at, k, v) < 0;
        Py_XDECREF(k);
        Py_XDECREF(v);
        if (bad)
            goto fail;
    }
    return Py_BuildValue("(NNL)", kept, at, s->clean_ns);
fail:
    Py_XDECREF(kept);
    Py_XDECREF(at);
    return NULL;
}

/* ------------------------------------------------------------------------------- the type */

static PyObject *stp_new(PyTypeObject *type, PyObject *a, PyObject *kw)
{
    PyObject *bid, *ask;
    long long ticks;
    double tol;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "StepStore(bid, ask, move_ticks, move_tol)");
        return NULL;
    }
    if (!PyArg_ParseTuple(a, "OOLd", &bid, &ask, &ticks, &tol))
        return NULL;
    if (bid == ask || ticks < 0 || ticks > STP_V || !(tol >= -1.0 && tol <= 1.0)) {
        PyErr_SetString(PyExc_ValueError, "StepStore: two sides, a reach within 0..2^60, a tolerance within -1..1");
        return NULL;
    }
    StepStore *s = (StepStore *)type->tp_alloc(type, 0);
    if (s == NULL)
        return NULL;
    s->bid = Py_NewRef(bid), s->ask = Py_NewRef(ask);
    s->move_ticks = ticks, s->move_tol = tol;
    return (PyObject *)s;
}

static void stp_dealloc(StepStore *s)
{
    PyMem_Free(s->ring);
    PyMem_Free(s->tab);
    Py_XDECREF(s->bid);
    Py_XDECREF(s->ask);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

static PyMethodDef stp_methods[] = {
    {"observe", (PyCFunction)(void (*)(void))stp_observe, METH_FASTCALL,
     "One message's changes for this window and, paired, another (step_state.StepState.observe)."},
    {"recent", (PyCFunction)(void (*)(void))stp_recent, METH_FASTCALL, "(t, step): a level's largest recent step."},
    {"clean", (PyCFunction)(void (*)(void))stp_clean, METH_FASTCALL, "The stale levels forgotten, every 10 s."},
    {"state", (PyCFunction)stp_state, METH_NOARGS, "(kept steps, at, next cleaning), as StepState.state."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject stp_StoreType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.StepStore",
    .tp_basicsize = sizeof(StepStore),
    .tp_dealloc = (destructor)stp_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A step window's kept steps and levels' largest recent steps (step_state.py: StepState is its twin).",
    .tp_methods = stp_methods,
    .tp_new = stp_new,
};
