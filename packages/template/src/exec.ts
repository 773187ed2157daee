/**
 * Evaluator for parsed templates with Go's text/template semantics and error messages
 * (`template: NAME:LINE:COL: executing "NAME" at <NODE>: MESSAGE`), under the option Prometheus
 * sets, `missingkey=zero`: a missing key of a map[string]string is "".
 *
 * Evaluation is asynchronous because the Prometheus function `query` is. Variables follow Go's
 * stack discipline: declarations live until the end of the enclosing control structure, and
 * `{{template}}` calls start with only `$`. Limits Go does not have protect the process from a
 * tenant's template: output size, evaluation steps and template call depth.
 */
import { type AnyNode, type ArgNode, type ChainNode, type CommandNode, type FieldNode, type IdentifierNode, type ListNode, type Node, nodeString, type NumberNode, type PipeNode, type RangeNode, type VariableNode } from './ast.ts';
import { quoteGo } from '@tessera/model';
import { printable, sprint } from './fmt.ts';
import type { TreeSet } from './parser.ts';
import { GoTime } from './go-time.ts';
import { GoMap, GoSlice, GoStruct, type GoValue, isTrue, typeName, zeroValue } from './values.ts';

/** Parameter types a function can declare; they decide Go's argument conversions and checks. */
export type ParamType = 'string' | 'float64' | 'int' | 'bool' | 'any' | 'value' | 'template.queryResult' | '*template.sample';

/** What a function gets besides its arguments. */
export interface CallEnv {
  query?: (expr: string, atMs: number) => Promise<{ labels: Record<string, string>; value: number }[]>;
  atMs: number;
  externalURL: string;
}

/** A template function: parameter types, optional variadic element type, and its body. */
export interface FuncSpec {
  params: readonly ParamType[];
  variadic?: ParamType;
  /** Throws {@link FuncError} (or any Error) for Go's `error calling NAME: …`. */
  call(args: GoValue[], env: CallEnv): GoValue | Promise<GoValue>;
}

/** An error returned by a template function. */
export class FuncError extends Error {}

/** An execution failure, with Go's message. */
export class ExecError extends Error {}

/** Limits on one execution. */
export interface ExecLimits {
  maxOutputChars: number;
  maxSteps: number;
  maxDepth: number;
}

const MISSING: unique symbol = Symbol('missing');
type Final = GoValue | typeof MISSING;

class Break { }
class Continue { }
const BREAK = new Break();
const CONTINUE = new Continue();

/** Everything one execution shares: trees, functions, output and limits. */
export interface ExecContext {
  mainName: string;
  text: string;
  trees: TreeSet;
  funcs: ReadonlyMap<string, FuncSpec>;
  env: CallEnv;
  limits: ExecLimits;
}

class State {
  private readonly ctx: ExecContext;
  private vars: { name: string; value: GoValue }[];
  private node: AnyNode | null = null;
  private readonly tmplName: string;
  private readonly depth: number;
  private readonly out: { parts: string[]; chars: number; steps: number };

  constructor(ctx: ExecContext, tmplName: string, dot: GoValue, depth: number, out: State['out']) {
    this.ctx = ctx;
    this.tmplName = tmplName;
    this.vars = [{ name: '$', value: dot }];
    this.depth = depth;
    this.out = out;
  }

  private at(n: AnyNode): void { this.node = n; }

  errorf(msg: string): never {
    if (this.node === null) throw new ExecError(`template: ${this.tmplName}: ${msg}`);
    const pos = this.node.pos;
    const before = this.ctx.text.slice(0, pos);
    const nl = before.lastIndexOf('\n');
    const col = Buffer.byteLength(nl < 0 ? before : before.slice(nl + 1), 'utf8');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const context = nodeString(this.node);
    throw new ExecError(`template: ${this.ctx.mainName}:${line}:${col}: executing ${quoteGo(this.tmplName)} at <${context}>: ${msg}`);
  }

  private write(s: string): void {
    this.out.chars += s.length;
    if (this.out.chars > this.ctx.limits.maxOutputChars) this.errorf(`template output exceeds ${this.ctx.limits.maxOutputChars} characters`);
    this.out.parts.push(s);
  }

  private step(): void {
    if (++this.out.steps > this.ctx.limits.maxSteps) this.errorf(`template execution exceeds ${this.ctx.limits.maxSteps} steps`);
  }

  private mark(): number { return this.vars.length; }
  private pop(mark: number): void { this.vars.length = mark; }
  private setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) { this.vars[i]!.value = value; return; }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  private setTopVar(n: number, value: GoValue): void { this.vars[this.vars.length - n]!.value = value; }
  private varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.errorf(`undefined variable: ${name}`);
  }

  async walk(dot: GoValue, node: Node): Promise<void> {
    this.at(node);
    this.step();
    switch (node.kind) {
      case 'action': {
        const val = await this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.write(sprint([printable(val)]));
        return;
      }
      case 'break': throw BREAK;
      case 'continue': throw CONTINUE;
      case 'if': case 'with': {
        const mark = this.mark();
        try {
          const val = await this.evalPipeline(dot, node.pipe);
          if (isTrue(val)) await this.walk(node.kind === 'with' ? val : dot, node.list);
          else if (node.elseList !== null) await this.walk(dot, node.elseList);
        } finally { this.pop(mark); }
        return;
      }
      case 'list':
        for (const n of node.nodes) await this.walk(dot, n);
        return;
      case 'range': return this.walkRange(dot, node);
      case 'template': {
        const tree = this.ctx.trees.get(node.name);
        if (tree === undefined) this.errorf(`template ${quoteGo(node.name)} not defined`);
        if (this.depth >= this.ctx.limits.maxDepth) this.errorf(`exceeded maximum template depth (${this.ctx.limits.maxDepth})`);
        const newDot = node.pipe === null ? undefined : await this.evalPipeline(dot, node.pipe);
        const sub = new State(this.ctx, node.name, newDot, this.depth + 1, this.out);
        await sub.walk(newDot, tree);
        return;
      }
      case 'text':
        this.write(node.text);
        return;
    }
  }

  private async walkRange(dot: GoValue, r: RangeNode): Promise<void> {
    this.at(r);
    const outer = this.mark();
    try {
      let val = await this.evalPipeline(dot, r.pipe);
      if (val instanceof GoStruct && val.pointer) val = new GoStruct(val.typeName, false, val.fields, val.fieldTypes);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const one = async (index: GoValue, elem: GoValue): Promise<void> => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0]!.ident[0]!, decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem);
          else this.setTopVar(2, index);
        }
        try {
          await this.walk(elem, r.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
      };
      let ran = false;
      if (val instanceof GoSlice) {
        for (let i = 0; i < val.items.length; i++) { ran = true; await one(BigInt(i), val.items[i]); }
      } else if (val instanceof GoMap) {
        for (const k of val.sortedKeys()) { ran = true; await one(k, val.entries.get(k)); }
      } else if (typeof val === 'bigint') {
        if (decl.length > 1) this.errorf(`can't use ${val} to iterate over more than one variable`);
        for (let i = 0n; i < val; i++) { ran = true; await one(i, i); }
      } else if (val !== undefined && val !== null) {
        this.errorf(`range can't iterate over ${sprint([val])}`);
      }
      if (!ran && r.elseList !== null) await this.walk(dot, r.elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.pop(outer);
    }
  }

  private async evalPipeline(dot: GoValue, pipe: PipeNode): Promise<GoValue> {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = await this.evalCommand(dot, cmd, value);
      if (value === null) value = undefined; // a nil interface{} result is "no value"
    }
    const v = value === MISSING ? undefined : value;
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.setVar(d.ident[0]!, v);
      else this.vars.push({ name: d.ident[0]!, value: v });
    }
    return v;
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private async evalCommand(dot: GoValue, cmd: CommandNode, final: Final): Promise<GoValue> {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field': return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain': return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier': return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': this.errorf('nil is not a command');
      case 'number': return this.idealConstant(first);
      case 'string': return first.text;
    }
  }

  private idealConstant(n: NumberNode): GoValue {
    this.at(n);
    if (n.isComplex) this.errorf(`complex constant ${n.text} is not supported`);
    const isHexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isFloat && !isHexInt && !n.text.startsWith("'") && /[.eEpP]/.test(n.text)) return n.float;
    if (n.isInt) return n.int;
    this.errorf(`${n.text} overflows int`);
  }

  private evalFieldNode(dot: GoValue, field: FieldNode, args: readonly ArgNode[], final: Final): Promise<GoValue> {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private async evalChainNode(dot: GoValue, chain: ChainNode, args: readonly ArgNode[], final: Final): Promise<GoValue> {
    this.at(chain);
    if (chain.node.kind === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = await this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.fields, args, final);
  }

  private async evalVariableNode(dot: GoValue, v: VariableNode, args: readonly ArgNode[], final: Final): Promise<GoValue> {
    this.at(v);
    const value = this.varValue(v.ident[0]!);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private async evalFieldChain(dot: GoValue, receiver: GoValue, node: AnyNode, ident: readonly string[], args: readonly ArgNode[], final: Final): Promise<GoValue> {
    for (let i = 0; i < ident.length - 1; i++) receiver = await this.evalField(dot, ident[i]!, node, [], MISSING, receiver);
    return this.evalField(dot, ident[ident.length - 1]!, node, args, final, receiver);
  }

  private async evalField(dot: GoValue, name: string, node: AnyNode, args: readonly ArgNode[], final: Final, receiver: GoValue): Promise<GoValue> {
    if (receiver === undefined) return undefined;
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${name}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    if (receiver instanceof GoTime) {
      const m = receiver.method(name);
      if (m !== undefined) {
        const spec: FuncSpec = m.length === 1
          ? { params: ['string'], call: (a) => (m as (l: string) => string)(a[0] as string) }
          : { params: [], call: () => (m as () => GoValue)() };
        return this.evalCall(dot, spec, false, node, name, args, final);
      }
    } else if (receiver instanceof GoStruct) {
      if (receiver.fields.has(name)) {
        if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`);
        return receiver.fields.get(name);
      }
    } else if (receiver instanceof GoMap) {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      return receiver.entries.has(name) ? receiver.entries.get(name) : zeroValue(receiver.elemType);
    }
    this.errorf(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private async evalFunction(dot: GoValue, node: IdentifierNode, cmd: AnyNode, args: readonly ArgNode[], final: Final): Promise<GoValue> {
    this.at(node);
    const fn = this.ctx.funcs.get(node.name);
    if (fn === undefined) this.errorf(`${quoteGo(node.name)} is not a defined function`);
    return this.evalCall(dot, fn, true, cmd, node.name, args, final);
  }

  private async evalCall(dot: GoValue, fn: FuncSpec, isBuiltin: boolean, node: AnyNode, name: string, allArgs: readonly ArgNode[], final: Final): Promise<GoValue> {
    const args = allArgs.slice(1);
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    const numParams = fn.params.length + (fn.variadic !== undefined ? 1 : 0);
    let numFixed = args.length;
    if (fn.variadic !== undefined) {
      numFixed = fn.params.length;
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`);
    } else if (numIn !== numParams) {
      this.errorf(`wrong number of args for ${name}: want ${numParams} got ${numIn}`);
    }
    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: GoValue = undefined;
      for (const a of args) {
        v = await this.evalArg(dot, 'value', a);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = this.validateType(final, 'value');
      return v;
    }
    const argv: GoValue[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(await this.evalArg(dot, fn.params[i]!, args[i]!));
    if (fn.variadic !== undefined) for (; i < args.length; i++) argv.push(await this.evalArg(dot, fn.variadic, args[i]!));
    if (final !== MISSING) {
      let t: ParamType;
      if (fn.variadic !== undefined) t = numIn - 1 < numFixed ? fn.params[numIn - 1]! : fn.variadic;
      else t = fn.params[fn.params.length - 1]!;
      argv.push(this.validateType(final, t));
    }
    try {
      return await fn.call(argv, this.ctx.env);
    } catch (e) {
      if (e instanceof ExecError || e === BREAK || e === CONTINUE) throw e;
      this.at(node);
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private validateType(value: GoValue, typ: ParamType | null): GoValue {
    if (value === undefined || value === null) {
      if (typ === null || typ === 'value') return undefined;
      if (typ === 'any' || typ === '*template.sample') return null;
      if (typ === 'template.queryResult') return new GoSlice('template.queryResult', '*template.sample', []);
      this.errorf(`invalid value; expected ${typ}`);
    }
    if (typ === null || typ === 'any' || typ === 'value') return value;
    let t = typeName(value);
    if (typ === 'string' && typeof value === 'string') return value;
    if (typ === 'float64' && typeof value === 'number') return value;
    if (typ === 'int' && typeof value === 'bigint') return value;
    if (typ === 'bool' && typeof value === 'boolean') return value;
    if (t === typ) return value;
    if (value instanceof GoSlice && typ === 'template.queryResult') t = value.typeName;
    this.errorf(`wrong type for value; expected ${typ}; got ${t}`);
  }

  private async evalArg(dot: GoValue, typ: ParamType | null, n: ArgNode): Promise<GoValue> {
    this.at(n);
    switch (n.kind) {
      case 'dot': return this.validateType(dot, typ);
      case 'nil':
        if (typ === 'any' || typ === '*template.sample' || typ === 'value' || typ === null) return null;
        if (typ === 'template.queryResult') return this.validateType(undefined, typ);
        this.errorf(`cannot assign nil to ${typ}`);
      case 'field': return this.validateType(await this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable': return this.validateType(await this.evalVariableNode(dot, n, [], MISSING), typ);
      case 'pipe': return this.validateType(await this.evalPipeline(dot, n), typ);
      case 'identifier': return this.validateType(await this.evalFunction(dot, n, n, [n], MISSING), typ);
      case 'chain': return this.validateType(await this.evalChainNode(dot, n, [], MISSING), typ);
    }
    switch (typ) {
      case 'bool':
        if (n.kind === 'bool') return n.value;
        this.errorf(`expected bool; found ${nodeString(n)}`);
      case 'float64':
        if (n.kind === 'number' && n.isFloat) return n.float;
        this.errorf(`expected float; found ${nodeString(n)}`);
      case 'int':
        if (n.kind === 'number' && n.isInt) return n.int;
        this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'string':
        if (n.kind === 'string') return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
      case 'any': case 'value': case null:
        switch (n.kind) {
          case 'bool': return n.value;
          case 'number': return this.idealConstant(n);
          case 'string': return n.text;
        }
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${typ}`);
  }
}

/** Runs template `name` of a parsed set with `data` as dot and `$`. */
export async function execute(ctx: ExecContext, data: GoValue): Promise<string> {
  const tree: ListNode | undefined = ctx.trees.get(ctx.mainName);
  const out = { parts: [] as string[], chars: 0, steps: 0 };
  const state = new State(ctx, ctx.mainName, data, 0, out);
  if (tree === undefined) return state.errorf(`${quoteGo(ctx.mainName)} is an incomplete or empty template`);
  await state.walk(data, tree);
  return out.parts.join('');
}
