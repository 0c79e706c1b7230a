/* dom.core._native: the merge's comparisons (tuples read as Python compares them), heapq's sift and
 * the events' attributes read from their slots. */
#include "_native_mrg.h"
#include <structmember.h>

/* ------------------------------------------------------------------------ slots of events */

mrg_Slot mrg_sym_slots[MRG_SLOTS], mrg_ts_slots[MRG_SLOTS], mrg_tid_slots[MRG_SLOTS];

/* Remember where t's instances keep name, if it is a plain slot (a member descriptor holding an
 * object) read through the generic getattr: the slot is then what PyObject_GetAttr returns (a
 * data descriptor comes before any instance dict). Kept with t's version tag, which any change to
 * t or its bases replaces. */
static void mrg_slot_learn(PyTypeObject *t, PyObject *name, mrg_Slot *cache)
{
    if (t->tp_getattro != PyObject_GenericGetAttr)
        return;
    PyObject *d = _PyType_Lookup(t, name);  /* (borrowed; gives t a version tag) */
    if (d == NULL || !Py_IS_TYPE(d, &PyMemberDescr_Type) || !(t->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG))
        return;
    PyMemberDef *md = ((PyMemberDescrObject *)d)->d_member;
    if (md->type != T_OBJECT_EX || md->offset <= 0)
        return;
    int j = 0;
    for (int i = 0; i < MRG_SLOTS; i++)
        if (cache[i].type == t || cache[i].type == NULL) {
            j = i;
            break;
        }
    cache[j].type = t;
    cache[j].tag = t->tp_version_tag;
    cache[j].off = md->offset;
}

PyObject *mrg_slot_get(PyObject *o, PyObject *name, mrg_Slot *cache)
{
    PyTypeObject *t = Py_TYPE(o);
    for (int i = 0; i < MRG_SLOTS; i++)
        if (cache[i].type == t) {
            if (cache[i].tag == t->tp_version_tag && (t->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG)) {
                PyObject *v = *(PyObject **)((char *)o + cache[i].off);
                if (v != NULL) {
                    Py_INCREF(v);
                    return v;
                }
            }
            break;
        }
    PyObject *v = PyObject_GetAttr(o, name);
    if (v != NULL)
        mrg_slot_learn(t, name, cache);
    return v;
}

/* ------------------------------------------------------------------------------ comparisons */

int mrg_limit(mrg_Merge *m, mrg_Limit *lim)
{
    long long c;
    lim->o = NULL;
    lim->fast = mrg_i64(m->clock, &c) && !__builtin_sub_overflow(c, m->hold, &lim->v);
    if (!lim->fast && (lim->o = PyNumber_Subtract(m->clock, m->hold_ns)) == NULL)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------ heapq, step for step */

static int mrg_sift_down(PyObject *heap, Py_ssize_t startpos, Py_ssize_t pos)
{
    Py_ssize_t size = PyList_GET_SIZE(heap);
    PyObject **arr = ((PyListObject *)heap)->ob_item, *newitem = arr[pos], *parent;
    while (pos > startpos) {
        Py_ssize_t parentpos = (pos - 1) >> 1;
        parent = arr[parentpos];
        Py_INCREF(newitem);
        Py_INCREF(parent);
        int cmp = mrg_lt(newitem, parent);
        Py_DECREF(parent);
        Py_DECREF(newitem);
        if (cmp < 0)
            return -1;
        if (size != PyList_GET_SIZE(heap)) {
            PyErr_SetString(PyExc_RuntimeError, "list changed size during iteration");
            return -1;
        }
        if (cmp == 0)
            break;
        arr = ((PyListObject *)heap)->ob_item;
        parent = arr[parentpos];
        newitem = arr[pos];
        arr[parentpos] = newitem;
        arr[pos] = parent;
        pos = parentpos;
    }
    return 0;
}

static int mrg_sift_up(PyObject *heap, Py_ssize_t pos)
{
    Py_ssize_t endpos = PyList_GET_SIZE(heap), startpos = pos, limit = endpos >> 1;
    PyObject **arr = ((PyListObject *)heap)->ob_item;
    while (pos < limit) {
        Py_ssize_t childpos = 2 * pos + 1;
        if (childpos + 1 < endpos) {
            PyObject *a = arr[childpos], *b = arr[childpos + 1];
            Py_INCREF(a);
            Py_INCREF(b);
            int cmp = mrg_lt(a, b);
            Py_DECREF(a);
            Py_DECREF(b);
            if (cmp < 0)
                return -1;
            childpos += ((unsigned)cmp ^ 1);
            arr = ((PyListObject *)heap)->ob_item;
            if (endpos != PyList_GET_SIZE(heap)) {
                PyErr_SetString(PyExc_RuntimeError, "list changed size during iteration");
                return -1;
            }
        }
        PyObject *tmp1 = arr[childpos], *tmp2 = arr[pos];
        arr[childpos] = tmp2;
        arr[pos] = tmp1;
        pos = childpos;
    }
    return mrg_sift_down(heap, startpos, pos);
}

/* heappush; steals item. */
int mrg_heappush(PyObject *heap, PyObject *item)
{
    int r = PyList_Append(heap, item);
    Py_DECREF(item);
    if (r < 0)
        return -1;
    return mrg_sift_down(heap, 0, PyList_GET_SIZE(heap) - 1);
}

/* heappop of a non-empty heap: a new reference, or NULL with an error set. */
PyObject *mrg_heappop(PyObject *heap)
{
    Py_ssize_t n = PyList_GET_SIZE(heap);
    PyObject *last = PyList_GET_ITEM(heap, n - 1);
    Py_INCREF(last);
    if (PyList_SetSlice(heap, n - 1, n, NULL) < 0) {
        Py_DECREF(last);
        return NULL;
    }
    if (n == 1)
        return last;
    PyObject *ret = PyList_GET_ITEM(heap, 0);
    PyList_SET_ITEM(heap, 0, last);
    if (mrg_sift_up(heap, 0) < 0) {
        Py_DECREF(ret);
        return NULL;
    }
    return ret;
}

/* heappush(order, (ts, sym)). */
int mrg_order_push(mrg_Merge *m, PyObject *ts, PyObject *sym)
{
    PyObject *e = PyTuple_Pack(2, ts, sym);
    return e == NULL ? -1 : mrg_heappush(m->order, e);
}

/* frontier[sym] = item[:3] */
int mrg_set_front(mrg_Merge *m, PyObject *sym, PyObject *item)
{
    PyObject *f = PyTuple_GetSlice(item, 0, 3);
    if (f == NULL)
        return -1;
    int r = PyDict_SetItem(m->frontier, sym, f);
    Py_DECREF(f);
    return r;
}
