/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Lines from standard input, and answers typed on the terminal. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "schedctl.h"

int schedctl_read_line(apr_pool_t *p, apr_size_t max, char **line)
{
    static apr_file_t *in = NULL;       /* opened in the first caller's pool: ctl's */
    char *buf = apr_palloc(p, max + 3);     /* the line, "\r\n" and a NUL */
    apr_size_t len;
    char c;

    if (in == NULL && apr_file_open_stdin(&in, p) != APR_SUCCESS) {
        return -1;
    }
    if (apr_file_gets(buf, (int)(max + 3), in) != APR_SUCCESS) {
        return -1;
    }
    len = strlen(buf);
    *line = buf;
    if (len > 0 && buf[len - 1] == '\n') {
        buf[--len] = '\0';
        if (len > 0 && buf[len - 1] == '\r') {
            buf[--len] = '\0';
        }
        return len > max ? -2 : 0;
    }
    if (apr_file_eof(in) == APR_EOF) {
        return len > max ? -2 : 0;      /* the last line, with no line end */
    }
    while (apr_file_getc(&c, in) == APR_SUCCESS && c != '\n') {
    }
    return -2;                          /* longer than max: the rest is dropped */
}

/* The terminal's settings while a password is typed, to restore them when a signal
 * ends the program meanwhile. */
static struct termios schedctl_saved;
static volatile sig_atomic_t schedctl_echo_off;

static void schedctl_echo_on(void)
{
    if (schedctl_echo_off) {
        tcsetattr(STDIN_FILENO, TCSANOW, &schedctl_saved);
        schedctl_echo_off = 0;
    }
}

static void schedctl_on_signal(int sig)
{
    schedctl_echo_on();
    raise(sig);                 /* SA_RESETHAND: the default action this time */
}

static void schedctl_catch_signals(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP };
    struct sigaction sa;
    size_t i;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = schedctl_on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        sigaction(sigs[i], &sa, NULL);
    }
}

/* A secret answer: the terminal's echo is off while it is read. Not
 * apr_password_get: it reads through getpass(), which flushes what was typed ahead
 * (TCSAFLUSH), and caps the length below what bcrypt takes. */
static int schedctl_secret(apr_pool_t *p, apr_size_t max, char **line)
{
    struct termios quiet;
    int rc;

    if (tcgetattr(STDIN_FILENO, &schedctl_saved) != 0) {
        fprintf(stderr, "\n%s: cannot turn off the echo\n", schedctl_name);
        return -1;
    }
    schedctl_catch_signals();
    quiet = schedctl_saved;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    schedctl_echo_off = 1;
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    rc = schedctl_read_line(p, max, line);
    schedctl_echo_on();
    fputc('\n', stderr);
    return rc;
}

int schedctl_prompt(apr_pool_t *p, const char *label, int secret, apr_size_t max,
                    char **line)
{
    fputs(label, stderr);
    fflush(stderr);
    return secret ? schedctl_secret(p, max, line) : schedctl_read_line(p, max, line);
}
