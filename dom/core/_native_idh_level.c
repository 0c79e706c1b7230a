/* A new level made in C as IcebergDetector._judge makes one for a judgement with NEW (and PUSH):
 * _Level(side, px, t, rec=rec) into det.levels, and for PUSH det._n_ends counted on and
 * (t, _n_ends, key, level) pushed on det._ends. The class is _Level (a dataclass with slots): the
 * hook is given a level made by the class (every other field at its default) and the class's slot
 * descriptors, and copies those defaults into each new level (the same objects the class's
 * __init__ would store: its defaults are shared immutables), with a fresh empty list where the
 * default is an empty list (default_factory=list). What is left of the judgement (OVERRUN, ADD)
 * goes on to _judge, which finds the level in det.levels. Every global name here starts with idh_. */
#include "_native_idh.h"

/* Are det.levels and det._ends still the dict and the list the hook was given? 1 / 0 (no, or a
 * read that fails: the detector's own way, which gives the same outcome, raised or not) */
int idh_own(IdhHook *h)
{
    PyObject *got = PyObject_GetAttr(h->det, h->s_levels);
    int same = got == h->levels;
    Py_XDECREF(got);
    if (same) {
        got = PyObject_GetAttr(h->det, h->s_ends);
        same = got == h->ends;
        Py_XDECREF(got);
    }
    if (!same)
        PyErr_Clear();
    return same;
}

static const char *idh_lv_names[4] = {"side", "px", "first_ns", "rec"};

/* (a default the new levels may share: None, a bool, an int, a float, a str, a tuple of those) */
static int idh_shared(PyObject *v, int depth)
{
    if (v == Py_None || PyBool_Check(v) || PyLong_CheckExact(v) || PyFloat_CheckExact(v) || PyUnicode_CheckExact(v))
        return 1;
    if (!PyTuple_CheckExact(v) || depth > 0)
        return 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(v); i++)
        if (!idh_shared(PyTuple_GET_ITEM(v, i), depth + 1))
            return 0;
    return 1;
}

/* kit: (a level made by the class, the class, its slot descriptors in any order, every slot once).
 * The class: a direct subclass of object with no __new__, no __dict__, no storage but its slots. */
int idh_level_kit(IdhHook *h, PyObject *kit)
{
    Py_ssize_t n = PyTuple_GET_SIZE(kit) - 2, total = 0;
    PyObject *proto = n > 0 ? PyTuple_GET_ITEM(kit, 0) : NULL, *cls = n > 0 ? PyTuple_GET_ITEM(kit, 1) : NULL;
    PyTypeObject *tp = (PyTypeObject *)cls;
    if (n < 4 || n > IDH_LV_MAX || !PyType_Check(cls) || Py_TYPE(proto) != tp || tp->tp_base != &PyBaseObject_Type
        || tp->tp_new != PyBaseObject_Type.tp_new || tp->tp_dictoffset != 0 || tp->tp_alloc != PyType_GenericAlloc
        || tp->tp_basicsize != PyBaseObject_Type.tp_basicsize + n * (Py_ssize_t)sizeof(PyObject *))
        goto bad;
    for (PyMemberDef *mp = tp->tp_members; mp != NULL && mp->name != NULL; mp++)
        total++;
    if (total != n || (h->lv_defs = PyTuple_New(n)) == NULL)
        goto bad;
    h->lv_at[0] = h->lv_at[1] = h->lv_at[2] = h->lv_at[3] = -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyMemberDef *m = trd_member(PyTuple_GET_ITEM(kit, k + 2), cls);
        if (m == NULL)
            goto bad;
        for (Py_ssize_t j = 0; j < k; j++)
            if (h->lv_m[j]->offset == m->offset)
                goto bad;  /* (a slot twice: another left unset) */
        h->lv_m[k] = m;
        int named = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(m->name, idh_lv_names[i]) == 0)
                named = i;
        PyObject *v = idh_slot(proto, m);
        h->lv_fresh[k] = v != NULL && PyList_CheckExact(v) && PyList_GET_SIZE(v) == 0;
        if (named >= 0)
            h->lv_at[named] = (int)k, v = Py_None, h->lv_fresh[k] = 0;
        else if (v == NULL || !(h->lv_fresh[k] || idh_shared(v, 0)))
            goto bad;
        PyTuple_SET_ITEM(h->lv_defs, k, Py_NewRef(h->lv_fresh[k] ? Py_None : v));
    }
    for (int i = 0; i < 4; i++)
        if (h->lv_at[i] < 0)
            goto bad;
    h->lv_n = n;
    h->lv_cls = (PyTypeObject *)Py_NewRef(cls);
    return 0;
bad:
    Py_CLEAR(h->lv_defs);
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "IdhHook: the level kit is (a level, its class, the class's slot "
                                          "descriptors: each slot once, side, px, first_ns and rec among them, "
                                          "the others' defaults immutable or an empty list)");
    return -1;
}

/* _judge's NEW (and PUSH) for the change rec (t, ask, px, ...) at side, the level's numbers ice_rec.
 * Not taken (0, nothing changed): no kit, det.levels or det._ends not the hook's, det._n_ends not
 * an exact int within 2^62 (for PUSH). */
int idh_level(IdhHook *h, PyObject *side, const long long *rec, PyObject *ice_rec, int flags)
{
    if (h->lv_cls == NULL || !idh_own(h))
        return 0;
    long long n = 0;
    PyObject *got;
    if (flags & ICE_PUSH) {
        int r = attr_in_range(h->det, h->s_n_ends, 1LL << 62, &n);
        if (r <= 0)
            return r;
    }
    PyObject *px = PyLong_FromLongLong(rec[2]), *t = PyLong_FromLongLong(rec[0]), *key = NULL, *lv = NULL,
             *n1 = NULL, *e = NULL;
    int res = -1;
    if (px == NULL || t == NULL || (key = PyTuple_Pack(2, side, px)) == NULL
        || (lv = h->lv_cls->tp_alloc(h->lv_cls, 0)) == NULL)
        goto done;
    PyObject *own[4] = {side, px, t, ice_rec};
    for (Py_ssize_t k = 0; k < h->lv_n; k++) {
        PyObject *v = h->lv_fresh[k] ? PyList_New(0) : Py_NewRef(PyTuple_GET_ITEM(h->lv_defs, k));
        if (v == NULL)
            goto done;
        for (int i = 0; i < 4; i++)
            if (h->lv_at[i] == k)
                Py_SETREF(v, Py_NewRef(own[i]));
        *(PyObject **)((char *)lv + h->lv_m[k]->offset) = v;
    }
    if (PyDict_SetItem(h->levels, key, lv) < 0)
        goto done;
    if (flags & ICE_PUSH) {
        if ((n1 = PyLong_FromLongLong(n + 1)) == NULL || PyObject_SetAttr(h->det, h->s_n_ends, n1) < 0
            || (e = PyTuple_Pack(4, t, n1, key, lv)) == NULL)
            goto done;
        PyObject *a[2] = {h->ends, e};
        if ((got = PyObject_Vectorcall(h->heappush, a, 2, NULL)) == NULL)
            goto done;
        Py_DECREF(got);
    }
    res = 1;
done:
    Py_XDECREF(px);
    Py_XDECREF(t);
    Py_XDECREF(key);
    Py_XDECREF(lv);
    Py_XDECREF(n1);
    Py_XDECREF(e);
    return res;
}
