/*
 * brubeck._speedups: the usual case of a few hot functions of the protocol
 * and models layers, each in one C call: a Mongrel2 request, an HTTP
 * response head, a Mongrel2 reply, a datetime from its text and back, the
 * headers of a WSGI environ. Optional: Brubeck works without it (no
 * compiler, or BRUBECK_NO_SPEEDUPS set), with the same results
 * (brubeck/_native.py loads it).
 *
 * Every function here answers None for anything but the usual case; the
 * Python code then does the work, and reports errors. So each may only ever
 * accept a subset of what the Python path accepts, with the same results
 * (tests/test_speedups.py checks both on the captures and on fuzzed
 * input).
 *
 * parse_request(data) -> (sender, conn_id, path, headers, body), for
 *
 *     SENDER SP CONN_ID SP PATH SP HEADERS BODY
 *     HEADERS = LENGTH ":" (STRING STRING)* "}"      tnetstring headers
 *     BODY    = STRING, and nothing after it
 *     STRING  = LENGTH ":" BYTES ","
 *     LENGTH  = 1 to 9 ASCII digits, no leading zero  (_tnetstring_pure.py)
 *
 * where SENDER is not empty and CONN_ID is ASCII digits; SENDER decodes as
 * Latin-1, PATH as UTF-8 with surrogateescape, header names and values as
 * strict UTF-8 (one value per name: repeated headers come as lists, which
 * the Python path decodes). Common header names come out as interned
 * strings made once, so they need no decoding and no hashing.
 *
 * format_response(line, headers, seen, body, length, close, with_body) ->
 * the HTTP response http.format_response writes, when every header is a
 * (str, str) tuple whose name is in ``seen`` and whose value is printable
 * ASCII. reply_to(sender, conn_id, payload) -> the Mongrel2 reply message,
 * for an ASCII sender and a decimal conn_id.
 *
 * parse_datetime(text) -> what brubeck.models.fields.base.parse_datetime
 * gives, for a valid "YYYY-MM-DDTHH:MM:SS[.F{1,6}][Z|+00:00|-00:00]"
 * (naive, or UTC), as datetime.fromisoformat reads it. datetime_text(value)
 * -> value.isoformat() of an exact datetime, naive or in datetime.UTC.
 *
 * environ_headers(environ, names, special) -> the headers
 * brubeck.protocol.wsgi.message_from_environ collects, when every environ key
 * is one it has named before and every header value is ASCII text.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <string.h>

/* -- parse_request --------------------------------------------------------- */

/* Header names Mongrel2 and browsers send on most requests. */
static const char *const KNOWN_NAMES[] = {
    "METHOD", "VERSION", "URI", "PATH", "QUERY", "FRAGMENT", "PATTERN", "URL_SCHEME",
    "REMOTE_ADDR", "FLAGS", "host", "user-agent", "accept", "accept-encoding",
    "accept-language", "accept-charset", "content-type", "content-length", "connection",
    "cookie", "referer", "origin", "authorization", "cache-control", "pragma",
    "x-forwarded-for", "x-forwarded-proto", "x-requested-with", "x-real-ip",
    "if-none-match", "if-modified-since", "upgrade", "expect", "dnt", "te",
    "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest", "sec-fetch-user",
    "upgrade-insecure-requests", "keep-alive",
};
#define KNOWN_COUNT ((Py_ssize_t)(sizeof(KNOWN_NAMES) / sizeof(KNOWN_NAMES[0])))

typedef struct {
    PyObject *names[KNOWN_COUNT]; /* interned str, in KNOWN_NAMES' order */
    Py_ssize_t sizes[KNOWN_COUNT];
} State;

static State *
state_of(PyObject *module)
{
    return (State *)PyModule_GetState(module);
}

/* A new reference to the known name equal to these bytes, or NULL (none). */
static PyObject *
known_name(State *state, const char *start, Py_ssize_t size)
{
    Py_ssize_t i;

    for (i = 0; i < KNOWN_COUNT; i++) {
        if (state->sizes[i] == size && memcmp(KNOWN_NAMES[i], start, (size_t)size) == 0) {
            PyObject *name = state->names[i];

            Py_XINCREF(name); /* NULL only once the module is freed: decoded instead */
            return name;
        }
    }
    return NULL;
}

/* A canonical length prefix at p (before end): its value, with *after just
 * past the colon; -1 when there is none. */
static Py_ssize_t
length_prefix(const char *p, const char *end, const char **after)
{
    Py_ssize_t value = 0;
    const char *q = p;

    while (q < end && q - p < 10 && *q >= '0' && *q <= '9') {
        value = value * 10 + (*q - '0');
        q++;
    }
    if (q == p || q - p > 9 || q >= end || *q != ':' || (q - p > 1 && *p == '0')) {
        return -1;
    }
    *after = q + 1;
    return value;
}

/* The payload of one STRING at *pos that ends (tag included) before limit:
 * its start and size, with *pos just past its tag; 0 when there is none. */
static int
string_at(const char **pos, const char *limit, const char **start, Py_ssize_t *size)
{
    const char *data;
    Py_ssize_t length = length_prefix(*pos, limit, &data);

    if (length < 0 || length >= limit - data || data[length] != ',') {
        return 0;
    }
    *start = data;
    *size = length;
    *pos = data + length + 1;
    return 1;
}

/* Strict UTF-8 text, or NULL: with an exception set only when it is not the
 * input's fault (no memory); for invalid UTF-8, *refused is set instead. */
static PyObject *
strict_text(const char *start, Py_ssize_t size, int *refused)
{
    PyObject *text = PyUnicode_DecodeUTF8(start, size, NULL);

    if (text == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
        PyErr_Clear();
        *refused = 1;
    }
    return text;
}

/* The headers dict of the payload [p, end), or NULL (see strict_text). */
static PyObject *
headers_of(State *state, const char *p, const char *end, int *refused)
{
    PyObject *headers = PyDict_New();

    if (headers == NULL) {
        return NULL;
    }
    while (p < end) {
        const char *key, *value;
        Py_ssize_t key_size, value_size;
        PyObject *name, *text;
        int failed;

        if (!string_at(&p, end, &key, &key_size) || p >= end ||
            !string_at(&p, end, &value, &value_size)) {
            *refused = 1;
            goto error;
        }
        name = known_name(state, key, key_size);
        if (name == NULL) {
            name = strict_text(key, key_size, refused);
            if (name == NULL) {
                goto error;
            }
        }
        text = strict_text(value, value_size, refused);
        if (text == NULL) {
            Py_DECREF(name);
            goto error;
        }
        failed = PyDict_SetItem(headers, name, text);
        Py_DECREF(name);
        Py_DECREF(text);
        if (failed) {
            goto error;
        }
    }
    return headers;

error:
    Py_DECREF(headers);
    return NULL;
}

/* The offset of the first space in [p, end), or -1. */
static Py_ssize_t
space_in(const char *p, const char *end)
{
    const char *space = memchr(p, ' ', (size_t)(end - p));

    return space == NULL ? -1 : space - p;
}

static PyObject *
parse(State *state, const char *data, Py_ssize_t size)
{
    const char *end = data + size, *sender = data, *conn, *path, *p;
    const char *headers_start, *body;
    Py_ssize_t sender_size, conn_size, path_size, headers_size, body_size, i;
    PyObject *headers, *result, *item;
    int refused = 0;

    sender_size = space_in(sender, end);
    if (sender_size <= 0) {
        Py_RETURN_NONE;
    }
    conn = sender + sender_size + 1;
    conn_size = space_in(conn, end);
    if (conn_size <= 0) {
        Py_RETURN_NONE;
    }
    for (i = 0; i < conn_size; i++) {
        if (conn[i] < '0' || conn[i] > '9') {
            Py_RETURN_NONE;
        }
    }
    path = conn + conn_size + 1;
    path_size = space_in(path, end);
    if (path_size < 0) {
        Py_RETURN_NONE;
    }
    p = path + path_size + 1;

    headers_size = length_prefix(p, end, &headers_start);
    if (headers_size < 0 || headers_size >= end - headers_start ||
        headers_start[headers_size] != '}') {
        Py_RETURN_NONE;
    }
    p = headers_start + headers_size + 1;
    if (!string_at(&p, end, &body, &body_size) || p != end) {
        Py_RETURN_NONE;
    }

    headers = headers_of(state, headers_start, headers_start + headers_size, &refused);
    if (headers == NULL) {
        if (refused) {
            Py_RETURN_NONE;
        }
        return NULL;
    }
    result = PyTuple_New(5);
    if (result == NULL) {
        Py_DECREF(headers);
        return NULL;
    }
    /* The tuple owns each item from here on: one failure, and it frees them all. */
    PyTuple_SET_ITEM(result, 3, headers);
    if ((item = PyUnicode_DecodeLatin1(sender, sender_size, NULL)) == NULL) {
        goto error;
    }
    PyTuple_SET_ITEM(result, 0, item);
    if ((item = PyUnicode_DecodeASCII(conn, conn_size, NULL)) == NULL) {
        goto error;
    }
    PyTuple_SET_ITEM(result, 1, item);
    if ((item = PyUnicode_DecodeUTF8(path, path_size, "surrogateescape")) == NULL) {
        goto error;
    }
    PyTuple_SET_ITEM(result, 2, item);
    if ((item = PyBytes_FromStringAndSize(body, body_size)) == NULL) {
        goto error;
    }
    PyTuple_SET_ITEM(result, 4, item);
    return result;

error:
    Py_DECREF(result); /* its empty slots are NULL, which tuples skip */
    return NULL;
}

static PyObject *
parse_request(PyObject *module, PyObject *data)
{
    if (!PyBytes_CheckExact(data)) {
        Py_RETURN_NONE;
    }
    return parse(state_of(module), PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data));
}

/* -- format_response and reply_to ------------------------------------------ */

/* Whether text is an exact str of ASCII characters from first to last. */
static int
ascii_in(PyObject *text, Py_UCS1 first, Py_UCS1 last)
{
    const Py_UCS1 *chars;
    Py_ssize_t i, size;

    if (!PyUnicode_CheckExact(text) || !PyUnicode_IS_ASCII(text)) {
        return 0;
    }
    chars = PyUnicode_1BYTE_DATA(text);
    size = PyUnicode_GET_LENGTH(text);
    for (i = 0; i < size; i++) {
        if (chars[i] < first || chars[i] > last) {
            return 0;
        }
    }
    return 1;
}

static char *
put(char *out, const void *data, Py_ssize_t size)
{
    memcpy(out, data, (size_t)size);
    return out + size;
}

static char *
put_text(char *out, PyObject *ascii)
{
    return put(out, PyUnicode_1BYTE_DATA(ascii), PyUnicode_GET_LENGTH(ascii));
}

#define CRLF "\r\n"
#define LENGTH_NAME "Content-Length: "
#define CLOSE_LINE "Connection: close\r\n"

/* size += add, or 0 (with MemoryError set) where that would overflow. */
static int
grow(Py_ssize_t *size, Py_ssize_t add)
{
    if (add > PY_SSIZE_T_MAX - *size) {
        PyErr_NoMemory();
        return 0;
    }
    *size += add;
    return 1;
}

/* The response, from a snapshot of the header list (the list may change
 * under us: a set lookup can run Python code, an __eq__ of some entry). */
static PyObject *
response_of(PyObject *line, PyObject *items, PyObject *seen, PyObject *body, int length,
            int close, int with_body)
{
    Py_ssize_t count = PyTuple_GET_SIZE(items), i, size = 0;
    char number[24];
    int number_size = 0;
    PyObject *result;
    char *out;

    /* Check every header first, adding up the size. */
    if (!grow(&size, PyUnicode_GET_LENGTH(line) + 2)) {
        return NULL;
    }
    for (i = 0; i < count; i++) {
        PyObject *pair = PyTuple_GET_ITEM(items, i), *name, *value;
        int known;

        if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2) {
            Py_RETURN_NONE;
        }
        name = PyTuple_GET_ITEM(pair, 0);
        value = PyTuple_GET_ITEM(pair, 1);
        if (!PyUnicode_CheckExact(name) || !PyUnicode_IS_ASCII(name) ||
            !ascii_in(value, 0x20, 0x7e)) {
            Py_RETURN_NONE;
        }
        known = PySet_Contains(seen, name);
        if (known < 0) {
            return NULL;
        }
        if (!known) {
            Py_RETURN_NONE;
        }
        if (!grow(&size, PyUnicode_GET_LENGTH(name)) || !grow(&size, 4) ||
            !grow(&size, PyUnicode_GET_LENGTH(value))) {
            return NULL;
        }
    }
    if (length) {
        number_size = snprintf(number, sizeof number, "%zd", PyBytes_GET_SIZE(body));
        if (!grow(&size, (Py_ssize_t)(sizeof LENGTH_NAME - 1) + number_size + 2)) {
            return NULL;
        }
    }
    if ((close && !grow(&size, (Py_ssize_t)(sizeof CLOSE_LINE - 1))) || !grow(&size, 2) ||
        (with_body && !grow(&size, PyBytes_GET_SIZE(body)))) {
        return NULL;
    }

    result = PyBytes_FromStringAndSize(NULL, size);
    if (result == NULL) {
        return NULL;
    }
    out = PyBytes_AS_STRING(result);
    out = put_text(out, line);
    out = put(out, CRLF, 2);
    for (i = 0; i < count; i++) {
        PyObject *pair = PyTuple_GET_ITEM(items, i);

        out = put_text(out, PyTuple_GET_ITEM(pair, 0));
        out = put(out, ": ", 2);
        out = put_text(out, PyTuple_GET_ITEM(pair, 1));
        out = put(out, CRLF, 2);
    }
    if (length) {
        out = put(out, LENGTH_NAME, (Py_ssize_t)(sizeof LENGTH_NAME - 1));
        out = put(out, number, number_size);
        out = put(out, CRLF, 2);
    }
    if (close) {
        out = put(out, CLOSE_LINE, (Py_ssize_t)(sizeof CLOSE_LINE - 1));
    }
    out = put(out, CRLF, 2);
    if (with_body) {
        out = put(out, PyBytes_AS_STRING(body), PyBytes_GET_SIZE(body));
    }
    if (out != PyBytes_AS_STRING(result) + size) { /* cannot happen: the sizes above */
        Py_DECREF(result);
        PyErr_SetString(PyExc_SystemError, "format_response: size mismatch");
        return NULL;
    }
    return result;
}

static PyObject *
format_response(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *line, *headers, *seen, *body, *items, *result;
    Py_ssize_t i;

    (void)module;
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "format_response takes 7 arguments");
        return NULL;
    }
    line = args[0];
    headers = args[1];
    seen = args[2];
    body = args[3];
    if (!PyList_CheckExact(headers) || !PyAnySet_CheckExact(seen) || !PyBytes_CheckExact(body) ||
        !ascii_in(line, 0x20, 0x7e)) {
        Py_RETURN_NONE;
    }
    for (i = 4; i < 7; i++) { /* exact bools only: no __bool__ of a caller's object runs here */
        if (!PyBool_Check(args[i])) {
            Py_RETURN_NONE;
        }
    }
    items = PyList_AsTuple(headers);
    if (items == NULL) {
        return NULL;
    }
    result = response_of(line, items, seen, body, args[4] == Py_True, args[5] == Py_True,
                         args[6] == Py_True);
    Py_DECREF(items);
    return result;
}

static PyObject *
reply_to(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *sender, *conn, *payload, *result;
    char prefix[24];
    int prefix_size;
    Py_ssize_t size;
    char *out;

    (void)module;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "reply_to takes 3 arguments");
        return NULL;
    }
    sender = args[0];
    conn = args[1];
    payload = args[2];
    /* A sender without spaces (printable, so no space is '!' to '~'), a
     * decimal connection id. */
    if (!ascii_in(sender, 0x21, 0x7e) || PyUnicode_GET_LENGTH(sender) == 0 ||
        !ascii_in(conn, '0', '9') || PyUnicode_GET_LENGTH(conn) == 0 ||
        !PyBytes_CheckExact(payload)) {
        Py_RETURN_NONE;
    }
    prefix_size = snprintf(prefix, sizeof prefix, " %zd:", PyUnicode_GET_LENGTH(conn));
    size = 0;
    if (!grow(&size, PyUnicode_GET_LENGTH(sender) + prefix_size) ||
        !grow(&size, PyUnicode_GET_LENGTH(conn) + 2) || !grow(&size, PyBytes_GET_SIZE(payload))) {
        return NULL;
    }
    result = PyBytes_FromStringAndSize(NULL, size);
    if (result == NULL) {
        return NULL;
    }
    out = PyBytes_AS_STRING(result);
    out = put_text(out, sender);
    out = put(out, prefix, prefix_size);
    out = put_text(out, conn);
    out = put(out, ", ", 2);
    put(out, PyBytes_AS_STRING(payload), PyBytes_GET_SIZE(payload));
    return result;
}

/* -- parse_datetime and datetime_text ------------------------------------- */

static int
is_leap(int year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

static int
days_in(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/* The number the n ASCII digits at p write, or -1. */
static int
number_at(const Py_UCS1 *p, int n)
{
    int value = 0, i;

    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return -1;
        }
        value = value * 10 + (p[i] - '0');
    }
    return value;
}

static PyObject *
parse_datetime(PyObject *module, PyObject *text)
{
    const Py_UCS1 *s;
    Py_ssize_t size, pos = 19;
    int year, month, day, hour, minute, second, micro = 0;
    PyObject *zone;

    (void)module;
    if (!PyUnicode_CheckExact(text) || !PyUnicode_IS_ASCII(text)) {
        Py_RETURN_NONE;
    }
    s = PyUnicode_1BYTE_DATA(text);
    size = PyUnicode_GET_LENGTH(text);
    if (size < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':') {
        Py_RETURN_NONE;
    }
    year = number_at(s, 4);
    month = number_at(s + 5, 2);
    day = number_at(s + 8, 2);
    hour = number_at(s + 11, 2);
    minute = number_at(s + 14, 2);
    second = number_at(s + 17, 2);
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in(year, month) ||
        hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
        Py_RETURN_NONE; /* not a valid datetime: the Python path says so */
    }
    if (pos < size && s[pos] == '.') {
        int digits = 0;

        for (pos++; pos < size && digits < 6 && s[pos] >= '0' && s[pos] <= '9'; pos++) {
            micro = micro * 10 + (s[pos] - '0');
            digits++;
        }
        if (digits == 0) {
            Py_RETURN_NONE;
        }
        for (; digits < 6; digits++) {
            micro *= 10; /* ".5" is half a second */
        }
    }
    if (pos == size) {
        zone = Py_None;
    }
    else if (size - pos == 1 && s[pos] == 'Z') {
        zone = PyDateTime_TimeZone_UTC;
    }
    else if (size - pos == 6 && (s[pos] == '+' || s[pos] == '-') &&
             memcmp(s + pos + 1, "00:00", 5) == 0) {
        zone = PyDateTime_TimeZone_UTC;
    }
    else {
        Py_RETURN_NONE; /* other offsets: the Python path */
    }
    return PyDateTimeAPI->DateTime_FromDateAndTime(year, month, day, hour, minute, second, micro,
                                                   zone, PyDateTimeAPI->DateTimeType);
}

static char *
put_number(char *out, int value, int width)
{
    int i;

    for (i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + value % 10);
        value /= 10;
    }
    return out + width;
}

static PyObject *
datetime_text(PyObject *module, PyObject *value)
{
    char text[40], *out = text;
    PyObject *zone;
    int micro;

    (void)module;
    if (!PyDateTime_CheckExact(value)) {
        Py_RETURN_NONE;
    }
    zone = PyDateTime_DATE_GET_TZINFO(value);
    if (zone != Py_None && zone != PyDateTime_TimeZone_UTC) {
        Py_RETURN_NONE;
    }
    out = put_number(out, PyDateTime_GET_YEAR(value), 4);
    *out++ = '-';
    out = put_number(out, PyDateTime_GET_MONTH(value), 2);
    *out++ = '-';
    out = put_number(out, PyDateTime_GET_DAY(value), 2);
    *out++ = 'T';
    out = put_number(out, PyDateTime_DATE_GET_HOUR(value), 2);
    *out++ = ':';
    out = put_number(out, PyDateTime_DATE_GET_MINUTE(value), 2);
    *out++ = ':';
    out = put_number(out, PyDateTime_DATE_GET_SECOND(value), 2);
    micro = PyDateTime_DATE_GET_MICROSECOND(value);
    if (micro) {
        *out++ = '.';
        out = put_number(out, micro, 6);
    }
    if (zone != Py_None) {
        out = put(out, "+00:00", 6);
    }
    return PyUnicode_DecodeASCII(text, out - text, NULL);
}

/* -- environ_headers -------------------------------------------------------- */

static PyObject *
environ_headers(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *environ, *names, *special, *headers, *key, *value;
    Py_ssize_t position = 0;

    (void)module;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "environ_headers takes 3 arguments");
        return NULL;
    }
    environ = args[0];
    names = args[1];
    special = args[2];
    if (!PyDict_CheckExact(environ) || !PyDict_CheckExact(names) || !PyDict_CheckExact(special)) {
        Py_RETURN_NONE;
    }
    headers = PyDict_New();
    if (headers == NULL) {
        return NULL;
    }
    /* No Python code runs in this loop (exact str keys, in dicts whose keys
     * are exact str: wsgi.py caches only those), so environ cannot change
     * under PyDict_Next. */
    while (PyDict_Next(environ, &position, &key, &value)) {
        PyObject *name;
        int is_special;

        if (!PyUnicode_CheckExact(key)) {
            goto refuse;
        }
        name = PyDict_GetItemWithError(names, key); /* borrowed */
        if (name == NULL) {
            if (PyErr_Occurred()) {
                goto fail;
            }
            goto refuse; /* a key not seen yet: the Python path names it, and learns it */
        }
        if (!PyUnicode_CheckExact(name)) {
            goto refuse;
        }
        if (PyUnicode_GET_LENGTH(name) == 0) {
            continue; /* not a header */
        }
        if (!PyUnicode_CheckExact(value) || !PyUnicode_IS_ASCII(value)) {
            goto refuse; /* Latin-1 text to re-decode, or not text: the Python path */
        }
        if (PyUnicode_GET_LENGTH(value) == 0) {
            is_special = PyDict_Contains(special, key);
            if (is_special < 0) {
                goto fail;
            }
            if (is_special) {
                continue; /* an empty CONTENT_TYPE or CONTENT_LENGTH: none sent */
            }
        }
        if (PyDict_SetItem(headers, name, value) < 0) {
            goto fail;
        }
    }
    return headers;

refuse:
    Py_DECREF(headers);
    Py_RETURN_NONE;

fail:
    Py_DECREF(headers);
    return NULL;
}

/* -- the module ------------------------------------------------------------- */

PyDoc_STRVAR(parse_request_doc,
"parse_request(data, /)\n--\n\n"
"(sender, conn_id, path, headers, body) of a Mongrel2 request with tnetstring\n"
"headers of one UTF-8 value per name; None for any other message.");

PyDoc_STRVAR(format_response_doc,
"format_response(line, headers, seen, body, length, close, with_body, /)\n--\n\n"
"The HTTP response bytes; None unless every header is a (str, str) tuple\n"
"whose name is in seen and whose value is printable ASCII.");

PyDoc_STRVAR(reply_to_doc,
"reply_to(sender, conn_id, payload, /)\n--\n\n"
"The Mongrel2 reply message; None unless the sender is printable ASCII\n"
"without spaces and conn_id is decimal digits.");

PyDoc_STRVAR(parse_datetime_doc,
"parse_datetime(text, /)\n--\n\n"
"The naive or UTC datetime a valid YYYY-MM-DDTHH:MM:SS[.F{1,6}][Z|+00:00|-00:00]\n"
"text names; None for any other text.");

PyDoc_STRVAR(datetime_text_doc,
"datetime_text(value, /)\n--\n\n"
"value.isoformat() of a naive or UTC datetime; None for any other value.");

PyDoc_STRVAR(environ_headers_doc,
"environ_headers(environ, names, special, /)\n--\n\n"
"The headers dict of a WSGI environ whose keys are all in names (environ key\n"
"to header name, \"\" for none) and whose header values are ASCII str; None\n"
"for any other environ.");

static PyMethodDef methods[] = {
    {"parse_request", parse_request, METH_O, parse_request_doc},
    {"format_response", (PyCFunction)(void (*)(void))format_response, METH_FASTCALL,
     format_response_doc},
    {"reply_to", (PyCFunction)(void (*)(void))reply_to, METH_FASTCALL, reply_to_doc},
    {"parse_datetime", parse_datetime, METH_O, parse_datetime_doc},
    {"datetime_text", datetime_text, METH_O, datetime_text_doc},
    {"environ_headers", (PyCFunction)(void (*)(void))environ_headers, METH_FASTCALL,
     environ_headers_doc},
    {NULL, NULL, 0, NULL},
};

static int
exec_module(PyObject *module)
{
    State *state = state_of(module);
    Py_ssize_t i;

    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL) {
        return -1;
    }
    for (i = 0; i < KNOWN_COUNT; i++) {
        PyObject *name = PyUnicode_InternFromString(KNOWN_NAMES[i]);

        if (name == NULL) {
            return -1;
        }
        state->names[i] = name;
        state->sizes[i] = (Py_ssize_t)strlen(KNOWN_NAMES[i]);
    }
    return 0;
}

static int
traverse_module(PyObject *module, visitproc visit, void *arg)
{
    (void)module;
    (void)visit;
    (void)arg;
    return 0; /* only str objects, which hold no references */
}

static void
free_module(void *module)
{
    State *state = state_of((PyObject *)module);
    Py_ssize_t i;

    if (state != NULL) { /* str objects only: nothing for the GC to clear before this */
        for (i = 0; i < KNOWN_COUNT; i++) {
            Py_CLEAR(state->names[i]);
        }
    }
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "brubeck._speedups",
    .m_doc = "The usual case of a few hot functions, each in one C call.",
    .m_size = sizeof(State),
    .m_methods = methods,
    .m_slots = slots,
    .m_traverse = traverse_module,
    .m_free = free_module,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModuleDef_Init(&module_def);
}
