# Booking under concurrency: many processes at once (each its own connection, released
# together), on one httpd and on two httpd servers sharing the database. The
# database's constraints decide: one booking per slot, no overlapping slots for a
# provider, no overlapping bookings for a client, and confirm racing cancel ends in
# one consistent state. Never a 5xx.
#
# The races run against two more servers started here with SchedHoldTime 10m: with
# the 3 s hold of the main test server a slow machine could let a pending hold expire
# mid-race, and a second booking of the slot would then be right.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp ();
use HTTP::Tiny;
use JSON::PP;
use Time::Local qw(timegm);
use SchedTest;

needs_local('starts httpd servers of its own');

my $NOW = time;
my $ROUNDS = 3;

# ---- Helpers ----------------------------------------------------------------------

# Epoch of HH:MM UTC on the day $n days from now.
sub at_epoch {
    my ($n, $h, $m) = @_;
    my (undef, undef, undef, $mday, $mon, $year) = gmtime($NOW + $n * 86400);
    return timegm(0, $m // 0, $h, $mday, $mon, $year + 1900);
}

# One slot of a new provider (or of $provider): 15 minutes at HH:MM on day $n.
sub one_slot {
    my ($n, $h, $m, $provider) = @_;
    $provider //= make_role('providers');
    my $start = at_epoch($n, $h, $m);
    my $res = POST('/available_slots/', { provider => $provider,
                                          start_time => rfc3339($start),
                                          end_time => rfc3339($start + 900) });
    die "POST /available_slots/ answered $res->{status}: $res->{content}\n"
        unless $res->{status} == 201 && @{ $res->{json} } == 1;
    return $res->{json}[0]{id};
}

sub post_json {
    my ($http, $target, $body) = @_;
    return $http->request('POST', $target, {
        headers => { 'Content-Type' => 'application/json' },
        content => encode_json($body),
    });
}

sub tally {
    my %count;
    $count{ $_->[0] }++ for @_;
    return \%count;
}

sub no_5xx_ok {
    my ($count, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    ok !grep({ $_ >= 500 || $_ == 0 } keys %$count), "$name: no 5xx, no lost answer"
        or diag explain $count;
}

sub active_for_slot {
    my ($slot) = @_;
    return psql("select count(*) from reservations where slot_id = $slot"
                . ' and cancelled_at is null and held_until > now()');
}

# ---- Servers and clients ----------------------------------------------------------

my @servers = map { start_httpd(replace => { 'SchedHoldTime 3s' => 'SchedHoldTime 10m' }) }
    1 .. 2;
my @base = map { $_->url } @servers;

my $CLIENTS = 50;
my @clients = map { make_role('clients') } 1 .. $CLIENTS;

# ---- One slot, many clients -------------------------------------------------------

# $CLIENTS different clients book one slot at once; $where->($i) is the base URL the
# $i-th uses.
sub race_for_slot {
    my ($slot, $where, $name) = @_;
    my @out = race($CLIENTS, sub {
        my ($http, $i) = @_;
        post_json($http, $where->($i) . '/appointment_reservations/',
                  { client => $clients[ $i - 1 ], slot => $slot });
    });
    my $count = tally(@out);
    is $count->{201} // 0, 1, "$name: exactly one 201" or diag explain $count;
    is $count->{409} // 0, $CLIENTS - 1, "$name: every other one 409";
    no_5xx_ok($count, $name);
    is active_for_slot($slot), 1, "$name: one active reservation in the database";
    is psql("select count(*) from reservations where slot_id = $slot"), 1,
        "$name: one reservation row at all";
    my ($won) = grep { $_->[0] == 201 } @out;
    if ($won && ref $won->[1] eq 'HASH') {
        is psql("select client_id from reservations where slot_id = $slot"), $won->[1]{client},
            "$name: it is the winner's";
        is $won->[1]{status}, 'pending', "$name: pending";
    }
}

for my $round (1 .. $ROUNDS) {
    subtest "$CLIENTS clients book one slot at once, one server (round $round)" => sub {
        my $slot = one_slot(3 + $round, 8, 0);
        race_for_slot($slot, sub { $base[0] }, 'one server');
    };
}

for my $round (1 .. $ROUNDS) {
    subtest "$CLIENTS clients book one slot at once, two servers (round $round)" => sub {
        my $slot = one_slot(3 + $round, 10, 0);
        race_for_slot($slot, sub { $base[ $_[0] % 2 ] }, 'two servers');
    };
}

# ---- Overlapping windows of one provider ------------------------------------------

for my $round (1 .. $ROUNDS) {
    subtest "20 overlapping windows of one provider at once (round $round)" => sub {
        my $p = make_role('providers');
        my $t0 = at_epoch(8, 8, 0);
        my @lengths = (10, 15, 20, 25, 30);
        my @bodies = map {
            my $minutes = $lengths[ $_ % @lengths ];
            my $start = $t0 + 7 * 60 * $_;
            { provider => $p, start_time => rfc3339($start),
              end_time => rfc3339($start + 3 * 60 * $minutes), slot_minutes => $minutes }
        } 0 .. 19;
        my @out = race(20, sub {
            my ($http, $i) = @_;
            post_json($http, $base[ $i % 2 ] . '/available_slots/', $bodies[ $i - 1 ]);
        });
        my $count = tally(@out);
        note 'answers: ', explain $count;
        no_5xx_ok($count, 'windows');
        is scalar(grep { $_->[0] != 201 && $_->[0] != 409 } @out), 0,
            'each answer 201 or 409' or diag explain $count;
        cmp_ok $count->{201} // 0, '>=', 1, 'at least one window made';
        is psql('select count(*) from slots a join slots b'
                . ' on a.provider_id = b.provider_id and a.id < b.id'
                . ' and tstzrange(a.start_time, a.end_time)'
                . ' && tstzrange(b.start_time, b.end_time)'
                . " where a.provider_id = $p"), 0, 'no two slots of the provider overlap';
        my @made = sort { $a <=> $b } map { $_->{id} }
            map { @{ ref $_->[1] eq 'ARRAY' ? $_->[1] : [] } } grep { $_->[0] == 201 } @out;
        my @stored = split /\s+/,
            psql("select id from slots where provider_id = $p order by id");
        ok @stored > 0, scalar(@stored) . ' slots stored';
        is_deeply \@stored, \@made,
            'the slots stored are exactly those the 201 answers list (a 409 made none)';
    };
}

# ---- One client, two providers at the same time -----------------------------------

for my $round (1 .. 2) {
    subtest "one client books two slots at the same time 40 times at once (round $round)"
        => sub {
        my @slots = map { one_slot(9 + $round, 9, 0) } 1 .. 2;    # two providers
        my $c = make_role('clients');
        my @out = race(40, sub {
            my ($http, $i) = @_;
            post_json($http, $base[ int($i / 2) % 2 ] . '/appointment_reservations/',
                      { client => $c, slot => $slots[ $i % 2 ] });
        });
        my $count = tally(@out);
        is $count->{201} // 0, 1, 'one 201 in all' or diag explain $count;
        is $count->{409} // 0, 39, 'every other one 409';
        no_5xx_ok($count, 'client');
        is psql("select count(*) from reservations where client_id = $c"
                . ' and cancelled_at is null and held_until > now()'), 1,
            'the client holds one reservation';
        is active_for_slot($slots[0]) + active_for_slot($slots[1]), 1, 'on one of the slots';
    };
}

# ---- confirm racing cancel --------------------------------------------------------

subtest 'confirm and cancel of one reservation at once' => sub {
    my $p = make_role('providers');
    my (%final, @confirm, @cancel, @bad);
    for my $round (1 .. 8) {
        my $slot = one_slot(12, 8 + $round, 0, $p);
        my $c = make_role('clients');
        my $res = req('POST', "$base[0]/appointment_reservations/",
                      { client => $c, slot => $slot });
        is $res->{status}, 201, "booked ($round)" or next;
        my $id = $res->{json}{id};
        my @out = race(6, sub {
            my ($http, $i) = @_;
            my $what = $i % 2 ? 'confirm' : 'cancel';
            $http->request('POST', $base[ $i % 2 ] . "/appointment_reservations/$id/$what/");
        });
        for my $i (1 .. 6) {
            my ($status, $body) = @{ $out[ $i - 1 ] };
            my $what = $i % 2 ? 'confirm' : 'cancel';
            push @{ $what eq 'confirm' ? \@confirm : \@cancel }, $status;
            push @bad, "$what $status " . encode_json($body // {})
                if $status == 200 && ($body->{status} // '') ne
                    ($what eq 'confirm' ? 'confirmed' : 'cancelled');
        }
        my $now = GET("/appointment_reservations/$id/")->{json}{status} // 'none';
        $final{$now}++;
        my $cancelled = grep { $_->[0] == 200 } @out[1, 3, 5];    # the cancels
        is $now, $cancelled ? 'cancelled' : 'confirmed',
            "round $round: the final state follows the answers ($now)";
        is active_for_slot($slot), $now eq 'cancelled' ? 0 : 1,
            "round $round: the slot is held exactly when confirmed";
    }
    my %c = %{ tally(map { [$_] } @confirm) };
    my %x = %{ tally(map { [$_] } @cancel) };
    is scalar(grep { $_ != 200 && $_ != 409 } @confirm), 0, 'confirm answers 200 or 409'
        or diag explain \%c;
    is scalar(grep { $_ != 200 } @cancel), 0, 'cancel answers 200' or diag explain \%x;
    is_deeply \@bad, [], 'each 200 carries the state it asked for';
    note 'confirm: ', explain \%c, 'cancel: ', explain \%x, 'final: ', explain \%final;
    is_deeply [ grep { $_ ne 'cancelled' && $_ ne 'confirmed' } keys %final ], [],
        'every reservation ends confirmed or cancelled';
};

finish();
