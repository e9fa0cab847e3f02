# schedctl under valgrind: each command, and its error paths, with no memory error
# and no leak of any kind (definite, indirect, possible or still reachable), but for
# what t/conf/valgrind-schedctl.supp names in libraries. valgrind runs the normal
# build, tools/schedctl (make test builds it also with SANITIZE=1): it cannot run a
# program built with AddressSanitizer.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Spec;
use File::Temp ();
use POSIX ();
use SchedTest;

needs_local("runs schedctl under valgrind on make test's database");
use Test::More;

my $valgrind = (grep { -x } map { "$_/valgrind" } File::Spec->path)[0];
plan skip_all => 'valgrind is not installed (make test installs it: apt-get install'
    . ' valgrind)' unless $valgrind;

my $root = $ENV{SCHED_ROOT};
my $schedctl = "$root/tools/schedctl";
my $suppressions = "$root/t/conf/valgrind-schedctl.supp";    # libraries' own, named
my $dsn = $ENV{SCHED_DSN};
my $logs = File::Temp->newdir;
my $VALGRIND_FAILED = 99;    # valgrind's exit code when it found an error or a leak
my $runs = 0;

# Runs schedctl ARGS under valgrind, INPUT (may be undef: /dev/null) on its standard
# input. Returns (exit code, schedctl's output, valgrind's report: empty when clean).
sub vg {
    my ($input, @args) = @_;
    my $log = "$logs/valgrind." . ++$runs . '.log';
    my $in = File::Temp->new;
    print {$in} $input // '';
    close $in;
    my $pid = open(my $out, '-|') // die "cannot fork: $!\n";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT or POSIX::_exit(127);
        open STDIN, '<', $in->filename or POSIX::_exit(127);
        exec $valgrind, '-q', "--suppressions=$suppressions", '--leak-check=full',
            '--show-leak-kinds=all', '--errors-for-leak-kinds=all',
            "--error-exitcode=$VALGRIND_FAILED", "--log-file=$log", $schedctl, @args
            or do { print "cannot run $valgrind: $!\n"; POSIX::_exit(127) };
    }
    my $text = do { local $/; <$out> } // '';
    close $out;
    my $code = $? >> 8;
    my $report = -s $log ? do { local (@ARGV, $/) = ($log); <> } : '';
    return ($code, $text, $report);
}

# One command: its exit code is EXPECT, its output matches LIKE, valgrind reports
# nothing.
sub clean_run {
    my ($name, $expect, $like, $input, @args) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my ($code, $out, $report) = vg($input, @args);
    isnt $code, $VALGRIND_FAILED, "$name: valgrind finds no error or leak"
        or diag $report;
    is $report, '', "$name: valgrind's report is empty" or diag $report;
    is $code, $expect, "$name: exit $expect" or diag $out;
    like $out, $like, "$name: output" or diag $out;
}

my $bad_port = free_port();     # nothing listens there
my $bad_dsn = "host=127.0.0.1 port=$bad_port dbname=sched user=sched connect_timeout=2";

subtest 'without a database' => sub {
    clean_run('statement NAME', 0, qr/^SELECT /, undef, 'statement', 'sched_users_get');
    clean_run('statement of no statement', 1, qr/no statement named "nope"/, undef,
              'statement', 'nope');
    clean_run('--help', 0, qr/^usage: /, undef, '--help');
    clean_run('an unknown command', 2, qr/unknown command "frobnicate"/, undef,
              'frobnicate');
    clean_run('an unknown option', 2, qr/usage: /, undef, '--no-such-option', 'check');
    clean_run('a migrations folder that is not there', 1,
              qr/cannot read the migrations directory/, undef,
              '--dsn', $dsn, '--sql-dir', "$logs/none", 'migrate');
};

subtest 'a DSN that does not work' => sub {
    clean_run('check, no server', 1, qr/cannot connect to the database/, undef,
              '--dsn', $bad_dsn, 'check');
    clean_run('migrate, no server', 1, qr/cannot connect to the database/, undef,
              '--dsn', $bad_dsn, 'migrate');
    clean_run('check, a DSN libpq cannot parse', 1, qr/cannot connect to the database/,
              undef, '--dsn', 'no_such_option=1', 'check');
    clean_run('createsuperuser, no server', 1, qr/cannot connect to the database/,
              "password-123\n", '--dsn', $bad_dsn, 'createsuperuser', '--username',
              uniq('vg'), '--password-stdin');
};

subtest 'migrate and check on the test database' => sub {
    clean_run('migrate', 0, qr/schema is current/, undef, '--dsn', $dsn, 'migrate');
    clean_run('check', 0, qr/^ok: schema version \d+$/m, undef, '--dsn', $dsn, 'check');
};

# A scratch database: every migration applied, then a schema that no longer fits.
my $scratch = 'sched_vg_' . $$;
psql("create database $scratch");
(my $scratch_dsn = $dsn) =~ s/dbname=\S+/dbname=$scratch/;
END { eval { psql("drop database if exists $scratch") } if $scratch }

subtest 'migrate and check on a fresh database' => sub {
    clean_run('check before migrate', 1, qr/pending:\s+001_/, undef,
              '--dsn', $scratch_dsn, 'check');
    clean_run('migrate applies every file', 0, qr/^applied 001_/m, undef,
              '--dsn', $scratch_dsn, 'migrate');
    clean_run('check after migrate', 0, qr/^ok: /m, undef, '--dsn', $scratch_dsn,
              'check');
    my $dir = File::Temp->newdir;
    system('cp', glob("$root/sql/*.sql"), "$dir") == 0 or die 'cp failed';
    open my $fh, '>', "$dir/999_broken.sql" or die $!;
    print $fh "SELECT no_such_function();\n";
    close $fh;
    clean_run('a failing migration', 1, qr/42883/, undef, '--dsn', $scratch_dsn,
              '--sql-dir', "$dir", 'migrate');
    open $fh, '>', "$dir/004_twice.sql" or die $!;
    close $fh;
    clean_run('two migrations of one version', 1, qr/two migrations with version 004/,
              undef, '--dsn', $scratch_dsn, '--sql-dir', "$dir", 'migrate');
    psql_scratch('alter table users rename column email to mail');
    clean_run('check, a statement that does not fit', 1,
              qr/statement sched_users_\w+ does not fit the schema/, undef,
              '--dsn', $scratch_dsn, 'check');
};

sub psql_scratch {
    my ($sql) = @_;
    my ($code, $out) = run_capture("$ENV{SCHED_PGBIN}/psql", '-X', '-q', '-v',
                                   'ON_ERROR_STOP=1', '-d', $scratch_dsn, '-c', $sql);
    die "psql failed: $out" if $code != 0;
}

subtest 'createsuperuser' => sub {
    my $name = uniq('vg');
    my @create = ('--dsn', $dsn, 'createsuperuser', '--username', $name);
    clean_run('create', 0, qr/^superuser \Q$name\E created$/m, "password-123\n",
              @create, '--email', 'vg@example.org', '--password-stdin');
    clean_run('the same name again', 1, qr/exists already/, "password-123\n",
              @create, '--password-stdin');
    clean_run('--update', 0, qr/^superuser \Q$name\E updated$/m, "password-456\n",
              @create, '--password-stdin', '--update');
    clean_run('a short password', 1, qr/shorter than 8 bytes/, "short\n",
              '--dsn', $dsn, 'createsuperuser', '--username', uniq('vg'),
              '--password-stdin');
    clean_run('no password on standard input', 1, qr/no password on standard input/,
              '', '--dsn', $dsn, 'createsuperuser', '--username', uniq('vg'),
              '--password-stdin');
    clean_run('a bad username', 1, qr/the username may only contain/, "password-123\n",
              '--dsn', $dsn, 'createsuperuser', '--username', 'no spaces',
              '--password-stdin');
    clean_run('--password-stdin without --username', 2, qr/needs --username/,
              "password-123\n", '--dsn', $dsn, 'createsuperuser', '--password-stdin');
    clean_run('not a terminal, no --password-stdin', 2, qr/not a terminal/, undef,
              '--dsn', $dsn, 'createsuperuser', '--username', uniq('vg'));
    clean_run('on a database with no schema', 1, qr/run `schedctl migrate` first/,
              "password-123\n", '--dsn', $scratch_dsn =~ s/dbname=\S+/dbname=postgres/r,
              'createsuperuser', '--username', uniq('vg'), '--password-stdin');
};

finish();
