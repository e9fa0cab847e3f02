# The contract between the C code and the SQL, by name: a statement whose columns do
# not match what its header names (and so what the C code reads) fails `schedctl
# check` and stops httpd at start-up, with a message that names it; tools/sqlgen.pl
# refuses a header that is not complete.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Path qw(make_path);
use File::Temp ();
use SchedTest;

needs_local('starts httpd servers of its own');

my $root = $ENV{SCHED_ROOT};

sub write_file {
    my ($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print {$fh} $text;
    close $fh;
}

subtest 'tools/sqlgen.pl refuses incomplete headers' => sub {
    my %bad = (
        'no summary' => ["SELECT 1 AS x\n", qr/must start/],
        'a parameter not named' => ["-- sched_t: t.\n-- columns:\n--   x  int4\n"
            . "SELECT \$1::int4 AS x\n", qr/uses \$1, the header names 0/],
        'a parameter named but not used' => ["-- sched_t: t.\n-- \$1  a  int4  a\n"
            . "-- \$2  b  int4  b\n-- columns:\n--   x  int4\nSELECT \$2::int4 AS x\n",
            qr/\$1 is named but not used/],
        'an unknown type' => ["-- sched_t: t.\n-- columns:\n--   x  integer\nSELECT 1 AS x\n",
            qr/unknown type "integer"/],
        'two statements' => ["-- sched_t: t.\n-- columns:\n--   x  int4\nSELECT 1 AS x;\n"
            . "SELECT 2 AS x\n", qr/one statement per file/],
        'allowed not first' => ["-- sched_t: t.\n-- columns:\n--   id  int8\n"
            . "--   allowed  bool\nSELECT 1::int8 AS id, true AS allowed\n",
            qr/column allowed must be number 1/],
        'a principal without its parameters' => ["-- sched_t: t.\n-- flags: principal\n"
            . "-- \$1  a  text  a\n-- columns:\n--   x  int4\nSELECT length(\$1::text) AS x\n",
            qr/takes \$1 username, \$2 open_access/],
    );
    for my $case (sort keys %bad) {
        my $dir = File::Temp->newdir;
        write_file("$dir/sched_t.sql", $bad{$case}[0]);
        my ($code, $out) = run_capture('perl', "$root/tools/sqlgen.pl", "$dir",
                                       "$dir/out.h", "$dir/out.c");
        isnt $code, 0, "$case: refused";
        like $out, $bad{$case}[1], "$case: says why";
        like $out, qr/sched_t\.sql/, "$case: names the file";
    }
};

# A copy of the checkout whose sched_slots_get.sql header swaps two column names: it
# compiles (the C code reads the columns by the header's names), but PostgreSQL
# describes the statement otherwise.
my $copy = File::Temp->newdir(DIR => $ENV{SCHED_RUNDIR});
chmod 0755, "$copy";
my ($code, $files) = run_capture('git', '-C', $root, 'ls-files', '-co', '--exclude-standard');
die "git ls-files: $files" if $code != 0;
for my $file (split /\n/, $files) {
    next unless $file =~ m{^(?:Makefile|mod_sched\.c|include/|src/|sql/|tools/)};
    next unless -f "$root/$file";
    (my $dir = "$copy/$file") =~ s{/[^/]+$}{};
    make_path($dir);
    open my $in, '<:raw', "$root/$file" or die "$file: $!";
    my $text = do { local $/; <$in> };
    if ($file eq 'sql/statements/sched_slots_get.sql') {
        $text =~ s/^--   start_time /--   TMP_TIME   /m or die 'no start_time';
        $text =~ s/^--   end_time /--   start_time /m or die 'no end_time';
        $text =~ s/^--   TMP_TIME   /--   end_time   /m;
    }
    write_file("$copy/$file", $text);
    chmod 0755, "$copy/$file" if -x "$root/$file";
}
($code, my $build) = run_capture('make', '-C', "$copy", '-s', '.libs/mod_sched.so',
                                 'tools/schedctl');
is $code, 0, 'the copy builds' or diag $build;

subtest 'schedctl check names the statement' => sub {
    my ($code, $out) = run_capture("$copy/tools/schedctl", '--dsn', $ENV{SCHED_DSN}, 'check');
    isnt $code, 0, 'check fails';
    like $out, qr/statement sched_slots_get does not answer what the module reads: .*column 3 is "start_time", its header says "end_time"/,
        'naming the statement and the column';
    ($code, $out) = run_capture("$root/tools/schedctl", '--dsn', $ENV{SCHED_DSN}, 'check');
    is $code, 0, 'the real one passes' or diag $out;
};

subtest 'httpd does not start with it' => sub {
    my $server = eval {
        start_httpd(replace => { $ENV{SCHED_MODULE} => "$copy/.libs/mod_sched.so" });
    };
    my $error = $@;
    ok !$server, 'httpd did not start' or $server->stop;
    like $error, qr/SCHED00503: statement does not answer what the module reads: sched_slots_get/,
        'the error log names the statement';
};

finish();
