# The schedules' horizon moves by itself inside httpd: a background task of
# mod_watchdog makes the slots now due (at start-up, then every
# SchedMaintenanceInterval, an hour by default); two httpd servers on one database
# doing it at once never make a slot twice; schedctl materialize does the same by hand.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time sleep);
use SchedTest;

needs_local('starts httpd servers of its own');

# The task says what it did at info level.
allow_log(qr/SCHED0060[345]\b/);

my $HORIZON = 10;

# A provider with a schedule of every day, 09:00-17:00 UTC, $HORIZON days ahead.
sub scheduled_provider {
    my $p = make_provider();
    my $res = POST('/schedules/', { provider => $p, time_zone => 'UTC', slot_minutes => 60,
        horizon_days => $HORIZON,
        weekly => [ map { { weekday => $_, start => '09:00', end => '17:00' } } 1 .. 7 ] });
    die "POST /schedules/: $res->{status} $res->{content}" unless $res->{status} == 201;
    return ($p, $res->{json}{id});
}

# As if the schedule had last been extended $days days ago: its slots beyond now +
# horizon - days are gone, and materialized_until says so.
sub set_back {
    my ($schedule, $days) = @_;
    my $until = "now() + interval '" . ($HORIZON - $days) . " days'";
    psql("DELETE FROM slots WHERE schedule_id = $schedule AND start_time >= $until;"
         . " UPDATE schedules SET materialized_until = $until WHERE id = $schedule");
}

sub slots_of { psql("SELECT count(*) FROM slots WHERE schedule_id = $_[0]") }

sub until_days {
    psql("SELECT round(extract(epoch FROM materialized_until - now()) / 86400)"
         . " FROM schedules WHERE id = $_[0]");
}

# Waits up to $seconds for the schedules to be extended again.
sub wait_extended {
    my ($seconds, @schedules) = @_;
    my $deadline = time + $seconds;
    while (time < $deadline) {
        return 1 unless grep { until_days($_) < $HORIZON } @schedules;
        sleep 0.5;
    }
    return 0;
}

my ($p, $schedule) = scheduled_provider();
my $full = slots_of($schedule);
cmp_ok $full, '>=', ($HORIZON - 1) * 8, "the schedule made its slots ($full)";
is until_days($schedule), $HORIZON, "materialized $HORIZON days ahead";

subtest 'the task of one server moves the horizon' => sub {
    my $server = start_httpd(extra => 'SchedMaintenanceInterval 1s');
    set_back($schedule, 5);
    cmp_ok slots_of($schedule), '<', $full, 'slots of the last five days are gone';
    ok wait_extended(20, $schedule), 'within seconds, the horizon is back';
    is slots_of($schedule), $full, 'and the slots with it';
    $server->stop;
};

subtest 'two servers at once make no slot twice' => sub {
    my @schedules = map { (scheduled_provider())[1] } 1 .. 6;
    my %full = map { $_ => slots_of($_) } @schedules;
    set_back($_, 7) for @schedules;
    my @servers = map { start_httpd(extra => 'SchedMaintenanceInterval 1s') } 1 .. 2;
    ok wait_extended(30, @schedules), 'every horizon is back';
    is_deeply { map { $_ => slots_of($_) } @schedules }, \%full, 'every slot is back, once';
    is psql('SELECT count(*) FROM slots a JOIN slots b ON a.provider_id = b.provider_id'
            . ' AND a.id < b.id AND tstzrange(a.start_time, a.end_time)'
            . ' && tstzrange(b.start_time, b.end_time)'), 0, 'no two slots overlap';
    $_->stop for @servers;
};

subtest 'schedctl materialize' => sub {
    set_back($schedule, 4);
    my ($code, $out) = run_capture("$ENV{SCHED_ROOT}/tools/schedctl", '--dsn', $ENV{SCHED_DSN},
                                   'materialize');
    is $code, 0, 'exit 0' or diag $out;
    like $out, qr/^materialized: [1-9]\d* schedules extended, [1-9]\d* slots made$/m,
        'says what it did';
    is until_days($schedule), $HORIZON, 'the horizon is back';
    is slots_of($schedule), $full, 'and the slots';
    ($code, $out) = run_capture("$ENV{SCHED_ROOT}/tools/schedctl", '--dsn', $ENV{SCHED_DSN},
                                'materialize');
    like $out, qr/^materialized: 0 schedules extended, 0 slots made$/m, 'then nothing to do';
};

finish();
