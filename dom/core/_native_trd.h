/* The adaptive slack's state (_native_trd.c) and the detectors' trade hooks that feed it
 * (_native_trd_hook.c, _native_trd_spoof.c). Every global name here starts with trd_ / TRD_. */
#ifndef DOM_NATIVE_TRD_H
#define DOM_NATIVE_TRD_H
#include "_native.h"
#include <structmember.h>

#define TRD_WINDOW 1000
#define TRD_REFRESH 100
#define TRD_MS 1000000LL
#define TRD_LIM (1LL << 61) /* times and counts taken: a lag (a difference of two) fits */

typedef struct {
    PyObject_HEAD
    long long floor, ns, lag, last, n;
    int head; /* the ring's oldest lag */
    int npos; /* positive lags in the window */
    PyObject *from_state; /* builds the twin */
    PyObject *twin; /* NULL until an argument was not taken */
    long long ring[TRD_WINDOW];
    long long pos[TRD_WINDOW]; /* sorted */
} trd_Slack;

/* A trade of lag ``lag`` (depth time less trade time) for a slack with no twin: what on_trade
 * does with arguments it takes (the count moves on by one). */
void trd_slack_trade(trd_Slack *s, long long lag);

extern PyTypeObject trd_IceHookType, trd_SpoofHookType;

/* The hooks' shared parts (_native_trd_hook.c): the detector's own on_trade(sym, trade); the
 * PyMemberDef of a slot descriptor of cls (NULL if it is not one); a slot's object (a new
 * reference); (_native_trd_spoof.c) slack.on_trade_once(n, depth_t, T), in C where the slack is a
 * Slack that takes them. */
PyObject *trd_fallback(PyObject *on_trade, PyObject *const *args);
PyMemberDef *trd_member(PyObject *d, PyObject *cls);
PyObject *trd_read(PyObject *obj, PyMemberDef *m);
int trd_once(PyObject *slack, PyObject *name, PyObject *n, PyObject *depth_t, PyObject *T);

#endif
