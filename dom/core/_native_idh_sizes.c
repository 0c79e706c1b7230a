/* dom.core._native.IdhSizes: the iceberg-like detector's recent add sizes kept sorted (its
 * add_sizes; iceberg.py make_sizes), what it reads of a sortedcontainers.SortedList of ints in C:
 * add, remove, bisect_left, bisect_right, len, iteration in order. One sorted array (a few
 * thousand sizes: an insertion moves a few kilobytes). add() of anything but an exact int within
 * +-2^53 returns NotImplemented with nothing done (the detector then moves to a SortedList of the
 * same sizes: its twin). A bisect takes a float or an int and counts as the SortedList does (a
 * NaN: 0 to the left, all to the right). Every global name here starts with idh_ / Idh. */
#include "_native.h"

#define IDH_SIZE_LIM (1LL << 53)

typedef struct {
    PyObject_HEAD
    long long *a;
    Py_ssize_t n, cap;
} IdhSizes;

static PyObject *idh_sz_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    if (PyTuple_GET_SIZE(args) || (kw != NULL && PyDict_GET_SIZE(kw))) {
        PyErr_SetString(PyExc_TypeError, "IdhSizes() takes no arguments");
        return NULL;
    }
    return type->tp_alloc(type, 0);
}

static void idh_sz_dealloc(IdhSizes *s)
{
    PyMem_Free(s->a);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

/* the first index whose size is >= x (right: > x) */
static Py_ssize_t idh_sz_bisect_ll(IdhSizes *s, long long x, int right)
{
    Py_ssize_t lo = 0, hi = s->n;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (right ? x < s->a[mid] : s->a[mid] < x)
            right ? (hi = mid) : (lo = mid + 1);
        else
            right ? (lo = mid + 1) : (hi = mid);
    }
    return lo;
}

static Py_ssize_t idh_sz_bisect_d(IdhSizes *s, double x, int right)
{
    Py_ssize_t lo = 0, hi = s->n;  /* (every size is an exact double) */
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (right ? x < (double)s->a[mid] : (double)s->a[mid] < x)
            right ? (hi = mid) : (lo = mid + 1);
        else
            right ? (lo = mid + 1) : (hi = mid);
    }
    return lo;
}

static PyObject *idh_sz_bisect(IdhSizes *s, PyObject *v, int right)
{
    if (PyFloat_Check(v))
        return PyLong_FromSsize_t(idh_sz_bisect_d(s, PyFloat_AS_DOUBLE(v), right));
    if (!PyLong_Check(v)) {
        PyErr_SetString(PyExc_TypeError, "IdhSizes: a bisect takes a float or an int");
        return NULL;
    }
    int over = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &over);
    if (x == -1 && PyErr_Occurred())
        return NULL;
    if (over)  /* past every size */
        return PyLong_FromSsize_t(over > 0 ? s->n : 0);
    return PyLong_FromSsize_t(idh_sz_bisect_ll(s, x, right));
}

static PyObject *idh_sz_bisect_left(IdhSizes *s, PyObject *v)
{
    return idh_sz_bisect(s, v, 0);
}

static PyObject *idh_sz_bisect_right(IdhSizes *s, PyObject *v)
{
    return idh_sz_bisect(s, v, 1);
}

/* add(x) -> None | NotImplemented */
static PyObject *idh_sz_add(IdhSizes *s, PyObject *v)
{
    long long x;
    int r = in_range(v, IDH_SIZE_LIM, &x);
    if (r < 0)
        return NULL;
    if (r == 0)
        Py_RETURN_NOTIMPLEMENTED;
    if (s->n == s->cap) {
        Py_ssize_t cap = s->cap ? 2 * s->cap : 64;
        long long *a = PyMem_Realloc(s->a, cap * sizeof(long long));
        if (a == NULL)
            return PyErr_NoMemory();
        s->a = a, s->cap = cap;
    }
    Py_ssize_t i = idh_sz_bisect_ll(s, x, 1);
    memmove(s->a + i + 1, s->a + i, (s->n - i) * sizeof(long long));
    s->a[i] = x;
    s->n++;
    Py_RETURN_NONE;
}

/* remove(x): ValueError when x is not held (as SortedList.remove) */
static PyObject *idh_sz_remove(IdhSizes *s, PyObject *v)
{
    long long x;
    int r = in_range(v, IDH_SIZE_LIM, &x);
    if (r < 0)
        return NULL;
    Py_ssize_t i = r ? idh_sz_bisect_ll(s, x, 0) : s->n;
    if (i == s->n || s->a[i] != x) {
        PyErr_Format(PyExc_ValueError, "%R not in list", v);
        return NULL;
    }
    memmove(s->a + i, s->a + i + 1, (s->n - i - 1) * sizeof(long long));
    s->n--;
    Py_RETURN_NONE;
}

static Py_ssize_t idh_sz_len(IdhSizes *s)
{
    return s->n;
}

/* iteration: the sizes in order, over a list made of them */
static PyObject *idh_sz_iter(IdhSizes *s)
{
    PyObject *l = PyList_New(s->n);
    if (l == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < s->n; i++) {
        PyObject *x = PyLong_FromLongLong(s->a[i]);
        if (x == NULL) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, i, x);
    }
    PyObject *it = PyObject_GetIter(l);
    Py_DECREF(l);
    return it;
}

static PyMethodDef idh_sz_methods[] = {
    {"add", (PyCFunction)idh_sz_add, METH_O,
     "add(x): as SortedList.add; NotImplemented for x not an exact int within 2^53"},
    {"remove", (PyCFunction)idh_sz_remove, METH_O, "remove(x): as SortedList.remove"},
    {"bisect_left", (PyCFunction)idh_sz_bisect_left, METH_O, "bisect_left(v): as SortedList.bisect_left"},
    {"bisect_right", (PyCFunction)idh_sz_bisect_right, METH_O, "bisect_right(v): as SortedList.bisect_right"},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods idh_sz_seq = {.sq_length = (lenfunc)idh_sz_len};

PyTypeObject idh_SizesType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.IdhSizes",
    .tp_basicsize = sizeof(IdhSizes),
    .tp_dealloc = (destructor)idh_sz_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The iceberg-like detector's recent add sizes, sorted (a SortedList of ints is its twin).",
    .tp_as_sequence = &idh_sz_seq,
    .tp_iter = (getiterfunc)idh_sz_iter,
    .tp_methods = idh_sz_methods,
    .tp_new = idh_sz_new,
};
