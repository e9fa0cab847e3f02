# Faults as tests: clients book and confirm without pause (retrying with the same
# Idempotency-Key, as the API tells them to) while the database is stopped and
# started, while its backends are killed every few milliseconds, and while the pool
# is exhausted by slow clients and by a held lock. No answer is 500, every wait is
# bounded, and at the end every reservation a client saw confirmed is confirmed in
# the database exactly once: none lost, none made twice.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp ();
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP ();
use MIME::Base64 ();
use POSIX ();
use Time::HiRes qw(time sleep);
use SchedTest;

needs_local('stops PostgreSQL and starts httpd servers of its own');

# Unavailable database, busy pool, lost connections: logged by design.
allow_log(qr/SCHED0020[2789]\b/);
allow_log(qr/\[dbd:error\]/);
# The webhook sender keeps a connection of its own, and says so when the database
# stopped below takes it.
allow_log(qr/SCHED00702\b/);

my $WORKERS = 6;
my $POOL = 4;
my $BOUND = 12;     # seconds: statement_timeout (5s) + SchedPoolWait (1s) + slack
my $server = start_httpd(replace => {
    'DBDMax 16'            => "DBDMax $POOL",
    'StartServers 2'       => 'StartServers 1',
    'ServerLimit 4'        => 'ServerLimit 1',
    'MaxRequestWorkers 64' => 'MaxRequestWorkers 32',
    'ThreadsPerChild 16'   => 'ThreadsPerChild 32',
    'MinSpareThreads 16'   => 'MinSpareThreads 1',
    'MaxSpareThreads 48'   => 'MaxSpareThreads 32',
    'SchedHoldTime 3s'     => "SchedHoldTime 5m\n    SchedPoolWait 1s",
    'AuthBasicProvider dbd' => 'AuthBasicProvider sched',
    'AuthDBDUserPWQuery "SELECT password FROM users WHERE username = %s AND is_active"' => '',
});
my $URL = $server->url . '/secure';

my $admin = make_user(is_superuser => JSON::PP::true, password => 'faults-admin');
my $basic = 'Basic ' . MIME::Base64::encode_base64("$admin->{username}:faults-admin", '');
my $JSON = JSON::PP->new;

# Each worker: a client, and a provider with a month of 15-minute slots of its own.
my (@clients, @slots);
for my $w (1 .. $WORKERS) {
    my $provider = make_provider();
    my $res = POST('/available_slots/', { provider => $provider,
        start_time => at(3, '00:00'), end_time => at(33, '00:00') });
    die "slots: $res->{content}" unless $res->{status} == 201;
    push @slots, [ map { $_->{id} } @{ $res->{json} } ];
    push @clients, make_client();
}

my $stop_file = File::Temp->new;
unlink $stop_file->filename;
my @outs = map { File::Temp->new } 1 .. $WORKERS;

# POST until the answer is final; retries reuse the request (and its key). Returns
# the last response; logs every attempt as "status seconds".
sub until_final {
    my ($http, $log, $path, $body, $headers) = @_;
    for my $try (1 .. 200) {
        my $t0 = time;
        my $res = $http->post("$URL$path", { content => $body, headers => {
            'Content-Type' => 'application/json', Authorization => $basic, %$headers } });
        printf {$log} "A %d %.3f\n", $res->{status}, time - $t0;
        return $res unless $res->{status} == 503 || $res->{status} == 599;
        sleep 0.05 * $try < 0.5 ? 0.05 * $try : 0.5;
    }
    return { status => 0 };
}

sub worker {
    my ($w) = @_;
    open my $log, '>', $outs[$w - 1]->filename or die $!;
    select((select($log), $| = 1)[0]);
    my $http = HTTP::Tiny->new(timeout => 30, keep_alive => 1);
    my $client = $clients[$w - 1];
    for my $slot (@{ $slots[$w - 1] }) {
        last if -e $stop_file->filename;
        my $key = "faults-$$-$w-$slot";
        my $res = until_final($http, $log, '/appointment_reservations/',
            qq({"client": $client, "slot": $slot}), { 'Idempotency-Key' => $key });
        if ($res->{status} != 201) {
            print {$log} "BOOK $slot $res->{status}\n";
            next;
        }
        my $id = $JSON->decode($res->{content})->{id};
        $res = until_final($http, $log, "/appointment_reservations/$id/confirm/", '', {});
        my $status = $res->{status} == 200 ? $JSON->decode($res->{content})->{status} : '';
        print {$log} "DONE $slot $id $res->{status} $status\n";
    }
    close $log;
}

my @pids;
for my $w (1 .. $WORKERS) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        worker($w);
        POSIX::_exit(0);
    }
    push @pids, $pid;
}

sub pause { sleep $_[0] }
pause(2);

# (a) The database stops and starts.
ok eval { pg_stop(); 1 }, 'database stopped' or diag $@;
pause(2);
ok eval { pg_start(); 1 }, 'database started' or diag $@;
pause(2);

# (b) Backends killed every 10 ms for 3 s.
my $until = time + 3;
{
    local $ENV{PGAPPNAME} = 'killer';
    my $killed = eval { psql("DO \$\$ DECLARE n int := 0; k int; BEGIN"
        . " WHILE clock_timestamp() < to_timestamp($until) LOOP"
        . "  PERFORM pg_stat_clear_snapshot();"
        . "  SELECT count(pg_terminate_backend(pid)) INTO k FROM pg_stat_activity"
        . "   WHERE datname = 'sched' AND backend_type = 'client backend'"
        . "   AND application_name <> 'killer' AND pid <> pg_backend_pid();"
        . "  n := n + k; PERFORM pg_sleep(0.01); END LOOP;"
        . " RAISE NOTICE 'killed %', n; END \$\$; SELECT 1") };
    ok defined $killed, 'backends were killed for 3 s' or diag $@;
}
pause(2);

# (c) Slow clients hold threads, and a held lock holds every connection of the pool.
my $addr = '127.0.0.1:' . $server->port;
my @slow = map {
    my $s = IO::Socket::INET->new(PeerAddr => $addr, Proto => 'tcp') or die $!;
    syswrite $s, "POST /secure/clients/ HTTP/1.1\r\nHost: x\r\nAuthorization: $basic\r\n"
        . "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{";
    $s;
} 1 .. $POOL + 2;
my $locker = fork // die;
if ($locker == 0) {
    eval { psql('BEGIN; SELECT id FROM clients WHERE id IN (' . join(',', @clients)
                . ') FOR UPDATE; SELECT pg_sleep(3); COMMIT;') };
    POSIX::_exit(0);
}
for (1 .. 4) { syswrite $_, ' ' for @slow; sleep 1 }
waitpid $locker, 0;
close $_ for @slow;
pause(2);

open my $stop, '>', $stop_file->filename or die;
close $stop;
waitpid $_, 0 for @pids;

# What the clients saw.
my (%status, @durations, %confirmed, %booked, $book_failed, $not_confirmed);
for my $out (@outs) {
    open my $fh, '<', $out->filename or die;
    while (<$fh>) {
        if (/^A (\d+) ([\d.]+)/) { $status{$1}++; push @durations, $2 }
        elsif (/^BOOK (\d+) (\d+)/) { $book_failed++ }
        elsif (/^DONE (\d+) (\d+) (\d+) (\w*)/) {
            $booked{$2} = $1;
            if ($3 == 200 && $4 eq 'confirmed') { $confirmed{$2} = $1 } else { $not_confirmed++ }
        }
    }
}
my $attempts = 0;
$attempts += $_ for values %status;
diag sprintf '%d attempts (%s); %d booked, %d confirmed; slowest %.2f s',
    $attempts, join(', ', map { "$_: $status{$_}" } sort keys %status),
    scalar(keys %booked), scalar(keys %confirmed),
    (sort { $b <=> $a } @durations)[0] // 0;

cmp_ok scalar(keys %confirmed), '>', 50, 'many bookings were confirmed through the faults';
cmp_ok $status{503} // 0, '>', 0, 'the faults were felt (503 answers)';
is $status{500} // 0, 0, 'no answer was 500';
is $status{599} // 0, 0, 'no request went unanswered';
is scalar(grep { $_ != 200 && $_ != 201 && $_ != 503 } map { ($_) x $status{$_} } keys %status),
    0, 'every answer 200, 201 or 503';
cmp_ok((sort { $b <=> $a } @durations)[0] // 0, '<', $BOUND, "every wait under $BOUND s");
is $book_failed // 0, 0, 'every booking ended in 201';
is $not_confirmed // 0, 0, 'every confirmation ended in 200 confirmed';

# What the database holds.
my $list = join ',', @clients;
my %db = map { split /\|/ } split /\n/, psql(
    "SELECT id, slot_id FROM reservations WHERE client_id IN ($list)"
    . " AND confirmed_at IS NOT NULL AND cancelled_at IS NULL");
my @lost = grep { !exists $db{$_} || $db{$_} != $confirmed{$_} } keys %confirmed;
is scalar(@lost), 0, '0 lost: every reservation seen confirmed is confirmed'
    or diag "lost: @lost";
is psql("SELECT count(*) FROM (SELECT slot_id FROM reservations WHERE client_id IN ($list)"
        . " GROUP BY slot_id HAVING count(*) > 1) d"), 0,
    '0 duplicated: one reservation per slot, retries included';
is psql("SELECT count(*) FROM reservations WHERE client_id IN ($list)"),
    scalar(keys %booked), 'the database holds exactly the reservations the clients saw';

finish();
