/**
 * The table of template cases shared by the unit test (template.test.ts, against the expected
 * outputs below) and the Prometheus cross-check (template.integration.test.ts, where Debian's
 * Prometheus renders every case with `prom !== false` as an alert annotation and must produce the
 * same text). Expected outputs were written from the Go and Prometheus documentation and confirmed
 * against Prometheus 2.42.
 *
 * Every case runs as an alert template named `__alert_t` (Prometheus: `__alert_<alertname>`) with
 * the preamble, on the default data below unless it sets its own labels or value. An `err` is Go's
 * execution error message; columns count the 113-byte preamble, as in Prometheus.
 */

/** One template, its data and what it must render (or the execution error it must raise). */
export interface TemplateCase {
  tpl: string;
  want?: string;
  err?: string;
  labels?: Record<string, string>;
  value?: number;
  /** false: not comparable with Prometheus 2.42 (reason in `why`). */
  prom?: false;
  why?: string;
}

/** Labels and value of every case that sets none. */
export const DEFAULT_LABELS: Readonly<Record<string, string>> = { instance: 'localhost:9090', job: 'node' };
export const DEFAULT_VALUE = 1234567;
export const EXTERNAL_LABELS: Readonly<Record<string, string>> = { cluster: 'c1', region: 'eu-west' };
export const EXTERNAL_URL = 'http://example.com/prom';

/** Results the test query function returns, keyed by expression (Prometheus computes the same). */
export const QUERY_RESULTS: Readonly<Record<string, { labels: Record<string, string>; value: number }[]>> = {
  'vector(42)': [{ labels: {}, value: 42 }],
  'vector(42) > 100': [],
  'label_replace(vector(2), "x", "b", "", "") or label_replace(vector(1), "x", "a", "", "")': [
    { labels: { x: 'b' }, value: 2 },
    { labels: { x: 'a' }, value: 1 },
  ],
};

const E = (col: number, at: string, msg: string): string => `template: __alert_t:1:${col}: executing "__alert_t" at <${at}>: ${msg}`;

/** Execution cases. */
export const CASES: TemplateCase[] = [
  // Data, preamble variables, printing of values.
  { tpl: '{{ $value }}', want: '1.234567e+06' },
  { tpl: '{{ .Value }}', want: '1.234567e+06' },
  { tpl: '{{ $value }}', value: 123456, want: '123456' },
  { tpl: '{{ $value }}', value: 0.5, want: '0.5' },
  { tpl: '{{ $value }}', value: 0.00001, want: '1e-05' },
  { tpl: '{{ $value }}', value: 100000000, want: '1e+08' },
  { tpl: '{{ $value }}', value: -2.5, want: '-2.5' },
  { tpl: '{{ $value }}', value: NaN, want: 'NaN' },
  { tpl: '{{ $value }}', value: Infinity, want: '+Inf' },
  { tpl: '{{ $value }}', value: -Infinity, want: '-Inf' },
  { tpl: '{{ $labels.instance }}', want: 'localhost:9090' },
  { tpl: '{{ .Labels.job }}', want: 'node' },
  { tpl: '[{{ $labels.missing }}]', want: '[]' },
  { tpl: '[{{ index $labels "missing" }}]', want: '[]' },
  { tpl: '{{ $labels }}', want: 'map[instance:localhost:9090 job:node]' },
  { tpl: '{{ $externalLabels.cluster }}/{{ .ExternalLabels.region }}', want: 'c1/eu-west' },
  { tpl: '{{ $externalURL }}', want: EXTERNAL_URL },
  { tpl: '{{ externalURL }}|{{ pathPrefix }}', want: EXTERNAL_URL + '|/prom' },
  { tpl: '{{ .Missing }}', err: E(115, '.Missing', "can't evaluate field Missing in type struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }") },
  { tpl: '{{ $labels.job.x }}', err: E(122, '$labels.job.x', "can't evaluate field x in type string") },
  { tpl: 'no actions at all', want: 'no actions at all' },
  { tpl: 'ünïcödé {{ "ok" }}', want: 'ünïcödé ok' },

  // Prometheus number functions.
  { tpl: '{{ humanize $value }}', want: '1.235M' },
  { tpl: '{{ $value | humanize }}', value: 0.001234, want: '1.234m' },
  { tpl: '{{ humanize 0 }}|{{ humanize 999 }}|{{ humanize 1000 }}|{{ humanize -1234 }}', want: '0|999|1k|-1.234k' },
  { tpl: '{{ humanize 1e30 }}|{{ humanize 1.5e-30 }}', want: '1e+06Y|1.5e-06y' },
  { tpl: '{{ humanize $value }}', value: NaN, want: 'NaN' },
  { tpl: '{{ humanize $value }}', value: Infinity, want: '+Inf' },
  { tpl: '{{ humanize "2048" }}|{{ humanize "1e3" }}', want: '2.048k|1k' },
  { tpl: '{{ humanize "abc" }}', err: E(115, 'humanize "abc"', 'error calling humanize: strconv.ParseFloat: parsing "abc": invalid syntax') },
  { tpl: '{{ humanize1024 1048576 }}|{{ humanize1024 1 }}|{{ humanize1024 1500 }}|{{ humanize1024 -2048 }}', want: '1Mi|1|1.465ki|-2ki' },
  { tpl: '{{ humanize1024 0.5 }}', want: '0.5' },
  { tpl: '{{ humanizeDuration 3661 }}', want: '1h 1m 1s' },
  { tpl: '{{ humanizeDuration 899.99 }}|{{ humanizeDuration 90061 }}|{{ humanizeDuration 59.5 }}', want: '14m 59s|1d 1h 1m 1s|59.5s' },
  { tpl: '{{ humanizeDuration 0 }}|{{ humanizeDuration 0.5 }}|{{ humanizeDuration 0.000012 }}|{{ humanizeDuration -3661 }}', want: '0s|500ms|12us|-1h 1m 1s' },
  { tpl: '{{ humanizeDuration $value }}', value: NaN, want: 'NaN' },
  { tpl: '{{ humanizeDuration $value }}', value: -Infinity, want: '-Inf' },
  { tpl: '{{ humanizePercentage 0.1234 }}|{{ humanizePercentage 0.1234567 }}|{{ humanizePercentage 1 }}|{{ humanizePercentage 0 }}', want: '12.34%|12.35%|100%|0%' },
  { tpl: '{{ humanizePercentage $value }}', value: Infinity, want: '+Inf%' },
  { tpl: '{{ humanizeTimestamp 1435065584.128 }}', want: '2015-06-23 13:19:44.128 +0000 UTC' },
  { tpl: '{{ humanizeTimestamp 0 }}|{{ humanizeTimestamp 1.5 }}', want: '1970-01-01 00:00:00 +0000 UTC|1970-01-01 00:00:01.5 +0000 UTC' },
  { tpl: '{{ humanizeTimestamp $value }}', value: NaN, want: 'NaN' },
  { tpl: '{{ toTime 1435065584.128 }}', want: '2015-06-23 13:19:44.128 +0000 UTC' },
  { tpl: '{{ (toTime 1435065584).Unix }} {{ (toTime 1435065584.5).UnixMilli }}', want: '1435065584 1435065584500' },
  { tpl: '{{ (toTime 1435065584).Format "2006-01-02T15:04:05Z07:00 Mon Jan _2" }}', want: '2015-06-23T13:19:44Z Tue Jun 23' },
  { tpl: '{{ parseDuration "1h30m" }}|{{ parseDuration "250ms" }}', want: '5400|0.25' },

  // Prometheus string functions.
  { tpl: '{{ $labels.job | toUpper }} {{ toLower "AbC" }}', want: 'NODE abc' },
  { tpl: '{{ title "aa bb CC" }}|{{ title "hello-world foo_bar" }}', want: 'Aa Bb CC|Hello-World Foo_bar' },
  { tpl: '{{ toUpper $value }}', err: E(123, '$value', 'wrong type for value; expected string; got float64') },
  { tpl: '{{ $value | toUpper }}', err: E(124, 'toUpper', 'wrong type for value; expected string; got float64') },
  { tpl: '{{ match "a+" "baab" }} {{ match "^a" "baab" }}', want: 'true false' },
  { tpl: '{{ match "(" "x" }}', err: E(115, 'match "(" "x"', 'error calling match: error parsing regexp: missing closing ): `(`') },
  { tpl: '{{ reReplaceAll "localhost:(.*)" "my.domain:$1" $labels.instance }}', want: 'my.domain:9090' },
  { tpl: '{{ reReplaceAll "a(x*)b" "${1}W" "-ab-axxb-" }}|{{ reReplaceAll "a(x*)b" "$1W" "-ab-axxb-" }}', want: '-W-xxW-|---' },
  { tpl: '{{ reReplaceAll "a|" "-" "baaac" }}|{{ reReplaceAll "x*" "-" "abc" }}', want: '-b---c-|-a-b-c-' },
  { tpl: '{{ reReplaceAll "(?P<host>[^:]+):(?P<port>\\\\d+)" "$port@${host}$$" "db:5432" }}', want: '5432@db$' },
  { tpl: '{{ graphLink "rate(x{job=\\"a b\\"}[5m]) > 1" }}', want: '/graph?g0.expr=rate%28x%7Bjob%3D%22a+b%22%7D%5B5m%5D%29+%3E+1&g0.tab=0' },
  { tpl: '{{ tableLink "up" }}', want: '/graph?g0.expr=up&g0.tab=1' },
  { tpl: '{{ stripPort "localhost:9090" }}|{{ stripPort "[::1]:80" }}|{{ stripPort "noport" }}', want: 'localhost|::1|noport' },
  { tpl: '{{ stripDomain "foo.example.com:8080" }}|{{ stripDomain "foo.example.com" }}|{{ stripDomain "10.0.0.1:80" }}', want: 'foo:8080|foo|10.0.0.1:80' },
  { tpl: '{{ safeHtml "<b>" }}', want: '<b>' },
  { tpl: '{{ template "x" (args 1 "two" 3.5) }}{{ define "x" }}{{ .arg0 }},{{ .arg1 }},{{ .arg2 }},[{{ .arg3 }}]{{ end }}', want: '1,two,3.5,[<no value>]' },

  // Queries.
  { tpl: '{{ with query "vector(42)" }}{{ . | first | value | humanize }}{{ end }}', want: '42' },
  { tpl: '{{ with query "vector(42) > 100" }}some{{ else }}none{{ end }}', want: 'none' },
  { tpl: '{{ range query "label_replace(vector(2), \\"x\\", \\"b\\", \\"\\", \\"\\") or label_replace(vector(1), \\"x\\", \\"a\\", \\"\\", \\"\\")" | sortByLabel "x" }}{{ .Labels.x }}={{ .Value }};{{ end }}', want: 'a=1;b=2;' },
  { tpl: '{{ query "vector(42)" | first | label "x" }}|{{ (query "vector(42)" | first).Value }}', want: '|42' },
  { tpl: '{{ query "vector(42) > 100" | first }}', err: E(115, 'first', 'error calling first: first() called on vector with no elements').replace('1:115', '1:142') },

  // Go builtins: printf and friends.
  { tpl: '{{ printf "%.2f" $value }}', want: '1234567.00' },
  { tpl: '{{ printf "%d" $value }}', want: '%!d(float64=1.234567e+06)' },
  { tpl: '{{ printf "%d|%5d|%-5d|%05d|%x|%X|%o|%b|%+d|%c|%q|%U" 42 42 42 -42 255 255 8 5 3 65 65 65 }}', want: '42|   42|42   |-0042|ff|FF|10|101|+3|A|\'A\'|U+0041' },
  { tpl: '{{ printf "%s|%10s|%-10s|%.2s|%q|%x|%v" "abc" "abc" "abc" "abc" "a\\"b" "hi" "v" }}', want: 'abc|       abc|abc       |ab|"a\\"b"|6869|v' },
  { tpl: '{{ printf "%f|%.0f|%.1f|%e|%.3e|%g|%.3g|%G|%8.3f|%-8.2f|%+.1f|%08.3f" 3.14159 2.5 0.05 123456.789 0.000123456 1e21 1234.5678 1e-7 3.14159 2.5 2.0 -3.14159 }}', want: '3.141590|2|0.1|1.234568e+05|1.235e-04|1e+21|1.23e+03|1E-07|   3.142|2.50    |+2.0|-003.142' },
  { tpl: '{{ printf "%.2f|%.2f|%.1f|%.0f|%.0f" 0.125 0.375 0.25 0.5 1.5 }}', want: '0.12|0.38|0.2|0|2' },
  { tpl: '{{ printf "%v %v %v %v" 1.0 1 "s" true }}', want: '1 1 s true' },
  { tpl: '{{ printf "%s" $labels }}|{{ printf "%v" $externalLabels }}', want: 'map[instance:localhost:9090 job:node]|map[cluster:c1 region:eu-west]' },
  { tpl: '{{ printf "%d %d" 1 }}|{{ printf "%d" 1 2 }}|{{ printf "%z" 1 }}|{{ printf "%" }}', want: '1 %!d(MISSING)|1%!(EXTRA int=2)|%!z(int=1)|%!(NOVERB)' },
  { tpl: '{{ printf "%[2]s %[1]s" "a" "b" }}|{{ printf "%*d" 5 1 }}|{{ printf "%.*f" 1 3.14159 }}|{{ printf "%T %T %T" 1 1.5 $labels }}', want: 'b a|    1|3.1|int float64 map[string]string' },
  { tpl: '{{ printf "%f %v %.2f" $value $value $value }}', value: NaN, want: 'NaN NaN NaN' },
  { tpl: '{{ printf "%5.1f|%-6v|%+v" $value $value $value }}', value: Infinity, want: ' +Inf|+Inf  |+Inf' },
  { tpl: '{{ printf "%s" nil }}|{{ printf "%v" nil }}', want: '%!s(<nil>)|<nil>' },
  { tpl: '{{ print 1 2 "a" "b" 3 }}|{{ println 1 "a" }}|{{ print }}', want: '1 2ab3|1 a\n|' },
  { tpl: '{{ print 1.5 nil true }}', want: '1.5 <nil> true' },
  { tpl: '{{ html "<a href=\\"x\\">it\'s & more</a>" }}', want: '&lt;a href=&#34;x&#34;&gt;it&#39;s &amp; more&lt;/a&gt;' },
  { tpl: '{{ js "it\'s \\"q\\" <x> & =\\n" }}', want: 'it\\\'s \\"q\\" \\u003Cx\\u003E \\u0026 \\u003D\\u000A' },
  { tpl: '{{ urlquery "a b&c=d/é" }}|{{ "x y" | urlquery }}', want: 'a+b%26c%3Dd%2F%C3%A9|x+y' },
  { tpl: '<{{ "<b>" }}>', want: '<<b>>' },
  { tpl: '{{ len $labels }} {{ len "héllo" }} {{ index $labels "job" }} {{ index "abc" 1 }}', want: '2 6 node 98' },
  { tpl: '{{ slice "abcdef" 1 3 }}|{{ slice "abcdef" 4 }}', want: 'bc|ef' },
  { tpl: '{{ len $value }}', err: E(115, 'len $value', 'error calling len: len of type float64') },
  { tpl: '{{ index "abc" 5 }}', err: E(115, 'index "abc" 5', 'error calling index: index out of range: 5') },
  { tpl: '{{ index $labels 1 }}', err: E(115, 'index $labels 1', 'error calling index: value has type int; should be string') },

  // Comparisons and logic.
  { tpl: '{{ if gt $value 1000000.0 }}big{{ else }}small{{ end }}', want: 'big' },
  { tpl: '{{ if gt $value 10 }}big{{ end }}', err: E(118, 'gt $value 10', 'error calling gt: incompatible types for comparison') },
  { tpl: '{{ if eq $labels.job "node" }}yes{{ end }}|{{ if ne $labels.job "node" }}no{{ end }}', want: 'yes|' },
  { tpl: '{{ eq $labels.job "a" "b" "node" }} {{ eq 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ ge "a" "b" }} {{ lt 1.5 2.5 }}', want: 'true false true true false true' },
  { tpl: '{{ gt $value 1.0 }} {{ lt $value 1.0 }} {{ eq $value $value }}', value: NaN, want: 'true false false' },
  { tpl: '{{ lt true false }}', err: E(115, 'lt true false', 'error calling lt: invalid type for comparison') },
  { tpl: '{{ eq 1 }}', err: E(115, 'eq 1', 'error calling eq: missing argument for comparison') },
  { tpl: '{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 "" 3 }} {{ or 0 "" }} {{ not 0 }} {{ not "x" }}', want: '0 2 3  true false' },
  { tpl: '{{ and 0 (index "" 1) }}|{{ or 1 (index "" 1) }}', want: '0|1' },
  { tpl: '{{ if and (eq $labels.job "node") (gt $value 1.0) }}both{{ end }}', want: 'both' },

  // Control structures, variables, whitespace.
  { tpl: '{{ if $labels.missing }}a{{ else if $labels.job }}b{{ else }}c{{ end }}', want: 'b' },
  { tpl: '{{ with $labels.job }}job={{ . }}{{ end }}{{ with $labels.missing }}x{{ else }}-none{{ end }}', want: 'job=node-none' },
  { tpl: '{{ with $labels.missing }}x{{ else with $labels.job }}{{ . }}{{ end }}', want: 'node', prom: false, why: '{{else with}} is Go 1.23; Prometheus 2.42 is built with Go 1.19' },
  { tpl: '{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}', want: 'instance=localhost:9090;job=node;' },
  { tpl: '{{ range $labels }}[{{ . }}]{{ end }}', want: '[localhost:9090][node]' },
  { tpl: '{{ range $v := $labels }}{{ $v }},{{ end }}', want: 'localhost:9090,node,' },
  { tpl: '{{ range $i, $e := query "vector(42)" }}{{ $i }}:{{ $e.Value }}{{ end }}', want: '0:42' },
  { tpl: '{{ range $labels.missing }}x{{ else }}empty{{ end }}', err: E(128, '$labels.missing', "range can't iterate over ") },
  { tpl: '{{ range $k, $v := $labels }}{{ if eq $k "job" }}{{ break }}{{ end }}{{ $k }};{{ end }}', want: 'instance;' },
  { tpl: '{{ range $k, $v := $labels }}{{ if eq $k "instance" }}{{ continue }}{{ end }}{{ $k }};{{ end }}', want: 'job;' },
  { tpl: '{{ range $i, $e := $labels }}{{ range $labels }}.{{ end }}{{ end }}', want: '....' },
  { tpl: '{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}', want: '2' },
  { tpl: '{{ $x := "a" }}{{ with $labels.job }}{{ $x := "b" }}{{ $x }}{{ end }}{{ $x }}', want: 'ba' },
  { tpl: '{{ $n := len $labels }}{{ $n }}', want: '2' },
  { tpl: '{{ $ }}', want: '{map[instance:localhost:9090 job:node] map[cluster:c1 region:eu-west] http://example.com/prom 1.234567e+06}' },
  { tpl: 'a  {{- "b" -}}  c', want: 'abc' },
  { tpl: 'a \n {{- /* comment */ -}} \n b', want: 'ab' },
  { tpl: 'x {{/* no trim */}} y', want: 'x  y' },
  { tpl: '{{- 3 -}}', want: '3' },
  { tpl: '{{ 1e3 }} {{ 1.5 }} {{ 0x1F }} {{ 017 }} {{ \'a\' }} {{ -5 }} {{ 1_000 }} {{ .5 }}', want: '1000 1.5 31 15 97 -5 1000 0.5' },
  { tpl: '{{ "tab\\there" }}|{{ `raw\\n` }}', want: 'tab\there|raw\\n' },
  { tpl: '{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" $labels.job }}{{ template "t" }}', want: '[node][<no value>]' },
  { tpl: '{{ block "b" $value }}{{ humanize . }}{{ end }}', want: '1.235M' },
  { tpl: '{{ template "nope" }}', err: 'template: __alert_t:1:124: executing "__alert_t" at <{{template "nope"}}>: template "nope" not defined' },
  { tpl: '{{ define "r" }}{{ template "r" }}{{ end }}{{ template "r" }}', err: 'exceeded maximum template depth', prom: false, why: 'Go allows depth 100000; Tessera stops at 1000' },
  { tpl: '{{ range 3 }}{{ . }}{{ end }}', want: '012', prom: false, why: 'range over int is Go 1.22' },

  // More printing and formatting edge cases.
  { tpl: '{{ 1.0 }} {{ -0.0 }} {{ 1e21 }} {{ 0.000001 }} {{ 123456789.0 }} {{ 2.5e-5 }}', want: '1 -0 1e+21 1e-06 1.23456789e+08 2.5e-05' },
  { tpl: '{{ printf "%s|%d|%t|%x" 3 "x" 1 -255 }}', want: '%!s(int=3)|%!d(string=x)|%!t(int=1)|-ff' },
  { tpl: '{{ printf "% d|%+d|%#x|%#o|%#b|%08.3f|%+08d|%-08d|" 5 5 255 8 5 -1.5 42 42 }}', want: ' 5|+5|0xff|010|0b101|-001.500|+0000042|42      |' },
  { tpl: '{{ printf "%x|% x|%X|%.1x|%#x" "héllo" "abc" "hi" "abc" "ab" }}', want: '68c3a96c6c6f|61 62 63|6869|61|0x6162' },
  { tpl: '{{ printf "%10.4v|%-10.3g|%e|%E|%.0e|%g|%g|%g" 3.14159 3.14159 0.0 1e100 5.5 100000.0 1000000.0 0.0001 }}', want: '     3.142|3.14      |0.000000e+00|1.000000E+100|6e+00|100000|1e+06|0.0001' },
  { tpl: '{{ printf "%.3g|%.3g|%.10g|%.1g|%.0g|%g" 100.0 1234567.0 0.1 0.05 7.0 -0.0 }}', want: '100|1.23e+06|0.1|0.05|7|-0' },
  { tpl: '{{ printf "%v" (args 1 "a") }}|{{ printf "%q" \'x\' }}|{{ printf "%c%c" 72 105 }}|{{ printf "%5t|%-6q|%3c" true "a" 65 }}', want: 'map[arg0:1 arg1:a]|\'x\'|Hi| true|"a"   |  A' },
  { tpl: '{{ printf "%.2f%%" 99.5 }}|{{ printf "%%d" }}|{{ printf "%5%" }}|{{ printf "%!" }}', want: '99.50%|%d|%|%!!(MISSING)' },
  { tpl: '{{ printf "%[3]d %[1]d" 1 2 3 }}|{{ printf "%[5]d" 1 }}|{{ printf "%[x]d" 1 }}|{{ printf "%d %d %[1]d %d" 1 2 }}', want: '3 1|%!d(BADINDEX)|%!d(BADINDEX)|1 2 1 2' },
  { tpl: '{{ printf "%*d|%-*d|%.*s" 4 1 4 2 2 "abcdef" }}|{{ printf "%*d" "x" 1 }}', want: '   1|2   |ab|%!(BADWIDTH)1' },
  { tpl: '{{ printf "%s %v" $value $labels.job }}', value: 0.1, want: '%!s(float64=0.1) node' },
  { tpl: '{{ printf "%.1f|%.1f|%.2f|%.3f" 0.05 0.15 1.005 2.0005 }}', want: '0.1|0.1|1.00|2.001' },
  { tpl: '{{ printf "%f|%.3f|%e" $value $value $value }}', value: 1e22, want: '10000000000000000000000.000000|10000000000000000000000.000|1.000000e+22' },
  { tpl: '{{ printf "%v %v" 9007199254740993 -9223372036854775808 }}', want: '9007199254740993 -9223372036854775808' },
  { tpl: '{{ print "a" "b" 1 2 true "c" nil nil }}|{{ println }}|{{ print $labels.job 3 }}', want: 'ab1 2 truec<nil> <nil>|\n|node3' },
  { tpl: '{{ humanize 999.95 }}|{{ humanize 0.1 }}|{{ humanize 1e-3 }}|{{ humanize 123456789012 }}|{{ humanize -0.000002 }}', want: '1000|100m|1m|123.5G|-2u' },
  { tpl: '{{ humanize1024 1024 }}|{{ humanize1024 1073741824 }}|{{ humanize1024 1e30 }}', want: '1ki|1Gi|8.272e+05Yi' },
  { tpl: '{{ humanizeDuration 60 }}|{{ humanizeDuration 86400 }}|{{ humanizeDuration 1.5 }}|{{ humanizeDuration 0.001 }}|{{ humanizeDuration "3661" }}|{{ humanizeDuration -0.5 }}', want: '1m 0s|1d 0h 0m 0s|1.5s|1ms|1h 1m 1s|-500ms' },
  { tpl: '{{ humanizePercentage "0.5" }}|{{ humanizePercentage -0.0001 }}|{{ humanizePercentage 12.3456 }}', want: '50%|-0.01%|1235%' },
  { tpl: '{{ humanizeTimestamp 9e9 }}|{{ humanizeTimestamp -1.5 }}|{{ humanizeTimestamp "1435065584" }}', want: '2255-03-14 16:00:00 +0000 UTC|1969-12-31 23:59:58.5 +0000 UTC|2015-06-23 13:19:44 +0000 UTC' },
  { tpl: '{{ toTime 1e20 }}', err: E(115, 'toTime 1e20', 'error calling toTime: 1e+20 cannot be represented as a nanoseconds timestamp since it overflows int64') },
  { tpl: '{{ toTime $value }}', value: NaN, err: E(115, 'toTime $value', 'error calling toTime: value is NaN or Inf') },
  { tpl: '{{ humanize $labels }}', err: E(115, 'humanize $labels', "error calling humanize: can't convert map[string]string to float") },
  { tpl: '{{ parseDuration "1x" }}', err: E(115, 'parseDuration "1x"', 'error calling parseDuration: not a valid duration string: "1x"') },
  { tpl: '{{ title "don\'t stop" }}|{{ title "a.b c-d e_f" }}|{{ title "ünï wörld" }}|{{ title "x1y 9z" }}|{{ title "hello   world" }}', want: "Don'T Stop|A.B C-D E_f|Ünï Wörld|X1y 9z|Hello   World" },
  { tpl: '{{ toUpper "straße ǆ" }}|{{ toLower "ÀÉÎ" }}', want: 'STRAßE Ǆ|àéî' },
  { tpl: '{{ match "(?i)NODE" $labels.job }}|{{ match "^node$" $labels.job }}|{{ match "o" "" }}', want: 'true|true|false' },
  { tpl: '{{ reReplaceAll "é" "e" "café é" }}|{{ reReplaceAll "^" ">" "ab" }}|{{ reReplaceAll "$" "<" "ab" }}|{{ reReplaceAll "(a)(b)?" "[$2]" "ac" }}', want: 'cafe e|>ab|ab<|[]c' },
  { tpl: '{{ reReplaceAll "(" "x" "y" }}', err: E(115, 'reReplaceAll "(" "x" "y"', 'error calling reReplaceAll: error parsing regexp: missing closing ): `(`'), prom: false, why: 'Prometheus panics in regexp.MustCompile: "regexp: Compile(`(`): error parsing…"' },

  // More control flow and variables.
  { tpl: '{{ range $labels }}{{ $.ExternalURL }};{{ end }}', want: EXTERNAL_URL + ';' + EXTERNAL_URL + ';' },
  { tpl: '{{ with $x := $labels.job }}{{ $x }}-{{ . }}{{ end }}', want: 'node-node' },
  { tpl: '{{ $x := 0 }}{{ range $labels }}{{ $x = 1 }}{{ end }}{{ $x }}', want: '1' },
  { tpl: '{{ range $k, $v := args 1 2 }}{{ $k }}={{ $v }} {{ end }}', want: 'arg0=1 arg1=2 ' },
  { tpl: '{{ range $i, $c := slice (query "vector(42)") 0 }}{{ $i }}{{ end }}', want: '0' },
  { tpl: '{{ if and $labels.job (not $labels.missing) }}ok{{ end }}', want: 'ok' },
  { tpl: '{{ if not (eq $labels.job "a") }}{{ if or false $labels.job }}in{{ end }}{{ end }}', want: 'in' },
  { tpl: '{{ range $labels }}{{ if true }}{{ break }}{{ end }}x{{ end }}done', want: 'done' },
  { tpl: '{{ range $a := $labels }}{{ range $b := $labels }}{{ if eq $a $b }}{{ continue }}{{ end }}{{ $a }}>{{ $b }} {{ end }}{{ end }}', want: 'localhost:9090>node node>localhost:9090 ' },
  { tpl: '{{ "a" }}\n\n{{- "b" }}\n{{ "c" -}}\n\n  d', want: 'ab\ncd' },
  { tpl: '{{-3}}|{{3 -}} |', want: '-3|3|' },
  { tpl: '{{ range $labels }}{{ . }}{{ else }}none{{ end }}', labels: {}, want: 'none' },
  { tpl: '{{ $labels.instance }}|{{ index $labels "a-b" }}|{{ $labels.job }}', labels: { instance: 'i', 'a-b': 'x' }, want: 'i|x|', prom: false, why: 'label name a-b needs Prometheus 3 (UTF-8 names)' },
  { tpl: '{{ .Value | printf "%.1f" }} {{ .ExternalURL | len }}', value: 2.25, want: '2.2 23' },
  { tpl: '{{ (printf "%s-%s" "a" "b") | toUpper }}|{{ printf "%s" (toUpper "x") }}', want: 'A-B|X' },
  { tpl: '{{ (query "vector(42)" | first).Labels }}|{{ (index (query "vector(42)") 0).Value }}', want: 'map[]|42' },
  { tpl: '{{ $labels.job.x }}', labels: {}, err: E(122, '$labels.job.x', "can't evaluate field x in type string") },
  { tpl: '{{ (1).x }}', err: E(116, '1', "can't evaluate field x in type int") },
  // Error positions on later lines and after multi-byte text (columns count bytes).
  { tpl: 'line one\nline two\n  {{ humanize "x" }}', err: 'template: __alert_t:3:5: executing "__alert_t" at <humanize "x">: error calling humanize: strconv.ParseFloat: parsing "x": invalid syntax' },
  { tpl: 'é ü {{ humanize "x" }}', err: E(121, 'humanize "x"', 'error calling humanize: strconv.ParseFloat: parsing "x": invalid syntax') },
  { tpl: '{{ if true }}\n{{ range $labels }}\n {{ .x }}{{ end }}{{ end }}', err: 'template: __alert_t:3:4: executing "__alert_t" at <.x>: can\'t evaluate field x in type string' },
  { tpl: '{{ define "d" }}\n\n{{ .y }}{{ end }}{{ template "d" 1 }}', err: 'template: __alert_t:3:3: executing "d" at <.y>: can\'t evaluate field y in type int' },
  // Argument counts and types.
  { tpl: '{{ humanize 1 2 }}', err: E(115, 'humanize', 'wrong number of args for humanize: want 1 got 2') },
  { tpl: '{{ humanize }}', err: E(115, 'humanize', 'wrong number of args for humanize: want 1 got 0') },
  { tpl: '{{ 1 | humanize 2 }}', err: E(119, 'humanize', 'wrong number of args for humanize: want 1 got 2') },
  { tpl: '{{ printf }}', err: E(115, 'printf', 'wrong number of args for printf: want at least 1 got 0') },
  { tpl: '{{ toUpper 3 }}', err: E(123, '3', 'expected string; found 3') },
  { tpl: '{{ "x" 1 }}', err: E(115, '"x"', 'can\'t give argument to non-function "x"') },
  { tpl: '{{ nil }}', err: E(115, 'nil', 'nil is not a command') },
];

/** Templates that must fail to parse, with Go's message, or parse (null); checked by promtool too. */
export const PARSE_ERRORS: { tpl: string; err: string | null }[] = [
  { tpl: '{{ }', err: 'template: __alert_t:1: unexpected "}" in command' },
  { tpl: '{{ .foo }', err: 'template: __alert_t:1: unexpected "}" in operand' },
  { tpl: '{{ foo }}', err: 'template: __alert_t:1: function "foo" not defined' },
  { tpl: '{{ $labels.x | nosuch }}', err: 'template: __alert_t:1: function "nosuch" not defined' },
  { tpl: 'line1\n{{ end }}', err: 'template: __alert_t:2: unexpected {{end}}' },
  { tpl: '{{ else }}', err: 'template: __alert_t:1: unexpected {{else}}' },
  { tpl: '{{ if }}x{{ end }}', err: 'template: __alert_t:1: missing value for if' },
  { tpl: '{{ if 1 }}x', err: 'template: __alert_t:1: unexpected EOF' },
  { tpl: '{{ range . }}x{{ else }}y{{ else }}z{{ end }}', err: 'template: __alert_t:1: expected end; found {{else}}' },
  { tpl: '{{ $x }}', err: 'template: __alert_t:1: undefined variable "$x"' },
  { tpl: '{{ if 1 }}{{ $x := 1 }}{{ end }}{{ $x }}', err: 'template: __alert_t:1: undefined variable "$x"' },
  { tpl: '{{ break }}', err: 'template: __alert_t:1: {{break}} outside {{range}}' },
  { tpl: '{{ .x\n', err: 'template: __alert_t:2: unclosed action started at __alert_t:1' },
  { tpl: '{{ .x', err: 'template: __alert_t:1: unclosed action' },
  { tpl: '{{ "abc }}', err: 'template: __alert_t:1: unterminated quoted string' },
  { tpl: '{{ `abc }}', err: 'template: __alert_t:1: unterminated raw quoted string' },
  { tpl: "{{ 'ab }}", err: 'template: __alert_t:1: unterminated character constant' },
  { tpl: '{{ 3 | 4 }}', err: 'template: __alert_t:1: non executable command in pipeline stage 2' },
  { tpl: '{{ range $a, $b, $c := . }}{{ end }}', err: 'template: __alert_t:1: too many declarations in range' },
  { tpl: '{{ with $a, $b := . }}{{ end }}', err: 'template: __alert_t:1: too many declarations in with' },
  { tpl: '{{ (1 }}', err: 'template: __alert_t:1: unclosed left paren' },
  { tpl: '{{ 1) }}', err: 'template: __alert_t:1: unexpected ")" in command' },
  { tpl: '{{ 3x }}', err: 'template: __alert_t:1: bad number syntax: "3x"' },
  { tpl: '{{ .a# }}', err: "template: __alert_t:1: bad character U+0023 '#'" },
  { tpl: '{{ "a".b }}', err: 'template: __alert_t:1: unexpected . after term "\\"a\\""' },
  { tpl: '{{ /* x */ }}', err: 'template: __alert_t:1: unexpected "/" in command' },
  { tpl: '{{/* x */ y }}', err: 'template: __alert_t:1: comment ends before closing delimiter' },
  { tpl: '{{/* x', err: 'template: __alert_t:1: unclosed comment' },
  { tpl: '{{ define "a" }}1{{ end }}{{ define "a" }}2{{ end }}', err: 'template: __alert_t:1: template: multiple definition of template "a"' },
  { tpl: '{{ template x }}', err: 'template: __alert_t:1: unexpected "x" in template clause' },
  { tpl: '{{ "\\q" }}', err: 'template: __alert_t:1: invalid syntax' },
  { tpl: '{{ 99999999999999999999 }}', err: 'template: __alert_t:1: integer overflow: "99999999999999999999"' },
  { tpl: '{{ $x := }}', err: 'template: __alert_t:1: missing value for command' },
  { tpl: '{{ range }}{{ end }}', err: 'template: __alert_t:1: missing value for range' },
  { tpl: '{{ with }}{{ end }}', err: 'template: __alert_t:1: missing value for with' },
  { tpl: '{{ if 1 }}{{ else if }}{{ end }}', err: 'template: __alert_t:1: missing value for if' },
  { tpl: '{{ define }}', err: 'template: __alert_t:1: unexpected "}}" in define clause' },
  { tpl: '{{ define "a" }}x', err: 'template: __alert_t:1: unexpected EOF' },
  { tpl: '{{ continue }}', err: 'template: __alert_t:1: {{continue}} outside {{range}}' },
  { tpl: '{{ range . }}{{ break 1 }}{{ end }}', err: 'template: __alert_t:1: unexpected "1" in {{break}}' },
  { tpl: '{{ 3 - }}', err: 'template: __alert_t:1: illegal number syntax: "-"' },
  { tpl: '{{ $x := 1 }}{{ $x = }}', err: 'template: __alert_t:1: missing value for command' },
  { tpl: '{{ .a | 3 }}', err: 'template: __alert_t:1: non executable command in pipeline stage 2' },
  { tpl: '{{ printf "%d" 1 | | }}', err: 'template: __alert_t:1: unexpected "|" in command' },
  { tpl: 'a\nb\n{{ if .x }}\n{{ range .y }}\n{{ end }}', err: 'template: __alert_t:5: unexpected EOF' },
  { tpl: '{{ .x.y.z | humanize | foo }}', err: 'template: __alert_t:1: function "foo" not defined' },
  { tpl: '{{ 1.2.3 }}', err: 'template: __alert_t:1: unexpected ".3" in operand' },
  { tpl: '{{ 0x }}', err: 'template: __alert_t:1: illegal number syntax: "0x"' },
  { tpl: '{{ ‘x’ }}', err: "template: __alert_t:1: unrecognized character in action: U+2018 '‘'" },
  { tpl: '{{ $labels := 1 }}{{ $value = 2 }}{{ $ }}', err: null },
  { tpl: '{{ .x | }}', err: null },
  { tpl: '{{ "}}" }}{{ `{{` }}', err: null },
  { tpl: '{{ block "b" . }}{{ end }}{{ define "b" }}x{{ end }}', err: null },
  { tpl: '{{ range $i, $e := . }}{{ $i }}{{ end }}{{ range $e := . }}{{ end }}', err: null },
  { tpl: '{{ a\u0001 }}', err: 'template: __alert_t:1: bad character U+0001' },
];
