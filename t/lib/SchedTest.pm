package SchedTest;

# Helpers for the API tests (t/*.t), run by `make test` (tools/testenv.sh), which
# starts PostgreSQL and httpd and sets SCHED_URL, SCHED_DSN, SCHED_ERROR_LOG, ...
# Perl core modules only.
#
# Against a server that runs already (tools/test-remote.sh URL: an installed package, a
# container), SCHED_ADMIN_USER and SCHED_ADMIN_PASSWORD name one of its superusers
# and SCHED_URL its mount (http://host/api): no private server is started, and
#   - requests to the mount the tests use to set rows up (/ of the test server, with
#     SchedOpenAccess On) go to SCHED_URL with the superuser's Basic credentials,
#     unless they bring their own Authorization header;
#   - requests to /secure/ (Basic authentication, authorization on) go to SCHED_URL
#     as they are: the shipped configuration's mount is that one;
#   - the test server's other mounts (/alt, /day, /public, ...) do not exist there:
#     asking for one dies; tests skip what needs them (remote());
#   - psql() runs on SCHED_DSN, the server's database, when given (needs_db());
#   - test files that start their own httpd, stop PostgreSQL or need the module's
#     files call needs_local() and are skipped, saying why.
#
#   use lib 't/lib';            # or: use FindBin; use lib "$FindBin::Bin/lib";
#   use SchedTest;
#   my $res = POST('/users/', {username => uniq('ada'), password => 'password-123'});
#   is($res->{status}, 201);
#   problem_ok(GET('/users/0/'), 404, 'id 0');
#   finish();                   # instead of done_testing(): also checks the error log
#
# req() and its shortcuts return {status, headers, content, json}: headers as
# HTTP::Tiny gives them (lower-case names; a repeated header is an array ref), json the
# decoded body when it is application/json or application/problem+json. A body that is a
# reference is sent as JSON (Content-Type application/json unless given); a string is
# sent as it is, with the Content-Type of the headers given (HTTP::Tiny's default,
# application/octet-stream, otherwise). Status 599 means no HTTP answer (HTTP::Tiny).

use strict;
use warnings;

use Exporter 'import';
use File::Temp ();
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Time::Local ();
use Test::More;

our @EXPORT = qw(
    url req GET POST PUT PATCH DELETE HEAD OPTIONS
    remote needs_local needs_db http_client
    uniq make_user psql pg_stop pg_start
    start_httpd httpd_configtest free_port run_capture
    problem_ok allow_log finish
    day at epoch rfc3339 make_role make_provider make_client
    field_error next_link race slurp
);

my $JSON = JSON::PP->new->utf8->canonical->allow_nonref;
my $HTTP = HTTP::Tiny->new(timeout => 30, keep_alive => 1, agent => 'sched-test/1');

sub env {
    my ($name) = @_;
    my $value = $ENV{$name};
    die "SchedTest: $name is not set: run the tests with `make test`"
        . " (tools/testenv.sh prove -r t/), or tools/test-remote.sh URL\n"
        unless defined $value && length $value;
    return $value;
}

# ---- A server that runs already ---------------------------------------------------

my $REMOTE = defined $ENV{SCHED_ADMIN_USER} && length $ENV{SCHED_ADMIN_USER};

# True when the tests run against a server that runs already (see the top).
sub remote { return $REMOTE }

# needs_local('starts httpd servers of its own'): against a running server, the whole
# file is skipped with that reason. Call it before the first test.
sub needs_local {
    my ($why) = @_;
    plan(skip_all => "$why: not against a running server (SCHED_URL $ENV{SCHED_URL})")
        if $REMOTE;
}

# needs_db('checks rows with psql'): against a running server, the file is skipped
# unless SCHED_DSN names its database.
sub needs_db {
    my ($why) = @_;
    plan(skip_all => "$why: give SCHED_DSN, the running server's database")
        if $REMOTE && !(defined $ENV{SCHED_DSN} && length $ENV{SCHED_DSN});
}

sub admin_credentials {
    require MIME::Base64;
    return 'Basic ' . MIME::Base64::encode_base64(
        env('SCHED_ADMIN_USER') . ':' . ($ENV{SCHED_ADMIN_PASSWORD} // ''), '');
}

# An HTTP::Tiny for requests the tests build themselves; against a running server it
# sends the superuser's credentials unless a request brings its own.
sub http_client {
    my (%args) = @_;
    $args{default_headers} = { %{ $args{default_headers} || {} },
                               Authorization => admin_credentials() } if $REMOTE;
    return HTTP::Tiny->new(%args);
}

# The test server's mounts other than / and /secure (t/conf/test.conf.in).
my $TEST_ONLY_MOUNTS = qr{^/(?:alt|bare|day|naive|browser|strict|nocache|cached|debug
                               |dbdauth|public|app)(?:/|\?|$)}x;

# ---- HTTP -------------------------------------------------------------------------

sub url {
    my ($path) = @_;
    return env('SCHED_URL') . $path unless $REMOTE;
    die "SchedTest: $path is a mount of the test server only; a running server has"
        . " its API at SCHED_URL alone (skip this with remote())\n"
        if $path =~ $TEST_ONLY_MOUNTS;
    $path =~ s{^/secure(?=/|\?|$)}{};
    return env('SCHED_URL') . $path;
}

sub req {
    my ($method, $path, $body, $headers) = @_;
    my %h = map { lc($_) => $headers->{$_} } keys %{ $headers || {} };
    my %options = (headers => \%h);
    if (ref $body) {
        $options{content} = $JSON->encode($body);
        $h{'content-type'} //= 'application/json';
    }
    elsif (defined $body) {
        $options{content} = $body;
    }
    my $target = $path =~ m{^https?://}i ? $path : url($path);
    # Against a running server, what the open mount of the test server would answer
    # anyone is asked as the superuser.
    $h{authorization} = admin_credentials()
        if $REMOTE && !exists $h{authorization} && $path !~ m{^/secure(?:/|\?|$)};
    my $res = $HTTP->request($method, $target, \%options);
    my $out = {
        status  => $res->{status},
        headers => $res->{headers} || {},
        content => $res->{content} // '',
        json    => undef,
    };
    my $type = $out->{headers}{'content-type'} // '';
    $type = $type->[0] if ref $type;
    if ($type =~ m{^application/(?:problem\+)?json\b}i && length $out->{content}) {
        $out->{json} = eval { $JSON->decode($out->{content}) };
        diag("$method $path: the body is not JSON: $@") if $@;
    }
    return $out;
}

sub GET     { my ($path, $h) = @_;        return req('GET', $path, undef, $h) }
sub HEAD    { my ($path, $h) = @_;        return req('HEAD', $path, undef, $h) }
sub OPTIONS { my ($path, $h) = @_;        return req('OPTIONS', $path, undef, $h) }
sub DELETE  { my ($path, $h) = @_;        return req('DELETE', $path, undef, $h) }
sub POST    { my ($path, $body, $h) = @_; return req('POST', $path, $body, $h) }
sub PUT     { my ($path, $body, $h) = @_; return req('PUT', $path, $body, $h) }
sub PATCH   { my ($path, $body, $h) = @_; return req('PATCH', $path, $body, $h) }

# ---- Test data --------------------------------------------------------------------

my $uniq_counter = 0;

# A name no other test row has: letters, digits and '_' (fit for a username).
sub uniq {
    my ($prefix) = @_;
    $prefix //= 'x';
    $uniq_counter++;
    return join '_', $prefix, $$, $uniq_counter, time();
}

sub make_user {
    my (%fields) = @_;
    $fields{username} //= uniq('user');
    $fields{password} //= 'password-123';
    my $res = POST('/users/', \%fields);
    die "make_user: POST /users/ answered $res->{status}: $res->{content}\n"
        unless $res->{status} == 201 && ref $res->{json} eq 'HASH';
    return $res->{json};
}

# ---- Answers --------------------------------------------------------------------

# A problem with this status whose errors name $field; returns the problem.
sub field_error {
    my ($res, $status, $field, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $p = problem_ok($res, $status, $name);
    ok ref $p eq 'HASH' && ref $p->{errors} eq 'HASH' && ref $p->{errors}{$field} eq 'ARRAY'
        && @{ $p->{errors}{$field} }, "$name: errors.$field"
        or diag explain $p;
    return $p;
}

# The next-page URL of a Link header, or undef.
sub next_link {
    my ($res) = @_;
    my $link = $res->{headers}{link} or return undef;
    return $link =~ /^\s*<([^>]+)>\s*;\s*rel="?next"?\s*$/ ? $1 : "unparsable: $link";
}

# Runs $request->($http, $i) for $i = 1 .. $n, each in its own process with its own
# connection, all released at the same moment. Returns [status, decoded body or undef]
# per request, in order ([0, undef] when a child reported nothing).
sub race {
    my ($n, $request) = @_;
    pipe(my $go_r, my $go_w) or die "pipe: $!";
    my (@pids, @files);
    for my $i (1 .. $n) {
        my $file = File::Temp->new;
        push @files, $file;
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            close $go_w;
            my $http = http_client(timeout => 60, keep_alive => 0);
            sysread $go_r, my $buf, 1;    # until the parent closes $go_w
            my $res = $request->($http, $i);
            open my $fh, '>', $file->filename or POSIX::_exit(1);
            print {$fh} "$res->{status}\n", $res->{content} // '';
            close $fh;
            POSIX::_exit(0);
        }
        push @pids, $pid;
    }
    close $go_r;
    close $go_w;    # release every child at once
    waitpid $_, 0 for @pids;
    my @out;
    for my $file (@files) {
        my $text = do { local (@ARGV, $/) = ($file->filename); <> } // '';
        my ($status, $body) = $text =~ /^(\d+)\n(.*)\z/s ? ($1, $2) : (0, '');
        push @out, [ $status, length $body ? eval { $JSON->decode($body) } : undef ];
    }
    return @out;
}

# ---- Times and rows of the scheduling tests ---------------------------------------

my $NOW = time;

# "YYYY-MM-DD" of the day $n days from when the test started (UTC).
sub day {
    my ($n) = @_;
    return POSIX::strftime('%Y-%m-%d', gmtime($NOW + $n * 86400));
}

# "YYYY-MM-DDTHH:MM:00Z" of day $n (see day()) at HH:MM UTC.
sub at {
    my ($n, $hm) = @_;
    return day($n) . "T$hm:00Z";
}

# Seconds since the epoch of an RFC 3339 time in UTC ("...Z", fraction allowed).
sub epoch {
    my ($t) = @_;
    my ($y, $mo, $d, $h, $mi, $s, $frac) =
        ($t // '') =~ /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$/
        or return undef;
    return Time::Local::timegm($s, $mi, $h, $d, $mo - 1, $y) + ($frac // 0);
}

# RFC 3339 UTC text of an epoch (whole seconds).
sub rfc3339 {
    my ($epoch) = @_;
    return POSIX::strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($epoch));
}

# A new user with a client (provider) record, made at /; returns the record's id.
sub make_role {
    my ($resource) = @_;
    my $res = POST("/$resource/", { user => make_user()->{id} });
    die "POST /$resource/ answered $res->{status}: $res->{content}\n"
        unless $res->{status} == 201;
    return $res->{json}{id};
}

sub make_provider { make_role('providers') }
sub make_client   { make_role('clients') }

# ---- Database ---------------------------------------------------------------------

# Run SQL with psql on the test database; returns its output (unaligned, tuples only),
# trimmed. Dies with psql's message on error.
sub psql {
    my ($sql) = @_;
    # A running server's database: the psql of PATH unless SCHED_PGBIN says.
    my $psql = $REMOTE && !$ENV{SCHED_PGBIN} ? 'psql' : env('SCHED_PGBIN') . '/psql';
    my $err = File::Temp->new;
    my $pid = open(my $out, '-|');
    die "psql: cannot fork: $!\n" unless defined $pid;
    if (!$pid) {
        open STDERR, '>', $err->filename or POSIX::_exit(127);
        open STDIN, '<', '/dev/null';
        exec $psql, '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1',
            '-d', env('SCHED_DSN'), '-c', $sql
            or do { print STDERR "cannot run $psql: $!\n"; POSIX::_exit(127) };
    }
    my $text = do { local $/; <$out> } // '';
    close $out;
    my $status = $?;
    if ($status != 0) {
        my $message = do { local (@ARGV, $/) = ($err->filename); <> } // '';
        $message =~ s/\s+\z//;
        die "psql failed (exit " . ($status >> 8) . "): $message\n";
    }
    $text =~ s/^\s+|\s+\z//g;
    return $text;
}

# Run a program; returns (exit code, its stdout and stderr together).
sub run_capture {
    my (@cmd) = @_;
    my $pid = open(my $out, '-|');
    die "cannot fork: $!\n" unless defined $pid;
    if (!$pid) {
        open STDERR, '>&', \*STDOUT or POSIX::_exit(127);
        open STDIN, '<', '/dev/null';
        exec { $cmd[0] } @cmd or do { print "cannot run $cmd[0]: $!\n"; POSIX::_exit(127) };
    }
    my $text = do { local $/; <$out> } // '';
    close $out;
    return ($? >> 8, $text);
}

# What only make test's private servers allow dies against a running server: the file
# should have called needs_local().
sub private_only {
    my ($what) = @_;
    die "SchedTest: $what needs make test's private servers, not a running server"
        . " (SCHED_URL $ENV{SCHED_URL}): call needs_local()\n" if $REMOTE;
}

sub pg_tool {
    my (@args) = @_;
    private_only("tools/pg.sh $args[0]");
    my ($code, $out) = run_capture(env('SCHED_ROOT') . '/tools/pg.sh', @args);
    die "tools/pg.sh $args[0] failed: $out" if $code != 0;
    return $out;
}

# Stop and start the test cluster (a test of the database going away).
sub pg_stop {
    return pg_tool('stop', env('SCHED_PGDATA'));
}

sub pg_start {
    local $ENV{PG_FAST} = 1;
    return pg_tool('start', env('SCHED_PGDATA'), env('SCHED_PGPORT'));
}

# ---- Extra httpd instances --------------------------------------------------------

my @servers;
my $instance = 0;

sub free_port {
    my $sock = IO::Socket::INET->new(
        LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp', Listen => 1)
        or die "free_port: $!\n";
    return $sock->sockport;
}

# The bytes of a file (dies when it cannot be read).
sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!\n";
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!\n";
    print {$fh} $text;
    close $fh or die "$path: $!\n";
}

# A new folder under SCHED_RUNDIR for one more server (or a config test).
sub new_rundir {
    my ($kind) = @_;
    $instance++;
    my $dir = env('SCHED_RUNDIR') . "/$kind-$$-$instance";
    mkdir $dir or die "mkdir $dir: $!\n";
    chmod 0755, $dir;
    return $dir;
}

# The test template filled in for RUNDIR and PORT, by tools/common.sh's write_config
# (the one that fills it for tools/testenv.sh).
sub config_text {
    my ($rundir, $port) = @_;
    my $out = "$rundir/.template";
    local $ENV{RUNDIR} = $rundir;
    local $ENV{PORT} = $port;
    local $ENV{PGPORT} = env('SCHED_PGPORT');
    local $ENV{MODULE} = env('SCHED_MODULE');
    local $ENV{TEMPLATE} = env('SCHED_ROOT') . '/t/conf/test.conf.in';
    # The test server's key of sessions: every server of a test shares its sessions.
    local $ENV{SESSION_SECRET_FILE} = env('SCHED_RUNDIR') . '/session.secret';
    local $ENV{OUT} = $out;
    my ($code, $output) = run_capture('bash', '-c', 'ROOT=$SCHED_ROOT PROG=SchedTest'
        . ' HTTPD_USER=www-data; . "$SCHED_ROOT/tools/common.sh";'
        . ' write_config "$TEMPLATE" "$OUT"');
    die "config_text: $output" if $code != 0;
    my $text = slurp($out);
    unlink $out;
    return $text;
}

# start_httpd(extra => "config text appended", replace => {from => to, ...},
#             health => 200 | 503 | 'any')
# Starts one more httpd from the test template on a free port, in its own folder, and
# waits until GET /health/ answers with that status (200 by default; 'any': any HTTP
# answer). Returns an
# object with url, port, dir, conf, error_log and a stop method; stopped at exit anyway.
sub start_httpd {
    my (%opts) = @_;
    private_only('start_httpd');
    my $dir = new_rundir('httpd');
    my $port = free_port();
    my $text = config_text($dir, $port);
    for my $from (sort keys %{ $opts{replace} || {} }) {
        my $to = $opts{replace}{$from};
        $text =~ s/\Q$from\E/$to/g
            or die "start_httpd: \"$from\" is not in the test configuration\n";
    }
    $text .= "\n$opts{extra}\n" if defined $opts{extra};
    my $conf = "$dir/httpd.conf";
    spew($conf, $text);

    my $server = bless {
        url => "http://127.0.0.1:$port", port => $port, dir => $dir, conf => $conf,
        error_log => "$dir/error.log", pidfile => "$dir/httpd.pid", owner => $$,
    }, 'SchedTest::Httpd';
    my ($code, $output) = run_capture(env('SCHED_HTTPD'), '-d', $dir, '-f', $conf,
                                      '-k', 'start');
    die "start_httpd: httpd did not start: $output" if $code != 0;
    push @servers, $server;

    my $want = $opts{health} // 200;
    my $http = HTTP::Tiny->new(timeout => 2);
    my $last = '';
    for (1 .. 150) {
        my $r = $http->get("$server->{url}/health/");
        if ($want eq 'any' ? $r->{status} != 599 : $r->{status} == $want) {
            $server->{log_start} = -s $server->{error_log} // 0;
            return $server;
        }
        $last = "status $r->{status}";
        select undef, undef, undef, 0.1;
    }
    my $log = -f $server->{error_log} ? slurp($server->{error_log}) : '';
    $server->stop;
    die "start_httpd: GET /health/ did not answer $want in 15 s ($last)\n$log";
}

# httpd_configtest($text): the test template with $text appended, checked with
# `httpd -t`. Returns (exit code, output).
sub httpd_configtest {
    my ($extra) = @_;
    private_only('httpd_configtest');
    my $dir = new_rundir('configtest');
    my $conf = "$dir/httpd.conf";
    spew($conf, config_text($dir, free_port()) . "\n" . ($extra // '') . "\n");
    return run_capture(env('SCHED_HTTPD'), '-t', '-d', $dir, '-f', $conf);
}

package SchedTest::Httpd;

sub url       { $_[0]{url} }
sub port      { $_[0]{port} }
sub dir       { $_[0]{dir} }
sub conf      { $_[0]{conf} }
sub error_log { $_[0]{error_log} }

sub stop {
    my ($self) = @_;
    return if $self->{stopped}++;
    my $pid;
    if (open my $fh, '<', $self->{pidfile}) {
        $pid = <$fh>;
        chomp $pid if defined $pid;
    }
    SchedTest::run_capture($ENV{SCHED_HTTPD}, '-d', $self->{dir}, '-f', $self->{conf},
                           '-k', 'stop');
    return unless $pid;
    for (1 .. 150) {
        return unless kill 0, $pid;
        select undef, undef, undef, 0.1;
    }
    kill 'KILL', $pid;
}

package SchedTest;

# ---- Checks -----------------------------------------------------------------------

# An RFC 9457 problem answer with this status. Returns the decoded body.
sub problem_ok {
    my ($res, $status, $name) = @_;
    $name //= "problem $status";
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $json = $res->{json};
    my $type = $res->{headers}{'content-type'} // '';
    my $ok = is($res->{status}, $status, "$name: status $status");
    $ok &= like($type, qr{^application/problem\+json}i, "$name: problem+json");
    $ok &= ok(ref $json eq 'HASH'
              && defined $json->{type} && defined $json->{title}
              && defined $json->{status} && $json->{status} == $status
              && defined $json->{detail} && length $json->{detail},
              "$name: type, title, status and detail");
    diag("$res->{status} $type\n$res->{content}") unless $ok;
    return $json;
}

# ---- The error log ----------------------------------------------------------------

my $log_start;
my @allowed;

if (defined $ENV{SCHED_ERROR_LOG}) {
    $log_start = -s $ENV{SCHED_ERROR_LOG} // 0;
}

# allow_log(qr/SCHED00202/, ...): error-log lines matching any of these are expected.
sub allow_log {
    push @allowed, @_;
}

# Lines of FILE from byte OFFSET on that report a module warning or error, or a crash,
# and that no allow_log() pattern matches.
sub unexpected_lines {
    my ($file, $offset) = @_;
    open my $fh, '<', $file or return ();
    seek $fh, $offset, 0;
    my @bad;
    while (my $line = <$fh>) {
        next unless $line =~ /\[(?:sched:(?:warn|error|crit|alert|emerg)
                                 |core:(?:error|crit|alert|emerg))\]
                              |exit\ signal/x;
        next if grep { $line =~ $_ } @allowed;
        push @bad, $line;
    }
    return @bad;
}

sub unexpected_log_lines {
    my @bad;
    push @bad, unexpected_lines($ENV{SCHED_ERROR_LOG}, $log_start) if defined $log_start;
    # Servers started by this file, from when they answered.
    push @bad, unexpected_lines($_->{error_log}, $_->{log_start})
        for grep { defined $_->{log_start} } @servers;
    return @bad;
}

# ---- Sanitizer reports ------------------------------------------------------------

# make test SANITIZE=1 sets SCHED_SANITIZER_DIR: every ASan or UBSan report of httpd,
# schedctl or a unit test is a file there (tools/testenv.sh).
my %reports_before;

sub sanitizer_reports {
    my $dir = $ENV{SCHED_SANITIZER_DIR};
    opendir my $dh, $dir or return ();
    return sort map { "$dir/$_" } grep { -f "$dir/$_" } readdir $dh;
}

if (defined $ENV{SCHED_SANITIZER_DIR}) {
    %reports_before = map { $_ => 1 } sanitizer_reports();
}

# Reports written since this file started: the first lines of the first three, and
# how many there are.
sub new_sanitizer_reports {
    my @files = grep { !$reports_before{$_} } sanitizer_reports();
    my @shown = @files;
    splice @shown, 3 if @shown > 3;
    my @out;
    for my $file (@shown) {
        my @lines = split /^/m, slurp($file);
        splice @lines, 40 if @lines > 40;
        push @out, "--- $file\n", @lines;
    }
    push @out, scalar(@files) . " report(s) in $ENV{SCHED_SANITIZER_DIR}\n" if @files;
    return @out;
}

# Instead of done_testing(): one more test, that the error logs (the main server's
# since this file started, and those of servers it started) have no unexpected warning
# or error, then done_testing(). With sanitizers (make test SANITIZE=1), the servers
# this file started stop first, and one more test fails on any sanitizer report
# written while the file ran.
sub finish {
    my $sanitized = defined $ENV{SCHED_SANITIZER_DIR};
    if ($sanitized) {
        $_->stop for grep { $_->{owner} == $$ } @servers;
    }
    my @bad = unexpected_log_lines();
    ok(!@bad, 'no unexpected errors or warnings in the error log')
        or diag("unexpected:\n", @bad);
    if ($sanitized) {
        my @reports = new_sanitizer_reports();
        ok(!@reports, 'no sanitizer report') or diag(@reports);
    }
    done_testing();
}

END {
    local $?;       # the test's exit status
    # Not from a forked child that exits: the servers belong to the test process.
    $_->stop for grep { $_->{owner} == $$ } @servers;
}

1;
