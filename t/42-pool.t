# Slow clients and a busy database cannot take the service down:
#  - a request holds no pooled connection while its client is still sending (nor
#    before it is authenticated), so clients that dribble a body hold nothing;
#  - a request waits at most SchedPoolWait for a connection, then gets 503 with
#    Retry-After, the login of the "sched" provider included;
#  - a backend killed while requests run gives 503 or a retry, never 500.
# A server of its own: one child process with DBDMax 4, as the shipped configuration
# sizes it but smaller, and no module but mod_sched on its connections.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP ();
use MIME::Base64 ();
use POSIX ();
use Time::HiRes qw(time sleep);
use SchedTest;

needs_local('starts httpd servers of its own');

# Requests that find every connection busy, or the database gone, are logged.
allow_log(qr/SCHED0020[28]\b/);
allow_log(qr/SCHED00207\b/);
# The backends killed below include the webhook sender's own connection, which says
# it lost it (and connects again).
allow_log(qr/SCHED0070[24]\b/);

my $POOL = 4;
my $server = start_httpd(replace => {
    'DBDMax 16'            => "DBDMax $POOL",
    'StartServers 2'       => 'StartServers 1',
    'ServerLimit 4'        => 'ServerLimit 1',
    'MaxRequestWorkers 64' => 'MaxRequestWorkers 32',
    'ThreadsPerChild 16'   => 'ThreadsPerChild 32',
    'MinSpareThreads 16'   => 'MinSpareThreads 1',
    'MaxSpareThreads 48'   => 'MaxSpareThreads 32',
    'SchedHoldTime 3s'     => "SchedHoldTime 3s\n    SchedPoolWait 1s",
    # Only mod_sched's provider here: no other module's statement on the connections.
    'AuthBasicProvider dbd' => 'AuthBasicProvider sched',
    'AuthDBDUserPWQuery "SELECT password FROM users WHERE username = %s AND is_active"' => '',
});
my $URL = $server->url;
my $ADDR = '127.0.0.1:' . $server->port;

my $admin = make_user(is_superuser => JSON::PP::true, password => 'pool-admin');
my $basic = 'Basic ' . MIME::Base64::encode_base64("$admin->{username}:pool-admin", '');
my $client = make_client();

# A client that sends the headers of a POST with a 200-byte body, then one byte, and
# keeps the connection open (sending a byte now and then from poke()).
sub slow_post {
    my ($path, $auth) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => $ADDR, Proto => 'tcp')
        or die "connect $ADDR: $!";
    my $head = "POST $path HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        . "Content-Type: application/json\r\nContent-Length: 200\r\n"
        . ($auth ? "Authorization: $auth\r\n" : '') . "\r\n{";
    syswrite $sock, $head;
    return $sock;
}

sub poke { syswrite $_, ' ' for @_ }

# GET with a deadline: (status, seconds taken, response).
sub timed_get {
    my ($path, $timeout) = @_;
    my $http = HTTP::Tiny->new(timeout => $timeout // 20);
    my $t0 = time;
    my $res = $http->get("$URL$path", { headers => { Authorization => $basic } });
    return ($res->{status}, time - $t0, $res);
}

# Connections of the test database that are idle in a transaction or active, by
# this server's backends: what the slow clients hold.
sub held {
    return psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'sched'"
        . " AND usename = 'sched' AND state IN ('idle in transaction', 'active')"
        . " AND pid <> pg_backend_pid()");
}

subtest 'anonymous clients sending slowly hold no connection' => sub {
    my @slow = map { slow_post('/secure/clients/') } 1 .. $POOL + 2;
    sleep 0.5;
    poke(@slow);
    my ($status, $took) = timed_get("/secure/clients/$client/");
    is $status, 200, 'an authenticated GET from someone else answers';
    cmp_ok $took, '<', 3, "in $took s";
    poke(@slow);
    close $_ for @slow;
};

subtest 'authenticated clients sending slowly hold no connection either' => sub {
    my @slow = map { slow_post('/secure/clients/', $basic) } 1 .. $POOL + 2;
    sleep 0.5;
    poke(@slow);
    my ($status, $took) = timed_get("/secure/clients/$client/");
    is $status, 200, 'an authenticated GET from someone else answers';
    cmp_ok $took, '<', 3, "in $took s";
    # Anonymous requests, the service endpoints, keep answering too.
    my $res = HTTP::Tiny->new(timeout => 10)->get("$URL/health/");
    is $res->{status}, 200, 'GET /health/ answers';
    close $_ for @slow;
};

subtest 'the bodies of slow clients still arrive whole' => sub {
    my $user = make_user()->{id};
    my $sock = IO::Socket::INET->new(PeerAddr => $ADDR, Proto => 'tcp') or die $!;
    my $body = qq({"user": $user});
    syswrite $sock, "POST /clients/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        . "Content-Type: application/json\r\nContent-Length: " . length($body) . "\r\n\r\n";
    for my $byte (split //, $body) {
        syswrite $sock, $byte;
        sleep 0.1;
    }
    my $answer = do { local $/; <$sock> } // '';
    like $answer, qr{^HTTP/1\.1 201 }, 'a body sent a byte at a time is read: 201';
};

# Holds a lock on the client's row for $seconds, from psql in the background.
sub hold_lock {
    my ($seconds) = @_;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        eval { psql("BEGIN; SELECT id FROM clients WHERE id = $client FOR UPDATE;"
                    . " SELECT pg_sleep($seconds); COMMIT;") };
        POSIX::_exit(0);
    }
    # Until the lock is there.
    for (1 .. 50) {
        last if psql("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                     . " WHERE c.relname = 'clients' AND l.mode = 'RowShareLock'"
                     . " AND l.granted") > 0;
        sleep 0.1;
    }
    return $pid;
}

# Ends the lock of hold_lock($seconds) now.
sub end_lock {
    my ($seconds) = @_;
    psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'sched'"
         . " AND query LIKE '%pg_sleep($seconds)%' AND pid <> pg_backend_pid()");
}

subtest 'a busy pool: 503 with Retry-After within SchedPoolWait, then recovery' => sub {
    my $user = make_user()->{id};
    my $locker = hold_lock(30);
    # Every connection of the pool waits on the lock (PATCH locks the row).
    my @writers;
    for my $i (1 .. $POOL) {
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            my $res = HTTP::Tiny->new(timeout => 30)->request('PATCH', "$URL/clients/$client/",
                { headers => { 'Content-Type' => 'application/json' },
                  content => '{}' });
            POSIX::_exit($res->{status} == 200 ? 0 : 1);
        }
        push @writers, $pid;
    }
    # Until they all wait (a loaded machine may take a while to get them there).
    my $waiting = 0;
    for (1 .. 300) {
        last if ($waiting = psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'sched'"
                                 . " AND wait_event_type = 'Lock'")) >= $POOL;
        sleep 0.1;
    }
    is $waiting, $POOL, 'every connection of the pool waits for the lock';
    my ($status, $took, $res) = timed_get("/clients/$client/");
    is $status, 503, 'a read while every connection is held: 503';
    like $res->{headers}{'retry-after'} // '', qr/^\d+$/, 'with Retry-After';
    like $res->{headers}{'content-type'} // '', qr{^application/problem\+json}, 'a problem';
    cmp_ok $took, '<', 3, "after SchedPoolWait (1s), not an unbounded queue ($took s)";

    ($status, $took, $res) = timed_get("/secure/users/me/");
    is $status, 503, 'a login while every connection is held: 503 too (the provider)';
    like $res->{headers}{'retry-after'} // '', qr/^\d+$/, 'with Retry-After';
    like $res->{headers}{'content-type'} // '', qr{^application/problem\+json}, 'a problem';
    like $res->{content}, qr/"status":503/, 'whose status is 503';
    cmp_ok $took, '<', 3, "in $took s";

    end_lock(30);
    waitpid $locker, 0;
    my @ok = map { waitpid($_, 0); $? == 0 ? 1 : () } @writers;
    is scalar(@ok), $POOL, 'the writers that waited on the lock all got 200';
    ($status) = timed_get("/clients/$client/");
    is $status, 200, 'once the lock is gone, reads answer again';
    ($status) = timed_get("/secure/users/me/");
    is $status, 200, 'and logins';
};

# With one connection and no wait, a request that finds it held is answered 503 at
# once. This also caught a process whose counter of places had been given one back
# that it never lent (the background task took its connection at the child's start,
# before the counter existed): the GET then waited for the connection and got 200.
subtest 'SchedPoolWait 0s: no wait at all' => sub {
    my $s0 = start_httpd(replace => {
        'DBDMax 16' => 'DBDMax 1', 'DBDKeep 4' => 'DBDKeep 1', 'StartServers 2' => 'StartServers 1',
        'ServerLimit 4' => 'ServerLimit 1', 'MinSpareThreads 16' => 'MinSpareThreads 1',
        'SchedHoldTime 3s' => "SchedHoldTime 3s\n    SchedPoolWait 0s",
        'AuthBasicProvider dbd' => 'AuthBasicProvider sched',
        'AuthDBDUserPWQuery "SELECT password FROM users WHERE username = %s AND is_active"' => '',
    });
    # The lock is held long enough for a loaded machine, and ended as soon as the GET
    # has been answered.
    my $locker = hold_lock(30);
    my $pid = fork // die;
    if ($pid == 0) {
        HTTP::Tiny->new(timeout => 60)->request('PATCH', $s0->url . "/clients/$client/",
            { headers => { 'Content-Type' => 'application/json' }, content => '{}' });
        POSIX::_exit(0);
    }
    # Until the PATCH holds the server's one connection, waiting for the lock (its
    # statement, not another session that happens to wait for a lock).
    my $waiting = 0;
    for (1 .. 300) {
        last if $waiting = psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'sched'"
                                . " AND wait_event_type = 'Lock'"
                                . " AND query ILIKE '%UPDATE clients%'") > 0;
        sleep 0.1;
    }
    ok $waiting, 'the PATCH holds the one connection, waiting for the lock';
    my $sessions = psql("SELECT string_agg(format('%s %s %s/%s %s', pid, application_name, state,"
                        . " coalesce(wait_event_type, '-'), left(regexp_replace(query, '\\s+', ' ', 'g'), 60)),"
                        . " E'\\n') FROM pg_stat_activity WHERE datname = 'sched'");
    my $t0 = time;
    my $res = HTTP::Tiny->new(timeout => 10)->get($s0->url . "/clients/$client/");
    my $took = time - $t0;
    is $res->{status}, 503, 'the one connection is busy: 503 at once'
        or diag "the database's sessions before the GET:\n$sessions";
    cmp_ok $took, '<', 1, "in $took s";
    end_lock(30);
    waitpid $locker, 0;
    waitpid $pid, 0;
    $s0->stop;
};

subtest 'backends killed under load: 503 or a retry, never 500' => sub {
    my $stop = time + 5;
    my $killer = fork // die "fork: $!";
    if ($killer == 0) {
        local $ENV{PGAPPNAME} = 'killer';
        eval { psql("DO \$\$ BEGIN WHILE clock_timestamp() < to_timestamp($stop) LOOP"
            . " PERFORM pg_stat_clear_snapshot();"
            . " PERFORM pg_terminate_backend(pid) FROM pg_stat_activity"
            . "  WHERE datname = 'sched' AND backend_type = 'client backend'"
            . "  AND application_name <> 'killer' AND pid <> pg_backend_pid();"
            . " PERFORM pg_sleep(0.01); END LOOP; END \$\$") };
        POSIX::_exit(0);
    }
    pipe(my $r, my $w) or die;
    my @workers;
    for my $i (1 .. 8) {
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            close $r;
            my $http = HTTP::Tiny->new(timeout => 20, keep_alive => 1);
            my @seen;
            while (time < $stop) {
                my $res = $i % 2
                    ? $http->get("$URL/secure/users/me/", { headers => { Authorization => $basic } })
                    : $http->get("$URL/secure/clients/$client/",
                                 { headers => { Authorization => $basic } });
                push @seen, $res->{status};
            }
            syswrite $w, join(' ', @seen) . "\n";
            POSIX::_exit(0);
        }
        push @workers, $pid;
    }
    close $w;
    my @statuses = map { split ' ' } <$r>;
    waitpid $_, 0 for @workers, $killer;
    my %count;
    $count{$_}++ for @statuses;
    diag join ', ', map { "$_: $count{$_}" } sort keys %count;
    cmp_ok scalar(@statuses), '>', 100, 'many requests ran while backends were killed';
    is $count{500} // 0, 0, 'none answered 500';
    is scalar(grep { $_ != 200 && $_ != 503 } @statuses), 0, 'every answer 200 or 503';
    cmp_ok $count{200} // 0, '>', scalar(@statuses) / 2, 'most of them 200';
    my ($status) = timed_get('/secure/users/me/');
    is $status, 200, 'afterwards, logins answer 200';
};

finish();
