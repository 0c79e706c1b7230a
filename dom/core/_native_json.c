/* dom.core._native: the strict JSON reader that frame() and rpl_lines() share.
 *
 * One flat object (or the caller's {"stream":"...","data":<it>} envelope around it), no whitespace
 * (but see JSN_WS), keys of [A-Za-z0-9_] each once, values ASCII strings without escapes,
 * integers of at most 18 digits without leading zeros, true, false, and, where the caller asks
 * (JSN_ROWS), a list of ["<string>","<string>"] rows; where it asks (JSN_WS), JSON's whitespace
 * (space, tab, line feed, carriage return) around any token, as json.dumps writes it. What it
 * accepts orjson reads as these very keys and values; anything else is declined and the caller
 * parses the frame with orjson. */
#include "_native.h"

/* The characters a key may hold ([A-Za-z0-9_]), a value string may hold (printable ASCII but '"'
 * and '\\'), and JSON's whitespace (space, tab, line feed, carriage return). */
static const unsigned char jsn_keych[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const unsigned char jsn_strch[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const unsigned char jsn_wsch[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

/* A string at p (after its opening quote): its length up to the closing quote, or -1. */
Py_ssize_t jsn_str(const char *p, const char *end, int key)
{
    const unsigned char *q = (const unsigned char *)p, *e = (const unsigned char *)end;
    const unsigned char *ok = key ? jsn_keych : jsn_strch;
    while (q < e && ok[*q])
        q++;
    return q < e && *q == '"' ? (const char *)q - p : -1;
}

/* p moved past JSON's whitespace where flags ask (JSN_WS), else p. */
static inline const char *jsn_ws(const char *p, const char *end, int flags)
{
    if (flags & JSN_WS)
        while (p < end && jsn_wsch[(unsigned char)*p])
            p++;
    return p;
}

/* A list of ["s","s"] rows at *pp: their count (*pp moved past it), or -1. */
static Py_ssize_t jsn_rows(const char **pp, const char *end, int flags)
{
    const char *p = *pp;
    Py_ssize_t n = 0;
    if (p >= end || *p++ != '[')
        return -1;
    p = jsn_ws(p, end, flags);
    if (p < end && *p == ']') {
        *pp = p + 1;
        return 0;
    }
    for (;;) {
        if (n == MAX_ROWS || end - p < 2 || *p++ != '[')
            return -1;
        for (int j = 0; j < 2; j++) {
            p = jsn_ws(p, end, flags);
            if (p >= end || *p++ != '"')
                return -1;
            Py_ssize_t l = jsn_str(p, end, 0);
            if (l < 0)
                return -1;
            p = jsn_ws(p + l + 1, end, flags);
            if (p >= end || *p++ != (j ? ']' : ','))
                return -1;
        }
        n++;
        p = jsn_ws(p, end, flags);
        if (p >= end)
            return -1;
        if (*p == ']') {
            *pp = p + 1;
            return n;
        }
        if (*p++ != ',')
            return -1;
        p = jsn_ws(p, end, flags);
    }
}

/* One flat object at *pp: its pairs; *pp moved past it. 0 when declined (an empty object too; a list
 * of rows only with JSN_ROWS in flags). */
int jsn_object(const char **pp, const char *end, jsn_Pair *pairs, int *np, int flags)
{
    const char *p = *pp;
    int n = 0;
    if (p >= end || *p++ != '{')
        return 0;
    p = jsn_ws(p, end, flags);
    if (p < end && *p == '}')
        return 0;
    for (;;) {
        if (n == JSN_PAIRS || p >= end || *p++ != '"')
            return 0;
        Py_ssize_t kl = jsn_str(p, end, 1);
        if (kl <= 0)
            return 0;
        jsn_Pair *x = &pairs[n];
        x->key = p;
        x->klen = kl;
        for (int i = 0; i < n; i++)
            if (pairs[i].klen == kl && pairs[i].key[0] == p[0] && memcmp(pairs[i].key, p, (size_t)kl) == 0)
                return 0;  /* a key twice */
        p = jsn_ws(p + kl + 1, end, flags);
        if (p >= end || *p++ != ':')
            return 0;
        p = jsn_ws(p, end, flags);
        if (p >= end)
            return 0;
        if (*p == '"') {
            Py_ssize_t sl = jsn_str(++p, end, 0);
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
            while (p < end && *p >= '0' && *p <= '9' && p - d < 19)
                v = v * 10 + (unsigned long long)(*p++ - '0');
            if (p == d || p - d > 18 || (*d == '0' && p - d > 1) || (neg && v == 0))
                return 0;
            if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
                return 0;
            x->kind = 1;
            x->v = neg ? -(long long)v : (long long)v;
        } else if ((flags & JSN_ROWS) && *p == '[') {
            x->kind = 4;
            x->s = p;
            if ((x->slen = jsn_rows(&p, end, flags)) < 0)
                return 0;
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
        p = jsn_ws(p, end, flags);
        if (p >= end)
            return 0;
        if (*p == '}') {
            *pp = p + 1;
            *np = n;
            return 1;
        }
        if (*p++ != ',')
            return 0;
        p = jsn_ws(p, end, flags);
    }
}

jsn_Pair *jsn_at(jsn_Pair *pairs, int n, const char *key)
{
    size_t kl = strlen(key);
    for (int i = 0; i < n; i++)
        if ((size_t)pairs[i].klen == kl && pairs[i].key[0] == key[0] && memcmp(pairs[i].key, key, kl) == 0)
            return &pairs[i];
    return NULL;
}

/* An integer field in [lo, hi) (missing: dflt when dflt >= lo): 1 with *v, else 0 (declined);
 * *present (unless NULL): whether the key was there. */
int jsn_int(jsn_Pair *pairs, int n, const char *key, long long lo, long long hi, long long dflt, long long *v,
            int *present)
{
    jsn_Pair *x = jsn_at(pairs, n, key);
    if (present != NULL)
        *present = x != NULL;
    if (x == NULL) {
        *v = dflt;
        return dflt >= lo;
    }
    if (x->kind != 1 || x->v < lo || x->v >= hi)
        return 0;
    *v = x->v;
    return 1;
}

/* The event object of a frame at [p, end): the frame itself, or the data of a
 * {"stream":"...","data":<it>} envelope (with JSN_WS, whitespace around any token and around the
 * frame). 1 with its pairs when the strict reader takes it and the frame ends with it; 0
 * otherwise, and for a bare object with a "stream" or "data" key (it would be read as an
 * envelope): an object whose first key is "stream" is the envelope or declined. */
int jsn_event(const char *p, const char *end, jsn_Pair *pairs, int *np, int flags)
{
    p = jsn_ws(p, end, flags);
    if (p >= end || *p != '{')
        return 0;
    const char *q = jsn_ws(p + 1, end, flags);
    int wrapped = end - q >= 8 && memcmp(q, "\"stream\"", 8) == 0;
    if (wrapped) {
        q = jsn_ws(q + 8, end, flags);
        if (q >= end || *q++ != ':')
            return 0;
        q = jsn_ws(q, end, flags);
        if (q >= end || *q++ != '"')
            return 0;
        Py_ssize_t sl = jsn_str(q, end, 0);
        if (sl < 0)
            return 0;
        q = jsn_ws(q + sl + 1, end, flags);
        if (q >= end || *q++ != ',')
            return 0;
        q = jsn_ws(q, end, flags);
        if (end - q < 6 || memcmp(q, "\"data\"", 6) != 0)
            return 0;
        q = jsn_ws(q + 6, end, flags);
        if (q >= end || *q++ != ':')
            return 0;
        p = jsn_ws(q, end, flags);
    }
    if (!jsn_object(&p, end, pairs, np, flags))
        return 0;
    p = jsn_ws(p, end, flags);
    if (wrapped) {
        if (p >= end || *p++ != '}')
            return 0;
        p = jsn_ws(p, end, flags);
    }
    if (p != end)
        return 0;
    return wrapped || (jsn_at(pairs, *np, "stream") == NULL && jsn_at(pairs, *np, "data") == NULL);
}
