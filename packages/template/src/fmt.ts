/**
 * Go's fmt.Sprint, Sprintln and Sprintf over {@link GoValue}s: the verbs, flags, widths,
 * precisions, argument indexes and error forms (`%!d(string=x)`, `%!d(MISSING)`,
 * `%!(EXTRA float64=1)`) of Go's fmt package. Not implemented: %p, %#v Go syntax, %b/%x/%X of
 * floats (formatted as %g instead).
 */
import { quoteGo } from '@tessera/model';
import { formatFloat, type FloatVerb } from './float-format.ts';
import { GoTime } from './go-time.ts';
import { GoMap, GoSlice, GoStruct, type GoValue, typeName } from './values.ts';

interface Flags {
  plus: boolean; minus: boolean; sharp: boolean; space: boolean; zero: boolean;
  plusV: boolean; sharpV: boolean;
  wid: number; widPresent: boolean; prec: number; precPresent: boolean;
}

function newFlags(): Flags {
  return { plus: false, minus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false, wid: 0, widPresent: false, prec: 0, precPresent: false };
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(f: Flags, s: string): string {
  if (!f.widPresent || f.wid === 0) return s;
  const w = f.wid - runeCount(s);
  if (w <= 0) return s;
  if (f.minus) return s + ' '.repeat(w);
  return (f.zero ? '0' : ' ').repeat(w) + s;
}

function fmtInteger(f: Flags, v: bigint, base: number, verb: string): string {
  const negative = v < 0n;
  const u = negative ? -v : v;
  let prec = 0;
  if (f.precPresent) {
    prec = f.prec;
    if (prec === 0 && u === 0n) return pad({ ...f, zero: false }, '');
  } else if (f.zero && f.widPresent) {
    prec = f.wid;
    if (negative || f.plus || f.space) prec--;
  }
  let digits = u.toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
  if (f.sharp) {
    if (base === 2) digits = '0b' + digits;
    else if (base === 8 && digits[0] !== '0') digits = '0' + digits;
    else if (base === 16) digits = (verb === 'X' ? '0X' : '0x') + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  if (negative) digits = '-' + digits;
  else if (f.plus) digits = '+' + digits;
  else if (f.space) digits = ' ' + digits;
  return pad({ ...f, zero: false }, digits);
}

function fmtFloat(f: Flags, v: number, verb: FloatVerb, defPrec: number): string {
  const prec = f.precPresent ? f.prec : defPrec;
  let num = formatFloat(v, verb, prec);
  if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
  if (f.space && num[0] === '+' && !f.plus) num = ' ' + num.slice(1);
  if (num[1] === 'I' || num[1] === 'N') {
    if (num[1] === 'N' && !f.space && !f.plus) num = num.slice(1);
    return pad({ ...f, zero: false }, num);
  }
  if (f.sharp && verb !== 'b') num = sharpFloat(num, verb, prec);
  if (f.plus || num[0] !== '+') {
    if (f.zero && f.widPresent && f.wid > num.length) {
      return num[0] + '0'.repeat(f.wid - num.length) + num.slice(1);
    }
    return pad(f, num);
  }
  return pad(f, num.slice(1));
}

/**
 * The '#' flag on floats (Go's fmtFloat): always a decimal point, and for %g/%x (and %v, which
 * is %g) trailing zeros up to the precision, 6 when none is given. `num` starts with its sign.
 */
function sharpFloat(num: string, verb: FloatVerb, prec: number): string {
  let digits = verb === 'g' || verb === 'G' || verb === 'x' ? (prec === -1 ? 6 : prec) : 0;
  let tail = '';
  let hasDecimalPoint = false;
  let sawNonzero = false;
  for (let i = 1; i < num.length; i++) {
    const c = num[i]!;
    if (c === '.') { hasDecimalPoint = true; continue; }
    if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
      tail = num.slice(i);
      num = num.slice(0, i);
      break;
    }
    if (c !== '0') sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!hasDecimalPoint) {
    if (num.length === 2 && num[1] === '0') digits--;
    num += '.';
  }
  if (digits > 0) num += '0'.repeat(digits);
  return num + tail;
}

function truncateRunes(f: Flags, s: string): string {
  if (!f.precPresent) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (n++ >= f.prec) break;
    out += ch;
  }
  return out;
}

function fmtString(f: Flags, s: string, verb: string): string | undefined {
  switch (verb) {
    case 'v':
      if (f.sharpV) return pad(f, quoteGo(s));
      return pad(f, truncateRunes(f, s));
    case 's':
      return pad(f, truncateRunes(f, s));
    case 'x':
    case 'X': {
      let bytes = Buffer.from(s, 'utf8');
      if (f.precPresent && f.prec < bytes.length) bytes = bytes.subarray(0, f.prec);
      const parts: string[] = [];
      for (const b of bytes) {
        let h = b.toString(16).padStart(2, '0');
        if (verb === 'X') h = h.toUpperCase();
        parts.push(f.sharp && (f.space || parts.length === 0) ? (verb === 'X' ? '0X' : '0x') + h : h);
      }
      return pad(f, parts.join(f.space ? ' ' : ''));
    }
    case 'q': {
      const t = truncateRunes(f, s);
      if (f.sharp && !/[`\x00-\x08\x0a-\x1f\x7f\ufeff]/.test(t)) return pad(f, '`' + t + '`');
      return pad(f, f.plus ? toASCII(quoteGo(t)) : quoteGo(t));
    }
    default:
      return undefined;
  }
}

const PRINTABLE_RUNE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's QuoteToASCII applied to an already quoted literal: non-ASCII runes as \u or \U escapes. */
function toASCII(quoted: string): string {
  let out = '';
  for (const c of quoted) {
    const cp = c.codePointAt(0)!;
    if (cp < 0x80) out += c;
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out;
}

function quoteRune(cp: number): string {
  if (cp === 0x27) return "'\\''";
  const q = quoteGo(String.fromCodePoint(cp));
  return "'" + q.slice(1, -1).replace(/\\"/g, '"') + "'";
}

function badVerb(f: Flags, v: GoValue, verb: string): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${fmtArg(f, v, 'v', 0)})`;
}

/** Formats one operand for a verb, as Go's pp.printArg does. */
function fmtArg(f: Flags, v: GoValue, verb: string, depth: number): string {
  if (v === undefined || v === null) {
    if (verb === 'T' || verb === 'v') return pad(f, '<nil>');
    return badVerb(f, v, verb);
  }
  if (verb === 'T') return pad(f, typeName(v));
  switch (typeof v) {
    case 'boolean':
      return verb === 't' || verb === 'v' ? pad(f, String(v)) : badVerb(f, v, verb);
    case 'number':
      switch (verb) {
        case 'v': return fmtFloat(f, v, 'g', -1);
        case 'g': case 'G': return fmtFloat(f, v, verb, -1);
        case 'b': case 'x': case 'X': return fmtFloat(f, v, verb, -1);
        case 'e': case 'E': case 'f': case 'F': return fmtFloat(f, v, verb, 6);
        default: return badVerb(f, v, verb);
      }
    case 'bigint':
      switch (verb) {
        case 'v': case 'd': return fmtInteger(f, v, 10, verb);
        case 'b': return fmtInteger(f, v, 2, verb);
        case 'o': case 'O': return fmtInteger(f, v, 8, verb);
        case 'x': case 'X': return fmtInteger(f, v, 16, verb);
        case 'c': {
          const cp = v >= 0n && v <= 0x10ffffn && (v < 0xd800n || v > 0xdfffn) ? Number(v) : 0xfffd;
          return pad(f, String.fromCodePoint(cp));
        }
        case 'q': {
          const cp = v >= 0n && v <= 0x10ffffn && (v < 0xd800n || v > 0xdfffn) ? Number(v) : 0xfffd;
          const q = quoteRune(cp);
          return pad(f, f.plus ? toASCII(q) : q);
        }
        case 'U': {
          const u = BigInt.asUintN(64, v); // Go formats the uint64 bits of a negative int
          const hex = u.toString(16).toUpperCase().padStart(f.precPresent ? f.prec : 4, '0');
          let s = 'U+' + hex;
          if (f.sharp && u <= 0x10ffffn && (u < 0xd800n || u > 0xdfffn)) {
            const c = String.fromCodePoint(Number(u));
            if (c === ' ' || PRINTABLE_RUNE.test(c)) s += " '" + c + "'";
          }
          return pad({ ...f, zero: false }, s);
        }
        default: return badVerb(f, v, verb);
      }
    case 'string':
      return fmtString(f, v, verb) ?? badVerb(f, v, verb);
  }
  if (v instanceof GoTime) {
    const s = fmtString(f, v.toGoString(), verb);
    return s ?? badVerb(f, v, verb);
  }
  if (v instanceof GoMap) {
    const parts = v.sortedKeys().map((k) => fmtArg(f, k, verb, depth + 1) + ':' + fmtArg(f, v.entries.get(k), verb, depth + 1));
    return 'map[' + parts.join(' ') + ']';
  }
  if (v instanceof GoSlice) {
    return '[' + v.items.map((x) => fmtArg(f, x, verb, depth + 1)).join(' ') + ']';
  }
  const parts: string[] = [];
  for (const [name, fv] of v.fields) parts.push((f.plusV ? name + ':' : '') + fmtArg(f, fv, verb, depth + 1));
  return (v.pointer ? '&' : '') + '{' + parts.join(' ') + '}';
}

/** Go's fmt.Sprint: operands in %v form, spaces between operands when neither is a string. */
export function sprint(args: readonly GoValue[]): string {
  let out = '';
  let prevString = false;
  args.forEach((a, i) => {
    const isString = typeof a === 'string';
    if (i > 0 && !isString && !prevString) out += ' ';
    out += fmtArg(newFlags(), a, 'v', 0);
    prevString = isString;
  });
  return out;
}

/** Go's fmt.Sprintln: operands in %v form separated by spaces, then a newline. */
export function sprintln(args: readonly GoValue[]): string {
  return args.map((a) => fmtArg(newFlags(), a, 'v', 0)).join(' ') + '\n';
}

function parseNum(s: string, i: number, end: number): { num: number; ok: boolean; i: number } {
  let num = 0;
  let ok = false;
  while (i < end && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) {
    if (num > 1e6) return { num: 0, ok: false, i: end };
    num = num * 10 + (s.charCodeAt(i) - 0x30);
    ok = true;
    i++;
  }
  return { num, ok, i };
}

/** Go's fmt.Sprintf. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  const end = format.length;
  let i = 0;
  while (i < end) {
    let goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) out += format.slice(lasti, i);
    if (i >= end) break;
    i++; // skip %
    const f = newFlags();
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#': f.sharp = true; break;
        case '0': f.zero = !f.minus; break;
        case '+': f.plus = true; break;
        case '-': f.minus = true; f.zero = false; break;
        case ' ': f.space = true; break;
        default: break flags;
      }
    }
    const argNumber = (): boolean => {
      if (i >= end || format[i] !== '[') return false;
      reordered = true;
      const close = format.indexOf(']', i + 1);
      if (close < 0) { goodArgNum = false; i += 1; return false; }
      const r = parseNum(format, i + 1, close);
      const ok = r.ok && r.i === close;
      i = close + 1;
      if (ok && r.num - 1 >= 0 && r.num - 1 < args.length) { argNum = r.num - 1; return true; }
      goodArgNum = false;
      return ok;
    };
    const intFromArg = (): { n: number; ok: boolean } => {
      if (argNum >= args.length) return { n: 0, ok: false };
      const a = args[argNum++];
      if (typeof a !== 'bigint' || a > 1_000_000n || a < -1_000_000n) return { n: 0, ok: false };
      return { n: Number(a), ok: true };
    };
    let afterIndex = argNumber();
    if (i < end && format[i] === '*') {
      i++;
      const r = intFromArg();
      f.wid = r.n; f.widPresent = r.ok;
      if (!r.ok) out += '%!(BADWIDTH)';
      if (f.wid < 0) { f.wid = -f.wid; f.minus = true; f.zero = false; }
      afterIndex = false;
    } else {
      const r = parseNum(format, i, end);
      f.wid = r.num; f.widPresent = r.ok; i = r.i;
      if (afterIndex && f.widPresent) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      afterIndex = argNumber();
      if (i < end && format[i] === '*') {
        i++;
        const r = intFromArg();
        f.prec = r.n; f.precPresent = r.ok;
        if (f.prec < 0) { f.prec = 0; f.precPresent = false; }
        if (!r.ok) out += '%!(BADPREC)';
        afterIndex = false;
      } else {
        const r = parseNum(format, i, end);
        f.prec = r.ok ? r.num : 0; f.precPresent = true; i = r.i;
      }
    }
    if (!afterIndex) afterIndex = argNumber();
    if (i >= end) { out += '%!(NOVERB)'; break; }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') { out += '%'; continue; }
    if (!goodArgNum) { out += `%!${verb}(BADINDEX)`; continue; }
    if (argNum >= args.length) { out += `%!${verb}(MISSING)`; continue; }
    if (verb === 'v') {
      f.sharpV = f.sharp; f.sharp = false;
      f.plusV = f.plus; f.plus = false;
    }
    out += fmtArg(f, args[argNum++], verb, 0);
  }
  if (!reordered && argNum < args.length) {
    const extra = args.slice(argNum).map((a) => (a === undefined || a === null ? '<nil>' : typeName(a) + '=' + fmtArg(newFlags(), a, 'v', 0)));
    out += '%!(EXTRA ' + extra.join(', ') + ')';
  }
  return out;
}

/**
 * How a template action prints a value (text/template's printValue): a pointer is followed,
 * an invalid value prints "<no value>", anything else as fmt.Sprint would.
 */
export function printable(v: GoValue): GoValue | string {
  if (v === undefined) return '<no value>';
  if (v instanceof GoStruct && v.pointer) return new GoStruct(v.typeName, false, v.fields, v.fieldTypes);
  if (v instanceof GoTime && v.pointer) return new GoTime(v.ms, false);
  return v;
}
