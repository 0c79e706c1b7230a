/* dom.core._native: frame(), the usual bookTicker / trade frame read from its bytes. */
#include "_native.h"

/* ---- frame(): the usual bookTicker / trade frame read from its bytes, without orjson's objects.
 * A strict reader: one flat JSON object (or {"stream":"...","data":<it>}), no whitespace, keys of
 * [A-Za-z0-9_], each once, values ASCII strings without escapes, integers of at most 18 digits
 * without leading zeros, true or false. Anything else (and any other event) is declined, and the
 * decoder parses the frame with orjson: for what it accepts, orjson gives these very keys and
 * values, so the event built from them is the one event() builds from orjson's dict. */

#define MAX_PAIRS 16

typedef struct {
    const char *key;
    Py_ssize_t klen;
    int kind;  /* 0 string, 1 integer, 2 true, 3 false */
    const char *s;
    Py_ssize_t slen;
    long long v;
} Pair;

/* A string at p (after its opening quote): its length up to the closing quote, or -1. */
static Py_ssize_t str_len(const char *p, const char *end, int key)
{
    const char *q = p;
    while (q < end && *q != '"') {
        unsigned char c = (unsigned char)*q;
        if (key ? !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
                : (c < 0x20 || c > 0x7e || c == '\\'))
            return -1;
        q++;
    }
    return q < end ? q - p : -1;
}

/* One flat object at *pp ('{' ... '}'): its pairs; *pp moved past it. 0 when declined. */
static int read_object(const char **pp, const char *end, Pair *pairs, int *np)
{
    const char *p = *pp;
    int n = 0;
    if (p >= end || *p++ != '{')
        return 0;
    if (p < end && *p == '}')
        return 0;  /* (an empty object is no event) */
    for (;;) {
        if (n == MAX_PAIRS || p >= end || *p++ != '"')
            return 0;
        Py_ssize_t kl = str_len(p, end, 1);
        if (kl <= 0)
            return 0;
        Pair *x = &pairs[n];
        x->key = p;
        x->klen = kl;
        for (int i = 0; i < n; i++)
            if (pairs[i].klen == kl && pairs[i].key[0] == p[0] && memcmp(pairs[i].key, p, kl) == 0)
                return 0;  /* a key twice */
        p += kl + 1;
        if (p >= end || *p++ != ':' || p >= end)
            return 0;
        if (*p == '"') {
            Py_ssize_t sl = str_len(++p, end, 0);
            if (sl < 0)
                return 0;
            x->kind = 0;
            x->s = p;
            x->slen = sl;
            p += sl + 1;
        } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            int neg = *p == '-';
            if (neg)
                p++;
            const char *d = p;
            unsigned long long v = 0;
            while (p < end && *p >= '0' && *p <= '9')
                v = v * 10 + (unsigned long long)(*p++ - '0');
            if (p == d || p - d > 18 || (*d == '0' && p - d > 1) || (neg && v == 0))
                return 0;
            if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
                return 0;
            x->kind = 1;
            x->v = neg ? -(long long)v : (long long)v;
        } else if (end - p >= 4 && memcmp(p, "true", 4) == 0) {
            x->kind = 2;
            p += 4;
        } else if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
            x->kind = 3;
            p += 5;
        } else {
            return 0;
        }
        n++;
        if (p >= end)
            return 0;
        if (*p == '}') {
            *pp = p + 1;
            *np = n;
            return 1;
        }
        if (*p++ != ',')
            return 0;
    }
}

static Pair *pair_at(Pair *pairs, int n, const char *key)
{
    Py_ssize_t kl = (Py_ssize_t)strlen(key);
    for (int i = 0; i < n; i++)
        if (pairs[i].klen == kl && pairs[i].key[0] == key[0] && memcmp(pairs[i].key, key, kl) == 0)
            return &pairs[i];
    return NULL;
}

/* An integer field in [lo, hi): 1 with *v; 0 when missing (*v = dflt if dflt >= lo, else
 * declined), of another kind or out of range (declined: return -1 means "decline"). */
static int int_at(Pair *pairs, int n, const char *key, long long lo, long long hi, long long dflt, long long *v,
                  int *present)
{
    Pair *x = pair_at(pairs, n, key);
    *present = x != NULL;
    if (x == NULL) {
        if (dflt < lo)
            return 0;
        *v = dflt;
        return 1;
    }
    if (x->kind != 1 || x->v < lo || x->v >= hi)
        return 0;
    *v = x->v;
    return 1;
}

/* A decimal string field in steps (plain decimals only: what plain_steps takes), as a new int;
 * NULL (no error set) when missing or anything else; *err set on a real error. */
static PyObject *steps_at(Pair *pairs, int n, const char *key, long long mant, int scale, int *err)
{
    Pair *x = pair_at(pairs, n, key);
    long long q;  /* (the reader took only ASCII: the bytes are the string's characters) */
    if (x == NULL || x->kind != 0 || x->slen == 0 || x->slen > 40
            || !plain_chars((const unsigned char *)x->s, x->slen, mant, scale, &q))
        return NULL;
    PyObject *o = PyLong_FromLongLong(q);
    if (o == NULL)
        *err = 1;
    return o;
}

static int is_str(Pair *x, const char *text)
{
    Py_ssize_t l = (Py_ssize_t)strlen(text);
    return x != NULL && x->kind == 0 && x->slen == l && memcmp(x->s, text, l) == 0;
}

/* frame(raw, table, instruments, kinds, recv_ns) -> [event] | None: what decode(raw) gives for
 * the usual bookTicker, aggTrade and trade frame (the checks of event()), read from the bytes. */
PyObject *frame(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyBytes_CheckExact(args[0]) || !PyDict_Check(args[1]) || !PyDict_Check(args[2])
            || !kinds_ok(args[3])) {
        PyErr_SetString(PyExc_TypeError, "frame(raw: bytes, table: dict, instruments: dict, kinds: 7-tuple, recv_ns)");
        return NULL;
    }
    const char *p = PyBytes_AS_STRING(args[0]);
    return rpl_frame_at(p, p + PyBytes_GET_SIZE(args[0]), args[1], args[2], args[3], args[4]);
}

/* frame() on the bytes [p, end), its other arguments already checked (table and instruments
 * dicts, kinds_ok(kinds)): a recording's line decoded in place (_native_rpl.c). */
PyObject *rpl_frame_at(const char *p, const char *end, PyObject *table, PyObject *insts, PyObject *kinds,
                       PyObject *recv)
{
    static const char env[] = "{\"stream\":\"";
    int wrapped = end - p > (Py_ssize_t)sizeof(env) && memcmp(p, env, sizeof(env) - 1) == 0;
    if (wrapped) {
        p += sizeof(env) - 1;
        Py_ssize_t sl = str_len(p, end, 0);
        static const char data[] = "\",\"data\":";
        if (sl < 0 || end - (p + sl) < (Py_ssize_t)sizeof(data) || memcmp(p + sl, data, sizeof(data) - 1) != 0)
            Py_RETURN_NONE;
        p += sl + sizeof(data) - 1;
    }
    Pair pairs[MAX_PAIRS];
    int n = 0;
    if (!read_object(&p, end, pairs, &n))
        Py_RETURN_NONE;
    if (wrapped && (p >= end || *p++ != '}'))
        Py_RETURN_NONE;
    if (p != end || pair_at(pairs, n, "lastUpdateId") != NULL
            || (!wrapped && (pair_at(pairs, n, "stream") != NULL || pair_at(pairs, n, "data") != NULL)))
        Py_RETURN_NONE;  /* (a bare object with "stream" and "data" would be read as an envelope) */
    Pair *e = pair_at(pairs, n, "e"), *s = pair_at(pairs, n, "s");
    int kind;
    if (is_str(e, "bookTicker"))
        kind = 0;
    else if (is_str(e, "aggTrade"))
        kind = 1;
    else if (is_str(e, "trade") && PyTuple_GET_ITEM(kinds, 6) == Py_True)
        kind = 2;
    else
        Py_RETURN_NONE;
    if (s == NULL || s->kind != 0)
        Py_RETURN_NONE;
    PyObject *sym = PyUnicode_FromStringAndSize(s->s, s->slen);
    if (sym == NULL)
        return NULL;
    PyObject *entry = PyDict_GetItemWithError(table, sym);
    PyObject *inst = entry == NULL ? NULL : PyDict_GetItemWithError(insts, sym);
    Py_DECREF(sym);
    if (inst == NULL || !PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 3 || PyTuple_GET_ITEM(entry, 0) != inst
            || !spec_ok(PyTuple_GET_ITEM(entry, 2))) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    PyObject *spec = PyTuple_GET_ITEM(entry, 2), *symbol = PyTuple_GET_ITEM(entry, 1);
    long long pm = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, 0)), qm = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, 2));
    long ps = PyLong_AsLong(PyTuple_GET_ITEM(spec, 1)), qs = PyLong_AsLong(PyTuple_GET_ITEM(spec, 3));
    if (PyErr_Occurred())
        return NULL;
    if (pm <= 0 || qm <= 0 || ps < 0 || qs < 0 || ps > 18 || qs > 18)
        Py_RETURN_NONE;
    PyObject *v[4] = {NULL, NULL, NULL, NULL}, *ids[4] = {NULL, NULL, NULL, NULL}, *ev = NULL;
    int err = 0, present;
    long long a, b, c, t;
    if (kind == 0) {
        const char *keys[4] = {"b", "B", "a", "A"};
        if (int_at(pairs, n, "u", 0, MAX_ID, -1, &a, &present) && int_at(pairs, n, "T", 1, MAX_MS, -1, &t, &present)) {
            for (int i = 0; i < 4 && !err; i++)
                if ((v[i] = steps_at(pairs, n, keys[i], i & 1 ? qm : pm, (int)(i & 1 ? qs : ps), &err)) == NULL)
                    break;
            if (v[3] != NULL && (ids[0] = PyLong_FromLongLong(a)) != NULL && (ids[1] = PyLong_FromLongLong(t * 1000000LL)) != NULL) {
                PyObject *vals[8] = {symbol, ids[0], v[0], v[1], v[2], v[3], ids[1], recv};
                ev = build(PyTuple_GET_ITEM(kinds, 0), PyTuple_GET_ITEM(kinds, 1), vals, 8);
            }
        }
    } else {
        Pair *bm = pair_at(pairs, n, "m");
        int ok = bm != NULL && bm->kind >= 2;
        if (ok && kind == 1)
            ok = int_at(pairs, n, "a", 0, MAX_ID, -1, &a, &present) && int_at(pairs, n, "f", -1, MAX_ID, -1, &b, &present)
                 && int_at(pairs, n, "l", -1, MAX_ID, -1, &c, &present);
        else if (ok) {
            ok = int_at(pairs, n, "t", 0, MAX_ID, -1, &a, &present);
            b = c = a;
        }
        t = 0;
        if (ok) {  /* _ms(m, "T", "E"): the first present and not 0 */
            const char *tk[2] = {"T", "E"};
            for (int i = 0; i < 2; i++) {
                Pair *x = pair_at(pairs, n, tk[i]);
                if (x == NULL || (x->kind == 1 && x->v == 0))
                    continue;
                if (x->kind != 1 || x->v < 0 || x->v >= MAX_MS)
                    ok = 0;
                else
                    t = x->v * 1000000LL;
                break;
            }
        }
        if (ok && (v[0] = steps_at(pairs, n, "q", qm, (int)qs, &err)) != NULL
                && (v[1] = steps_at(pairs, n, "p", pm, (int)ps, &err)) != NULL
                && PyObject_RichCompareBool(v[0], ZERO, Py_GT) == 1 && PyObject_RichCompareBool(v[1], ZERO, Py_GT) == 1
                && (ids[0] = PyLong_FromLongLong(a)) != NULL && (ids[1] = PyLong_FromLongLong(t)) != NULL
                && (ids[2] = PyLong_FromLongLong(b)) != NULL && (ids[3] = PyLong_FromLongLong(c)) != NULL) {
            PyObject *vals[9] = {symbol, v[1], v[0], PyTuple_GET_ITEM(kinds, bm->kind == 2 ? 4 : 5), ids[0], ids[1],
                                 recv, ids[2], ids[3]};
            ev = build(PyTuple_GET_ITEM(kinds, 2), PyTuple_GET_ITEM(kinds, 3), vals, 9);
        }
    }
    for (int i = 0; i < 4; i++) {
        Py_XDECREF(v[i]);
        Py_XDECREF(ids[i]);
    }
    if (ev == NULL) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    PyObject *out = PyList_New(1);
    if (out == NULL) {
        Py_DECREF(ev);
        return NULL;
    }
    PyList_SET_ITEM(out, 0, ev);
    return out;
}

/* An int's value when it fits in a long long (1), else 0: comparisons of C numbers instead of
 * PyObject_RichCompare where they can be (prices, sizes and index keys nearly always fit). */
