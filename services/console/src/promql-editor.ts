// The PromQL editor: CodeMirror 6 with @prometheus-io/codemirror-promql (highlighting, linting,
// completion of functions, metric names, label names and values from Tessera's own API, every
// request going through the tenant-aware fetch). Enter runs the query, Shift-Enter adds a line.
import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, insertNewlineAndIndent } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, highlightSpecialChars, keymap, placeholder } from '@codemirror/view';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';

export type PromqlEditor = { view: EditorView; value(): string; setValue(s: string): void; focus(): void; destroy(): void };

export function createPromqlEditor(parent: HTMLElement, opts: { value: string; url: string; fetchFn: typeof fetch; onRun: () => void }): PromqlEditor {
  const promql = new PromQLExtension()
    .activateCompletion(true)
    .activateLinter(true)
    .setComplete({
      remote: {
        url: opts.url,
        fetchFn: opts.fetchFn,
        lookbackInterval: 12 * 60 * 60 * 1000,
        cache: { maxAge: 60 * 1000 },
        // A failed completion lookup must not break typing; the query itself reports errors.
        httpErrorHandler: () => {},
      },
      maxMetricsMetadata: 10000,
    });
  const run = (): boolean => {
    closeCompletion(view);
    opts.onRun();
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: opts.value,
      extensions: [
        history(),
        highlightSpecialChars(),
        bracketMatching(),
        closeBrackets(),
        autocompletion({ activateOnTyping: true, maxRenderedOptions: 100 }),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        placeholder('Expression (press Enter to run, Shift-Enter for a new line)'),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': 'PromQL expression', 'data-testid': 'promql-input' }),
        // Completion keys first (Enter accepts a suggestion when the list is open), then Enter runs.
        Prec.highest(keymap.of([...completionKeymap, { key: 'Enter', run }, { key: 'Shift-Enter', run: insertNewlineAndIndent }])),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap]),
        promql.asExtension(),
      ],
    }),
  });
  return {
    view,
    value: () => view.state.doc.toString(),
    setValue: (s) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: s } }),
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
