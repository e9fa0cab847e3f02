# Shell functions shared by tools/run.sh (make run), tools/testenv.sh (make test) and
# bench/run.sh (make bench). Sourced, not run: the caller sets ROOT (the checkout),
# PROG (its name for messages) and HTTPD_USER (the user httpd's children run as
# when started by root).

die() {
    echo "$PROG: $*" >&2
    exit 1
}

is_root() {
    [ "$(id -u)" -eq 0 ]
}

# The run folder .run/NAME, unless httpd's children (HTTPD_USER, when we are root)
# cannot reach it; then a folder under /tmp named after it. Prints the folder.
choose_rundir() {
    local name=$1 dir=$ROOT/.run/$1 base
    mkdir -p "$dir"
    if ! is_root; then
        echo "$dir"
        return
    fi
    chmod o+x "$ROOT/.run" "$dir"
    if (cd / && runuser -u "$HTTPD_USER" -- test -x "$dir") 2>/dev/null; then
        echo "$dir"
        return
    fi
    base=/tmp/mod_sched-$(printf '%s' "$dir" | sha256sum | cut -c1-12)
    mkdir -p "$base"
    if [ -L "$base" ] || [ "$(stat -c %u "$base")" -ne 0 ]; then
        die "$base exists and does not belong to root: remove it"
    fi
    chmod 0755 "$base"
    mkdir -p "$base/$name"
    chmod 0755 "$base/$name"
    echo "$PROG: the $HTTPD_USER user cannot reach $dir; using $base/$name instead" >&2
    echo "$base/$name"
}

# Two distinct free TCP ports on 127.0.0.1.
free_ports() {
    perl -MIO::Socket::INET -e '
        my @s = map { IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0,
                                            Proto => "tcp", Listen => 1)
                      or die "cannot bind a port: $!\n" } 1 .. 2;
        print join(" ", map { $_->sockport } @s), "\n";'
}

# Writes the httpd config OUT from TEMPLATE, filling in RUNDIR, PORT, PGPORT and MODULE
# (from the variables of those names) and USERGROUP between @ signs.
write_config() {
    local template=$1 out=$2 usergroup=
    local secret=${SESSION_SECRET_FILE:-$RUNDIR/session.secret}
    if is_root; then
        usergroup=$(printf 'User %s\nGroup %s' "$HTTPD_USER" "$HTTPD_USER")
    fi
    # The key of the web interface's sessions: made once, kept (servers that share
    # sessions share it).
    if [ ! -s "$secret" ]; then
        (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secret")
    fi
    # @WEB_CONF@ is conf/web.conf.in, filled in the same way.
    T_RUNDIR=$RUNDIR T_PORT=$PORT T_PGPORT=$PGPORT T_MODULE=$MODULE T_USERGROUP=$usergroup \
    T_UI=$ROOT/ui T_SESSION_SECRET_FILE=$secret T_WEB=$ROOT/conf/web.conf.in \
        perl -pe 'BEGIN { sub fill { $_[0] =~ s/\@(RUNDIR|PORT|PGPORT|MODULE|USERGROUP|UI|SESSION_SECRET_FILE)\@/$ENV{"T_$1"}/gr } }
                  if (/^\@WEB_CONF\@$/) { local (@ARGV, $/) = ($ENV{T_WEB}); $_ = fill(<>); next }
                  $_ = fill($_)' "$template" >"$out.tmp"
    mv "$out.tmp" "$out"
}
