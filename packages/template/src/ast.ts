/**
 * Parse tree of a Go text/template, with Go's node kinds and their String() forms (which appear in
 * execution error messages as `executing "x" at <humanize "a">`).
 */
import { quoteGo } from '@tessera/model';

/** Fields every node has: its offset (UTF-16 index) in the template text. */
interface Base { pos: number }

export interface TextNode extends Base { kind: 'text'; text: string }
export interface ActionNode extends Base { kind: 'action'; line: number; pipe: PipeNode }
export interface IfNode extends Base { kind: 'if'; line: number; pipe: PipeNode; list: ListNode; elseList: ListNode | null }
export interface WithNode extends Base { kind: 'with'; line: number; pipe: PipeNode; list: ListNode; elseList: ListNode | null }
export interface RangeNode extends Base { kind: 'range'; line: number; pipe: PipeNode; list: ListNode; elseList: ListNode | null }
export interface TemplateNode extends Base { kind: 'template'; line: number; name: string; pipe: PipeNode | null }
export interface BreakNode extends Base { kind: 'break'; line: number }
export interface ContinueNode extends Base { kind: 'continue'; line: number }
export interface ListNode extends Base { kind: 'list'; nodes: Node[] }
/** `{{end}}` and `{{else}}`: only seen by the parser, never stored in a tree. */
export interface EndNode extends Base { kind: 'end' }
export interface ElseNode extends Base { kind: 'else'; line: number }

export interface PipeNode extends Base { kind: 'pipe'; line: number; isAssign: boolean; decl: VariableNode[]; cmds: CommandNode[] }
export interface CommandNode extends Base { kind: 'command'; args: ArgNode[] }
export interface FieldNode extends Base { kind: 'field'; ident: string[] }
export interface VariableNode extends Base { kind: 'variable'; ident: string[] }
export interface IdentifierNode extends Base { kind: 'identifier'; name: string }
export interface ChainNode extends Base { kind: 'chain'; node: ArgNode; fields: string[] }
export interface DotNode extends Base { kind: 'dot' }
export interface NilNode extends Base { kind: 'nil' }
export interface BoolNode extends Base { kind: 'bool'; value: boolean }
export interface StringNode extends Base { kind: 'string'; quoted: string; text: string }
export interface NumberNode extends Base {
  kind: 'number'; text: string;
  isInt: boolean; isUint: boolean; isFloat: boolean; isComplex: boolean;
  int: bigint; float: number;
}

/** Nodes that can be an operand of a command. */
export type ArgNode =
  | FieldNode | VariableNode | IdentifierNode | ChainNode | DotNode | NilNode | BoolNode | StringNode
  | NumberNode | PipeNode;

/** Nodes of a list (what a template body is made of). */
export type Node =
  | TextNode | ActionNode | IfNode | WithNode | RangeNode | TemplateNode | BreakNode | ContinueNode | ListNode;

/** Any node. */
export type AnyNode = Node | ArgNode | CommandNode | EndNode | ElseNode;

/** Go's Node.String() for any node. */
export function nodeString(n: AnyNode): string {
  switch (n.kind) {
    case 'text': return n.text;
    case 'action': return `{{${nodeString(n.pipe)}}}`;
    case 'if': case 'with': case 'range':
      return `{{${n.kind} ${nodeString(n.pipe)}}}${nodeString(n.list)}` +
        (n.elseList !== null ? `{{else}}${nodeString(n.elseList)}` : '') + '{{end}}';
    case 'template':
      return `{{template ${quoteGo(n.name)}${n.pipe !== null ? ' ' + nodeString(n.pipe) : ''}}}`;
    case 'break': return '{{break}}';
    case 'continue': return '{{continue}}';
    case 'end': return '{{end}}';
    case 'else': return '{{else}}';
    case 'list': return n.nodes.map(nodeString).join('');
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) s = n.decl.map(nodeString).join(', ') + (n.isAssign ? ' = ' : ' := ');
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.kind === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'field': return '.' + n.ident.join('.');
    case 'variable': return n.ident.join('.');
    case 'identifier': return n.name;
    case 'chain':
      return (n.node.kind === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)) + '.' + n.fields.join('.');
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'bool': return String(n.value);
    case 'string': return n.quoted;
    case 'number': return n.text;
  }
}

/** Go's parse.IsEmptyTree: only white-space text. */
export function isEmptyTree(n: ListNode): boolean {
  return n.nodes.every((x) => (x.kind === 'text' ? x.text.trim() === '' : x.kind === 'list' ? isEmptyTree(x) : false));
}
