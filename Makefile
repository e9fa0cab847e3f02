# mod_sched — build, run, test.
#
#   make            build mod_sched.so (apxs) and tools/schedctl
#   make deps       install the Debian packages (as root), else print the apt-get line
#   make install    install the module (apxs -i), schedctl and its manual, the migrations
#                   and the web interface's files, where apxs -q says (DESTDIR=... for
#                   packages)
#   make deb        the Debian package libapache2-mod-sched, built by dpkg-buildpackage
#                   in a copy of the checkout, checked by lintian, into dist/
#   make package-test
#                   the package installed into this machine's httpd, a database on
#                   its PostgreSQL, the API tests against it, then purged (as root;
#                   tools/package-test.sh: CI and throw-away machines only)
#   make container-test
#                   the images of Dockerfile and docker-compose.yml built and run with
#                   podman (a debian:12 image made by debootstrap when missing), the
#                   API tests against them; skipped where podman cannot run containers
#   make run        private PostgreSQL + httpd on http://127.0.0.1:8080/; the first start
#                   creates the superuser admin (ADMIN_PASSWORD=...: its password)
#   make test       private PostgreSQL + httpd on free ports, then prove over t/
#   make test-remote SCHED_URL=http://127.0.0.1/api
#                   the API tests against a server that runs already, as
#                   SCHED_ADMIN_USER with SCHED_ADMIN_PASSWORD (tools/test-remote.sh)
#   make test SANITIZE=1
#                   the same suite on the module, schedctl and unit tests built by clang
#                   with AddressSanitizer and UndefinedBehaviorSanitizer into .san/
#                   (make and make unit take SANITIZE=1 too); fails on any report
#   make bench      private PostgreSQL + httpd, seeded, measured with wrk and pgbench
#                   (SCALE=large: a million past reservations; see bench/run.sh)
#   make fuzz       build the libFuzzer targets of fuzz/ and run each FUZZ_SECONDS
#                   seconds (default 60), or FUZZ_RUNS inputs; fails on a crash, a
#                   leak, undefined behaviour or a broken property
#   make clean

APXS       ?= apxs
PG_CONFIG  ?= pg_config

# What the installed packages say, asked the first time a recipe needs it (not when
# this file is read): on a fresh machine, `make run` and `make test` install apxs,
# pg_config and apr-1-config first (deps-check), then build in a second make.
once        = $(eval $1 := $$(shell $2))$($1)
CC          = $(call once,CC,$(APXS) -q CC)
PG_INC      = $(call once,PG_INC,$(PG_CONFIG) --includedir)
APR_CFLAGS  = $(call once,APR_CFLAGS,apr-1-config --cflags --cppflags --includes)
APU_INC     = $(call once,APU_INC,apu-1-config --includes)
APR_LIBS    = $(call once,APR_LIBS,apr-1-config --link-ld; apu-1-config --link-ld)
APR1_LIBS   = $(call once,APR1_LIBS,apr-1-config --link-ld)

WARN       := -Wall -Wextra -Werror
comma      := ,
DEPS       := build-essential apache2 apache2-dev libaprutil1-dbd-pgsql libjansson-dev libpq-dev \
              postgresql postgresql-contrib libcurl4-openssl-dev libssl-dev
# make bench only: wrk, curl and htpasswd (pgbench comes with postgresql).
BENCH_DEPS := wrk curl apache2-utils
# make fuzz only: clang with libFuzzer and the sanitizers.
FUZZ_DEPS  := clang libclang-rt-14-dev
# make test: valgrind runs schedctl (t/05-schedctl-valgrind.t); headless Chromium and its
# WebDriver drive the web interface (t/95-browser.t); a real iCalendar parser reads the
# calendar feeds (t/62-calendar-feeds.t).
TEST_DEPS  := valgrind chromium chromium-driver python3-icalendar
# make test SANITIZE=1: clang, its sanitizer runtimes, llvm-symbolizer for the reports.
SAN_DEPS   := clang libclang-rt-14-dev llvm-14
# make deb: dpkg-buildpackage and debhelper (dh_apache2 comes with apache2-dev), lintian,
# and the Build-Depends of debian/control (dpkg-buildpackage checks them all).
DEB_DEPS   := build-essential dpkg-dev debhelper lintian apache2-dev libaprutil1-dev \
              libjansson-dev libpq-dev libcurl4-openssl-dev libssl-dev
# make package-test: the system's httpd and PostgreSQL, curl for the web interface.
PKGTEST_DEPS := apache2 postgresql curl
# make container-test: podman with the runc runtime, catatonit (pods), the CNI plugin
# that names containers on a network, podman-compose, debootstrap (a debian:12 image).
CONTAINER_DEPS := podman runc catatonit golang-github-containernetworking-plugin-dnsname \
                  podman-compose debootstrap curl

# SANITIZE=1: build the sanitized flavour into $(SAN)/ (module, schedctl, unit tests),
# so that the normal build in the checkout stays as it is. The module needs the
# AddressSanitizer runtime preloaded into httpd: tools/testenv.sh does that.
SANITIZE   ?=
SAN        := .san
SAN_CC     := clang
SAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
              -fno-omit-frame-pointer
ifeq ($(SANITIZE),1)
BUILD      := $(SAN)/
TEST_DEPS  += $(SAN_DEPS)
else ifeq ($(SANITIZE),)
BUILD      :=
else
$(error SANITIZE=$(SANITIZE): say SANITIZE=1, or nothing for the normal build)
endif

# Files with no httpd header: unit tests link them with APR and jansson alone.
PURE_SRC   := src/sched_time.c src/sched_parse.c src/sched_json.c src/sched_route.c \
              src/sched_sqlstate.c src/sched_crypt.c src/sched_credcache.c src/sched_query.c \
              src/sched_jsonw.c src/sched_body.c src/sched_rules.c src/sched_hook.c \
              src/sched_netallow.c src/sched_ical.c src/sched_buf.c
GLUE_SRC   := src/sched_config.c src/sched_http.c src/sched_conn.c src/sched_pool.c src/sched_db.c \
              src/sched_list.c src/sched_dispatch.c src/sched_res_service.c src/sched_res_users.c \
              src/sched_res_roles.c src/sched_res_slots.c src/sched_res_reservations.c \
              src/sched_timein.c src/sched_res_openapi.c src/sched_openapi_doc.c \
              src/sched_authn.c src/sched_row.c src/sched_repr.c src/sched_startup.c \
              src/sched_server.c src/sched_mount.c src/sched_params.c \
              src/sched_res_schedules.c src/sched_res_overrides.c src/sched_res_time_off.c \
              src/sched_res_history.c src/sched_watchdog.c src/sched_res_webhooks.c \
              src/sched_sender.c src/sched_sender_http.c src/sched_feed.c \
              src/sched_res_calendar_feeds.c src/sched_res_calendar.c
# libpq only (no httpd): the module and schedctl share them.
SQL_SRC    := src/sched_stmts.c src/sched_sqlcheck.c
MODULE_SRC := mod_sched.c $(GLUE_SRC) $(PURE_SRC) $(SQL_SRC)
HEADERS    := $(filter-out include/sched_stmts.h,$(wildcard include/*.h)) include/sched_stmts.h
STATEMENTS := $(wildcard sql/statements/*.sql)

UNIT_SRC   := $(wildcard t/unit/test_*.c)
UNIT_BIN   := $(patsubst t/unit/%.c,t/unit/build/%,$(UNIT_SRC))

# libFuzzer targets (fuzz/fuzz_*.c): each links the pure files with APR and jansson
# alone, all built with the fuzzer's coverage and the sanitizers.
FUZZ_CC      := clang
FUZZ_CFLAGS  := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all
FUZZ_SRC     := src/sched_time.c src/sched_parse.c src/sched_json.c src/sched_route.c \
                src/sched_query.c src/sched_body.c src/sched_rules.c src/sched_hook.c \
                src/sched_netallow.c src/sched_ical.c src/sched_buf.c
FUZZ_TARGETS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BIN     := $(addprefix fuzz/build/,$(FUZZ_TARGETS))
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?=

.PHONY: all deps deps-check deps-bench deps-fuzz deps-test deps-deb install run test unit \
        test-remote bench fuzz fuzz-build deb package-test container-test clean FORCE

all: $(BUILD).libs/mod_sched.so $(BUILD)tools/schedctl

.libs/mod_sched.so: $(MODULE_SRC) $(HEADERS)
	$(APXS) -c -I include -I $(PG_INC) \
	    -Wc,-Wall -Wc,-Wextra -Wc,-Werror -Wc,-std=gnu11 \
	    -o mod_sched.so $(MODULE_SRC) -lpq -ljansson -lcurl -lcrypto

# schedctl: CFLAGS, CPPFLAGS and LDFLAGS from the environment (a package build gives
# Debian's hardening flags there). Installed, it reads the migrations of
# $(SHAREDIR)/sql, compiled in: tools/.sharedir makes it again when SHAREDIR changes.
CFLAGS     ?= -O2 -g
CTL_SRC    := $(wildcard tools/schedctl_*.c)
CTL_LIB    := src/sched_crypt.c src/sched_rules.c src/sched_parse.c
tools/schedctl: $(CTL_SRC) tools/schedctl.h $(SQL_SRC) include/sched_sql.h \
                include/sched_stmts.h $(CTL_LIB) $(HEADERS) tools/.sharedir
	$(CC) $(WARN) -std=gnu11 $(CFLAGS) $(CPPFLAGS) -I include -I tools -I $(PG_INC) \
	    $(APR_CFLAGS) $(APU_INC) -DSCHEDCTL_INSTALLED_SQL_DIR='"$(SHAREDIR)/sql"' \
	    $(LDFLAGS) -o $@ $(CTL_SRC) $(SQL_SRC) $(CTL_LIB) -lpq $(APR_LIBS)

tools/.sharedir: FORCE
	@echo '$(SHAREDIR)' | cmp -s - $@ || echo '$(SHAREDIR)' >$@

FORCE:

# The statement table and its enums, from sql/statements/ (generated, not in git).
include/sched_stmts.h src/sched_stmts.c &: $(STATEMENTS) tools/sqlgen.pl
	perl tools/sqlgen.pl sql/statements include/sched_stmts.h src/sched_stmts.c

# The sanitized module: apxs writes its objects beside the sources it is given, so it
# compiles links to them in $(SAN)/ and links $(SAN)/.libs/mod_sched.so there. Its
# libtool links with the compiler it was built with (gcc), so no sanitizer flag goes to
# the link: as with clang -shared, no runtime is linked into the module, and its
# __asan_ and __ubsan_ symbols resolve against the runtime preloaded into httpd (without
# it, httpd refuses to load the module: undefined symbol).
$(SAN)/.libs/mod_sched.so: $(MODULE_SRC) $(HEADERS)
	@mkdir -p $(SAN)/src
	@for f in $(MODULE_SRC); do ln -sfn "$(CURDIR)/$$f" "$(SAN)/$$f"; done
	cd $(SAN) && $(APXS) -S CC=$(SAN_CC) -c -I "$(CURDIR)/include" -I $(PG_INC) \
	    -Wc,-Wall -Wc,-Wextra -Wc,-Werror -Wc,-std=gnu11 \
	    $(addprefix -Wc$(comma),$(SAN_FLAGS)) \
	    -o mod_sched.so $(MODULE_SRC) -lpq -ljansson -lcurl -lcrypto

# $(SAN)/sql: schedctl finds the migrations beside its tools/ folder, as in a checkout.
$(SAN)/tools/schedctl: $(CTL_SRC) tools/schedctl.h $(SQL_SRC) include/sched_sql.h \
                       include/sched_stmts.h $(CTL_LIB) $(HEADERS) tools/.sharedir
	@mkdir -p $(SAN)/tools
	@ln -sfn ../sql $(SAN)/sql
	$(SAN_CC) $(WARN) $(SAN_FLAGS) -std=gnu11 -O1 -g -I include -I tools -I $(PG_INC) \
	    $(APR_CFLAGS) $(APU_INC) -DSCHEDCTL_INSTALLED_SQL_DIR='"$(SHAREDIR)/sql"' \
	    -o $@ $(CTL_SRC) $(SQL_SRC) $(CTL_LIB) -lpq $(APR_LIBS)

# The OpenAPI document, embedded in the module (generated, not in git).
src/sched_openapi_doc.c: src/openapi.json tools/embed.pl
	perl tools/embed.pl src/openapi.json sched_openapi_json > $@.tmp && mv $@.tmp $@

t/unit/build/%: t/unit/%.c t/unit/tap.h $(PURE_SRC) $(HEADERS)
	@mkdir -p t/unit/build
	$(CC) $(WARN) -std=gnu11 -O0 -g -I include -I t/unit $(APR_CFLAGS) \
	    -o $@ $< $(PURE_SRC) -ljansson -lcrypto $(APR_LIBS)

$(SAN)/t/unit/build/%: t/unit/%.c t/unit/tap.h $(PURE_SRC) $(HEADERS)
	@mkdir -p $(SAN)/t/unit/build
	$(SAN_CC) $(WARN) $(SAN_FLAGS) -std=gnu11 -O0 -g -I include -I t/unit $(APR_CFLAGS) \
	    -o $@ $< $(PURE_SRC) -ljansson -lcrypto $(APR_LIBS)

unit: $(addprefix $(BUILD),$(UNIT_BIN))

fuzz/build/%: fuzz/%.c fuzz/fuzz.h $(FUZZ_SRC) $(HEADERS)
	@mkdir -p fuzz/build
	$(FUZZ_CC) $(WARN) -std=gnu11 $(FUZZ_CFLAGS) -I include -I fuzz $(APR_CFLAGS) \
	    -o $@ $< $(FUZZ_SRC) -ljansson -lcrypto $(APR1_LIBS)

fuzz-build: $(FUZZ_BIN)

deps:
	@tools/deps.sh install $(DEPS)

deps-check:
	@tools/deps.sh check $(DEPS)

deps-bench:
	@tools/deps.sh check $(BENCH_DEPS)

deps-fuzz:
	@tools/deps.sh check $(FUZZ_DEPS)

deps-test:
	@tools/deps.sh check $(TEST_DEPS)

deps-deb:
	@tools/deps.sh check $(DEB_DEPS)

# Every place from apxs -q, so that `make install` fits any httpd's layout: the module
# where apxs says modules go, schedctl and its manual where it says programs and
# manuals go, and the migrations (schedctl migrate reads them there) and the web
# interface's files under its prefix: /usr/share/mod-sched on Debian,
# /usr/local/apache2/share/mod-sched for httpd's own layout. Everything under DESTDIR
# when given (packages).
LIBEXECDIR  = $(call once,LIBEXECDIR,$(APXS) -q LIBEXECDIR)
SBINDIR     = $(call once,SBINDIR,$(APXS) -q SBINDIR)
MANDIR      = $(call once,MANDIR,$(APXS) -q MANDIR)
EXEC_PREFIX = $(call once,EXEC_PREFIX,$(APXS) -q exp_exec_prefix)
SHAREDIR   ?= $(EXEC_PREFIX)/share/mod-sched
install: .libs/mod_sched.so tools/schedctl
	install -d $(DESTDIR)$(LIBEXECDIR)
	$(APXS) -S LIBEXECDIR=$(DESTDIR)$(LIBEXECDIR) -i -n sched mod_sched.la
	install -D -m 0755 tools/schedctl $(DESTDIR)$(SBINDIR)/schedctl
	install -D -m 0644 tools/schedctl.8 $(DESTDIR)$(MANDIR)/man8/schedctl.8
	install -d $(DESTDIR)$(SHAREDIR)/sql $(DESTDIR)$(SHAREDIR)/ui
	install -m 0644 sql/*.sql $(DESTDIR)$(SHAREDIR)/sql/
	install -m 0644 ui/*.html ui/*.js ui/*.css $(DESTDIR)$(SHAREDIR)/ui/

# The package, from a copy of the checkout (tools/deb.sh): dist/*.deb, .changes,
# .buildinfo. DEB_BUILD_OPTIONS=nocheck skips the unit tests of the build.
deb: deps-deb
	@tools/deb.sh

package-test: deps-deb
	@tools/deps.sh check $(PKGTEST_DEPS)
	@tools/package-test.sh

container-test:
	@tools/deps.sh check $(CONTAINER_DEPS)
	@tools/container-test.sh

# deps-check first, then the build in a make of its own: it reads what the packages
# that deps-check may just have installed say.
run: deps-check
	@$(MAKE) --no-print-directory all
	@tools/run.sh

# The normal tools/schedctl as well: t/05-schedctl-valgrind.t runs it under valgrind,
# which cannot run a sanitized program.
test: deps-check deps-test
	@$(MAKE) --no-print-directory all unit tools/schedctl
	@SCHED_SANITIZE=$(SANITIZE) tools/testenv.sh prove -r t/

# The API tests against a server that runs already: tools/test-remote.sh.
test-remote:
	@tools/test-remote.sh "$(SCHED_URL)"

SCALE ?= small
bench: deps-check deps-bench
	@$(MAKE) --no-print-directory all
	@SCALE=$(SCALE) bench/run.sh

# New inputs a run finds go to .run/fuzz/<target>/, never into fuzz/corpus/.
fuzz: deps-check deps-fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) tools/fuzz.sh $(FUZZ_TARGETS)

clean:
	rm -rf .libs *.o *.lo *.la *.slo src/*.o src/*.lo src/*.slo src/.libs \
	    tools/schedctl tools/.sharedir t/unit/build src/sched_openapi_doc.c \
	    src/sched_openapi_doc.c.tmp \
	    include/sched_stmts.h src/sched_stmts.c fuzz/build $(SAN)
