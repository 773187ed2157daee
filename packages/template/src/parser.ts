/**
 * Parser for Go's text/template, following Go's grammar and its error messages
 * (`template: NAME:LINE: MESSAGE`): unknown functions, undefined variables, unbalanced
 * `{{end}}`, misplaced `{{break}}`, and the lexer's errors all fail at parse time, exactly where
 * Go's parser fails, so that `promtool check rules` and Tessera reject the same templates.
 */
import { quoteGo } from '@tessera/model';
import {
  type ArgNode, type CommandNode, type ElseNode, type EndNode, type IfNode, isEmptyTree, type ListNode,
  type Node, nodeString, type NumberNode, type PipeNode, type RangeNode, type TemplateNode, type VariableNode,
  type WithNode,
} from './ast.ts';
import { parseGoFloat, parseIntBase0, StrconvError, unquote } from './go-strconv.ts';
import { type Item, itemString, lex } from './lexer.ts';

/** A parse failure, with Go's message. */
export class ParseError extends Error {}

/** The templates one text defines: the main one under its name plus every define/block. */
export type TreeSet = Map<string, ListNode>;

type Inner = Node | EndNode | ElseNode;

class Parser {
  private readonly items: Item[];
  private idx = 0;
  private furthest = 0; // highest index handed out: Go reports the line of its newest token
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;
  private readonly name: string;
  private readonly hasFunc: (name: string) => boolean;
  readonly trees: TreeSet = new Map();

  constructor(name: string, text: string, hasFunc: (name: string) => boolean) {
    this.name = name;
    this.hasFunc = hasFunc;
    this.items = lex(text, { breakOK: !hasFunc('break'), continueOK: !hasFunc('continue') });
  }

  private errorf(msg: string): never {
    const tok = this.items[Math.min(this.furthest, this.items.length - 1)]!;
    throw new ParseError(`template: ${this.name}:${tok.line}: ${msg}`);
  }

  private next(): Item {
    const it = this.items[Math.min(this.idx, this.items.length - 1)]!;
    if (this.idx > this.furthest) this.furthest = this.idx;
    if (this.idx < this.items.length - 1) this.idx++;
    else this.idx = this.items.length; // stay on the final eof/error item
    return it;
  }
  private backup(n = 1): void { this.idx -= n; }
  private peek(): Item { const it = this.next(); this.backup(); return it; }
  private nextNonSpace(): Item {
    let it: Item;
    do { it = this.next(); } while (it.typ === 'space');
    return it;
  }
  private peekNonSpace(): Item {
    const it = this.nextNonSpace();
    this.backup();
    return it;
  }
  private expect(typ: Item['typ'], context: string): Item {
    const it = this.nextNonSpace();
    if (it.typ !== typ) this.unexpected(it, context);
    return it;
  }
  private unexpected(it: Item, context: string): never {
    if (it.typ === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== it.line) {
        extra = ` in action started at ${this.name}:${this.actionLine}`;
        if (it.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(it.val + extra);
    }
    this.errorf(`unexpected ${itemString(it)} in ${context}`);
  }

  /** Parses the whole text; the main body is stored under the template's name. */
  parse(): TreeSet {
    const root: ListNode = { kind: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().typ !== 'eof') {
      if (this.peek().typ === 'leftDelim') {
        this.next();
        if (this.nextNonSpace().typ === 'define') {
          this.parseDefinition();
          continue;
        }
        // Back up to the delimiter (spaces included) and parse it as an action.
        while (this.items[this.idx - 1]!.typ !== 'leftDelim') this.backup();
        this.backup();
      }
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    this.add(this.name, root);
    return this.trees;
  }

  private add(name: string, root: ListNode): void {
    const existing = this.trees.get(name);
    if (existing === undefined || isEmptyTree(existing)) { this.trees.set(name, root); return; }
    if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template ${quoteGo(name)}`);
  }

  private withFreshScope<T>(fn: () => T): T {
    const saved = { vars: this.vars, rangeDepth: this.rangeDepth };
    this.vars = ['$'];
    this.rangeDepth = 0;
    try { return fn(); } finally { this.vars = saved.vars; this.rangeDepth = saved.rangeDepth; }
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const tok = this.nextNonSpace();
    if (tok.typ !== 'string' && tok.typ !== 'rawString') this.unexpected(tok, context);
    const name = this.unquoteItem(tok);
    this.expect('rightDelim', context);
    this.withFreshScope(() => {
      const [list, end] = this.itemList();
      if (end.kind !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
      this.add(name, list);
    });
  }

  private unquoteItem(tok: Item): string {
    try { return unquote(tok.val); } catch (e) {
      if (e instanceof StrconvError) this.errorf(e.message);
      throw e;
    }
  }

  private itemList(): [ListNode, EndNode | ElseNode] {
    const list: ListNode = { kind: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().typ !== 'eof') {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Inner {
    const tok = this.nextNonSpace();
    switch (tok.typ) {
      case 'text': return { kind: 'text', pos: tok.pos, text: tok.val };
      case 'leftDelim': {
        const saved = this.actionLine;
        this.actionLine = tok.line;
        try { return this.action(); } finally { this.actionLine = saved; }
      }
      default: this.unexpected(tok, 'input');
    }
  }

  private action(): Inner {
    const tok = this.nextNonSpace();
    switch (tok.typ) {
      case 'block': return this.blockControl();
      case 'break': case 'continue': {
        const t2 = this.nextNonSpace();
        if (t2.typ !== 'rightDelim') this.unexpected(t2, `{{${tok.typ}}}`);
        if (this.rangeDepth === 0) this.errorf(`{{${tok.typ}}} outside {{range}}`);
        return { kind: tok.typ, pos: tok.pos, line: tok.line };
      }
      case 'else': return this.elseControl();
      case 'end': return { kind: 'end', pos: this.expect('rightDelim', 'end').pos };
      case 'if': return this.control('if') as IfNode;
      case 'range': return this.control('range') as RangeNode;
      case 'with': return this.control('with') as WithNode;
      case 'template': return this.templateControl();
    }
    this.backup();
    const t = this.peek();
    return { kind: 'action', pos: t.pos, line: t.line, pipe: this.pipeline('command', 'rightDelim') };
  }

  private elseControl(): ElseNode {
    const peek = this.peekNonSpace();
    if (peek.typ === 'if' || peek.typ === 'with') return { kind: 'else', pos: peek.pos, line: peek.line };
    const tok = this.expect('rightDelim', 'else');
    return { kind: 'else', pos: tok.pos, line: tok.line };
  }

  private control(context: 'if' | 'range' | 'with'): IfNode | RangeNode | WithNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.kind === 'else') {
        const p = this.peek().typ;
        if ((context === 'if' && p === 'if') || (context === 'with' && p === 'with')) {
          // {{else if x}} is {{else}}{{if x}}…{{end}}{{end}} with the inner end shared.
          this.next();
          elseList = { kind: 'list', pos: next.pos, nodes: [this.control(context)] };
        } else {
          [elseList, next] = this.itemList();
          if (next.kind !== 'end') this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return { kind: context, pos: pipe.pos, line: pipe.line, pipe, list, elseList } as IfNode | RangeNode | WithNode;
    } finally {
      this.vars.length = mark;
    }
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    const pipe = this.pipeline(context, 'rightDelim');
    this.withFreshScope(() => {
      const [list, end] = this.itemList();
      if (end.kind !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
      this.add(name, list);
    });
    return { kind: 'template', pos: tok.pos, line: tok.line, name, pipe };
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { kind: 'template', pos: tok.pos, line: tok.line, name, pipe };
  }

  private templateName(tok: Item, context: string): string {
    if (tok.typ !== 'string' && tok.typ !== 'rawString') this.unexpected(tok, context);
    return this.unquoteItem(tok);
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { kind: 'pipe', pos: first.pos, line: first.line, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== 'variable') break;
      this.nextNonSpace();
      const afterVar = this.peek();
      const nxt = this.peekNonSpace();
      if (nxt.typ === 'assign' || nxt.typ === 'declare') {
        pipe.isAssign = nxt.typ === 'assign';
        this.nextNonSpace();
        pipe.decl.push({ kind: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
      } else if (nxt.typ === 'char' && nxt.val === ',') {
        this.nextNonSpace();
        pipe.decl.push({ kind: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const t = this.peekNonSpace().typ;
          if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else {
        // Not a declaration: push the variable back (with the space after it, if any).
        this.idx = this.items.indexOf(v);
        void afterVar;
      }
      break;
    }
    for (;;) {
      const tok = this.nextNonSpace();
      if (tok.typ === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (tok.typ) {
        case 'bool': case 'charConstant': case 'complex': case 'dot': case 'field': case 'identifier':
        case 'number': case 'nil': case 'rawString': case 'string': case 'variable': case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(tok, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const k = c.args[0]!.kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const tok = this.next();
      if (tok.typ === 'space') continue;
      if (tok.typ === 'rightDelim' || tok.typ === 'rightParen') this.backup();
      else if (tok.typ !== 'pipe') this.unexpected(tok, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | null {
    const node = this.term();
    if (node === null) return null;
    if (this.peek().typ !== 'field') return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().typ === 'field') fields.push(this.next().val.slice(1));
    switch (node.kind) {
      case 'field': return { kind: 'field', pos, ident: [...node.ident, ...fields] };
      case 'variable': return { kind: 'variable', pos, ident: [...node.ident, ...fields] };
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        this.errorf(`unexpected . after term ${quoteGo(nodeString(node))}`);
      default: return { kind: 'chain', pos, node, fields };
    }
  }

  private term(): ArgNode | null {
    const tok = this.nextNonSpace();
    switch (tok.typ) {
      case 'identifier':
        if (!this.hasFunc(tok.val)) this.errorf(`function ${quoteGo(tok.val)} not defined`);
        return { kind: 'identifier', pos: tok.pos, name: tok.val };
      case 'dot': return { kind: 'dot', pos: tok.pos };
      case 'nil': return { kind: 'nil', pos: tok.pos };
      case 'variable': {
        const ident = tok.val.split('.').filter((s, i) => i === 0 || s !== '');
        if (!this.vars.includes(ident[0]!)) this.errorf(`undefined variable ${quoteGo(ident[0]!)}`);
        return { kind: 'variable', pos: tok.pos, ident };
      }
      case 'field': return { kind: 'field', pos: tok.pos, ident: tok.val.slice(1).split('.') };
      case 'bool': return { kind: 'bool', pos: tok.pos, value: tok.val === 'true' };
      case 'charConstant': case 'complex': case 'number': return this.number(tok);
      case 'leftParen': return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string': case 'rawString':
        return { kind: 'string', pos: tok.pos, quoted: tok.val, text: this.unquoteItem(tok) };
    }
    this.backup();
    return null;
  }

  private number(tok: Item): NumberNode {
    const n: NumberNode = { kind: 'number', pos: tok.pos, text: tok.val, isInt: false, isUint: false, isFloat: false, isComplex: false, int: 0n, float: 0 };
    const text = tok.val;
    if (tok.typ === 'charConstant') {
      const s = this.unquoteItem(tok);
      const cp = BigInt(s.codePointAt(0)!);
      return { ...n, isInt: true, isUint: true, isFloat: true, int: cp, float: Number(cp) };
    }
    if (tok.typ === 'complex' || text.endsWith('i')) return { ...n, isComplex: true };
    const i = parseIntBase0(text);
    if (i !== null) return { ...n, isInt: true, isUint: i >= 0n, isFloat: true, int: i, float: Number(i) };
    if (/^\+?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9_]+)$/.test(text)) {
      this.errorf(/^[+-]?[0-9_]+$/.test(text) || /^\+?0[xXbBoO]/.test(text) ? `integer overflow: ${quoteGo(text)}` : `illegal number syntax: ${quoteGo(text)}`);
    }
    let f: number;
    try { f = parseGoFloat(text); } catch {
      this.errorf(`illegal number syntax: ${quoteGo(text)}`);
    }
    const isInt = Number.isInteger(f) && Math.abs(f) < 2 ** 63;
    return { ...n, isFloat: true, float: f, isInt, isUint: isInt && f >= 0, int: isInt ? BigInt(f) : 0n };
  }
}

/** Parses `text` as template `name`; `hasFunc` says which function names exist. */
export function parseTrees(name: string, text: string, hasFunc: (name: string) => boolean): TreeSet {
  return new Parser(name, text, hasFunc).parse();
}

/** Variable nodes are also what range/with declare; re-exported for the evaluator's typing. */
export type { VariableNode };
