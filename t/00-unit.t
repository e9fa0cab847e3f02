# Runs the C unit tests (t/unit/build/test_*, built by `make unit`) and reports each
# program as one subtest, one line per test it prints. make test SANITIZE=1 names its
# own build of them in SCHED_UNIT_DIR.
use strict;
use warnings;
use FindBin;
use TAP::Parser;
use Test::More;
use lib "$FindBin::Bin/lib";
use SchedTest qw(needs_local);

needs_local("runs the C unit tests of this checkout's build");

my $build = $ENV{SCHED_UNIT_DIR} // "$FindBin::Bin/unit/build";
my @programs = sort grep { -f $_ && -x _ } glob("$build/test_*");

unless (@programs) {
    fail("C unit tests are built");
    diag("no test programs in $build: run `make unit` first");
    done_testing;
    exit;
}

for my $program (@programs) {
    my $name = $program =~ s{.*/}{}r;
    subtest $name => sub {
        my $parser = TAP::Parser->new({ exec => [$program] });
        while (my $result = $parser->next) {
            if ($result->is_test) {
                my $description = $result->description =~ s/^-\s*//r
                    =~ s/\\([\\#])/$1/gr;
                $description = 'test ' . $result->number if $description eq '';
                ok($result->is_ok, $description);
            }
            elsif ($result->is_comment) {
                diag($result->comment =~ s/^#\s?//r);
            }
            elsif ($result->is_unknown && $result->as_string ne '') {
                diag('unexpected output: ' . $result->as_string);
            }
        }
        ok($parser->tests_run > 0, "$name ran tests");
        ok($parser->is_good_plan, "$name followed its plan")
            or diag(join("\n", $parser->parse_errors));
        ok($parser->exit == 0 && $parser->wait == 0, "$name exited with status 0")
            or diag('exit status ' . $parser->exit . ', wait status ' . $parser->wait);
    };
}

done_testing;
