/* dom.core._native.RollSamples: detectors/rolling.py's RollingSamples in C (RollingSamplesPy is its
 * twin). The values sorted in an int64 array (an insert or a removal: a binary search and one
 * memmove; a batch, one pass), the arrivals in a ring of (t, v). What it does not take (a time or a
 * value that is not an exact int within int64, add_many of anything but a list or a tuple) it
 * declines: its samples move to the twin (type(self).twin), which holds them from then on, every
 * call passed to it. Nothing is lost and the answers are the same; it never raises for the input. */
#include "_native_roll.h"

#define ROL_MIN 16
#define ROL_CHUNK 256

static Py_ssize_t upper(const long long *a, Py_ssize_t lo, Py_ssize_t hi, long long x)
{
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (x < a[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static Py_ssize_t lower(const long long *a, Py_ssize_t lo, Py_ssize_t hi, long long x)
{
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void sort_ll(long long *a, Py_ssize_t k)
{
    for (Py_ssize_t i = 1; i < k; i++) {
        long long x = a[i];
        Py_ssize_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* Both arrays resized to hold ``cap`` samples (cap >= n; the ring's a power of two). */
static int resize(rol_Samples *s, Py_ssize_t cap)
{
    if (cap > PY_SSIZE_T_MAX / (Py_ssize_t)(2 * sizeof(rol_Pair))) {
        PyErr_NoMemory();
        return -1;
    }
    rol_Pair *ring = PyMem_Malloc(cap * sizeof(rol_Pair));
    long long *srt = PyMem_Realloc(s->srt, cap * sizeof(long long));
    if (ring == NULL || srt == NULL) {
        PyMem_Free(ring);
        if (srt != NULL)
            s->srt = srt;
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < s->n; i++)
        ring[i] = ROL_AT(s, i);
    PyMem_Free(s->ring);
    s->ring = ring, s->srt = srt, s->rcap = s->scap = cap, s->head = 0;
    return 0;
}

static int reserve(rol_Samples *s, Py_ssize_t k)
{
    if (s->n + k <= s->rcap)
        return 0;
    Py_ssize_t cap = s->rcap ? s->rcap : ROL_MIN;
    while (cap < s->n + k) {
        if (cap > PY_SSIZE_T_MAX / 4) {
            PyErr_NoMemory();
            return -1;
        }
        cap *= 2;
    }
    return resize(s, cap);
}

/* After samples left: the arrays back to at most four times what they hold (memory bounded). */
static void shrink(rol_Samples *s)
{
    if (s->rcap > 4 * ROL_MIN && 4 * s->n < s->rcap) {
        Py_ssize_t cap = ROL_MIN;
        while (cap < 2 * s->n)
            cap *= 2;
        if (resize(s, cap) < 0)
            PyErr_Clear();  /* (keeping the larger arrays is no error) */
    }
}

/* The values r[0..k) (ascending, each one held) out of the sorted array, in one pass. */
static void drop_sorted(rol_Samples *s, const long long *r, Py_ssize_t k)
{
    long long *a = s->srt;
    Py_ssize_t n = s->n, w = 0, rd = 0;
    for (Py_ssize_t j = 0; j < k; j++) {
        Py_ssize_t p = lower(a, rd, n, r[j]);
        if (p >= n || a[p] != r[j])
            continue;  /* (not held: cannot happen, the ring and the array hold the same values) */
        memmove(a + w, a + rd, (p - rd) * sizeof(long long));
        w += p - rd;
        rd = p + 1;
    }
    memmove(a + w, a + rd, (n - rd) * sizeof(long long));
    s->n = w + (n - rd);
}

/* The values b[0..k) (ascending) into the sorted array (room reserved): each after its equals, one pass. */
static void merge_sorted(rol_Samples *s, const long long *b, Py_ssize_t k)
{
    long long *a = s->srt;
    Py_ssize_t hi = s->n;
    for (Py_ssize_t j = k - 1; j >= 0; j--) {
        Py_ssize_t p = upper(a, 0, hi, b[j]);
        memmove(a + p + j + 1, a + p, (hi - p) * sizeof(long long));
        a[p + j] = b[j];
        hi = p;
    }
}

/* ------------------------------------------------------------------------------ the twin */

static PyObject *pass(rol_Samples *s, const char *name, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *m = PyObject_GetAttrString(s->twin, name);
    if (m == NULL)
        return NULL;
    PyObject *r = PyObject_Vectorcall(m, args, nargs, NULL);
    Py_DECREF(m);
    return r;
}

static PyObject *decline(rol_Samples *s, const char *name, PyObject *const *args, Py_ssize_t nargs)
{
    if (s->twin == NULL && rol_to_twin(s) < 0)
        return NULL;
    return pass(s, name, args, nargs);
}

int rol_nargs_ok(Py_ssize_t nargs, Py_ssize_t want, const char *sig)
{
    if (nargs == want)
        return 1;
    PyErr_Format(PyExc_TypeError, "%s takes %zd arguments (%zd given)", sig, want, nargs);
    return 0;
}

/* ------------------------------------------------------------------------------ the writes */

static PyObject *rol_add(rol_Samples *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (!rol_nargs_ok(nargs, 2, "add(t, v)"))
        return NULL;
    if (s->twin != NULL)
        return pass(s, "add", args, nargs);
    long long t, v;
    int r1 = exact_int(args[0], &t), r2 = r1 > 0 ? exact_int(args[1], &v) : 0;
    if (r1 < 0 || r2 < 0)
        return NULL;
    if (!r1 || !r2)
        return decline(s, "add", args, nargs);
    if (reserve(s, 1) < 0)
        return NULL;
    rol_Pair *e = &ROL_AT(s, s->n);
    e->t = t, e->v = v;
    Py_ssize_t p = upper(s->srt, 0, s->n, v);
    memmove(s->srt + p + 1, s->srt + p, (s->n - p) * sizeof(long long));
    s->srt[p] = v;
    s->n++;
    Py_RETURN_NONE;
}

static PyObject *rol_add_many(rol_Samples *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (!rol_nargs_ok(nargs, 2, "add_many(t, vs)"))
        return NULL;
    if (s->twin != NULL)
        return pass(s, "add_many", args, nargs);
    PyObject *vs = args[1];
    if (!PyList_CheckExact(vs) && !PyTuple_CheckExact(vs))
        return decline(s, "add_many", args, nargs);
    Py_ssize_t k = PySequence_Fast_GET_SIZE(vs);
    if (k == 0)
        Py_RETURN_NONE;
    long long t, small[ROL_CHUNK], *b = small;
    int r = exact_int(args[0], &t);
    if (r <= 0)
        return r < 0 ? NULL : decline(s, "add_many", args, nargs);
    if (k > ROL_CHUNK && (b = PyMem_Malloc(k * sizeof(long long))) == NULL)
        return PyErr_NoMemory();
    PyObject **items = PySequence_Fast_ITEMS(vs);
    for (Py_ssize_t i = 0; i < k; i++) {
        r = exact_int(items[i], &b[i]);
        if (r <= 0) {
            if (b != small)
                PyMem_Free(b);
            return r < 0 ? NULL : decline(s, "add_many", args, nargs);
        }
    }
    if (reserve(s, k) < 0) {
        if (b != small)
            PyMem_Free(b);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < k; i++) {
        rol_Pair *e = &ROL_AT(s, s->n + i);
        e->t = t, e->v = b[i];
    }
    sort_ll(b, k);
    merge_sorted(s, b, k);
    s->n += k;
    if (b != small)
        PyMem_Free(b);
    Py_RETURN_NONE;
}

static int cmp_ll(const void *x, const void *y)
{
    long long a = *(const long long *)x, b = *(const long long *)y;
    return (a > b) - (a < b);
}

static PyObject *rol_expire(rol_Samples *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (!rol_nargs_ok(nargs, 1, "expire(horizon)"))
        return NULL;
    if (s->twin != NULL)
        return pass(s, "expire", args, nargs);
    long long h;
    int r = exact_int(args[0], &h);
    if (r <= 0)
        return r < 0 ? NULL : decline(s, "expire", args, nargs);
    if (s->n == 0 || ROL_AT(s, 0).t >= h)
        Py_RETURN_NONE;
    long long buf[ROL_CHUNK];
    while (s->n && ROL_AT(s, 0).t < h) {
        Py_ssize_t k = 0;
        while (k < ROL_CHUNK && k < s->n && ROL_AT(s, k).t < h) {
            buf[k] = ROL_AT(s, k).v;
            k++;
        }
        if (k > 16)
            qsort(buf, k, sizeof(long long), cmp_ll);
        else
            sort_ll(buf, k);
        s->head = (s->head + k) & (s->rcap - 1);
        drop_sorted(s, buf, k);  /* (n less k) */
    }
    shrink(s);
    Py_RETURN_NONE;
}

static PyObject *rol_remove(rol_Samples *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (!rol_nargs_ok(nargs, 2, "remove(t, v)"))
        return NULL;
    if (s->twin != NULL)
        return pass(s, "remove", args, nargs);
    long long t, v;
    int r1 = exact_int(args[0], &t), r2 = r1 > 0 ? exact_int(args[1], &v) : 0;
    if (r1 < 0 || r2 < 0)
        return NULL;
    if (!r1 || !r2)
        return decline(s, "remove", args, nargs);
    Py_ssize_t i = 0;
    while (i < s->n && (ROL_AT(s, i).t != t || ROL_AT(s, i).v != v))
        i++;
    if (i == s->n)
        Py_RETURN_NONE;
    for (; i + 1 < s->n; i++)
        ROL_AT(s, i) = ROL_AT(s, i + 1);
    drop_sorted(s, &v, 1);
    shrink(s);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------------- the reads
 * (at and same_top: _native_roll_view.c) */

static Py_ssize_t rol_len(rol_Samples *s)
{
    return s->twin != NULL ? PyObject_Size(s->twin) : s->n;
}

static PyObject *rol_sizeof(rol_Samples *s, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromSsize_t(Py_TYPE(s)->tp_basicsize + s->rcap * (Py_ssize_t)sizeof(rol_Pair)
                              + s->scap * (Py_ssize_t)sizeof(long long));
}

static PyObject *get_sorted(rol_Samples *s, void *Py_UNUSED(c)) { return rol_view(s, 0); }
static PyObject *get_q(rol_Samples *s, void *Py_UNUSED(c)) { return rol_view(s, 1); }
static PyObject *get_twin(rol_Samples *s, void *Py_UNUSED(c)) { return Py_NewRef(s->twin ? s->twin : Py_None); }

/* ------------------------------------------------------------------------------- the type */

static PyObject *rol_new(PyTypeObject *type, PyObject *a, PyObject *kw)
{
    if ((kw != NULL && PyDict_GET_SIZE(kw)) || PyTuple_GET_SIZE(a)) {
        PyErr_SetString(PyExc_TypeError, "RollSamples() takes no arguments");
        return NULL;
    }
    PyObject *cls;
    cls = PyObject_GetAttrString((PyObject *)type, "twin");
    if (cls == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return NULL;
        PyErr_Clear();
    }
    rol_Samples *s = (rol_Samples *)type->tp_alloc(type, 0);
    if (s == NULL) {
        Py_XDECREF(cls);
        return NULL;
    }
    s->twin_cls = cls;
    return (PyObject *)s;
}

static int rol_traverse(rol_Samples *s, visitproc visit, void *arg)
{
    Py_VISIT(s->twin_cls);
    Py_VISIT(s->twin);
    return 0;
}

static int rol_clear(rol_Samples *s)
{
    Py_CLEAR(s->twin_cls);
    Py_CLEAR(s->twin);
    return 0;
}

static void rol_dealloc(rol_Samples *s)
{
    PyObject_GC_UnTrack(s);
    rol_clear(s);
    PyMem_Free(s->srt);
    PyMem_Free(s->ring);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

static PyMethodDef rol_methods[] = {
    {"add", (PyCFunction)(void (*)(void))rol_add, METH_FASTCALL, "The sample (t, v)."},
    {"add_many", (PyCFunction)(void (*)(void))rol_add_many, METH_FASTCALL, "add(t, v) for each v of vs, in order."},
    {"expire", (PyCFunction)(void (*)(void))rol_expire, METH_FASTCALL, "The samples at the front taken before horizon dropped."},
    {"remove", (PyCFunction)(void (*)(void))rol_remove, METH_FASTCALL, "The first sample (t, v) dropped, if held."},
    {"at", (PyCFunction)(void (*)(void))rol_at, METH_FASTCALL, "sorted[i] without the view."},
    {"same_top", (PyCFunction)(void (*)(void))rol_same_top, METH_FASTCALL, "sorted[-m:] == prev without the slice."},
    {"__sizeof__", (PyCFunction)rol_sizeof, METH_NOARGS, "Bytes held."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef rol_getset[] = {
    {"sorted", (getter)get_sorted, NULL, "The values, ascending (a read-only view; the twin's list once it holds them).", NULL},
    {"q", (getter)get_q, NULL, "The (t, v) samples in arrival order (a read-only view; the twin's deque once it holds them).", NULL},
    {"held_by_twin", (getter)get_twin, NULL, "The twin holding the samples since a decline (None: C holds them).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods rol_seq = {.sq_length = (lenfunc)rol_len};

PyTypeObject rol_SamplesType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.RollSamples",
    .tp_basicsize = sizeof(rol_Samples),
    .tp_dealloc = (destructor)rol_dealloc,
    .tp_as_sequence = &rol_seq,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Rolling samples, their values kept sorted (detectors/rolling.py: RollingSamplesPy is its twin).",
    .tp_traverse = (traverseproc)rol_traverse,
    .tp_clear = (inquiry)rol_clear,
    .tp_methods = rol_methods,
    .tp_getset = rol_getset,
    .tp_new = rol_new,
};
