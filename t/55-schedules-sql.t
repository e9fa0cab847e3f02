# Provider schedules in the database (sql/006 and their statements), driven through
# psql: the statements run exactly as the module prepares them (`tools/schedctl
# statement NAME`), with superuser access unless a test says otherwise.
#
# Schedules need the future: dates are found relative to now (the next day of 23 or
# 25 hours of a zone, the next Monday, ...), so that the file keeps working as years
# pass. Each test makes its own providers; the file removes them at the end.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp ();
use JSON::PP;
use POSIX ();
use Test::More;
use SchedTest;

needs_local("runs the statements with psql as make test's database superuser");

my $ROOT = $ENV{SCHED_ROOT};
my $PSQL = "$ENV{SCHED_PGBIN}/psql";
my $PASSWORD = '$2y$10$' . ('s' x 53);
my $NOTICE = "'86400 seconds'";     # SchedMinNotice, as the module passes it
my $HOLD = "'600 seconds'";         # SchedHoldTime
my @SU = ('NULL', 'true');          # username, open_access: access open, as a superuser
my $JSON = JSON::PP->new->canonical;
my $pglog = ($ENV{SCHED_PGDATA} =~ s{/[^/]+/?$}{}r) . '/postgres.log';
my (@providers, @users);

# ---- psql ---------------------------------------------------------------------------

# The command line of a psql session that runs $sql with TimeZone $tz (UTC by
# default); errors verbose, so that they name their SQLSTATE and constraint.
sub psql_cmd {
    my ($sql, $tz) = @_;
    return ($PSQL, '-X', '-q', '-A', '-F', "\x1f", '-R', "\x1e", '-P', 'footer=off',
            '-P', 'null=NULL', '-v', 'ON_ERROR_STOP=1', '-d', $ENV{SCHED_DSN},
            '-c', '\set VERBOSITY verbose',
            '-c', "SET client_min_messages = warning; SET TimeZone = '"
                  . ($tz // 'UTC') . "';\n$sql");
}

# psql's unaligned output (header, then rows) as hashes by column name.
sub parse_rows {
    my ($out) = @_;
    $out =~ s/\n\z//;
    return [] unless length $out;
    my @records = split /\x1e/, $out, -1;
    my @cols = split /\x1f/, shift(@records), -1;
    my @rows;
    for my $record (@records) {
        my %row;
        @row{@cols} = map { $_ eq 'NULL' ? undef : $_ } split /\x1f/, $record, -1;
        push @rows, \%row;
    }
    return \@rows;
}

# The rows of the last statement of $sql; dies with psql's message on error.
sub rows {
    my ($sql, %opt) = @_;
    my ($code, $out) = run_capture(psql_cmd($sql, $opt{tz}));
    die "psql failed: $out\n$sql\n" if $code != 0;
    return parse_rows($out);
}

sub row { return rows(@_)->[0] }

# The error of $sql: {state, constraint, text}; undef when it succeeds.
sub error_of {
    my ($sql, %opt) = @_;
    my ($code, $out) = run_capture(psql_cmd($sql, $opt{tz}));
    return undef if $code == 0;
    my ($state) = $out =~ /ERROR:\s+([0-9A-Z]{5}):/;
    my ($constraint) = $out =~ /CONSTRAINT NAME:\s+(\S+)/;
    return { state => $state // '', constraint => $constraint // '', text => $out };
}

my %TEXT;

# The SQL of the module's statement NAME.
sub text_of {
    my ($name) = @_;
    return $TEXT{$name} //= do {
        my ($code, $out) = run_capture("$ROOT/tools/schedctl", 'statement', $name);
        die "schedctl statement $name: $out" if $code != 0;
        $out =~ s/\s+\z//;
        $out;
    };
}

# SQL that prepares statement NAME and executes it with @params (SQL literals).
# The statement with its parameters; a conditional write (sql/008) takes the ETags of
# If-Match last: NULL (none) when not given.
sub stmt_sql {
    my ($name, @params) = @_;
    my $text = text_of($name);
    my ($max) = sort { $b <=> $a } $text =~ /\$(\d+)/g;
    push @params, 'NULL' if @params == $max - 1 && $text =~ /\$${max}::text\[\]/;
    return "PREPARE s AS $text;\nEXECUTE s(" . join(', ', @params) . ')';
}

# The rows that statement NAME answers for @$params.
sub stmt {
    my ($name, $params, %opt) = @_;
    return rows(stmt_sql($name, @$params), %opt);
}

sub lit {
    my ($v) = @_;
    return 'NULL' unless defined $v;
    (my $q = $v) =~ s/'/''/g;
    return "'$q'";
}

sub jsonb { return lit($JSON->encode($_[0])) . '::jsonb' }

# Runs each SQL text in a psql session of its own, all released at the same moment;
# returns each one's [exit code, output].
sub together {
    my (@sqls) = @_;
    pipe(my $go_r, my $go_w) or die "pipe: $!";
    my (@pids, @files);
    for my $sql (@sqls) {
        my $file = File::Temp->new;
        push @files, $file;
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            close $go_w;
            sysread $go_r, my $buf, 1;
            my ($code, $out) = run_capture(psql_cmd($sql));
            open my $fh, '>', $file->filename or POSIX::_exit(1);
            print {$fh} "$code\n$out";
            close $fh;
            POSIX::_exit(0);
        }
        push @pids, $pid;
    }
    close $go_r;
    close $go_w;
    waitpid $_, 0 for @pids;
    return map { [ slurp($_->filename) =~ /\A(\d+)\n(.*)\z/s ] } @files;
}

# ---- Rows ---------------------------------------------------------------------------

sub new_user {
    my (%fields) = @_;
    my $name = uniq('sched55');
    my $su = $fields{superuser} ? 'true' : 'false';
    my $id = row("INSERT INTO users (username, password, is_superuser)"
                 . " VALUES ('$name', '$PASSWORD', $su) RETURNING id")->{id};
    push @users, $id;
    return ($id, $name);
}

# A new provider (client): its id and its user's name.
sub new_provider_named {
    my ($user, $name) = new_user();
    my $id = row("INSERT INTO providers (user_id) VALUES ($user) RETURNING id")->{id};
    push @providers, $id;
    return ($id, $name);
}

sub new_client_named {
    my ($user, $name) = new_user();
    my $id = row("INSERT INTO clients (user_id) VALUES ($user) RETURNING id")->{id};
    return ($id, $name);
}

sub new_provider { return (new_provider_named())[0] }
sub new_client { return (new_client_named())[0] }

# sched_schedules_create as a superuser; returns its row.
sub schedule {
    my (%a) = @_;
    return stmt('sched_schedules_create',
                [ @SU, $a{provider}, lit($a{zone}), $a{slot} // 30, $a{before} // 'NULL',
                  $a{after} // 'NULL', $a{notice} // 'NULL', $a{horizon} // 365,
                  jsonb($a{weekly} // []) ], tz => $a{tz})->[0];
}

sub override {
    my ($provider, $date, $intervals) = @_;
    return stmt('sched_schedule_overrides_create',
                [ @SU, $provider, lit($date), jsonb($intervals) ])->[0];
}

# Every day of the week, [start, end].
sub daily {
    my ($start, $end) = @_;
    return [ map { { weekday => $_, start => $start, end => $end } } 1 .. 7 ];
}

# The provider's slots that start on local date $date of $zone (or in [from, to) when
# $date is an array ref of two SQL timestamptz expressions), in time order:
# {s, e} as "YYYY-MM-DDTHH:MMZ", and source.
sub slots_of {
    my ($provider, $zone, $date) = @_;
    my ($from, $to) = ref $date ? @$date
        : ("('$date'::date::timestamp AT TIME ZONE '$zone')",
           "(('$date'::date + 1)::timestamp AT TIME ZONE '$zone')");
    return rows(<<"SQL");
SELECT id, to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS s,
       to_char(end_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS e, source
  FROM slots
 WHERE provider_id = $provider AND start_time >= $from AND start_time < $to
 ORDER BY start_time
SQL
}

# Hours of slots among @$slots.
sub hours {
    my ($slots) = @_;
    my $sum = 0;
    $sum += epoch($_->{e} =~ s/Z\z/:00Z/r) - epoch($_->{s} =~ s/Z\z/:00Z/r) for @$slots;
    return $sum / 3600;
}

# The next local date of $zone (two days from now at the earliest) that lasts $hours.
sub next_day_of {
    my ($zone, $hours) = @_;
    return psql(<<"SQL");
SELECT d FROM (SELECT (now() AT TIME ZONE '$zone')::date + i AS d
                 FROM generate_series(2, 400) i) x
 WHERE extract(epoch FROM ((d + 1)::timestamp AT TIME ZONE '$zone')
                          - (d::timestamp AT TIME ZONE '$zone')) = $hours * 3600
 ORDER BY d LIMIT 1
SQL
}

# The local date $n days from now in $zone, and its ISO weekday.
sub local_day {
    my ($zone, $n) = @_;
    my ($d, $dow) = split /\|/, psql("SELECT (now() AT TIME ZONE '$zone')::date + $n,"
                                    . " extract(isodow FROM (now() AT TIME ZONE '$zone')::date + $n)");
    return ($d, 0 + $dow);
}

sub isodow { return 0 + psql("SELECT extract(isodow FROM '$_[0]'::date)") }

# The provider's schedule made again: what would it still make or delete?
sub settled {
    my ($provider) = @_;
    my $r = row("SELECT made, removed FROM sched_materialize_counts($provider, now(), 'infinity')");
    return "$r->{made} made, $r->{removed} removed";
}

sub overlaps {
    my ($provider) = @_;
    return psql("SELECT count(*) FROM slots a JOIN slots b ON a.provider_id = b.provider_id"
                . " AND a.id < b.id AND tstzrange(a.start_time, a.end_time)"
                . " && tstzrange(b.start_time, b.end_time) WHERE a.provider_id = $provider");
}

sub book {
    my ($client, $slot, @who) = @_;
    @who = @SU unless @who;
    return stmt('sched_reservations_create',
                [ @who, $client, $slot, $HOLD, $NOTICE, 'NULL', "'test'" ])->[0];
}

# Bookable slot ids of the provider from now on (sched_slots_list_provider).
sub bookable {
    my ($provider, %opt) = @_;
    my @p = ($provider, 'NULL', 'NULL', 'NULL', 'NULL', "'604800 seconds'", $NOTICE,
             'NULL', 'NULL', 1000);
    return [ map { $_->{id} } @{ stmt('sched_slots_list_provider', \@p, %opt) } ];
}

sub has { my ($list, $id) = @_; return scalar grep { $_ == $id } @$list }

my $log_offset = -s $pglog;

# ---- Constraints ------------------------------------------------------------------------

subtest 'values are refused by named constraints' => sub {
    my $p = new_provider();
    my $good = [ { weekday => 1, start => '09:00', end => '12:00' } ];
    my $try = sub {
        my (%a) = @_;
        return error_of(stmt_sql('sched_schedules_create', @SU, $p, lit($a{zone} // 'Europe/Paris'),
                                 $a{slot} // 30, $a{before} // 0, $a{after} // 0,
                                 $a{notice} // 'NULL', $a{horizon} // 60,
                                 $a{weekly_sql} // jsonb($a{weekly} // $good)));
    };
    my @cases = (
        [ { zone => 'Mars/Olympus' }, '23514', 'schedules_time_zone_check' ],
        [ { zone => 'europe/paris' }, '23514', 'schedules_time_zone_check' ],
        [ { zone => 'UTC+3' }, '23514', 'schedules_time_zone_check' ],
        [ { slot => 4 }, '23514', 'schedules_slot_minutes_check' ],
        [ { slot => 1441 }, '23514', 'schedules_slot_minutes_check' ],
        [ { before => -1 }, '23514', 'schedules_buffer_before_check' ],
        [ { after => 1441 }, '23514', 'schedules_buffer_after_check' ],
        [ { notice => 525601 }, '23514', 'schedules_min_notice_check' ],
        [ { horizon => 0 }, '23514', 'schedules_horizon_check' ],
        [ { horizon => 366 }, '23514', 'schedules_horizon_check' ],
        [ { weekly => [ { weekday => 0, start => '09:00', end => '10:00' } ] },
          '23514', 'schedule_intervals_weekday_check' ],
        [ { weekly => [ { weekday => 8, start => '09:00', end => '10:00' } ] },
          '23514', 'schedule_intervals_weekday_check' ],
        [ { weekly => [ { weekday => '1', start => '09:00', end => '10:00' } ] },
          '23514', 'schedule_intervals_weekday_check' ],
        [ { weekly => [ { weekday => 1, start => '25:00', end => '24:00' } ] },
          '23514', 'schedule_intervals_start_check' ],
        [ { weekly => [ { weekday => 1, start => '9:00', end => '10:00' } ] },
          '23514', 'schedule_intervals_start_check' ],
        [ { weekly => [ { weekday => 1, start => '09:00', end => '24:01' } ] },
          '23514', 'schedule_intervals_end_check' ],
        [ { weekly => [ { weekday => 1, start => '10:00', end => '10:00' } ] },
          '23514', 'schedule_intervals_end_check' ],
        [ { weekly => [ { weekday => 1, start => '10:00' } ] },
          '23514', 'schedule_intervals_end_check' ],
        [ { weekly => [ { weekday => 1, start => '09:00', end => '12:00' },
                        { weekday => 1, start => '11:30', end => '13:00' } ] },
          '23P01', 'schedule_intervals_overlap' ],
        [ { weekly_sql => jsonb({ weekday => 1 }) }, '23514', 'schedules_weekly_check' ],
    );
    for my $case (@cases) {
        my ($args, $state, $constraint) = @$case;
        my $e = $try->(%$args);
        my $name = $JSON->encode($args);
        ok $e, "$name: refused" or next;
        is $e->{state}, $state, "$name: SQLSTATE $state";
        is $e->{constraint}, $constraint, "$name: $constraint" or diag $e->{text};
    }
    is psql("SELECT count(*) FROM schedules WHERE provider_id = $p"), 0, 'nothing was made';

    my $ok = $try->(weekly => [ { weekday => 1, start => '00:00', end => '24:00' },
                                { weekday => 2, start => '09:00', end => '12:00' },
                                { weekday => 2, start => '12:00', end => '13:00' } ]);
    ok !$ok, 'a day from 00:00 to 24:00, and intervals that meet, are fine'
        or diag $ok->{text};
    my $again = schedule(provider => $p, zone => 'UTC', weekly => $good);
    is $again->{conflict}, 'schedule', 'a second schedule of the provider: conflict';
    is $again->{id}, undef, 'and nothing made';

    my $q = new_provider();
    my $e = error_of(stmt_sql('sched_schedule_overrides_create', @SU, $q, "'2030-01-01'",
                              jsonb([ { start => '09:00', end => '12:00' },
                                      { start => '08:00', end => '09:30' } ])));
    is $e && $e->{constraint}, 'schedule_override_intervals_overlap',
        'overlapping intervals of an override: schedule_override_intervals_overlap';
    $e = error_of(stmt_sql('sched_schedule_overrides_create', @SU, $q, "'2030-01-01'",
                           jsonb([ { start => '12:00', end => '11:00' } ])));
    is $e && $e->{constraint}, 'schedule_override_intervals_end_check', 'end before start';
    $e = error_of(stmt_sql('sched_schedule_overrides_create', @SU, $q, "'2030-01-01'",
                           jsonb('closed')));
    is $e && $e->{constraint}, 'schedule_overrides_intervals_check', 'not an array';
    $e = error_of(stmt_sql('sched_time_off_create', @SU, $q, "'2030-01-02T10:00Z'",
                           "'2030-01-02T10:00Z'", 'NULL'));
    is $e && $e->{constraint}, 'time_off_time_check', 'time off that ends when it starts';
    $e = error_of(stmt_sql('sched_time_off_create', @SU, $q, "'2030-01-02T10:00Z'",
                           "'2030-01-02T11:00Z'", lit('x' x 1001)));
    is $e && $e->{constraint}, 'time_off_reason_check', 'a reason of 1001 characters';
    $e = error_of("INSERT INTO time_off (provider_id, start_time, end_time) VALUES"
                  . " ($q, '2030-01-02T10:00Z', '2030-01-02T12:00Z'),"
                  . " ($q, '2030-01-02T11:00Z', '2030-01-02T13:00Z')");
    is $e && $e->{constraint}, 'time_off_overlap', 'time off of one provider never overlaps';
};

# ---- Zones ----------------------------------------------------------------------------

subtest 'Europe/Paris: Sundays of 23 and 25 hours' => sub {
    my $zone = 'Europe/Paris';
    my $spring = next_day_of($zone, 23);
    my $autumn = next_day_of($zone, 25);
    note "spring forward $spring, fall back $autumn (2027-03-28 and 2027-10-31 in 2026)";
    is isodow($spring), 7, "$spring is a Sunday";
    is isodow($autumn), 7, "$autumn is a Sunday";
    my $p = new_provider();
    my $s = schedule(provider => $p, zone => $zone, slot => 30,
                     weekly => [ { weekday => 7, start => '00:00', end => '06:00' } ]);
    ok $s->{id}, 'a Sunday 00:00-06:00 schedule';
    is $s->{weekly}, '[{"weekday":7,"start":"00:00","end":"06:00"}]', 'weekly as the API shows it';
    is $s->{kept}, '{}', 'nothing kept';

    my $sp = slots_of($p, $zone, $spring);
    is hours($sp), 5, "$spring: 5 hours of slots";
    is scalar(@$sp), 10, '10 slots of 30 minutes';
    is $sp->[0]{s}, psql("SELECT to_char('$spring'::date - 1, 'YYYY-MM-DD')") . 'T23:00Z',
        'from 00:00+01:00';
    is $sp->[-1]{e}, "${spring}T04:00Z", 'to 06:00+02:00';
    my $au = slots_of($p, $zone, $autumn);
    is hours($au), 7, "$autumn: 7 hours of slots";
    is scalar(@$au), 14, '14 slots';
    is $au->[0]{s}, psql("SELECT to_char('$autumn'::date - 1, 'YYYY-MM-DD')") . 'T22:00Z',
        'from 00:00+02:00';
    is $au->[-1]{e}, "${autumn}T05:00Z", 'to 06:00+01:00';
    is_deeply [ grep { $_->{source} ne 'schedule' } @$sp, @$au ], [], 'source: schedule';
    my $plain = psql("SELECT '$spring'::date + 7");
    is hours(slots_of($p, $zone, $plain)), 6, "$plain: an ordinary Sunday, 6 hours";
    is overlaps($p), 0, 'no two slots overlap';
    is settled($p), '0 made, 0 removed', 'made again, nothing changes';
    my $until = psql("SELECT materialized_until - now() <= interval '365 days'"
                     . " AND materialized_until - now() > interval '364 days'"
                     . " FROM schedules WHERE provider_id = $p");
    is $until, 't', 'materialized_until is now + horizon_days';
};

subtest 'a local time in a DST gap or an overlap: PostgreSQL\'s rule' => sub {
    my $zone = 'Europe/Paris';
    my $spring = next_day_of($zone, 23);
    my $autumn = next_day_of($zone, 25);
    my $before = psql("SELECT to_char('$autumn'::date - 1, 'YYYY-MM-DD')");
    my $p = new_provider();
    schedule(provider => $p, zone => $zone, slot => 30, weekly => []);
    my $case = sub {
        my ($date, $intervals, $slot, $want, $name) = @_;
        my $o = override($p, $date, $intervals);
        row("UPDATE schedules SET slot_minutes = $slot WHERE provider_id = $p RETURNING id");
        row("SELECT sched_materialize($p, now(), 'infinity') AS kept");
        my $got = [ map { "$_->{s}-" . substr($_->{e}, 11) } @{ slots_of($p, $zone, $date) } ];
        is_deeply $got, $want, $name or diag explain $got;
        is overlaps($p), 0, "$name: no overlap";
        is settled($p), '0 made, 0 removed', "$name: stable";
        stmt('sched_schedule_overrides_delete', [ @SU, $o->{id} ]);
    };
    # In the gap: the offset before the transition (+01:00).
    $case->($spring, [ { start => '02:30', end => '04:00' } ], 30,
            [ "${spring}T01:30Z-02:00Z" ],
            'gap: 02:30-04:00 starts at 02:30+01:00 (the clocks say 03:30): 30 minutes');
    $case->($spring, [ { start => '02:00', end => '03:00' } ], 30, [],
            'gap: 02:00-03:00 ends when it starts: no slot');
    $case->($spring, [ { start => '01:00', end => '02:30' }, { start => '03:00', end => '05:00' } ],
            25, [ "${spring}T00:00Z-00:25Z", "${spring}T00:25Z-00:50Z",
                  "${spring}T00:50Z-01:15Z", "${spring}T01:25Z-01:50Z",
                  "${spring}T01:50Z-02:15Z", "${spring}T02:15Z-02:40Z" ],
            'gap: 01:00-02:30 and 03:00-05:00 overlap in real time; the earlier slot wins');
    # In the overlap: the offset after the transition (+01:00), the second pass.
    $case->($autumn, [ { start => '02:30', end => '03:30' } ], 30,
            [ "${autumn}T01:30Z-02:00Z", "${autumn}T02:00Z-02:30Z" ],
            'overlap: 02:30-03:30 starts at the second 02:30 (+01:00): 1 hour');
    $case->($autumn, [ { start => '01:30', end => '02:30' } ], 30,
            [ "${before}T23:30Z-00:00Z", "${autumn}T00:00Z-00:30Z",
              "${autumn}T00:30Z-01:00Z", "${autumn}T01:00Z-01:30Z" ],
            'overlap: 01:30-02:30 ends at the second 02:30: 2 hours');
};

subtest 'southern hemisphere: America/Santiago and Australia/Sydney' => sub {
    my $zone = 'America/Santiago';
    my $spring = next_day_of($zone, 23);     # 2027-09-05: 00:00-01:00 does not exist
    my $autumn = next_day_of($zone, 25);     # 2027-04-03: 23:00-24:00 happens twice
    note "Santiago: $spring lasts 23 hours, $autumn 25";
    my $p = new_provider();
    schedule(provider => $p, zone => $zone, slot => 60,
             weekly => [ { weekday => isodow($spring), start => '00:00', end => '06:00' },
                         { weekday => isodow($autumn), start => '18:00', end => '24:00' } ]);
    my $sp = slots_of($p, $zone, $spring);
    is hours($sp), 5, "$spring 00:00-06:00: 5 hours";
    is $sp->[0]{s}, "${spring}T04:00Z", 'the day starts at 00:00-04:00 (the clocks say 01:00)';
    my $au = slots_of($p, $zone, $autumn);
    is hours($au), 7, "$autumn 18:00-24:00: 7 hours";
    is $au->[-1]{e}, psql("SELECT to_char('$autumn'::date + 1, 'YYYY-MM-DD')") . 'T04:00Z',
        '24:00 is the next day\'s 00:00-04:00';
    is overlaps($p), 0, 'no overlap';

    $zone = 'Australia/Sydney';
    $spring = next_day_of($zone, 23);
    $autumn = next_day_of($zone, 25);
    note "Sydney: $spring lasts 23 hours, $autumn 25";
    my $q = new_provider();
    my %days = map { isodow($_) => 1 } $spring, $autumn;
    schedule(provider => $q, zone => $zone, slot => 30,
             weekly => [ map { { weekday => 0 + $_, start => '00:00', end => '06:00' } }
                         sort keys %days ]);
    is hours(slots_of($q, $zone, $spring)), 5, "Sydney $spring 00:00-06:00: 5 hours";
    is hours(slots_of($q, $zone, $autumn)), 7, "Sydney $autumn 00:00-06:00: 7 hours";
};

subtest 'half- and quarter-hour offsets: Asia/Kolkata, Asia/Kathmandu' => sub {
    for my $case ([ 'Asia/Kolkata', '03:30Z' ], [ 'Asia/Kathmandu', '03:15Z' ]) {
        my ($zone, $first) = @$case;
        my ($day, $dow) = local_day($zone, 3);
        my $p = new_provider();
        schedule(provider => $p, zone => $zone, slot => 25,
                 weekly => [ { weekday => $dow, start => '09:00', end => '10:00' } ]);
        my $got = slots_of($p, $zone, $day);
        is scalar(@$got), 2, "$zone: 09:00-10:00 cut into 25 minutes: 2 whole slots";
        is $got->[0]{s}, "${day}T$first", "$zone: the first at 09:00 local, $first";
        is $got->[1]{s}, "${day}T" . ($zone =~ /Kolkata/ ? '03:55Z' : '03:40Z'),
            "$zone: the second 25 minutes later";
    }
};

subtest 'overrides by local date: Pacific/Auckland, Pacific/Honolulu' => sub {
    my $zone = 'Pacific/Auckland';
    my ($day, $dow) = local_day($zone, 10);
    my $p = new_provider();
    schedule(provider => $p, zone => $zone, slot => 60, horizon => 30,
             weekly => daily('09:00', '12:00'));
    my $offset = psql("SELECT to_char(('$day'::date + time '09:00') AT TIME ZONE '$zone'"
                      . " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI\"Z\"')");
    is slots_of($p, $zone, $day)->[0]{s}, $offset, "$day 09:00 in Auckland is $offset";
    my $o = override($p, $day, []);
    is $o->{intervals}, '[]', 'closed that day';
    is_deeply slots_of($p, $zone, $day), [], "no slot on $day local";
    is scalar(@{ slots_of($p, $zone, psql("SELECT '$day'::date - 1")) }), 3, 'the day before: 3';
    is scalar(@{ slots_of($p, $zone, psql("SELECT '$day'::date + 1")) }), 3, 'the day after: 3';
    my $u = stmt('sched_schedule_overrides_update',
                 [ @SU, $o->{id}, 'NULL', jsonb([ { start => '06:00', end => '08:00' } ]) ])->[0];
    is $u->{intervals}, '[{"start":"06:00","end":"08:00"}]', 'changed to 06:00-08:00';
    my $got = slots_of($p, $zone, $day);
    is scalar(@$got), 2, "two slots on $day";
    my $prev = psql("SELECT '$day'::date - 1");
    like $got->[0]{s}, qr/^${prev}T1[78]:00Z$/, "06:00 on $day in Auckland is on $prev in UTC";
    my $o2 = override($p, $day, []);
    is $o2->{conflict}, 'override', 'a second override of the date: conflict';

    $zone = 'Pacific/Honolulu';
    ($day, $dow) = local_day($zone, 10);
    my $q = new_provider();
    schedule(provider => $q, zone => $zone, slot => 60, horizon => 30, weekly => []);
    $o = override($q, $day, [ { start => '20:00', end => '24:00' } ]);
    $got = slots_of($q, $zone, $day);
    my $next = psql("SELECT '$day'::date + 1");
    is_deeply [ map { $_->{s} } @$got ],
        [ map { "${next}T$_:00Z" } qw(06 07 08 09) ],
        "20:00-24:00 on $day in Honolulu is 06:00-10:00 on $next in UTC";
    is_deeply slots_of($q, $zone, $next), [], "nothing on $next local";
    my $moved = stmt('sched_schedule_overrides_update', [ @SU, $o->{id}, lit($next), 'NULL' ])->[0];
    is $moved->{local_date}, $next, 'the override moved to the next date';
    is_deeply slots_of($q, $zone, $day), [], "$day: nothing any more";
    is scalar(@{ slots_of($q, $zone, $next) }), 4, "$next: 4 slots";
    my $gone = stmt('sched_schedule_overrides_delete', [ @SU, $o->{id} ])->[0];
    is $gone->{deleted}, 't', 'deleted';
    is_deeply slots_of($q, $zone, $next), [], 'and its slots with it';
};

subtest 'the session TimeZone changes nothing' => sub {
    my $weekly = [ { weekday => 7, start => '00:00', end => '06:00' },
                   { weekday => 6, start => '22:00', end => '24:00' },
                   { weekday => 1, start => '09:00', end => '17:30' } ];
    my @epochs;
    for my $tz ('Pacific/Chatham', 'America/St_Johns') {
        my $p = new_provider();
        schedule(provider => $p, zone => 'Europe/Paris', slot => 45, horizon => 365,
                 weekly => $weekly, tz => $tz);
        push @epochs, psql("SELECT string_agg(extract(epoch FROM start_time)::bigint::text"
                           . " || '+' || extract(epoch FROM end_time - start_time)::text, ','"
                           . " ORDER BY start_time) FROM slots WHERE provider_id = $p"
                           . " AND start_time < now() + interval '360 days'");
        my $r = row("SELECT made, removed FROM sched_materialize_counts($p, now(), 'infinity')",
                    tz => 'Asia/Kathmandu');
        is "$r->{made}/$r->{removed}", '0/0', "made under $tz, made again under Asia/Kathmandu: same";
    }
    ok length $epochs[0] > 1000, 'a year of slots';
    is $epochs[1], $epochs[0], 'the same instants under Pacific/Chatham and America/St_Johns';
    my @pure = map {
        psql("SET TimeZone = '$_'; SELECT md5(string_agg(start_time::text || end_time::text, ','"
             . " ORDER BY start_time)) FROM (SELECT d.start_time AT TIME ZONE 'UTC' AS start_time,"
             . " d.end_time AT TIME ZONE 'UTC' AS end_time FROM schedules sc,"
             . " sched_schedule_slots(sc, '2027-01-01T00:00Z', '2028-01-01T00:00Z') d"
             . " WHERE sc.provider_id = $providers[-1]) x")
    } 'UTC', 'Pacific/Kiritimati', 'America/Santiago';
    is $pure[1], $pure[0], 'sched_schedule_slots for 2027 under Pacific/Kiritimati as under UTC';
    is $pure[2], $pure[0], 'and under America/Santiago';

    # The bookable list of a local date in a zone, under two session zones.
    my $p = $providers[-1];
    my ($day) = local_day('Europe/Paris', 8);
    my @lists = map {
        join ',', map { $_->{id} } @{ stmt('sched_slots_list_provider',
            [ $p, 'NULL', 'NULL', lit($day), "'Europe/Paris'", "'604800 seconds'", $NOTICE,
              'NULL', 'NULL', 1000 ], tz => $_) }
    } 'Pacific/Chatham', 'America/Los_Angeles';
    ok length $lists[0], 'a week of bookable slots';
    is $lists[1], $lists[0], 'the same list under either session zone';
};

# ---- Time off, manual slots, kept slots --------------------------------------------------

subtest 'time off' => sub {
    my $zone = 'UTC';
    my ($day) = local_day($zone, 5);
    my $p = new_provider();
    schedule(provider => $p, zone => $zone, slot => 60, horizon => 30, weekly => daily('08:00', '18:00'));
    is scalar(@{ slots_of($p, $zone, $day) }), 10, "$day: 10 slots";
    my $t = stmt('sched_time_off_create', [ @SU, $p, lit("${day}T10:30:00Z"), lit("${day}T13:00:00Z"),
                                            lit('dentist') ])->[0];
    ok $t->{id}, 'time off 10:30-13:00';
    is $t->{reason}, 'dentist', 'with its reason';
    is_deeply [ map { substr $_->{s}, 11 } @{ slots_of($p, $zone, $day) } ],
        [ qw(08:00Z 09:00Z 13:00Z 14:00Z 15:00Z 16:00Z 17:00Z) ],
        'the slots it overlaps are gone (10:00-11:00 too), none made there';
    is settled($p), '0 made, 0 removed', 'stable';
    my $over = stmt('sched_time_off_create', [ @SU, $p, lit("${day}T12:00:00Z"),
                                               lit("${day}T14:00:00Z"), 'NULL' ])->[0];
    is $over->{conflict}, 'time_off', 'time off over time off: conflict';
    is $over->{id}, undef, 'nothing made';

    # A manual slot inside time off is kept but neither listed nor bookable.
    my $window = stmt('sched_slots_create', [ @SU, $p, lit("${day}T06:00:00Z"),
                                              lit("${day}T06:00:00Z"), "'3600 seconds'" ]);
    my $manual = $window->[0]{id};
    ok $manual, 'a manual slot at 06:00';
    my $u = stmt('sched_time_off_update', [ @SU, $t->{id}, lit("${day}T05:00:00Z"), 'NULL', 'NULL' ])->[0];
    is $u->{start_time} =~ /05:00:00/ ? 1 : 0, 1, 'time off now from 05:00';
    is psql("SELECT count(*) FROM slots WHERE id = $manual"), 1, 'the manual slot stays';
    ok !has(bookable($p), $manual), 'but is not listed';
    my $c = new_client();
    my $b = book($c, $manual);
    is $b->{conflict}, 'time_off', 'and booking it is refused: time_off';
    my $get = stmt('sched_slots_get', [ $manual, $NOTICE ])->[0];
    is $get->{available}, 'f', 'GET says not available';
    is $get->{source}, 'manual', 'source manual';

    # Time off over an active reservation is refused.
    my $later = slots_of($p, $zone, $day)->[-1];
    my $r = book($c, $later->{id});
    ok $r->{id}, 'a booking at 17:00';
    my $clash = stmt('sched_time_off_create', [ @SU, $p, lit("${day}T16:30:00Z"),
                                                lit("${day}T19:00:00Z"), 'NULL' ])->[0];
    is $clash->{conflict}, 'reservation', 'time off over it: conflict reservation';
    is psql("SELECT count(*) FROM time_off WHERE provider_id = $p"), 1, 'nothing made';

    # Deleting the time off gives the schedule its slots back.
    my $d = stmt('sched_time_off_delete', [ @SU, $t->{id} ])->[0];
    is "$d->{visible} $d->{allowed} $d->{deleted}", 't t t', 'time off deleted';
    is scalar(@{ slots_of($p, $zone, $day) }), 11, '10 schedule slots and the manual one again';
    ok has(bookable($p), $manual), 'the manual slot is bookable again';
};

subtest 'manual slots win over schedule slots' => sub {
    my $zone = 'UTC';
    my ($day) = local_day($zone, 6);
    my $p = new_provider();
    my $s = schedule(provider => $p, zone => $zone, slot => 45, horizon => 30,
                     weekly => daily('09:00', '12:00'));
    is scalar(@{ slots_of($p, $zone, $day) }), 4, '09:00-12:00 in 45 minutes: 4 slots';
    # A window over schedule slots replaces them (15-minute grid from midnight UTC).
    my $w = stmt('sched_slots_create', [ @SU, $p, lit("${day}T09:30:00Z"), lit("${day}T10:15:00Z"),
                                         "'900 seconds'" ]);
    is $w->[0]{conflict}, 'f', 'a window over schedule slots: no conflict';
    is scalar(@$w), 4, 'four manual slots made';
    is_deeply [ map { $_->{source} } @$w ], [ ('manual') x 4 ], 'source manual';
    is_deeply [ map { substr($_->{s}, 11) . " $_->{source}" } @{ slots_of($p, $zone, $day) } ],
        [ '09:30Z manual', '09:45Z manual', '10:00Z manual', '10:15Z manual', '10:30Z schedule',
          '11:15Z schedule' ],
        'the schedule slots it overlapped (09:00, 09:45) are gone';
    is settled($p), '0 made, 0 removed', 'the schedule does not make them again';
    # The schedule changes: still none over the manual slots.
    stmt('sched_schedules_update', [ @SU, $s->{id}, 'NULL', 30, 'NULL', 'NULL', 'NULL',
                                     'false', 'NULL', 'NULL' ]);
    is_deeply [ map { substr($_->{s}, 11) . " $_->{source}" } @{ slots_of($p, $zone, $day) } ],
        [ '09:00Z schedule', '09:30Z manual', '09:45Z manual', '10:00Z manual', '10:15Z manual',
          '10:30Z schedule', '11:00Z schedule', '11:30Z schedule' ],
        'slots of 30 minutes around the manual ones';
    # A window over a reserved schedule slot is a conflict.
    my $c = new_client();
    my $taken = slots_of($p, $zone, $day)->[-1];
    ok book($c, $taken->{id})->{id}, 'the 11:30 schedule slot booked';
    $w = stmt('sched_slots_create', [ @SU, $p, lit("${day}T11:00:00Z"), lit("${day}T11:45:00Z"),
                                      "'900 seconds'" ]);
    is $w->[0]{conflict}, 't', 'a window over it: conflict';
    is $w->[0]{id}, undef, 'nothing made';
    is psql("SELECT count(*) FROM slots WHERE provider_id = $p AND start_time = '${day}T11:00:00Z'"),
        1, 'the 11:00 schedule slot is still there';
    # Moving a manual slot over schedule slots replaces them; a schedule slot moved by
    # hand becomes manual.
    my $manual = slots_of($p, $zone, $day)->[1];
    is "$manual->{s} $manual->{source}", "${day}T09:30Z manual", 'the manual slot at 09:30';
    my $m = stmt('sched_slots_update', [ @SU, $manual->{id}, 'NULL', lit("${day}T11:00:00Z"),
                                         lit("${day}T11:20:00Z"), $NOTICE ])->[0];
    is $m->{conflict}, 'f', 'a manual slot moved onto the 11:00 schedule slot';
    is $m->{source}, 'manual', 'it is manual';
    my $first = slots_of($p, $zone, $day)->[0];
    is $first->{source}, 'schedule', '09:00 is a schedule slot';
    $m = stmt('sched_slots_update', [ @SU, $first->{id}, 'NULL', lit("${day}T08:00:00Z"),
                                      lit("${day}T08:30:00Z"), $NOTICE ])->[0];
    is $m->{source}, 'manual', 'moved by hand to 08:00: manual';
    is overlaps($p), 0, 'no overlap';
};

subtest 'reserved slots are kept and answered' => sub {
    my $zone = 'Europe/Paris';
    my ($day, $dow) = local_day($zone, 4);
    my $p = new_provider();
    my $s = schedule(provider => $p, zone => $zone, slot => 30, horizon => 30,
                     weekly => [ { weekday => $dow, start => '09:00', end => '12:00' } ]);
    my $slots = slots_of($p, $zone, $day);
    is scalar(@$slots), 6, '6 slots';
    my $c = new_client();
    my $r = book($c, $slots->[1]{id});
    ok $r->{id}, 'the 09:30 slot booked';
    my $u = stmt('sched_schedules_update', [ @SU, $s->{id}, 'NULL', 'NULL', 'NULL', 'NULL', 'NULL',
                                             'false', 'NULL',
                                             jsonb([ { weekday => $dow, start => '14:00',
                                                       end => '15:00' } ]) ])->[0];
    is "$u->{visible} $u->{allowed}", 't t', 'weekly hours moved to the afternoon';
    is $u->{kept}, "{$slots->[1]{id}}", 'kept: the booked slot';
    is $u->{weekly}, qq([{"weekday":$dow,"start":"14:00","end":"15:00"}]), 'weekly as saved';
    my $now = slots_of($p, $zone, $day);
    is scalar(@$now), 3, 'the booked morning slot and two afternoon slots';
    is $now->[0]{id}, $slots->[1]{id}, 'the booked slot, unchanged';
    is settled($p), '0 made, 0 removed', 'stable';
    my $again = stmt('sched_schedules_update', [ @SU, $s->{id}, 'NULL', 'NULL', 'NULL', 'NULL',
                                                 'NULL', 'false', 'NULL', 'NULL' ])->[0];
    is $again->{kept}, "{$slots->[1]{id}}", 'answered again by the next change';
    # Once cancelled, it goes at the next change.
    row("UPDATE reservations SET cancelled_at = now() WHERE id = $r->{id} RETURNING id");
    $again = stmt('sched_schedules_update', [ @SU, $s->{id}, 'NULL', 'NULL', 'NULL', 'NULL',
                                              'NULL', 'false', 'NULL', 'NULL' ])->[0];
    is $again->{kept}, '{}', 'cancelled: not kept';
    is scalar(@{ slots_of($p, $zone, $day) }), 2, 'and deleted';

    # Deleting the schedule keeps booked slots too.
    my $afternoon = slots_of($p, $zone, $day)->[0];
    ok book($c, $afternoon->{id})->{id}, 'an afternoon slot booked';
    my $d = stmt('sched_schedules_delete', [ @SU, $s->{id} ])->[0];
    is "$d->{visible} $d->{allowed} $d->{deleted}", 't t t', 'schedule deleted';
    is $d->{kept}, "{$afternoon->{id}}", 'kept: the booked slot';
    my $left = slots_of($p, $zone, [ 'now()', "now() + interval '400 days'" ]);
    is_deeply [ map { $_->{id} } @$left ], [ $afternoon->{id} ], 'the only future slot left';
    is psql("SELECT source || ' ' || coalesce(schedule_id::text, 'none') FROM slots"
            . " WHERE id = $afternoon->{id}"), 'schedule none', 'a schedule slot of no schedule now';
    $d = stmt('sched_schedules_delete', [ @SU, $s->{id} ])->[0];
    is "$d->{visible} $d->{deleted}", 'f f', 'deleting it again: not found';
};

# ---- One rule for listing and booking ----------------------------------------------------

subtest 'buffers: the list hides what booking refuses' => sub {
    my $zone = 'UTC';
    my ($day) = local_day($zone, 5);
    my $p = new_provider();
    my $s = schedule(provider => $p, zone => $zone, slot => 30, before => 0, after => 10,
                     horizon => 30, weekly => daily('09:00', '12:00'));
    my %at = map { substr($_->{s}, 11, 5) => $_->{id} } @{ slots_of($p, $zone, $day) };
    my ($c1, $c2) = (new_client(), new_client());
    ok has(bookable($p), $at{'09:30'}), '09:30 is listed';
    my $r = book($c1, $at{'09:00'});
    ok $r->{id}, '09:00 booked: it occupies 09:00-09:40';
    is psql("SELECT occupation = tstzrange('${day}T09:00Z', '${day}T09:40Z') FROM reservations"
            . " WHERE id = $r->{id}"), 't', 'the reservation records its occupation';
    my $list = bookable($p);
    ok !has($list, $at{'09:30'}), '09:30 is no longer listed';
    ok has($list, $at{'10:00'}), '10:00 still is';
    my $b = book($c2, $at{'09:30'});
    is $b->{conflict}, 'buffer', 'booking 09:30: conflict buffer';
    is $b->{id}, undef, 'nothing made';
    is stmt('sched_slots_get', [ $at{'09:30'}, $NOTICE ])->[0]{available}, 'f',
        'GET of 09:30: not available';
    ok book($c2, $at{'10:00'})->{id}, '10:00 can be booked';
    # buffer_before: 10:30 would occupy 10:20-11:10 with 20 minutes before.
    stmt('sched_schedules_update', [ @SU, $s->{id}, 'NULL', 'NULL', 20, 'NULL', 'NULL', 'false',
                                     'NULL', 'NULL' ]);
    $list = bookable($p);
    ok !has($list, $at{'10:30'}), 'with 20 minutes before: 10:30 is hidden (10:00 ends at 10:30+10)';
    ok has($list, $at{'11:00'}), '11:00 is listed (10:40-11:40)';
    is book(new_client(), $at{'10:30'})->{conflict}, 'buffer', 'and 10:30 refused';
    # The constraint holds whatever the statements do.
    my $e = error_of("INSERT INTO reservations (client_id, slot_id, expires_at, held_until,"
                     . " slot_start, slot_end, provider_id, occupation) SELECT"
                     . " ${\ new_client()}, $at{'09:30'}, now() + interval '1 hour',"
                     . " now() + interval '1 hour', start_time, end_time, provider_id,"
                     . " tstzrange(start_time, end_time) FROM slots WHERE id = $at{'09:30'}");
    is $e && $e->{constraint}, 'reservations_provider_busy',
        'an overlapping occupation: reservations_provider_busy';
    # Cancelled: free again, but for the occupations of the others.
    row("UPDATE reservations SET cancelled_at = now() WHERE id = $r->{id} RETURNING id");
    stmt('sched_schedules_update', [ @SU, $s->{id}, 'NULL', 'NULL', 0, 'NULL', 'NULL', 'false',
                                     'NULL', 'NULL' ]);
    $list = bookable($p);
    ok has($list, $at{'09:00'}), '09:00 cancelled: listed again';
    ok !has($list, $at{'09:30'}), '09:30 not: 09:30-10:10 would overlap 10:00\'s booking';
    # Buffers of a booking outlive the schedule's: the list still sees them.
    my $r3 = book(new_client(), $at{'11:00'});
    ok $r3->{id}, '11:00 booked with 10 minutes after';
    stmt('sched_schedules_update', [ @SU, $s->{id}, 'NULL', 'NULL', 0, 0, 'NULL', 'false',
                                     'NULL', 'NULL' ]);
    ok !has(bookable($p), $at{'11:30'}), 'buffers now 0, 11:30 still hidden by the booking\'s';
    is book(new_client(), $at{'11:30'})->{conflict}, 'buffer', 'and refused';

    # A move: the reservation does not stand in its own way.
    my $m = stmt('sched_reservations_move', [ @SU, $r3->{id}, $at{'11:30'}, $NOTICE ])->[0];
    is $m->{conflict}, undef, 'moving 11:00 to 11:30 next to itself';
    is $m->{slot_id}, $at{'11:30'}, 'moved';
};

subtest 'every slot: listed exactly when it can be booked' => sub {
    # Providers of every kind: manual slots only; a schedule with buffers before and
    # after, and manual slots beyond its horizon; a schedule whose bookings keep the buffers it had; time off over manual
    # slots; bookings of each. Then, for every future slot of theirs, the
    # three lists (one provider, every provider, a slot's "available") and the
    # booking's own check answer the same.
    my $zone = 'UTC';
    my ($day) = local_day($zone, 3);
    my $manual = new_provider();
    stmt('sched_slots_create', [ @SU, $manual, "'${day}T09:00:00Z'", "'${day}T12:40:00Z'",
                                 "'1200 seconds'" ]);
    my $buffered = new_provider();
    schedule(provider => $buffered, zone => $zone, slot => 30, before => 15, after => 10,
             horizon => 8, weekly => daily('09:00', '13:00'));
    my ($far) = local_day($zone, 20);
    stmt('sched_slots_create', [ @SU, $buffered, "'${far}T09:00:00Z'", "'${far}T10:00:00Z'",
                                 "'1800 seconds'" ]);
    my $plain = new_provider();
    my $s = schedule(provider => $plain, zone => $zone, slot => 15, before => 0, after => 20,
                     horizon => 8, weekly => daily('08:00', '12:00'));
    my @clients = map { new_client() } 1 .. 6;
    my @booked;
    for my $p ($manual, $buffered, $plain) {
        my $slots = bookable($p);
        for my $i (grep { $_ % 5 == 1 } 0 .. $#$slots) {
            my $r = book($clients[$i % @clients], $slots->[$i]);
            push @booked, $r->{id} if $r->{id};
        }
    }
    cmp_ok scalar @booked, '>=', 10, 'bookings made';
    # $plain's bookings keep 20 minutes after, though its buffers go to 0 now.
    stmt('sched_schedules_update', [ @SU, $s->{id}, 'NULL', 'NULL', 0, 0, 'NULL', 'false',
                                     'NULL', 'NULL' ]);
    my $off = stmt('sched_time_off_create', [ @SU, $manual, "'${day}T09:40:00Z'",
                                              "'${day}T10:20:00Z'", "'x'" ])->[0];
    ok $off->{id}, 'time off over two free manual slots' or diag explain $off;
    my $client = new_client();
    my %listed = map { $_ => 1 } map { @{ bookable($_) } } $manual, $buffered, $plain;
    # The list of every provider, page after page (other tests' slots are there too),
    # up to the last slot of these providers.
    my $last = psql("SELECT max(start_time) FROM slots"
                    . " WHERE provider_id IN ($manual, $buffered, $plain)");
    my (%in_all, @cursor);
    @cursor = ('NULL', 'NULL');
    while (1) {
        my $page = stmt('sched_slots_list', [ 'NULL', 'NULL',
            "(timestamptz '$last' + interval '1 second')", 'NULL', 'NULL',
            "'604800 seconds'", $NOTICE, @cursor, 1000 ]);
        $in_all{ $_->{id} } = 1 for @$page;
        last if @$page < 1000;
        my $end = $page->[-1];
        @cursor = (psql("SELECT (extract(epoch FROM timestamptz '$end->{start_time}')"
                        . " * 1000000)::int8"), $end->{id});
    }
    my $ids = rows("SELECT id, sched_booking_refusal($client, id, $NOTICE, NULL) AS why"
                   . " FROM slots WHERE provider_id IN ($manual, $buffered, $plain)"
                   . " AND start_time > now() ORDER BY id");
    cmp_ok scalar @$ids, '>=', 100, 'slots checked: ' . scalar @$ids;
    my (%why, $disagree);
    for my $x (@$ids) {
        my $bookable = !defined $x->{why} || $x->{why} eq '' ? 1 : 0;
        $why{ $bookable ? 'bookable' : $x->{why} }++;
        my $available = stmt('sched_slots_get', [ $x->{id}, $NOTICE ])->[0]{available} eq 't'
            ? 1 : 0;
        my @seen = ($listed{ $x->{id} } ? 1 : 0, $in_all{ $x->{id} } ? 1 : 0, $available);
        next if "@seen" eq "$bookable $bookable $bookable";
        $disagree++;
        diag "slot $x->{id}: booking says " . ($x->{why} || 'bookable')
             . ", listed by provider $seen[0], in the full list $seen[1], available $seen[2]";
    }
    ok !$disagree, 'every slot: the lists, "available" and booking agree';
    note join ', ', map { "$_ $why{$_}" } sort keys %why;
    ok $why{$_}, "some slots refused for $_" for qw(slot buffer time_off soon far);
    ok $why{bookable}, 'and some bookable';
};

subtest 'the guard of reserved slots stays on after a change' => sub {
    my ($day) = local_day('UTC', 4);
    my $p = new_provider();
    my $s = schedule(provider => $p, zone => 'UTC', slot => 60, before => 0, after => 0,
                     horizon => 10, weekly => daily('09:00', '11:00'));
    my $slot = slots_of($p, 'UTC', $day)->[0]{id};
    ok book(new_client(), $slot)->{id}, 'a slot booked';
    # sched_materialize deletes with the guard's own check and tells the trigger so
    # for that one statement; in the same transaction, a plain DELETE is guarded again.
    my $e = error_of("UPDATE schedule_intervals SET start_minute = start_minute + 240,"
                     . " end_minute = end_minute + 240 WHERE schedule_id = $s->{id};"
                     . " SELECT sched_materialize($p, now(), 'infinity');"
                     . " DELETE FROM slots WHERE id = $slot");
    is $e && $e->{constraint}, 'slots_reserved', 'after a materialize, in its transaction:'
        . ' deleting the reserved slot is refused' or diag explain $e;
    is psql("SELECT count(*) FROM slots WHERE id = $slot"), 1, 'it is there';
    is row("UPDATE schedule_intervals SET start_minute = start_minute + 240,"
           . " end_minute = end_minute + 240 WHERE schedule_id = $s->{id};"
           . " SELECT array_length(kept, 1) AS kept, removed"
           . " FROM sched_materialize_counts($p, now(), 'infinity')")->{removed} > 0 ? 1 : 0,
       1, 'such a change deletes slots (so the setting was on, then off)';
};

subtest 'notice and horizon' => sub {
    my $zone = 'UTC';
    my $p = new_provider();
    my $s = schedule(provider => $p, zone => $zone, slot => 60, horizon => 5, notice => 0,
                     weekly => daily('00:00', '24:00'));
    my $soon = row("SELECT id FROM slots WHERE provider_id = $p AND start_time > now() + interval"
                   . " '1 hour' ORDER BY start_time LIMIT 1")->{id};
    ok has(bookable($p), $soon), 'notice 0: a slot within the hour is listed (SchedMinNotice is 24 h)';
    my $c = new_client();
    my $r = book($c, $soon);
    ok $r->{id}, 'and booked';
    row("UPDATE reservations SET cancelled_at = now() WHERE id = $r->{id} RETURNING id");
    stmt('sched_schedules_update', [ @SU, $s->{id}, 'NULL', 'NULL', 'NULL', 'NULL', 'NULL', 'true',
                                     'NULL', 'NULL' ]);
    ok !has(bookable($p), $soon), 'notice back to SchedMinNotice: not listed';
    is book($c, $soon)->{soon}, 't', 'booking: too soon';
    stmt('sched_schedules_update', [ @SU, $s->{id}, 'NULL', 'NULL', 'NULL', 'NULL', 2880, 'true',
                                     'NULL', 'NULL' ]);
    my $tomorrow = row("SELECT id FROM slots WHERE provider_id = $p AND start_time > now()"
                       . " + interval '30 hours' ORDER BY start_time LIMIT 1")->{id};
    ok !has(bookable($p), $tomorrow), 'notice of 2 days: a slot in 30 hours is not listed';
    is book($c, $tomorrow)->{soon}, 't', 'booking it: too soon';
    is psql("SELECT count(*) FROM slots WHERE provider_id = $p AND start_time >= now()"
            . " + interval '5 days'"), 0, 'no schedule slot beyond the horizon of 5 days';
    # A manual slot beyond the horizon: neither listed nor bookable.
    my ($far) = local_day($zone, 9);
    my $w = stmt('sched_slots_create', [ @SU, $p, lit("${far}T10:00:00Z"), lit("${far}T10:00:00Z"),
                                         "'3600 seconds'" ]);
    ok $w->[0]{id}, 'a manual slot in 9 days';
    ok !has(bookable($p), $w->[0]{id}), 'not listed: beyond the horizon';
    my $b = book($c, $w->[0]{id});
    is $b->{too_far}, 't', 'booking it: too far';
    is $b->{soon}, 'f', 'not too soon';
    is $b->{conflict}, undef, 'no conflict';
    is $b->{id}, undef, 'nothing made';
    my $all = stmt('sched_slots_list', [ 'NULL', lit("${far}T00:00:00Z"), lit("${far}T23:00:00Z"),
                                         'NULL', 'NULL', "'604800 seconds'", $NOTICE, 'NULL',
                                         'NULL', 1000 ]);
    ok !grep({ $_->{id} == $w->[0]{id} } @$all), 'nor in the list of every provider';
    # Without a schedule, no horizon.
    my $q = new_provider();
    $w = stmt('sched_slots_create', [ @SU, $q, lit("${far}T10:00:00Z"), lit("${far}T10:00:00Z"),
                                      "'3600 seconds'" ]);
    ok has(bookable($q), $w->[0]{id}), 'a provider without schedule: listed in 9 days';
};

# ---- Statements ---------------------------------------------------------------------------

subtest 'statements: reads, changes and who may do them' => sub {
    my ($p, $pname) = new_provider_named();
    my ($other, $oname) = new_provider_named();
    my ($c, $cname) = new_client_named();
    my (undef, $suname) = new_user(superuser => 1);
    my $weekly = [ { weekday => 2, start => '09:00', end => '10:00' } ];
    my $create = sub {
        my ($user) = @_;
        return stmt('sched_schedules_create', [ lit($user), 'false', $p, "'UTC'", 30, 'NULL', 'NULL',
                                               'NULL', 'NULL', jsonb($weekly) ])->[0];
    };
    for my $who ([ $oname, 'another provider' ], [ $cname, 'a client' ], [ undef, 'anonymous' ]) {
        my $r = $create->($who->[0]);
        is $r->{allowed}, 'f', "$who->[1] may not create it";
        is $r->{id}, undef, "$who->[1]: nothing made";
    }
    my $s = $create->($pname);
    is $s->{allowed}, 't', 'the provider may';
    is $s->{provider_found}, 't', 'provider found';
    is_deeply [ @$s{qw(slot_minutes buffer_before_minutes buffer_after_minutes min_notice_minutes
                       horizon_days time_zone)} ],
        [ 30, 0, 0, undef, 60, 'UTC' ], 'defaults: no buffers, SchedMinNotice, 60 days';
    ok defined $s->{materialized_until}, 'materialized_until set';
    my $get = stmt('sched_schedules_get', [ $s->{id} ])->[0];
    is_deeply $get, { map { $_ => $s->{$_} } keys %$get }, 'get answers what create did';
    my $list = stmt('sched_schedules_list', [ 'NULL', $p, 101 ]);
    is_deeply [ map { $_->{id} } @$list ], [ $s->{id} ], 'list filtered by provider';
    is scalar(@{ stmt('sched_schedules_list', [ $s->{id}, $p, 101 ]) }), 0, 'paged by id';
    my $missing = stmt('sched_schedules_create', [ @SU, 0, "'UTC'", 30, 'NULL', 'NULL', 'NULL',
                                                   'NULL', 'NULL' ])->[0];
    is "$missing->{allowed} $missing->{provider_found}", 't f', 'no such provider';

    my $update = sub {
        my ($user, $id) = @_;
        return stmt('sched_schedules_update', [ lit($user), 'false', $id // $s->{id}, 'NULL', 'NULL',
                                               'NULL', 'NULL', 60, 'true', 'NULL', 'NULL' ])->[0];
    };
    my $u = $update->($oname);
    is "$u->{visible} $u->{allowed}", 't f', 'another provider may see it, not change it';
    is $update->($cname)->{allowed}, 'f', 'nor a client';
    $u = $update->($suname);
    is "$u->{visible} $u->{allowed} $u->{min_notice_minutes}", 't t 60', 'a superuser may';
    is $update->($suname, 0)->{visible}, 'f', 'no such schedule';
    my $del = stmt('sched_schedules_delete', [ lit($oname), 'false', $s->{id} ])->[0];
    is "$del->{visible} $del->{allowed} $del->{deleted}", 't f f', 'another provider may not delete it';

    # Overrides.
    my $o = stmt('sched_schedule_overrides_create', [ lit($oname), 'false', $p, "'2031-05-06'",
                                                       jsonb([]) ])->[0];
    is $o->{allowed}, 'f', 'another provider may not add an override';
    $o = stmt('sched_schedule_overrides_create', [ lit($pname), 'false', $p, "'2031-05-06'",
                                                    jsonb([ { start => '10:00', end => '11:00' } ]) ])->[0];
    is "$o->{allowed} $o->{local_date} $o->{intervals}",
        qq(t 2031-05-06 [{"start":"10:00","end":"11:00"}]), 'the provider may';
    my $o2 = stmt('sched_schedule_overrides_create', [ @SU, $p, "'2031-05-07'", 'NULL' ])->[0];
    is $o2->{intervals}, '[]', 'no intervals: closed';
    my $clash = stmt('sched_schedule_overrides_update', [ @SU, $o2->{id}, "'2031-05-06'", 'NULL' ])->[0];
    is $clash->{conflict}, 'override', 'moved onto a date with an override: conflict';
    is_deeply [ map { $_->{id} } @{ stmt('sched_schedule_overrides_list',
                                         [ 'NULL', $p, "'2031-05-07'", 'NULL', 101 ]) } ],
        [ $o2->{id} ], 'list from a date';
    is_deeply [ map { $_->{id} } @{ stmt('sched_schedule_overrides_list',
                                         [ 'NULL', $p, 'NULL', "'2031-05-06'", 101 ]) } ],
        [ $o->{id} ], 'list to a date';
    is stmt('sched_schedule_overrides_get', [ $o->{id} ])->[0]{intervals},
        '[{"start":"10:00","end":"11:00"}]', 'get';
    my $od = stmt('sched_schedule_overrides_delete', [ lit($cname), 'false', $o->{id} ])->[0];
    is "$od->{visible} $od->{allowed} $od->{deleted}", 't f f', 'a client may not delete it';

    # Time off.
    my $t = stmt('sched_time_off_create', [ lit($cname), 'false', $p, "'2031-05-06T10:00Z'",
                                            "'2031-05-06T11:00Z'", 'NULL' ])->[0];
    is $t->{allowed}, 'f', 'a client may not add time off';
    $t = stmt('sched_time_off_create', [ lit($pname), 'false', $p, "'2031-05-06T10:00Z'",
                                         "'2031-05-06T11:00Z'", 'NULL' ])->[0];
    is "$t->{allowed} $t->{reason}", 't ', 'the provider may; reason empty';
    my $tu = stmt('sched_time_off_update', [ lit($pname), 'false', $t->{id}, 'NULL', 'NULL',
                                             lit('holiday') ])->[0];
    is $tu->{reason}, 'holiday', 'reason changed';
    is_deeply [ map { $_->{id} } @{ stmt('sched_time_off_list', [ 'NULL', $p, 101 ]) } ],
        [ $t->{id} ], 'list by provider';
    is stmt('sched_time_off_get', [ $t->{id} ])->[0]{reason}, 'holiday', 'get';
    my $td = stmt('sched_time_off_delete', [ lit($oname), 'false', $t->{id} ])->[0];
    is "$td->{visible} $td->{allowed} $td->{deleted}", 't f f', 'another provider may not delete it';
    $td = stmt('sched_time_off_delete', [ lit($pname), 'false', $t->{id} ])->[0];
    is "$td->{visible} $td->{allowed} $td->{deleted}", 't t t', 'the provider may';
};

subtest 'the horizon moves forward' => sub {
    my @ps = map { new_provider() } 1 .. 3;
    for my $p (@ps) {
        schedule(provider => $p, zone => 'Asia/Tokyo', slot => 60, horizon => 20,
                 weekly => daily('09:00', '17:00'));
    }
    my $in = join ',', @ps;
    my $full = psql("SELECT count(*) FROM slots WHERE provider_id IN ($in)");
    # As if days had passed: the slots of the last 10 days were never made.
    psql("DELETE FROM slots WHERE provider_id IN ($in) AND start_time > now() + interval '10 days'");
    psql("UPDATE schedules SET materialized_until = now() + interval '10 days'"
         . " WHERE provider_id IN ($in)");
    my $gap = $full - psql("SELECT count(*) FROM slots WHERE provider_id IN ($in)");
    cmp_ok $gap, '>', 100, "$gap slots missing";
    # Two servers at once, in batches of one.
    my $sql = stmt_sql('sched_schedules_extend', 1);
    my ($made, $schedules) = (0, 0);
    for (1 .. 5) {
        my @out = together($sql, $sql);
        for my $o (@out) {
            is $o->[0], 0, 'extend ran' or diag $o->[1];
            my $r = parse_rows($o->[1])->[0];
            $schedules += $r->{schedules};
            $made += $r->{slots};
        }
    }
    is $made, $gap, 'the missing slots were made, once';
    cmp_ok $schedules, '>=', 3, 'the three schedules extended';
    is psql("SELECT count(*) FROM slots WHERE provider_id IN ($in)"), $full, 'all slots are back';
    is overlaps($_), 0, "provider $_: no overlap" for @ps;
    is psql("SELECT bool_and(materialized_until > now() + interval '19 days')"
            . " FROM schedules WHERE provider_id IN ($in)"), 't', 'materialized_until moved';
    stmt('sched_schedules_extend', [ 1000 ]);
    my $ours = psql("SELECT count(*) FROM schedules WHERE provider_id IN ($in)"
                    . " AND materialized_until < now() + interval '19 days'");
    is $ours, 0, 'then nothing of ours is due';
};

# ---- Concurrency ---------------------------------------------------------------------------

subtest 'two changes of one provider at once' => sub {
    my $zone = 'Europe/Paris';
    my $p = new_provider();
    my $s = schedule(provider => $p, zone => $zone, slot => 30, horizon => 20,
                     weekly => daily('08:00', '18:00'));
    my $t0 = psql("SELECT now() + interval '3 days'");
    for my $round (1 .. 4) {
        my @sql = map {
            my ($len, $end) = @$_;
            "BEGIN;\n" . stmt_sql('sched_schedules_update', @SU, $s->{id}, 'NULL', $len, 'NULL',
                                 'NULL', 'NULL', 'false', 'NULL',
                                 jsonb(daily('08:00', $end))) . ";\nCOMMIT"
        } ([ 20, '17:00' ], [ 45, '19:00' ]);
        # and a time off and an override at the same time
        push @sql, "BEGIN;\n" . stmt_sql('sched_time_off_create', @SU, $p,
                                         lit(psql("SELECT '$t0'::timestamptz + interval '$round days'")),
                                         lit(psql("SELECT '$t0'::timestamptz + interval '$round days 2 hours'")),
                                         'NULL') . ";\nCOMMIT";
        my @out = together(@sql);
        is scalar(grep { $_->[0] == 0 } @out), 3, "round $round: all three succeeded"
            or diag explain \@out;
        is overlaps($p), 0, "round $round: no two slots overlap";
        is psql("SELECT count(*) - count(DISTINCT start_time) FROM slots WHERE provider_id = $p"), 0,
            "round $round: no slot twice";
        is psql("SELECT count(DISTINCT end_time - start_time) FROM slots WHERE provider_id = $p"
                . " AND source = 'schedule' AND start_time > now()"), 1,
            "round $round: every future schedule slot of one length";
        is psql("SELECT count(*) FROM slots s JOIN time_off o ON o.provider_id = s.provider_id"
                . " AND tstzrange(o.start_time, o.end_time) && tstzrange(s.start_time, s.end_time)"
                . " WHERE s.provider_id = $p"), 0, "round $round: none in time off";
        is settled($p), '0 made, 0 removed', "round $round: what the last change left is complete";
    }
};

subtest 'a change racing a booking' => sub {
    my $zone = 'UTC';
    my $p = new_provider();
    my $len = 30;
    my $s = schedule(provider => $p, zone => $zone, slot => $len, horizon => 20,
                     weekly => daily('08:00', '18:00'));
    my ($booked, $refused) = (0, 0);
    for my $round (1 .. 6) {
        # A free slot of the current length, which the change makes undue.
        my $slot = row("SELECT id FROM slots WHERE provider_id = $p AND source = 'schedule'"
                       . " AND start_time > now() + interval '3 days' AND end_time - start_time"
                       . " = interval '$len minutes' AND NOT EXISTS (SELECT 1 FROM reservations r"
                       . " WHERE r.slot_id = slots.id) ORDER BY start_time LIMIT 1")->{id};
        $len = $len == 30 ? 15 : 30;
        # The booking is much shorter than the change: it starts a little later each
        # round, so that either may take the slot's lock first.
        my $delay = (0, 0, 0.001, 0.002, 0.004, 0.008)[$round - 1];
        my @out = together(
            ($delay ? "DO \$\$BEGIN PERFORM pg_sleep($delay); END\$\$;\n" : '')
            . stmt_sql('sched_reservations_create', @SU, new_client(), $slot, $HOLD, $NOTICE,
                       'NULL', "'r'"),
            stmt_sql('sched_schedules_update', @SU, $s->{id}, 'NULL', $len, 'NULL', 'NULL', 'NULL',
                     'false', 'NULL', 'NULL'));
        is $out[0][0] + $out[1][0], 0, "round $round: both answered" or diag explain \@out;
        my $b = parse_rows($out[0][1])->[0];
        my $u = parse_rows($out[1][1])->[0];
        if ($b->{id}) {
            $booked++;
            is psql("SELECT count(*) FROM slots WHERE id = $slot"), 1,
                "round $round: booked first, the slot stays";
            like $u->{kept}, qr/\b$slot\b/, "round $round: and the change answers it as kept";
        }
        else {
            $refused++;
            is psql("SELECT count(*) FROM slots WHERE id = $slot"), 0,
                "round $round: the change first, the slot is gone";
            ok defined $b->{conflict} || $b->{slot_found} eq 'f',
                "round $round: the booking is told why (" . ($b->{conflict} // 'no slot') . ')';
        }
        is overlaps($p), 0, "round $round: no overlap";
        is settled($p), '0 made, 0 removed', "round $round: complete";
    }
    note "$booked booked first, $refused changed first";
};

subtest 'bookings of neighbours with buffers at once' => sub {
    my $zone = 'UTC';
    my $p = new_provider();
    schedule(provider => $p, zone => $zone, slot => 30, after => 15, horizon => 20,
             weekly => daily('08:00', '18:00'));
    # Pairs of neighbours, two slots apart from the next pair: from 08:00 of a day (20
    # slots a day, so that no pair straddles a night, whatever the time now).
    my @slots = @{ rows("SELECT id FROM slots WHERE provider_id = $p AND start_time >="
                        . " date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
                        . " + interval '3 days' ORDER BY start_time LIMIT 24") };
    for my $round (1 .. 6) {
        my ($a, $b) = map { $_->{id} } @slots[4 * $round - 4, 4 * $round - 3];
        is psql("SELECT (SELECT end_time FROM slots WHERE id = $a)"
                . " = (SELECT start_time FROM slots WHERE id = $b)"), 't',
            "round $round: slots $a and $b are neighbours";
        my @out = together(map {
            stmt_sql('sched_reservations_create', @SU, new_client(), $_, $HOLD, $NOTICE, 'NULL', "'r'")
        } $a, $b);
        my @rows = map { parse_rows($_->[1])->[0] } @out;
        is scalar(grep { $_->{id} } @rows), 1, "round $round: one of two neighbours booked";
        is join(' ', grep { defined } map { $_->{conflict} } @rows), 'buffer',
            "round $round: the other told: buffer";
    }
};

subtest 'time off racing a booking' => sub {
    my $p = new_provider();
    my ($day) = local_day('UTC', 4);
    my $w = stmt('sched_slots_create', [ @SU, $p, lit("${day}T08:00:00Z"), lit("${day}T13:00:00Z"),
                                         "'3600 seconds'" ]);
    my %won;
    for my $i (0 .. 4) {
        my $slot = $w->[$i]{id};
        my $h = 8 + $i;
        my @out = together(
            stmt_sql('sched_reservations_create', @SU, new_client(), $slot, $HOLD, $NOTICE, 'NULL', "'r'"),
            stmt_sql('sched_time_off_create', @SU, $p, lit(sprintf '%sT%02d:10:00Z', $day, $h),
                     lit(sprintf '%sT%02d:20:00Z', $day, $h), 'NULL'));
        my ($b, $t) = map { parse_rows($_->[1])->[0] } @out;
        $won{ $b->{id} ? 'booking' : 'time off' }++;
        ok !!$b->{id} != !!$t->{id}, "slot $i: the booking or the time off, not both";
        is $b->{id} ? $t->{conflict} : $b->{conflict}, $b->{id} ? 'reservation' : 'time_off',
            "slot $i: the other told why";
    }
    note join ', ', map { "$_ first: $won{$_}" } sort keys %won;
};

open my $fh, '<', $pglog or die "$pglog: $!";
seek $fh, $log_offset, 0;
my @errors = grep { /\bERROR:/ } <$fh>;
my @unexpected = grep {
    !/unknown time zone|violates (?:check|exclusion) constraint|intervals must be a JSON array|time off must end|slot \d+ has an active reservation/
} @errors;
is scalar(@unexpected), 0, 'PostgreSQL logged no ERROR but those of the refused values'
    or diag @unexpected[0 .. ($#unexpected < 9 ? $#unexpected : 9)];

# The rows of this file go.
if (@providers) {
    my $in = join ',', @providers;
    psql("UPDATE reservations SET cancelled_at = now() WHERE cancelled_at IS NULL"
         . " AND provider_id IN ($in)");
    psql("DELETE FROM providers WHERE id IN ($in)");
    psql('DELETE FROM users WHERE id IN (' . join(',', @users) . ')');
}

finish();
