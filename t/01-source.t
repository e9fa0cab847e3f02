# Checks on the source itself: every per-directory config field is set in create and
# merged in merge; the module makes no APR allocator; every log message id is used at
# one call site only.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use SchedTest qw(slurp);

my $root = "$FindBin::Bin/..";

# The body of a C function, from its definition to the closing brace at column 0.
sub function_body {
    my ($src, $name) = @_;
    $src =~ /^[^\n]*\b\Q$name\E\([^)]*\)\n\{\n(.*?)\n\}\n/ms or return '';
    return $1;
}

subtest 'config fields in create and merge' => sub {
    my $header = slurp("$root/include/sched_private.h");
    my ($struct) = $header =~ /typedef struct sched_config_t \{(.*?)\} sched_config_t;/s;
    ok($struct, 'found sched_config_t');
    $struct =~ s{/\*.*?\*/}{}gs;    # a ';' in a comment is no field
    my @fields = $struct =~ /\b(\w+);/g;
    cmp_ok(scalar @fields, '>=', 10, 'config has its fields') or diag "@fields";
    my $src = slurp("$root/src/sched_config.c");
    my $create = function_body($src, 'sched_config_create');
    my $merge = function_body($src, 'sched_config_merge');
    ok($create && $merge, 'found create and merge');
    for my $f (@fields) {
        like($create, qr/c->\Q$f\E\s*=/, "create sets $f");
        like($merge, qr/c->\Q$f\E\s*=\s*SCHED_MERGE\(\Q$f\E\b/, "merge merges $f");
    }
};

# t/conf/lsan-httpd.supp lets httpd's own APR allocators go unreported under
# make test SANITIZE=1; that hides nothing of the module's only while it makes none.
subtest 'the module makes no APR allocator' => sub {
    for my $file (glob("$root/src/*.c"), glob("$root/include/*.h"), "$root/mod_sched.c") {
        my $src = slurp($file);
        unlike($src, qr/\bapr_(?:allocator_create|pool_create_unmanaged|pool_create_core)/,
               ($file =~ s{.*/}{}r) . ': no apr_allocator_create, no unmanaged pool');
    }
};

subtest 'log ids are unique' => sub {
    my %seen;
    my @files = (glob("$root/src/*.c"), "$root/mod_sched.c");
    for my $file (@files) {
        my $src = slurp($file);
        while ($src =~ /SCHED_LOGNO\((\d+)\)/g) {
            push @{ $seen{$1} }, $file =~ s{.*/}{}r;
        }
    }
    cmp_ok(scalar keys %seen, '>', 0, 'log ids found');
    for my $id (sort keys %seen) {
        is(scalar @{ $seen{$id} }, 1, "SCHED$id used once")
            or diag "used in @{ $seen{$id} }";
    }
    my @logs = map { my $s = slurp($_); $s =~ /ap_log_(?:r|)error\(/g } @files;
    is(scalar @logs, scalar(map { @$_ } values %seen), 'every log call has an id');
};

done_testing;
