// A small CodeMirror 6 editor for YAML (the Rules page's group editor): line numbers, history,
// bracket matching, highlighting, Tab indents with spaces (YAML forbids tabs).
import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, defaultHighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';

/** The editor's handle. */
export type YamlEditor = {
  readonly view: EditorView;
  getValue(): string;
  setValue(text: string): void;
  destroy(): void;
};

/** Creates a YAML editor in `parent`; `onSave` runs on Ctrl/Cmd+S. */
export function yamlEditor(parent: HTMLElement, text: string, opts: { onSave?: () => void; label?: string } = {}): YamlEditor {
  const saveKey = opts.onSave
    ? [{ key: 'Mod-s', preventDefault: true, run: () => (opts.onSave?.(), true) }]
    : [];
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        indentOnInput(),
        bracketMatching(),
        indentUnit.of('  '),
        EditorState.tabSize.of(2),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        yaml(),
        keymap.of([...saveKey, { key: 'Tab', run: tabSpaces, shift: indentLess }, ...defaultKeymap, ...historyKeymap]),
        EditorView.contentAttributes.of({ 'aria-label': opts.label ?? 'YAML', 'data-testid': 'yaml-editor' }),
      ],
    }),
  });
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue: (t) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } }),
    destroy: () => view.destroy(),
  };
}

/** Tab: two spaces at an empty cursor, else indent the selected lines. */
function tabSpaces(view: EditorView): boolean {
  if (view.state.selection.ranges.some((r) => !r.empty)) return indentMore(view);
  view.dispatch(view.state.replaceSelection('  '), { scrollIntoView: true, userEvent: 'input' });
  return true;
}
