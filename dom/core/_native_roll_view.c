/* dom.core._native.RollSamples' read views (.sorted: the values ascending, as the twin's list;
 * .q: the (t, v) samples in arrival order, as the twin's deque) and the move of its samples to the
 * twin (_native_roll.c: the storage and the writes). A view reads its samples' current state at
 * each access (a list is not built per read); once the twin holds them, it reads the twin's. */
#include "_native_roll.h"

PyObject *rol_S_q, *rol_S_sorted;

typedef struct {
    PyObject_HEAD
    rol_Samples *owner;
    int kind;  /* 0: the values sorted; 1: the arrivals */
} rol_View;

int rol_init(void)
{
    if ((rol_S_q = PyUnicode_InternFromString("q")) == NULL
        || (rol_S_sorted = PyUnicode_InternFromString("sorted")) == NULL)
        return -1;
    return PyType_Ready(&rol_SamplesType) < 0 || PyType_Ready(&rol_ViewType) < 0 ? -1 : 0;
}

static PyObject *pair_at(rol_Samples *s, Py_ssize_t i)
{
    rol_Pair e = ROL_AT(s, i);
    return Py_BuildValue("(LL)", e.t, e.v);
}

/* The samples as a new list: the values ascending (kind 0) or the (t, v) tuples in arrival order. */
static PyObject *as_list(rol_Samples *s, int kind)
{
    PyObject *l = PyList_New(s->n);
    if (l == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < s->n; i++) {
        PyObject *x = kind ? pair_at(s, i) : PyLong_FromLongLong(s->srt[i]);
        if (x == NULL) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, i, x);
    }
    return l;
}

int rol_to_twin(rol_Samples *s)
{
    if (s->twin_cls == NULL) {
        PyErr_SetString(PyExc_TypeError, "RollSamples: an input C does not take, and no twin class (type(self).twin)");
        return -1;
    }
    PyObject *twin = PyObject_CallNoArgs(s->twin_cls), *q = NULL, *pairs = NULL, *vals = NULL, *r = NULL;
    if (twin == NULL)
        return -1;
    if ((q = PyObject_GetAttr(twin, rol_S_q)) == NULL || (pairs = as_list(s, 1)) == NULL
        || (vals = as_list(s, 0)) == NULL || (r = PyObject_CallMethod(q, "extend", "O", pairs)) == NULL
        || PyObject_SetAttr(twin, rol_S_sorted, vals) < 0) {
        Py_XDECREF(r);
        Py_XDECREF(q);
        Py_XDECREF(pairs);
        Py_XDECREF(vals);
        Py_DECREF(twin);
        return -1;
    }
    Py_DECREF(r);
    Py_DECREF(q);
    Py_DECREF(pairs);
    Py_DECREF(vals);
    s->twin = twin;
    PyMem_Free(s->srt);
    PyMem_Free(s->ring);
    s->srt = NULL, s->ring = NULL, s->n = s->scap = s->rcap = s->head = 0;
    return 0;
}

PyObject *rol_view(rol_Samples *s, int kind)
{
    if (s->twin != NULL)
        return PyObject_GetAttr(s->twin, kind ? rol_S_q : rol_S_sorted);
    rol_View *v = PyObject_New(rol_View, &rol_ViewType);
    if (v == NULL)
        return NULL;
    v->owner = (rol_Samples *)Py_NewRef(s);
    v->kind = kind;
    return (PyObject *)v;
}

/* The twin's list or deque (a new reference) once it holds the samples; NULL (no error) while C does. */
static PyObject *twins(rol_View *v)
{
    return v->owner->twin ? PyObject_GetAttr(v->owner->twin, v->kind ? rol_S_q : rol_S_sorted) : NULL;
}

static Py_ssize_t view_len(rol_View *v)
{
    PyObject *t = twins(v);
    if (t == NULL)
        return PyErr_Occurred() ? -1 : v->owner->n;
    Py_ssize_t n = PyObject_Size(t);
    Py_DECREF(t);
    return n;
}

static PyObject *view_item(rol_View *v, Py_ssize_t i)
{
    PyObject *t = twins(v);
    if (t != NULL) {
        PyObject *r = PySequence_GetItem(t, i);
        Py_DECREF(t);
        return r;
    }
    if (PyErr_Occurred())
        return NULL;
    rol_Samples *s = v->owner;
    if (i < 0 || i >= s->n) {
        PyErr_SetString(PyExc_IndexError, v->kind ? "deque index out of range" : "list index out of range");
        return NULL;
    }
    return v->kind ? pair_at(s, i) : PyLong_FromLongLong(s->srt[i]);
}

static PyObject *view_subscript(rol_View *v, PyObject *key)
{
    PyObject *t = twins(v);
    if (t != NULL) {
        PyObject *r = PyObject_GetItem(t, key);
        Py_DECREF(t);
        return r;
    }
    if (PyErr_Occurred())
        return NULL;
    rol_Samples *s = v->owner;
    if (PyIndex_Check(key)) {
        Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
        if (i == -1 && PyErr_Occurred())
            return NULL;
        return view_item(v, i < 0 ? i + s->n : i);
    }
    if (PySlice_Check(key) && v->kind == 0) {
        Py_ssize_t start, stop, step;
        if (PySlice_Unpack(key, &start, &stop, &step) < 0)
            return NULL;
        Py_ssize_t k = PySlice_AdjustIndices(s->n, &start, &stop, step);
        PyObject *l = PyList_New(k);
        for (Py_ssize_t j = 0, i = start; l != NULL && j < k; j++, i += step) {
            PyObject *x = PyLong_FromLongLong(s->srt[i]);
            if (x == NULL)
                Py_CLEAR(l);
            else
                PyList_SET_ITEM(l, j, x);
        }
        return l;
    }
    PyErr_Format(PyExc_TypeError, "%s indices must be integers%s, not %.200s", v->kind ? "sequence" : "list",
                 v->kind ? "" : " or slices", Py_TYPE(key)->tp_name);
    return NULL;
}

static int view_contains(rol_View *v, PyObject *x)
{
    PyObject *t = twins(v);
    if (t != NULL) {
        int r = PySequence_Contains(t, x);
        Py_DECREF(t);
        return r;
    }
    if (PyErr_Occurred())
        return -1;
    rol_Samples *s = v->owner;
    long long k;
    if (v->kind == 0 && exact_int(x, &k) > 0) {  /* (a binary search; other kinds compared one by one) */
        Py_ssize_t lo = 0, hi = s->n;
        while (lo < hi) {
            Py_ssize_t mid = lo + (hi - lo) / 2;
            if (s->srt[mid] < k)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < s->n && s->srt[lo] == k;
    }
    if (PyErr_Occurred())
        return -1;
    for (Py_ssize_t i = 0; i < s->n; i++) {
        PyObject *y = view_item(v, i);
        int r = y == NULL ? -1 : PyObject_RichCompareBool(y, x, Py_EQ);
        Py_XDECREF(y);
        if (r != 0)
            return r;
        if (i >= s->n || v->owner->twin)  /* (a comparison that changed the samples: stop) */
            break;
    }
    return 0;
}

/* The view as a new list (the twin's list or deque copied into one). */
static PyObject *view_list(rol_View *v)
{
    PyObject *t = twins(v);
    if (t != NULL) {
        PyObject *l = PySequence_List(t);
        Py_DECREF(t);
        return l;
    }
    return PyErr_Occurred() ? NULL : as_list(v->owner, v->kind);
}

/* at(i): the i-th smallest value (negative: from the largest), as .sorted[i]. */
PyObject *rol_at(rol_Samples *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (!rol_nargs_ok(nargs, 1, "at(i)"))
        return NULL;
    if (s->twin != NULL) {
        PyObject *l = PyObject_GetAttr(s->twin, rol_S_sorted);
        PyObject *r = l == NULL ? NULL : PyObject_GetItem(l, args[0]);
        Py_XDECREF(l);
        return r;
    }
    Py_ssize_t i = PyNumber_AsSsize_t(args[0], PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (i < 0)
        i += s->n;
    if (i < 0 || i >= s->n) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        return NULL;
    }
    return PyLong_FromLongLong(s->srt[i]);
}

/* .sorted[-m:] == prev, the slice built (what same_top's loop does not take). */
static PyObject *same_top_slice(rol_Samples *s, PyObject *m, PyObject *prev)
{
    PyObject *l = s->twin != NULL ? PyObject_GetAttr(s->twin, rol_S_sorted) : rol_view(s, 0), *r = NULL;
    PyObject *neg = l == NULL ? NULL : PyNumber_Negative(m);
    PyObject *sl = neg == NULL ? NULL : PySlice_New(neg, NULL, NULL);
    PyObject *top = sl == NULL ? NULL : PyObject_GetItem(l, sl);
    if (top != NULL)
        r = PyObject_RichCompare(top, prev, Py_EQ);
    Py_XDECREF(l);
    Py_XDECREF(neg);
    Py_XDECREF(sl);
    Py_XDECREF(top);
    return r;
}

/* same_top(m, prev): .sorted[-m:] == prev without building the slice (steps.py: have the window's
 * m largest changed since its tail fits?). prev a list of exact ints within int64, m an int: read
 * in place; anything else compared as that slice. */
PyObject *rol_same_top(rol_Samples *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (!rol_nargs_ok(nargs, 2, "same_top(m, prev)"))
        return NULL;
    PyObject *prev = args[1];
    long long m;
    int r = s->twin == NULL && PyList_CheckExact(prev) ? exact_int(args[0], &m) : 0;
    if (r < 0)
        return NULL;
    if (r == 0 || m < -PY_SSIZE_T_MAX || m > PY_SSIZE_T_MAX)
        return same_top_slice(s, args[0], prev);
    Py_ssize_t n = s->n, start = m > 0 ? (m >= n ? 0 : n - m) : (m == 0 ? 0 : (-m > n ? n : -m));
    if (PyList_GET_SIZE(prev) != n - start)
        Py_RETURN_FALSE;
    for (Py_ssize_t i = start; i < n; i++) {
        long long v;
        r = exact_int(PyList_GET_ITEM(prev, i - start), &v);
        if (r < 0)
            return NULL;
        if (r == 0)
            return same_top_slice(s, args[0], prev);
        if (v != s->srt[i])
            Py_RETURN_FALSE;
    }
    Py_RETURN_TRUE;
}

/* Compared as the list it shows (.sorted == [1, 2] as the twin's list would; .q as a list of pairs). */
static PyObject *view_richcompare(rol_View *v, PyObject *other, int op)
{
    PyObject *a = view_list(v), *b, *r;
    if (a == NULL)
        return NULL;
    if (Py_TYPE(other) == &rol_ViewType)
        b = view_list((rol_View *)other);
    else
        b = Py_NewRef(other);
    if (b == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    r = PyObject_RichCompare(a, b, op);
    Py_DECREF(a);
    Py_DECREF(b);
    return r;
}

static PyObject *view_repr(rol_View *v)
{
    PyObject *l = view_list(v);
    if (l == NULL)
        return NULL;
    PyObject *r = PyObject_Repr(l);
    Py_DECREF(l);
    return r;
}

static void view_dealloc(rol_View *v)
{
    Py_DECREF(v->owner);
    PyObject_Free(v);
}

static PySequenceMethods view_seq = {
    .sq_length = (lenfunc)view_len,
    .sq_item = (ssizeargfunc)view_item,
    .sq_contains = (objobjproc)view_contains,
};

static PyMappingMethods view_map = {
    .mp_length = (lenfunc)view_len,
    .mp_subscript = (binaryfunc)view_subscript,
};

PyTypeObject rol_ViewType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.RollView",
    .tp_basicsize = sizeof(rol_View),
    .tp_dealloc = (destructor)view_dealloc,
    .tp_repr = (reprfunc)view_repr,
    .tp_as_sequence = &view_seq,
    .tp_as_mapping = &view_map,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A read-only view of a RollSamples' values sorted or its arrivals.",
    .tp_richcompare = (richcmpfunc)view_richcompare,
};
