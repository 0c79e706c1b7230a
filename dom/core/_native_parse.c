/* dom.core._native: decimal strings to steps (the parse caches first), levels(), and the two
 * helpers the decoders share: an id field in range, an event built through its slots. */
#include "_native_dcd.h"
#include "structmember.h"

/* The value of cache[key]: a hit without calling Python, else cache[key] (its __missing__).
 * New reference; NULL with KeyError cleared and *miss set for "not valid", NULL with an error
 * set for anything else. */
static PyObject *lookup(PyObject *cache, PyObject *key, int *miss)
{
    PyObject *v = PyDict_GetItemWithError(cache, key);
    if (v != NULL) {
        Py_INCREF(v);
        return v;
    }
    if (PyErr_Occurred())
        return NULL;
    v = PyObject_GetItem(cache, key);
    if (v == NULL && PyErr_ExceptionMatches(PyExc_KeyError)) {
        PyErr_Clear();
        *miss = 1;
    }
    return v;
}

/* A plain decimal string ("123", "123.45": ASCII digits, at most one dot with digits on both
 * sides) as a whole number of steps of mant * 10^-scale, exactly as Step.to_int gives it; 1 with
 * *out set, 0 when the text is anything else or not a multiple (the caller then asks the Python
 * parse cache, whose answer is the exact one, error included). */
int plain_chars(const unsigned char *c, Py_ssize_t len, long long mant, int scale, long long *out)
{
    const char *p = (const char *)c, *end = p + len;  /* (dcd_decimal: _native_dcd.h) */
    return dcd_decimal(&p, end, mant, scale, out) && p == end;
}

static int plain_steps(PyObject *text, long long mant, int scale, long long *out)
{
    if (!PyUnicode_IS_ASCII(text))
        return 0;
    return plain_chars(PyUnicode_1BYTE_DATA(text), PyUnicode_GET_LENGTH(text), mant, scale, out);
}

/* One price or size: parsed in C when plain, else cache[text] (the cache parses a miss itself).
 * New reference; NULL with *miss set when the text is not valid (KeyError cleared), NULL with an
 * error set for anything else. */
PyObject *steps(PyObject *text, long long mant, int scale, PyObject *cache, int *miss)
{
    long long q;
    if (plain_steps(text, mant, scale, &q))
        return PyLong_FromLongLong(q);
    return lookup(cache, text, miss);
}

int spec_ok(PyObject *spec)
{
    if (!PyTuple_CheckExact(spec) || PyTuple_GET_SIZE(spec) != 6 || !PyDict_Check(PyTuple_GET_ITEM(spec, 4))
            || !PyDict_Check(PyTuple_GET_ITEM(spec, 5))) {
        PyErr_SetString(PyExc_TypeError,
                        "levels(rows: list, (price_mant, price_scale, qty_mant, qty_scale, pc: dict, qc: dict))");
        return 0;
    }
    return 1;
}

/* levels() once its arguments are checked: rows a list, spec a tuple as spec_ok takes. */
PyObject *rows_to_levels(PyObject *rows, PyObject *spec)
{
    PyObject *pc = PyTuple_GET_ITEM(spec, 4), *qc = PyTuple_GET_ITEM(spec, 5);
    long long pm = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, 0)), qm = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, 2));
    long ps = PyLong_AsLong(PyTuple_GET_ITEM(spec, 1)), qs = PyLong_AsLong(PyTuple_GET_ITEM(spec, 3));
    if (PyErr_Occurred())
        return NULL;
    if (pm <= 0 || qm <= 0 || ps < 0 || qs < 0 || ps > 18 || qs > 18) {
        PyErr_SetString(PyExc_ValueError, "a step's mant must be positive and its scale 0..18");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(rows);
    PyObject *out = PyTuple_New(n);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i >= PyList_GET_SIZE(rows))  /* a __missing__ cannot reach the list, but be safe */
            goto fallback;
        PyObject *row = PyList_GET_ITEM(rows, i);
        if (!PyList_CheckExact(row) || PyList_GET_SIZE(row) != 2)
            goto fallback;
        PyObject *p = PyList_GET_ITEM(row, 0), *q = PyList_GET_ITEM(row, 1);
        if (!PyUnicode_CheckExact(p) || !PyUnicode_CheckExact(q))
            goto fallback;
        Py_INCREF(p);
        Py_INCREF(q);
        int miss = 0;
        PyObject *a = steps(p, pm, (int)ps, pc, &miss);
        PyObject *b = a == NULL ? NULL : steps(q, qm, (int)qs, qc, &miss);
        Py_DECREF(p);
        Py_DECREF(q);
        if (b == NULL) {
            Py_XDECREF(a);
            if (miss)
                goto fallback;
            Py_DECREF(out);
            return NULL;
        }
        PyObject *pair = PyTuple_New(2);
        if (pair == NULL) {
            Py_DECREF(a);
            Py_DECREF(b);
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(pair, 0, a);
        PyTuple_SET_ITEM(pair, 1, b);
        PyObject_GC_UnTrack(pair);  /* two ints: no cycle possible (CPython untracks it later) */
        PyTuple_SET_ITEM(out, i, pair);
    }
    PyObject_GC_UnTrack(out);  /* immutable, holding only untracked pairs of ints */
    return out;
fallback:
    Py_DECREF(out);
    Py_RETURN_NONE;
}

PyObject *levels(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_CheckExact(args[0])) {
        PyErr_SetString(PyExc_TypeError,
                        "levels(rows: list, (price_mant, price_scale, qty_mant, qty_scale, pc: dict, qc: dict))");
        return NULL;
    }
    if (!spec_ok(args[1]))
        return NULL;
    return rows_to_levels(args[0], args[1]);
}


/* 1 with *v set when o is an exact int (not a bool) that fits a long long; 0 when it is not; -1
 * with an error set. */
int exact_int(PyObject *o, long long *v)
{
    if (!PyLong_CheckExact(o))
        return 0;
    if (int_digits(o, v))  /* (one or two digits: read without a call) */
        return 1;
    int over = 0;
    *v = PyLong_AsLongLongAndOverflow(o, &over);
    if (*v == -1 && PyErr_Occurred())
        return -1;
    return !over;
}

/* An id or time field: 1 with *v set when m[key] is an exact int (not a bool) in [lo, hi); 0 when
 * missing, of another type or out of range; -1 with an error set. */
int field_in(PyObject *m, PyObject *key, long long lo, long long hi, long long dflt, PyObject **obj,
                    long long *v)
{
    PyObject *o = PyDict_GetItemWithError(m, key);
    if (o == NULL) {
        if (PyErr_Occurred())
            return -1;
        if (dflt < lo)  /* no default: a missing field is the exact path's to report */
            return 0;
        *obj = NULL;
        *v = dflt;
        return 1;
    }
    long long x;
    int r = exact_int(o, &x);
    if (r <= 0 || x < lo || x >= hi)
        return r < 0 ? -1 : 0;
    *obj = o;
    *v = x;
    return 1;
}

/* obj = cls.__new__(cls) with vals[i] stored through members[i] (the class's slot descriptors in
 * field order): what types.fast_init's __init__ does, without its Python frame. New reference. */
PyObject *build(PyObject *cls, PyObject *members, PyObject *const *vals, Py_ssize_t n)
{
    PyObject *empty = PyTuple_New(0);
    PyObject *obj = empty == NULL ? NULL : PyBaseObject_Type.tp_new((PyTypeObject *)cls, empty, NULL);
    Py_XDECREF(empty);
    for (Py_ssize_t i = 0; obj != NULL && i < n; i++) {
        PyObject *desc = PyTuple_GET_ITEM(members, i);
        if (Py_TYPE(desc) == &PyMemberDescr_Type) {
            /* a slot (__slots__' member, an object one, writable, of a class obj is an instance
             * of): stored as member_set stores it, without the call */
            PyMemberDescrObject *md = (PyMemberDescrObject *)desc;
            PyMemberDef *m = md->d_member;
            if ((m->type == T_OBJECT_EX || m->type == T_OBJECT) && !(m->flags & READONLY)
                    && PyObject_TypeCheck(obj, PyDescr_TYPE(desc))) {
                PyObject **slot = (PyObject **)((char *)obj + m->offset), *old = *slot;
                Py_INCREF(vals[i]);
                *slot = vals[i];
                Py_XDECREF(old);
                continue;
            }
        }
        descrsetfunc set = Py_TYPE(desc)->tp_descr_set;
        if (set == NULL) {
            PyErr_SetString(PyExc_TypeError, "a member is not a data descriptor");
            Py_CLEAR(obj);
        } else if (set(desc, obj, vals[i]) < 0) {
            Py_CLEAR(obj);
        }
    }
    return obj;
}
