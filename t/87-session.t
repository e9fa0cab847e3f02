# Every database session the module uses is set up before its first statement: generic
# plans (src/sched_conn.c), also on the new backend of a connection reset after the
# server closed it. /debug/ logs each set-up at debug level (SCHED00210).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use SchedTest;

needs_local("needs the test server's /debug mount and error log");

sub log_size { -s $ENV{SCHED_ERROR_LOG} // 0 }

sub setups_since {
    my ($from) = @_;
    open my $fh, '<', $ENV{SCHED_ERROR_LOG} or die "error log: $!";
    seek $fh, $from, 0;
    my (@ok, @failed);
    while (my $line = <$fh>) {
        push @ok, $1 if $line =~ /SCHED00210: new database session \(backend (\d+)\): generic plans/;
        push @failed, $line if $line =~ /SCHED00209:/;
    }
    return (\@ok, \@failed);
}

# The backends of httpd's pooled connections: every session of the test database but
# psql's own, and but the webhook sender's (src/sched_sender.c: a connection of its
# own, outside the pool, which names itself so).
sub backends {
    return grep { length } split /\n/, psql(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        . " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        . " AND application_name <> 'mod_sched webhook sender' ORDER BY pid");
}

# Open connections in several processes and threads.
my @warm = race(20, sub { $_[0]->get(url('/debug/health/')) });
is scalar(grep { $_->[0] == 200 } @warm), 20, 'twenty concurrent requests: 200';
# The backends terminated below include the webhook sender's own, which says so.
allow_log(qr/SCHED0070[24]\b/);

my @old = backends();
cmp_ok scalar(@old), '>', 0, scalar(@old) . ' pooled connections open';

my $from = log_size();
psql('SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity'
     . ' WHERE datname = current_database() AND backend_type = \'client backend\''
     . ' AND pid <> pg_backend_pid()');
my $ok_count = 0;
for my $round (1 .. 3) {
    my @after = race(20, sub { $_[0]->get(url('/debug/health/')) });
    $ok_count += grep { $_->[0] == 200 } @after;
}
is $ok_count, 60, 'after the server closed them all: sixty requests, all 200';

my ($setups, $failed) = setups_since($from);
cmp_ok scalar(@$setups), '>', 0, scalar(@$setups) . ' new sessions set up';
is_deeply $failed, [], 'no set-up failed';
my %now = map { $_ => 1 } backends();
my @unset = grep { $now{$_} } @old;
is_deeply \@unset, [], 'none of the old backends is left';
my %set = map { $_ => 1 } @$setups;
my @used = grep { $set{$_} } keys %now;
is scalar(@used), scalar(keys %now),
    'every backend in use now was set up (' . scalar(keys %now) . ')';

finish();
