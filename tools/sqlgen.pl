#!/usr/bin/perl
# Generates the statement table of the module from sql/statements/*.sql:
#
#   tools/sqlgen.pl DIR OUT.h OUT.c
#
# Each file holds one statement, as a DBA can PREPARE and EXPLAIN it, after a header
# of comment lines that says what it takes and answers:
#
#   -- sched_slots_get: one slot, with whether it can be booked now.
#   -- flags: retry-safe
#   -- $1  id      int8      the slot
#   -- $2  notice  interval  SchedMinNotice
#   -- columns:
#   --   id          int8         the slot
#   --   start_time  timestamptz  ...
#
# The name is the file's ("sched_slots_get.sql"). Flags: principal (takes the caller
# as $1 and $2, see sql/statements/README.md), retry-safe (changes nothing: run again on
# a fresh connection when the connection is lost), conditional (a write by id that
# honours If-Match: it takes the ETags that If-Match names as its last parameter,
# if_match text[], which the module fills in, and answers visible, allowed, unmet,
# etag first), unprepared (a session or
# transaction statement, run as it is with PQexecParams: SET, ROLLBACK). Every $N the
# text uses must be named, in order; every column must be named with its type. What
# follows the header is the SQL text the module prepares.
#
# OUT.h gets the enum of statements (SCHED_STMT_SLOTS_GET, ...) and, per statement, the
# enum of its columns (SCHED_SLOTS_GET__START_TIME, ...): C code reads a column by its
# name, and a column that the header does not name does not compile. OUT.c gets the
# table: name, text, flags, parameter count, and the columns with their type OIDs,
# which the module and schedctl check against what PostgreSQL describes when they
# prepare the statement. Perl core only.
use strict;
use warnings;

die "usage: $0 DIR OUT.h OUT.c\n" unless @ARGV == 3;
my ($dir, $out_h, $out_c) = @ARGV;

# The types a header may name, with their OIDs (pg_type).
my %OID = (
    bool => 16, bytea => 17, int8 => 20, int2 => 21, int4 => 23, text => 25,
    json => 114, float8 => 701, date => 1082, time => 1083, timestamptz => 1184,
    interval => 1186, numeric => 1700, jsonb => 3802, tstzrange => 3910,
    'int8[]' => 1016, 'text[]' => 1009, 'int4[]' => 1007, 'bool[]' => 1000,
    'float8[]' => 1022, 'timestamptz[]' => 1185,
);
my %FLAG = (
    'principal' => 'SCHED_STMT_PRINCIPAL',
    'retry-safe' => 'SCHED_STMT_RETRY_SAFE',
    'unprepared' => 'SCHED_STMT_UNPREPARED',
    'conditional' => 'SCHED_STMT_CONDITIONAL',
);

sub fail { die "$0: $_[0]\n" }

sub parse {
    my ($path) = @_;
    (my $name = $path) =~ s{.*/}{};
    $name =~ s/\.sql\z// or fail "$path: not a .sql file";
    $name =~ /\Asched_[a-z0-9_]+\z/ or fail "$path: the name must be sched_[a-z0-9_]+";
    open my $in, '<', $path or fail "$path: $!";
    my @lines = <$in>;
    close $in;
    my %st = (name => $name, flags => [], params => [], cols => [], path => $path);
    my $in_cols = 0;
    my $summary = shift @lines // '';
    $summary =~ /\A-- \Q$name\E: \S/ or fail "$path:1: must start \"-- $name: what it does\"";
    while (@lines && $lines[0] =~ /\A--/) {
        my $line = shift @lines;
        chomp $line;
        if ($line =~ /\A-- flags:\s*(.*)\z/) {
            for my $f (split /[\s,]+/, $1) {
                $FLAG{$f} or fail "$path: unknown flag \"$f\"";
                push @{ $st{flags} }, $FLAG{$f};
            }
            $in_cols = 0;
        }
        elsif ($line =~ /\A-- \$(\d+)\s+([a-z_][a-z0-9_]*)\s+(\S+)(?:\s|\z)/) {
            my ($n, $pname, $type) = ($1, $2, $3);
            $n == @{ $st{params} } + 1 or fail "$path: \$$n is out of order";
            $OID{$type} or fail "$path: \$$n: unknown type \"$type\"";
            push @{ $st{params} }, $pname;
            $in_cols = 0;
        }
        elsif ($line =~ /\A-- columns:\s*\z/) {
            $in_cols = 1;
        }
        elsif ($in_cols && $line =~ /\A--\s+([a-z_][a-z0-9_]*)\s+(\S+)(?:\s|\z)/) {
            my ($cname, $type) = ($1, $2);
            $OID{$type} or fail "$path: column $cname: unknown type \"$type\"";
            grep { $_->[0] eq $cname } @{ $st{cols} } and fail "$path: column $cname twice";
            push @{ $st{cols} }, [ $cname, $type ];
        }
        elsif ($in_cols && $line =~ /\A--\s*\z/) {
            $in_cols = 0;
        }
    }
    my $sql = join '', @lines;
    $sql =~ s/\A\s+//;
    $sql =~ s/;\s*\z//;
    $sql =~ s/\s+\z//;
    length $sql or fail "$path: no SQL after the header";
    $sql =~ /;\s*\S/ and fail "$path: one statement per file";
    my %used = map { $_ => 1 } $sql =~ /\$(\d+)/g;
    my $max = 0;
    for (keys %used) { $max = $_ if $_ > $max }
    $max == @{ $st{params} } or fail "$path: the text uses \$$max, the header names "
                                    . scalar(@{ $st{params} }) . " parameters";
    $used{$_} or fail "$path: \$$_ is named but not used" for 1 .. $max;
    $st{sql} = $sql;
    conventions(\%st);
    return \%st;
}

# Where the module's shared helpers read (include/sched_db.h): a write by id answers
# visible, allowed first (a delete then deleted); a create answers allowed first.
sub conventions {
    my ($st) = @_;
    my @names = map { $_->[0] } @{ $st->{cols} };
    my %at;
    @at{@names} = 0 .. $#names;
    my $want = sub {
        my ($name, $pos, $type) = @_;
        defined $at{$name} or return;
        $at{$name} == $pos or fail "$st->{path}: column $name must be number " . ($pos + 1);
        $st->{cols}[$pos][1] eq $type or fail "$st->{path}: column $name must be $type";
    };
    my %flag = map { $_ => 1 } @{ $st->{flags} };
    if ($flag{SCHED_STMT_CONDITIONAL}) {
        ($st->{params}[-1] // '') eq 'if_match'
            or fail "$st->{path}: a conditional statement takes if_match last";
        defined $at{$_} or fail "$st->{path}: a conditional statement answers $_"
            for qw(visible unmet etag);
    }
    if (defined $at{visible}) {
        $want->('visible', 0, 'bool');
        defined $at{allowed} or fail "$st->{path}: visible goes with allowed";
        $want->('allowed', 1, 'bool');
        $want->('unmet', 2, 'bool');
        $want->('etag', 3, 'text');
        $want->('deleted', $flag{SCHED_STMT_CONDITIONAL} ? 4 : 2, 'bool');
    }
    elsif (defined $at{allowed}) {
        $want->('allowed', 0, 'bool');
    }
    my %principal = map { $_ => 1 } @{ $st->{flags} };
    if ($principal{SCHED_STMT_PRINCIPAL}) {
        ($st->{params}[0] // '') eq 'username' && ($st->{params}[1] // '') eq 'open_access'
            or fail "$st->{path}: a principal statement takes \$1 username, \$2 open_access";
        # A write names its caller as the actor of the events it makes (sql/007):
        # it joins sched_acting; a read joins sched_principal, which sets nothing.
        my $writes = $st->{name} =~ /_(?:create|update|delete|confirm|cancel|move|retry)\z/;
        my $joins = $writes ? 'sched_acting' : 'sched_principal';
        my $not = $writes ? 'sched_principal' : 'sched_acting';
        $st->{sql} =~ /\b$joins\(/ && $st->{sql} !~ /\b$not\(/
            or fail "$st->{path}: a principal statement that "
                  . ($writes ? 'writes' : 'reads') . " joins $joins, not $not";
    }
}

sub c_string {
    my ($s) = @_;
    my @out;
    for my $line (split /\n/, $s) {
        $line =~ s/\s+\z//;
        (my $e = $line) =~ s/(["\\])/\\$1/g;
        $e =~ s/\?/\\?/g;
        $e =~ s/\t/    /g;
        push @out, "\"$e\\n\"";
    }
    $out[-1] =~ s/\\n"\z/"/;
    return join "\n        ", @out;
}

opendir my $dh, $dir or fail "$dir: $!";
my @files = sort grep { /\.sql\z/ } readdir $dh;
closedir $dh;
@files or fail "$dir: no statements";
my @stmts = map { parse("$dir/$_") } @files;

my $h = "/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */\n"
      . "/* Generated by tools/sqlgen.pl from the files of $dir/: do not edit. */\n"
      . "#ifndef SCHED_STMTS_H\n#define SCHED_STMTS_H\n\n"
      . "typedef enum sched_stmt_e {\n";
$h .= "    SCHED_STMT_" . uc(substr $_->{name}, 6) . ",\n" for @stmts;
$h .= "    SCHED_STMT_COUNT\n} sched_stmt_e;\n";
for my $st (@stmts) {
    next unless @{ $st->{cols} };
    my $prefix = 'SCHED_' . uc(substr $st->{name}, 6) . '__';
    $h .= "\n/* Columns of $st->{name}. */\nenum {\n";
    $h .= join ",\n", map { "    $prefix" . uc($_->[0]) } @{ $st->{cols} };
    $h .= "\n};\n";
}
$h .= "\n#endif\n";

my $c = "/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */\n"
      . "/* Generated by tools/sqlgen.pl from the files of $dir/: do not edit. */\n"
      . "#include \"sched_sql.h\"\n\n";
for my $st (@stmts) {
    next unless @{ $st->{cols} };
    $c .= "static const sched_col_t sched_cols_" . $st->{name} . "[] = {\n";
    $c .= join ",\n", map { "    { \"$_->[0]\", $OID{$_->[1]}, \"$_->[1]\" }" } @{ $st->{cols} };
    $c .= "\n};\n";
}
$c .= "\nconst sched_stmt_t sched_stmts[SCHED_STMT_COUNT] = {\n";
for my $st (@stmts) {
    my $flags = @{ $st->{flags} } ? join(' | ', @{ $st->{flags} }) : '0';
    my $cols = @{ $st->{cols} } ? "sched_cols_$st->{name}" : 'NULL';
    $c .= "    { \"$st->{name}\",\n        " . c_string($st->{sql}) . ",\n"
        . "        $flags, " . scalar(@{ $st->{params} }) . ", "
        . scalar(@{ $st->{cols} }) . ", $cols },\n";
}
$c .= "};\n";

for ([$out_h, $h], [$out_c, $c]) {
    my ($path, $text) = @$_;
    open my $out, '>', "$path.tmp" or fail "$path.tmp: $!";
    print {$out} $text;
    close $out or fail "$path.tmp: $!";
    rename "$path.tmp", $path or fail "$path: $!";
}
