# A lost race is an answer, not a database error: bookings of a taken slot,
# overlapping bookings of one client, reschedules onto a taken slot and overlapping
# windows get their 409 from what the statements read under their row locks, so
# PostgreSQL logs no ERROR for them (a stock server logs each error with its
# statement: one contention benchmark used to leave 300 MB of them). The exclusion
# constraints stay as the guarantee: the outcomes are checked in the database too.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use SchedTest;

needs_local("starts httpd servers of its own and reads PostgreSQL's log");

my $pglog = ($ENV{SCHED_PGDATA} =~ s{/[^/]+/?$}{}r) . '/postgres.log';
ok -f $pglog, "PostgreSQL's log is at $pglog" or BAIL_OUT('no log to read');

# A server of its own, with holds long enough that none expires during a race.
my $server = start_httpd(replace => { 'SchedHoldTime 3s' => 'SchedHoldTime 10m' });
my $URL = $server->url;

sub post_json {
    my ($http, $path, $body) = @_;
    return $http->request('POST', "$URL$path", {
        headers => { 'Content-Type' => 'application/json' },
        content => encode_json($body) });
}

sub window {
    my ($provider, $day, $from, $to) = @_;
    my $res = POST('/available_slots/', { provider => $provider,
        start_time => at($day, $from), end_time => at($day, $to) });
    die "window: $res->{status} $res->{content}" unless $res->{status} == 201;
    return map { $_->{id} } @{ $res->{json} };
}

my $offset = -s $pglog;

subtest '40 clients book one slot at once' => sub {
    for my $round (1 .. 3) {
        my ($slot) = window(make_provider(), 3, '09:00', '09:15');
        my @clients = map { make_client() } 1 .. 40;
        my @out = race(40, sub {
            post_json($_[0], '/appointment_reservations/',
                      { client => $clients[$_[1] - 1], slot => $slot });
        });
        my @status = map { $_->[0] } @out;
        is scalar(grep { $_ == 201 } @status), 1, "round $round: one 201";
        is scalar(grep { $_ == 409 } @status), 39, "round $round: 39 × 409";
        is psql("SELECT count(*) FROM reservations WHERE slot_id = $slot"), 1,
            "round $round: one reservation in the database";
    }
};

subtest 'one client books 20 overlapping slots at once' => sub {
    my $client = make_client();
    my @slots = map { (window(make_provider(), 4, '10:00', '10:15'))[0] } 1 .. 20;
    my @out = race(20, sub {
        post_json($_[0], '/appointment_reservations/',
                  { client => $client, slot => $slots[$_[1] - 1] });
    });
    my @status = map { $_->[0] } @out;
    is scalar(grep { $_ == 201 } @status), 1, 'one 201';
    is scalar(grep { $_ == 409 } @status), 19, '19 × 409';
    like join(' ', map { $_->[1]{errors}{slot}[0] // '' } grep { $_->[0] == 409 } @out),
        qr/^(the client already has an active reservation at that time ?)+$/,
        'each says the client is busy then';
};

subtest '20 reservations move onto one slot at once' => sub {
    my $p = make_provider();
    my @slots = window($p, 5, '09:00', '14:15');
    my $target = pop @slots;
    my @res = map {
        post_json(HTTP::Tiny->new, '/appointment_reservations/',
                  { client => make_client(), slot => $slots[$_] })
    } 0 .. 19;
    my @ids = map { decode_json($_->{content})->{id} } @res;
    my @out = race(20, sub {
        $_[0]->request('PATCH', "$URL/appointment_reservations/$ids[$_[1] - 1]/", {
            headers => { 'Content-Type' => 'application/json' },
            content => encode_json({ slot => $target }) });
    });
    my @status = map { $_->[0] } @out;
    is scalar(grep { $_ == 200 } @status), 1, 'one 200';
    is scalar(grep { $_ == 409 } @status), 19, '19 × 409';
    is psql("SELECT count(*) FROM reservations WHERE slot_id = $target"), 1,
        'one reservation on the slot';
};

subtest '20 overlapping windows of one provider at once' => sub {
    my $p = make_provider();
    my @out = race(20, sub {
        # One window, asked for ten times cut into 15-minute slots and ten times into
        # 20-minute ones: the same slots again, or overlapping ones.
        post_json($_[0], '/available_slots/', { provider => $p,
            start_time => at(6, '09:00'), end_time => at(6, '11:00'),
            slot_minutes => $_[1] % 2 ? 15 : 20 });
    });
    my @status = map { $_->[0] } @out;
    is scalar(grep { $_ != 201 && $_ != 409 } @status), 0, 'each 201 or 409'
        or diag "@status";
    cmp_ok scalar(grep { $_ == 409 } @status), '>=', 1, 'some lost';
    is psql("SELECT count(DISTINCT end_time - start_time) FROM slots WHERE provider_id = $p"),
        1, 'the slots are of one length: the first window won';
    is psql("SELECT count(*) FROM slots a JOIN slots b ON a.provider_id = b.provider_id"
            . " AND a.id < b.id AND tstzrange(a.start_time, a.end_time)"
            . " && tstzrange(b.start_time, b.end_time) WHERE a.provider_id = $p"), 0,
        'no two slots of the provider overlap';
};

open my $fh, '<', $pglog or die "$pglog: $!";
seek $fh, $offset, 0;
my @errors = grep { /\bERROR:/ } <$fh>;
is scalar(@errors), 0, 'PostgreSQL logged no ERROR during the races'
    or diag @errors[0 .. ($#errors < 9 ? $#errors : 9)];

finish();
