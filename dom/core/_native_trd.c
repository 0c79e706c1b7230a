/* dom.core._native.Slack: the adaptive alignment slack of detectors/slack.py (how long depth
 * changes wait for their trades: max(floor, P99 of the last 1,000 trades' lags + 50 ms), the P99
 * refreshed every 100 trades), held in C: a ring of the window's lags and the sorted array of its
 * positive ones. slack.py's AdaptiveSlack is its pure-Python twin and says what each method gives;
 * the tests run one against the other trade by trade.
 *
 * Arguments it does not take (not an exact int, or beyond +-TRD_LIM) are not declined with
 * NotImplemented, as the other types do: the slack is shared by two detectors, so it turns
 * itself into its twin instead (from_state, handed at construction, builds an AdaptiveSlack of
 * the same state) and forwards every call and read to it from then on. */
#include "_native_trd.h"

/* The first index of pos[0:n] holding a value >= v (bisect_left). */
static int trd_bisect(const long long *pos, int n, long long v)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (pos[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void trd_refresh(trd_Slack *s)
{
    long long size = s->n < TRD_WINDOW ? s->n : TRD_WINDOW;
    long long i = (long long)(0.99 * (double)(size - 1));
    long long zeros = size - s->npos;
    s->lag = i < zeros ? 0 : s->pos[i - zeros];
    long long ns = s->lag + 50 * TRD_MS;
    s->ns = ns > s->floor ? ns : s->floor;
}

static void trd_push(trd_Slack *s, long long lag)
{
    long long out = s->ring[s->head];
    if (out) { /* the lag this one pushes out */
        int k = trd_bisect(s->pos, s->npos, out);
        memmove(s->pos + k, s->pos + k + 1, (size_t)(s->npos - k - 1) * sizeof(long long));
        s->npos--;
    }
    if (lag > 0) {
        s->ring[s->head] = lag;
        int k = trd_bisect(s->pos, s->npos, lag + 1); /* (insort: after its equals) */
        memmove(s->pos + k + 1, s->pos + k, (size_t)(s->npos - k) * sizeof(long long));
        s->pos[k] = lag;
        s->npos++;
    } else {
        s->ring[s->head] = 0;
    }
    s->head = s->head + 1 == TRD_WINDOW ? 0 : s->head + 1;
    s->n++;
    if (s->n % TRD_REFRESH == 0)
        trd_refresh(s);
}

/* The twin holding this state, kept and used from here on (0), or -1 with an error set. */
static int trd_to_twin(trd_Slack *s)
{
    PyObject *lags = PyTuple_New(TRD_WINDOW);
    if (lags == NULL)
        return -1;
    for (int i = 0; i < TRD_WINDOW; i++) {
        PyObject *v = PyLong_FromLongLong(s->ring[(s->head + i) % TRD_WINDOW]);
        if (v == NULL) {
            Py_DECREF(lags);
            return -1;
        }
        PyTuple_SET_ITEM(lags, i, v);
    }
    PyObject *twin = PyObject_CallFunction(s->from_state, "LOLLLL", s->floor, lags, s->n, s->last, s->lag, s->ns);
    Py_DECREF(lags);
    if (twin == NULL)
        return -1;
    s->twin = twin;
    return 0;
}

/* 1: v[] holds the n exact ints within +-TRD_LIM; 0: some argument is not taken; -1: an error. */
static int trd_ints(PyObject *const *args, Py_ssize_t n, long long *v)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        int r = in_range(args[i], TRD_LIM, &v[i]);
        if (r <= 0)
            return r;
    }
    return 1;
}

static PyObject *trd_forward(trd_Slack *s, const char *name, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *m = PyObject_GetAttrString(s->twin, name);
    if (m == NULL)
        return NULL;
    PyObject *r = PyObject_Vectorcall(m, args, nargs, NULL);
    Py_DECREF(m);
    return r;
}

static PyObject *trd_on_trade_once(trd_Slack *s, PyObject *const *args, Py_ssize_t nargs)
{
    long long v[3];
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "on_trade_once(n, depth_t, trade_t)");
        return NULL;
    }
    if (s->twin == NULL) {
        int ok = trd_ints(args, 3, v);
        if (ok < 0)
            return NULL;
        if (ok) {
            if (v[0] != s->last) {
                s->last = v[0];
                trd_push(s, v[1] - v[2]);
            }
            Py_RETURN_NONE;
        }
        if (trd_to_twin(s) < 0)
            return NULL;
    }
    return trd_forward(s, "on_trade_once", args, nargs);
}

void trd_slack_trade(trd_Slack *s, long long lag)
{
    s->last++;
    trd_push(s, lag);
}

static PyObject *trd_on_trade(trd_Slack *s, PyObject *const *args, Py_ssize_t nargs)
{
    long long v[2];
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "on_trade(depth_t, trade_t)");
        return NULL;
    }
    if (s->twin == NULL) {
        int ok = trd_ints(args, 2, v);
        if (ok < 0)
            return NULL;
        if (ok && s->last < TRD_LIM) {
            s->last++;
            trd_push(s, v[0] - v[1]);
            Py_RETURN_NONE;
        }
        if (trd_to_twin(s) < 0)
            return NULL;
    }
    return trd_forward(s, "on_trade", args, nargs);
}

static PyObject *trd_state(trd_Slack *s, PyObject *unused)
{
    if (s->twin != NULL)
        return PyObject_CallMethod(s->twin, "state", NULL);
    PyObject *lags = PyTuple_New(TRD_WINDOW);
    if (lags == NULL)
        return NULL;
    for (int i = 0; i < TRD_WINDOW; i++) {
        PyObject *v = PyLong_FromLongLong(s->ring[(s->head + i) % TRD_WINDOW]);
        if (v == NULL) {
            Py_DECREF(lags);
            return NULL;
        }
        PyTuple_SET_ITEM(lags, i, v);
    }
    return Py_BuildValue("LNLLLL", s->floor, lags, s->n, s->last, s->lag, s->ns);
}

/* The numbers the detectors read: from the twin once there is one. */
#define TRD_GET(field)                                                          \
    static PyObject *trd_get_##field(trd_Slack *s, void *unused)                \
    {                                                                           \
        if (s->twin != NULL)                                                    \
            return PyObject_GetAttrString(s->twin, #field);                     \
        return PyLong_FromLongLong(s->field);                                   \
    }
TRD_GET(floor)
TRD_GET(ns)
TRD_GET(lag)
TRD_GET(last)
TRD_GET(n)

static PyObject *trd_get_native(trd_Slack *s, void *unused)
{
    return PyBool_FromLong(s->twin == NULL);
}

static PyGetSetDef trd_getset[] = {
    {"floor", (getter)trd_get_floor, NULL, "the floor, ns (align_slack_ms)", NULL},
    {"ns", (getter)trd_get_ns, NULL, "the slack, ns", NULL},
    {"lag", (getter)trd_get_lag, NULL, "the P99 lag, ns", NULL},
    {"last", (getter)trd_get_last, NULL, "the engine's count of the last trade seen", NULL},
    {"n", (getter)trd_get_n, NULL, "trades seen", NULL},
    {"native", (getter)trd_get_native, NULL, "False once the state moved to the twin", NULL},
    {NULL},
};

static PyMethodDef trd_methods[] = {
    {"on_trade_once", (PyCFunction)(void (*)(void))trd_on_trade_once, METH_FASTCALL, NULL},
    {"on_trade", (PyCFunction)(void (*)(void))trd_on_trade, METH_FASTCALL, NULL},
    {"state", (PyCFunction)trd_state, METH_NOARGS, NULL},
    {NULL},
};

/* Slack(floor_ns, from_state): floor_ns an exact int within 0..2^61 (else TypeError/ValueError:
 * slack.make_slack checks it first); from_state(floor, lags, n, last, lag, ns) builds the twin. */
static PyObject *trd_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *floor_o, *from_state;
    long long floor;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "Slack(floor_ns, from_state)");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OO:Slack", &floor_o, &from_state))
        return NULL;
    int r = in_range(floor_o, TRD_LIM, &floor);
    if (r < 0)
        return NULL;
    if (!r || floor < 0 || !PyCallable_Check(from_state)) {
        PyErr_SetString(PyExc_ValueError, "Slack: floor_ns an int within 0..2^61, from_state callable");
        return NULL;
    }
    trd_Slack *s = (trd_Slack *)type->tp_alloc(type, 0);
    if (s == NULL)
        return NULL;
    s->floor = s->ns = floor;
    s->lag = s->n = 0;
    s->last = -1;
    s->head = s->npos = 0;
    memset(s->ring, 0, sizeof s->ring);
    s->from_state = Py_NewRef(from_state);
    s->twin = NULL;
    return (PyObject *)s;
}

static int trd_traverse(trd_Slack *s, visitproc visit, void *arg)
{
    Py_VISIT(s->from_state);
    Py_VISIT(s->twin);
    return 0;
}

static int trd_clear(trd_Slack *s)
{
    Py_CLEAR(s->from_state);
    Py_CLEAR(s->twin);
    return 0;
}

static void trd_dealloc(trd_Slack *s)
{
    PyObject_GC_UnTrack(s);
    trd_clear(s);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

PyTypeObject trd_SlackType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.Slack",
    .tp_basicsize = sizeof(trd_Slack),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The adaptive alignment slack (detectors/slack.py's AdaptiveSlack in C)",
    .tp_new = trd_new,
    .tp_dealloc = (destructor)trd_dealloc,
    .tp_traverse = (traverseproc)trd_traverse,
    .tp_clear = (inquiry)trd_clear,
    .tp_methods = trd_methods,
    .tp_getset = trd_getset,
};
