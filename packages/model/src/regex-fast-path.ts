/**
 * Recognition of the regular expressions that need no regex engine, and the predicates that
 * match them. Matchers try this first and fall back to re2js only when it returns null.
 *
 * Recognised grammar (a strict subset of RE2 syntax, so every accepted pattern is valid RE2):
 *
 *   pattern  = [ "(?i)" ] ( alts | "(" alts ")" | "(?:" alts ")" )
 *   alts     = branch { "|" branch }
 *   branch   = { literal | ".*" | ".+" }
 *   literal  = any char except  \ . + * ? ( ) [ ] { } ^ $ |   or  "\" ASCII punctuation
 *
 * Semantics are those of Prometheus's matcher: the whole value must match, and `.` matches any
 * character including newline. A branch is a glob: literal segments separated by gaps of at least
 * 0 (`.*`) or 1 (`.+`) characters. Placing each middle segment at its leftmost possible position
 * is then exact (any later placement leaves less room for the rest), so matching is a few
 * `indexOf` calls. Gaps are measured in UTF-16 code units, which is exact for well-formed strings:
 * segment boundaries always fall between code points, and a non-empty gap holds at least one.
 *
 * `(?i)` is supported only when every literal is ASCII. RE2 folds case with Unicode simple case
 * folding, under which exactly two non-ASCII characters fold to ASCII letters: U+212A KELVIN SIGN
 * (k) and U+017F LATIN SMALL LETTER LONG S (s); the comparisons below honour both.
 */

/** A gap of 0 (`.*`) or 1 (`.+`) characters. */
type Gap = 0 | 1;

/** One alternative: segments[0] gap[0] segments[1] … gap[k-1] segments[k]. */
interface Glob {
  readonly segments: string[];
  readonly gaps: Gap[];
}

/** The analysed form of a pattern the fast path can match. */
export interface FastPattern {
  readonly caseInsensitive: boolean;
  /** The alternatives; literals are lower-cased (ASCII) when caseInsensitive. */
  readonly branches: readonly Glob[];
}

const META = new Set('\\.+*?()[]{}^$|');
const ASCII_PUNCT = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

/**
 * Analyses `pattern`; returns null when it is outside the recognised grammar (including when it
 * is not valid RE2: such patterns are left to re2js, which reports the error).
 */
export function analyseFastPattern(pattern: string): FastPattern | null {
  let p = pattern;
  let caseInsensitive = false;
  if (p.startsWith('(?i)')) {
    caseInsensitive = true;
    p = p.slice(4);
  }
  // One group around everything. If the parentheses do not pair up, the inner text contains an
  // unescaped parenthesis, which the tokenizer rejects.
  if (p.endsWith(')') && !p.endsWith('\\)')) {
    if (p.startsWith('(?:')) p = p.slice(3, -1);
    else if (p.startsWith('(') && !p.startsWith('(?')) p = p.slice(1, -1);
  }
  const branches: Glob[] = [];
  let segments: string[] = [];
  let gaps: Gap[] = [];
  let lit = '';
  for (let i = 0; i <= p.length; i++) {
    if (i === p.length || p[i] === '|') {
      segments.push(lit);
      branches.push({ segments, gaps });
      segments = [];
      gaps = [];
      lit = '';
      continue;
    }
    const c = p[i]!;
    if (c === '.') {
      const q = p[i + 1];
      if (q !== '*' && q !== '+') return null;
      i++;
      const gap: Gap = q === '+' ? 1 : 0;
      if (lit === '' && segments.length > 0) {
        // Consecutive gaps merge; two `.+` would need a count of code points: not a fast path.
        const prev = gaps[gaps.length - 1]!;
        if (prev + gap > 1) return null;
        gaps[gaps.length - 1] = (prev + gap) as Gap;
      } else {
        segments.push(lit);
        gaps.push(gap);
        lit = '';
      }
      continue;
    }
    if (c === '\\') {
      const q = p[i + 1];
      if (q === undefined || !ASCII_PUNCT.has(q)) return null;
      lit += q;
      i++;
      continue;
    }
    if (META.has(c)) return null;
    lit += c;
  }
  if (caseInsensitive) {
    for (const b of branches) {
      for (let s = 0; s < b.segments.length; s++) {
        const seg = b.segments[s]!;
        for (let j = 0; j < seg.length; j++) if (seg.charCodeAt(j) >= 0x80) return null;
        b.segments[s] = seg.toLowerCase();
      }
    }
  }
  return { caseInsensitive, branches };
}

/** Returns the literal alternatives when every branch is a plain literal (no gaps), else null. */
export function literalAlternatives(fp: FastPattern): string[] | null {
  const out: string[] = [];
  for (const b of fp.branches) {
    if (b.gaps.length > 0) return null;
    out.push(b.segments[0]!);
  }
  return out;
}

/** Returns the longest literal prefix every match of the case-sensitive pattern starts with. */
export function fastPatternPrefix(fp: FastPattern): string {
  if (fp.caseInsensitive) return '';
  let prefix: string | null = null;
  for (const b of fp.branches) {
    const first = b.segments[0]!;
    if (prefix === null) {
      prefix = first;
      continue;
    }
    let n = 0;
    while (n < prefix.length && n < first.length && prefix.charCodeAt(n) === first.charCodeAt(n)) n++;
    // Do not split a surrogate pair.
    if (n > 0 && n < prefix.length && (prefix.charCodeAt(n - 1) & 0xfc00) === 0xd800) n--;
    prefix = prefix.slice(0, n);
  }
  return prefix ?? '';
}

// ---- Case-insensitive comparison of input against lower-case ASCII pattern text ----

/** Folds one input code unit to the lower-case ASCII letter it matches under (?i), if any. */
function fold(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c + 0x20;
  if (c === 0x212a) return 0x6b; // KELVIN SIGN ~ k
  if (c === 0x017f) return 0x73; // LONG S ~ s
  return c;
}

function regionEqualsFold(s: string, at: number, lit: string): boolean {
  if (at < 0 || at + lit.length > s.length) return false;
  for (let j = 0; j < lit.length; j++) {
    if (fold(s.charCodeAt(at + j)) !== lit.charCodeAt(j)) return false;
  }
  return true;
}

function indexOfFold(s: string, lit: string, from: number): number {
  const last = s.length - lit.length;
  for (let i = from; i <= last; i++) if (regionEqualsFold(s, i, lit)) return i;
  return -1;
}

/** Returns `s` folded so that it can be compared with lower-case ASCII pattern literals. */
function foldString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (fold(c) !== c) {
      let out = s.slice(0, i);
      for (let j = i; j < s.length; j++) out += String.fromCharCode(fold(s.charCodeAt(j)));
      return out;
    }
  }
  return s;
}

function globMatches(g: Glob, s: string, ci: boolean): boolean {
  const segs = g.segments;
  const k = g.gaps.length;
  const first = segs[0]!;
  if (k === 0) return ci ? s.length === first.length && regionEqualsFold(s, 0, first) : s === first;
  const last = segs[k]!;
  const endLimit = s.length - last.length;
  if (ci) {
    if (!regionEqualsFold(s, 0, first) || !regionEqualsFold(s, endLimit, last)) return false;
  } else if (!s.startsWith(first) || !s.endsWith(last)) {
    return false;
  }
  let pos = first.length;
  for (let j = 1; j < k; j++) {
    const seg = segs[j]!;
    const idx = ci ? indexOfFold(s, seg, pos + g.gaps[j - 1]!) : s.indexOf(seg, pos + g.gaps[j - 1]!);
    if (idx < 0 || idx + seg.length > endLimit) return false;
    pos = idx + seg.length;
  }
  return pos + g.gaps[k - 1]! <= endLimit;
}

/** Builds the predicate for an analysed pattern, specialised for the common shapes. */
export function compileFastPattern(fp: FastPattern): (s: string) => boolean {
  const ci = fp.caseInsensitive;
  const literals = literalAlternatives(fp);
  if (literals !== null) {
    if (literals.length === 1) {
      const lit = literals[0]!;
      return ci ? (s) => s.length === lit.length && regionEqualsFold(s, 0, lit) : (s) => s === lit;
    }
    const set = new Set(literals);
    return ci ? (s) => set.has(foldString(s)) : (s) => set.has(s);
  }
  if (fp.branches.length > 1) {
    const globs = fp.branches;
    return (s) => {
      for (const g of globs) if (globMatches(g, s, ci)) return true;
      return false;
    };
  }
  const g = fp.branches[0]!;
  const [a, b, c] = g.segments;
  if (!ci && g.gaps.length === 1) {
    const minLen = a!.length + b!.length + g.gaps[0]!;
    if (a === '' && b === '') return g.gaps[0] === 0 ? () => true : (s) => s.length > 0; // .*  .+
    if (b === '') return (s) => s.length >= minLen && s.startsWith(a!); // prefix.*
    if (a === '') return (s) => s.length >= minLen && s.endsWith(b!); // .*suffix
  }
  if (!ci && g.gaps.length === 2 && a === '' && c === '' && g.gaps[0] === 0 && g.gaps[1] === 0) {
    return (s) => s.includes(b!); // .*contains.*
  }
  return (s) => globMatches(g, s, ci);
}

/**
 * Returns a literal prefix that every full match of `pattern` (any RE2 pattern) must start with;
 * conservative: '' whenever unsure (any `|`, a leading group, class or flag).
 */
export function requiredLiteralPrefix(pattern: string): string {
  if (pattern.includes('|')) return '';
  let prefix = '';
  let lastLen = 0; // code units of the last literal character added
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const q = pattern[i + 1];
      if (q === undefined || !ASCII_PUNCT.has(q)) break;
      prefix += q;
      lastLen = 1;
      i++;
      continue;
    }
    if (META.has(c)) {
      // A quantifier that allows zero repetitions makes the preceding character optional.
      if (c === '*' || c === '?' || c === '{') prefix = prefix.slice(0, prefix.length - lastLen);
      break;
    }
    const code = c.charCodeAt(0);
    if ((code & 0xfc00) === 0xd800 && i + 1 < pattern.length) {
      prefix += c + pattern[++i]!;
      lastLen = 2;
    } else {
      prefix += c;
      lastLen = 1;
    }
  }
  return prefix;
}
