// The few HTML pieces the report is built from: escaping and a plain table.

export const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A cell: text, or text with a class (`{ text, cls }`). */
export type Cell = string | number | { text: string; cls: string };

/** A table; `rowClass` gives a row its class (severity, state). */
export function table(head: string[], rows: Cell[][], rowClass?: (i: number) => string | undefined): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join("");
  const td = (c: Cell) =>
    typeof c === "object" ? `<td class="${esc(c.cls)}">${esc(c.text)}</td>` : `<td>${esc(String(c))}</td>`;
  const body = rows
    .map((r, i) => {
      const cls = rowClass?.(i);
      return `<tr${cls ? ` class="${esc(cls)}"` : ""}>${r.map(td).join("")}</tr>`;
    })
    .join("");
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}
