#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# Writes a manual page from a roff template and the program's own output, so
# the page cannot drift from --help: the options come from `PROGRAM --help`
# (Qt's QCommandLineParser layout), the server's settings from its hidden
# `--dump-settings` table (name, value name, default, help; tab-separated),
# the same table --help, the INI file and the environment are read from.
# Perl because perl-base is Essential on Debian: no build dependency.
#
# gen-manpage.pl --program BIN --name NAME --section N --version V --date D
#                --template FILE.in --output FILE
# Template lines that are exactly one of these are replaced:
#   @SYNOPSIS@   the usage line of --help
#   @DESCRIPTION@ the description paragraph of --help
#   @OPTIONS@    every option of --help but the settings
#   @SETTINGS@   every setting of --dump-settings
#   @VERBATIM ARGS...@  the output of `BIN ARGS...`, as a no-fill block
# and @NAME@, @SECTION@, @VERSION@, @DATE@ anywhere.
use strict;
use warnings;
use Getopt::Long;

my %o;
GetOptions(\%o, 'program=s', 'name=s', 'section=s', 'version=s', 'date=s', 'template=s',
           'output=s') or die "gen-manpage: bad arguments\n";
for (qw(program name section version date template output)) {
    die "gen-manpage: --$_ is required\n" unless defined $o{$_};
}
# GUI programs print --help without a display.
$ENV{QT_QPA_PLATFORM} = 'offscreen';

sub run {
    my @cmd = @_;
    open(my $fh, '-|', @cmd) or die "gen-manpage: cannot run @cmd: $!\n";
    local $/;
    my $out = <$fh> // '';
    close($fh) or die "gen-manpage: '@cmd' failed (status $?)\n";
    return $out;
}

# Roff text: backslashes and leading control characters made literal.
sub esc {
    my ($t) = @_;
    $t =~ s/\\/\\e/g;
    $t =~ s/^([.'])/\\&$1/mg;
    return $t;
}
# An option or key name: hyphens are minus signs, so they can be searched
# and copied from the rendered page.
sub opt {
    my ($t) = @_;
    $t = esc($t);
    $t =~ s/-/\\-/g;
    return $t;
}

my $help = run($o{program}, '--help');
my @lines = split /\n/, $help;
my ($usage) = $help =~ /^Usage: \S+ ?(.*)$/m;
die "gen-manpage: no usage line in --help of $o{program}\n" unless defined $usage;

my @description;
my $i = 1;
while ($i < @lines && $lines[$i] ne '') { push @description, $lines[$i]; $i++; }

my %settings;
my @settings;
my $settings_used = 0;
{
    open(my $t, '<', $o{template}) or die "gen-manpage: $o{template}: $!\n";
    local $/;
    $settings_used = (<$t> =~ /^\@SETTINGS\@$/m);
}
if ($settings_used) {
    for my $line (split /\n/, run($o{program}, '--dump-settings')) {
        my ($name, $value, $default, $text) = split /\t/, $line, 4;
        die "gen-manpage: bad --dump-settings line '$line'\n" unless defined $text;
        push @settings, [$name, $value, $default, $text];
        $settings{$name} = 1;
    }
    die "gen-manpage: --dump-settings printed nothing\n" unless @settings;
}

# Options: "  -h, --help   Text" with continuation lines indented to the
# text column; an "Arguments:" block has the same layout.
my @options;
my $section = '';
for my $line (@lines) {
    if ($line =~ /^(\w[\w ]*):$/) { $section = $1; next; }
    next unless $section eq 'Options' || $section eq 'Arguments';
    if ($line =~ /^  (\S.*?)(?:\s{2,}(\S.*))?$/) {
        push @options, { spec => $1, text => $2 // '', arg => $section eq 'Arguments' };
    } elsif ($line =~ /^\s+(\S.*)$/ && @options) {
        $options[-1]{text} .= ($options[-1]{text} eq '' ? '' : ' ') . $1;
    }
}

sub spec_roff {
    my ($spec) = @_;
    my @parts;
    for my $p (split /, /, $spec) {
        if ($p =~ /^(-\S+)(?: <(.*)>)?$/) {
            push @parts, '\fB' . opt($1) . '\fR' . (defined $2 ? ' \fI' . esc($2) . '\fR' : '');
        } else {
            push @parts, '\fI' . esc($p) . '\fR';
        }
    }
    return join(', ', @parts);
}

sub render_options {
    my $out = '';
    for my $opt (@options) {
        next if $opt->{arg};
        my ($long) = $opt->{spec} =~ /--([\w-]+)/;
        next if defined $long && $settings{$long};
        $out .= ".TP\n" . spec_roff($opt->{spec}) . "\n" . esc($opt->{text}) . "\n";
    }
    return $out;
}

sub render_settings {
    my $out = '';
    for my $s (@settings) {
        my ($name, $value, $default, $text) = @$s;
        (my $ini = $name) =~ s/-/_/g;
        my $env = 'WHISPERCHAT_' . uc($ini);
        my $shown = $default eq '' ? 'empty' : "\\fB" . esc($default) . "\\fR";
        $out .= ".TP\n\\fB\\-\\-" . opt($name) . "\\fR \\fI" . esc($value) . "\\fR\n"
              . esc($text) . ($text =~ /[.!?]$/ ? "" : ".") . "\n.br\nDefault: $shown; INI key \\fB\\%" . opt($ini)
              . "\\fR, environment \\fB\\%" . opt($env) . "\\fR.\n";
    }
    return $out;
}

open(my $in, '<', $o{template}) or die "gen-manpage: $o{template}: $!\n";
my $page = '';
while (my $line = <$in>) {
    chomp $line;
    if ($line eq '@SYNOPSIS@') {
        $page .= '.B ' . $o{name} . "\n" . esc($usage) . "\n";
    } elsif ($line eq '@DESCRIPTION@') {
        $page .= esc(join("\n", @description)) . "\n";
    } elsif ($line eq '@OPTIONS@') {
        $page .= render_options();
    } elsif ($line eq '@SETTINGS@') {
        $page .= render_settings();
    } elsif ($line =~ /^\@VERBATIM (.*)\@$/) {
        my $text = run($o{program}, split(/ /, $1));
        $text =~ s/^\S*\Q$o{name}\E/$o{name}/mg;
        $page .= ".PP\n.nf\n.RS 4\n" . esc($text) . ".RE\n.fi\n";
    } else {
        $line =~ s/\@NAME\@/$o{name}/g;
        $line =~ s/\@SECTION\@/$o{section}/g;
        $line =~ s/\@VERSION\@/$o{version}/g;
        $line =~ s/\@DATE\@/$o{date}/g;
        $page .= "$line\n";
    }
}
close($in);

open(my $out, '>', "$o{output}.tmp") or die "gen-manpage: $o{output}: $!\n";
print $out $page;
close($out) or die "gen-manpage: $o{output}: $!\n";
rename("$o{output}.tmp", $o{output}) or die "gen-manpage: $o{output}: $!\n";
