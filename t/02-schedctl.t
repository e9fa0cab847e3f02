# schedctl: migrate is idempotent and ordered, check reports pending migrations and
# statements of the module that no longer fit the schema.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp ();
use SchedTest;

needs_local("runs schedctl on make test's database");
use Test::More;

my $root = $ENV{SCHED_ROOT};
my $schedctl = $ENV{SCHED_SCHEDCTL} // "$root/tools/schedctl";
my $dsn = $ENV{SCHED_DSN};

subtest 'check on the test database' => sub {
    my ($code, $out) = run_capture($schedctl, '--dsn', $dsn, 'check');
    is $code, 0, 'exit 0' or diag $out;
    like $out, qr/^ok: schema version \d+$/m, 'says the schema is current';
    like $out, qr/^statements: all \d+ of the module prepare and answer what it reads$/m,
        'every statement prepares and answers the columns its header names';
};

subtest 'migrate twice changes nothing' => sub {
    my $before = psql('select count(*) from sched_migrations');
    my ($code, $out) = run_capture($schedctl, '--dsn', $dsn, 'migrate');
    is $code, 0, 'exit 0' or diag $out;
    like $out, qr/schema is current/, 'nothing to apply';
    is psql('select count(*) from sched_migrations'), $before, 'no new record';
};

# A scratch database of its own, so that a pending migration and a broken schema can
# be tried without touching the one the server uses.
my $scratch = 'sched_ctl_' . $$;
psql("create database $scratch");
(my $scratch_dsn = $dsn) =~ s/dbname=\S+/dbname=$scratch/;
END { eval { psql("drop database if exists $scratch") } if $scratch }

subtest 'a fresh database: check fails, migrate applies every file in order' => sub {
    my ($code, $out) = run_capture($schedctl, '--dsn', $scratch_dsn, 'check');
    isnt $code, 0, 'check fails before migrate';
    like $out, qr/pending:\s+001_/, 'and lists 001 as pending';
    ($code, $out) = run_capture($schedctl, '--dsn', $scratch_dsn, 'migrate');
    is $code, 0, 'migrate succeeds' or diag $out;
    my @files = map { s{.*/}{}r } sort glob("$root/sql/[0-9][0-9][0-9]_*.sql");
    my @applied = $out =~ /^applied (\S+)/mg;
    is_deeply \@applied, \@files, 'every file applied, in order';
    ($code, $out) = run_capture($schedctl, '--dsn', $scratch_dsn, 'check');
    is $code, 0, 'check passes after migrate' or diag $out;
};

subtest 'a migration not applied yet is reported, then applied once' => sub {
    my $dir = File::Temp->newdir;
    system('cp', glob("$root/sql/*.sql"), "$dir") == 0 or die 'cp failed';
    open my $fh, '>', "$dir/999_extra.sql" or die $!;
    print $fh "CREATE TABLE ctl_extra (id int);\n";
    close $fh;
    my ($code, $out) = run_capture($schedctl, '--dsn', $scratch_dsn, '--sql-dir', "$dir",
                                   'check');
    isnt $code, 0, 'check fails';
    like $out, qr/pending:\s+999_extra\.sql/, 'names the pending file';
    ($code, $out) = run_capture($schedctl, '--dsn', $scratch_dsn, '--sql-dir', "$dir",
                                'migrate');
    is $code, 0, 'migrate applies it' or diag $out;
    like $out, qr/^applied 999_extra\.sql$/m, 'only the new file';
    unlike $out, qr/^applied 001_/m, 'not the old ones again';
};

subtest 'a failing migration is rolled back and not recorded' => sub {
    my $dir = File::Temp->newdir;
    system('cp', glob("$root/sql/*.sql"), "$dir") == 0 or die 'cp failed';
    open my $fh, '>', "$dir/998_broken.sql" or die $!;
    print $fh "CREATE TABLE ctl_half (id int);\nSELECT no_such_function();\n";
    close $fh;
    my ($code, $out) = run_capture($schedctl, '--dsn', $scratch_dsn, '--sql-dir', "$dir",
                                   'migrate');
    isnt $code, 0, 'migrate fails';
    like $out, qr/998_broken\.sql/, 'names the file';
    like $out, qr/42883/, 'with the SQLSTATE';
    my $half = `$ENV{SCHED_PGBIN}/psql -X -A -t -d '$scratch_dsn' -c "select to_regclass('ctl_half') is null"`;
    like $half, qr/^t/, 'its first statement was rolled back';
};

subtest 'a statement that no longer fits the schema fails check' => sub {
    my $psql = "$ENV{SCHED_PGBIN}/psql";
    system($psql, '-X', '-q', '-d', $scratch_dsn, '-c',
           'delete from sched_migrations where version = 999;'
           . ' alter table users rename column email to mail') == 0 or die 'alter failed';
    my ($code, $out) = run_capture($schedctl, '--dsn', $scratch_dsn, 'check');
    isnt $code, 0, 'check fails';
    like $out, qr/statement sched_users_\w+ does not fit the schema/, 'names the statement';
};

finish();
