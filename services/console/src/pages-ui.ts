// DOM helpers shared by the Explore, Rules, Alerts and Status pages (ui.ts holds the shell's).

/**
 * Marks `t` to be shown as one card per row on narrow screens (pages.css, `table.stack`): each
 * cell gets its column's title as `data-label`, which the phone layout prints before the value.
 */
export function stackOnPhone(t: HTMLTableElement): HTMLTableElement {
  t.classList.add('stack');
  const titles = [...t.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
  for (const tr of t.querySelectorAll('tbody tr')) {
    [...tr.children].forEach((td, i) => {
      const title = titles[i];
      if (title) (td as HTMLElement).dataset.label = title;
    });
  }
  return t;
}

/** A Go `%e` float from the API (`1.5e+00`) as a plain number (`1.5`); other text unchanged. */
export function plainNumber(v: string | undefined): string {
  if (v === undefined) return '';
  const n = Number(v);
  return Number.isFinite(n) ? String(n) : v;
}
