# Checks on the source itself: every per-directory config field is set in create and
# merged in merge; the module makes no APR allocator; every log message id is used at
# one call site only.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use SchedTest qw(slurp needs_local);

needs_local('checks the source, not a server');

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

    # The registry in sched_private.h: each id in its file's block, below "next".
    my $header = slurp("$root/include/sched_private.h");
    my @blocks;
    while ($header =~ /^ \*\s+(\d{3})\s+((?:\S+\.c\s+)+)(\d{5})\s*$/mg) {
        push @blocks, { block => $1, files => [ split ' ', $2 ], next => $3 };
    }
    cmp_ok(scalar @blocks, '>=', 5, 'the registry lists the blocks');
    for my $id (sort keys %seen) {
        my $file = $seen{$id}[0];
        my ($b) = grep { my $blk = $_; grep { my $glob = $_ =~ s/\*/.*/r; $file =~ /^$glob$/ }
                                          @{ $blk->{files} } } @blocks;
        ok($b, "SCHED$id ($file): its file has a block") or next;
        is(substr($id, 0, 3), $b->{block}, "SCHED$id: in block $b->{block}");
        cmp_ok($id, '<', $b->{next}, "SCHED$id: below the next free id, $b->{next}");
    }
};

subtest 'no SQL in C strings: statements live in sql/statements/' => sub {
    my @files = (glob("$root/src/*.c"), glob("$root/tools/*.c"), "$root/mod_sched.c");
    my @bad;
    for my $file (@files) {
        next if $file =~ m{/sched_(?:stmts|openapi_doc)\.c$};    # generated
        my $src = slurp($file);
        $src =~ s{/\*.*?\*/}{}gs;                                  # comments
        # The one word SQL shares with iCalendar: a component's BEGIN line, as the
        # property name given to the calendar writer (sched_ical.h), is no transaction.
        $src =~ s/\bsched_ical_line\((\s*[^,()]+,\s*)"BEGIN"/sched_ical_line($1""/g;
        while ($src =~ /"((?:[^"\\\n]|\\.)*)"/g) {
            my $text = $1;
            push @bad, "$file: \"$text\""
                if $text =~ /^\s*(?:SELECT\s|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM
                                  |CREATE\s|ALTER\s|DROP\s|ROLLBACK\b|COMMIT\b|BEGIN\b
                                  |DEALLOCATE\b|PREPARE\s|SET\s+\w+\s*(?:=|TO)\b
                                  |WITH\s+\w+\s+AS\b)/xi;
        }
    }
    is_deeply(\@bad, [], 'no C string holds SQL') or diag explain \@bad;
};

subtest 'every C file says its licence' => sub {
    my @files = grep { !m{/(?:sched_stmts\.[ch]|sched_openapi_doc\.c)$} }
        (glob("$root/src/*.c"), glob("$root/include/*.h"), glob("$root/tools/*.[ch]"),
         glob("$root/t/unit/*.[ch]"), glob("$root/fuzz/*.[ch]"), "$root/mod_sched.c");
    my @without = grep { slurp($_) !~ m{\A/\* SPDX-License-Identifier: Apache-2\.0 } } @files;
    cmp_ok(scalar @files, '>', 50, 'the C files');
    is_deeply(\@without, [], 'each starts with its SPDX line');
};

subtest 'the database constraints agree with the limits of sched_limits.h' => sub {
    my $limits = slurp("$root/include/sched_limits.h");
    my %max = $limits =~ /^#define (SCHED_\w+_MAX)\s+(\d+)\s*$/mg;
    my $sql = slurp("$root/sql/001_users_clients_providers.sql");
    like($sql, qr/users_username_check CHECK \(username ~ '\^\[A-Za-z0-9\@\.\+_-\]\{1,$max{SCHED_USERNAME_MAX}\}\$'\)/,
         "usernames: 1 to $max{SCHED_USERNAME_MAX} of the same characters");
    like($sql, qr/length\(email\) <= $max{SCHED_EMAIL_MAX}\b/,
         "emails: at most $max{SCHED_EMAIL_MAX}");
    like(slurp("$root/sql/002_slots_reservations.sql"),
         qr/idempotency_keys_key_check CHECK \(length\(key\) BETWEEN 1 AND $max{SCHED_IDEMPOTENCY_KEY_MAX}\)/,
         "Idempotency-Key: 1 to $max{SCHED_IDEMPOTENCY_KEY_MAX}");
    like(slurp("$root/sql/011_calendar_feeds.sql"),
         qr/calendar_feeds_name_check CHECK \(octet_length\(name\) <= $max{SCHED_FEED_NAME_MAX}\)/,
         "calendar feed names: at most $max{SCHED_FEED_NAME_MAX} bytes");
};

done_testing;
